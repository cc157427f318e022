//! Delivers the demo's output in process: each instance's registry is collected as a scrape would
//! (with `job` and `instance` added) and stored durably; log records go to the log buffer.

use lookout_tsdb::Labels;

use super::logs::LogRecord;
use super::sim::Instance;
use crate::logbuf::LogLine;
use crate::metrics::FamilyMetadata;
use crate::state::AppState;

const SOURCE: &str = "demo";

pub async fn write_metrics(state: &AppState, instances: &[Instance], t: i64) {
    let mut batch = Vec::new();
    for instance in instances {
        for family in instance.registry.collect() {
            state.metrics.set_metadata(
                &family.name,
                FamilyMetadata {
                    kind: family.kind.as_str().to_string(),
                    help: family.help.clone(),
                    unit: String::new(),
                },
            );
            for sample in family.samples {
                let target = [
                    ("job".to_string(), instance.job.to_string()),
                    ("instance".to_string(), instance.instance.clone()),
                ];
                let labels = Labels::from_pairs(
                    std::iter::once(("__name__".to_string(), sample.name))
                        .chain(sample.labels)
                        .chain(target),
                );
                batch.push((labels, t, sample.value));
            }
        }
    }
    match state.metrics.append(batch).await {
        Ok(result) => {
            state
                .telemetry
                .ingested_samples
                .inc_by(&[SOURCE], result.accepted as f64);
            for (_, err) in &result.refused {
                state.telemetry.rejected_samples.inc(&[SOURCE, "refused"]);
                tracing::warn!(%err, "demo sample refused");
            }
        }
        Err(err) => tracing::error!(%err, "demo samples could not be stored"),
    }
}

pub fn write_logs(state: &AppState, records: &[LogRecord]) {
    for record in records {
        state.logs.push(LogLine {
            t: record.t,
            service: record.service.to_string(),
            level: record.level().to_string(),
            message: record.str_field("message").unwrap_or_default().to_string(),
            request_id: record.str_field("request_id").map(str::to_string),
        });
    }
    state
        .telemetry
        .ingested_log_lines
        .inc_by(&[SOURCE], records.len() as f64);
}
