//! Scraping: the Prometheus `scrape_configs` engine. The manager keeps one loop per target,
//! starting and stopping loops as static and file-based discovery change, and records each
//! target's health for `/api/v1/targets`.

pub mod clock;
pub mod config;
pub mod relabel;
mod scraper;
pub mod target;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::watch;

use self::config::{ScrapeConfig, ScrapeSettings};
use self::relabel::LabelMap;
use self::scraper::Scraper;
use self::target::Target;
use crate::metrics::Metrics;

/// How often `file_sd_configs` files are re-read, so edits take effect within seconds (the
/// job's `refresh_interval` is accepted but files are cheap to re-read this often).
const DISCOVERY_POLL: Duration = Duration::from_secs(5);

/// The last scrape of one target.
#[derive(Debug, Clone)]
pub struct TargetHealth {
    pub health: &'static str,
    pub last_error: String,
    pub last_scrape_ms: i64,
    pub last_duration_s: f64,
}

/// One active target as `/api/v1/targets` shows it.
#[derive(Debug, Clone)]
pub struct ActiveTarget {
    pub target: Target,
    pub interval: Duration,
    pub timeout: Duration,
    pub health: Option<TargetHealth>,
}

/// Shared view of every target's state. Cheap to clone.
#[derive(Clone, Default)]
pub struct ScrapeStatus {
    active: Arc<RwLock<BTreeMap<String, ActiveTarget>>>,
    dropped: Arc<RwLock<BTreeMap<String, Vec<LabelMap>>>>,
}

fn key(target: &Target) -> String {
    format!("{}\u{0}{}\u{0}{:?}", target.job, target.url, target.labels)
}

impl ScrapeStatus {
    fn add(&self, target: &Target, config: &ScrapeConfig) {
        let mut active = self.active.write().unwrap_or_else(|e| e.into_inner());
        active.insert(
            key(target),
            ActiveTarget { target: target.clone(), interval: config.interval, timeout: config.timeout, health: None },
        );
    }

    fn update(&self, target: &Target, health: TargetHealth) {
        let mut active = self.active.write().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = active.get_mut(&key(target)) {
            entry.health = Some(health);
        }
    }

    fn remove(&self, target: &Target) {
        self.active.write().unwrap_or_else(|e| e.into_inner()).remove(&key(target));
    }

    pub fn active(&self) -> Vec<ActiveTarget> {
        self.active.read().unwrap_or_else(|e| e.into_inner()).values().cloned().collect()
    }

    pub fn dropped(&self) -> Vec<LabelMap> {
        self.dropped.read().unwrap_or_else(|e| e.into_inner()).values().flatten().cloned().collect()
    }
}

fn client() -> reqwest::Client {
    // reqwest is built without a default TLS provider; ring is ours (installing twice is harmless).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(concat!("Lookout/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// Starts scraping; runs until `shutdown` turns true.
pub fn start(settings: ScrapeSettings, metrics: Metrics, mut shutdown: watch::Receiver<bool>) -> ScrapeStatus {
    let status = ScrapeStatus::default();
    let manager_status = status.clone();
    tokio::spawn(async move {
        let client = client();
        let configs: Vec<Arc<ScrapeConfig>> = settings.configs.into_iter().map(Arc::new).collect();
        let mut running: BTreeMap<String, watch::Sender<bool>> = BTreeMap::new();
        let mut wanted_by_job: Vec<Vec<(Target, Arc<ScrapeConfig>)>> = vec![Vec::new(); configs.len()];
        let mut first = true;
        let mut file_cache = target::FileCache::new();
        loop {
            for (i, config) in configs.iter().enumerate() {
                // Static targets never change; discovery files are re-read every round.
                if !first && config.file_sd.is_empty() {
                    continue;
                }
                let (groups, errors) = target::groups(config, &mut file_cache);
                for err in errors {
                    tracing::warn!(job = %config.job_name, %err, "file_sd_configs file could not be read");
                }
                let found = target::build(config, &groups);
                manager_status
                    .dropped
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(config.job_name.clone(), found.dropped);
                wanted_by_job[i] = found.targets.into_iter().map(|t| (t, config.clone())).collect();
            }
            first = false;
            let wanted: BTreeMap<String, (Target, Arc<ScrapeConfig>)> =
                wanted_by_job.iter().flatten().map(|(t, c)| (key(t), (t.clone(), c.clone()))).collect();
            // Stop loops whose targets disappeared; each writes its staleness markers as it ends.
            running.retain(|k, stop| {
                let keep = wanted.contains_key(k);
                if !keep {
                    let _ = stop.send(true);
                }
                keep
            });
            for (k, (target, config)) in wanted {
                if running.contains_key(&k) {
                    continue;
                }
                manager_status.add(&target, &config);
                let (stop_tx, stop_rx) = watch::channel(false);
                let scraper = Scraper {
                    target,
                    config,
                    client: client.clone(),
                    metrics: metrics.clone(),
                    status: manager_status.clone(),
                };
                tokio::spawn(scraper.run(stop_rx));
                running.insert(k, stop_tx);
            }
            tokio::select! {
                _ = tokio::time::sleep(DISCOVERY_POLL) => {}
                _ = shutdown.changed() => break,
            }
        }
        for stop in running.values() {
            let _ = stop.send(true);
        }
    });
    status
}
