//! What rules read and write in this server: PromQL over the metrics store (or over the metrics
//! backend's HTTP API, when there is one), LogQL metric queries over the log store, and each
//! rule's output appended durably to the metrics store (and forwarded to the backend).

use std::sync::Arc;
use std::time::Duration;

use lookout_logs::LogStore;
use lookout_logs::query::{Output, Params};
use lookout_rules::{RuleAppender, RuleQuerier, Sample, Source, samples_of};
use lookout_tsdb::{Batch, Labels, is_stale_nan};

use crate::metrics::Metrics;
use crate::timefmt::NS_PER_MS;

/// A rule query may take at most this long (Prometheus bounds it by the query timeout too).
const RULE_QUERY_TIMEOUT: Duration = Duration::from_secs(60);

pub struct StoreQuerier {
    pub metrics: Metrics,
    /// Rules evaluate on a blocking thread; a backend's HTTP API is asked through this.
    pub runtime: tokio::runtime::Handle,
    pub logs: Arc<LogStore>,
    /// The group's interval: a subquery's default step, as Prometheus sets it.
    pub interval_ms: i64,
}

impl RuleQuerier for StoreQuerier {
    fn instant(&self, source: Source, expr: &str, ts_ms: i64) -> Result<Vec<Sample>, String> {
        match source {
            Source::Metrics => {
                let reader = self.metrics.reader();
                let query = reader.query_instant_stepped(expr, ts_ms, Some(RULE_QUERY_TIMEOUT), Some(self.interval_ms));
                let value = self.runtime.block_on(query);
                samples_of(value.map_err(|e| e.to_string())?)
            }
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
        let reader = self.metrics.reader();
        let samples = reader.samples(labels, mint_ms, maxt_ms, Some(RULE_QUERY_TIMEOUT));
        self.runtime.block_on(samples).map_err(|e| e.to_string())
    }
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
