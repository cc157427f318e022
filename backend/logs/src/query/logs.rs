//! Log queries: the `limit` lines nearest the scan's starting end (newest first by default),
//! after the pipeline, grouped into streams by their labels.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use lookout_logql::ast::LogExpr;
use lookout_tsdb::Labels;

use super::pipeline::Pipeline;
use super::range::plan;
use super::{Budget, Params, QueryError, StreamOut};
use crate::select::{Order, Row, Visitor};
use crate::store::LogStore;

/// Keeps the `limit` lines nearest the start of the scan. Ties keep the first seen.
struct Nearest<'a> {
    pipeline: &'a Pipeline,
    order: Order,
    limit: usize,
    /// Keyed so the heap's top is the line to give up first: the oldest when scanning backward.
    kept: BinaryHeap<Kept>,
    seq: u64,
    budget: &'a mut Budget,
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Kept {
    /// Backward: `Reverse(ts)` so the oldest is on top; forward: `ts` so the newest is.
    key: (Reverse<i64>, u64),
    ts: i64,
    labels: Labels,
    line: String,
}

impl Visitor for Nearest<'_> {
    fn visit(&mut self, row: Row<'_>) {
        self.budget.stats.lines += 1;
        self.budget.stats.bytes += row.line.len() as u64;
        if self.limit == 0 {
            return;
        }
        if self.kept.len() == self.limit
            && let Some(horizon) = self.horizon()
        {
            let beyond = match self.order {
                Order::Backward => row.ts <= horizon,
                Order::Forward => row.ts >= horizon,
            };
            if beyond {
                return;
            }
        }
        let Some(out) = self.pipeline.run(row.ts, row.stream, row.line) else { return };
        self.seq += 1;
        let ts_key = match self.order {
            Order::Backward => Reverse(row.ts),
            Order::Forward => Reverse(-row.ts),
        };
        self.kept.push(Kept {
            key: (ts_key, self.seq),
            ts: row.ts,
            labels: Labels::from_pairs(out.labels),
            line: out.line,
        });
        if self.kept.len() > self.limit {
            self.kept.pop();
        }
    }

    fn horizon(&self) -> Option<i64> {
        if self.kept.len() < self.limit {
            return None;
        }
        self.kept.peek().map(|k| k.ts)
    }

    fn done(&self) -> bool {
        self.budget.expired()
    }
}

pub fn select(
    store: &LogStore,
    log: &LogExpr,
    params: &Params,
    budget: &mut Budget,
) -> Result<Vec<StreamOut>, QueryError> {
    let (selection, pipeline) = plan(log, params.start, params.end)?;
    if pipeline.unwraps() {
        return Err(QueryError::BadData("unwrap is only allowed inside a range aggregation".into()));
    }
    let mut nearest = Nearest {
        pipeline: &pipeline,
        order: params.direction,
        limit: params.limit,
        kept: BinaryHeap::new(),
        seq: 0,
        budget,
    };
    store.scan(&selection, params.direction, &mut nearest);
    let mut streams: BTreeMap<Labels, Vec<(i64, String)>> = BTreeMap::new();
    for kept in nearest.kept {
        streams.entry(kept.labels).or_default().push((kept.ts, kept.line));
    }
    Ok(streams
        .into_iter()
        .map(|(labels, mut entries)| {
            match params.direction {
                Order::Backward => entries.sort_by_key(|e| Reverse(e.0)),
                Order::Forward => entries.sort_by_key(|e| e.0),
            }
            StreamOut { labels, entries }
        })
        .collect())
}
