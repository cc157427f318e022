//! Sample lines, `name{label="value",...} value [timestamp]`, in both formats. OpenMetrics
//! exemplars are checked for syntax and dropped. Which family a sample belongs to is left to the
//! format drivers.

use crate::lexer::Cursor;
use crate::value::{self, NumberError};
use crate::{Format, Sample};

/// Parses one sample line. The timestamp unit depends on the format: integer milliseconds in the
/// text format, float seconds in OpenMetrics.
pub(crate) fn parse_sample(line: &str, format: Format) -> Result<Sample, String> {
    let mut cur = Cursor::new(line);
    cur.skip_blanks();
    let name = metric_name(&mut cur)?;
    cur.skip_blanks();
    let labels = if cur.eat('{') { label_set(&mut cur)? } else { Vec::new() };
    cur.skip_blanks();

    let value_token = cur.token();
    if value_token.is_empty() {
        return Err(format!("missing value for metric {name:?}"));
    }
    let value = value::parse_value(value_token).map_err(|error| number_message(error, "value", value_token, name))?;
    cur.skip_blanks();

    let mut timestamp_ms = None;
    if !cur.is_at_end() && cur.peek() != Some('#') {
        let token = cur.token();
        let parsed = match format {
            Format::Text => value::parse_millis(token),
            Format::OpenMetrics => value::parse_seconds_as_millis(token),
        };
        timestamp_ms = Some(parsed.map_err(|error| number_message(error, "timestamp", token, name))?);
        cur.skip_blanks();
    }

    if cur.eat('#') {
        exemplar(&mut cur, format, name)?;
    } else if !cur.is_at_end() {
        return Err(format!("unexpected text {:?} after the timestamp of metric {name:?}", cur.rest()));
    }
    Ok(Sample { name: name.to_owned(), labels, value, timestamp_ms })
}

fn metric_name<'a>(cur: &mut Cursor<'a>) -> Result<&'a str, String> {
    let Some(name) = cur.metric_name() else {
        return Err(match cur.peek() {
            Some('{') => "missing metric name before '{'".to_owned(),
            _ => format!("a metric name must start with a letter, '_' or ':', found {}", cur.describe_next()),
        });
    };
    match cur.peek() {
        None | Some(' ' | '\t' | '{') => Ok(name),
        Some(c) => Err(format!("invalid character {c:?} after metric name {name:?}")),
    }
}

/// Reads labels up to and including the closing brace; the opening brace is already consumed.
/// Blanks may surround every token, and a comma may follow the last pair.
fn label_set(cur: &mut Cursor<'_>) -> Result<Vec<(String, String)>, String> {
    let mut labels: Vec<(String, String)> = Vec::new();
    loop {
        cur.skip_blanks();
        if cur.eat('}') {
            return Ok(labels);
        }
        let Some(label) = cur.label_name() else {
            return Err(format!("expected a label name or '}}', found {}", cur.describe_next()));
        };
        cur.skip_blanks();
        if !cur.eat('=') {
            return Err(format!("expected '=' after label name {label:?}, found {}", cur.describe_next()));
        }
        cur.skip_blanks();
        if !cur.eat('"') {
            return Err(format!("expected '\"' to open the value of label {label:?}, found {}", cur.describe_next()));
        }
        let Some(value) = cur.quoted() else {
            return Err(format!("unterminated value for label {label:?}"));
        };
        // The metric name is kept apart from the labels; a `__name__` label would contradict it.
        if label == "__name__" {
            return Err("label name \"__name__\" is reserved for the metric name".to_owned());
        }
        // Label sets are small, so a linear scan beats building a set for every line.
        if labels.iter().any(|(existing, _)| existing == label) {
            return Err(format!("duplicate label {label:?}"));
        }
        labels.push((label.to_owned(), value));
        cur.skip_blanks();
        if !cur.eat(',') && cur.peek() != Some('}') {
            return Err(format!(
                "expected ',' or '}}' after the value of label {label:?}, found {}",
                cur.describe_next()
            ));
        }
    }
}

/// Checks an OpenMetrics exemplar, ` # {labels} value [timestamp]`, whose `#` is already consumed.
/// Exemplars are accepted so their samples are kept, but this crate has no use for their contents.
fn exemplar(cur: &mut Cursor<'_>, format: Format, metric: &str) -> Result<(), String> {
    if format == Format::Text {
        return Err(format!(
            "unexpected '#' in the sample of metric {metric:?}: exemplars are only valid in OpenMetrics"
        ));
    }
    cur.skip_blanks();
    if !cur.eat('{') {
        return Err(format!(
            "expected '{{' to open the exemplar labels of metric {metric:?}, found {}",
            cur.describe_next()
        ));
    }
    label_set(cur)?;
    cur.skip_blanks();
    let value_token = cur.token();
    if value_token.is_empty() {
        return Err(format!("missing exemplar value for metric {metric:?}"));
    }
    value::parse_value(value_token).map_err(|error| number_message(error, "exemplar value", value_token, metric))?;
    cur.skip_blanks();
    if cur.is_at_end() {
        return Ok(());
    }
    let timestamp_token = cur.token();
    value::parse_seconds_as_millis(timestamp_token)
        .map_err(|error| number_message(error, "exemplar timestamp", timestamp_token, metric))?;
    cur.skip_blanks();
    if !cur.is_at_end() {
        return Err(format!("unexpected text {:?} after the exemplar of metric {metric:?}", cur.rest()));
    }
    Ok(())
}

fn number_message(error: NumberError, what: &str, token: &str, metric: &str) -> String {
    match error {
        NumberError::Invalid => format!("invalid {what} {token:?} for metric {metric:?}"),
        NumberError::OutOfRange => format!("{what} {token:?} for metric {metric:?} is out of range"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::render_sample;

    fn check(format: Format, line: &str, expected: &str) {
        let actual = match parse_sample(line, format) {
            Ok(sample) => render_sample(&sample),
            Err(message) => format!("error: {message}"),
        };
        assert_eq!(actual, expected, "{format:?} line {line:?}");
    }

    #[test]
    fn names_and_labels() {
        for (line, expected) in [
            ("foo 1", "foo 1.0"),
            ("  foo   1  ", "foo 1.0"),
            ("foo{} 1", "foo 1.0"),
            ("foo:bar_baz{_x=\"y\"} 1", r#"foo:bar_baz{_x="y"} 1.0"#),
            (r#"foo{a="b",c="d",} 1"#, r#"foo{a="b",c="d"} 1.0"#),
            (r#"foo { a = "b" , c="d" , } 1"#, r#"foo{a="b",c="d"} 1.0"#),
            (r#"foo{a="b"}1"#, r#"foo{a="b"} 1.0"#),
            (r#"foo{a="",b="x y"} 1"#, r#"foo{a="",b="x y"} 1.0"#),
            (r#"foo{a="q\"b\\s\nn"} 1"#, r#"foo{a="q\"b\\s\nn"} 1.0"#),
            (r#"foo{a="x\ty"} 1"#, r#"foo{a="x\\ty"} 1.0"#),
            (r#"foo{a="ünï €"} 1"#, r#"foo{a="ünï €"} 1.0"#),
        ] {
            check(Format::Text, line, expected);
        }
    }

    #[test]
    fn values_and_timestamps() {
        for (line, expected) in [
            ("foo -2.5e3", "foo -2500.0"),
            ("foo .5", "foo 0.5"),
            ("foo +Inf", "foo inf"),
            ("foo -Inf", "foo -inf"),
            ("foo inf", "foo inf"),
            ("foo NaN", "foo NaN"),
            ("foo nan", "foo NaN"),
            ("foo 1 1500", "foo 1.0 @1500"),
            ("foo\t1\t-1500", "foo 1.0 @-1500"),
        ] {
            check(Format::Text, line, expected);
        }
        for (line, expected) in [
            ("foo_total 1 1520430000.123", "foo_total 1.0 @1520430000123"),
            ("foo_total 1 1520430000", "foo_total 1.0 @1520430000000"),
            ("foo_total 1 -1.5", "foo_total 1.0 @-1500"),
        ] {
            check(Format::OpenMetrics, line, expected);
        }
    }

    #[test]
    fn exemplars_are_accepted_and_dropped() {
        for (line, expected) in [
            (r#"foo_bucket{le="1"} 3 # {trace_id="abc"} 0.5 1520430000.123"#, r#"foo_bucket{le="1"} 3.0"#),
            (r#"foo_total 3 1520430000 # {trace_id="abc"} 0.5"#, "foo_total 3.0 @1520430000000"),
            ("foo_total 3 # {} 1", "foo_total 3.0"),
            ("foo_total 3 #{a=\"b\"}   1   2  ", "foo_total 3.0"),
        ] {
            check(Format::OpenMetrics, line, expected);
        }
    }

    #[test]
    fn malformed_lines() {
        for (line, expected) in [
            ("foo abc", r#"error: invalid value "abc" for metric "foo""#),
            ("foo 1e400", r#"error: value "1e400" for metric "foo" is out of range"#),
            ("foo", r#"error: missing value for metric "foo""#),
            (r#"foo{a="b"}"#, r#"error: missing value for metric "foo""#),
            ("foo 1 1.5", r#"error: invalid timestamp "1.5" for metric "foo""#),
            (
                "foo 1 99999999999999999999",
                r#"error: timestamp "99999999999999999999" for metric "foo" is out of range"#,
            ),
            ("foo 1 2 3", r#"error: unexpected text "3" after the timestamp of metric "foo""#),
            ("foo{code 1", r#"error: expected '=' after label name "code", found '1'"#),
            ("foo{code", r#"error: expected '=' after label name "code", found the end of the line"#),
            (r#"foo{code="200" 1"#, r#"error: expected ',' or '}' after the value of label "code", found '1'"#),
            ("foo{code=200} 1", r#"error: expected '"' to open the value of label "code", found '2'"#),
            (r#"foo{code="200} 1"#, r#"error: unterminated value for label "code""#),
            (r#"foo{job="a",job="b"} 1"#, r#"error: duplicate label "job""#),
            (r#"foo{__name__="bar"} 1"#, r#"error: label name "__name__" is reserved for the metric name"#),
            (r#"foo{1a="x"} 1"#, "error: expected a label name or '}', found '1'"),
            (r#"foo{a="x",,} 1"#, "error: expected a label name or '}', found ','"),
            (r#"{a="b"} 1"#, "error: missing metric name before '{'"),
            ("1foo 1", "error: a metric name must start with a letter, '_' or ':', found '1'"),
            ("ü 1", "error: a metric name must start with a letter, '_' or ':', found 'ü'"),
            ("foo-bar 1", r#"error: invalid character '-' after metric name "foo""#),
            (
                r#"foo 1 # {a="b"} 1"#,
                r#"error: unexpected '#' in the sample of metric "foo": exemplars are only valid in OpenMetrics"#,
            ),
        ] {
            check(Format::Text, line, expected);
        }
    }

    #[test]
    fn malformed_openmetrics_lines() {
        for (line, expected) in [
            ("foo_total 1 NaN", r#"error: invalid timestamp "NaN" for metric "foo_total""#),
            ("foo_total 1 1e17", r#"error: timestamp "1e17" for metric "foo_total" is out of range"#),
            (
                "foo_total 1 # trace 1",
                r#"error: expected '{' to open the exemplar labels of metric "foo_total", found 't'"#,
            ),
            (r#"foo_total 1 # {a="b"}"#, r#"error: missing exemplar value for metric "foo_total""#),
            (r#"foo_total 1 # {a="b"} x"#, r#"error: invalid exemplar value "x" for metric "foo_total""#),
            (r#"foo_total 1 # {a="b"} 1 abc"#, r#"error: invalid exemplar timestamp "abc" for metric "foo_total""#),
            (
                r#"foo_total 1 # {a="b"} 1 2 3"#,
                r#"error: unexpected text "3" after the exemplar of metric "foo_total""#,
            ),
            (r#"foo_total 1 # {a="b" 1"#, r#"error: expected ',' or '}' after the value of label "a", found '1'"#),
        ] {
            check(Format::OpenMetrics, line, expected);
        }
    }
}
