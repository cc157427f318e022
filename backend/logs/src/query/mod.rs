//! LogQL over the log store.
//!
//! Log queries scan newest (or oldest) first, run the pipeline over each selected line and keep
//! the `limit` nearest lines. Metric queries evaluate each range aggregation
//! (`count_over_time`, `rate`, `quantile_over_time`, …) into one series per label set at every
//! step; everything around them (vector aggregations, binary operators with matching,
//! `label_replace`, `vector()`) is handed to the PromQL engine as an expression over those
//! series, so it behaves exactly as PromQL does.

mod bridge;
mod logs;
pub mod pipeline;
mod range;
mod tail;

pub use range::tsdb_matchers;
pub use tail::Tail;

use std::time::{Duration, Instant};

use lookout_logql::ast::Expr;
use lookout_tsdb::{Labels, Series};

use crate::select::Order;
use crate::store::LogStore;

/// Loki's limit on points per series of a range query.
pub const MAX_POINTS: i64 = 11_000;

/// What a query is asked over. Times are Unix nanoseconds.
#[derive(Debug, Clone)]
pub struct Params {
    pub start: i64,
    pub end: i64,
    /// For metric range queries; 0 for an instant query at `end`.
    pub step: i64,
    /// Lines returned by a log query.
    pub limit: usize,
    pub direction: Order,
    pub timeout: Duration,
}

/// One stream of a log query's answer: its labels and lines, in the query's direction.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamOut {
    pub labels: Labels,
    pub entries: Vec<(i64, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    Streams(Vec<StreamOut>),
    /// Samples at millisecond steps.
    Matrix(Vec<Series>),
    Vector(Vec<(Labels, f64)>),
}

/// What a query read, for the answer's `stats`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    pub lines: u64,
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum QueryError {
    /// The query or its parameters are wrong (HTTP 400).
    #[error("{0}")]
    BadData(String),
    /// The query is valid but cannot be computed (HTTP 422).
    #[error("{0}")]
    Execution(String),
    #[error("query timed out")]
    Timeout,
}

/// The deadline and the counters shared by every part of one query.
pub(crate) struct Budget {
    deadline: Instant,
    pub stats: Stats,
}

impl Budget {
    fn new(timeout: Duration) -> Budget {
        Budget { deadline: Instant::now() + timeout, stats: Stats::default() }
    }

    pub(crate) fn expired(&self) -> bool {
        Instant::now() >= self.deadline
    }
}

/// Parses and evaluates a query over `[start, end]` (a range query when `step > 0`).
pub fn evaluate(store: &LogStore, query: &str, params: &Params) -> Result<(Output, Stats), QueryError> {
    let expr = lookout_logql::parse(query).map_err(|e| QueryError::BadData(e.to_string()))?;
    evaluate_expr(store, &expr, params)
}

pub fn evaluate_expr(store: &LogStore, expr: &Expr, params: &Params) -> Result<(Output, Stats), QueryError> {
    if params.end < params.start {
        return Err(QueryError::BadData("end timestamp must not be before start time".into()));
    }
    check_selectors(expr)?;
    let mut budget = Budget::new(params.timeout);
    let output = match expr {
        Expr::Log(log) => Output::Streams(logs::select(store, log, params, &mut budget)?),
        _ => {
            if params.step > 0 && (params.end - params.start) / params.step > MAX_POINTS {
                return Err(QueryError::BadData(format!(
                    "exceeded maximum resolution of {MAX_POINTS} points per timeseries. Try increasing the value of the step parameter"
                )));
            }
            bridge::evaluate(store, expr, params, &mut budget)?
        }
    };
    if budget.expired() {
        return Err(QueryError::Timeout);
    }
    Ok((output, budget.stats))
}

/// Loki refuses selectors every line would match: `{a=""}`, `{a=~".*"}`.
fn check_selectors(expr: &Expr) -> Result<(), QueryError> {
    for log in expr.log_exprs() {
        let matchers = range::tsdb_matchers(&log.selector)?;
        if matchers.iter().all(|m| m.matches_empty()) {
            return Err(QueryError::BadData(
                "queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will".into(),
            ));
        }
    }
    Ok(())
}
