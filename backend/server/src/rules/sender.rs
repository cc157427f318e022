//! Sends the alerts that rule evaluation produces to Lookout's own notifier and to the
//! configured Alertmanagers, as Prometheus's notifier does: external labels added where an
//! alert lacks them, a bounded queue that drops the oldest alerts when full, batches of at most
//! 64 alerts `POST`ed to every Alertmanager at once, and no retry of a failed batch (the rules
//! re-send firing alerts anyway).

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use lookout_alertmanager::alert::PostableAlert;
use lookout_rules::Notification;
use lookout_types::alertmanager as wire;
use tokio::sync::{Notify, watch};

use super::config::AlertmanagerTarget;
use crate::alerting::Alerting;
use crate::timefmt::rfc3339_millis;

/// Prometheus's `--alertmanager.notification-queue-capacity` default.
const QUEUE_CAPACITY: usize = 10_000;
/// Prometheus's largest batch per request.
const MAX_BATCH: usize = 64;

/// Counts for `/metrics`, named as Prometheus names them.
#[derive(Debug, Default)]
pub struct SenderStats {
    pub sent: AtomicU64,
    pub errors: AtomicU64,
    pub dropped: AtomicU64,
}

/// The queue between the rule groups and the sending task. Cheap to clone.
#[derive(Clone)]
pub struct Sender {
    queue: Arc<Mutex<VecDeque<wire::PostableAlert>>>,
    wake: Arc<Notify>,
    targets: Arc<Mutex<Vec<AlertmanagerTarget>>>,
    external_labels: Arc<Mutex<BTreeMap<String, String>>>,
    /// Lookout's own notifier, which gets every alert too.
    internal: Arc<Mutex<Option<Alerting>>>,
    /// `alerting.builtin_notifier`: whether `internal` gets the alerts.
    builtin: Arc<std::sync::atomic::AtomicBool>,
    pub stats: Arc<SenderStats>,
}

impl Sender {
    /// Starts the sending task; it stops with `shutdown`.
    pub fn start(shutdown: watch::Receiver<bool>) -> Sender {
        let sender = Sender {
            queue: Arc::default(),
            wake: Arc::default(),
            targets: Arc::default(),
            external_labels: Arc::default(),
            internal: Arc::default(),
            builtin: Arc::new(std::sync::atomic::AtomicBool::new(true)),
            stats: Arc::default(),
        };
        tokio::spawn(sender.clone().run(shutdown));
        sender
    }

    /// Applies a (re)loaded configuration.
    pub fn configure(
        &self,
        targets: Vec<AlertmanagerTarget>,
        external_labels: BTreeMap<String, String>,
        builtin: bool,
    ) {
        *self.targets.lock().unwrap_or_else(|e| e.into_inner()) = targets;
        *self.external_labels.lock().unwrap_or_else(|e| e.into_inner()) = external_labels;
        self.builtin.store(builtin, Ordering::Relaxed);
    }

    /// Hands every alert to Lookout's own notifier as well.
    pub fn deliver_to(&self, alerting: Alerting) {
        *self.internal.lock().unwrap_or_else(|e| e.into_inner()) = Some(alerting);
    }

    /// Hands the rules' alerts to the notifier and queues them for the Alertmanagers.
    pub fn send(&self, notifications: Vec<Notification>) {
        let alerts = notifications
            .into_iter()
            .map(|n| PostableAlert {
                labels: n.labels.iter().map(|l| (l.name.clone(), l.value.clone())).collect(),
                annotations: n.annotations,
                starts_at: Some(n.starts_at_ms),
                ends_at: Some(n.ends_at_ms),
                generator_url: n.generator_url,
            })
            .collect();
        self.dispatch(alerts);
    }

    /// Sends alerts where the rules' alerts go (Lookout's own as well: the alerts about its
    /// backends): external labels added, to the notifier unless `builtin_notifier: false`, and
    /// to every Alertmanager.
    pub fn dispatch(&self, mut alerts: Vec<PostableAlert>) {
        if alerts.is_empty() {
            return;
        }
        let external = self.external_labels.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for alert in &mut alerts {
            for (name, value) in &external {
                alert.labels.entry(name.clone()).or_insert_with(|| value.clone());
            }
        }
        let internal = self.internal.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(alerting) = internal.filter(|_| self.builtin.load(Ordering::Relaxed)) {
            let alerts = alerts.clone();
            tokio::spawn(async move {
                let errors = alerting.post(alerts).await.unwrap_or_else(|e| vec![e.to_string()]);
                for error in errors {
                    tracing::warn!(%error, "the notifier refused an alert from the rules");
                }
            });
        }
        if self.targets.lock().unwrap_or_else(|e| e.into_inner()).is_empty() {
            return;
        }
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        queue.extend(alerts.into_iter().map(|a| wire::PostableAlert {
            labels: a.labels,
            annotations: a.annotations,
            starts_at: a.starts_at.map(rfc3339_millis),
            ends_at: a.ends_at.map(rfc3339_millis),
            generator_url: a.generator_url,
        }));
        let excess = queue.len().saturating_sub(QUEUE_CAPACITY);
        if excess > 0 {
            queue.drain(..excess);
            self.stats.dropped.fetch_add(excess as u64, Ordering::Relaxed);
        }
        drop(queue);
        self.wake.notify_one();
    }

    async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let client = match reqwest::Client::builder().build() {
            Ok(client) => client,
            Err(err) => {
                tracing::error!(%err, "cannot build the HTTP client for Alertmanagers; alerts will not be sent");
                return;
            }
        };
        loop {
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = shutdown.changed() => return,
            }
            loop {
                let batch: Vec<wire::PostableAlert> = {
                    let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
                    let n = queue.len().min(MAX_BATCH);
                    queue.drain(..n).collect()
                };
                if batch.is_empty() {
                    break;
                }
                self.post(&client, &batch).await;
            }
        }
    }

    /// Sends one batch to every Alertmanager at once; it counts as sent where one accepted it.
    async fn post(&self, client: &reqwest::Client, batch: &[wire::PostableAlert]) {
        let targets = self.targets.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let body = match serde_json::to_vec(batch) {
            Ok(body) => body,
            Err(err) => {
                tracing::error!(%err, "cannot encode alerts");
                return;
            }
        };
        let mut requests = tokio::task::JoinSet::new();
        for target in targets {
            let mut request = client.post(&target.url);
            if let Some(authorization) = &target.authorization {
                request = request.header("Authorization", &authorization.0);
            }
            let request = request
                .header("Content-Type", "application/json")
                .header("User-Agent", concat!("Lookout/", env!("CARGO_PKG_VERSION")))
                .timeout(target.timeout)
                .body(body.clone())
                .send();
            requests.spawn(async move {
                match request.await {
                    Ok(response) if response.status().is_success() => true,
                    Ok(response) => {
                        tracing::warn!(alertmanager = %target.url, status = %response.status(), "Alertmanager refused alerts");
                        false
                    }
                    Err(err) => {
                        tracing::warn!(alertmanager = %target.url, %err, "cannot send alerts to Alertmanager");
                        false
                    }
                }
            });
        }
        let results: Vec<bool> = requests.join_all().await;
        let failed = results.iter().filter(|ok| !**ok).count() as u64;
        self.stats.errors.fetch_add(failed, Ordering::Relaxed);
        if results.contains(&true) {
            self.stats.sent.fetch_add(batch.len() as u64, Ordering::Relaxed);
        } else {
            self.stats.dropped.fetch_add(batch.len() as u64, Ordering::Relaxed);
        }
    }
}
