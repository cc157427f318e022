//! The head: entries not yet cut into a block, in arrival order, with a running summary of their
//! fields. It is scanned whole (it holds at most [`crate::store::HEAD_BYTES`] of text).

use std::time::Instant;

use crate::block::{FieldSummary, index_fields};
use crate::entry::Entry;
use crate::select::{Row, Selection, StreamPlan};

#[derive(Debug)]
pub struct Head {
    pub entries: Vec<Entry>,
    pub bytes: usize,
    pub min_ts: i64,
    pub max_ts: i64,
    pub fields: FieldSummary,
    pub started: Instant,
}

impl Default for Head {
    fn default() -> Self {
        Head {
            entries: Vec::new(),
            bytes: 0,
            min_ts: i64::MAX,
            max_ts: i64::MIN,
            fields: FieldSummary::default(),
            started: Instant::now(),
        }
    }
}

impl Head {
    pub fn push(&mut self, entry: Entry) {
        index_fields(&entry, Some(&mut self.fields), None);
        self.bytes += entry.line.len();
        self.min_ts = self.min_ts.min(entry.ts);
        self.max_ts = self.max_ts.max(entry.ts);
        self.entries.push(entry);
    }

    /// Visits the matching rows, in arrival order.
    pub fn scan(&self, selection: &Selection, mut visit: impl FnMut(Row<'_>)) {
        if self.entries.is_empty() || self.max_ts < selection.start || self.min_ts > selection.end {
            return;
        }
        // Plans per distinct stream; a head holds few streams, so a short list beats a map.
        let mut plans: Vec<(&lookout_tsdb::Labels, Option<StreamPlan>)> = Vec::new();
        for entry in &self.entries {
            if entry.ts < selection.start || entry.ts > selection.end {
                continue;
            }
            let plan = match plans.iter().find(|(s, _)| *s == &entry.stream) {
                Some((_, plan)) => plan,
                None => {
                    plans.push((&entry.stream, selection.plan(&entry.stream)));
                    &plans.last().expect("just pushed").1
                }
            };
            let Some(plan) = plan else { continue };
            if selection.row_matches(plan, entry.line.as_bytes()).is_some() {
                let line = if selection.needs_line { entry.line.as_str() } else { "" };
                visit(Row { ts: entry.ts, stream: &entry.stream, line });
            }
        }
    }
}
