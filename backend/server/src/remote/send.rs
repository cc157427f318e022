//! One sender per shard: takes the oldest queued requests (up to `max_per_send` items), sends
//! them as one snappy-compressed request (remote_write, or Loki's protobuf push), and on failure
//! retries with Prometheus's backoff (30 ms doubling to 5 s) for as long as it takes. A 4xx other
//! than 429 is a refusal that retrying cannot change: those items are dropped and counted, as
//! Prometheus does.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use tokio::sync::watch;

use super::config::Kind;
use super::engine::Engine;
use super::queue::ShardQueue;
use crate::telemetry::SelfMetrics;
use crate::timefmt::now_ms;

const MIN_BACKOFF: Duration = Duration::from_millis(30);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// How the backend is doing, for the self-alert and the error messages.
#[derive(Debug, Default)]
pub struct Health {
    /// When sends started failing; 0 while they succeed.
    failing_since_ms: AtomicI64,
    last_error: std::sync::Mutex<String>,
}

impl Health {
    fn succeeded(&self) {
        self.failing_since_ms.store(0, Ordering::Relaxed);
    }

    fn failed(&self, error: &str) {
        let _ = self.failing_since_ms.compare_exchange(0, now_ms(), Ordering::Relaxed, Ordering::Relaxed);
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = error.to_string();
    }

    /// Since when sends fail, and the last error; `None` while they succeed.
    pub fn failing(&self) -> Option<(i64, String)> {
        let since = self.failing_since_ms.load(Ordering::Relaxed);
        (since != 0).then(|| (since, self.last_error.lock().unwrap_or_else(|e| e.into_inner()).clone()))
    }
}

enum Failure {
    Retry(String),
    Refused(String),
}

pub struct Sender {
    pub shard: usize,
    pub queue: Arc<ShardQueue>,
    pub engine: Engine,
    pub telemetry: Arc<SelfMetrics>,
}

impl Sender {
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let (backend, shard) = (self.engine.settings.kind.name(), self.shard.to_string());
        loop {
            let records = self.queue.peek(self.engine.settings.max_per_send);
            self.telemetry.backend_pending.set(&[backend, &shard], self.queue.backlog().0 as f64);
            let Some(last) = records.last().map(|r| r.seq) else {
                tokio::select! {
                    _ = self.queue.wake.notified() => continue,
                    _ = shutdown.changed() => return,
                }
            };
            let items: u64 = records.iter().map(|r| u64::from(r.count)).sum();
            let body: Vec<u8> = records.iter().flat_map(|r| r.body.iter().copied()).collect();
            let compressed = snap::raw::Encoder::new().compress_vec(&body).unwrap_or_default();
            let mut backoff = MIN_BACKOFF;
            loop {
                match self.send(compressed.clone()).await {
                    Ok(()) => {
                        self.engine.health.succeeded();
                        self.telemetry.backend_sent.inc_by(&[backend], items as f64);
                        self.telemetry.backend_last_success.set(&[backend], now_ms() as f64 / 1000.0);
                        break;
                    }
                    Err(Failure::Refused(error)) => {
                        tracing::warn!(%error, backend, items, "the backend refused a request for good; dropped");
                        self.telemetry.backend_failed.inc_by(&[backend], items as f64);
                        break;
                    }
                    Err(Failure::Retry(error)) => {
                        if self.engine.health.failing().is_none() {
                            tracing::warn!(%error, backend, "cannot write to the backend; retrying, nothing is lost meanwhile");
                        }
                        self.engine.health.failed(&error);
                        self.telemetry.backend_retries.inc(&[backend]);
                        tokio::select! {
                            _ = tokio::time::sleep(backoff) => {}
                            _ = shutdown.changed() => return,
                        }
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                    }
                }
            }
            let queue = self.queue.clone();
            match tokio::task::spawn_blocking(move || queue.ack(last)).await {
                Ok(Ok(())) => {}
                Ok(Err(err)) => tracing::error!(%err, backend, "cannot record what was sent to the backend"),
                Err(err) => tracing::error!(%err, "the forwarding queue's task failed"),
            }
        }
    }

    async fn send(&self, body: Vec<u8>) -> Result<(), Failure> {
        let settings = &self.engine.settings;
        let mut request = self
            .engine
            .request(reqwest::Method::POST, &settings.write_url)
            .header("Content-Type", "application/x-protobuf")
            .header("User-Agent", concat!("Lookout/", env!("CARGO_PKG_VERSION")));
        // Loki's push takes the snappy body without saying so, as Promtail sends it.
        if settings.kind == Kind::Metrics {
            request = request.header("Content-Encoding", "snappy").header("X-Prometheus-Remote-Write-Version", "0.1.0");
        }
        let response = request.body(body).send().await.map_err(|e| Failure::Retry(super::engine::describe(e)))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let text: String = response.text().await.unwrap_or_default().chars().take(512).collect();
        let message = format!("{} answered {status}: {}", settings.write_url, text.trim());
        if status.is_server_error() || status.as_u16() == 429 {
            Err(Failure::Retry(message))
        } else {
            Err(Failure::Refused(message))
        }
    }
}
