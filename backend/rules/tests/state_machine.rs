//! The alert state machine over a sequence of evaluations: the exact `ALERTS` and
//! `ALERTS_FOR_STATE` samples and stale markers each evaluation appends, what is sent to
//! Alertmanager, `limit` and duplicate label sets, and `for` restore after a restart.

use lookout_promql::Options;
use lookout_rules::{Group, GroupOptions, Health, PromQuerier, RuleAppender, RuleStateKind, Sample, file};
use lookout_tsdb::{Head, Labels, is_stale_nan};

/// Appends to a head and remembers every batch, rendered as `labels value` lines.
struct Recorder<'a> {
    head: &'a Head,
    lines: Vec<String>,
}

impl RuleAppender for Recorder<'_> {
    fn append(&mut self, ts_ms: i64, samples: &[Sample]) -> Result<(), String> {
        for s in samples {
            let value = if is_stale_nan(s.value) { "stale".to_string() } else { s.value.to_string() };
            self.lines.push(format!("{} {value}", s.labels));
        }
        let mut head = self.head;
        RuleAppender::append(&mut head, ts_ms, samples)
    }
}

fn group(text: &str, restore: bool) -> Group {
    let parsed = file::parse("rules.yml", text).unwrap();
    Group::new(
        "rules.yml",
        &parsed.groups[0],
        &GroupOptions { external_url: "http://lookout:9090".into(), ..Default::default() },
        restore,
    )
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    Labels::from_pairs(pairs.iter().copied())
}

const RULES: &str = "groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: 2m\n        labels:\n          severity: page\n";

#[test]
fn pending_firing_resolved_with_exact_series() {
    let head = Head::new();
    let up = labels(&[("__name__", "up"), ("job", "api")]);
    // Down from 1m to 4m, up again at 5m.
    for (i, v) in [1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0].iter().enumerate() {
        head.append(&up, i as i64 * 60_000, *v).unwrap();
    }
    let mut g = group(RULES, false);
    let querier = PromQuerier::new(&head, Options::default());
    let pending = r#"ALERTS{alertname="Down", alertstate="pending", job="api", severity="page"}"#;
    let firing = r#"ALERTS{alertname="Down", alertstate="firing", job="api", severity="page"}"#;
    let for_state = r#"ALERTS_FOR_STATE{alertname="Down", job="api", severity="page"}"#;
    let expected: [(i64, Vec<String>, usize); 6] = [
        (0, vec![], 0),
        (60_000, vec![format!("{pending} 1"), format!("{for_state} 60")], 0),
        (120_000, vec![format!("{pending} 1"), format!("{for_state} 60")], 0),
        // Fires at 3m: the pending series goes stale and the first notification is sent.
        (180_000, vec![format!("{firing} 1"), format!("{for_state} 60"), format!("{pending} stale")], 1),
        // Not re-sent yet: the last send plus the 1m resend delay is not before 4m.
        (240_000, vec![format!("{firing} 1"), format!("{for_state} 60")], 0),
        // Resolved at 5m: both series go stale, and the resolution is sent.
        (300_000, vec![format!("{firing} stale"), format!("{for_state} stale")], 1),
    ];
    for (ts, lines, sent) in expected {
        let mut recorder = Recorder { head: &head, lines: Vec::new() };
        let notifications = g.eval(ts, &querier, &mut recorder);
        let mut want = lines.clone();
        want.sort();
        recorder.lines.sort();
        assert_eq!(recorder.lines, want, "at {ts}");
        assert_eq!(notifications.len(), sent, "at {ts}");
        if ts == 180_000 {
            let n = &notifications[0];
            assert_eq!((n.starts_at_ms, n.ends_at_ms), (180_000, 180_000 + 4 * 60_000));
            assert_eq!(n.generator_url, "http://lookout:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1");
        }
        if ts == 300_000 {
            assert_eq!((notifications[0].starts_at_ms, notifications[0].ends_at_ms), (180_000, 300_000));
        }
    }
    let state = g.state();
    assert_eq!(state.rules[0].health, Health::Ok);
    let RuleStateKind::Alerting { alerts, .. } = &state.rules[0].kind else { panic!() };
    assert!(alerts.is_empty(), "resolved alerts are not shown");
}

#[test]
fn limit_and_duplicate_labelsets_are_errors() {
    let head = Head::new();
    for job in ["a", "b"] {
        head.append(&labels(&[("__name__", "up"), ("job", job)]), 0, 0.0).unwrap();
    }
    let querier = PromQuerier::new(&head, Options::default());
    let limited = "groups:\n  - name: g\n    limit: 1\n    rules:\n      - alert: Down\n        expr: up == 0\n";
    let mut g = group(limited, false);
    assert!(g.eval(0, &querier, &mut &head).is_empty());
    assert_eq!(g.state().rules[0].last_error.as_deref(), Some("exceeded limit of 1 with 2 alerts"));
    assert_eq!(g.state().rules[0].health, Health::Err);

    let duplicate = "groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n        labels:\n          job: same\n";
    let mut g = group(duplicate, false);
    g.eval(0, &querier, &mut &head);
    assert_eq!(
        g.state().rules[0].last_error.as_deref(),
        Some("vector contains metrics with the same labelset after applying alert labels")
    );
    let recording =
        "groups:\n  - name: g\n    rules:\n      - record: x\n        expr: up\n        labels:\n          job: same\n";
    let mut g = group(recording, false);
    g.eval(0, &querier, &mut &head);
    assert_eq!(
        g.state().rules[0].last_error.as_deref(),
        Some("vector contains metrics with the same labelset after applying rule labels")
    );
}

#[test]
fn template_errors_become_the_value() {
    let head = Head::new();
    head.append(&labels(&[("__name__", "up"), ("job", "a")]), 0, 0.0).unwrap();
    let querier = PromQuerier::new(&head, Options::default());
    let text = "groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n        annotations:\n          s: '{{ humanize \"x\" }}'\n";
    let mut g = group(text, false);
    g.eval(0, &querier, &mut &head);
    let RuleStateKind::Alerting { alerts, .. } = &g.state().rules[0].kind else { panic!() };
    let s = &alerts[0].annotations["s"];
    assert!(
        s.starts_with("<error expanding template: error executing template __alert_Down: template: __alert_Down:1:"),
        "{s}"
    );
}

#[test]
fn for_state_is_restored_after_a_restart() {
    let head = Head::new();
    let up = labels(&[("__name__", "up"), ("job", "api")]);
    for i in 0..=40 {
        head.append(&up, i * 60_000, 0.0).unwrap();
    }
    let text = "groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: 30m\n";
    let querier = PromQuerier::new(&head, Options::default());
    // Before the restart: pending since 0, ALERTS_FOR_STATE written up to 10m.
    let mut before = group(text, false);
    for i in 0..=10 {
        before.eval(i * 60_000, &querier, &mut &head);
    }
    // Restarted at 20m: two evaluations without ALERTS, then the restore.
    let mut after = group(text, true);
    let mut recorder = Recorder { head: &head, lines: Vec::new() };
    after.eval(20 * 60_000, &querier, &mut recorder);
    assert!(!after.restore_due());
    after.eval(21 * 60_000, &querier, &mut recorder);
    assert!(recorder.lines.is_empty(), "no ALERTS before the restore: {:?}", recorder.lines);
    assert!(after.restore_due());
    after.restore_for_state(21 * 60_000, &querier);
    assert!(!after.restore_due());
    // Pending 10m before going down at 10m; the 11m outage does not count: activeAt = 11m.
    let RuleStateKind::Alerting { alerts, .. } = &after.state().rules[0].kind else { panic!() };
    assert_eq!(alerts[0].active_at_ms, 11 * 60_000);
}

#[test]
fn a_reloaded_group_keeps_its_alerts_and_stales_what_no_rule_writes_anymore() {
    let head = Head::new();
    let up = labels(&[("__name__", "up"), ("job", "api")]);
    for i in 0..6 {
        head.append(&up, i * 60_000, 0.0).unwrap();
    }
    let querier = PromQuerier::new(&head, Options::default());
    let before = format!("{RULES}      - record: job:up:sum\n        expr: sum by (job) (up)\n");
    let mut old = group(&before, false);
    let mut recorder = Recorder { head: &head, lines: Vec::new() };
    for ts in [0, 60_000, 120_000] {
        old.eval(ts, &querier, &mut recorder);
    }
    let active_at = |g: &Group| match &g.state().rules[0].kind {
        RuleStateKind::Alerting { alerts, .. } => alerts.first().map(|a| (a.active_at_ms, a.state)),
        RuleStateKind::Recording => None,
    };
    let pending_since = active_at(&old);
    assert_eq!(pending_since.map(|(at, _)| at), Some(0));

    // The reloaded file drops the recording rule and keeps the alert: the alert goes on from its
    // old activeAt (so it fires at 2m, not 2m after the reload) and the recorded series goes stale.
    let mut new = group(RULES, false);
    new.adopt(old);
    recorder.lines.clear();
    new.eval(180_000, &querier, &mut recorder);
    let (at, state) = active_at(&new).unwrap();
    assert_eq!((at, state.as_str()), (0, "firing"));
    assert!(recorder.lines.contains(&r#"job:up:sum{job="api"} stale"#.to_string()), "{:?}", recorder.lines);
    // A group that is removed leaves stale markers for everything it wrote.
    let stale: Vec<String> = new.stale_markers().iter().map(|s| s.labels.to_string()).collect();
    assert!(stale.iter().any(|l| l.starts_with("ALERTS{")), "{stale:?}");
}
