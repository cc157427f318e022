//! Turning what clients send into entries: NDJSON bodies line by line (a bad line is reported by
//! its number and the good ones are kept), and single pushed lines from Loki clients. Both read
//! the same fields from JSON lines, so a query cannot tell which way a line came in.

use lookout_tsdb::Labels;
use serde_json::{Map, Value};

use crate::entry::Entry;
use crate::timestamp;

/// The stream label naming the service a line came from.
pub const SERVICE: &str = "service";
/// The stream label holding a line's level.
pub const LEVEL: &str = "level";
/// The service of lines that name none, as OpenTelemetry names it.
pub const UNKNOWN_SERVICE: &str = "unknown_service";

/// Field names read as the line's time, in order of preference.
const TIME_FIELDS: [&str; 4] = ["timestamp", "@timestamp", "time", "ts"];
/// Field names read as the line's level, in order of preference (`levelname` is Python's).
const LEVEL_FIELDS: [&str; 4] = ["level", "levelname", "severity", "lvl"];

/// What one line may be.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_line_bytes: usize,
    pub max_fields: usize,
}

impl Default for Limits {
    /// Loki's default line limit (256 KiB); fields enough for any sane structured logger.
    fn default() -> Self {
        Limits { max_line_bytes: 256 << 10, max_fields: 256 }
    }
}

/// A line that was not stored, by its 1-based number in the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub line: usize,
    pub error: String,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub entries: Vec<Entry>,
    pub rejected: Vec<Rejected>,
}

/// Reads an NDJSON body: one JSON object per line, blank lines skipped. `service` is used for
/// lines that carry no `service` field; lines without a time get `now_ns`.
pub fn parse_ndjson(body: &[u8], service: Option<&str>, now_ns: i64, limits: Limits) -> Parsed {
    let mut parsed = Parsed::default();
    for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match ndjson_line(raw, service, now_ns, limits) {
            Ok(entry) => parsed.entries.push(entry),
            Err(error) => parsed.rejected.push(Rejected { line: i + 1, error }),
        }
    }
    parsed
}

fn ndjson_line(raw: &[u8], service: Option<&str>, now_ns: i64, limits: Limits) -> Result<Entry, String> {
    check_size(raw.len(), limits)?;
    let text = std::str::from_utf8(raw).map_err(|e| format!("line is not UTF-8: {e}"))?;
    let map = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err("line is not a JSON object".into()),
        Err(e) => return Err(format!("invalid JSON: {e}")),
    };
    check_fields(&map, limits)?;
    let ts = match TIME_FIELDS.iter().find_map(|f| map.get(*f)) {
        Some(value) => timestamp::from_json(value)?,
        None => now_ns,
    };
    let mut stream = Vec::with_capacity(2);
    let service = match map.get(SERVICE) {
        Some(Value::String(s)) if !s.is_empty() => s.as_str(),
        _ => service.filter(|s| !s.is_empty()).unwrap_or(UNKNOWN_SERVICE),
    };
    stream.push((SERVICE.to_string(), service.to_string()));
    if let Some(level) = level_of(&map) {
        stream.push((LEVEL.to_string(), level.to_string()));
    }
    Ok(Entry { ts, stream: Labels::from_pairs(stream), line: text.trim().to_string() })
}

/// A line pushed by a Loki client with its stream's labels. A JSON object line also gets the
/// `service` and `level` stream labels from its fields when the client did not set them, so
/// `{service="payment"}` finds it however it arrived.
pub fn pushed_entry(labels: &Labels, ts: i64, line: String, limits: Limits) -> Result<Entry, String> {
    check_size(line.len(), limits)?;
    let mut stream: Vec<(String, String)> = labels.iter().map(|l| (l.name.clone(), l.value.clone())).collect();
    let missing = |name: &str| labels.get(name).is_none();
    if (missing(SERVICE) || missing(LEVEL))
        && line.trim_start().starts_with('{')
        && let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&line)
    {
        check_fields(&map, limits)?;
        if missing(SERVICE)
            && let Some(Value::String(s)) = map.get(SERVICE)
        {
            stream.push((SERVICE.to_string(), s.clone()));
        }
        if missing(LEVEL)
            && let Some(level) = level_of(&map)
        {
            stream.push((LEVEL.to_string(), level.to_string()));
        }
    }
    Ok(Entry { ts, stream: Labels::from_pairs(stream), line })
}

fn level_of(map: &Map<String, Value>) -> Option<&str> {
    LEVEL_FIELDS.iter().find_map(|f| match map.get(*f) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.as_str()),
        _ => None,
    })
}

fn check_size(len: usize, limits: Limits) -> Result<(), String> {
    if len > limits.max_line_bytes {
        return Err(format!("line is {len} bytes, over the limit of {} bytes", limits.max_line_bytes));
    }
    Ok(())
}

fn check_fields(map: &Map<String, Value>, limits: Limits) -> Result<(), String> {
    if map.len() > limits.max_fields {
        return Err(format!("line has {} fields, over the limit of {}", map.len(), limits.max_fields));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000;

    #[test]
    fn a_bad_line_is_reported_by_number_and_its_neighbours_are_kept() {
        let body = concat!(
            r#"{"timestamp":"2024-12-24T21:05:09Z","level":"INFO","service":"payment-service","message":"ok"}"#,
            "\n",
            "{not json\n",
            "\n",
            r#"{"timestamp":"yesterday","message":"bad time"}"#,
            "\r\n",
            r#"{"level":"ERROR","message":"no time, no service","exception":"Traceback\nTimeoutError"}"#,
            "\n[1,2]\n"
        );
        let parsed = parse_ndjson(body.as_bytes(), Some("api"), NOW, Limits::default());
        assert_eq!(parsed.entries.len(), 2);
        let lines: Vec<usize> = parsed.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![2, 4, 6]);
        assert!(parsed.rejected[0].error.starts_with("invalid JSON"), "{:?}", parsed.rejected[0]);
        assert!(parsed.rejected[1].error.contains("yesterday"));
        assert_eq!(parsed.rejected[2].error, "line is not a JSON object");
        let first = &parsed.entries[0];
        assert_eq!(first.ts, 1_735_074_309_000_000_000);
        assert_eq!(first.stream.get(SERVICE), Some("payment-service"), "the line's service wins over ?service=");
        assert_eq!(first.stream.get(LEVEL), Some("INFO"));
        let second = &parsed.entries[1];
        assert_eq!(
            (second.ts, second.stream.get(SERVICE), second.stream.get(LEVEL)),
            (NOW, Some("api"), Some("ERROR"))
        );
    }

    #[test]
    fn limits_reject_the_line_not_the_body() {
        let limits = Limits { max_line_bytes: 40, max_fields: 2 };
        let body = b"{\"message\":\"this line is far too long for the limit\"}\n{\"a\":1,\"b\":2,\"c\":3}\n{\"a\":1}\n";
        let parsed = parse_ndjson(body, None, NOW, limits);
        assert_eq!(parsed.entries.len(), 1);
        assert_eq!(parsed.entries[0].stream.get(SERVICE), Some(UNKNOWN_SERVICE));
        assert!(parsed.rejected[0].error.contains("over the limit of 40 bytes"));
        assert!(parsed.rejected[1].error.contains("3 fields"));
        let bad_utf8 = parse_ndjson(b"{\"a\":\"\xff\"}", None, NOW, Limits::default());
        assert!(bad_utf8.rejected[0].error.contains("UTF-8"));
    }

    #[test]
    fn pushed_json_lines_get_the_same_stream_labels() {
        let labels = Labels::from_pairs([("job", "promtail")]);
        let line = r#"{"service":"order-service","levelname":"WARNING","message":"slow"}"#.to_string();
        let entry = pushed_entry(&labels, 5, line, Limits::default()).unwrap();
        assert_eq!(entry.stream.get(SERVICE), Some("order-service"));
        assert_eq!(entry.stream.get(LEVEL), Some("WARNING"));
        assert_eq!(entry.stream.get("job"), Some("promtail"));
        let labelled = Labels::from_pairs([("service", "gateway"), ("level", "info")]);
        let entry = pushed_entry(&labelled, 5, line_of("order-service"), Limits::default()).unwrap();
        assert_eq!(entry.stream.get(SERVICE), Some("gateway"), "pushed labels win");
        let plain = pushed_entry(&labels, 5, "plain text".into(), Limits::default()).unwrap();
        assert_eq!(plain.stream, labels);
    }

    fn line_of(service: &str) -> String {
        format!(r#"{{"service":"{service}","level":"ERROR"}}"#)
    }
}
