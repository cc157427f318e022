//! The notifier's state in memory: Alertmanager's (alerts, groups, silences, notification log)
//! and Lookout's additions (acknowledgements, each alert's timeline, the delivery attempts).

use std::collections::{BTreeMap, VecDeque};

use lookout_alertmanager::alert::{Alert, AlertStore};
use lookout_alertmanager::config::Config;
use lookout_alertmanager::dedup::NotificationLog;
use lookout_alertmanager::dispatch::Dispatcher;
use lookout_alertmanager::inhibit::Inhibitor;
use lookout_alertmanager::labels::Fingerprint;
use lookout_alertmanager::silence::Silences;
use lookout_alertmanager::status::{AlertStatus, alert_status};
use lookout_types::alerts::{
    Acknowledgement, AlertState, AlertStats, AlertView, DeliveryOutcome, IntegrationStats, NotificationAttempt,
    SeverityCount, TimelineEvent, TimelineKind,
};
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
    pub kind: TimelineKind,
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
    pub outcome: DeliveryOutcome,
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

    pub fn event(&mut self, fp: Fingerprint, at_ms: i64, kind: TimelineKind, detail: String) {
        let events = self.history.entry(fp).or_default();
        events.push_back(Event { at_ms, kind, detail });
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
    pub fn stats(&self, now: i64) -> AlertStats {
        let inhibitor = Inhibitor::new(&self.config.inhibit_rules, &self.alerts, now);
        let mut by_severity: BTreeMap<String, SeverityCount> = BTreeMap::new();
        for (fp, alert) in self.alerts.iter() {
            let severity = alert.labels.get("severity").cloned().unwrap_or_default();
            let count = by_severity
                .entry(severity.clone())
                .or_insert_with(|| SeverityCount { severity, ..SeverityCount::default() });
            let status = alert_status(alert, &self.config, &inhibitor, &self.silences, now);
            match Self::state_of(alert, &status, now) {
                AlertState::Resolved => count.resolved += 1,
                AlertState::Suppressed => count.suppressed += 1,
                AlertState::Firing if self.is_acked(fp) => count.acknowledged += 1,
                AlertState::Firing => count.firing += 1,
            }
        }
        let mut integrations: BTreeMap<String, IntegrationStats> = BTreeMap::new();
        // A retried try is not an outcome; the last try of a delivery is.
        for a in self.attempts.iter().filter(|a| a.outcome != DeliveryOutcome::Retrying) {
            let entry = integrations.entry(a.integration.clone()).or_insert_with(|| IntegrationStats {
                integration: a.integration.clone(),
                ..IntegrationStats::default()
            });
            if a.outcome == DeliveryOutcome::Success {
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
                match e.kind {
                    TimelineKind::Firing => fired = Some(e.at_ms),
                    TimelineKind::Acknowledged => to_ack.extend(fired.map(|f| e.at_ms - f)),
                    TimelineKind::Resolved | TimelineKind::ResolvedByHand => {
                        to_resolve.extend(fired.take().map(|f| e.at_ms - f))
                    }
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

    /// Every alert as the UI shows it: its state (firing, suppressed by a silence or an
    /// inhibition, or resolved), receivers, acknowledgement and timeline; firing first, newest
    /// first.
    pub fn views(&self, now: i64) -> Vec<AlertView> {
        let inhibitor = Inhibitor::new(&self.config.inhibit_rules, &self.alerts, now);
        let mut alerts: Vec<AlertView> = self
            .alerts
            .iter()
            .map(|(fp, a)| {
                let status = alert_status(a, &self.config, &inhibitor, &self.silences, now);
                let state = Self::state_of(a, &status, now);
                let mut receivers: Vec<String> = self.config.route.receivers(&a.labels);
                receivers.dedup();
                AlertView {
                    fingerprint: fp.to_string(),
                    labels: a.labels.clone(),
                    annotations: a.annotations.clone(),
                    state,
                    starts_at: a.starts_at,
                    ends_at: a.ends_at,
                    generator_url: a.generator_url.clone(),
                    receivers,
                    silenced_by: status.silenced_by,
                    inhibited_by: status.inhibited_by,
                    acknowledged: self.is_acked(fp).then(|| &self.acks[&fp]).map(|ack| Acknowledgement {
                        by: ack.by.clone(),
                        at: ack.at_ms,
                        comment: ack.comment.clone(),
                    }),
                    history: self
                        .history
                        .get(&fp)
                        .into_iter()
                        .flatten()
                        .map(|e| TimelineEvent { at: e.at_ms, kind: e.kind, detail: e.detail.clone() })
                        .collect(),
                }
            })
            .collect();
        alerts.sort_by_key(|a| (a.state != AlertState::Firing, -a.starts_at));
        alerts
    }

    /// Resolved, else suppressed (silenced or inhibited), else firing.
    fn state_of(alert: &Alert, status: &AlertStatus, now: i64) -> AlertState {
        if alert.resolved_at(now) {
            AlertState::Resolved
        } else if status.silenced_by.is_empty() && status.inhibited_by.is_empty() {
            AlertState::Firing
        } else {
            AlertState::Suppressed
        }
    }

    /// Every delivery attempt kept, newest first.
    pub fn attempt_views(&self) -> Vec<NotificationAttempt> {
        self.attempts
            .iter()
            .rev()
            .map(|a| NotificationAttempt {
                at: a.at_ms,
                receiver: a.receiver.clone(),
                integration: a.integration.clone(),
                group_key: a.group_key.clone(),
                alerts: a.alerts.clone(),
                outcome: a.outcome,
                http_status: a.status,
                smtp_reply: a.smtp_reply.clone(),
                error: a.error.clone(),
                attempt: a.attempt,
                escalation: a.escalation,
            })
            .collect()
    }
}

fn parse_keys<V>(map: BTreeMap<String, V>) -> BTreeMap<Fingerprint, V> {
    map.into_iter().filter_map(|(k, v)| Some((Fingerprint(u64::from_str_radix(&k, 16).ok()?), v))).collect()
}
