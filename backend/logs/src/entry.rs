//! A log entry as stored (time, stream labels, the line) and the fields read from a JSON line.

use lookout_tsdb::Labels;
use serde_json::{Map, Value};

/// One log line. `stream` holds the labels that identify where it came from (`service`,
/// `level`, and whatever a Loki client pushed); every other field stays in the line and is read
/// from it when a query asks.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Unix nanoseconds.
    pub ts: i64,
    pub stream: Labels,
    pub line: String,
}

/// The fields of a JSON object line as LogQL sees them after `| json`: top-level scalars by
/// name, nested objects flattened with `_` (`{"http":{"status":500}}` is `http_status`),
/// arrays and nulls left out, names made valid label names. Numbers and booleans keep the text
/// JSON gives them. `None` if the line is not a JSON object.
pub fn json_fields(line: &str) -> Option<Vec<(String, String)>> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(line) else {
        return None;
    };
    let mut out = Vec::with_capacity(map.len());
    flatten("", &map, &mut out);
    Some(out)
}

/// Appends the scalar fields of `map` to `out`, prefixed for nested objects.
pub fn flatten(prefix: &str, map: &Map<String, Value>, out: &mut Vec<(String, String)>) {
    for (key, value) in map {
        let name = if prefix.is_empty() { sanitize(key).into_owned() } else { format!("{prefix}_{}", sanitize(key)) };
        match value {
            Value::String(s) => out.push((name, s.clone())),
            Value::Number(n) => out.push((name, n.to_string())),
            Value::Bool(b) => out.push((name, b.to_string())),
            Value::Object(inner) => flatten(&name, inner, out),
            Value::Null | Value::Array(_) => {}
        }
    }
}

/// A JSON key as a label name: characters outside `[a-zA-Z0-9_]` become `_`, and a leading
/// digit gets a `_` in front, as Loki's `json` parser does. Valid names are borrowed as they are.
pub fn sanitize(key: &str) -> std::borrow::Cow<'_, str> {
    if lookout_tsdb::is_valid_label_name(key) {
        return std::borrow::Cow::Borrowed(key);
    }
    let mut name: String = key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    std::borrow::Cow::Owned(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_flattened_and_named_as_loki_names_them() {
        let line = r#"{"level":"ERROR","line":42,"ok":false,"http":{"status":500,"path":"/pay"},"tags":["a"],"x":null,"@timestamp":"t","2fa":"y"}"#;
        let mut fields = json_fields(line).unwrap();
        fields.sort();
        let expected = [
            ("2fa", "y"),
            ("@timestamp", "t"),
            ("http_path", "/pay"),
            ("http_status", "500"),
            ("level", "ERROR"),
            ("line", "42"),
            ("ok", "false"),
        ];
        let mut expected: Vec<(String, String)> =
            expected.iter().map(|(k, v)| (sanitize(k).into_owned(), v.to_string())).collect();
        expected.sort();
        assert_eq!(fields, expected);
        assert_eq!(sanitize("@timestamp"), "_timestamp");
        assert_eq!(sanitize("2fa"), "_2fa");
        assert_eq!(json_fields("not json"), None);
        assert_eq!(json_fields("[1,2]"), None);
    }
}
