//! The Overview's "what is failing": ERROR lines of a recent window grouped by service and
//! message shape, read from the log store.

use std::collections::HashMap;

use lookout_logs::{LogStore, Order, Row, Selection};
use lookout_tsdb::Matcher;
use lookout_types::ErrorGroup;

/// Lines at level `ERROR` (any case) not older than `since_ms`, grouped by service and message
/// shape (digits ignored, so "after 20000 ms" and "after 19000 ms" are one group); the `limit`
/// largest groups, largest first. Each group keeps its newest line's message and request.
pub fn error_groups(store: &LogStore, since_ms: i64, now_ms: i64, limit: usize) -> Vec<ErrorGroup> {
    let Ok(level) = Matcher::regex("level", "(?i)error") else {
        return Vec::new();
    };
    let selection = Selection::new(since_ms.saturating_mul(1_000_000), now_ms.saturating_mul(1_000_000), vec![level]);
    let mut groups: HashMap<(String, String), ErrorGroup> = HashMap::new();
    store.scan(&selection, Order::Forward, &mut |row: Row<'_>| {
        let fields = lookout_logs::json_fields(row.line).unwrap_or_default();
        let field = |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        let message = field("message").unwrap_or(row.line);
        let service = row.stream.get("service").unwrap_or_default();
        let shape: String = message.chars().filter(|c| !c.is_ascii_digit()).collect();
        let t = row.ts / 1_000_000;
        let group = groups.entry((service.to_string(), shape)).or_insert_with(|| ErrorGroup {
            service: service.to_string(),
            message: message.to_string(),
            count: 0,
            first_seen: t,
            last_seen: t,
            request_id: None,
        });
        group.count += 1;
        group.first_seen = group.first_seen.min(t);
        if t >= group.last_seen {
            group.last_seen = t;
            group.message = message.to_string();
            group.request_id = field("request_id").map(str::to_string);
        }
    });
    let mut groups: Vec<ErrorGroup> = groups.into_values().collect();
    groups.sort_by(|a, b| b.count.cmp(&a.count).then(b.last_seen.cmp(&a.last_seen)));
    groups.truncate(limit);
    groups
}

#[cfg(test)]
mod tests {
    use lookout_logs::ingest::{Limits, parse_ndjson};

    use super::*;

    /// Unix milliseconds the test's lines count from.
    const B: i64 = 1_735_074_309_000;

    #[test]
    fn grouped_by_message_shape_newest_message_kept() {
        let dir = std::env::temp_dir().join(format!("lookout-error-groups-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (store, _) = LogStore::open(&dir).unwrap();
        let mut body = String::new();
        for (t, level, message) in [
            (1, "ERROR", "too old"),
            (2, "ERROR", "timed out after 20000 ms"),
            (3, "INFO", "fine"),
            (4, "error", "timed out after 19000 ms"),
            (5, "ERROR", "pool exhausted"),
            (6, "ERROR", "timed out after 20000 ms"),
        ] {
            body.push_str(&format!(
                r#"{{"timestamp":{},"level":"{level}","service":"s","message":"{message}","request_id":"r{t}"}}"#,
                B + t * 1000
            ));
            body.push('\n');
        }
        store.append(parse_ndjson(body.as_bytes(), None, 0, Limits::default()).entries).unwrap();
        let groups = error_groups(&store, B + 2000, B + 10_000, 10);
        let got: Vec<(&str, u64, i64, i64, Option<&str>)> = groups
            .iter()
            .map(|g| (g.message.as_str(), g.count, g.first_seen, g.last_seen, g.request_id.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("timed out after 20000 ms", 3, B + 2000, B + 6000, Some("r6")),
                ("pool exhausted", 1, B + 5000, B + 5000, Some("r5"))
            ]
        );
        assert_eq!(error_groups(&store, B + 2000, B + 10_000, 1).len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
