//! How rules read data and write results: the [`RuleQuerier`] the server implements over its
//! stores (PromQL and LogQL), the [`RuleAppender`] that stores each rule's output before the next
//! rule runs, and [`PromQuerier`], the PromQL querier over any `Queryable` that tests use.

use lookout_promql::{Options, QueryValue, Queryable, eval_instant};
use lookout_tsdb::{Head, Labels, Matcher};

use crate::file::Source;

/// One sample of a result at the evaluation time.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub labels: Labels,
    pub value: f64,
}

/// Where rules read from.
pub trait RuleQuerier {
    /// Evaluates `expr` (PromQL, or a LogQL metric query for [`Source::Logs`]) at `ts_ms`. A
    /// scalar is one sample without labels; any other non-vector result is an error
    /// (Prometheus's `rule result is not a vector or scalar`).
    fn instant(&self, source: Source, expr: &str, ts_ms: i64) -> Result<Vec<Sample>, String>;

    /// The samples in `[mint_ms, maxt_ms]` of the metrics series with exactly `labels`: how
    /// alerts restore their `for` state from `ALERTS_FOR_STATE`.
    fn samples(&self, labels: &Labels, mint_ms: i64, maxt_ms: i64) -> Result<Vec<(i64, f64)>, String>;
}

/// Where rule results go. All samples of one call share the timestamp `ts_ms`; staleness
/// markers are among them. An error marks the rule unhealthy with that message.
pub trait RuleAppender {
    fn append(&mut self, ts_ms: i64, samples: &[Sample]) -> Result<(), String>;
}

/// Appends to the head directly (tests, tools); the server appends through its `Db`.
impl RuleAppender for &Head {
    fn append(&mut self, ts_ms: i64, samples: &[Sample]) -> Result<(), String> {
        let mut first_error = None;
        for sample in samples {
            if let Err(e) = Head::append(self, &sample.labels, ts_ms, sample.value) {
                first_error.get_or_insert(e.to_string());
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

/// A rule's PromQL result as samples: a scalar is one sample without labels; any other
/// non-vector result is Prometheus's `rule result is not a vector or scalar`.
pub fn samples_of(value: QueryValue) -> Result<Vec<Sample>, String> {
    match value {
        QueryValue::Vector(rows) => Ok(rows.into_iter().map(|(labels, value)| Sample { labels, value }).collect()),
        QueryValue::Scalar(value) => Ok(vec![Sample { labels: Labels::default(), value }]),
        QueryValue::String(_) | QueryValue::Matrix(_) => Err("rule result is not a vector or scalar".into()),
    }
}

/// PromQL rules over any [`Queryable`] (the TSDB, its head, test data).
pub struct PromQuerier<'a> {
    data: &'a dyn Queryable,
    options: Options,
}

impl<'a> PromQuerier<'a> {
    /// `options.default_subquery_step_ms` should be the group's interval, as Prometheus sets it.
    pub fn new(data: &'a dyn Queryable, options: Options) -> Self {
        PromQuerier { data, options }
    }
}

impl RuleQuerier for PromQuerier<'_> {
    fn instant(&self, source: Source, expr: &str, ts_ms: i64) -> Result<Vec<Sample>, String> {
        if source == Source::Logs {
            return Err("LogQL rules need a querier over the log store".into());
        }
        let parsed = lookout_promql::parse(expr).map_err(|e| e.to_string())?;
        samples_of(eval_instant(self.data, &parsed, ts_ms, &self.options).map_err(|e| e.to_string())?)
    }

    fn samples(&self, labels: &Labels, mint_ms: i64, maxt_ms: i64) -> Result<Vec<(i64, f64)>, String> {
        let matchers: Vec<Matcher> = labels.iter().map(|l| Matcher::equal(&l.name, &l.value)).collect();
        let series = self.data.select(&matchers, mint_ms, maxt_ms)?;
        Ok(series.into_iter().find(|s| &s.labels == labels).map(|s| s.samples).unwrap_or_default())
    }
}
