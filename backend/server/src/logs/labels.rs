//! Label look-ups over the log store, for Loki's label API: the values one stream label or JSON
//! field takes in a range.

use lookout_logs::{LogStore, Order, Row, Selection};

/// Values listed for a field whose blocks hold too many to summarise, read from recent lines.
const SCANNED_VALUES: usize = 1000;

/// The values of `name` in `[start, end]` (ns): from the blocks' summaries, or, where they hold
/// too many to summarise, the distinct values of the most recent lines.
pub fn label_values(store: &LogStore, name: &str, start: i64, end: i64) -> Vec<String> {
    match store.fields(start, end).fields.remove(name) {
        None => Vec::new(),
        Some(Some(values)) => values.into_iter().collect(),
        Some(None) => recent_values(store, name, start, end),
    }
}

fn recent_values(store: &LogStore, name: &str, start: i64, end: i64) -> Vec<String> {
    let selection = Selection::new(start, end, vec![lookout_tsdb::Matcher::not_equal(name, "")]);
    let mut found = std::collections::BTreeSet::new();
    let mut collect = |row: Row<'_>| {
        if found.len() < SCANNED_VALUES
            && let Some(v) = row.stream.get(name).map(str::to_string).or_else(|| {
                lookout_logs::json_fields(row.line).and_then(|f| f.into_iter().find(|(n, _)| n == name).map(|(_, v)| v))
            })
        {
            found.insert(v);
        }
    };
    store.scan(&selection, Order::Backward, &mut collect);
    found.into_iter().collect()
}
