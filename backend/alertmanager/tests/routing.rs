//! The conformance `simple.yml`: it loads, and routes label sets as Alertmanager (and amtool) do.

use std::process::Command;

use lookout_alertmanager::config::{self, Config};
use lookout_alertmanager::labels::{LabelSet, label_set};

/// The shared conformance material lives beside the workspace, not inside it.
const SIMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/conformance/alertmanager/simple.yml");

fn simple() -> Config {
    let text = std::fs::read_to_string(SIMPLE).expect("simple.yml is readable");
    config::load(&text).expect("simple.yml loads")
}

fn labels(spec: &str) -> LabelSet {
    label_set(spec.split_whitespace().map(|kv| kv.split_once('=').expect("k=v")))
}

/// The label sets every routing test runs, with the receivers Alertmanager's `Route.Match` gives.
const CASES: &[(&str, &str)] = &[
    ("alertname=X", "team-X-mails"),
    ("service=foo1", "team-X-mails"),
    ("service=foo1 severity=critical", "team-X-pager"),
    ("service=foo2 severity=warning", "team-X-mails"),
    ("service=foo12 severity=critical", "team-X-mails"),
    ("service=baz severity=critical", "team-X-pager"),
    ("service=files", "team-Y-mails"),
    ("service=files severity=critical", "team-Y-pager"),
    ("service=database", "team-DB-pager"),
    ("service=database owner=team-X", "team-X-pager"),
    ("service=database owner=team-Y", "team-Y-pager"),
    ("service=database owner=team-Z severity=critical", "team-DB-pager"),
    ("service=other severity=critical", "team-X-mails"),
];

fn check(cfg: &Config, spec: &str, expected: &str) {
    assert_eq!(cfg.route.receivers(&labels(spec)).join(","), expected, "labels {spec}");
}

#[test]
fn simple_yml_routes() {
    let cfg = simple();
    for (spec, expected) in CASES {
        check(&cfg, spec, expected);
    }
}

#[test]
fn simple_yml_loads_with_its_details() {
    let cfg = simple();
    assert_eq!(
        cfg.receivers.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["team-X-mails", "team-X-pager", "team-Y-mails", "team-Y-pager", "team-DB-pager"]
    );
    assert_eq!(cfg.templates, ["/etc/alertmanager/template/*.tmpl"]);
    assert_eq!(cfg.inhibit_rules.len(), 1);
    assert_eq!(cfg.inhibit_rules[0].source.to_string(), "{severity=\"critical\"}");
    assert!(cfg.original.contains("team-DB-pager"));
    let pager = cfg.receiver("team-X-pager").unwrap();
    assert_eq!(pager.integrations.iter().map(|i| i.kind()).collect::<Vec<_>>(), ["email", "pagerduty"]);
    // Route and group keys.
    let l = labels("alertname=X cluster=eu1 service=files severity=critical");
    let ids = cfg.route.matches(&l);
    assert_eq!(ids.len(), 1);
    let group = cfg.route.group_labels(ids[0], &l);
    assert_eq!(
        cfg.route.group_key(ids[0], &group),
        "{}/{service=\"files\"}/{severity=\"critical\"}:{alertname=\"X\", cluster=\"eu1\", service=\"files\"}"
    );
    let db = cfg.route.matches(&labels("alertname=Y service=database database=main"));
    assert_eq!(cfg.route.get(db[0]).opts.repeat_interval_ms, 3 * 3_600_000);
    assert_eq!(
        cfg.route.group_labels(db[0], &labels("alertname=Y service=database database=main x=1")),
        labels("alertname=Y database=main")
    );
}

/// Asks amtool 0.25 (Debian's `prometheus-alertmanager`) for each case and compares with ours.
/// amtool 0.25 predates the `tracing` key, so it reads a copy of simple.yml without it.
#[test]
fn routing_agrees_with_amtool() {
    let amtool = "/usr/bin/amtool";
    assert!(
        std::path::Path::new(amtool).exists(),
        "amtool is missing: install it with `apt-get install -y prometheus-alertmanager` to compare routing with Alertmanager 0.25"
    );
    let text = std::fs::read_to_string(SIMPLE).unwrap();
    let without_tracing = text.split("\ntracing:").next().unwrap();
    let path = std::env::temp_dir().join(format!("lookout-am-simple-{}.yml", std::process::id()));
    std::fs::write(&path, without_tracing).unwrap();
    let cfg = simple();
    let mut extra =
        vec!["service=database owner=team-X severity=critical", "owner=team-X", "service=files severity=warning"];
    extra.extend(CASES.iter().map(|(spec, _)| *spec));
    for spec in extra {
        let out = Command::new(amtool)
            .args(["config", "routes", "test", &format!("--config.file={}", path.display())])
            .args(spec.split_whitespace())
            .output()
            .expect("amtool runs");
        let theirs = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(out.status.success(), "amtool failed for {spec}: {}", String::from_utf8_lossy(&out.stderr));
        check(&cfg, spec, &theirs);
    }
    let _ = std::fs::remove_file(&path);
}
