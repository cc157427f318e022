//! OpenMetrics 1.0 text, line by line: `# HELP`, `# TYPE` and `# UNIT` go to the metadata table,
//! `# EOF` must end the exposition, and every other line is a sample. Unlike the text format,
//! OpenMetrics has no free comments and no blank lines, so both are reported.

use crate::lexer::Cursor;
use crate::metadata::MetadataTable;
use crate::sample::parse_sample;
use crate::{Format, LineError, Parsed, Sample};

/// What a good line was, as far as the end-of-exposition rules care.
enum Line {
    Eof,
    Other,
}

pub(crate) fn parse(body: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut metadata = MetadataTable::default();
    let mut eof_seen = false;
    let mut last_line = 0;
    for (number, line) in (1..).zip(body.lines()) {
        last_line = number;
        if eof_seen {
            // What follows `# EOF` is not part of this exposition (often a second body glued on),
            // so it is reported once and not read.
            parsed.errors.push(LineError { line: number, message: "unexpected content after \"# EOF\"".to_owned() });
            break;
        }
        match parse_line(line, &mut metadata, &mut parsed.samples) {
            Ok(Line::Eof) => eof_seen = true,
            Ok(Line::Other) => {}
            Err(message) => parsed.errors.push(LineError { line: number, message }),
        }
    }
    // `# EOF` is how a scraper tells a complete exposition from a truncated one. Its absence is
    // worth reporting, but the samples that did arrive are still good.
    if !eof_seen {
        parsed.errors.push(LineError {
            line: last_line + 1,
            message: "missing \"# EOF\" at the end of the exposition".to_owned(),
        });
    }
    parsed.metadata = metadata.into_metadata();
    parsed
}

fn parse_line(line: &str, metadata: &mut MetadataTable, samples: &mut Vec<Sample>) -> Result<Line, String> {
    let mut cur = Cursor::new(line);
    cur.skip_blanks();
    if cur.is_at_end() {
        return Err("empty line; OpenMetrics does not allow blank lines".to_owned());
    }
    if !cur.eat('#') {
        samples.push(parse_sample(line, Format::OpenMetrics)?);
        return Ok(Line::Other);
    }
    cur.skip_blanks();
    match cur.token() {
        "HELP" => metadata.help_line(cur, Format::OpenMetrics)?,
        "TYPE" => metadata.type_line(cur, Format::OpenMetrics)?,
        "UNIT" => metadata.unit_line(cur)?,
        "EOF" => {
            cur.skip_blanks();
            if !cur.is_at_end() {
                return Err(format!("unexpected text {:?} after \"# EOF\"", cur.rest()));
            }
            return Ok(Line::Eof);
        }
        _ => {
            return Err("OpenMetrics allows no comments other than # HELP, # TYPE, # UNIT and # EOF".to_owned());
        }
    }
    Ok(Line::Other)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::render;

    fn check(body: &str, expected: &[&str]) {
        assert_eq!(render(&parse(body)), expected, "body:\n{body}");
    }

    #[test]
    fn every_family_type() {
        check(
            r#"# TYPE acme_http_router_request_seconds summary
# UNIT acme_http_router_request_seconds seconds
# HELP acme_http_router_request_seconds Latency though all of ACME's HTTP request router.
acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32
acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0
acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0
# TYPE go_goroutines gauge
go_goroutines 69
# TYPE foo info
foo_info{name="pretty name",version="8.2.7"} 1
# TYPE bar stateset
bar{bar="a"} 1
bar{bar="b"} 0
# TYPE baz gaugehistogram
baz_gbucket{le="+Inf"} 3
baz_gcount 3
baz_gsum 4.5
# TYPE q unknown
q 1
# TYPE c counter
# HELP c Counted \"things\".
c_total 17.0 1520879607.789 # {id="counter-test"} 5
c_created 1520430000.123
# EOF
"#,
            &[
                r#"meta acme_http_router_request_seconds Summary help="Latency though all of ACME's HTTP request router." unit="seconds""#,
                r#"meta go_goroutines Gauge help="" unit="""#,
                r#"meta foo Info help="" unit="""#,
                r#"meta bar StateSet help="" unit="""#,
                r#"meta baz GaugeHistogram help="" unit="""#,
                r#"meta q Unknown help="" unit="""#,
                r#"meta c Counter help="Counted \"things\"." unit="""#,
                r#"acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32"#,
                r#"acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0"#,
                r#"acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0"#,
                "go_goroutines 69.0",
                r#"foo_info{name="pretty name",version="8.2.7"} 1.0"#,
                r#"bar{bar="a"} 1.0"#,
                r#"bar{bar="b"} 0.0"#,
                r#"baz_gbucket{le="+Inf"} 3.0"#,
                "baz_gcount 3.0",
                "baz_gsum 4.5",
                "q 1.0",
                "c_total 17.0 @1520879607789",
                "c_created 1520430000.123",
            ],
        );
    }

    #[test]
    fn eof_rules() {
        check("a 1\n# EOF", &["a 1.0"]);
        check("a 1\n# EOF  \n", &["a 1.0"]);
        check("a 1\n", &["a 1.0", r##"error line 2: missing "# EOF" at the end of the exposition"##]);
        check("", &[r##"error line 1: missing "# EOF" at the end of the exposition"##]);
        check("a 1\n# EOF\nb 2\nc 3\n", &["a 1.0", r##"error line 3: unexpected content after "# EOF""##]);
        check("a 1\n# EOF\n\n", &["a 1.0", r##"error line 3: unexpected content after "# EOF""##]);
        check(
            "a 1\n# EOF now\n",
            &[
                "a 1.0",
                r##"error line 2: unexpected text "now" after "# EOF""##,
                r##"error line 3: missing "# EOF" at the end of the exposition"##,
            ],
        );
    }

    #[test]
    fn bad_lines_are_reported_and_skipped() {
        check(
            "a 1\n\nb 2\n# EOF\n",
            &["a 1.0", "b 2.0", "error line 2: empty line; OpenMetrics does not allow blank lines"],
        );
        check(
            "# hello\na 1\n# EOF\n",
            &["a 1.0", "error line 1: OpenMetrics allows no comments other than # HELP, # TYPE, # UNIT and # EOF"],
        );
        check(
            "# TYPE a untyped\na 1\n# EOF\n",
            &[
                "a 1.0",
                r#"error line 1: unknown metric type "untyped" for "a"; expected one of counter, gauge, histogram, gaugehistogram, summary, info, stateset, unknown"#,
            ],
        );
        // Integer milliseconds read as seconds would land far in the future, so a timestamp that
        // overflows once converted is rejected rather than clamped.
        check(
            "a 1 1520430000123000000\nb 2 1520430000\n# EOF\n",
            &[
                "b 2.0 @1520430000000",
                r#"error line 1: timestamp "1520430000123000000" for metric "a" is out of range"#,
            ],
        );
    }
}
