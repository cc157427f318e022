//! Delivers the demo's output over HTTP through Lookout's public ingest paths, as real services
//! would: each instance's registry is collected as a scrape would (with `job` and `instance`
//! added) and sent to the remote_write endpoint; log records are sent as NDJSON to
//! `/api/v1/logs`.

use lookout_tsdb::Labels;

use super::client;
use super::logs::LogRecord;
use super::sim::Instance;
use crate::ingest::remote_write;
use crate::metrics::FamilyMetadata;
use crate::state::AppState;

const SOURCE: &str = "demo";

/// Sends every instance's metrics to `POST /api/v1/write`, as Prometheus's remote_write would.
pub async fn write_metrics(state: &AppState, target: &client::Target, instances: &[Instance], t: i64) {
    let mut series = Vec::new();
    let mut metadata = Vec::new();
    for instance in instances {
        for family in instance.registry.collect() {
            metadata.push((
                family.name.clone(),
                FamilyMetadata {
                    kind: family.kind.as_str().to_string(),
                    help: family.help.clone(),
                    unit: String::new(),
                },
            ));
            for sample in family.samples {
                let target = [
                    ("job".to_string(), instance.job.to_string()),
                    ("instance".to_string(), instance.instance.clone()),
                ];
                let labels = Labels::from_pairs(
                    std::iter::once(("__name__".to_string(), sample.name)).chain(sample.labels).chain(target),
                );
                series.push((labels, vec![(t, sample.value)]));
            }
        }
    }
    metadata.dedup_by(|a, b| a.0 == b.0);
    let body = remote_write::encode(&series, &metadata);
    let headers = [
        ("Content-Type", "application/x-protobuf"),
        ("Content-Encoding", "snappy"),
        ("X-Prometheus-Remote-Write-Version", "0.1.0"),
    ];
    match client::post(target, "/api/v1/write", &headers, &body).await {
        Ok((204, _)) => {}
        Ok((status, body)) => {
            tracing::warn!(status, body = %body.trim(), "demo remote_write refused")
        }
        Err(err) => {
            state.telemetry.rejected_samples.inc(&[SOURCE, "unreachable"]);
            tracing::warn!(%err, "demo could not reach the remote_write endpoint");
        }
    }
}

/// Sends log records to `POST /api/v1/logs`, one JSON object per line.
pub async fn write_logs(state: &AppState, target: &client::Target, records: &[LogRecord]) {
    if records.is_empty() {
        return;
    }
    let mut body = String::new();
    for record in records {
        body.push_str(&serde_json::Value::Object(record.fields.clone()).to_string());
        body.push('\n');
    }
    match client::post(target, "/api/v1/logs", &[("Content-Type", "application/x-ndjson")], body.as_bytes()).await {
        Ok((200, _)) => {}
        Ok((status, body)) => tracing::warn!(status, body = %body.trim(), "demo log lines refused"),
        Err(err) => {
            state.telemetry.rejected_log_lines.inc_by(&[SOURCE], records.len() as f64);
            tracing::warn!(%err, "demo could not reach the log ingest endpoint");
        }
    }
}
