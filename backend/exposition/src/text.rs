//! The Prometheus text exposition format 0.0.4, line by line: blank lines and free comments are
//! skipped, `# HELP` and `# TYPE` go to the metadata table, and every other line is a sample.

use crate::lexer::Cursor;
use crate::metadata::MetadataTable;
use crate::sample::parse_sample;
use crate::{Format, LineError, Parsed, Sample};

pub(crate) fn parse(body: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut metadata = MetadataTable::default();
    for (number, line) in (1..).zip(body.lines()) {
        if let Err(message) = parse_line(line, &mut metadata, &mut parsed.samples) {
            parsed.errors.push(LineError { line: number, message });
        }
    }
    parsed.metadata = metadata.into_metadata();
    parsed
}

fn parse_line(line: &str, metadata: &mut MetadataTable, samples: &mut Vec<Sample>) -> Result<(), String> {
    let mut cur = Cursor::new(line);
    cur.skip_blanks();
    if cur.is_at_end() {
        return Ok(());
    }
    if !cur.eat('#') {
        samples.push(parse_sample(line, Format::Text)?);
        return Ok(());
    }
    cur.skip_blanks();
    match cur.token() {
        "HELP" => metadata.help_line(cur, Format::Text),
        "TYPE" => metadata.type_line(cur, Format::Text),
        // Every other comment, `# UNIT` and `# EOF` included, is free text in this format.
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::render;

    fn check(body: &str, expected: &[&str]) {
        assert_eq!(render(&parse(body)), expected, "body:\n{body}");
    }

    /// The example from the format's documentation.
    #[test]
    fn documentation_example() {
        check(
            r#"# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# Escaping in label values:
msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9

# Minimalistic line:
metric_without_timestamp_and_labels 12.47

# A weird metric from before the epoch:
something_weird{problem="division by zero"} +Inf -3982045

# A histogram, which has a pretty complex representation in the text format:
# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320
"#,
            &[
                r#"meta http_requests_total Counter help="The total number of HTTP requests." unit="""#,
                r#"meta http_request_duration_seconds Histogram help="A histogram of the request duration." unit="""#,
                r#"http_requests_total{method="post",code="200"} 1027.0 @1395066363000"#,
                r#"http_requests_total{method="post",code="400"} 3.0 @1395066363000"#,
                r#"msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1458255915.0"#,
                "metric_without_timestamp_and_labels 12.47",
                r#"something_weird{problem="division by zero"} inf @-3982045"#,
                r#"http_request_duration_seconds_bucket{le="0.05"} 24054.0"#,
                r#"http_request_duration_seconds_bucket{le="+Inf"} 144320.0"#,
                "http_request_duration_seconds_sum 53423.0",
                "http_request_duration_seconds_count 144320.0",
            ],
        );
    }

    #[test]
    fn blank_lines_and_free_comments_are_skipped() {
        check("\n  \n\t\nfoo 1\n\n", &["foo 1.0"]);
        check("#\n# just words\n# HELPER is no keyword\n# UNIT foo seconds\n# EOF\nfoo 1", &["foo 1.0"]);
        check("  # HELP foo Indented.\nfoo 1", &[r#"meta foo Unknown help="Indented." unit="""#, "foo 1.0"]);
        check("foo 1\r\nbar 2\r\n", &["foo 1.0", "bar 2.0"]);
        check("", &[]);
    }

    #[test]
    fn bad_lines_are_reported_and_skipped() {
        check(
            "a 1\nb{x=1} 2\nc 3\n",
            &["a 1.0", "c 3.0", r#"error line 2: expected '"' to open the value of label "x", found '1'"#],
        );
        check(
            "# TYPE foo blah\nfoo 1\nfoo{a=\"b\",a=\"c\"} 2\n",
            &[
                "foo 1.0",
                r#"error line 1: unknown metric type "blah" for "foo"; expected one of counter, gauge, histogram, summary, untyped"#,
                r#"error line 3: duplicate label "a""#,
            ],
        );
        check(
            "# HELP foo first\n# HELP foo second\n",
            &[r#"meta foo Unknown help="first" unit="""#, r#"error line 2: second HELP line for metric family "foo""#],
        );
        // OpenMetrics timestamps are seconds with a fraction; here they are integer milliseconds.
        check("foo 1 1520430000.123", &[r#"error line 1: invalid timestamp "1520430000.123" for metric "foo""#]);
    }
}
