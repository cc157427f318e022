//! Metric queries through the PromQL engine: each range aggregation is evaluated into series
//! named `__logql_<n>`, and the expression around them is written as PromQL over those names,
//! so vector aggregations, binary operators, vector matching and `label_replace` behave exactly
//! as Prometheus's.

use lookout_logql::ast::{Cardinality, Expr, RangeAggregation, VectorOp};
use lookout_promql::{Options, QueryValue, Queryable};
use lookout_tsdb::{Labels, Matcher, Series};

use super::range::{self, Steps};
use super::{Budget, Output, Params, QueryError};
use crate::store::LogStore;

const NS_PER_MS: i64 = 1_000_000;

/// The evaluated range aggregations, served to the PromQL engine as stored series.
struct Evaluated(Vec<Series>);

impl Queryable for Evaluated {
    fn select(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Result<Vec<Series>, String> {
        Ok(self
            .0
            .iter()
            .filter(|s| matchers.iter().all(|m| m.matches(s.labels.get(&m.name).unwrap_or(""))))
            .map(|s| Series {
                labels: s.labels.clone(),
                samples: s.samples.iter().filter(|(t, _)| *t >= mint && *t <= maxt).copied().collect(),
            })
            .filter(|s| !s.samples.is_empty())
            .collect())
    }
}

pub fn evaluate(store: &LogStore, expr: &Expr, params: &Params, budget: &mut Budget) -> Result<Output, QueryError> {
    let steps = if params.step > 0 {
        Steps { start: params.start / NS_PER_MS, end: params.end / NS_PER_MS, step: (params.step / NS_PER_MS).max(1) }
    } else {
        Steps { start: params.end / NS_PER_MS, end: params.end / NS_PER_MS, step: 0 }
    };
    let mut aggregations = Vec::new();
    let promql = write(expr, &mut aggregations);
    let fields = grouping_labels(expr);
    let mut series = Vec::new();
    for (n, agg) in aggregations.iter().enumerate() {
        let name = format!("__logql_{n}");
        for s in range::evaluate(store, agg, steps, budget, &fields)? {
            let labels = Labels::from_pairs(
                std::iter::once(("__name__".to_string(), name.clone()))
                    .chain(s.labels.iter().map(|l| (l.name.clone(), l.value.clone()))),
            );
            series.push(Series { labels, samples: s.samples });
        }
    }
    let parsed = lookout_promql::parse(&promql)
        .map_err(|e| QueryError::Execution(format!("internal: cannot evaluate {promql:?}: {e}")))?;
    // Only the exact step's sample counts: a step whose window had no line has no value.
    let options = Options { lookback_ms: 1, ..Options::default() };
    let evaluated = Evaluated(series);
    let strip = |labels: Labels| {
        Labels::from_pairs(labels.iter().filter(|l| l.name != "__name__").map(|l| (l.name.clone(), l.value.clone())))
    };
    if params.step > 0 {
        let result = lookout_promql::eval_range(&evaluated, &parsed, steps.start, steps.end, steps.step, &options)
            .map_err(|e| QueryError::Execution(e.to_string()))?;
        Ok(Output::Matrix(result.into_iter().map(|s| Series { labels: strip(s.labels), samples: s.samples }).collect()))
    } else {
        match lookout_promql::eval_instant(&evaluated, &parsed, steps.end, &options)
            .map_err(|e| QueryError::Execution(e.to_string()))?
        {
            QueryValue::Vector(v) => Ok(Output::Vector(v.into_iter().map(|(l, v)| (strip(l), v)).collect())),
            QueryValue::Scalar(v) => Ok(Output::Vector(vec![(Labels::default(), v)])),
            other => Err(QueryError::Execution(format!("unexpected result {other:?}"))),
        }
    }
}

/// Label names the expression groups or matches by: fields of those names become labels of
/// the range aggregations' series, so `sum by (user_id)` works on JSON lines without `| json`.
fn grouping_labels(expr: &Expr) -> Vec<String> {
    let mut names = Vec::new();
    expr.walk(&mut |e| match e {
        Expr::VectorAggregation(a) => {
            if let Some(g) = a.grouping.as_ref().filter(|g| !g.without) {
                names.extend(g.labels.iter().cloned());
            }
        }
        Expr::Binary(b) => {
            if let Some(m) = &b.matching {
                if m.on {
                    names.extend(m.labels.iter().cloned());
                }
                names.extend(m.include.iter().cloned());
            }
        }
        Expr::LabelReplace(r) => names.push(r.src.clone()),
        _ => {}
    });
    names.sort();
    names.dedup();
    names
}

/// The PromQL text of `expr`, range aggregations replaced by their series' names.
fn write<'a>(expr: &'a Expr, aggregations: &mut Vec<&'a RangeAggregation>) -> String {
    match expr {
        Expr::RangeAggregation(agg) => {
            aggregations.push(agg);
            format!("__logql_{}", aggregations.len() - 1)
        }
        Expr::VectorAggregation(agg) => {
            let inner = write(&agg.expr, aggregations);
            let grouping = agg.grouping.as_ref().map_or(String::new(), |g| {
                format!(" {} ({})", if g.without { "without" } else { "by" }, g.labels.join(", "))
            });
            match agg.op {
                VectorOp::Sort | VectorOp::SortDesc => format!("{}({inner})", agg.op.name()),
                VectorOp::Topk | VectorOp::Bottomk => {
                    format!("{}{grouping} ({}, {inner})", agg.op.name(), agg.param.unwrap_or(1))
                }
                op => format!("{}{grouping} ({inner})", op.name()),
            }
        }
        Expr::Binary(b) => {
            let lhs = write(&b.lhs, aggregations);
            let rhs = write(&b.rhs, aggregations);
            let mut op = b.op.symbol().to_string();
            if b.return_bool {
                op.push_str(" bool");
            }
            if let Some(m) = &b.matching {
                op.push_str(&format!(" {}({})", if m.on { "on" } else { "ignoring" }, m.labels.join(", ")));
                match m.card {
                    Cardinality::ManyToOne => op.push_str(&format!(" group_left({})", m.include.join(", "))),
                    Cardinality::OneToMany => op.push_str(&format!(" group_right({})", m.include.join(", "))),
                    Cardinality::OneToOne => {}
                }
            }
            format!("({lhs}) {op} ({rhs})")
        }
        Expr::Number { value, .. } => number(*value),
        Expr::Vector { value, .. } => format!("vector({})", number(*value)),
        Expr::LabelReplace(r) => format!(
            "label_replace({}, {}, {}, {}, {})",
            write(&r.expr, aggregations),
            quote(&r.dst),
            quote(&r.replacement),
            quote(&r.src),
            quote(&r.regex)
        ),
        // The parser only puts log queries inside range aggregations.
        Expr::Log(_) => "vector(0)".into(),
    }
}

fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "Inf".into() } else { "-Inf".into() }
    } else {
        format!("{v:?}")
    }
}

/// A PromQL string literal: between backticks, raw, when it holds none (a regex reads best
/// so); else Go-quoted, which the PromQL lexer reads back.
fn quote(s: &str) -> String {
    if s.contains('`') { lookout_gotext::quote(s) } else { format!("`{s}`") }
}
