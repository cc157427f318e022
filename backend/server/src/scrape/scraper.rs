//! One target's scrape loop: fetch on a fixed interval, parse, label, mark vanished series stale,
//! write the report series (`up`, `scrape_duration_seconds`, …), store everything durably.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use lookout_exposition::{Format, parse};
use lookout_tsdb::{Batch, Labels, stale_nan};
use tokio::sync::watch;

use super::clock::ScrapeClock;
use super::config::ScrapeConfig;
use super::relabel::{self, LabelMap};
use super::target::Target;
use super::{ScrapeStatus, TargetHealth};
use crate::metrics::{FamilyMetadata, Metrics};
use crate::timefmt::now_ms;

const ACCEPT: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
/// The largest scrape body read (Prometheus has no default; this keeps a runaway target bounded).
const MAX_BODY_BYTES: usize = 64 << 20;

pub struct Scraper {
    pub target: Target,
    pub config: Arc<ScrapeConfig>,
    pub client: reqwest::Client,
    pub metrics: Metrics,
    pub status: ScrapeStatus,
}

impl Scraper {
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        // Spread targets over the interval so they do not all fire at once.
        let interval_ms = self.config.interval.as_millis() as u64;
        let offset = fnv(&self.target.url) % interval_ms.max(1);
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_millis(offset)) => {}
            _ = stop.changed() => return,
        }
        let mut ticker = tokio::time::interval(self.config.interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut clock = ScrapeClock::new(interval_ms as i64);
        let mut previous: HashSet<Labels> = HashSet::new();
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = stop.changed() => break,
            }
            previous = self.scrape_once(clock.stamp(now_ms()), previous).await;
        }
        // The target is gone: everything it exposed ends now, as Prometheus marks it.
        let now = now_ms();
        let mut batch: Vec<(Labels, i64, f64)> = previous.into_iter().map(|l| (l, now, stale_nan())).collect();
        batch.extend(self.report_series(0.0, 0.0, 0, 0, 0).into_iter().map(|(l, _)| (l, now, stale_nan())));
        if let Err(err) = self.metrics.append(Batch::from_samples(&batch)).await {
            tracing::warn!(%err, target = %self.target.url, "could not write staleness markers");
        }
        self.status.remove(&self.target);
    }

    async fn fetch(&self) -> Result<(String, String), String> {
        let response = self
            .client
            .get(&self.target.url)
            .header(reqwest::header::ACCEPT, ACCEPT)
            .header("X-Prometheus-Scrape-Timeout-Seconds", format!("{}", self.config.timeout.as_secs_f64()))
            .timeout(self.config.timeout)
            .send()
            .await
            .map_err(|e| describe(&e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("server returned HTTP status {status}"));
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        // Read piece by piece, so a body without a length cannot grow past the limit in memory.
        let mut response = response;
        let mut bytes = Vec::new();
        while let Some(piece) = response.chunk().await.map_err(|e| describe(&e))? {
            if bytes.len() + piece.len() > MAX_BODY_BYTES {
                return Err(format!("body larger than {MAX_BODY_BYTES} bytes"));
            }
            bytes.extend_from_slice(&piece);
        }
        Ok((String::from_utf8_lossy(&bytes).into_owned(), content_type))
    }

    /// Scrapes once, stamping what it stores with `start_ms`; returns the series seen, for the
    /// next round's staleness check.
    async fn scrape_once(&self, start_ms: i64, previous: HashSet<Labels>) -> HashSet<Labels> {
        let started = Instant::now();
        let mut batch: Vec<(Labels, i64, f64)> = Vec::new();
        let mut current: HashSet<Labels> = HashSet::new();
        let mut errors: Vec<String> = Vec::new();
        let mut scraped = 0usize;
        let mut up = 0.0;
        match self.fetch().await {
            Ok((body, content_type)) => {
                up = 1.0;
                let parsed = parse(&body, Format::from_content_type(&content_type));
                scraped = parsed.samples.len();
                for m in &parsed.metadata {
                    let kind = format!("{:?}", m.kind).to_ascii_lowercase();
                    self.metrics
                        .set_metadata(&m.family, FamilyMetadata { kind, help: m.help.clone(), unit: m.unit.clone() });
                }
                if !parsed.errors.is_empty() {
                    let shown: Vec<String> = parsed.errors.iter().take(3).map(|e| e.to_string()).collect();
                    errors.push(format!("{} malformed lines skipped ({})", parsed.errors.len(), shown.join("; ")));
                }
                for sample in parsed.samples {
                    let Some(labels) = self.sample_labels(&sample.name, sample.labels) else { continue };
                    let explicit = sample.timestamp_ms.filter(|_| self.config.honor_timestamps);
                    if explicit.is_none() {
                        current.insert(labels.clone());
                    }
                    batch.push((labels, explicit.unwrap_or(start_ms), sample.value));
                }
                if self.config.sample_limit > 0 && batch.len() > self.config.sample_limit {
                    errors.push(format!(
                        "sample limit exceeded: {} samples, limit {}",
                        batch.len(),
                        self.config.sample_limit
                    ));
                    batch.clear();
                    current.clear();
                    up = 0.0;
                }
            }
            Err(err) => errors.push(err),
        }
        let post_relabel = batch.len();
        let added = current.difference(&previous).count();
        // Series that were there last time and are not now end here.
        batch.extend(previous.difference(&current).map(|l| (l.clone(), start_ms, stale_nan())));
        let duration = started.elapsed().as_secs_f64();
        batch.extend(
            self.report_series(up, duration, scraped, post_relabel, added).into_iter().map(|(l, v)| (l, start_ms, v)),
        );
        let stored = self.metrics.append(Batch::from_samples(&batch)).await;
        if let Err(err) = &stored {
            errors.push(format!("storage failed: {err}"));
        }
        self.status.update(
            &self.target,
            TargetHealth {
                health: if up == 1.0 { "up" } else { "down" },
                last_error: errors.join("; "),
                last_scrape_ms: start_ms,
                last_duration_s: duration,
            },
        );
        current
    }

    /// A scraped sample's labels: the target's labels win over scraped ones (which are kept as
    /// `exported_<name>`) unless `honor_labels`; then `metric_relabel_configs`.
    fn sample_labels(&self, name: &str, scraped: Vec<(String, String)>) -> Option<Labels> {
        let mut labels: LabelMap = LabelMap::new();
        labels.insert("__name__".into(), name.to_string());
        for (k, v) in scraped {
            labels.insert(k, v);
        }
        for (k, v) in &self.target.labels {
            match labels.get(k) {
                Some(existing) if self.config.honor_labels && !existing.is_empty() => {}
                Some(existing) => {
                    // Prometheus keeps prefixing until the name is free: exported_exported_job.
                    let existing = existing.clone();
                    let mut name = format!("exported_{k}");
                    while labels.contains_key(&name) {
                        name = format!("exported_{name}");
                    }
                    labels.insert(name, existing);
                    labels.insert(k.clone(), v.clone());
                }
                None => {
                    labels.insert(k.clone(), v.clone());
                }
            }
        }
        let labels = relabel::apply(&self.config.metric_relabel, labels)?;
        Some(Labels::from_pairs(labels))
    }

    fn report_series(&self, up: f64, duration: f64, scraped: usize, post: usize, added: usize) -> Vec<(Labels, f64)> {
        [
            ("up", up),
            ("scrape_duration_seconds", duration),
            ("scrape_samples_scraped", scraped as f64),
            ("scrape_samples_post_metric_relabeling", post as f64),
            ("scrape_series_added", added as f64),
        ]
        .into_iter()
        .map(|(name, v)| {
            let labels = Labels::from_pairs(
                std::iter::once(("__name__".to_string(), name.to_string())).chain(self.target.labels.clone()),
            );
            (labels, v)
        })
        .collect()
    }
}

/// A short, stable hash (FNV-1a) for spreading targets over the interval.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
}

fn describe(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "context deadline exceeded (scrape timeout)".into()
    } else if err.is_connect() {
        format!("connection failed: {}", std::error::Error::source(err).map_or(err.to_string(), |s| s.to_string()))
    } else {
        err.to_string()
    }
}
