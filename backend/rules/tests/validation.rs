//! Rule-file validation: bad files and the exact messages Prometheus 2.42's `promtool check
//! rules` prints for them (taken from its output), plus Lookout's `source: logs` checks.

use lookout_rules::{RuleKind, Source, file};

fn check(text: &str, expected: &[&str]) {
    let got: Vec<String> = match file::parse("rules.yml", text) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    };
    assert_eq!(got, expected, "for\n{text}");
}

#[test]
fn prometheus_messages() {
    check(
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up >\n",
        &[
            r#"rules.yml: 5:15: group "g", rule 1, "A": could not parse expression: 1:5: parse error: unexpected end of input"#,
        ],
    );
    check(
        "groups:\n  - name: g\n    rules:\n      - record: r\n        alert: A\n        expr: up\n      - expr: up\n",
        &[
            r#"rules.yml: 4:17: 5:16: group "g", rule 1, "A": only one of 'record' and 'alert' must be set"#,
            r#"rules.yml: 0:0: group "g", rule 2, "": one of 'record' or 'alert' must be set"#,
        ],
    );
    check(
        "groups:\n  - name: g\n    rules:\n      - record: bad-name\n        expr: up\n        for: 5m\n        annotations:\n          a: b\n",
        &[
            r#"rules.yml: 4:17: group "g", rule 1, "bad-name": invalid field 'annotations' in recording rule"#,
            r#"rules.yml: 4:17: group "g", rule 1, "bad-name": invalid field 'for' in recording rule"#,
            r#"rules.yml: 4:17: group "g", rule 1, "bad-name": invalid recording rule name: bad-name"#,
        ],
    );
    check(
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotation:\n          a: b\n",
        &["rules.yml: yaml: unmarshal errors:\n  line 6: field annotation not found in type rulefmt.RuleNode"],
    );
    check(
        "groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n  - name: \"\"\n    rules: []\n",
        &[
            r#"rules.yml: 4:5: groupname: "g" is repeated in the same file"#,
            "rules.yml: 6:5: Groupname must not be empty",
        ],
    );
    check(
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        labels:\n          __name__: x\n        annotations:\n          s: \"{{ $foo }}\"\n",
        &[
            r#"rules.yml: group "g", rule 1, "A": invalid label name: __name__"#,
            r#"rules.yml: group "g", rule 1, "A": annotation "s": template: __alert_A:1: undefined variable "$foo""#,
        ],
    );
    check(
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        for: 5x\n",
        &[r#"rules.yml: not a valid duration string: "5x""#],
    );
    check(
        "groups:\n  - name: g\n    rules:\n      - alert: A\n",
        &[r#"rules.yml: 0:0: group "g", rule 1, "A": field 'expr' must be set in rule"#],
    );
    check("", &[]);
    check(
        "groups:\n  - name: g\n    limit: lots\n",
        &["rules.yml: yaml: unmarshal errors:\n  line 3: cannot unmarshal !!str `lots` into int"],
    );
    // Syntax errors carry yaml.v3's prefix and line; the wording after it is yaml-rust2's.
    let syntax = file::parse("rules.yml", "groups: [\n").unwrap_err();
    assert!(syntax[0].to_string().starts_with("rules.yml: yaml: line 2: "), "{}", syntax[0]);
}

#[test]
fn valid_file_is_typed() {
    let parsed = file::parse(
        "rules.yml",
        "groups:\n  - name: g\n    interval: 30s\n    limit: 5\n    rules:\n      - alert: A\n        expr: up == 0\n        for: 5m\n        keep_firing_for: 1m\n        labels: {severity: page}\n",
    )
    .unwrap();
    let group = &parsed.groups[0];
    assert_eq!((group.interval_ms, group.limit, group.source), (Some(30_000), 5, Source::Metrics));
    assert_eq!(group.rules[0].expr, "up == 0");
    assert!(matches!(group.rules[0].kind, RuleKind::Alerting { for_ms: 300_000, keep_firing_for_ms: 60_000, .. }));
}

#[test]
fn logs_groups_take_logql_metric_queries() {
    let logs = |expr: &str| {
        format!("groups:\n  - name: l\n    source: logs\n    rules:\n      - alert: A\n        expr: '{expr}'\n")
    };
    let parsed =
        file::parse("rules.yml", &logs(r#"sum(count_over_time({level="ERROR"} |= "pool exhausted" [5m])) > 10"#));
    assert_eq!(parsed.unwrap().groups[0].source, Source::Logs);
    check(
        &logs(r#"{level="ERROR"} |= "pool exhausted""#),
        &[
            "rules.yml: 6:15: group \"l\", rule 1, \"A\": could not parse expression: a log query is not a metric query; \
           rules with `source: logs` need one such as sum(count_over_time({level=\"ERROR\"}[5m])) > 10",
        ],
    );
    let bad = file::parse("rules.yml", &logs("sum(")).unwrap_err();
    assert!(bad[0].to_string().contains("could not parse expression: parse error at line 1"), "{}", bad[0]);
    check(
        "groups:\n  - name: l\n    source: traces\n",
        &["rules.yml: yaml: unmarshal errors:\n  line 3: invalid source \"traces\": must be \"metrics\" or \"logs\""],
    );
}
