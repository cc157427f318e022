//! Dispatch timing and the pipeline end to end: group_wait, group_interval ticks, repeats, resolved
//! deletion, stages (inhibit, time mute, silence, send_resolved), acknowledgements and escalation.

use std::collections::BTreeSet;

use lookout_alertmanager::alert::{AlertStore, PostableAlert, ingest};
use lookout_alertmanager::config::{self, Config};
use lookout_alertmanager::dedup::NotificationLog;
use lookout_alertmanager::dispatch::Dispatcher;
use lookout_alertmanager::inhibit::Inhibitor;
use lookout_alertmanager::labels::{Fingerprint, label_set};
use lookout_alertmanager::matchers::MatchType;
use lookout_alertmanager::pipeline::{PipelineContext, Stage, plan};
use lookout_alertmanager::silence::{Silence, SilenceMatcher, Silences};

const S: i64 = 1000;
const M: i64 = 60 * S;
const T0: i64 = 1_700_000_000_000;

const CONFIG: &str = "
global: {resolve_timeout: 1d}
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 1h
  routes:
  - matchers: [team=ops]
    receiver: both
    escalate: [{after: 20m, receiver: boss}]
  - matchers: [team=night]
    receiver: hook
    mute_time_intervals: [always]
inhibit_rules:
- source_matchers: [severity=critical]
  target_matchers: [severity=warning]
  equal: [alertname]
time_intervals:
- name: always
  time_intervals: [{times: [{start_time: '00:00', end_time: '24:00'}]}]
receivers:
- name: hook
  webhook_configs: [{url: 'http://127.0.0.1:1/hook'}]
- name: both
  webhook_configs: [{url: 'http://127.0.0.1:1/hook'}]
  email_configs: [{to: a@b, from: c@d, smarthost: 'localhost:25'}]
- name: boss
  webhook_configs: [{url: 'http://127.0.0.1:1/boss'}]
";

/// A tiny server loop: the store, the dispatcher, the nflog, silences and acknowledgements.
struct Harness {
    cfg: Config,
    store: AlertStore,
    dispatcher: Dispatcher,
    nflog: NotificationLog,
    silences: Silences,
    acked: BTreeSet<Fingerprint>,
    /// Whether sends succeed.
    ok: bool,
}

impl Harness {
    fn new() -> Self {
        let cfg = config::load(CONFIG).unwrap();
        let dispatcher = Dispatcher::new(cfg.route.clone());
        Harness {
            cfg,
            store: AlertStore::new(),
            dispatcher,
            nflog: NotificationLog::new(),
            silences: Silences::new(),
            acked: BTreeSet::new(),
            ok: true,
        }
    }

    fn post(&mut self, labels: &str, ends_at: Option<i64>, now: i64) -> Fingerprint {
        let labels = label_set(labels.split_whitespace().map(|kv| kv.split_once('=').unwrap()));
        let alert =
            ingest(PostableAlert { labels, ends_at, ..Default::default() }, now, self.cfg.global.resolve_timeout_ms)
                .unwrap();
        let stored = self.store.put(alert, now);
        self.dispatcher.insert(&stored, now * 1000);
        stored.fingerprint()
    }

    /// One tick: every due flush and escalation through the pipeline; returns what was sent as
    /// `receiver/kind:alertname[!resolved],…` strings.
    fn tick(&mut self, now: i64) -> Vec<String> {
        let acked = self.acked.clone();
        let is_acked = |fp: Fingerprint| acked.contains(&fp);
        let mut flushes = self.dispatcher.due(now * 1000);
        flushes.extend(self.dispatcher.escalations_due(now * 1000, is_acked));
        let mut sent = Vec::new();
        for flush in flushes {
            let inhibitor = Inhibitor::new(&self.cfg.inhibit_rules, &self.store, now);
            let ctx = PipelineContext {
                config: &self.cfg,
                inhibitor: &inhibitor,
                silences: &self.silences,
                nflog: &self.nflog,
                is_acked: &is_acked,
            };
            let result = plan(&flush, &ctx);
            for p in &result.plans {
                let names: Vec<String> = p
                    .alerts
                    .iter()
                    .map(|a| format!("{}{}", a.labels["alertname"], if a.resolved_at(now) { "!" } else { "" }))
                    .collect();
                sent.push(format!("{}/{}:{}", p.receiver, p.kind, names.join(",")));
                if self.ok
                    && let Some(record) = &p.record
                {
                    self.nflog.record(record, now);
                }
            }
            if let Some(stage) = result.stopped_at {
                sent.push(format!("stopped:{stage:?}"));
            }
            self.dispatcher.flushed(&flush, self.ok);
        }
        sent.sort();
        sent
    }
}

fn check(h: &mut Harness, now: i64, expected: &[&str]) {
    assert_eq!(h.tick(now), expected, "at T0+{}s", (now - T0) / S);
}

#[test]
fn group_wait_interval_repeat_and_resolve() {
    let mut h = Harness::new();
    h.post("alertname=A i=1", None, T0);
    check(&mut h, T0 + 29 * S, &[]);
    check(&mut h, T0 + 30 * S, &["hook/webhook:A"]);
    // A second alert after the first flush waits for the next group_interval tick.
    h.post("alertname=A i=2", None, T0 + 40 * S);
    check(&mut h, T0 + 5 * M, &[]);
    check(&mut h, T0 + 30 * S + 5 * M, &["hook/webhook:A,A"]);
    // Nothing new: no send until the repeat interval has passed, at the first tick strictly after it.
    let mut t = T0 + 30 * S + 5 * M;
    for _ in 0..12 {
        t += 5 * M;
        h.post("alertname=A i=1", None, t - S);
        h.post("alertname=A i=2", None, t - S);
        check(&mut h, t, &[]);
    }
    t += 5 * M;
    h.post("alertname=A i=1", None, t - S);
    h.post("alertname=A i=2", None, t - S);
    check(&mut h, t, &["hook/webhook:A,A"]);
    // One resolves: webhook has send_resolved, so it is told, and the resolved alert leaves the group.
    h.post("alertname=A i=2", Some(t + S), t + S);
    h.post("alertname=A i=1", None, t + S);
    t += 5 * M;
    check(&mut h, t, &["hook/webhook:A,A!"]);
    assert_eq!(h.dispatcher.groups()[0].alerts.len(), 1);
}

#[test]
fn group_wait_is_timed_to_the_microsecond() {
    let mut h = Harness::new();
    let labels = label_set([("alertname", "Precise")]);
    let alert = ingest(PostableAlert { labels, ..Default::default() }, T0, 300_000).unwrap();
    let stored = h.store.put(alert, T0);
    // Came 0.7 ms into T0's millisecond: it waits until 0.7 ms into T0 + 30 s's, not less.
    let came_us = T0 * 1000 + 700;
    h.dispatcher.insert(&stored, came_us);
    assert_eq!(h.dispatcher.next_due(), Some(came_us + 30_000_000));
    assert!(h.dispatcher.due(came_us + 30_000_000 - 1).is_empty());
    assert_eq!(h.dispatcher.due(came_us + 30_000_000).len(), 1);
}

#[test]
fn failed_sends_keep_resolved_alerts_and_retry() {
    let mut h = Harness::new();
    h.post("alertname=B", None, T0);
    check(&mut h, T0 + 30 * S, &["hook/webhook:B"]);
    h.post("alertname=B", Some(T0 + 60 * S), T0 + 60 * S);
    h.ok = false;
    check(&mut h, T0 + 30 * S + 5 * M, &["hook/webhook:B!"]);
    assert_eq!(h.dispatcher.groups().len(), 1);
    h.ok = true;
    check(&mut h, T0 + 30 * S + 10 * M, &["hook/webhook:B!"]);
    assert!(h.dispatcher.groups().is_empty());
}

#[test]
fn old_alerts_flush_at_once_and_resolved_only_groups_stay_quiet() {
    let mut h = Harness::new();
    let labels = label_set([("alertname", "Old")]);
    let old =
        ingest(PostableAlert { labels, starts_at: Some(T0 - 10 * M), ..Default::default() }, T0, 300_000).unwrap();
    let stored = h.store.put(old, T0);
    h.dispatcher.insert(&stored, (T0 + S) * 1000);
    check(&mut h, T0 + S, &["hook/webhook:Old"]);
    h.post("alertname=Gone", Some(T0), T0);
    check(&mut h, T0 + 31 * S, &[]);
}

#[test]
fn stages_and_send_resolved() {
    let mut h = Harness::new();
    h.post("alertname=C severity=warning", None, T0);
    h.post("alertname=C severity=critical", None, T0);
    check(&mut h, T0 + 30 * S, &["hook/webhook:C"]);
    h.post("alertname=N team=night", None, T0 + 40 * S);
    check(&mut h, T0 + 70 * S, &["stopped:TimeMute"]);
    h.post("alertname=Q team=ops", None, T0 + 80 * S);
    let sil = Silence {
        id: String::new(),
        matchers: vec![SilenceMatcher { name: "alertname".into(), value: "Q".into(), op: MatchType::Equal }],
        starts_at: T0,
        ends_at: T0 + 20 * M,
        updated_at: 0,
        created_by: "me".into(),
        comment: "quiet".into(),
    };
    h.silences.set(sil, T0 + 80 * S, || [7; 16]).unwrap();
    check(&mut h, T0 + 110 * S, &["stopped:Silence"]);
    // Once the silence ends, both integrations send; email has send_resolved off.
    // (Time jumps, so the muted night group fires once at each check.)
    check(&mut h, T0 + 21 * M, &["both/email:Q", "both/webhook:Q", "stopped:TimeMute"]);
    h.post("alertname=Q team=ops", Some(T0 + 22 * M), T0 + 22 * M);
    check(&mut h, T0 + 26 * M, &["both/email:", "both/webhook:Q!", "stopped:TimeMute"]);
}

#[test]
fn acknowledgement_stops_repeats_but_not_new_alerts() {
    let mut h = Harness::new();
    let a = h.post("alertname=D x=1", None, T0);
    check(&mut h, T0 + 30 * S, &["hook/webhook:D"]);
    h.acked.insert(a);
    let mut t = T0 + 30 * S;
    for _ in 0..14 {
        t += 5 * M;
        h.post("alertname=D x=1", None, t - S);
        check(&mut h, t, &[]);
    }
    h.post("alertname=D x=2", None, t);
    t += 5 * M;
    h.post("alertname=D x=1", None, t - S);
    check(&mut h, t, &["hook/webhook:D,D"]);
}

#[test]
fn escalation_after_unacknowledged_time() {
    let mut h = Harness::new();
    let fp = h.post("alertname=E team=ops", None, T0);
    check(&mut h, T0 + 30 * S, &["both/email:E", "both/webhook:E"]);
    h.post("alertname=E team=ops", None, T0 + 15 * M);
    check(&mut h, T0 + 19 * M, &[]);
    h.post("alertname=E team=ops", None, T0 + 20 * M);
    check(&mut h, T0 + 20 * M, &["boss/webhook:E"]);
    check(&mut h, T0 + 21 * M, &[]);
    // Acknowledged: the spell ends; a later unacknowledged spell (same alert) escalates again.
    h.acked.insert(fp);
    check(&mut h, T0 + 22 * M, &[]);
    h.acked.clear();
    check(&mut h, T0 + 23 * M, &["boss/webhook:E"]);
}

#[test]
fn stages_report_inhibition() {
    let mut h = Harness::new();
    h.post("alertname=F severity=critical", None, T0);
    h.post("alertname=F severity=warning", None, T0);
    let due = h.dispatcher.due((T0 + 30 * S) * 1000);
    let inhibitor = Inhibitor::new(&h.cfg.inhibit_rules, &h.store, T0 + 30 * S);
    let is_acked = |_: Fingerprint| false;
    let ctx = PipelineContext {
        config: &h.cfg,
        inhibitor: &inhibitor,
        silences: &h.silences,
        nflog: &h.nflog,
        is_acked: &is_acked,
    };
    let result = plan(&due[0], &ctx);
    assert_eq!(result.plans[0].alerts.len(), 1);
    assert_eq!(result.stopped_at, None::<Stage>);
}

#[test]
fn a_group_being_delivered_is_not_flushed_again() {
    let mut h = Harness::new();
    h.post("alertname=Slow", None, T0);
    let first = h.dispatcher.due((T0 + 30 * S) * 1000);
    assert_eq!(first.len(), 1);
    // Its delivery is still running when the next interval comes: no second flush of the group.
    assert!(h.dispatcher.due((T0 + 30 * S + 5 * M) * 1000).is_empty());
    h.dispatcher.flushed(&first[0], false);
    assert_eq!(h.dispatcher.due((T0 + 30 * S + 5 * M) * 1000).len(), 1, "flushed again once the first was reported");
}

#[test]
fn a_failed_escalation_is_tried_again_and_a_delivered_one_is_not() {
    let mut h = Harness::new();
    h.post("alertname=Pool team=ops", None, T0);
    let unacked = |_: Fingerprint| false;
    let first = h.dispatcher.escalations_due((T0 + 21 * M) * 1000, unacked);
    assert_eq!(first.len(), 1);
    assert!(h.dispatcher.escalations_due((T0 + 21 * M) * 1000, unacked).is_empty(), "not planned twice while sending");
    h.dispatcher.flushed(&first[0], false);
    let again = h.dispatcher.escalations_due((T0 + 22 * M) * 1000, unacked);
    assert_eq!(again.len(), 1, "retried after a failed send");
    h.dispatcher.flushed(&again[0], true);
    assert!(h.dispatcher.escalations_due((T0 + 23 * M) * 1000, unacked).is_empty());
}
