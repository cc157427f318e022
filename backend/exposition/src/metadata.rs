//! Metric family metadata from `# HELP`, `# TYPE` and `# UNIT` lines in both formats: one entry per
//! family in order of first appearance. A second line of the same kind for a family is reported and
//! the first one kept. Deciding which comment lines reach this table is left to the format drivers.

use std::collections::HashMap;

use crate::lexer::{self, Cursor};
use crate::{Format, Metadata, MetricKind};

/// Collects what the descriptor lines say, keyed by family name.
#[derive(Debug, Default)]
pub(crate) struct MetadataTable {
    families: HashMap<String, Entry>,
}

/// One family as seen so far; `None` means no line of that kind yet.
#[derive(Debug)]
struct Entry {
    /// Position of the family's first descriptor line among all families.
    order: usize,
    kind: Option<MetricKind>,
    help: Option<String>,
    unit: Option<String>,
}

impl MetadataTable {
    /// Applies `# HELP name text`; `rest` starts right after the keyword. A HELP line without text
    /// gives the family an empty help.
    pub(crate) fn help_line(&mut self, rest: Cursor<'_>, format: Format) -> Result<(), String> {
        let mut cur = rest;
        let family = family_name(&mut cur, "HELP")?;
        // The text format escapes only backslash and newline in help texts; OpenMetrics also
        // escapes the double quote.
        let help = lexer::unescape(cur.rest(), format == Format::OpenMetrics);
        let entry = self.entry(family);
        if entry.help.is_some() {
            return Err(format!("second HELP line for metric family {family:?}"));
        }
        entry.help = Some(help);
        Ok(())
    }

    /// Applies `# TYPE name type`; `rest` starts right after the keyword.
    pub(crate) fn type_line(&mut self, rest: Cursor<'_>, format: Format) -> Result<(), String> {
        let mut cur = rest;
        let family = family_name(&mut cur, "TYPE")?;
        let word = cur.token();
        if word.is_empty() {
            return Err(format!("missing metric type for {family:?}"));
        }
        let kind = parse_kind(word, format).ok_or_else(|| {
            let names: Vec<&str> = kinds(format).iter().map(|&(name, _)| name).collect();
            format!("unknown metric type {word:?} for {family:?}; expected one of {}", names.join(", "))
        })?;
        cur.skip_blanks();
        if !cur.is_at_end() {
            return Err(format!("unexpected text {:?} after the metric type of {family:?}", cur.rest()));
        }
        let entry = self.entry(family);
        if entry.kind.is_some() {
            return Err(format!("second TYPE line for metric family {family:?}"));
        }
        entry.kind = Some(kind);
        Ok(())
    }

    /// Applies OpenMetrics' `# UNIT name unit`; `rest` starts right after the keyword. The unit may
    /// be empty, and is otherwise made of metric-name characters.
    pub(crate) fn unit_line(&mut self, rest: Cursor<'_>) -> Result<(), String> {
        let mut cur = rest;
        let family = family_name(&mut cur, "UNIT")?;
        let unit = cur.token();
        if let Some(bad) = unit.chars().find(|&c| !lexer::is_metric_name_char(c)) {
            return Err(format!("invalid character {bad:?} in the unit {unit:?} of {family:?}"));
        }
        cur.skip_blanks();
        if !cur.is_at_end() {
            return Err(format!("unexpected text {:?} after the unit of {family:?}", cur.rest()));
        }
        let entry = self.entry(family);
        if entry.unit.is_some() {
            return Err(format!("second UNIT line for metric family {family:?}"));
        }
        entry.unit = Some(unit.to_owned());
        Ok(())
    }

    /// The families in order of first appearance, with defaults for what no line said.
    pub(crate) fn into_metadata(self) -> Vec<Metadata> {
        let mut entries: Vec<(String, Entry)> = self.families.into_iter().collect();
        entries.sort_unstable_by_key(|(_, entry)| entry.order);
        entries
            .into_iter()
            .map(|(family, entry)| Metadata {
                family,
                kind: entry.kind.unwrap_or(MetricKind::Unknown),
                help: entry.help.unwrap_or_default(),
                unit: entry.unit.unwrap_or_default(),
            })
            .collect()
    }

    fn entry(&mut self, family: &str) -> &mut Entry {
        let order = self.families.len();
        self.families.entry(family.to_owned()).or_insert(Entry { order, kind: None, help: None, unit: None })
    }
}

/// Reads the family name after a HELP, TYPE or UNIT keyword, and the blanks that end it.
fn family_name<'a>(cur: &mut Cursor<'a>, keyword: &str) -> Result<&'a str, String> {
    cur.skip_blanks();
    let start = *cur;
    let name = cur.metric_name();
    let ends_cleanly = cur.skip_blanks() || cur.is_at_end();
    match name {
        Some(name) if ends_cleanly => Ok(name),
        _ if start.is_at_end() => Err(format!("missing metric name after {keyword}")),
        _ => Err(format!("invalid metric name {:?} in {keyword} line", start.peek_token())),
    }
}

/// The TYPE words each format defines. ABNF string literals are case-insensitive, and the
/// reference text parser upper-cases before comparing, so both formats match in any case.
fn kinds(format: Format) -> &'static [(&'static str, MetricKind)] {
    match format {
        Format::Text => &[
            ("counter", MetricKind::Counter),
            ("gauge", MetricKind::Gauge),
            ("histogram", MetricKind::Histogram),
            ("summary", MetricKind::Summary),
            ("untyped", MetricKind::Unknown),
        ],
        Format::OpenMetrics => &[
            ("counter", MetricKind::Counter),
            ("gauge", MetricKind::Gauge),
            ("histogram", MetricKind::Histogram),
            ("gaugehistogram", MetricKind::GaugeHistogram),
            ("summary", MetricKind::Summary),
            ("info", MetricKind::Info),
            ("stateset", MetricKind::StateSet),
            ("unknown", MetricKind::Unknown),
        ],
    }
}

fn parse_kind(word: &str, format: Format) -> Option<MetricKind> {
    kinds(format).iter().find(|(name, _)| name.eq_ignore_ascii_case(word)).map(|&(_, kind)| kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::render_metadata;

    /// Feeds descriptor lines written without their `# ` (`"TYPE foo counter"`) and renders the
    /// errors in line order, then the table.
    fn check(format: Format, lines: &[&str], expected: &[&str]) {
        let mut table = MetadataTable::default();
        let mut rendered = Vec::new();
        for &line in lines {
            let (keyword, rest) = line.split_once(' ').unwrap_or((line, ""));
            let rest = Cursor::new(rest);
            let result = match keyword {
                "HELP" => table.help_line(rest, format),
                "TYPE" => table.type_line(rest, format),
                "UNIT" => table.unit_line(rest),
                _ => panic!("test line {line:?} does not start with HELP, TYPE or UNIT"),
            };
            if let Err(message) = result {
                rendered.push(format!("error: {message}"));
            }
        }
        rendered.extend(table.into_metadata().iter().map(render_metadata));
        assert_eq!(rendered, expected, "{format:?} lines {lines:?}");
    }

    #[test]
    fn families_in_order_of_first_appearance() {
        check(
            Format::Text,
            &["TYPE b gauge", "HELP a Some help.", "HELP b Bee.", "TYPE a counter"],
            &[r#"meta b Gauge help="Bee." unit="""#, r#"meta a Counter help="Some help." unit="""#],
        );
        check(Format::Text, &["HELP a"], &[r#"meta a Unknown help="" unit="""#]);
        check(Format::Text, &["HELP   a   spaced  out "], &[r#"meta a Unknown help="spaced  out " unit="""#]);
    }

    #[test]
    fn kinds_per_format() {
        check(Format::Text, &["TYPE a untyped"], &[r#"meta a Unknown help="" unit="""#]);
        check(Format::Text, &["TYPE a COUNTER"], &[r#"meta a Counter help="" unit="""#]);
        check(
            Format::Text,
            &["TYPE a info"],
            &[
                r#"error: unknown metric type "info" for "a"; expected one of counter, gauge, histogram, summary, untyped"#,
            ],
        );
        check(
            Format::OpenMetrics,
            &["TYPE a gaugehistogram", "TYPE b info", "TYPE c stateset", "TYPE d unknown", "TYPE e summary"],
            &[
                r#"meta a GaugeHistogram help="" unit="""#,
                r#"meta b Info help="" unit="""#,
                r#"meta c StateSet help="" unit="""#,
                r#"meta d Unknown help="" unit="""#,
                r#"meta e Summary help="" unit="""#,
            ],
        );
        check(
            Format::OpenMetrics,
            &["TYPE a untyped"],
            &[
                r#"error: unknown metric type "untyped" for "a"; expected one of counter, gauge, histogram, gaugehistogram, summary, info, stateset, unknown"#,
            ],
        );
    }

    #[test]
    fn help_escapes_per_format() {
        check(
            Format::Text,
            &[r#"HELP a Back\\slash,\nnew line, \"quoted\""#],
            &[r#"meta a Unknown help="Back\\slash,\nnew line, \\\"quoted\\\"" unit="""#],
        );
        check(
            Format::OpenMetrics,
            &[r#"HELP a Back\\slash,\nnew line, \"quoted\""#],
            &[r#"meta a Unknown help="Back\\slash,\nnew line, \"quoted\"" unit="""#],
        );
    }

    #[test]
    fn units() {
        check(
            Format::OpenMetrics,
            &["TYPE a_seconds gauge", "UNIT a_seconds seconds"],
            &[r#"meta a_seconds Gauge help="" unit="seconds""#],
        );
        check(Format::OpenMetrics, &["UNIT a"], &[r#"meta a Unknown help="" unit="""#]);
        check(
            Format::OpenMetrics,
            &["UNIT a bad-unit"],
            &[r#"error: invalid character '-' in the unit "bad-unit" of "a""#],
        );
        check(
            Format::OpenMetrics,
            &["UNIT a seconds extra"],
            &[r#"error: unexpected text "extra" after the unit of "a""#],
        );
    }

    #[test]
    fn malformed_lines() {
        check(
            Format::Text,
            &["TYPE a gauge", "TYPE a counter", "HELP a first", "HELP a second"],
            &[
                r#"error: second TYPE line for metric family "a""#,
                r#"error: second HELP line for metric family "a""#,
                r#"meta a Gauge help="first" unit="""#,
            ],
        );
        check(
            Format::OpenMetrics,
            &["UNIT a s", "UNIT a ms"],
            &[r#"error: second UNIT line for metric family "a""#, r#"meta a Unknown help="" unit="s""#],
        );
        check(Format::Text, &["HELP"], &["error: missing metric name after HELP"]);
        check(Format::Text, &["TYPE   "], &["error: missing metric name after TYPE"]);
        check(Format::Text, &["TYPE foo-bar counter"], &[r#"error: invalid metric name "foo-bar" in TYPE line"#]);
        check(Format::Text, &["HELP 1foo x"], &[r#"error: invalid metric name "1foo" in HELP line"#]);
        check(Format::Text, &["TYPE foo"], &[r#"error: missing metric type for "foo""#]);
        check(
            Format::Text,
            &["TYPE foo counter extra"],
            &[r#"error: unexpected text "extra" after the metric type of "foo""#],
        );
        // A rejected line must not register its family.
        check(
            Format::Text,
            &["TYPE foo bogus"],
            &[
                r#"error: unknown metric type "bogus" for "foo"; expected one of counter, gauge, histogram, summary, untyped"#,
            ],
        );
    }
}
