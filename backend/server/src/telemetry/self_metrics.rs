//! The metrics Lookout exposes about itself: HTTP traffic, ingest counters, storage size.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::registry::{Counter, Gauge, Histogram, Registry};

/// Handles to every self-metric, registered once at start-up.
pub struct SelfMetrics {
    pub registry: Registry,
    pub http_requests: Counter,
    pub http_duration: Histogram,
    pub ingested_samples: Counter,
    pub ingested_log_lines: Counter,
    pub rejected_log_lines: Counter,
    /// Lines live tails missed because their reader was too slow.
    pub tail_dropped_lines: Counter,
    pub rejected_samples: Counter,
    pub head_series: Gauge,
    pub log_store_bytes: Gauge,
    pub log_store_lines: Gauge,
    pub log_store_blocks: Gauge,
    /// Forwarding to the backends (`storage.metrics.prometheus`, `storage.logs.loki`), by
    /// `backend` (`metrics` or `logs`); items are samples or log lines.
    pub backend_sent: Counter,
    pub backend_failed: Counter,
    pub backend_retries: Counter,
    pub backend_pending: Gauge,
    pub backend_last_success: Gauge,
    process_resident: Gauge,
    process_virtual: Gauge,
    process_cpu: Counter,
    process_open_fds: Gauge,
    process_max_fds: Gauge,
}

impl SelfMetrics {
    pub fn new(version: &str, started_at_seconds: f64) -> Self {
        let registry = Registry::new();
        registry
            .gauge("lookout_build_info", "Build information; the value is always 1.", &["version"])
            .set(&[version], 1.0);
        registry
            .gauge("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.", &[])
            .set(&[], started_at_seconds);
        SelfMetrics {
            http_requests: registry.counter(
                "lookout_http_requests_total",
                "HTTP requests served, by route template, method and status code.",
                &["route", "method", "code"],
            ),
            http_duration: registry.histogram(
                "lookout_http_request_duration_seconds",
                "Time to produce the response head, by route template.",
                &["route"],
                &[0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0],
            ),
            ingested_samples: registry.counter(
                "lookout_ingested_samples_total",
                "Samples appended to the time-series store, by source.",
                &["source"],
            ),
            rejected_samples: registry.counter(
                "lookout_rejected_samples_total",
                "Samples refused by the time-series store, by source and reason.",
                &["source", "reason"],
            ),
            ingested_log_lines: registry.counter(
                "lookout_ingested_log_lines_total",
                "Log lines accepted, by source.",
                &["source"],
            ),
            rejected_log_lines: registry.counter(
                "lookout_rejected_log_lines_total",
                "Log lines refused (malformed, over a limit), by source.",
                &["source"],
            ),
            tail_dropped_lines: registry.counter(
                "lookout_tail_dropped_lines_total",
                "Log lines a live tail did not deliver because its client read too slowly.",
                &[],
            ),
            head_series: registry.gauge("lookout_tsdb_head_series", "Series held in the in-memory head.", &[]),
            log_store_bytes: registry.gauge(
                "lookout_log_store_bytes",
                "Bytes of log text: on disk in blocks (compressed, with indexes), in the head (raw).",
                &["part"],
            ),
            log_store_lines: registry.gauge("lookout_log_store_lines", "Log lines held, by part.", &["part"]),
            log_store_blocks: registry.gauge("lookout_log_store_blocks", "Log blocks on disk.", &[]),
            backend_sent: registry.counter(
                "lookout_backend_sent_total",
                "Samples (metrics) or log lines (logs) the backend accepted.",
                &["backend"],
            ),
            backend_failed: registry.counter(
                "lookout_backend_failed_total",
                "Samples or log lines the backend refused for good (a 4xx other than 429).",
                &["backend"],
            ),
            backend_retries: registry.counter(
                "lookout_backend_retries_total",
                "Sends to the backend that failed and were retried.",
                &["backend"],
            ),
            backend_pending: registry.gauge(
                "lookout_backend_pending",
                "Samples or log lines queued on disk for the backend, by shard.",
                &["backend", "shard"],
            ),
            backend_last_success: registry.gauge(
                "lookout_backend_last_success_timestamp_seconds",
                "When the backend last accepted a send.",
                &["backend"],
            ),
            process_resident: registry.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", &[]),
            process_virtual: registry.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", &[]),
            process_cpu: registry.counter(
                "process_cpu_seconds_total",
                "Total user and system CPU time spent in seconds.",
                &[],
            ),
            process_open_fds: registry.gauge("process_open_fds", "Number of open file descriptors.", &[]),
            process_max_fds: registry.gauge("process_max_fds", "Maximum number of open file descriptors.", &[]),
            registry,
        }
    }
}

impl SelfMetrics {
    /// Reads the process's memory, CPU time and descriptors into their metrics.
    pub fn refresh_process(&self) {
        if let Some(p) = super::process::read() {
            self.process_resident.set(&[], p.resident_bytes);
            self.process_virtual.set(&[], p.virtual_bytes);
            self.process_cpu.follow(&[], p.cpu_seconds);
            self.process_open_fds.set(&[], p.open_fds);
            self.process_max_fds.set(&[], p.max_fds);
        }
    }
}

/// Middleware that counts every request and times it by its route template (never the raw path,
/// which would give one series per URL).
pub async fn track_requests(State(metrics): State<Arc<SelfMetrics>>, request: Request, next: Next) -> Response {
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "other".to_string(), |p| p.as_str().to_string());
    let method = request.method().as_str().to_string();
    let start = Instant::now();
    let response = next.run(request).await;
    metrics.http_duration.observe(&[&route], start.elapsed().as_secs_f64());
    metrics.http_requests.inc(&[&route, &method, response.status().as_str()]);
    response
}
