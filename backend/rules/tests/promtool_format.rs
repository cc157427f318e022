//! Runs promtool's rule unit-test files (`tests/testdata/*_test.yml`: `rule_files`,
//! `evaluation_interval`, `tests[]` with `input_series`, `alert_rule_test`, `promql_expr_test`)
//! through Lookout's rules, as `promtool test rules` does; and runs Prometheus's own promtool on
//! the same files, so the expectations are Prometheus's.

use std::path::{Path, PathBuf};
use std::process::Command;

use lookout_promql::{Options, QueryValue, eval_instant, parse, series};
use lookout_rules::{Group, GroupOptions, PromQuerier, RuleStateKind, Source, file, glob, parse_duration};
use lookout_tsdb::{Head, Labels};
use yaml_rust2::{Yaml, YamlLoader};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata")
}

fn test_files() -> Vec<PathBuf> {
    let mut files = glob::expand(&testdata(), &["*_test.yml".into()]).unwrap();
    files.sort();
    files
}

#[test]
fn rule_unit_tests_pass() {
    let files = test_files();
    assert!(!files.is_empty());
    let mut failures = Vec::new();
    for path in &files {
        let errors = run_file(path);
        println!("{}: {}", path.display(), if errors.is_empty() { "SUCCESS" } else { "FAILED" });
        failures.extend(errors.into_iter().map(|e| format!("{}: {e}", path.display())));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Prometheus's promtool must agree with every file that does not use `source: logs`.
#[test]
fn promtool_agrees() {
    let promtool = Path::new("/usr/bin/promtool");
    assert!(
        promtool.exists(),
        "/usr/bin/promtool is missing: `make test` installs Debian's prometheus package, which provides it"
    );
    for path in test_files() {
        if uses_logs(&path) {
            println!("{}: skipped (source: logs is Lookout's extension)", path.display());
            continue;
        }
        let out = Command::new(promtool).arg("test").arg("rules").arg(&path).output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        println!("{text}");
        assert!(out.status.success(), "promtool failed on {}:\n{text}", path.display());
    }
}

fn uses_logs(test_file: &Path) -> bool {
    let doc = load_yaml(test_file);
    rule_files(test_file, &doc).iter().any(|f| std::fs::read_to_string(f).unwrap().contains("source: logs"))
}

fn load_yaml(path: &Path) -> Yaml {
    let text = std::fs::read_to_string(path).unwrap();
    YamlLoader::load_from_str(&text).unwrap().into_iter().next().unwrap_or(Yaml::Null)
}

fn rule_files(test_file: &Path, doc: &Yaml) -> Vec<PathBuf> {
    let patterns: Vec<String> =
        doc["rule_files"].as_vec().into_iter().flatten().filter_map(|p| p.as_str().map(String::from)).collect();
    glob::expand(test_file.parent().unwrap(), &patterns).unwrap()
}

fn duration(value: &Yaml, default: i64) -> i64 {
    value.as_str().map_or(default, |s| parse_duration(s).unwrap())
}

fn run_file(path: &Path) -> Vec<String> {
    let doc = load_yaml(path);
    let eval_interval = duration(&doc["evaluation_interval"], 60_000);
    let mut defs = Vec::new();
    for rule_file in rule_files(path, &doc) {
        match file::load(&rule_file) {
            Ok(parsed) => defs.extend(parsed.groups.into_iter().map(|g| (rule_file.display().to_string(), g))),
            Err(errors) => return errors.iter().map(ToString::to_string).collect(),
        }
    }
    let mut errors = Vec::new();
    for test in doc["tests"].as_vec().into_iter().flatten() {
        let interval = duration(&test["interval"], 60_000);
        let options = GroupOptions { default_interval_ms: interval, ..GroupOptions::default() };
        let mut groups: Vec<Group> = defs.iter().map(|(f, d)| Group::new(f, d, &options, false)).collect();
        let head = load_series(test, interval);
        let alert_tests: Vec<&Yaml> = test["alert_rule_test"].as_vec().into_iter().flatten().collect();
        let expr_tests: Vec<&Yaml> = test["promql_expr_test"].as_vec().into_iter().flatten().collect();
        let max_time = alert_tests.iter().chain(&expr_tests).map(|t| duration(&t["eval_time"], 0)).max().unwrap_or(0);
        let promql = PromQuerier::new(&head, Options { default_subquery_step_ms: eval_interval, ..Options::default() });
        let mut ts = 0;
        while ts <= max_time {
            for group in &mut groups {
                assert_eq!(group.source(), Source::Metrics, "the runner evaluates PromQL groups only");
                group.eval(ts, &promql, &mut &head);
                for rule in group.state().rules {
                    if let Some(e) = rule.last_error {
                        errors.push(format!("rule: {}, time: {ts}ms, err: {e}", rule.name));
                    }
                }
            }
            for t in &alert_tests {
                let at = duration(&t["eval_time"], 0);
                if ts <= at && at < ts + eval_interval {
                    check_alerts(&groups, t, &mut errors);
                }
            }
            ts += eval_interval;
        }
        for t in &expr_tests {
            check_expr(&head, t, &mut errors);
        }
    }
    errors
}

fn load_series(test: &Yaml, interval: i64) -> Head {
    let head = Head::new();
    for series in test["input_series"].as_vec().into_iter().flatten() {
        let labels = series::labels(series["series"].as_str().unwrap()).unwrap_or_else(|e| panic!("{e}"));
        let values = series::values(series["values"].as_str().unwrap_or("")).unwrap_or_else(|e| panic!("{e}"));
        for (k, value) in values.into_iter().enumerate() {
            if let Some(v) = value {
                head.append(&labels, k as i64 * interval, v).unwrap();
            }
        }
    }
    head
}

type AlertSet = Vec<(Labels, Labels)>;

fn check_alerts(groups: &[Group], test: &Yaml, errors: &mut Vec<String>) {
    let name = test["alertname"].as_str().unwrap();
    let mut got: AlertSet = Vec::new();
    for group in groups {
        for rule in group.state().rules.into_iter().filter(|r| r.name == name) {
            if let RuleStateKind::Alerting { alerts, .. } = rule.kind {
                got.extend(
                    alerts
                        .into_iter()
                        .filter(|a| a.state == lookout_rules::AlertStatus::Firing)
                        .map(|a| (a.labels, Labels::from_pairs(a.annotations))),
                );
            }
        }
    }
    let mut want: AlertSet = test["exp_alerts"]
        .as_vec()
        .into_iter()
        .flatten()
        .map(|a| {
            let mut labels = string_map(&a["exp_labels"]);
            labels.push(("alertname".into(), name.into()));
            (Labels::from_pairs(labels), Labels::from_pairs(string_map(&a["exp_annotations"])))
        })
        .collect();
    got.sort();
    want.sort();
    if got != want {
        errors.push(format!("alertname: {name}, time: {:?},\n  exp: {want:?}\n  got: {got:?}", test["eval_time"]));
    }
}

fn string_map(value: &Yaml) -> Vec<(String, String)> {
    let scalar = |v: &Yaml| match v {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        _ => String::new(),
    };
    value.as_hash().into_iter().flatten().map(|(k, v)| (scalar(k), scalar(v))).collect()
}

fn check_expr(head: &Head, test: &Yaml, errors: &mut Vec<String>) {
    let expr = test["expr"].as_str().unwrap();
    let at = duration(&test["eval_time"], 0);
    let parsed = parse(expr).unwrap();
    let mut got: Vec<(Labels, f64)> = match eval_instant(head, &parsed, at, &Options::default()) {
        Ok(QueryValue::Vector(rows)) => rows,
        Ok(QueryValue::Scalar(v)) => vec![(Labels::default(), v)],
        other => return errors.push(format!("expr: {expr:?}: {other:?}")),
    };
    let mut want: Vec<(Labels, f64)> = test["exp_samples"]
        .as_vec()
        .into_iter()
        .flatten()
        .map(|s| {
            let value = match &s["value"] {
                Yaml::Real(r) => r.parse().unwrap(),
                Yaml::Integer(i) => *i as f64,
                other => panic!("bad value {other:?}"),
            };
            (series::labels(s["labels"].as_str().unwrap()).unwrap_or_else(|e| panic!("{e}")), value)
        })
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    want.sort_by(|a, b| a.0.cmp(&b.0));
    if got != want {
        errors.push(format!("expr: {expr:?}, time: {at}ms,\n  exp: {want:?}\n  got: {got:?}"));
    }
}
