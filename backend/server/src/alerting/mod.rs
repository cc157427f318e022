//! Lookout's own Alertmanager: alerts from the rule engine and from `POST /api/v2/alerts` are
//! stored, grouped by the configured routes, silenced, inhibited, deduplicated and delivered
//! by [`deliver`] (email, Slack, PagerDuty, webhooks), as Alertmanager 0.25 does; on top,
//! people acknowledge and resolve alerts, unacknowledged groups escalate, and every delivery
//! attempt is recorded. All of it survives a restart ([`persist`]). The logic lives in
//! `lookout-alertmanager`; this module owns the state, the clock and the I/O.

mod deliver;
pub mod persist;
pub mod state;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use lookout_alertmanager::alert::{Alert, PostableAlert, ingest};
use lookout_alertmanager::config::{Config, IntegrationConfig, PagerDutyConfig};
use lookout_alertmanager::dispatch::Flush;
use lookout_alertmanager::inhibit::Inhibitor;
use lookout_alertmanager::labels::Fingerprint;
use lookout_alertmanager::pipeline::{PipelineContext, plan};
use lookout_alertmanager::silence::{Silence, SilenceError};
use lookout_notify::Message;
use tokio::sync::{Notify, watch};

use self::persist::SnapshotFile;
use self::state::{Ack, State};
use crate::timefmt::now_ms;

/// The dispatcher is checked at least this often, for groups whose timers ran out.
const TICK: Duration = Duration::from_millis(500);
/// Resolved alerts, expired silences and old log entries are dropped this often.
const GC_EVERY_MS: i64 = 30 * 60 * 1000;

/// The notifier. Cheap to clone.
#[derive(Clone)]
pub struct Alerting {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    file: SnapshotFile,
    /// Bumped by every change; the persister writes snapshots until it has caught up.
    changed: watch::Sender<u64>,
    /// The newest change a written snapshot holds, or the error that stopped writing.
    persisted: watch::Sender<Result<u64, String>>,
    wake: Notify,
    external_url: String,
    /// Replaced whole by a reload (it holds the templates).
    deliverer: std::sync::RwLock<Arc<deliver::Deliverer>>,
    started_at_ms: i64,
}

/// What a change to the state answers once it is durable.
pub type Durable<T> = Result<T, String>;

impl Alerting {
    /// Opens the notifier's state under `dir` and starts its loops.
    pub fn start(
        dir: &std::path::Path,
        config: Config,
        external_url: String,
        shutdown: watch::Receiver<bool>,
    ) -> std::io::Result<Alerting> {
        let file = SnapshotFile::new(dir)?;
        let snapshot = file.read()?;
        let now = now_ms();
        let deliverer = deliver::Deliverer::new(&config).map_err(std::io::Error::other)?;
        let state = State::restore(config, snapshot, now);
        let inner = Arc::new(Inner {
            state: Mutex::new(state),
            file,
            changed: watch::channel(0).0,
            persisted: watch::channel(Ok(0)).0,
            wake: Notify::new(),
            external_url,
            deliverer: std::sync::RwLock::new(Arc::new(deliverer)),
            started_at_ms: now,
        });
        let alerting = Alerting { inner };
        tokio::spawn(alerting.clone().persist_loop(shutdown.clone()));
        tokio::spawn(alerting.clone().dispatch_loop(shutdown));
        Ok(alerting)
    }

    /// Whether a configuration can be applied (its templates load).
    pub fn check_config(&self, config: &Config) -> Result<(), String> {
        deliver::Deliverer::new(config).map(|_| ())
    }

    /// Applies a reloaded configuration: alerts are grouped anew under the new routes; silences,
    /// acknowledgements and the notification log carry over.
    pub fn apply_config(&self, config: Config) -> Result<(), String> {
        let deliverer = Arc::new(deliver::Deliverer::new(&config)?);
        *self.inner.deliverer.write().unwrap_or_else(|e| e.into_inner()) = deliverer;
        let mut state = self.lock();
        state.regroup(config, now_ms());
        Ok(())
    }

    fn deliverer(&self) -> Arc<deliver::Deliverer> {
        self.inner.deliverer.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn started_at_ms(&self) -> i64 {
        self.inner.started_at_ms
    }

    pub fn external_url(&self) -> &str {
        &self.inner.external_url
    }

    /// Reads the state under the lock.
    pub fn with_state<T>(&self, f: impl FnOnce(&State, i64) -> T) -> T {
        let state = self.lock();
        f(&state, now_ms())
    }

    /// Changes the state under the lock and waits until the change is on disk.
    async fn change<T>(&self, f: impl FnOnce(&mut State, i64) -> T) -> Durable<T> {
        let (answer, generation) = {
            let mut state = self.lock();
            let answer = f(&mut state, now_ms());
            let mut generation = 0;
            self.inner.changed.send_modify(|g| {
                *g += 1;
                generation = *g;
            });
            (answer, generation)
        };
        let mut persisted = self.inner.persisted.subscribe();
        let reached = persisted.wait_for(|p| p.as_ref().map_or(true, |done| *done >= generation)).await;
        match reached.as_deref() {
            Ok(Ok(_)) => Ok(answer),
            Ok(Err(e)) => Err(format!("the alert state could not be stored: {e}")),
            Err(_) => Err("the alert state is no longer being stored (shutting down)".into()),
        }
    }

    /// Takes alerts as `POST /api/v2/alerts` does: every valid one is stored (and grouped); the
    /// invalid ones come back as Alertmanager's messages.
    pub async fn post(&self, posted: Vec<PostableAlert>) -> Durable<Vec<String>> {
        let answer = self
            .change(|state, now| {
                let mut errors = Vec::new();
                for p in posted {
                    match ingest(p, now, state.config.global.resolve_timeout_ms) {
                        Ok(alert) => store(state, alert, now),
                        Err(e) => errors.push(e.to_string()),
                    }
                }
                errors
            })
            .await;
        self.inner.wake.notify_one();
        answer
    }

    /// Acknowledges a firing alert: no repeats and no escalation until it resolves or fires anew;
    /// PagerDuty receivers of its groups are told (an `acknowledge` event).
    pub async fn ack(&self, fp: Fingerprint, by: String, comment: String) -> Durable<Result<(), String>> {
        let answer = self
            .change(|state, now| {
                let Some(alert) = state.alerts.get(fp).filter(|a| !a.resolved_at(now)) else {
                    return Err(format!("no firing alert has the fingerprint {fp}"));
                };
                let starts_at = alert.starts_at;
                let detail = if comment.is_empty() { by.clone() } else { format!("{by}: {comment}") };
                state.acks.insert(fp, Ack { by, at_ms: now, comment, starts_at });
                state.event(fp, now, "acknowledged", detail);
                Ok(())
            })
            .await;
        if matches!(answer, Ok(Ok(()))) {
            tokio::spawn(self.clone().acknowledge_pagerduty(fp));
        }
        answer
    }

    /// Sends PagerDuty's `acknowledge` event for every group holding the alert whose receiver
    /// has PagerDuty integrations, and records the attempts.
    async fn acknowledge_pagerduty(self, fp: Fingerprint) {
        let targets: Vec<(PagerDutyConfig, Message)> = self.with_state(|state, now| {
            let mut targets = Vec::new();
            for group in state.dispatcher.groups() {
                if !group.alerts.iter().any(|a| a.fingerprint() == fp) {
                    continue;
                }
                let Some(receiver) = state.config.receiver(group.receiver) else { continue };
                for integration in &receiver.integrations {
                    if let IntegrationConfig::PagerDuty(config) = &integration.config {
                        let message = Message {
                            receiver: receiver.name.clone(),
                            group_key: group.key.to_string(),
                            group_labels: group.labels.clone(),
                            // As in a flush: an alert still firing has no end.
                            alerts: group
                                .alerts
                                .iter()
                                .map(|a| Alert { ends_at: a.ends_at.filter(|_| a.resolved_at(now)), ..(*a).clone() })
                                .collect(),
                            external_url: self.inner.external_url.clone(),
                        };
                        targets.push(((**config).clone(), message));
                    }
                }
            }
            targets
        });
        for (config, message) in targets {
            let attempts = self.deliverer().acknowledge_pagerduty(&config, &message).await;
            let _ = self
                .change(|state, _| {
                    for attempt in attempts {
                        state.record_attempt(attempt);
                    }
                })
                .await;
        }
    }

    pub async fn unack(&self, fp: Fingerprint, by: String) -> Durable<Result<(), String>> {
        self.change(|state, now| {
            if state.acks.remove(&fp).is_none() {
                return Err(format!("the alert {fp} is not acknowledged"));
            }
            state.event(fp, now, "unacknowledged", by);
            Ok(())
        })
        .await
    }

    /// Resolves an alert by hand, as if its source had sent `endsAt = now`.
    pub async fn resolve(&self, fp: Fingerprint, by: String, comment: String) -> Durable<Result<(), String>> {
        let answer = self
            .change(|state, now| {
                let Some(alert) = state.alerts.get(fp).filter(|a| !a.resolved_at(now)).cloned() else {
                    return Err(format!("no firing alert has the fingerprint {fp}"));
                };
                let detail = if comment.is_empty() { by } else { format!("{by}: {comment}") };
                state.event(fp, now, "resolved by hand", detail);
                store(state, Alert { ends_at: Some(now), updated_at: now, timeout: false, ..alert }, now);
                Ok(())
            })
            .await;
        self.inner.wake.notify_one();
        answer
    }

    /// `POST /api/v2/silences`: creates or updates a silence; the id in force.
    pub async fn set_silence(&self, silence: Silence) -> Durable<Result<String, SilenceError>> {
        self.change(|state, now| state.silences.set(silence, now, random_bytes)).await
    }

    pub async fn expire_silence(&self, id: String) -> Durable<Result<(), SilenceError>> {
        self.change(|state, now| state.silences.expire(&id, now)).await
    }

    /// Writes a snapshot whenever the state changed, coalescing changes made meanwhile.
    async fn persist_loop(self, mut shutdown: watch::Receiver<bool>) {
        let mut changed = self.inner.changed.subscribe();
        loop {
            let generation = *changed.borrow_and_update();
            let written = self.inner.persisted.borrow().clone();
            if written.as_ref().is_ok_and(|w| *w < generation) {
                let (snapshot, generation) = {
                    let state = self.lock();
                    (state.snapshot(), *self.inner.changed.borrow())
                };
                let inner = self.inner.clone();
                let result = tokio::task::spawn_blocking(move || inner.file.write(&snapshot))
                    .await
                    .unwrap_or_else(|e| Err(std::io::Error::other(e)));
                let written = match result {
                    Ok(()) => Ok(generation),
                    Err(e) => {
                        tracing::error!(%e, "cannot store the alert state; changes are refused until restart");
                        Err(e.to_string())
                    }
                };
                self.inner.persisted.send_modify(|p| *p = written);
                continue;
            }
            tokio::select! {
                r = changed.changed() => if r.is_err() { return },
                _ = shutdown.changed() => return,
            }
        }
    }

    /// Flushes the groups whose timers ran out (and escalations), delivers what the pipeline
    /// plans, and records the outcome.
    async fn dispatch_loop(self, mut shutdown: watch::Receiver<bool>) {
        let mut last_gc = now_ms();
        loop {
            tokio::select! {
                _ = tokio::time::sleep(TICK) => {}
                _ = self.inner.wake.notified() => {}
                _ = shutdown.changed() => return,
            }
            let now = now_ms();
            let flushes: Vec<Flush> = {
                let mut state = self.lock();
                let mut flushes = state.dispatcher.due(now);
                let acked: Vec<Fingerprint> = state.acks.keys().copied().filter(|fp| state.is_acked(*fp)).collect();
                flushes.extend(state.dispatcher.escalations_due(now, |fp| acked.contains(&fp)));
                if now - last_gc > GC_EVERY_MS {
                    last_gc = now;
                    for fp in state.alerts.gc(now) {
                        state.acks.remove(&fp);
                    }
                    state.silences.gc(now);
                    state.nflog.gc(now);
                }
                flushes
            };
            for flush in flushes {
                // Each group is delivered on its own, so a slow receiver holds up only its group.
                tokio::spawn(self.clone().flush(flush));
            }
        }
    }

    async fn flush(self, flush: Flush) {
        let plans = {
            let state = self.lock();
            let inhibitor = Inhibitor::new(&state.config.inhibit_rules, &state.alerts, flush.now);
            let is_acked = |fp: Fingerprint| state.is_acked(fp);
            let ctx = PipelineContext {
                config: &state.config,
                inhibitor: &inhibitor,
                silences: &state.silences,
                nflog: &state.nflog,
                is_acked: &is_acked,
            };
            let result = plan(&flush, &ctx);
            let receiver = state.config.receiver(&flush.receiver).cloned();
            let group_interval = state.config.route.get(flush.group.route).opts.group_interval_ms;
            (result.plans, receiver, Duration::from_millis(u64::try_from(group_interval).unwrap_or(0)))
        };
        let (plans, receiver, group_interval) = plans;
        let mut ok = true;
        for p in plans {
            let delivered = match (&receiver, p.alerts.is_empty()) {
                (_, true) => true,
                (Some(receiver), false) => match receiver.integrations.get(p.integration) {
                    Some(integration) => {
                        let attempts = self
                            .deliverer()
                            .deliver(integration, &flush, &p, group_interval, &self.inner.external_url)
                            .await;
                        let success = attempts.last().is_some_and(|a| a.outcome == "success");
                        let now = now_ms();
                        let _ = self
                            .change(|state, _| {
                                for a in &p.alerts {
                                    let kind = if success { "notified" } else { "notification_failed" };
                                    let how = if flush.escalation { " (escalation)" } else { "" };
                                    state.event(
                                        a.fingerprint(),
                                        now,
                                        kind,
                                        format!("{} via {}{how}", p.receiver, p.kind),
                                    );
                                }
                                for attempt in attempts {
                                    state.record_attempt(attempt);
                                }
                            })
                            .await;
                        success
                    }
                    None => false,
                },
                (None, false) => false,
            };
            if delivered {
                if let Some(record) = &p.record {
                    let _ = self.change(|state, now| state.nflog.record(record, now)).await;
                }
            } else {
                ok = false;
            }
        }
        self.lock().dispatcher.flushed(&flush, ok);
    }
}

/// The notifier's configuration when the config file has no `alertmanager:` section: every
/// alert grouped by name into one receiver without integrations, so alerts are listed,
/// acknowledged and silenced even before anyone configures where they go.
pub fn default_config() -> Config {
    const DEFAULT: &str = "route:\n  receiver: lookout\n  group_by: [alertname]\nreceivers:\n  - name: lookout\n";
    lookout_alertmanager::config::load(DEFAULT).expect("the built-in notifier configuration is valid")
}

/// Stores one alert and hands it to the dispatcher, noting on its timeline when it starts
/// firing or resolves.
fn store(state: &mut State, alert: Alert, now: i64) {
    let fp = alert.fingerprint();
    let before = state.alerts.get(fp).map(|a| (a.starts_at, a.resolved_at(now)));
    let stored = state.alerts.put(alert, now);
    let resolved = stored.resolved_at(now);
    match before {
        Some((_, false)) if resolved => state.event(fp, now, "resolved", String::new()),
        Some((starts, true)) if !resolved && starts != stored.starts_at => {
            state.event(fp, now, "firing", String::new())
        }
        None if !resolved => state.event(fp, now, "firing", String::new()),
        _ => {}
    }
    state.dispatcher.insert(&stored, now);
}

/// 16 random bytes for silence ids, from the operating system.
fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    // /dev/urandom cannot run dry; should it be unreadable, time and a counter still give
    // distinct ids on one machine.
    if std::fs::File::open("/dev/urandom").and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes)).is_err() {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        bytes[..8].copy_from_slice(&now_ms().to_le_bytes());
        bytes[8..].copy_from_slice(&COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    }
    bytes
}
