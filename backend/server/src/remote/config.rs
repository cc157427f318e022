//! `storage:` in the config: a Prometheus-compatible engine (Prometheus, Thanos, Mimir, Cortex,
//! VictoriaMetrics) as the metrics store (`storage.metrics.prometheus`), Loki as the log store
//! (`storage.logs.loki`), each with its credentials and its forwarding queue's settings.

use std::collections::BTreeMap;
use std::time::Duration;

use lookout_alertmanager::config::raw::{RawAuthorization, RawBasicAuth};
use serde::Deserialize;

use crate::config::{Secret, credentials};
use crate::timefmt::parse_duration;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStorage {
    #[serde(default)]
    pub metrics: RawMetricsStorage,
    #[serde(default)]
    pub logs: RawLogsStorage,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMetricsStorage {
    pub prometheus: Option<RawEngine>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLogsStorage {
    pub loki: Option<RawEngine>,
}

/// One named data source: a Prometheus-compatible engine or a Loki, configured as a store is
/// (only `url`, `headers`, the credentials and `timeout` matter for reading).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDataSource {
    pub prometheus: Option<RawEngine>,
    pub loki: Option<RawEngine>,
}

/// The uids of Lookout's own store, which named sources cannot take.
pub const OWN_SOURCES: [&str; 2] = ["lookout", "lookout-logs"];

/// Validates `datasources:`.
pub fn data_sources(
    raw: &std::collections::BTreeMap<String, RawDataSource>,
) -> Result<Vec<(String, EngineSettings)>, String> {
    let mut sources = Vec::new();
    for (name, source) in raw {
        let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if name.is_empty() || !name.chars().all(valid) || OWN_SOURCES.contains(&name.as_str()) {
            return Err(format!(
                "datasources.{name}: a name of letters, digits, '-', '_' and '.', other than lookout and lookout-logs"
            ));
        }
        let settings = match (&source.prometheus, &source.loki) {
            (Some(engine), None) => validate(engine, Kind::Metrics, &format!("datasources.{name}.prometheus"))?,
            (None, Some(engine)) => validate(engine, Kind::Logs, &format!("datasources.{name}.loki"))?,
            _ => return Err(format!("datasources.{name}: give exactly one of prometheus: {{…}} or loki: {{…}}")),
        };
        sources.push((name.clone(), settings));
    }
    Ok(sources)
}

/// An engine: where its API is, where writes go, how to sign in.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEngine {
    /// Where the engine's HTTP API is: `{url}/api/v1/query`, `{url}/loki/api/v1/query_range`…
    pub url: String,
    /// Where writes go: `{url}/api/v1/write` or `{url}/loki/api/v1/push` when not set (Mimir:
    /// `…/api/v1/push`).
    #[serde(alias = "remote_write_url", alias = "push_url")]
    pub write_url: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub basic_auth: Option<RawBasicAuth>,
    pub authorization: Option<RawAuthorization>,
    pub bearer_token: Option<String>,
    pub bearer_token_file: Option<String>,
    /// Per request, e.g. `30s`.
    pub timeout: Option<String>,
    /// How long writes may fail before Lookout alerts about the backend (default `1m`).
    pub alert_after: Option<String>,
    #[serde(default)]
    pub queue: RawQueue,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQueue {
    pub shards: Option<usize>,
    /// Samples or log lines in one request, at most.
    #[serde(alias = "max_samples_per_send", alias = "max_lines_per_send")]
    pub max_per_send: Option<usize>,
    /// How much may wait for the engine, in MiB, before writes are refused.
    pub max_pending_mib: Option<usize>,
}

/// Which pillar an engine stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Metrics,
    Logs,
}

impl Kind {
    /// Where it is configured as a store.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Metrics => "storage.metrics.prometheus",
            Kind::Logs => "storage.logs.loki",
        }
    }

    /// `metrics` or `logs`: the `backend` label of the forwarding metrics.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Metrics => "metrics",
            Kind::Logs => "logs",
        }
    }

    /// What one queued item is.
    pub fn unit(self) -> &'static str {
        match self {
            Kind::Metrics => "samples",
            Kind::Logs => "log lines",
        }
    }

    fn write_path(self) -> &'static str {
        match self {
            Kind::Metrics => "/api/v1/write",
            Kind::Logs => "/loki/api/v1/push",
        }
    }
}

/// The validated settings.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    pub kind: Kind,
    /// The API's base URL, without a trailing slash.
    pub url: String,
    pub write_url: String,
    /// Sent with every request (`Authorization` included, when credentials are configured);
    /// their values are never printed.
    pub headers: Vec<(String, Secret)>,
    pub timeout: Duration,
    pub alert_after: Duration,
    pub shards: usize,
    pub max_per_send: usize,
    pub max_pending_bytes: usize,
}

/// Validates an engine's settings; errors name the fields under `key`.
pub fn validate(raw: &RawEngine, kind: Kind, key: &str) -> Result<EngineSettings, String> {
    let field = |name: &str, e: String| format!("{key}.{name}: {e}");
    let url = raw.url.trim_end_matches('/').to_string();
    let parsed = reqwest::Url::parse(&url).map_err(|e| field("url", format!("{:?}: {e}", raw.url)))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(field("url", format!("{:?}: only http and https", raw.url)));
    }
    // The URL is logged, shown in errors and in the backend alert's labels: no secrets in it.
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(field("url", "credentials in the URL would be shown; use basic_auth".into()));
    }
    let write_url = raw.write_url.clone().unwrap_or_else(|| format!("{url}{}", kind.write_path()));
    reqwest::Url::parse(&write_url).map_err(|e| field("write_url", format!("{write_url:?}: {e}")))?;
    let mut headers = Vec::new();
    for (name, value) in &raw.headers {
        reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| field("headers", format!("{name:?}: {e}")))?;
        reqwest::header::HeaderValue::from_str(value).map_err(|e| field("headers", format!("{name}: {e}")))?;
        headers.push((name.clone(), Secret(value.clone())));
    }
    let authorization = credentials(&raw.basic_auth, &raw.authorization, &raw.bearer_token, &raw.bearer_token_file)
        .map_err(|e| field("credentials", e))?;
    headers.extend(authorization.map(|value| ("Authorization".to_string(), value)));
    let timeout = match &raw.timeout {
        Some(text) => parse_duration(text).map_err(|e| field("timeout", e))?,
        None => Duration::from_secs(30),
    };
    let alert_after = match &raw.alert_after {
        Some(text) => parse_duration(text).map_err(|e| field("alert_after", e))?,
        None => Duration::from_secs(60),
    };
    let shards = raw.queue.shards.unwrap_or(4);
    if !(1..=64).contains(&shards) {
        return Err(field("queue.shards", format!("{shards}: 1 to 64")));
    }
    Ok(EngineSettings {
        kind,
        url,
        write_url,
        headers,
        timeout,
        alert_after,
        shards,
        max_per_send: raw.queue.max_per_send.unwrap_or(2000).max(1),
        max_pending_bytes: raw.queue.max_pending_mib.unwrap_or(512).max(1) << 20,
    })
}
