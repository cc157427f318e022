//! The notifier's state in memory: Alertmanager's (alerts, groups, silences, notification log)
//! and Lookout's additions (acknowledgements, each alert's timeline, the delivery attempts).

use std::collections::{BTreeMap, VecDeque};

use lookout_alertmanager::alert::{Alert, AlertStore};
use lookout_alertmanager::config::Config;
use lookout_alertmanager::dedup::NotificationLog;
use lookout_alertmanager::dispatch::Dispatcher;
use lookout_alertmanager::labels::Fingerprint;
use lookout_alertmanager::silence::Silences;
use lookout_types::alerts::{AlertStats, IntegrationStats, SeverityCount};
use serde::{Deserialize, Serialize};

use super::persist::{Snapshot, StoredAlert, StoredNflog, StoredSilence};

/// Delivery attempts kept for the notification log; the oldest go first.
pub const ATTEMPTS_KEPT: usize = 10_000;
/// Timeline events kept per alert.
const EVENTS_KEPT: usize = 200;

/// Who acknowledged an alert, when, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    pub by: String,
    pub at_ms: i64,
    pub comment: String,
    /// The alert's `startsAt` when acknowledged: an alert that fires anew is no longer acked.
    pub starts_at: i64,
}

/// One entry of an alert's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub at_ms: i64,
    /// `firing`, `resolved`, `acknowledged`, `unacknowledged`, `notified`, `notification_failed`.
    pub kind: String,
    pub detail: String,
}

/// One try to deliver one notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptRecord {
    pub at_ms: i64,
    pub receiver: String,
    pub integration: String,
    pub group_key: String,
    pub alerts: Vec<String>,
    /// `success`, `retrying` or `failed`.
    pub outcome: String,
    pub status: Option<u16>,
    pub smtp_reply: Option<String>,
    pub error: Option<String>,
    pub attempt: u32,
    pub escalation: bool,
}

pub struct State {
    pub config: Config,
    pub alerts: AlertStore,
    pub dispatcher: Dispatcher,
    pub silences: Silences,
    pub nflog: NotificationLog,
    pub acks: BTreeMap<Fingerprint, Ack>,
    pub history: BTreeMap<Fingerprint, VecDeque<Event>>,
    pub attempts: VecDeque<AttemptRecord>,
}

impl State {
    /// The state a snapshot holds, under `config`; stored alerts are grouped anew.
    pub fn restore(config: Config, snapshot: Snapshot, now: i64) -> State {
        let mut state = State {
            dispatcher: Dispatcher::new(config.route.clone()),
            config,
            alerts: AlertStore::new(),
            silences: Silences::from_records(snapshot.silences.into_iter().filter_map(StoredSilence::into_silence)),
            nflog: NotificationLog::from_records(snapshot.nflog.into_iter().map(|(k, e)| (k, e.into()))),
            acks: parse_keys(snapshot.acks),
            history: parse_keys(snapshot.history).into_iter().map(|(k, v)| (k, v.into_iter().collect())).collect(),
            attempts: snapshot.attempts.into_iter().collect(),
        };
        for alert in snapshot.alerts {
            let alert: Alert = alert.into();
            let stored = state.alerts.put(alert, now);
            state.dispatcher.insert(&stored, now * 1000);
        }
        state.dispatcher.restore_escalations(&snapshot.escalations);
        state
    }

    /// Takes a new configuration: every stored alert is routed and grouped anew.
    pub fn regroup(&mut self, config: Config, now: i64) {
        let escalations = self.dispatcher.escalations_sent();
        self.dispatcher = Dispatcher::new(config.route.clone());
        self.config = config;
        for (_, alert) in self.alerts.iter() {
            self.dispatcher.insert(alert, now * 1000);
        }
        self.dispatcher.restore_escalations(&escalations);
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            alerts: self.alerts.iter().map(|(_, a)| StoredAlert::from(a)).collect(),
            silences: self.silences.iter().map(StoredSilence::from).collect(),
            nflog: self.nflog.to_records().iter().map(|(k, e)| (k.clone(), StoredNflog::from(e))).collect(),
            acks: self.acks.iter().map(|(fp, a)| (fp.to_string(), a.clone())).collect(),
            history: self.history.iter().map(|(fp, e)| (fp.to_string(), e.iter().cloned().collect())).collect(),
            attempts: self.attempts.iter().cloned().collect(),
            escalations: self.dispatcher.escalations_sent(),
            journal_from: 0,
        }
    }

    /// Whether an alert is acknowledged for the way it fires now.
    pub fn is_acked(&self, fp: Fingerprint) -> bool {
        match (self.acks.get(&fp), self.alerts.get(fp)) {
            (Some(ack), Some(alert)) => ack.starts_at == alert.starts_at,
            _ => false,
        }
    }

    pub fn event(&mut self, fp: Fingerprint, at_ms: i64, kind: &str, detail: String) {
        let events = self.history.entry(fp).or_default();
        events.push_back(Event { at_ms, kind: kind.into(), detail });
        if events.len() > EVENTS_KEPT {
            events.pop_front();
        }
    }

    pub fn record_attempt(&mut self, attempt: AttemptRecord) {
        self.attempts.push_back(attempt);
        if self.attempts.len() > ATTEMPTS_KEPT {
            self.attempts.pop_front();
        }
    }
}

impl State {
    /// Counts by severity and state, delivery success per integration, and the mean times to
    /// acknowledge and to resolve, from the alerts held and their timelines.
    pub fn stats(&self, now: i64, is_suppressed: impl Fn(&Alert) -> bool) -> AlertStats {
        let mut by_severity: BTreeMap<String, SeverityCount> = BTreeMap::new();
        for (fp, alert) in self.alerts.iter() {
            let severity = alert.labels.get("severity").cloned().unwrap_or_default();
            let count = by_severity
                .entry(severity.clone())
                .or_insert_with(|| SeverityCount { severity, ..SeverityCount::default() });
            match () {
                _ if alert.resolved_at(now) => count.resolved += 1,
                _ if is_suppressed(alert) => count.suppressed += 1,
                _ if self.is_acked(fp) => count.acknowledged += 1,
                _ => count.firing += 1,
            }
        }
        let mut integrations: BTreeMap<String, IntegrationStats> = BTreeMap::new();
        // A retried try is not an outcome; the last try of a delivery is.
        for a in self.attempts.iter().filter(|a| a.outcome != "retrying") {
            let entry = integrations.entry(a.integration.clone()).or_insert_with(|| IntegrationStats {
                integration: a.integration.clone(),
                ..IntegrationStats::default()
            });
            if a.outcome == "success" {
                entry.delivered += 1;
            } else {
                entry.failed += 1;
            }
        }
        for entry in integrations.values_mut() {
            entry.success_rate = entry.delivered as f64 / (entry.delivered + entry.failed).max(1) as f64;
        }
        let (mut to_ack, mut to_resolve) = (Vec::new(), Vec::new());
        for events in self.history.values() {
            let mut fired = None;
            for e in events {
                match e.kind.as_str() {
                    "firing" => fired = Some(e.at_ms),
                    "acknowledged" => to_ack.extend(fired.map(|f| e.at_ms - f)),
                    "resolved" | "resolved by hand" => to_resolve.extend(fired.take().map(|f| e.at_ms - f)),
                    _ => {}
                }
            }
        }
        let mean_s =
            |spans: &[i64]| (!spans.is_empty()).then(|| spans.iter().sum::<i64>() as f64 / spans.len() as f64 / 1000.0);
        AlertStats {
            by_severity: by_severity.into_values().collect(),
            integrations: integrations.into_values().collect(),
            mean_time_to_acknowledge_s: mean_s(&to_ack),
            mean_time_to_resolve_s: mean_s(&to_resolve),
        }
    }
}

fn parse_keys<V>(map: BTreeMap<String, V>) -> BTreeMap<Fingerprint, V> {
    map.into_iter().filter_map(|(k, v)| Some((Fingerprint(u64::from_str_radix(&k, 16).ok()?), v))).collect()
}
