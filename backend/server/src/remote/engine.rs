//! An engine as Lookout talks to it: the HTTP client with its headers, and, when it is one of
//! Lookout's stores, one durable queue per shard, a sender per shard and the health the
//! self-alert watches. A data source is an engine without queues: it is only read.

use std::io;
use std::path::Path;
use std::sync::Arc;

use super::config::EngineSettings;
use super::queue::ShardQueue;
use super::send::{Health, Sender};

/// An engine's answer, to pass on: status, content type, body.
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    pub settings: Arc<EngineSettings>,
    client: reqwest::Client,
    shards: Vec<Arc<ShardQueue>>,
    pub health: Arc<Health>,
}

impl Engine {
    /// A store: opens one queue per shard under `dir` (what was not sent before a restart is
    /// pending).
    pub fn open(dir: &Path, settings: EngineSettings) -> anyhow::Result<Engine> {
        let mut engine = Engine::connect(settings)?;
        engine.shards = (0..engine.settings.shards)
            .map(|n| ShardQueue::open(&dir.join(format!("shard-{n}"))).map(Arc::new))
            .collect::<io::Result<Vec<_>>>()?;
        Ok(engine)
    }

    /// A data source: only read, so nothing is queued.
    pub fn connect(settings: EngineSettings) -> anyhow::Result<Engine> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder().build()?;
        Ok(Engine { settings: Arc::new(settings), client, shards: Vec::new(), health: Arc::default() })
    }

    /// Starts a sender per shard, and the watch that alerts when the engine cannot be written.
    pub fn start(
        &self,
        telemetry: Arc<crate::telemetry::SelfMetrics>,
        alerts: crate::rules::sender::Sender,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        for (shard, queue) in self.shards.iter().enumerate() {
            let sender = Sender { shard, queue: queue.clone(), engine: self.clone(), telemetry: telemetry.clone() };
            tokio::spawn(sender.run(shutdown.clone()));
        }
        tokio::spawn(super::watch::run(self.clone(), alerts, shutdown));
    }

    /// Queues what `encode` makes for the shards (one uncompressed protobuf request body per
    /// shard, with how many items it holds) and returns once all are on disk; a data source has
    /// no queues and takes nothing. Blocking: call it off the async workers.
    pub fn push(&self, encode: impl FnOnce(usize) -> Vec<(Vec<u8>, u32)>) -> io::Result<()> {
        if self.shards.is_empty() {
            return Ok(());
        }
        let cap = self.settings.max_pending_bytes / self.shards.len();
        for (shard, (body, count)) in encode(self.shards.len()).into_iter().enumerate() {
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

    /// `GET {url}{path}?{params}`, the answer as it came, to pass on; an error says why the
    /// engine could not be asked.
    pub async fn fetch(&self, path: &str, params: &[(String, String)]) -> Result<Answer, String> {
        let base = &self.settings.url;
        let url = reqwest::Url::parse_with_params(&format!("{base}{path}"), params).map_err(|e| e.to_string())?;
        let unreachable = |e: reqwest::Error| {
            format!("the {} backend {base} cannot be reached: {}", self.settings.kind.name(), describe(e))
        };
        let response = self.request(reqwest::Method::GET, url).send().await.map_err(unreachable)?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("text/plain")
            .to_string();
        let body = response.bytes().await.map_err(unreachable)?.to_vec();
        Ok(Answer { status, content_type, body })
    }

    /// A request to the engine with its timeout and headers (credentials among them).
    pub fn request(&self, method: reqwest::Method, url: impl reqwest::IntoUrl) -> reqwest::RequestBuilder {
        let mut request = self.client.request(method, url).timeout(self.settings.timeout);
        for (name, value) in &self.settings.headers {
            request = request.header(name, &value.0);
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
