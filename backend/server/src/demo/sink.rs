//! Delivers the demo's output in process: each instance's registry is collected as a scrape would
//! (with `job` and `instance` added) and appended to the head; log records go to the log buffer.

use lookout_tsdb::Labels;

use super::logs::LogRecord;
use super::sim::Instance;
use crate::logbuf::LogLine;
use crate::metrics::FamilyMetadata;
use crate::state::AppState;

const SOURCE: &str = "demo";

pub fn write_metrics(state: &AppState, instances: &[Instance], t: i64) {
    let mut appended = 0u64;
    for instance in instances {
        for family in instance.registry.collect() {
            state.metrics.set_metadata(&family.name, FamilyMetadata {
                kind: family.kind.as_str().to_string(),
                help: family.help.clone(),
                unit: String::new(),
            });
            for sample in family.samples {
                let labels = Labels::from_pairs(
                    [
                        ("__name__".to_string(), sample.name),
                        ("job".into(), instance.job.to_string()),
                    ]
                    .into_iter()
                    .chain([("instance".to_string(), instance.instance.clone())])
                    .chain(sample.labels),
                );
                match state.metrics.head.append(&labels, t, sample.value) {
                    Ok(()) => appended += 1,
                    Err(err) => {
                        state.telemetry.rejected_samples.inc(&[SOURCE, "append"]);
                        tracing::warn!(%err, "demo sample rejected");
                    }
                }
            }
        }
    }
    state.telemetry.ingested_samples
        .inc_by(&[SOURCE], appended as f64);
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
    state.telemetry.ingested_log_lines
        .inc_by(&[SOURCE], records.len() as f64);
}
