//! The per-receiver notification pipeline (`notify/notify.go`) as a pure function: inhibit, active
//! time, mute time, silence, then per integration dedup and the send_resolved filter, giving the
//! `SendPlan`s the server executes. Sending and retrying stay with the server.

use std::collections::BTreeSet;

use crate::alert::Alert;
use crate::config::Config;
use crate::dedup::{DedupInput, NotificationLog, needs_update, nflog_key};
use crate::dispatch::Flush;
use crate::inhibit::Inhibitor;
use crate::labels::{Fingerprint, dedup_hash};
use crate::silence::Silences;
use crate::timeinterval::any_contains;

/// What the stages read besides the batch.
pub struct PipelineContext<'a> {
    pub config: &'a Config,
    pub inhibitor: &'a Inhibitor<'a>,
    pub silences: &'a Silences,
    pub nflog: &'a NotificationLog,
    /// Lookout: whether an alert has been acknowledged.
    pub is_acked: &'a dyn Fn(Fingerprint) -> bool,
}

/// The stage that left nothing to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Inhibit,
    TimeActive,
    TimeMute,
    Silence,
}

/// What to write to the notification log once the integration has succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NflogRecord {
    pub key: String,
    pub firing: BTreeSet<u64>,
    pub resolved: BTreeSet<u64>,
    pub repeat_interval_ms: i64,
}

/// One integration's share of a flush.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendPlan {
    pub receiver: String,
    /// Index into the receiver's `integrations`.
    pub integration: usize,
    pub kind: &'static str,
    /// Index within the kind (the nflog key's last part).
    pub kind_index: usize,
    /// The alerts to send; empty means "send nothing, but count it as sent" (all resolved and
    /// send_resolved off), so the server only records.
    pub alerts: Vec<Alert>,
    /// `None` for escalations, which are one-shot and bypass the log.
    pub record: Option<NflogRecord>,
}

/// The pipeline's answer for one flush.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PipelineResult {
    pub plans: Vec<SendPlan>,
    /// The stage that emptied the batch, if one did (the run still counts as a success).
    pub stopped_at: Option<Stage>,
    /// Time interval names that muted the group (`mutedBy`).
    pub muted_by: Vec<String>,
}

/// Runs the stages for one flush at `flush.now`.
pub fn plan(flush: &Flush, ctx: &PipelineContext<'_>) -> PipelineResult {
    let now = flush.now;
    let mut result = PipelineResult::default();
    let stop = |mut r: PipelineResult, stage| {
        r.stopped_at = Some(stage);
        r
    };
    let alerts: Vec<&Alert> = flush.alerts.iter().filter(|a| ctx.inhibitor.inhibited_by(&a.labels).is_none()).collect();
    if alerts.is_empty() {
        return stop(result, Stage::Inhibit);
    }
    let intervals = |name: &String| ctx.config.time_intervals.get(name).is_some_and(|ti| any_contains(ti, now));
    if !flush.active_time_intervals.is_empty() && !flush.active_time_intervals.iter().any(intervals) {
        result.muted_by = flush.active_time_intervals.clone();
        return stop(result, Stage::TimeActive);
    }
    let muting: Vec<String> = flush.mute_time_intervals.iter().filter(|n| intervals(n)).cloned().collect();
    if !muting.is_empty() {
        result.muted_by = muting;
        return stop(result, Stage::TimeMute);
    }
    let alerts: Vec<&Alert> =
        alerts.into_iter().filter(|a| ctx.silences.silenced_by(&a.labels, now).is_empty()).collect();
    if alerts.is_empty() {
        return stop(result, Stage::Silence);
    }
    let Some(receiver) = ctx.config.receiver(&flush.receiver) else { return result };
    let (firing_alerts, resolved_alerts): (Vec<&Alert>, Vec<&Alert>) = alerts.iter().partition(|a| !a.resolved_at(now));
    let firing: BTreeSet<u64> = firing_alerts.iter().map(|a| dedup_hash(&a.labels)).collect();
    let resolved: BTreeSet<u64> = resolved_alerts.iter().map(|a| dedup_hash(&a.labels)).collect();
    let all_acked = firing_alerts.iter().all(|a| (ctx.is_acked)(a.fingerprint()));
    for (i, integration) in receiver.integrations.iter().enumerate() {
        let key = nflog_key(&flush.group_key, &receiver.name, integration.kind(), integration.index);
        if !flush.escalation
            && !needs_update(DedupInput {
                entry: ctx.nflog.get(&key),
                firing: &firing,
                resolved: &resolved,
                send_resolved: integration.send_resolved,
                repeat_interval_ms: flush.repeat_interval_ms,
                all_acked,
                now,
            })
        {
            continue;
        }
        let to_send: Vec<Alert> = if integration.send_resolved {
            alerts.iter().map(|a| (*a).clone()).collect()
        } else {
            firing_alerts.iter().map(|a| (*a).clone()).collect()
        };
        let record = (!flush.escalation).then(|| NflogRecord {
            key,
            firing: firing.clone(),
            resolved: resolved.clone(),
            repeat_interval_ms: flush.repeat_interval_ms,
        });
        result.plans.push(SendPlan {
            receiver: receiver.name.clone(),
            integration: i,
            kind: integration.kind(),
            kind_index: integration.index,
            alerts: to_send,
            record,
        });
    }
    result
}

impl NotificationLog {
    /// Records a plan that the server delivered (or that had nothing to deliver).
    pub fn record(&mut self, record: &NflogRecord, now: i64) {
        self.log(&record.key, record.firing.clone(), record.resolved.clone(), record.repeat_interval_ms, now);
    }
}
