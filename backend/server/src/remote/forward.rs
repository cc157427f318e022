//! What both engines share: the HTTP client with the engine's headers, one durable queue per
//! shard, a sender per shard, the health the self-alert watches.

use std::io;
use std::path::Path;
use std::sync::Arc;

use super::config::EngineSettings;
use super::queue::ShardQueue;
use super::send::{Health, Sender};

/// Cheap to clone.
#[derive(Clone)]
pub struct Forwarder {
    pub settings: Arc<EngineSettings>,
    pub client: reqwest::Client,
    shards: Vec<Arc<ShardQueue>>,
    pub health: Arc<Health>,
}

impl Forwarder {
    /// Opens one queue per shard under `dir` (what was not sent before a restart is pending).
    pub fn open(dir: &Path, settings: EngineSettings) -> anyhow::Result<Forwarder> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder().build()?;
        let shards = (0..settings.shards)
            .map(|n| ShardQueue::open(&dir.join(format!("shard-{n}"))).map(Arc::new))
            .collect::<io::Result<Vec<_>>>()?;
        Ok(Forwarder { settings: Arc::new(settings), client, shards, health: Arc::default() })
    }

    /// Starts a sender per shard, and the watch that alerts when the engine cannot be written.
    pub fn start(
        &self,
        telemetry: Arc<crate::telemetry::SelfMetrics>,
        alerting: Option<crate::alerting::Alerting>,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        for (shard, queue) in self.shards.iter().enumerate() {
            let sender = Sender {
                shard,
                queue: queue.clone(),
                client: self.client.clone(),
                settings: self.settings.clone(),
                health: self.health.clone(),
                telemetry: telemetry.clone(),
            };
            tokio::spawn(sender.run(shutdown.clone()));
        }
        if let Some(alerting) = alerting {
            tokio::spawn(super::watch::run(self.clone(), alerting, shutdown));
        }
    }

    pub fn shards(&self) -> usize {
        self.shards.len()
    }

    /// Queues one request body per shard (uncompressed protobuf, with how many items each holds)
    /// and returns once all are on disk. Blocking: call it off the async workers.
    pub fn push(&self, bodies: Vec<(Vec<u8>, u32)>) -> io::Result<()> {
        let cap = self.settings.max_pending_bytes / self.shards.len();
        for (shard, (body, count)) in bodies.into_iter().enumerate() {
            if count > 0 {
                self.shards[shard].push(body, count, cap)?;
            }
        }
        Ok(())
    }

    /// Items (samples or lines) waiting for the engine, over all shards.
    pub fn backlog(&self) -> u64 {
        self.shards.iter().map(|s| s.backlog().0).sum()
    }

    /// A GET of the engine's API with its headers.
    pub fn get(&self, url: reqwest::Url) -> reqwest::RequestBuilder {
        let mut request = self.client.get(url).timeout(self.settings.timeout);
        for (name, value) in &self.settings.headers {
            request = request.header(name, value);
        }
        request
    }
}

/// What went wrong with a request, with its causes (reqwest's own text is only the first link)
/// and without its URL, which the messages name themselves.
pub fn describe(err: reqwest::Error) -> String {
    let err = err.without_url();
    let mut text = err.to_string();
    let mut cause = std::error::Error::source(&err);
    while let Some(next) = cause {
        text.push_str(": ");
        text.push_str(&next.to_string());
        cause = next.source();
    }
    text
}

/// The shard a series or stream goes to, by its canonical label bytes: always the same one, so
/// its samples or lines reach the engine in order.
pub fn shard_of(key: &[u8], shards: usize) -> usize {
    (lookout_tsdb::xxh64(key) % shards as u64) as usize
}
