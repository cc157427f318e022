//! Lookout's own Alertmanager: alerts from the rule engine and from `POST /api/v2/alerts` are
//! stored, grouped by the configured routes, silenced, inhibited, deduplicated and delivered
//! by [`deliver`] (email, Slack, PagerDuty, webhooks), as Alertmanager 0.25 does; on top,
//! people acknowledge and resolve alerts, unacknowledged groups escalate, and every delivery
//! attempt is recorded. All of it survives a restart: every change is a [`journal`] record,
//! fsynced before it is answered, and the journal is folded into a [`persist`] snapshot now and
//! then. The logic lives in
//! `lookout-alertmanager`; this module owns the state, the clock and the I/O.

mod deliver;
mod journal;
pub mod persist;
pub mod state;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use lookout_alertmanager::alert::{Alert, PostableAlert, ingest};
use lookout_alertmanager::config::{Config, IntegrationConfig, PagerDutyConfig};
use lookout_alertmanager::dispatch::{Dispatcher, Flush};
use lookout_alertmanager::inhibit::Inhibitor;
use lookout_alertmanager::labels::Fingerprint;
use lookout_alertmanager::pipeline::{PipelineContext, plan};
use lookout_alertmanager::silence::Silence;
use lookout_alertmanager::status::StatusContext;
use lookout_notify::{Guard, Message};
use lookout_types::alerts::{DeliveryOutcome, TimelineKind};
use lookout_wal::Wal;
use tokio::sync::{Notify, watch};

use self::journal::Change;
pub use self::journal::Refusal;
use self::persist::{SnapshotFile, StoredAlert, StoredSilence};
use self::state::{Event, State};
use crate::timefmt::{now_ms, now_us};

/// The dispatcher is checked at least this often (escalations have no timer of their own).
const TICK: Duration = Duration::from_secs(1);
/// The journal is folded into a snapshot this often.
const SNAPSHOT_EVERY: Duration = Duration::from_secs(60);
/// Resolved alerts, expired silences and old log entries are dropped this often.
const GC_EVERY_MS: i64 = 30 * 60 * 1000;

/// The notifier. Cheap to clone.
#[derive(Clone)]
pub struct Alerting {
    inner: Arc<Inner>,
}

struct Inner {
    /// The state; a change is applied and queued to the journal under this lock, so the
    /// journal's order is the state's.
    state: Mutex<State>,
    journal: Wal<Change>,
    journal_dir: PathBuf,
    file: SnapshotFile,
    wake: Notify,
    external_url: String,
    /// Replaced whole by a reload (it holds the templates).
    deliverer: std::sync::RwLock<Arc<deliver::Deliverer>>,
    /// Where notifications may not go.
    guard: Guard,
    started_at_ms: i64,
}

/// A configuration checked and ready to apply.
pub struct PreparedConfig {
    config: Config,
    deliverer: Arc<deliver::Deliverer>,
}

/// Why a change to the notifier's state did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// It does not apply, so nothing was logged: the alert is not there or not in the state the
    /// change needs, or the silence is invalid or unknown.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The journal could not keep it, so it was not made.
    #[error("the alert state could not be stored: {0}")]
    NotStored(String),
}

impl Alerting {
    /// Opens the notifier's state under `dir` and starts its loops.
    /// `guard` says where notifications may not go, for this and every reloaded configuration.
    pub fn start(
        dir: &std::path::Path,
        config: Config,
        guard: Guard,
        external_url: String,
        shutdown: watch::Receiver<bool>,
    ) -> std::io::Result<Alerting> {
        let file = SnapshotFile::new(dir)?;
        let snapshot = file.read()?;
        let now = now_ms();
        let deliverer = deliver::Deliverer::new(&config, &guard).map_err(std::io::Error::other)?;
        let first = snapshot.journal_from;
        let mut state = State::restore(config, snapshot, now);
        let journal_dir = dir.join("journal");
        let (journal, replayed) = Wal::open(&journal_dir, first, |change: Change| {
            // A change that applied when it was made applies again; one that does not (its
            // state was already folded into the snapshot) changes nothing.
            let _ = journal::apply(&mut state, &change);
        })?;
        if replayed.truncated_bytes > 0 {
            tracing::warn!(
                dropped_bytes = replayed.truncated_bytes,
                "the alert journal ended in a torn record; cut it off there"
            );
        }
        tracing::info!(changes = replayed.records, "alert state open");
        let inner = Arc::new(Inner {
            state: Mutex::new(state),
            journal,
            journal_dir,
            file,
            wake: Notify::new(),
            external_url,
            deliverer: std::sync::RwLock::new(Arc::new(deliverer)),
            guard,
            started_at_ms: now,
        });
        let alerting = Alerting { inner };
        tokio::spawn(alerting.clone().snapshot_loop(shutdown.clone()));
        tokio::spawn(alerting.clone().dispatch_loop(shutdown));
        Ok(alerting)
    }

    /// Readies a reloaded configuration (its templates load) without applying it yet.
    pub fn prepare_config(&self, config: Config) -> Result<PreparedConfig, String> {
        let deliverer = Arc::new(deliver::Deliverer::new(&config, &self.inner.guard)?);
        Ok(PreparedConfig { config, deliverer })
    }

    /// Applies a prepared configuration: alerts are grouped anew under the new routes; silences,
    /// acknowledgements and the notification log carry over.
    pub fn apply_config(&self, prepared: PreparedConfig) {
        *self.inner.deliverer.write().unwrap_or_else(|e| e.into_inner()) = prepared.deliverer;
        let mut state = self.lock();
        state.regroup(prepared.config, now_ms());
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

    /// Reads the state as Alertmanager's status API does: alerts, silences and inhibitions at
    /// this moment, and the aggregation groups.
    pub fn with_status<T>(&self, f: impl FnOnce(&StatusContext<'_>, &Dispatcher) -> T) -> T {
        self.with_state(|s, now| {
            let inhibitor = Inhibitor::new(&s.config.inhibit_rules, &s.alerts, now);
            let ctx = StatusContext {
                config: &s.config,
                alerts: &s.alerts,
                inhibitor: &inhibitor,
                silences: &s.silences,
                now,
            };
            f(&ctx, &s.dispatcher)
        })
    }

    /// Applies a change and waits until its journal record is fsynced; a change that does not
    /// apply is refused and not logged.
    async fn record(&self, change: Change) -> Result<Option<String>, ChangeError> {
        let not_stored = |e: &dyn std::fmt::Display| ChangeError::NotStored(e.to_string());
        let (seq, answer) = {
            let mut state = self.lock();
            // Once the journal has failed nothing more is applied: a change must not be seen
            // (and notified on) if it cannot be kept.
            self.inner.journal.queue(&[]).map_err(|e| not_stored(&e))?;
            let answer = journal::apply(&mut state, &change)?;
            (self.inner.journal.queue(std::slice::from_ref(&change)).map_err(|e| not_stored(&e))?, answer)
        };
        let inner = self.inner.clone();
        match tokio::task::spawn_blocking(move || inner.journal.wait(seq)).await {
            Ok(Ok(())) => Ok(answer),
            Ok(Err(e)) => Err(not_stored(&e)),
            Err(e) => Err(not_stored(&e)),
        }
    }

    /// Takes alerts as `POST /api/v2/alerts` does: every valid one is stored (and grouped); the
    /// invalid ones come back as Alertmanager's messages.
    pub async fn post(&self, posted: Vec<PostableAlert>) -> Result<Vec<String>, ChangeError> {
        let at_us = now_us();
        let now = at_us / 1000;
        let resolve_timeout = self.lock().config.global.resolve_timeout_ms;
        let mut errors = Vec::new();
        let mut alerts = Vec::with_capacity(posted.len());
        for p in posted {
            match ingest(p, now, resolve_timeout) {
                Ok(alert) => alerts.push(StoredAlert::from(&alert)),
                Err(e) => errors.push(e.to_string()),
            }
        }
        if !alerts.is_empty() {
            self.record(Change::Post { now, at_us, alerts }).await?;
            self.inner.wake.notify_one();
        }
        Ok(errors)
    }

    /// Acknowledges a firing alert: no repeats and no escalation until it resolves or fires anew;
    /// PagerDuty receivers of its groups are told (an `acknowledge` event).
    pub async fn ack(&self, fp: Fingerprint, by: String, comment: String) -> Result<(), ChangeError> {
        self.record(Change::Ack { now: now_ms(), fp: fp.0, by, comment }).await?;
        tokio::spawn(self.clone().acknowledge_pagerduty(fp));
        Ok(())
    }

    /// Sends PagerDuty's `acknowledge` event for every group holding the alert whose receiver
    /// has PagerDuty integrations, and records the attempts.
    async fn acknowledge_pagerduty(self, fp: Fingerprint) {
        let targets: Vec<(PagerDutyConfig, Message)> = self.with_state(|state, now| {
            let mut targets = Vec::new();
            for group in state.dispatcher.groups() {
                // PagerDuty's incident is the whole group: acknowledged once all of it is.
                let firing: Vec<_> = group.alerts.iter().filter(|a| !a.resolved_at(now)).collect();
                if !group.alerts.iter().any(|a| a.fingerprint() == fp)
                    || !firing.iter().all(|a| state.is_acked(a.fingerprint()))
                {
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
            let _ = self.record(Change::Delivery { attempts, events: Vec::new() }).await;
        }
    }

    pub async fn unack(&self, fp: Fingerprint, by: String) -> Result<(), ChangeError> {
        self.record(Change::Unack { now: now_ms(), fp: fp.0, by }).await.map(drop)
    }

    /// Resolves an alert by hand, as if its source had sent `endsAt = now`.
    pub async fn resolve(&self, fp: Fingerprint, by: String, comment: String) -> Result<(), ChangeError> {
        let answer = self.record(Change::Resolve { now: now_ms(), fp: fp.0, by, comment }).await.map(drop);
        self.inner.wake.notify_one();
        answer
    }

    /// `POST /api/v2/silences`: creates or updates a silence; the id in force.
    pub async fn set_silence(&self, silence: Silence) -> Result<String, ChangeError> {
        let change = Change::SetSilence {
            now: now_ms(),
            silence: StoredSilence::from(&silence),
            random: crate::random::bytes(),
        };
        Ok(self.record(change).await?.unwrap_or_default())
    }

    pub async fn expire_silence(&self, id: String) -> Result<(), ChangeError> {
        self.record(Change::ExpireSilence { now: now_ms(), id }).await.map(drop)
    }

    /// Now and then folds the journal into a snapshot: the state as of a fresh journal segment
    /// is written, and the segments before it are deleted.
    async fn snapshot_loop(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(SNAPSHOT_EVERY) => {}
                _ = shutdown.changed() => return,
            }
            let inner = self.inner.clone();
            match tokio::task::spawn_blocking(move || snapshot(&inner)).await {
                Ok(Ok(())) => {}
                Ok(Err(err)) => tracing::error!(%err, "cannot snapshot the alert state; the journal keeps everything"),
                Err(err) => tracing::error!(%err, "the alert snapshot task failed"),
            }
        }
    }

    /// Flushes the groups whose timers ran out (and escalations), delivers what the pipeline
    /// plans, and records the outcome.
    async fn dispatch_loop(self, mut shutdown: watch::Receiver<bool>) {
        let mut last_gc = now_ms();
        loop {
            // Sleep until the earliest group is due (a new alert wakes the loop at once), and
            // look again at least every TICK for escalations.
            let next_due = self.lock().dispatcher.next_due();
            let wait = next_due
                .map_or(TICK, |due| Duration::from_micros(u64::try_from(due - now_us()).unwrap_or(0)).min(TICK));
            tokio::select! {
                _ = precise_sleep(wait) => {}
                _ = self.inner.wake.notified() => {}
                _ = shutdown.changed() => return,
            }
            let now_us = now_us();
            let now = now_us / 1000;
            let flushes: Vec<Flush> = {
                let mut state = self.lock();
                let mut flushes = state.dispatcher.due(now_us);
                let acked: Vec<Fingerprint> = state.acks.keys().copied().filter(|fp| state.is_acked(*fp)).collect();
                let escalations = state.dispatcher.escalations_due(now_us, |fp| acked.contains(&fp));
                if !escalations.is_empty() {
                    // Logged without waiting: at worst a crash right now escalates once more.
                    let sent = state.dispatcher.escalations_sent();
                    if let Err(err) = self.inner.journal.queue(&[Change::Escalated { sent }]) {
                        tracing::error!(%err, "cannot log escalations");
                    }
                }
                flushes.extend(escalations);
                if now - last_gc > GC_EVERY_MS {
                    last_gc = now;
                    for fp in state.alerts.gc(now) {
                        state.acks.remove(&fp);
                        state.history.remove(&fp);
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
            // A reload may have replaced the routes since the flush was handed out.
            let group_interval = state.config.route.try_get(flush.group.route).map_or(0, |r| r.opts.group_interval_ms);
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
                        let success = attempts.last().is_some_and(|a| a.outcome == DeliveryOutcome::Success);
                        let now = now_ms();
                        let kind = if success { TimelineKind::Notified } else { TimelineKind::NotificationFailed };
                        let how = if flush.escalation { " (escalation)" } else { "" };
                        let detail = format!("{} via {}{how}", p.receiver, p.kind);
                        let events = p
                            .alerts
                            .iter()
                            .map(|a| {
                                let event = Event { at_ms: now, kind, detail: detail.clone() };
                                (a.fingerprint().0, event)
                            })
                            .collect();
                        let _ = self.record(Change::Delivery { attempts, events }).await;
                        success
                    }
                    None => false,
                },
                (None, false) => false,
            };
            if delivered {
                if let Some(r) = p.record {
                    let change = Change::Notified {
                        now: now_ms(),
                        key: r.key,
                        firing: r.firing,
                        resolved: r.resolved,
                        repeat_interval_ms: r.repeat_interval_ms,
                    };
                    let _ = self.record(change).await;
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

/// Writes the state as of a new journal segment, then deletes the segments it covers. Under the
/// state lock everything queued is first written out, so no record before the new segment can
/// land in it and be applied twice after a restart.
fn snapshot(inner: &Inner) -> std::io::Result<()> {
    let (snapshot, first) = {
        let state = inner.state.lock().unwrap_or_else(|e| e.into_inner());
        inner.journal.wait(inner.journal.queue(&[])?)?;
        let first = inner.journal.rotate()?;
        let mut snapshot = state.snapshot();
        snapshot.journal_from = first;
        (snapshot, first)
    };
    inner.file.write(&snapshot)?;
    for (n, segment) in lookout_wal::segments(&inner.journal_dir)? {
        if n < first {
            std::fs::remove_file(segment)?;
        }
    }
    Ok(())
}

/// Sleeps for `wait` to within tens of microseconds. Tokio's timers tick in whole milliseconds
/// and wake up to one late, which would add half a millisecond on average to every group's
/// `group_wait`; the last stretch is slept on a blocking thread, whose sleep is precise.
async fn precise_sleep(wait: Duration) {
    const COARSE_SLACK: Duration = Duration::from_millis(2);
    if wait > COARSE_SLACK {
        tokio::time::sleep(wait - COARSE_SLACK).await;
        // The dispatch loop looks again and sleeps the rest precisely.
        return;
    }
    let _ = tokio::task::spawn_blocking(move || std::thread::sleep(wait)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(name: &str) -> PostableAlert {
        PostableAlert {
            labels: [("alertname".to_string(), name.to_string())].into_iter().collect(),
            ..PostableAlert::default()
        }
    }

    fn names(alerting: &Alerting) -> Vec<String> {
        alerting.with_state(|s, _| s.alerts.iter().map(|(_, a)| a.labels["alertname"].clone()).collect())
    }

    #[tokio::test]
    async fn the_state_comes_back_from_snapshot_and_journal_together() {
        let dir = std::env::temp_dir().join(format!("lookout-alerting-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (_stop, shutdown) = watch::channel(false);
        let start =
            || Alerting::start(&dir, default_config(), Guard::default(), String::new(), shutdown.clone()).unwrap();

        let alerting = start();
        assert!(alerting.post(vec![alert("Before")]).await.unwrap().is_empty());
        let fp = alerting.with_state(|s, _| s.alerts.iter().next().map(|(fp, _)| fp)).unwrap();
        alerting.ack(fp, "ann".into(), "looking".into()).await.unwrap();
        // Folded into a snapshot; the segments it covers are gone.
        snapshot(&alerting.inner).unwrap();
        let segments = lookout_wal::segments(&dir.join("journal")).unwrap();
        assert_eq!(segments.len(), 1, "{segments:?}");
        // Then more changes, in the journal only.
        assert!(alerting.post(vec![alert("After")]).await.unwrap().is_empty());
        let refused = alerting.unack(Fingerprint(1), "ann".into()).await;
        assert!(matches!(refused, Err(ChangeError::Refused(_))), "a refused change is not logged: {refused:?}");
        drop(alerting);

        let alerting = start();
        let mut seen = names(&alerting);
        seen.sort();
        assert_eq!(seen, ["After", "Before"]);
        let ack = alerting.with_state(|s, _| s.acks.get(&fp).map(|a| (a.by.clone(), a.comment.clone())));
        assert_eq!(ack, Some(("ann".to_string(), "looking".to_string())));
        let timeline = alerting.with_state(|s, _| s.history[&fp].iter().map(|e| e.kind).collect::<Vec<_>>());
        assert_eq!(timeline, [TimelineKind::Firing, TimelineKind::Acknowledged], "nothing applied twice");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
