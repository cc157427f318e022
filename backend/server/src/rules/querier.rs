//! What rules read and write in this server: PromQL over the metrics store, LogQL metric queries
//! over the log store, and each rule's output appended durably to the metrics store.

use std::sync::Arc;
use std::time::Duration;

use lookout_logs::LogStore;
use lookout_logs::query::{Output, Params};
use lookout_rules::{PromQuerier, RuleAppender, RuleQuerier, Sample, Source};
use lookout_tsdb::{Db, Labels, is_stale_nan};

/// A rule query may take at most this long (Prometheus bounds it by the query timeout too).
const RULE_QUERY_TIMEOUT: Duration = Duration::from_secs(60);
const NS_PER_MS: i64 = 1_000_000;

pub struct StoreQuerier {
    pub db: Arc<Db>,
    pub logs: Arc<LogStore>,
    /// `default_subquery_step_ms` is the group's interval, as Prometheus sets it.
    pub options: lookout_promql::Options,
}

impl RuleQuerier for StoreQuerier {
    fn instant(&self, source: Source, expr: &str, ts_ms: i64) -> Result<Vec<Sample>, String> {
        match source {
            Source::Metrics => PromQuerier::new(self.db.as_ref(), self.options.clone()).instant(source, expr, ts_ms),
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
        PromQuerier::new(self.db.as_ref(), self.options.clone()).samples(labels, mint_ms, maxt_ms)
    }
}

/// Appends a rule's samples through the metrics store's write-ahead log, as any write is.
pub struct DbAppender<'a>(pub &'a Db);

impl RuleAppender for DbAppender<'_> {
    fn append(&mut self, ts_ms: i64, samples: &[Sample]) -> Result<(), String> {
        let batch: Vec<(Labels, i64, f64)> = samples.iter().map(|s| (s.labels.clone(), ts_ms, s.value)).collect();
        let result = self.0.append(&batch).map_err(|e| format!("storing the rule's samples failed: {e}"))?;
        // As in Prometheus, a staleness marker that lands on an existing sample is no error.
        let refused: Vec<String> =
            result.refused.iter().filter(|(i, _)| !is_stale_nan(batch[*i].2)).map(|(_, e)| e.to_string()).collect();
        match refused.first() {
            None => Ok(()),
            Some(first) => Err(format!("{} of {} samples refused, the first: {first}", refused.len(), batch.len())),
        }
    }
}
