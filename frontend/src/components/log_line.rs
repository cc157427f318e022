//! A log line as the Logs page shows it: its time, stream labels, raw text and the fields of a
//! JSON line (parsed once, by the browser's own JSON parser), and how its level is coloured.

use std::sync::atomic::{AtomicU64, Ordering};

use js_sys::{Array, JSON, Object};
use lookout_types::logs::Stream;
use lookout_types::prometheus::Metric;
use wasm_bindgen::{JsCast, JsValue};

/// Row keys: unique for the life of the page, so a list keeps the rows it already shows.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// Fields whose values identify something worth following across services.
pub const LINK_FIELDS: [&str; 4] = ["request_id", "user_id", "order_id", "trace_id"];

#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub id: u64,
    /// Unix nanoseconds.
    pub ts_ns: i64,
    pub labels: Metric,
    pub line: String,
    /// The fields of a JSON object line in their order, non-string values as JSON text; empty
    /// for any other line.
    pub fields: Vec<(String, String)>,
}

impl LogLine {
    pub fn new(ts_ns: i64, labels: Metric, line: String) -> LogLine {
        let fields = json_fields(&line);
        LogLine { id: NEXT_ID.fetch_add(1, Ordering::Relaxed), ts_ns, labels, line, fields }
    }

    /// A stream label, else a JSON field of that name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.labels
            .get(name)
            .map(String::as_str)
            .or_else(|| self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()))
            .filter(|v| !v.is_empty())
    }

    pub fn level(&self) -> &str {
        self.get("level").unwrap_or("")
    }

    pub fn service(&self) -> &str {
        self.get("service").unwrap_or("")
    }

    /// The `message` (or `msg`) field of a JSON line, else the whole line.
    pub fn message(&self) -> &str {
        self.fields.iter().find(|(k, _)| k == "message" || k == "msg").map_or(self.line.as_str(), |(_, v)| v.as_str())
    }

    pub fn ts_ms(&self) -> i64 {
        self.ts_ns.div_euclid(1_000_000)
    }
}

/// The lines of every stream merged into one list in time order, newest first or oldest first.
pub fn merge_streams(streams: Vec<Stream>, newest_first: bool) -> Vec<LogLine> {
    let mut lines: Vec<LogLine> = streams
        .into_iter()
        .flat_map(|s| {
            let labels = s.stream;
            s.values
                .into_iter()
                .filter_map(move |(ts, line)| Some(LogLine::new(ts.parse().ok()?, labels.clone(), line)))
        })
        .collect();
    sort_lines(&mut lines, newest_first);
    lines
}

/// Sorts by time; lines of the same nanosecond keep their order.
pub fn sort_lines(lines: &mut [LogLine], newest_first: bool) {
    if newest_first {
        lines.sort_by_key(|l| std::cmp::Reverse(l.ts_ns));
    } else {
        lines.sort_by_key(|l| l.ts_ns);
    }
}

/// The CSS class of a level's colour: errors red, warnings amber, info blue, debug grey.
pub fn level_class(level: &str) -> &'static str {
    match level.to_ascii_uppercase().as_str() {
        "ERROR" | "ERR" | "CRITICAL" | "CRIT" | "FATAL" | "PANIC" | "ALERT" | "EMERG" | "EMERGENCY" => "lvl-error",
        "WARNING" | "WARN" => "lvl-warning",
        "INFO" | "NOTICE" => "lvl-info",
        "DEBUG" | "TRACE" => "lvl-debug",
        _ => "lvl-other",
    }
}

/// How severe a level is, most severe first, for ordering levels in legends and stacks.
pub fn level_rank(level: &str) -> usize {
    ["lvl-error", "lvl-warning", "lvl-info", "lvl-debug", "lvl-other"]
        .iter()
        .position(|c| *c == level_class(level))
        .unwrap_or(usize::MAX)
}

/// A LogQL string literal holding `value`.
pub fn logql_string(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The key/value pairs of a JS object, in its own order.
pub fn object_entries(value: &JsValue) -> Vec<(String, JsValue)> {
    if !value.is_object() || Array::is_array(value) {
        return Vec::new();
    }
    Object::entries(value.unchecked_ref())
        .iter()
        .filter_map(|pair| {
            let pair: Array = pair.dyn_into().ok()?;
            Some((pair.get(0).as_string()?, pair.get(1)))
        })
        .collect()
}

/// A JSON value as text: strings as they are, anything else as JSON.
pub fn value_text(value: &JsValue) -> String {
    value.as_string().unwrap_or_else(|| JSON::stringify(value).ok().and_then(|s| s.as_string()).unwrap_or_default())
}

fn json_fields(line: &str) -> Vec<(String, String)> {
    // Most lines of a structured logger are objects; skip the parser (and its exception) for the rest.
    if !line.trim_start().starts_with('{') {
        return Vec::new();
    }
    match JSON::parse(line) {
        Ok(value) => object_entries(&value).into_iter().map(|(k, v)| (k, value_text(&v))).collect(),
        Err(_) => Vec::new(),
    }
}
