//! Annotations (deploys, incidents, notes) as Grafana keeps them: a point or a span of time with
//! text and tags, on a dashboard or for everything. Every change is one fsynced line
//! ([`JsonLines`]): the annotation as it now is, or its deletion.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use lookout_types::grafana::{Annotation, AnnotationInput};
use serde::{Deserialize, Serialize};

use crate::jsonl::JsonLines;

/// What `GET /api/annotations` returns without a `limit`.
pub const DEFAULT_LIMIT: usize = 100;
/// Text longer than this is refused.
const MAX_TEXT: usize = 64 << 10;

#[derive(Debug, thiserror::Error)]
pub enum AnnotationError {
    #[error("Annotation not found")]
    NotFound,
    /// Grafana's words for an annotation without text.
    #[error("Failed to save annotation")]
    NoText,
    #[error("annotation text is over {MAX_TEXT} bytes")]
    TooLong,
    #[error("cannot store the annotation: {0}")]
    Storage(#[from] std::io::Error),
}

/// One annotation as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Stored {
    dashboard_uid: Option<String>,
    dashboard_id: i64,
    panel_id: i64,
    time: i64,
    time_end: i64,
    text: String,
    tags: Vec<String>,
    data: serde_json::Value,
    created: i64,
    updated: i64,
    login: String,
}

/// A line of the file: the annotation as it now is, or `None` for its deletion.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    id: i64,
    annotation: Option<Stored>,
}

/// What `GET /api/annotations` asks for.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Both or neither: annotations overlapping `[from, to]`, Unix milliseconds.
    pub range: Option<(i64, i64)>,
    pub limit: usize,
    pub tags: Vec<String>,
    /// Any of the tags rather than all of them.
    pub match_any: bool,
    pub dashboard_uid: Option<String>,
    pub dashboard_id: Option<i64>,
    pub panel_id: Option<i64>,
    /// `Some(true)` only alerts' annotations, `Some(false)` only people's; Lookout keeps no
    /// alert annotations, so the first finds none.
    pub alerts: Option<bool>,
}

pub struct Annotations {
    file: JsonLines,
    items: Mutex<(BTreeMap<i64, Stored>, i64)>,
}

impl Annotations {
    pub fn open(path: &Path) -> std::io::Result<Annotations> {
        let (file, records) = JsonLines::open::<Record>(path)?;
        let mut items = BTreeMap::new();
        let mut last_id = 0;
        for record in records {
            last_id = last_id.max(record.id);
            match record.annotation {
                Some(a) => items.insert(record.id, a),
                None => items.remove(&record.id),
            };
        }
        Ok(Annotations { file, items: Mutex::new((items, last_id)) })
    }

    /// Adds an annotation; its id. Without a time it is now; without an end it is a point.
    pub fn add(&self, input: AnnotationInput, login: &str, now: i64) -> Result<i64, AnnotationError> {
        let text = input.text.filter(|t| !t.is_empty()).ok_or(AnnotationError::NoText)?;
        if text.len() > MAX_TEXT {
            return Err(AnnotationError::TooLong);
        }
        let (time, time_end) = span(input.time, input.time_end, now);
        let stored = Stored {
            dashboard_uid: input.dashboard_uid.filter(|u| !u.is_empty()),
            dashboard_id: input.dashboard_id.unwrap_or(0),
            panel_id: input.panel_id.unwrap_or(0),
            time,
            time_end,
            text,
            tags: input.tags.unwrap_or_default(),
            data: input.data.unwrap_or_else(|| serde_json::json!({})),
            created: now,
            updated: now,
            login: login.to_string(),
        };
        let mut items = self.items.lock().unwrap_or_else(|e| e.into_inner());
        let id = items.1 + 1;
        self.file.append(&Record { id, annotation: Some(stored.clone()) })?;
        items.0.insert(id, stored);
        items.1 = id;
        Ok(id)
    }

    /// Replaces (`PUT`: text and tags always, times when given) or patches (`PATCH`: what is
    /// given) an annotation, as Grafana does.
    pub fn update(&self, id: i64, input: AnnotationInput, patch: bool, now: i64) -> Result<(), AnnotationError> {
        let mut items = self.items.lock().unwrap_or_else(|e| e.into_inner());
        let mut stored = items.0.get(&id).cloned().ok_or(AnnotationError::NotFound)?;
        match (patch, input.text) {
            (true, Some(text)) if !text.is_empty() => stored.text = text,
            (true, _) => {}
            (false, text) => stored.text = text.unwrap_or_default(),
        }
        if stored.text.len() > MAX_TEXT {
            return Err(AnnotationError::TooLong);
        }
        match (patch, input.tags) {
            (_, Some(tags)) => stored.tags = tags,
            (false, None) => stored.tags = Vec::new(),
            (true, None) => {}
        }
        let time = input.time.filter(|t| *t > 0).unwrap_or(stored.time);
        let time_end = input.time_end.filter(|t| *t > 0).unwrap_or(stored.time_end);
        (stored.time, stored.time_end) = span(Some(time), Some(time_end), now);
        if let Some(data) = input.data {
            stored.data = data;
        }
        stored.updated = now;
        self.file.append(&Record { id, annotation: Some(stored.clone()) })?;
        items.0.insert(id, stored);
        Ok(())
    }

    pub fn delete(&self, id: i64) -> Result<(), AnnotationError> {
        let mut items = self.items.lock().unwrap_or_else(|e| e.into_inner());
        if !items.0.contains_key(&id) {
            return Err(AnnotationError::NotFound);
        }
        self.file.append(&Record { id, annotation: None })?;
        items.0.remove(&id);
        Ok(())
    }

    pub fn get(&self, id: i64) -> Option<Annotation> {
        let items = self.items.lock().unwrap_or_else(|e| e.into_inner());
        items.0.get(&id).map(|s| wire(id, s))
    }

    /// The annotations the query asks for, newest first (by end, then start), as Grafana lists.
    pub fn query(&self, q: &Query) -> Vec<Annotation> {
        if q.alerts == Some(true) {
            return Vec::new();
        }
        let items = self.items.lock().unwrap_or_else(|e| e.into_inner());
        let mut found: Vec<(i64, &Stored)> = items
            .0
            .iter()
            .filter(|(_, a)| q.range.is_none_or(|(from, to)| a.time <= to && a.time_end >= from))
            .filter(|(_, a)| q.dashboard_uid.as_ref().is_none_or(|u| a.dashboard_uid.as_ref() == Some(u)))
            .filter(|(_, a)| q.dashboard_id.is_none_or(|d| a.dashboard_id == d))
            .filter(|(_, a)| q.panel_id.is_none_or(|p| a.panel_id == p))
            .filter(|(_, a)| {
                q.tags.is_empty()
                    || if q.match_any {
                        q.tags.iter().any(|t| a.tags.contains(t))
                    } else {
                        q.tags.iter().all(|t| a.tags.contains(t))
                    }
            })
            .map(|(id, a)| (*id, a))
            .collect();
        found.sort_by_key(|(id, a)| std::cmp::Reverse((a.time_end, a.time, *id)));
        found.into_iter().take(if q.limit == 0 { DEFAULT_LIMIT } else { q.limit }).map(|(id, a)| wire(id, a)).collect()
    }

    /// Tags in use that contain `needle`, with how many annotations carry each, most used first.
    pub fn tags(&self, needle: &str, limit: usize) -> Vec<(String, usize)> {
        let items = self.items.lock().unwrap_or_else(|e| e.into_inner());
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for tag in items.0.values().flat_map(|a| &a.tags).filter(|t| t.contains(needle)) {
            *counts.entry(tag).or_default() += 1;
        }
        let mut all: Vec<(String, usize)> = counts.into_iter().map(|(t, n)| (t.to_string(), n)).collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        all.truncate(limit);
        all
    }
}

/// Grafana's time rules: no time is now, no end is the time, a reversed span is swapped.
fn span(time: Option<i64>, end: Option<i64>, now: i64) -> (i64, i64) {
    let time = time.filter(|t| *t > 0).unwrap_or(now);
    let end = end.filter(|t| *t > 0).unwrap_or(time);
    (time.min(end), time.max(end))
}

fn wire(id: i64, a: &Stored) -> Annotation {
    Annotation {
        id,
        alert_id: 0,
        alert_name: String::new(),
        dashboard_id: a.dashboard_id,
        dashboard_uid: a.dashboard_uid.clone(),
        panel_id: a.panel_id,
        user_id: 0,
        new_state: String::new(),
        prev_state: String::new(),
        created: a.created,
        updated: a.updated,
        time: a.time,
        time_end: a.time_end,
        text: a.text.clone(),
        tags: a.tags.clone(),
        login: a.login.clone(),
        email: String::new(),
        avatar_url: String::new(),
        data: a.data.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &str, time: i64, tags: &[&str]) -> AnnotationInput {
        AnnotationInput {
            text: Some(text.into()),
            time: Some(time),
            tags: Some(tags.iter().map(|t| t.to_string()).collect()),
            ..Default::default()
        }
    }

    #[test]
    fn kept_across_restarts_and_queried_as_grafana_does() {
        let dir = crate::testing::temp_dir("annotations");
        let path = dir.join("annotations.jsonl");
        let store = Annotations::open(&path).unwrap();
        let deploy = store.add(input("deploy v2", 1_000, &["deploy", "checkout"]), "ci", 5_000).unwrap();
        let note = store.add(input("note", 2_000, &["note"]), "ann", 5_000).unwrap();
        let span = store
            .add(AnnotationInput { time_end: Some(500), ..input("window", 3_000, &["deploy"]) }, "ann", 5_000)
            .unwrap();
        assert!(matches!(store.add(input("", 1, &[]), "x", 5_000), Err(AnnotationError::NoText)));
        let now_point =
            store.add(AnnotationInput { text: Some("now".into()), ..Default::default() }, "x", 7_000).unwrap();
        assert_eq!(store.get(now_point).map(|a| (a.time, a.time_end)), Some((7_000, 7_000)));
        assert_eq!(store.get(span).map(|a| (a.time, a.time_end)), Some((500, 3_000)), "a reversed span is swapped");

        let ids = |q: Query| store.query(&q).iter().map(|a| a.id).collect::<Vec<_>>();
        assert_eq!(ids(Query::default()), [now_point, span, note, deploy], "newest end first");
        assert_eq!(ids(Query { range: Some((1_500, 2_500)), ..Default::default() }), [span, note]);
        assert_eq!(ids(Query { tags: vec!["deploy".into()], ..Default::default() }), [span, deploy]);
        assert_eq!(ids(Query { tags: vec!["deploy".into(), "checkout".into()], ..Default::default() }), [deploy]);
        let any = Query { tags: vec!["note".into(), "checkout".into()], match_any: true, ..Default::default() };
        assert_eq!(ids(any), [note, deploy]);
        assert_eq!(ids(Query { limit: 1, ..Default::default() }), [now_point]);
        assert!(ids(Query { alerts: Some(true), ..Default::default() }).is_empty());

        // PATCH keeps what is not given; PUT replaces text and tags.
        store
            .update(deploy, AnnotationInput { text: Some("deploy v2.1".into()), ..Default::default() }, true, 6_000)
            .unwrap();
        assert_eq!(store.get(deploy).map(|a| (a.text, a.tags.len())), Some(("deploy v2.1".into(), 2)));
        store
            .update(deploy, AnnotationInput { text: Some("replaced".into()), ..Default::default() }, false, 6_000)
            .unwrap();
        assert_eq!(store.get(deploy).map(|a| (a.text, a.tags.len(), a.time)), Some(("replaced".into(), 0, 1_000)));
        store.delete(note).unwrap();
        assert!(matches!(store.delete(note), Err(AnnotationError::NotFound)));
        drop(store);

        // A torn last line is dropped; everything before it is back.
        use std::io::Write;
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(b"{\"id\":99,\"annot").unwrap();
        let again = Annotations::open(&path).unwrap();
        assert_eq!(again.query(&Query::default()).len(), 3);
        assert_eq!(again.get(deploy).unwrap().text, "replaced");
        let next = again.add(input("after", 1, &[]), "x", 8_000).unwrap();
        assert!(next > now_point, "ids are never reused");
        assert_eq!(again.tags("dep", 10), [("deploy".to_string(), 1)]);
    }
}
