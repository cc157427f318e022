//! API v2 views: alert status, `/alerts` filters (incl. the empty-value rules), `/alerts/groups` order.

use lookout_alertmanager::alert::{AlertStore, PostableAlert, ingest};
use lookout_alertmanager::config;
use lookout_alertmanager::dispatch::Dispatcher;
use lookout_alertmanager::inhibit::Inhibitor;
use lookout_alertmanager::labels::label_set;
use lookout_alertmanager::matchers::MatchType;
use lookout_alertmanager::silence::{Silence, SilenceMatcher, Silences};
use lookout_alertmanager::status::{AlertFilter, StatusContext, list_alerts, list_groups};

const NOW: i64 = 1_700_000_000_000;

const CONFIG: &str = "
route:
  receiver: a
  group_by: [alertname]
  routes:
  - {matchers: [team=x], receiver: b, continue: true}
  - {matchers: [team=x], receiver: c}
inhibit_rules:
- {source_matchers: [severity=critical], target_matchers: [severity=warning], equal: [alertname]}
receivers: [{name: a}, {name: b}, {name: c}]
";

struct World {
    cfg: config::Config,
    store: AlertStore,
    silences: Silences,
    dispatcher: Dispatcher,
}

fn world() -> World {
    let cfg = config::load(CONFIG).unwrap();
    let mut store = AlertStore::new();
    let mut dispatcher = Dispatcher::new(cfg.route.clone());
    for spec in [
        "alertname=A severity=critical",
        "alertname=A severity=warning",
        "alertname=B team=x",
        "alertname=C env=prod",
        "alertname=D",
    ] {
        let labels = label_set(spec.split_whitespace().map(|kv| kv.split_once('=').unwrap()));
        let a = store.put(ingest(PostableAlert { labels, ..Default::default() }, NOW, 300_000).unwrap(), NOW);
        dispatcher.insert(&a, NOW * 1000);
    }
    let resolved = ingest(
        PostableAlert { labels: label_set([("alertname", "Old")]), ends_at: Some(NOW - 1), ..Default::default() },
        NOW,
        300_000,
    )
    .unwrap();
    store.put(resolved, NOW);
    let mut silences = Silences::new();
    let sil = Silence {
        id: String::new(),
        matchers: vec![SilenceMatcher { name: "alertname".into(), value: "D".into(), op: MatchType::Equal }],
        starts_at: NOW,
        ends_at: NOW + 60_000,
        updated_at: 0,
        created_by: "me".into(),
        comment: "c".into(),
    };
    silences.set(sil, NOW, || [3; 16]).unwrap();
    World { cfg, store, silences, dispatcher }
}

/// Lists alerts with `filter`/flags/receiver and compares `alertname[:state][@receivers]` strings.
fn check(filter: &[&str], flags: (bool, bool, bool), receiver: Option<&str>, expected: &[&str]) {
    let w = world();
    let inhibitor = Inhibitor::new(&w.cfg.inhibit_rules, &w.store, NOW);
    let ctx =
        StatusContext { config: &w.cfg, alerts: &w.store, inhibitor: &inhibitor, silences: &w.silences, now: NOW };
    let filter: Vec<String> = filter.iter().map(|s| s.to_string()).collect();
    let f = AlertFilter::new(&filter, flags.0, flags.1, flags.2, receiver).unwrap();
    let mut got: Vec<String> = list_alerts(&ctx, &f)
        .iter()
        .map(|a| {
            format!(
                "{}{}:{}@{}",
                a.alert.labels["alertname"],
                a.alert.labels.get("severity").map_or("", |s| &s[..1]),
                a.status.state.as_str(),
                a.receivers.join("+")
            )
        })
        .collect();
    got.sort();
    assert_eq!(got, expected, "filter {filter:?} flags {flags:?} receiver {receiver:?}");
}

#[test]
fn alert_filters() {
    let all = ["Ac:active@a", "Aw:suppressed@a", "B:active@b+c", "C:active@a", "D:suppressed@a"];
    check(&[], (true, true, true), None, &all);
    check(&[], (true, false, false), None, &["Ac:active@a", "B:active@b+c", "C:active@a"]);
    check(&[], (false, true, true), None, &["Aw:suppressed@a", "D:suppressed@a"]);
    check(&["alertname=A"], (true, true, true), None, &["Ac:active@a", "Aw:suppressed@a"]);
    // Empty `=` value passes when the label is absent; empty `!=` passes when it is present.
    check(&["env="], (true, true, true), None, &["Ac:active@a", "Aw:suppressed@a", "B:active@b+c", "D:suppressed@a"]);
    check(&["env!="], (true, true, true), None, &["C:active@a"]);
    check(&["env=~prod"], (true, true, true), None, &["C:active@a"]);
    check(&[], (true, true, true), Some("c"), &["B:active@b+c"]);
    check(&[], (true, true, true), Some("b|c"), &["B:active@b+c"]);
    check(&[], (true, true, true), Some(".."), &[]);
}

#[test]
fn filter_errors() {
    assert_eq!(
        AlertFilter::new(&["foo".into()], true, true, true, None).unwrap_err().to_string(),
        "bad matcher format: foo"
    );
    assert_eq!(
        AlertFilter::new(&[], true, true, true, Some("(")).unwrap_err().to_string(),
        "failed to parse receiver param: error parsing regexp: unclosed group"
    );
}

#[test]
fn groups_listing() {
    let w = world();
    let inhibitor = Inhibitor::new(&w.cfg.inhibit_rules, &w.store, NOW);
    let ctx =
        StatusContext { config: &w.cfg, alerts: &w.store, inhibitor: &inhibitor, silences: &w.silences, now: NOW };
    let f = AlertFilter::new(&[], true, true, true, None).unwrap();
    let groups: Vec<String> = list_groups(&ctx, &w.dispatcher, &f)
        .iter()
        .map(|g| {
            format!(
                "{}@{}:{}",
                g.labels["alertname"],
                g.receiver,
                g.alerts.iter().map(|a| a.receivers.join("+")).collect::<Vec<_>>().join(",")
            )
        })
        .collect();
    assert_eq!(groups, ["A@a:a,a", "B@b:b+c", "B@c:b+c", "C@a:a", "D@a:a"]);
    let f = AlertFilter::new(&[], true, false, false, Some("a")).unwrap();
    assert_eq!(list_groups(&ctx, &w.dispatcher, &f).len(), 2);
}
