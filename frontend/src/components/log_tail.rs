//! The live tail: a WebSocket to `/loki/api/v1/tail` that reports new matching lines, and how
//! many a slow reader missed, until it is dropped.

use std::rc::Rc;

use js_sys::{Array, JSON, Reflect};
use lookout_types::prometheus::Metric;
use wasm_bindgen::prelude::*;

use super::log_line::{LogLine, object_entries, sort_lines, value_text};
use super::socket::Socket;
use crate::url::with_query;

/// What the socket reports.
#[derive(Debug, Clone, PartialEq)]
pub enum TailEvent {
    Open,
    /// New lines, newest first, and how many lines were missed since the last message.
    Lines {
        lines: Vec<LogLine>,
        missed: u64,
    },
    Closed(String),
}

/// An open tail; dropping it closes the socket.
pub struct Tail {
    _socket: Socket,
}

impl Tail {
    /// Tails `query` from `start_ns` on: first the lines stored since then (at most `limit`), then
    /// each new one.
    pub fn open(
        query: &str,
        start_ns: i64,
        limit: usize,
        report: impl Fn(TailEvent) + 'static,
    ) -> Result<Tail, String> {
        let path = with_query(
            "/loki/api/v1/tail",
            &[("query", query), ("start", &start_ns.to_string()), ("limit", &limit.to_string())],
        );
        let report: Rc<dyn Fn(TailEvent)> = Rc::new(report);
        let on_open = {
            let report = report.clone();
            move |_: &web_sys::WebSocket| report(TailEvent::Open)
        };
        let on_text = {
            let report = report.clone();
            move |text: String| {
                if let Some(event) = read_message(&text) {
                    report(event);
                }
            }
        };
        // A refused upgrade (a bad query) and a lost server both end here, usually as 1006 with
        // no reason; the page has already checked the query with a normal request.
        let on_close = move |why: String| report(TailEvent::Closed(why));
        Ok(Tail { _socket: Socket::open(&path, "live tail", on_open, on_text, on_close)? })
    }
}

/// Reads `{"streams":[{"stream":{…},"values":[["<ns>","<line>"]]}],"dropped_entries":[…]}`.
fn read_message(text: &str) -> Option<TailEvent> {
    let message = JSON::parse(text).ok()?;
    let field = |value: &JsValue, name: &str| Reflect::get(value, &JsValue::from_str(name)).ok();
    let array =
        |value: Option<JsValue>| value.and_then(|v| v.dyn_into::<Array>().ok()).map(|a| a.to_vec()).unwrap_or_default();
    let mut lines = Vec::new();
    for stream in array(field(&message, "streams")) {
        let labels: Metric = field(&stream, "stream")
            .map(|s| object_entries(&s).into_iter().map(|(k, v)| (k, value_text(&v))).collect())
            .unwrap_or_default();
        for pair in array(field(&stream, "values")) {
            let pair: Array = pair.dyn_into().ok()?;
            let ts = pair.get(0).as_string()?.parse().ok()?;
            lines.push(LogLine::new(ts, labels.clone(), pair.get(1).as_string()?));
        }
    }
    sort_lines(&mut lines, true);
    let missed = array(field(&message, "dropped_entries"))
        .iter()
        .map(|entry| field(entry, "labels").and_then(|l| l.as_string()).map_or(1, |l| missed_count(&l)))
        .sum();
    Some(TailEvent::Lines { lines, missed })
}

/// Lookout writes the gap into the labels as `{} (<n> lines missed)`; Loki sends one entry per
/// missed line.
fn missed_count(labels: &str) -> u64 {
    labels
        .strip_suffix(" lines missed)")
        .and_then(|head| head.rsplit_once('('))
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or(1)
}
