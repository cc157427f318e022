//! The metrics pillar's one reader: this node's store, or a Prometheus-compatible engine (the
//! configured backend, or a named data source), asked the same questions. Which one answers is
//! decided here and in [`crate::sources`] only; handlers, the live socket and the rules hold a
//! [`Reader`] and never ask.

use std::collections::BTreeMap;
use std::time::Duration;

use lookout_promql::{QueryValue, eval_instant, eval_range};
use lookout_tsdb::{Labels, Matcher, Series};
use lookout_types::prometheus::{Metric, MetricMetadata};

use super::query::{MAX_POINTS_PER_SERIES, parse_query, run_blocking};
use super::{Metrics, QueryError};
use crate::remote::Prometheus;

#[derive(Clone, Copy)]
pub enum Reader<'a> {
    /// Lookout's own store, under its query limits.
    Store(&'a Metrics),
    /// An engine's HTTP API, asked with the request's own parameters where there are some.
    Engine(&'a Prometheus),
}

/// A series or label look-up: the selectors and range the store reads, and the request's own
/// parameters, which an engine is handed as they came (with any it knows and Lookout does not).
pub struct Lookup<'a> {
    pub selectors: &'a [Vec<Matcher>],
    pub start: i64,
    pub end: i64,
    pub params: &'a [(String, String)],
}

impl Reader<'_> {
    /// Evaluates `query` at `time` (ms).
    pub async fn query_instant(
        &self,
        query: &str,
        time: i64,
        timeout: Option<Duration>,
    ) -> Result<QueryValue, QueryError> {
        self.query_instant_stepped(query, time, timeout, None).await
    }

    /// [`Reader::query_instant`] with the step a subquery written without one takes: a rule
    /// group's interval, as Prometheus sets it.
    pub async fn query_instant_stepped(
        &self,
        query: &str,
        time: i64,
        timeout: Option<Duration>,
        subquery_step_ms: Option<i64>,
    ) -> Result<QueryValue, QueryError> {
        match *self {
            Reader::Engine(engine) => engine.query_instant(query, time, timeout).await,
            Reader::Store(metrics) => {
                let expr = parse_query(query)?;
                let mut opts = metrics.options(timeout);
                opts.default_subquery_step_ms = subquery_step_ms.unwrap_or(opts.default_subquery_step_ms);
                let db = metrics.db().clone();
                run_blocking(move || eval_instant(db.as_ref(), &expr, time, &opts)).await
            }
        }
    }

    /// Evaluates `query` from `start` to `end` every `step` (all ms), within Prometheus's points
    /// limit whichever answers.
    pub async fn query_range(
        &self,
        query: &str,
        start: i64,
        end: i64,
        step: i64,
        timeout: Option<Duration>,
    ) -> Result<Vec<Series>, QueryError> {
        if end < start {
            return Err(QueryError::BadData(
                "invalid parameter \"end\": end timestamp must not be before start time".into(),
            ));
        }
        if step <= 0 {
            return Err(QueryError::BadData(
                "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer".into(),
            ));
        }
        if end.checked_sub(start).is_none_or(|span| span / step > MAX_POINTS_PER_SERIES) {
            return Err(QueryError::BadData(
                "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)".into(),
            ));
        }
        match *self {
            Reader::Engine(engine) => engine.query_range(query, start, end, step, timeout).await,
            Reader::Store(metrics) => {
                let expr = parse_query(query)?;
                let (db, opts) = (metrics.db().clone(), metrics.options(timeout));
                run_blocking(move || eval_range(db.as_ref(), &expr, start, end, step, &opts)).await
            }
        }
    }

    /// `GET /api/v1/series`: the series matching any of the selectors.
    pub async fn series(&self, lookup: &Lookup<'_>) -> Result<Vec<Metric>, QueryError> {
        match *self {
            Reader::Engine(engine) => engine.get("/api/v1/series", lookup.params).await,
            Reader::Store(metrics) => {
                Ok(metrics.series(lookup.selectors, lookup.start, lookup.end).iter().map(metric).collect())
            }
        }
    }

    /// `GET /api/v1/labels`.
    pub async fn label_names(&self, lookup: &Lookup<'_>) -> Result<Vec<String>, QueryError> {
        match *self {
            Reader::Engine(engine) => engine.get("/api/v1/labels", lookup.params).await,
            Reader::Store(metrics) => Ok(metrics.label_names(lookup.selectors, lookup.start, lookup.end)),
        }
    }

    /// `GET /api/v1/label/{name}/values`.
    pub async fn label_values(&self, name: &str, lookup: &Lookup<'_>) -> Result<Vec<String>, QueryError> {
        // A label name needs no escaping in a path; anything else is refused before it is sent.
        if !lookout_tsdb::is_valid_label_name(name) {
            return Err(QueryError::BadData(format!("invalid label name: {}", lookout_gotext::quote(name))));
        }
        match *self {
            Reader::Engine(engine) => engine.get(&format!("/api/v1/label/{name}/values"), lookup.params).await,
            Reader::Store(metrics) => Ok(metrics.label_values(name, lookup.selectors, lookup.start, lookup.end)),
        }
    }

    /// `GET /api/v1/metadata`: of one metric or all, at most `limit` metrics.
    pub async fn metadata(
        &self,
        metric: Option<&str>,
        limit: Option<usize>,
        params: &[(String, String)],
    ) -> Result<BTreeMap<String, Vec<MetricMetadata>>, QueryError> {
        match *self {
            Reader::Engine(engine) => engine.get("/api/v1/metadata", params).await,
            Reader::Store(metrics) => Ok(metrics
                .metadata(metric, limit)
                .into_iter()
                .map(|(name, m)| (name, vec![MetricMetadata { kind: m.kind, help: m.help, unit: m.unit }]))
                .collect()),
        }
    }

    /// The samples of exactly the series `labels` in `[mint, maxt]` (ms): a rule's `for` state.
    pub async fn samples(
        &self,
        labels: &Labels,
        mint: i64,
        maxt: i64,
        timeout: Option<Duration>,
    ) -> Result<Vec<(i64, f64)>, QueryError> {
        let found: Vec<Series> = match *self {
            Reader::Store(metrics) => {
                let matchers: Vec<Matcher> = labels.iter().map(|l| Matcher::equal(&l.name, &l.value)).collect();
                metrics.db().select(&matchers, mint, maxt).map_err(|e| QueryError::Execution(e.to_string()))?
            }
            Reader::Engine(engine) => {
                match engine.query_instant(&range_selector(labels, (maxt - mint).max(1)), maxt, timeout).await? {
                    QueryValue::Matrix(series) => series,
                    _ => Vec::new(),
                }
            }
        };
        // A selector also matches series with more labels: only the one with exactly these.
        Ok(found.into_iter().find(|s| &s.labels == labels).map(|s| s.samples).unwrap_or_default())
    }
}

/// A series as the API writes it: its labels, the name among them.
pub fn metric(labels: &Labels) -> Metric {
    labels.iter().map(|l| (l.name.clone(), l.value.clone())).collect()
}

/// A range selector of exactly these labels over `range_ms`, in PromQL the engine reads back
/// whatever the values hold.
fn range_selector(labels: &Labels, range_ms: i64) -> String {
    let matchers: Vec<String> =
        labels.iter().map(|l| format!("{}={}", l.name, lookout_gotext::quote(&l.value))).collect();
    format!("{{{}}}[{range_ms}ms]", matchers.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rule's `for` state is restored from an engine by this selector; written with Rust's
    /// `{:?}` it once held `\u{1}`, which PromQL refuses, for a label value with a control
    /// character.
    #[test]
    fn range_selectors_parse_back_to_the_same_labels() {
        let labels = Labels::from_pairs([
            ("__name__", "ALERTS_FOR_STATE"),
            ("alertname", "a\u{1}b"),
            ("path", "C:\\tmp\n\"x\""),
            ("emoji", "😀\u{a0}"),
        ]);
        let selector = range_selector(&labels, 60_000);
        let Ok(lookout_promql::ast::Expr::MatrixSelector { selector: parsed, .. }) = lookout_promql::parse(&selector)
        else {
            panic!("{selector} does not parse as a range selector")
        };
        let read: Vec<(String, String)> = parsed.matchers.into_iter().map(|m| (m.name, m.value)).collect();
        let wanted: Vec<(String, String)> = labels.iter().map(|l| (l.name.clone(), l.value.clone())).collect();
        assert_eq!(read, wanted, "{selector}");
    }
}
