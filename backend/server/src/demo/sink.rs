//! Delivers the demo's output: each instance's registry is collected as a scrape would (with
//! `job` and `instance` added) and sent over HTTP to Lookout's remote_write endpoint; log records
//! go to the recent-log buffer in process until the log ingest endpoint exists.

use std::net::SocketAddr;

use lookout_tsdb::Labels;

use super::client;
use super::logs::LogRecord;
use super::sim::Instance;
use crate::ingest::remote_write;
use crate::logbuf::LogLine;
use crate::metrics::FamilyMetadata;
use crate::state::AppState;

const SOURCE: &str = "demo";

/// Sends every instance's metrics to `POST /api/v1/write`, as Prometheus's remote_write would.
pub async fn write_metrics(state: &AppState, address: SocketAddr, instances: &[Instance], t: i64) {
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
    match client::post(address, "/api/v1/write", &headers, &body).await {
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
    state.telemetry.ingested_log_lines.inc_by(&[SOURCE], records.len() as f64);
}
