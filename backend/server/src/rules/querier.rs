//! What rules read and write in this server: PromQL over the metrics store (or over the metrics
//! backend's HTTP API, when there is one), LogQL metric queries over the log store, and each
//! rule's output appended durably to the metrics store (and forwarded to the backend).

use std::sync::Arc;
use std::time::Duration;

use lookout_logs::LogStore;
use lookout_logs::query::{Output, Params};
use lookout_promql::QueryValue;
use lookout_rules::{PromQuerier, RuleAppender, RuleQuerier, Sample, Source, samples_of};
use lookout_tsdb::{Batch, Labels, is_stale_nan};

use crate::metrics::Metrics;

/// A rule query may take at most this long (Prometheus bounds it by the query timeout too).
const RULE_QUERY_TIMEOUT: Duration = Duration::from_secs(60);
const NS_PER_MS: i64 = 1_000_000;

pub struct StoreQuerier {
    pub metrics: Metrics,
    /// Rules evaluate on a blocking thread; a backend's HTTP API is asked through this.
    pub runtime: tokio::runtime::Handle,
    pub logs: Arc<LogStore>,
    /// `default_subquery_step_ms` is the group's interval, as Prometheus sets it.
    pub options: lookout_promql::Options,
}

impl RuleQuerier for StoreQuerier {
    fn instant(&self, source: Source, expr: &str, ts_ms: i64) -> Result<Vec<Sample>, String> {
        match source {
            Source::Metrics => match &self.metrics.remote {
                Some(remote) => {
                    let value = self.runtime.block_on(remote.query_instant(expr, ts_ms, Some(RULE_QUERY_TIMEOUT)));
                    samples_of(value.map_err(|e| e.to_string())?)
                }
                None => PromQuerier::new(self.metrics.db().as_ref(), self.options.clone()).instant(source, expr, ts_ms),
            },
            Source::Logs => {
                let ts = ts_ms.saturating_mul(NS_PER_MS);
                let params = Params {
                    start: ts,
                    end: ts,
                    step: 0,
                    limit: 1,
                    direction: lookout_logs::Order::Backward,
                    timeout: RULE_QUERY_TIMEOUT,
                };
                match lookout_logs::query::evaluate(&self.logs, expr, &params).map_err(|e| e.to_string())?.0 {
                    Output::Vector(rows) => {
                        Ok(rows.into_iter().map(|(labels, value)| Sample { labels, value }).collect())
                    }
                    Output::Matrix(_) | Output::Streams(_) => Err("rule result is not a vector or scalar".into()),
                }
            }
        }
    }

    fn samples(&self, labels: &Labels, mint_ms: i64, maxt_ms: i64) -> Result<Vec<(i64, f64)>, String> {
        let Some(remote) = &self.metrics.remote else {
            return PromQuerier::new(self.metrics.db().as_ref(), self.options.clone())
                .samples(labels, mint_ms, maxt_ms);
        };
        // It also matches series with more labels, so only the one with exactly these is kept,
        // as the local querier does.
        let selector = range_selector(labels, (maxt_ms - mint_ms).max(1));
        match self.runtime.block_on(remote.query_instant(&selector, maxt_ms, Some(RULE_QUERY_TIMEOUT))) {
            Ok(QueryValue::Matrix(series)) => {
                Ok(series.into_iter().find(|s| &s.labels == labels).map(|s| s.samples).unwrap_or_default())
            }
            Ok(_) => Ok(Vec::new()),
            Err(err) => Err(err.to_string()),
        }
    }
}

/// A range selector of exactly these labels over `range_ms`, in PromQL the engine reads back
/// whatever the values hold.
fn range_selector(labels: &Labels, range_ms: i64) -> String {
    let matchers: Vec<String> =
        labels.iter().map(|l| format!("{}={}", l.name, lookout_gotext::quote(&l.value))).collect();
    format!("{{{}}}[{range_ms}ms]", matchers.join(","))
}

/// Appends a rule's samples as any write is: queued for the metrics backend when there is one,
/// then through the metrics store's write-ahead log.
pub struct StoreAppender<'a>(pub &'a Metrics);

impl RuleAppender for StoreAppender<'_> {
    fn append(&mut self, ts_ms: i64, samples: &[Sample]) -> Result<(), String> {
        let batch: Vec<(Labels, i64, f64)> = samples.iter().map(|s| (s.labels.clone(), ts_ms, s.value)).collect();
        if let Some(remote) = &self.0.remote {
            remote
                .forward(&Batch::from_samples(&batch))
                .map_err(|e| format!("queueing the rule's samples failed: {e}"))?;
        }
        let result = self.0.db().append(&batch).map_err(|e| format!("storing the rule's samples failed: {e}"))?;
        // As in Prometheus, a staleness marker that lands on an existing sample is no error.
        let refused: Vec<String> =
            result.refused.iter().filter(|(i, _)| !is_stale_nan(batch[*i].2)).map(|(_, e)| e.to_string()).collect();
        match refused.first() {
            None => Ok(()),
            Some(first) => Err(format!("{} of {} samples refused, the first: {first}", refused.len(), batch.len())),
        }
    }
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
