//! Alertmanager's functions, its notification data (KV methods, the alert list's `Firing` and
//! `Resolved`), Lookout's default templates, and Alertmanager's own default templates when a
//! copy is at hand.

use std::path::PathBuf;

use lookout_template::alertmanager::{Alert, AlertStatus, Data, Kv, default_template};
use lookout_template::{Record, Template, Time, Value, funcs};

fn kv(pairs: &[(&str, &str)]) -> Kv {
    pairs.iter().copied().collect()
}

/// Two firing HighErrorRate alerts of the payment service, grouped by alert name, and one
/// resolved alert when `with_resolved`.
fn sample(with_resolved: bool) -> Data {
    let start = Time::from_unix(1_700_000_000, 0);
    let labels = |instance: &str| {
        kv(&[
            ("alertname", "HighErrorRate"),
            ("instance", instance),
            ("service", "payment-service"),
            ("severity", "critical"),
        ])
    };
    let annotations = |description: &str| kv(&[("summary", "Error rate above 5%"), ("description", description)]);
    let source = "http://lookout.example.com/graph?g0.expr=errors";
    let mut alerts = vec![
        Alert::new(AlertStatus::Firing, labels("10.0.0.1:8080"), annotations("5.2% of requests fail"), start, source),
        Alert::new(AlertStatus::Firing, labels("10.0.0.2:8080"), annotations("7.9% of requests fail"), start, source),
    ];
    if with_resolved {
        let resolved = Alert::new(AlertStatus::Resolved, labels("10.0.0.3:8080"), annotations("fine again"), start, "")
            .ended_at(Time::from_unix(1_700_000_600, 0));
        alerts.push(resolved);
    }
    Data::new("team-payments", kv(&[("alertname", "HighErrorRate")]), alerts, "http://lookout.example.com")
}

fn am_set() -> Template {
    Template::new("").funcs(funcs::alertmanager::functions())
}

/// `text`, with Alertmanager's functions, renders on `data` as `expected`.
fn check(text: &str, data: &Value, expected: &str) {
    match am_set().render(text, data) {
        Ok(out) => assert_eq!(out, expected, "{text}"),
        Err(e) => panic!("{text}: {e}"),
    }
}

#[test]
fn functions() {
    let list = Value::list(["a", "b", "c"]);
    for (text, data, expected) in [
        ("{{ \"abc\" | toUpper }} {{ \"ABC\" | toLower }} {{ \"aa bb CC\" | title }}", &Value::Nil, "ABC abc Aa Bb Cc"),
        ("{{ if match \"^a\" \"abc\" }}abc{{ end }}{{ if match \"abcd\" \"abc\" }}no{{ end }}", &Value::Nil, "abc"),
        ("{{ . | join \",\" }}", &list, "a,b,c"),
        ("{{ join \" \" (stringSlice \"x\" \"y\") }}", &Value::Nil, "x y"),
        ("{{ \"<b>\" }} {{ \"<b>\" | safeHtml }}", &Value::Nil, "<b> <b>"),
        ("{{ reReplaceAll \"ab\" \"AB\" \"abcdabcda\" }}", &Value::Nil, "ABcdABcda"),
        ("[{{ trimSpace \"  x y \\n\" }}]", &Value::Nil, "[x y]"),
    ] {
        check(text, data, expected);
    }
    let e = am_set().render("{{ join \",\" (stringSlice \"a\") 1 }}", &Value::Nil).unwrap_err();
    assert!(e.to_string().contains("wrong number of args for join: want 2 got 3"), "{e}");
    let e = am_set().render("{{ join \",\" . }}", &Value::list([1])).unwrap_err();
    assert!(e.to_string().contains("wrong type for value; expected []string; got []interface {}"), "{e}");
}

#[test]
fn kv_methods() {
    let data = Data {
        group_labels: kv(&[("key1", "key1"), ("key2", "key2"), ("key3", "key3"), ("key4", "key4")]),
        ..sample(false)
    }
    .to_value();
    for (text, expected) in [
        // Alertmanager's own test of stringSlice and Remove.
        (
            "{{ with .GroupLabels }}{{ with .Remove (stringSlice \"key1\" \"key3\") }}{{ .SortedPairs.Values }}{{ end }}{{ end }}",
            "[key2 key4]",
        ),
        (
            "{{ .CommonLabels.alertname }} [{{ .CommonLabels.missing }}] {{ index .CommonLabels \"service\" }}",
            "HighErrorRate [] payment-service",
        ),
        ("{{ .CommonLabels.Names }}", "[alertname service severity]"),
        ("{{ .CommonLabels.Values | join \"/\" }}", "HighErrorRate/payment-service/critical"),
        (
            "{{ range .CommonLabels.SortedPairs }}{{ .Name }}={{ .Value }};{{ end }}",
            "alertname=HighErrorRate;service=payment-service;severity=critical;",
        ),
        ("{{ .CommonLabels.SortedPairs.Names }}", "[alertname service severity]"),
        (
            "{{ range $k, $v := .CommonLabels }}{{ $k }}:{{ $v }} {{ end }}",
            "alertname:HighErrorRate service:payment-service severity:critical ",
        ),
        (
            "{{ len .CommonLabels }} {{ len .CommonAnnotations }} {{ .CommonAnnotations.summary }}",
            "3 1 Error rate above 5%",
        ),
        ("{{ .CommonLabels }}", "map[alertname:HighErrorRate service:payment-service severity:critical]"),
        ("{{ (.CommonLabels.Remove .GroupLabels.Names).Names }}", "[alertname service severity]"),
        ("{{ .GroupLabels.Names | .CommonLabels.Remove | len }}", "3"),
        ("{{ index .CommonLabels.SortedPairs 0 }}", "{alertname HighErrorRate}"),
    ] {
        check(text, &data, expected);
    }
    let e = am_set().render("{{ .CommonLabels.Remove }}", &data).unwrap_err();
    assert!(e.to_string().ends_with("error calling Remove: wrong number of args for Remove: want 1 got 0"), "{e}");
}

#[test]
fn alerts_and_data() {
    let data = sample(true).to_value();
    for (text, expected) in [
        ("{{ .Receiver }} {{ .Status }} {{ .ExternalURL }}", "team-payments firing http://lookout.example.com"),
        ("{{ len .Alerts }} {{ .Alerts.Firing | len }} {{ len .Alerts.Resolved }}", "3 2 1"),
        (
            "{{ range .Alerts.Resolved }}{{ .Labels.instance }} {{ .Status }} {{ .EndsAt }}{{ end }}",
            "10.0.0.3:8080 resolved 2023-11-14 22:23:20 +0000 UTC",
        ),
        (
            "{{ range .Alerts.Firing }}{{ .EndsAt.IsZero }} {{ .EndsAt }};{{ end }}",
            "true 0001-01-01 00:00:00 +0000 UTC;true 0001-01-01 00:00:00 +0000 UTC;",
        ),
        ("{{ (index .Alerts 1).Annotations.description }}", "7.9% of requests fail"),
        (
            "{{ with index .Alerts 0 }}{{ .StartsAt.Format \"Jan 2 15:04 MST\" }} {{ .StartsAt.Unix }} {{ .Fingerprint }}{{ end }}",
            "Nov 14 22:13 UTC 1700000000 689c4c0b674be6a2",
        ),
        ("{{ range .Alerts }}{{ .Status | title }} {{ end }}", "Firing Firing Resolved "),
        ("{{ if .Alerts.Resolved }}some resolved{{ end }}", "some resolved"),
        ("{{ .Receiver | urlquery }}", "team-payments"),
    ] {
        check(text, &data, expected);
    }
    let e = am_set().render("{{ .Nope }}", &data).unwrap_err();
    assert!(e.to_string().ends_with("can't evaluate field Nope in type template.Data"), "{e}");
}

const SUBJECT: &str = "[FIRING:2] HighErrorRate (payment-service critical)";
const LINK: &str = "http://lookout.example.com/alerts?receiver=team-payments";

/// A definition of the default set, invoked on `data`, renders as `expected`.
fn check_default(name: &str, data: &Value, expected: &str) {
    let text = format!("{{{{ template \"{name}\" . }}}}");
    match default_template().render(&text, data) {
        Ok(out) => assert_eq!(out, expected, "{name}"),
        Err(e) => panic!("{name}: {e}"),
    }
}

const FIRING_LIST: &str = "\
* HighErrorRate since 2023-11-14 22:13:20 UTC
  description: 5.2% of requests fail
  summary: Error rate above 5%
  labels: alertname=HighErrorRate, instance=10.0.0.1:8080, service=payment-service, severity=critical
  source: http://lookout.example.com/graph?g0.expr=errors
* HighErrorRate since 2023-11-14 22:13:20 UTC
  description: 7.9% of requests fail
  summary: Error rate above 5%
  labels: alertname=HighErrorRate, instance=10.0.0.2:8080, service=payment-service, severity=critical
  source: http://lookout.example.com/graph?g0.expr=errors
";

#[test]
fn lookout_defaults() {
    let data = sample(false).to_value();
    for (name, expected) in [
        ("slack.default.title", SUBJECT),
        ("email.default.subject", SUBJECT),
        ("pagerduty.default.description", SUBJECT),
        ("opsgenie.default.message", SUBJECT),
        ("slack.default.text", ""),
        ("slack.default.username", "Lookout"),
        ("slack.default.titlelink", LINK),
        ("slack.default.fallback", &format!("{SUBJECT} | {LINK}")),
        ("opsgenie.default.description", &format!("Error rate above 5%\n\nFiring:\n{FIRING_LIST}")),
        ("wechat.default.message", &format!("{SUBJECT}\nError rate above 5%\n\nFiring:\n{FIRING_LIST}{LINK}")),
    ] {
        check_default(name, &data, expected);
    }
    let instances =
        default_template().render("{{ template \"pagerduty.default.instances\" .Alerts.Firing }}", &data).unwrap();
    assert_eq!(instances, FIRING_LIST);
}

#[test]
fn lookout_defaults_for_other_groups() {
    let resolved = Data::new(
        "r",
        kv(&[("alertname", "DiskFull"), ("instance", "db-1")]),
        vec![Alert::new(
            AlertStatus::Resolved,
            kv(&[("alertname", "DiskFull"), ("instance", "db-1")]),
            Kv::default(),
            Time::ZERO,
            "",
        )],
        "",
    );
    check_default("slack.default.title", &resolved.to_value(), "[RESOLVED] DiskFull db-1");
    check_default(
        "sns.default.message",
        &resolved.to_value(),
        "Resolved:\n* DiskFull since 0001-01-01 00:00:00 UTC\n  labels: alertname=DiskFull, instance=db-1\n",
    );
    let mixed = sample(true).to_value();
    let body = default_template().render("{{ template \"telegram.default.message\" . }}", &mixed).unwrap();
    assert!(
        body.starts_with(&format!("Error rate above 5%\n\nFiring:\n{FIRING_LIST}Resolved:\n* HighErrorRate")),
        "{body}"
    );
    check_default("slack.default.title", &mixed, SUBJECT);
}

#[test]
fn lookout_email_escapes_html() {
    let alert = Alert::new(
        AlertStatus::Firing,
        kv(&[("alertname", "Bad<script>"), ("team", "a&b")]),
        kv(&[("summary", "\"quoted\" <b>")]),
        Time::ZERO,
        "http://x/?a=1&b=2",
    );
    let data = Data::new("r x", kv(&[("team", "a&b")]), vec![alert], "http://lookout").to_value();
    let html = default_template().render("{{ template \"email.default.html\" . }}", &data).unwrap();
    for expected in [
        "<h1>1 alert for team=a&amp;b</h1>",
        "<a href=\"http://lookout/alerts?receiver=r+x\">",
        "<strong>Bad&lt;script&gt;</strong>",
        "summary: &#34;quoted&#34; &lt;b&gt;<br>",
        "<a href=\"http://x/?a=1&amp;b=2\">Source</a>",
        "<h2>Firing (1)</h2>",
    ] {
        assert!(html.contains(expected), "{expected} not in {html}");
    }
    assert!(!html.contains("<script>") && !html.contains("Resolved"), "{html}");
    // One alert: its own page, where its investigation is, beside the receiver's list.
    let fingerprint = default_template().render("{{ (index .Alerts 0).Fingerprint }}", &data).unwrap();
    assert_eq!(fingerprint.len(), 16, "{fingerprint}");
    assert!(html.contains(&format!("<a href=\"http://lookout/alerts/{fingerprint}\">Investigate</a>")), "{html}");
    check_default("lookout.link", &data, &format!("http://lookout/alerts/{fingerprint}"));
    check_default("lookout.link", &sample(false).to_value(), LINK);
}

#[test]
fn user_templates_override_defaults() {
    let set = default_template().parse("{{ define \"slack.default.title\" }}custom {{ .Status }}{{ end }}").unwrap();
    let data = sample(false).to_value();
    assert_eq!(set.render("{{ template \"slack.default.title\" . }}", &data).unwrap(), "custom firing");
    assert_eq!(set.render("{{ template \"email.default.subject\" . }}", &data).unwrap(), SUBJECT);
}

#[test]
fn records_print_as_go_structs() {
    let pair = Record::new("template.Pair").with("Name", "a").with("Value", "b");
    check("{{ . }} {{ .Name }}", &pair.into(), "{a b} a");
}

/// Alertmanager's own `default.tmpl` and `email.tmpl` (v0.25), which Lookout does not ship: set
/// `LOOKOUT_ALERTMANAGER_TEMPLATES` to a directory holding them to check that they parse and
/// render as Alertmanager renders them (`cargo test -p lookout-template -- --ignored`).
#[test]
#[ignore = "needs Alertmanager's own templates in LOOKOUT_ALERTMANAGER_TEMPLATES"]
fn alertmanager_default_templates() {
    let dir = std::env::var_os("LOOKOUT_ALERTMANAGER_TEMPLATES")
        .map(PathBuf::from)
        .expect("LOOKOUT_ALERTMANAGER_TEMPLATES names a folder with Alertmanager's default.tmpl and email.tmpl");
    let mut set = am_set();
    for file in ["default.tmpl", "email.tmpl"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        set = set.parse(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    let data = sample(false).to_value();
    let render = |text: &str| set.render(text, &data).unwrap_or_else(|e| panic!("{text}: {e}"));
    for name in ["slack.default.title", "email.default.subject", "pagerduty.default.description"] {
        assert_eq!(render(&format!("{{{{ template \"{name}\" . }}}}")), SUBJECT, "{name}");
    }
    assert_eq!(render("{{ template \"slack.default.text\" . }}"), "");
    assert_eq!(
        render("{{ template \"slack.default.titlelink\" . }}"),
        "http://lookout.example.com/#/alerts?receiver=team-payments"
    );
    let mut expected = String::new();
    for (instance, description) in
        [("10.0.0.1:8080", "5.2% of requests fail"), ("10.0.0.2:8080", "7.9% of requests fail")]
    {
        expected.push_str(&format!(
            "Labels:\n - alertname = HighErrorRate\n - instance = {instance}\n - service = payment-service\n - severity = critical\n\
             Annotations:\n - description = {description}\n - summary = Error rate above 5%\n\
             Source: http://lookout.example.com/graph?g0.expr=errors\n"
        ));
    }
    assert_eq!(render("{{ template \"__text_alert_list\" .Alerts.Firing }}"), expected);
    assert_eq!(render("{{ template \"pagerduty.default.instances\" .Alerts.Firing }}"), expected);
    let resolved = Data::new("r", kv(&[("job", "x")]), vec![], "").to_value();
    assert_eq!(set.render("{{ template \"slack.default.title\" . }}", &resolved).unwrap(), "[RESOLVED] x ");
    let html = render("{{ template \"email.default.html\" . }}");
    assert!(html.contains("2 alerts for") && html.contains("[2] Firing"), "{html}");
}
