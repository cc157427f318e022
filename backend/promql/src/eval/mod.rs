//! The PromQL evaluator. It evaluates a whole range of steps at once, as Prometheus does: an
//! instant query is a range of one step. Instant vectors are kept series-major (one [`Row`] per
//! label set, with a value or a gap at each step), so label work is done once per series, not
//! once per step, while per-step semantics (matching, grouping, duplicate checks) stay exact.

mod aggregate;
mod binary;
mod functions;
mod value;

use std::cell::Cell;
use std::time::{Duration, Instant};

use lookout_tsdb::{Db, Head, Labels, Matcher, Series, is_stale_nan};

use crate::ast::{At, Expr, VectorSelector};
use crate::error::EvalError;
pub use aggregate::{max, mean, min, quantile, variance};
pub use value::QueryValue;
use value::{Row, collect_rows};

/// Where the evaluator reads samples from.
pub trait Queryable {
    /// Every series matching all matchers with its samples in `[mint, maxt]`, in time order.
    /// An error (a damaged block, say) fails the query with that message.
    fn select(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Result<Vec<Series>, String>;
}

impl Queryable for Head {
    fn select(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Result<Vec<Series>, String> {
        Ok(Head::select(self, matchers, mint, maxt))
    }
}

impl Queryable for Db {
    fn select(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Result<Vec<Series>, String> {
        Db::select(self, matchers, mint, maxt).map_err(|e| format!("reading stored samples failed: {e}"))
    }
}

/// Engine settings; the defaults are Prometheus's.
#[derive(Debug, Clone)]
pub struct Options {
    /// How far back an instant vector selector looks for a sample.
    pub lookback_ms: i64,
    /// The most samples one query may load.
    pub max_samples: usize,
    /// The step of a subquery written without one (`x[5m:]`): the rule evaluation interval.
    pub default_subquery_step_ms: i64,
    pub timeout: Option<Duration>,
}

impl Default for Options {
    fn default() -> Self {
        Options { lookback_ms: 5 * 60_000, max_samples: 50_000_000, default_subquery_step_ms: 60_000, timeout: None }
    }
}

/// Evaluates `expr` at one instant.
pub fn eval_instant(q: &dyn Queryable, expr: &Expr, t: i64, opts: &Options) -> Result<QueryValue, EvalError> {
    let ctx = Ctx::new(q, opts, t, t);
    let steps = Steps { start: t, end: t, step: 1 };
    Ok(match ctx.eval(expr, steps)? {
        Val::Scalar(v) => QueryValue::Scalar(v[0]),
        Val::Str(s) => QueryValue::String(s),
        Val::Vector(rows) => {
            QueryValue::Vector(rows.into_iter().filter_map(|r| r.vals[0].map(|v| (r.labels, v))).collect())
        }
        Val::Matrix(m) => {
            let (lo, hi) = m.window(t);
            QueryValue::Matrix(
                m.series
                    .into_iter()
                    .filter_map(|s| {
                        let samples: Vec<_> =
                            s.samples.iter().filter(|(ts, _)| *ts >= lo && *ts <= hi).copied().collect();
                        (!samples.is_empty()).then_some(Series { labels: s.labels, samples })
                    })
                    .collect(),
            )
        }
    })
}

/// Evaluates `expr` at every `step` from `start` to `end` (milliseconds), as `query_range` does.
/// The result's series are sorted by labels.
pub fn eval_range(
    q: &dyn Queryable,
    expr: &Expr,
    start: i64,
    end: i64,
    step: i64,
    opts: &Options,
) -> Result<Vec<Series>, EvalError> {
    if step <= 0 || end < start {
        return Err(EvalError::Execution("invalid range: step must be positive and end not before start".into()));
    }
    let ctx = Ctx::new(q, opts, start, end);
    let steps = Steps { start, end, step };
    let rows = match ctx.eval(expr, steps)? {
        Val::Scalar(values) => vec![Row { labels: Labels::default(), vals: values.into_iter().map(Some).collect() }],
        Val::Vector(rows) => rows,
        Val::Str(_) | Val::Matrix(_) => {
            return Err(EvalError::Execution(format!(
                "invalid expression type {:?} for range query, must be Scalar or instant Vector",
                expr.value_type().name()
            )));
        }
    };
    let mut series: Vec<Series> = rows
        .into_iter()
        .filter_map(|row| {
            let samples: Vec<_> =
                row.vals.iter().enumerate().filter_map(|(i, v)| v.map(|v| (steps.at(i), v))).collect();
            (!samples.is_empty()).then_some(Series { labels: row.labels, samples })
        })
        .collect();
    series.sort_by(|a, b| a.labels.cmp(&b.labels));
    Ok(series)
}

/// The evaluation times: `start`, `start + step`, … up to `end`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Steps {
    start: i64,
    end: i64,
    step: i64,
}

impl Steps {
    pub(crate) fn len(self) -> usize {
        if self.end < self.start { 0 } else { ((self.end - self.start) / self.step) as usize + 1 }
    }

    pub(crate) fn at(self, i: usize) -> i64 {
        self.start + i as i64 * self.step
    }
}

/// A range vector: whole series, and how to cut each step's window out of them.
pub(crate) struct MatrixVal {
    series: Vec<Series>,
    range: i64,
    offset: i64,
    at: Option<i64>,
}

impl MatrixVal {
    /// The inclusive window `[end - range, end]` for evaluation time `t`.
    fn window(&self, t: i64) -> (i64, i64) {
        let end = self.at.unwrap_or(t) - self.offset;
        (end - self.range, end)
    }
}

pub(crate) enum Val {
    Scalar(Vec<f64>),
    Str(String),
    Vector(Vec<Row>),
    Matrix(MatrixVal),
}

pub(crate) struct Ctx<'a> {
    q: &'a dyn Queryable,
    opts: &'a Options,
    query_start: i64,
    query_end: i64,
    samples: Cell<usize>,
    deadline: Option<Instant>,
}

impl<'a> Ctx<'a> {
    fn new(q: &'a dyn Queryable, opts: &'a Options, query_start: i64, query_end: i64) -> Self {
        Ctx {
            q,
            opts,
            query_start,
            query_end,
            samples: Cell::new(0),
            deadline: opts.timeout.map(|t| Instant::now() + t),
        }
    }

    fn check_deadline(&self, stage: &'static str) -> Result<(), EvalError> {
        match self.deadline {
            Some(deadline) if Instant::now() > deadline => Err(EvalError::Timeout(stage)),
            _ => Ok(()),
        }
    }

    fn add_samples(&self, n: usize) -> Result<(), EvalError> {
        let total = self.samples.get().saturating_add(n);
        self.samples.set(total);
        if total > self.opts.max_samples { Err(EvalError::TooManySamples) } else { Ok(()) }
    }

    fn resolve_at(&self, at: Option<At>) -> Option<i64> {
        at.map(|at| match at {
            At::Time(t) => t,
            At::Start => self.query_start,
            At::End => self.query_end,
        })
    }

    pub(crate) fn eval(&self, expr: &Expr, steps: Steps) -> Result<Val, EvalError> {
        self.check_deadline("query evaluation")?;
        let n = steps.len();
        Ok(match expr {
            Expr::Number(v) => Val::Scalar(vec![*v; n]),
            Expr::String(s) => Val::Str(s.clone()),
            Expr::Paren(inner) => self.eval(inner, steps)?,
            Expr::Neg(inner) => match self.eval(inner, steps)? {
                Val::Scalar(values) => Val::Scalar(values.into_iter().map(|v| -v).collect()),
                Val::Vector(rows) => Val::Vector(collect_rows(rows.into_iter().map(|r| Row {
                    labels: value::drop_name(&r.labels),
                    vals: r.vals.iter().map(|v| v.map(|v| -v)).collect(),
                }))?),
                _ => unreachable!("the parser only allows unary minus on scalars and vectors"),
            },
            Expr::VectorSelector(selector) => Val::Vector(self.vector_selector(selector, steps, false)?),
            Expr::MatrixSelector { selector, range } => Val::Matrix(self.matrix_selector(selector, *range, steps)?),
            Expr::Subquery { expr, range, step, offset, at } => {
                Val::Matrix(self.subquery(expr, *range, *step, *offset, *at, steps)?)
            }
            Expr::Binary { op, lhs, rhs, return_bool, matching } => {
                let l = self.eval(lhs, steps)?;
                let r = self.eval(rhs, steps)?;
                binary::eval(*op, l, r, *return_bool, matching.as_ref(), n)?
            }
            Expr::Aggregate { op, expr, param, without, grouping } => {
                let Val::Vector(rows) = self.eval(expr, steps)? else { unreachable!("aggregations take vectors") };
                let param = param.as_ref().map(|p| self.eval(p, steps)).transpose()?;
                Val::Vector(aggregate::eval(*op, rows, param, *without, grouping, n)?)
            }
            Expr::Call { func, args } => functions::call(self, func, args, steps)?,
        })
    }

    /// The value (or with `timestamps`, the sample time in seconds) each series has at each step:
    /// its newest sample within the lookback window, unless that sample is a staleness marker.
    pub(crate) fn vector_selector(
        &self,
        sel: &VectorSelector,
        steps: Steps,
        timestamps: bool,
    ) -> Result<Vec<Row>, EvalError> {
        let n = steps.len();
        let at = self.resolve_at(sel.at);
        let reference = |i: usize| at.unwrap_or(steps.at(i)) - sel.offset;
        let (first, last) = (reference(0), reference(n.saturating_sub(1)));
        let series = self
            .q
            .select(&sel.matchers, first.min(last) - self.opts.lookback_ms, first.max(last))
            .map_err(EvalError::Execution)?;
        self.add_samples(series.iter().map(|s| s.samples.len()).sum())?;
        let mut rows = Vec::with_capacity(series.len());
        for s in series {
            let mut vals = vec![None; n];
            let mut any = false;
            for (i, slot) in vals.iter_mut().enumerate() {
                let r = reference(i);
                let idx = s.samples.partition_point(|(t, _)| *t <= r);
                if idx == 0 {
                    continue;
                }
                let (t, v) = s.samples[idx - 1];
                if t < r - self.opts.lookback_ms || is_stale_nan(v) {
                    continue;
                }
                *slot = Some(if timestamps { t as f64 / 1000.0 } else { v });
                any = true;
            }
            if any {
                rows.push(Row { labels: s.labels, vals });
            }
        }
        Ok(rows)
    }

    fn matrix_selector(&self, sel: &VectorSelector, range: i64, steps: Steps) -> Result<MatrixVal, EvalError> {
        let at = self.resolve_at(sel.at);
        let n = steps.len();
        let ends = [at.unwrap_or(steps.at(0)) - sel.offset, at.unwrap_or(steps.at(n.saturating_sub(1))) - sel.offset];
        let mut series = self
            .q
            .select(&sel.matchers, ends[0].min(ends[1]) - range, ends[0].max(ends[1]))
            .map_err(EvalError::Execution)?;
        for s in &mut series {
            s.samples.retain(|(_, v)| !is_stale_nan(*v));
        }
        series.retain(|s| !s.samples.is_empty());
        self.add_samples(series.iter().map(|s| s.samples.len()).sum())?;
        Ok(MatrixVal { series, range, offset: sel.offset, at })
    }

    /// Evaluates the inner expression on a grid of its own step, aligned to multiples of the
    /// step, covering every window the outer steps need.
    fn subquery(
        &self,
        expr: &Expr,
        range: i64,
        step: Option<i64>,
        offset: i64,
        at: Option<At>,
        steps: Steps,
    ) -> Result<MatrixVal, EvalError> {
        let at = self.resolve_at(at);
        let interval = step.unwrap_or(self.opts.default_subquery_step_ms);
        let n = steps.len();
        let (outer_start, outer_end) = match at {
            Some(t) => (t, t),
            None => (steps.at(0), steps.at(n.saturating_sub(1))),
        };
        let lowest = outer_start - offset - range;
        // Integer division truncates toward zero, as in Prometheus, then rounds up to the grid.
        let mut start = interval * (lowest / interval);
        if start < lowest {
            start += interval;
        }
        let inner = Steps { start, end: outer_end - offset, step: interval };
        self.add_samples(inner.len())?;
        let series = match self.eval(expr, inner)? {
            Val::Vector(rows) => rows
                .into_iter()
                .map(|row| Series {
                    labels: row.labels,
                    samples: row.vals.iter().enumerate().filter_map(|(i, v)| v.map(|v| (inner.at(i), v))).collect(),
                })
                .collect(),
            _ => unreachable!("the parser only allows subqueries of instant vectors"),
        };
        Ok(MatrixVal { series, range, offset, at })
    }
}
