//! Parsers for the two text formats a Prometheus-style scraper reads from `/metrics`: the
//! Prometheus text exposition format 0.0.4 and OpenMetrics 1.0.
//!
//! [`parse`] cannot fail as a whole. A malformed line becomes a [`LineError`] with its 1-based line
//! number and is skipped; every other line still counts, so one bad line from an exporter never
//! costs a whole scrape. Samples keep their series name exactly as written, and family metadata
//! (`# HELP`, `# TYPE`, `# UNIT`) comes out separately, once per family. The crate reads a
//! Content-Type header and nothing else of HTTP, and knows nothing about storage.
//!
//! Inside, `text` and `openmetrics` decide what each line of their format is; `sample` and
//! `metadata` parse the two kinds of line both formats share; `lexer` and `value` read the tokens
//! and numbers underneath.

mod lexer;
mod metadata;
mod openmetrics;
mod sample;
mod text;
mod value;

#[cfg(test)]
mod test_support;

/// Which of the two formats a body is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The Prometheus text exposition format 0.0.4 (`text/plain; version=0.0.4`).
    Text,
    /// OpenMetrics 1.0 text (`application/openmetrics-text; version=1.0.0`).
    OpenMetrics,
}

impl Format {
    /// From an HTTP Content-Type header value: `application/openmetrics-text...` => OpenMetrics,
    /// everything else => Text.
    ///
    /// Only the media type decides; parameters such as `version` and `charset` are ignored. The
    /// text format is the fallback because it is what exporters sent before content negotiation
    /// existed, and what a missing or odd header most likely means.
    pub fn from_content_type(content_type: &str) -> Format {
        let media_type = content_type.split_once(';').map_or(content_type, |(media_type, _)| media_type);
        // Media types are case-insensitive (RFC 9110), and servers differ in how they spell them.
        if media_type.trim().eq_ignore_ascii_case("application/openmetrics-text") {
            Format::OpenMetrics
        } else {
            Format::Text
        }
    }
}

/// What a family's `# TYPE` line declares. The text format's `untyped`, OpenMetrics' `unknown` and
/// a family with no TYPE line at all are all [`MetricKind::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    Counter,
    Gauge,
    Histogram,
    /// OpenMetrics only: a histogram whose buckets may go down (`_gbucket`, `_gcount`, `_gsum`).
    GaugeHistogram,
    Summary,
    /// OpenMetrics only: constant labels exposed as a `<family>_info` sample of value 1.
    Info,
    /// OpenMetrics only: one sample per state, valued 0 or 1.
    StateSet,
    Unknown,
}

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The series name exactly as written, suffix included (`http_requests_total`, `foo_bucket`).
    pub name: String,
    /// Label pairs in the order written, with escapes decoded.
    pub labels: Vec<(String, String)>,
    pub value: f64,
    /// Milliseconds since the Unix epoch. OpenMetrics writes seconds; they are converted and
    /// rounded to the nearest millisecond.
    pub timestamp_ms: Option<i64>,
}

/// What the `# HELP`, `# TYPE` and `# UNIT` lines say about one metric family.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    /// The name those lines give: in OpenMetrics `foo` for samples named `foo_total`, in the text
    /// format usually the sample name itself.
    pub family: String,
    /// [`MetricKind::Unknown`] when the family has no TYPE line.
    pub kind: MetricKind,
    /// Empty when the family has no HELP line.
    pub help: String,
    /// Empty when the family has no UNIT line, which the text format never has.
    pub unit: String,
}

/// A line that could not be used, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LineError {
    /// 1-based. A missing OpenMetrics `# EOF` is reported on the line after the last one.
    pub line: usize,
    pub message: String,
}

/// Everything read from one body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// In the order written.
    pub samples: Vec<Sample>,
    /// One entry per family with a HELP, TYPE or UNIT line, in order of first appearance.
    pub metadata: Vec<Metadata>,
    /// In line order.
    pub errors: Vec<LineError>,
}

/// Parses a whole exposition. A malformed line is reported in `errors` with its 1-based line number
/// and skipped; every good line before and after it is kept.
pub fn parse(body: &str, format: Format) -> Parsed {
    match format {
        Format::Text => text::parse(body),
        Format::OpenMetrics => openmetrics::parse(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_content_type(content_type: &str, expected: Format) {
        assert_eq!(Format::from_content_type(content_type), expected, "{content_type:?}");
    }

    #[test]
    fn content_type_picks_the_format() {
        use Format::{OpenMetrics, Text};
        check_content_type("application/openmetrics-text; version=1.0.0; charset=utf-8", OpenMetrics);
        check_content_type("application/openmetrics-text", OpenMetrics);
        check_content_type("  Application/OpenMetrics-Text ;version=0.0.1", OpenMetrics);
        check_content_type("text/plain; version=0.0.4; charset=utf-8", Text);
        check_content_type("text/plain", Text);
        check_content_type("application/json", Text);
        check_content_type("application/openmetrics-textual", Text);
        check_content_type("", Text);
    }

    /// Corrupts each sample line of a clean body in turn: exactly that line must be reported, and
    /// every other sample and all metadata must come through unchanged.
    #[test]
    fn a_corrupt_line_costs_only_that_line() {
        let text = "# TYPE a counter\na 1\nb{x=\"y\"} 2\nc 3 1500\nd 4\n";
        let openmetrics = "# TYPE a counter\na_total 1\nb{x=\"y\"} 2\nc 3 1.5\nd 4 # {t=\"u\"} 1\n# EOF\n";
        for (format, body) in [(Format::Text, text), (Format::OpenMetrics, openmetrics)] {
            let clean = parse(body, format);
            assert!(clean.errors.is_empty(), "{format:?}: {:?}", clean.errors);
            let lines: Vec<&str> = body.lines().collect();
            for (index, line) in lines.iter().enumerate() {
                if line.starts_with('#') {
                    continue;
                }
                let sample_index = lines[..index].iter().filter(|l| !l.starts_with('#')).count();
                let mutated: Vec<String> = lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| if i == index { l.replacen(' ', " =", 1) } else { (*l).to_owned() })
                    .collect();
                let parsed = parse(&mutated.join("\n"), format);
                let reported: Vec<usize> = parsed.errors.iter().map(|error| error.line).collect();
                assert_eq!(reported, [index + 1], "{format:?}, corrupted line {}", index + 1);
                let mut expected = clean.samples.clone();
                expected.remove(sample_index);
                assert_eq!(parsed.samples, expected, "{format:?}, corrupted line {}", index + 1);
                assert_eq!(parsed.metadata, clean.metadata);
            }
        }
    }

    /// A fixed xorshift sequence: deterministic noise without a dependency.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    /// Random bodies built from the characters the grammar cares about, multi-byte ones included,
    /// must never panic, and every reported line must exist (or be the one after the last).
    #[test]
    fn arbitrary_input_never_panics() {
        const PIECES: &[&str] = &[
            "a", "_", ":", "1", ".", "e", "+", "-", "{", "}", "=", ",", "\"", "\\", "#", " ", "\t", "\n", "\r", "ä",
            "€", "𝄞", "\u{0}", "HELP", "TYPE", "UNIT", "EOF", "Inf", "NaN", "le", "_total",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..3000 {
            let mut body = String::new();
            for _ in 0..next(&mut state) % 60 {
                body.push_str(PIECES[(next(&mut state) % PIECES.len() as u64) as usize]);
            }
            let line_count = body.lines().count();
            for format in [Format::Text, Format::OpenMetrics] {
                let parsed = parse(&body, format);
                assert!(
                    parsed.errors.iter().all(|error| (1..=line_count + 1).contains(&error.line)),
                    "{body:?}: {:?}",
                    parsed.errors
                );
            }
        }
    }

    /// Every prefix of a body full of multi-byte characters, cut at each character boundary.
    #[test]
    fn truncated_input_never_panics() {
        let body = "# HELP ü_x Hélp \\\"€\\n\n# TYPE ü_x gauge\nx{a=\"ü€𝄞\\\"\"} 1 # {b=\"𝄞\"} 2 3\n# EOF\n";
        for (end, _) in body.char_indices() {
            for format in [Format::Text, Format::OpenMetrics] {
                parse(&body[..end], format);
            }
        }
    }
}
