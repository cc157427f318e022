//! Aggregation groups (`dispatch/dispatch.go`) as a time-driven state machine: alerts go into groups per
//! matching route, `due(now)` returns the groups whose timer fired, `flushed` applies the outcome.
//! Lookout's escalations are tracked here too, since they are per group.
//!
//! The dispatcher's clock is in microseconds since the epoch (alert times stay milliseconds):
//! a group waits `group_wait` from the moment its first alert came, as precisely as
//! Alertmanager's timers, not from that moment rounded to a millisecond.

use std::collections::{BTreeMap, BTreeSet};

use crate::alert::Alert;
use crate::labels::{Fingerprint, LabelSet, alert_labels_cmp};
use crate::route::{RouteId, RouteTree};

/// A group's identity: its route and the fingerprint of its group labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupId {
    pub route: RouteId,
    pub labels: Fingerprint,
}

#[derive(Debug, Clone)]
struct Group {
    key: String,
    labels: LabelSet,
    alerts: BTreeMap<Fingerprint, Alert>,
    /// Microseconds.
    next_flush: i64,
    has_flushed: bool,
    /// Indices into the route's `escalate` list already notified for the current unacknowledged spell.
    escalated: BTreeSet<usize>,
    /// Handed out by [`Dispatcher::due`] and not yet reported back by [`Dispatcher::flushed`].
    in_flight: bool,
}

/// One batch for the pipeline: what Alertmanager's notify context carries plus the alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flush {
    pub group: GroupId,
    pub group_key: String,
    pub receiver: String,
    pub group_labels: LabelSet,
    /// Sorted as Alertmanager sorts; `ends_at` is `None` for alerts not resolved at flush time.
    pub alerts: Vec<Alert>,
    pub repeat_interval_ms: i64,
    pub mute_time_intervals: Vec<String>,
    pub active_time_intervals: Vec<String>,
    /// Milliseconds, as the alerts' times.
    pub now: i64,
    /// Lookout: this batch goes to an escalation receiver (one-shot, no dedup, nothing deleted).
    pub escalation: bool,
    /// Lookout: which of the route's `escalate` entries it is, so a failed send can be retried.
    pub escalation_step: usize,
}

/// A group as the API lists it.
#[derive(Debug, Clone)]
pub struct GroupView<'a> {
    pub id: GroupId,
    pub key: &'a str,
    pub receiver: &'a str,
    pub labels: &'a LabelSet,
    pub alerts: Vec<&'a Alert>,
}

#[derive(Debug, Clone)]
pub struct Dispatcher {
    routes: RouteTree,
    groups: BTreeMap<GroupId, Group>,
}

impl Dispatcher {
    /// A dispatcher for one config; a reload builds a new one and re-inserts the stored alerts.
    pub fn new(routes: RouteTree) -> Self {
        Dispatcher { routes, groups: BTreeMap::new() }
    }

    pub fn routes(&self) -> &RouteTree {
        &self.routes
    }

    /// Puts the alert (as stored, after merging) into the group of every route it matches, at
    /// `now_us` microseconds.
    pub fn insert(&mut self, alert: &Alert, now_us: i64) {
        let now = now_us / 1000;
        for route in self.routes.matches(&alert.labels) {
            let opts = &self.routes.get(route).opts;
            let labels = self.routes.group_labels(route, &alert.labels);
            let id = GroupId { route, labels: Fingerprint::of(&labels) };
            let group = self.groups.entry(id).or_insert_with(|| Group {
                key: self.routes.group_key(route, &labels),
                labels,
                alerts: BTreeMap::new(),
                next_flush: now_us.saturating_add(opts.group_wait_ms.saturating_mul(1000)),
                has_flushed: false,
                escalated: BTreeSet::new(),
                in_flight: false,
            });
            group.alerts.insert(alert.fingerprint(), alert.clone());
            // An alert older than group_wait (a restart, a reload) need not wait again.
            if !group.has_flushed && alert.starts_at.saturating_add(opts.group_wait_ms) < now {
                group.next_flush = now_us;
            }
        }
    }

    /// When the next group timer fires (microseconds), so the server can sleep until then.
    pub fn next_due(&self) -> Option<i64> {
        self.groups.values().map(|g| g.next_flush).min()
    }

    /// Fires every timer due at `now_us`: re-arms it for `group_interval` and returns the
    /// batches. Empty groups are dropped instead of flushed.
    pub fn due(&mut self, now_us: i64) -> Vec<Flush> {
        let now = now_us / 1000;
        self.groups.retain(|_, g| !g.alerts.is_empty());
        let mut out = Vec::new();
        for (id, group) in &mut self.groups {
            // A group still being delivered waits: two flushes at once would both find the
            // notification log without the other's sends and notify twice.
            if group.next_flush > now_us || group.in_flight {
                continue;
            }
            group.in_flight = true;
            let opts = &self.routes.get(id.route).opts;
            group.next_flush = now_us.saturating_add(opts.group_interval_ms.saturating_mul(1000));
            group.has_flushed = true;
            let alerts = batch(group.alerts.values(), now);
            out.push(Flush {
                group: *id,
                group_key: group.key.clone(),
                receiver: opts.receiver.clone(),
                group_labels: group.labels.clone(),
                alerts,
                repeat_interval_ms: opts.repeat_interval_ms,
                mute_time_intervals: opts.mute_time_intervals.clone(),
                active_time_intervals: opts.active_time_intervals.clone(),
                now,
                escalation: false,
                escalation_step: 0,
            });
        }
        out
    }

    /// After the pipeline ran: on success, resolved alerts of the batch that were not updated since go.
    pub fn flushed(&mut self, flush: &Flush, ok: bool) {
        let Some(group) = self.groups.get_mut(&flush.group) else { return };
        if flush.escalation {
            // Marked when planned, so that it is not planned twice while it is being sent; a
            // failed send is tried again at the next look.
            if !ok {
                group.escalated.remove(&flush.escalation_step);
            }
            return;
        }
        group.in_flight = false;
        if !ok {
            return;
        }
        for sent in flush.alerts.iter().filter(|a| a.ends_at.is_some()) {
            let fp = sent.fingerprint();
            if group.alerts.get(&fp).is_some_and(|a| a.updated_at == sent.updated_at) {
                group.alerts.remove(&fp);
            }
        }
    }

    /// Lookout: batches for escalation receivers whose `after` has passed for an unacknowledged firing
    /// alert of the group and that were not sent yet in this unacknowledged spell.
    pub fn escalations_due(&mut self, now_us: i64, is_acked: impl Fn(Fingerprint) -> bool) -> Vec<Flush> {
        let now = now_us / 1000;
        let mut out = Vec::new();
        for (id, group) in &mut self.groups {
            let opts = &self.routes.get(id.route).opts;
            let unacked: Vec<&Alert> =
                group.alerts.iter().filter(|(fp, a)| !a.resolved_at(now) && !is_acked(**fp)).map(|(_, a)| a).collect();
            let Some(oldest) = unacked.iter().map(|a| a.starts_at).min() else {
                // Everything acknowledged or resolved: a later spell escalates afresh.
                group.escalated.clear();
                continue;
            };
            for (i, esc) in opts.escalate.iter().enumerate() {
                if now.saturating_sub(oldest) < esc.after_ms || !group.escalated.insert(i) {
                    continue;
                }
                out.push(Flush {
                    group: *id,
                    group_key: group.key.clone(),
                    receiver: esc.receiver.clone(),
                    group_labels: group.labels.clone(),
                    alerts: batch(unacked.iter().copied(), now),
                    repeat_interval_ms: opts.repeat_interval_ms,
                    mute_time_intervals: opts.mute_time_intervals.clone(),
                    active_time_intervals: opts.active_time_intervals.clone(),
                    now,
                    escalation: true,
                    escalation_step: i,
                });
            }
        }
        out
    }

    /// Lookout: the escalations each group has sent in its current unacknowledged spell, by group
    /// key, so they survive a restart (see [`Dispatcher::restore_escalations`]).
    pub fn escalations_sent(&self) -> Vec<(String, Vec<usize>)> {
        self.groups
            .values()
            .filter(|g| !g.escalated.is_empty())
            .map(|g| (g.key.clone(), g.escalated.iter().copied().collect()))
            .collect()
    }

    /// Lookout: marks escalations as already sent for the groups with those keys.
    pub fn restore_escalations(&mut self, sent: &[(String, Vec<usize>)]) {
        for group in self.groups.values_mut() {
            if let Some((_, indices)) = sent.iter().find(|(key, _)| *key == group.key) {
                group.escalated.extend(indices);
            }
        }
    }

    /// Every non-empty group with its alerts (for `/api/v2/alerts/groups`).
    pub fn groups(&self) -> Vec<GroupView<'_>> {
        self.groups
            .iter()
            .filter(|(_, g)| !g.alerts.is_empty())
            .map(|(id, g)| GroupView {
                id: *id,
                key: &g.key,
                receiver: &self.routes.get(id.route).opts.receiver,
                labels: &g.labels,
                alerts: g.alerts.values().collect(),
            })
            .collect()
    }
}

/// Copies alerts for a flush: unresolved ones lose their end time, then Alertmanager's order.
fn batch<'a>(alerts: impl Iterator<Item = &'a Alert>, now: i64) -> Vec<Alert> {
    let mut out: Vec<Alert> = alerts
        .map(|a| {
            let mut a = a.clone();
            if !a.resolved_at(now) {
                a.ends_at = None;
            }
            a
        })
        .collect();
    out.sort_by(|a, b| alert_labels_cmp(&a.labels, &b.labels));
    out
}
