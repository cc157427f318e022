//! Config loading: Alertmanager's validation messages, defaults, inheritance, and malformed input.

use lookout_alertmanager::config::{self, IntegrationConfig};

const RECEIVERS: &str = "receivers:\n- name: a\n- name: b\n";

/// Loads `yaml` and compares the error text (or "ok").
fn check(yaml: &str, expected: &str) {
    let got = match config::load(yaml) {
        Ok(_) => "ok".to_string(),
        Err(e) => e.to_string(),
    };
    assert_eq!(got, expected, "config:\n{yaml}");
}

fn with_route(route: &str) -> String {
    format!("route:\n{route}\n{RECEIVERS}")
}

#[test]
fn validation_messages() {
    check("", "no route provided in config");
    check(RECEIVERS, "no routes provided");
    check(&with_route("  group_by: [x]"), "root route must specify a default receiver");
    check(&with_route("  receiver: a\n  matchers: ['x=1']"), "root route must not have any matchers");
    check(&with_route("  receiver: a\n  match: {x: '1'}"), "root route must not have any matchers");
    check(&with_route("  receiver: a\n  continue: true"), "cannot have continue in root route");
    check(&with_route("  receiver: c"), "undefined receiver \"c\" used in route");
    check(
        &with_route("  receiver: a\n  routes:\n  - receiver: d\n    routes: [{receiver: e}]"),
        "undefined receiver \"e\" used in route",
    );
    check(&with_route("  receiver: a\n  group_by: ['a-b']"), "invalid label name \"a-b\" in group_by list");
    check(
        &with_route("  receiver: a\n  group_by: ['...', x]"),
        "cannot have wildcard group_by (`...`) and other other labels at the same time",
    );
    check(&with_route("  receiver: a\n  group_by: [x, x]"), "duplicated label \"x\" in group_by");
    check(&with_route("  receiver: a\n  group_interval: 0s"), "group_interval cannot be zero");
    check(&with_route("  receiver: a\n  repeat_interval: 0"), "repeat_interval cannot be zero");
    check(&with_route("  receiver: a\n  group_wait: 5x"), "not a valid duration string: \"5x\"");
    check(&with_route("  receiver: a\n  routes: [{match: {'1x': y}}]"), "invalid label name \"1x\"");
    check(&with_route("  receiver: a\n  routes: [{match_re: {x: ~}}]"), "invalid regexp value for \"x\"");
    check(&with_route("  receiver: a\n  routes: [{matchers: ['foo']}]"), "bad matcher format: foo");
    check(
        &with_route("  receiver: a\n  routes: [{mute_time_intervals: [night]}]"),
        "undefined time interval \"night\" used in route",
    );
    check(
        &with_route("  receiver: a\n  mute_time_intervals: [night]"),
        "root route must not have any mute time intervals",
    );
    check(
        &with_route("  receiver: a\n  active_time_intervals: [day]"),
        "root route must not have any active time intervals",
    );
    check("route: {receiver: a}\nreceivers: [{name: a}, {name: a}]", "notification config name \"a\" is not unique");
    check("route: {receiver: a}\nreceivers: [{}]", "missing name in receiver");
    check("route: {receiver: a}\nreceivers: [{name: a, email_configs: [{to: x}]}]", "no global SMTP smarthost set");
    check(
        "global: {smtp_smarthost: 'h:25'}\nroute: {receiver: a}\nreceivers: [{name: a, email_configs: [{to: x}]}]",
        "no global SMTP from set",
    );
    check(
        "route: {receiver: a}\nreceivers: [{name: a, email_configs: [{from: x}]}]",
        "missing to address in email config",
    );
    check(
        "route: {receiver: a}\nreceivers: [{name: a, email_configs: [{to: x, smarthost: h, from: f}]}]",
        "address h: missing port in address",
    );
    check(
        "route: {receiver: a}\nreceivers: [{name: a, email_configs: [{to: x, smarthost: 'h:', from: f}]}]",
        "address \"h:\": port cannot be empty",
    );
    check(
        "route: {receiver: a}\nreceivers: [{name: a, email_configs: [{to: x, headers: {subject: a, Subject: b}}]}]",
        "duplicate header \"Subject\" in email config",
    );
    check(
        "route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{channel: x}]}]",
        "no global Slack API URL set either inline or in a file",
    );
    check(
        "route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{api_url: 'http://x', api_url_file: f}]}]",
        "at most one of api_url & api_url_file must be configured",
    );
    check(
        "route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{api_url: 'http://x', actions: [{text: t}]}]}]",
        "missing type in Slack action configuration",
    );
    check(
        "route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{api_url: 'http://x', actions: [{type: b, text: t}]}]}]",
        "missing name or url in Slack action configuration",
    );
    check(
        "route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{api_url: 'http://x', fields: [{title: t}]}]}]",
        "missing value in Slack field configuration",
    );
    check(
        "route: {receiver: a}\nreceivers: [{name: a, pagerduty_configs: [{}]}]",
        "missing service or routing key in PagerDuty config",
    );
    check(
        "route: {receiver: a}\nreceivers: [{name: a, pagerduty_configs: [{routing_key: k, routing_key_file: f}]}]",
        "at most one of routing_key & routing_key_file must be configured",
    );
    check("route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{}]}]", "missing URL in webhook config");
    check(
        "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{url: 'ftp://x'}]}]",
        "unsupported scheme \"ftp\" for URL",
    );
    check(
        "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{url: 'http:///x'}]}]",
        "missing host for URL",
    );
    check(
        "global: {slack_api_url: 'http://x', slack_api_url_file: f}\nroute: {receiver: a}\nreceivers: [{name: a}]",
        "at most one of slack_api_url & slack_api_url_file must be configured",
    );
    check(
        "global: {smtp_auth_password: p, smtp_auth_password_file: f}\nroute: {receiver: a}\nreceivers: [{name: a}]",
        "at most one of smtp_auth_password & smtp_auth_password_file must be configured",
    );
    check(
        "route: {receiver: a}\nreceivers: [{name: a}]\ninhibit_rules: [{source_match: {'a b': c}}]",
        "invalid label name \"a b\"",
    );
    check(
        "route: {receiver: a}\nreceivers: [{name: a}]\ntime_intervals: [{name: x}, {name: x}]",
        "time interval \"x\" is not unique",
    );
    check(
        "route: {receiver: a}\nreceivers: [{name: a}]\nmute_time_intervals: [{name: x}]\ntime_intervals: [{name: x}]",
        "time interval \"x\" is not unique",
    );
    check(
        "route: {receiver: a}\nreceivers: [{name: a}]\nmute_time_intervals: [{time_intervals: []}]",
        "missing name in mute time interval",
    );
    check(
        "route: {receiver: a}\nreceivers: [{name: a}]\ntime_intervals: [{name: x, time_intervals: [{weekdays: [funday]}]}]",
        "funday is not a valid weekday",
    );
    check(
        "route: {receiver: a}\nreceivers: [{name: a, opsgenie_configs: [{api_key: k}]}]",
        "receiver \"a\" uses opsgenie_configs, which Lookout does not support yet (supported: email_configs, pagerduty_configs, slack_configs, webhook_configs)",
    );
    // Lookout's escalation extension.
    check(
        &with_route("  receiver: a\n  escalate: [{after: 30m, receiver: z}]"),
        "undefined receiver \"z\" used in escalate",
    );
    check(&with_route("  receiver: a\n  escalate: [{receiver: b}]"), "missing after in escalate");
    check(&with_route("  receiver: a\n  escalate: [{after: 30m, receiver: b}]"), "ok");
    // Receivers no route uses and receivers without integrations are fine.
    check(&with_route("  receiver: a"), "ok");
}

#[test]
fn unknown_keys_are_refused() {
    assert!(matches!(
        config::load("route: {receiver: a, recevier: b}\nreceivers: [{name: a}]"),
        Err(config::ConfigError::Yaml(_))
    ));
    assert!(matches!(config::load("foo: 1"), Err(config::ConfigError::Yaml(_))));
}

#[test]
fn defaults_and_inheritance() {
    let cfg = config::load(
        "global: {slack_api_url: 'https://hooks.example/x'}\nroute:\n  receiver: a\n  group_by: [alertname]\n  routes:\n  - matchers: [x=1]\n    group_wait: 1s\n    routes: [{receiver: b, group_by: []}, {receiver: b, group_by: ['...']}]\nreceivers:\n- name: a\n  slack_configs: [{channel: '#x'}]\n  webhook_configs: [{url: 'http://h/'}]\n- name: b\n  pagerduty_configs: [{routing_key: k}]\n",
    )
    .unwrap();
    assert_eq!(cfg.global.resolve_timeout_ms, 300_000);
    let routes: Vec<_> = cfg.route.ids().map(|id| cfg.route.get(id)).collect();
    assert_eq!(routes[1].key, "{}/{x=\"1\"}");
    assert_eq!(
        (routes[1].opts.group_wait_ms, routes[1].opts.group_interval_ms, routes[1].opts.repeat_interval_ms),
        (1000, 300_000, 14_400_000)
    );
    assert_eq!(routes[2].opts.group_by.iter().collect::<Vec<_>>(), ["alertname"]);
    assert_eq!((routes[2].opts.receiver.as_str(), routes[2].opts.group_wait_ms), ("b", 1000));
    assert!(routes[3].opts.group_by_all);
    let a = cfg.receiver("a").unwrap();
    // Alertmanager builds webhooks before slack, whatever the file order.
    assert_eq!(
        a.integrations.iter().map(|i| (i.kind(), i.send_resolved)).collect::<Vec<_>>(),
        [("webhook", true), ("slack", false)]
    );
    let IntegrationConfig::Slack(slack) = &a.integrations[1].config else { panic!("slack") };
    assert_eq!(slack.api_url.as_deref(), Some("https://hooks.example/x"));
    assert_eq!(slack.title, "{{ template \"slack.default.title\" . }}");
    let IntegrationConfig::PagerDuty(pd) = &cfg.receiver("b").unwrap().integrations[0].config else { panic!("pd") };
    assert_eq!(pd.url, "https://events.pagerduty.com/v2/enqueue");
    assert_eq!(pd.source, pd.client);
    assert_eq!(pd.details.len(), 4);
}

#[test]
fn malformed_yaml_never_panics() {
    let simple = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/conformance/alertmanager/simple.yml");
    let base = std::fs::read_to_string(simple).expect("the conformance simple.yml is readable");
    let mut inputs: Vec<String> = [
        "{",
        "[",
        "route: [",
        "route: 5",
        "receivers: {a: 1}",
        ":",
        "- - -",
        "\u{0}",
        "route: {routes: [[]]}",
        "global: {resolve_timeout: '-1s'}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Every prefix and a byte-flipped copy of a real config.
    for cut in (0..base.len()).step_by(37) {
        if base.is_char_boundary(cut) {
            inputs.push(base[..cut].to_string());
            inputs.push(base[..cut].replace(':', "\""));
        }
    }
    for input in inputs {
        let _ = config::load(&input);
    }
}

/// What `/api/v2/status` shows keeps every secret out: passwords, Slack and webhook URLs,
/// routing keys, bearer credentials; and amtool's loader (ours too) still reads it back.
#[test]
fn the_shown_config_hides_secrets() {
    let yaml = "global:\n  smtp_auth_password: mail-secret\n  slack_api_url: https://hooks.slack.com/services/T0/B0/slack-secret\n\
                route:\n  receiver: all\nreceivers:\n- name: all\n  webhook_configs:\n  - url: https://hooks.example.com/hook/webhook-secret\n    http_config:\n      authorization:\n        credentials: bearer-secret\n\
                \x20 pagerduty_configs:\n  - routing_key: pd-secret\n  email_configs:\n  - to: a@example.com\n    from: b@example.com\n    smarthost: smtp.example.com:587\n    auth_password: other-mail-secret\n";
    let cfg = config::load(yaml).unwrap_or_else(|e| panic!("{e}"));
    for secret in ["mail-secret", "slack-secret", "webhook-secret", "bearer-secret", "pd-secret", "other-mail-secret"] {
        assert!(!cfg.original.contains(secret), "{secret} shown:\n{}", cfg.original);
    }
    assert!(cfg.original.contains("to: a@example.com"), "{}", cfg.original);
    assert!(config::load(&cfg.original).is_ok(), "the shown config loads:\n{}", cfg.original);
}
