//! Prometheus's template functions, with the expectations of Prometheus's own tests
//! (`template/template_test.go`, v2.42) ported to tables, and the alerting-rule data and variables.

use std::collections::BTreeMap;

use lookout_template::rule::{self, AlertData};
use lookout_template::{Error, Template, Value, funcs};

fn render(text: &str, data: &Value) -> Result<String, Error> {
    Ok(Template::new("test").funcs(funcs::prometheus::functions()).parse(text)?.execute(data)?)
}

/// `text` on `data`, with Prometheus's functions, renders as `expected`.
fn check(text: &str, data: &Value, expected: &str) {
    match render(text, data) {
        Ok(out) => assert_eq!(out, expected, "{text}"),
        Err(e) => panic!("{text}: {e}"),
    }
}

/// `text` on `data` fails with a message ending in `expected`.
fn check_error(text: &str, data: &Value, expected: &str) {
    match render(text, data) {
        Ok(out) => panic!("{text}: rendered {out:?}"),
        Err(e) => assert!(e.to_string().ends_with(expected), "{text}: {e}"),
    }
}

const EACH_HUMANIZE: &str = "{{ range . }}{{ humanize . }}:{{ end }}";
const EACH_HUMANIZE_1024: &str = "{{ range . }}{{ humanize1024 . }}:{{ end }}";
const EACH_DURATION: &str = "{{ range . }}{{ humanizeDuration . }}:{{ end }}";
const EACH_PERCENTAGE: &str = "{{ range . }}{{ humanizePercentage . }}:{{ end }}";
const EACH_TIMESTAMP: &str = "{{ range . }}{{ humanizeTimestamp . }}:{{ end }}";

fn numbers(values: &[f64]) -> Value {
    Value::list(values.iter().copied())
}

fn strings(values: &[&str]) -> Value {
    Value::list(values.iter().copied())
}

const MAX_INT64: f64 = i64::MAX as f64;
const MIN_INT64: f64 = i64::MIN as f64;
const MAX_UINT64: f64 = u64::MAX as f64;

#[test]
fn humanize() {
    for (data, expected) in [
        (numbers(&[0.0, 1.0, 1234567.0, 0.12]), "0:1:1.235M:120m:"),
        (strings(&["0.0", "1.0", "1234567.0", ".12"]), "0:1:1.235M:120m:"),
        (numbers(&[0.0, -1.0, 1.0, 1234567.0, MAX_INT64]), "0:-1:1:1.235M:9.223E:"),
        (numbers(&[MAX_UINT64]), "18.45E:"),
        (numbers(&[0.012, 0.000_001_5, 1e-30, -2500.0, 1e27]), "12m:1.5u:1e-06y:-2.5k:1000Y:"),
    ] {
        check(EACH_HUMANIZE, &data, expected);
    }
    check_error(
        "{{ humanize \"one\" }}",
        &Value::Nil,
        "executing \"test\" at <humanize \"one\">: error calling humanize: strconv.ParseFloat: parsing \"one\": invalid syntax",
    );
    check_error("{{ humanize true }}", &Value::Nil, "error calling humanize: can't convert bool to float");
}

#[test]
fn humanize_1024() {
    for (data, expected) in [
        (numbers(&[0.0, 1.0, 1048576.0, 0.12]), "0:1:1Mi:0.12:"),
        (strings(&["0.0", "1.0", "1048576.0", ".12"]), "0:1:1Mi:0.12:"),
        (numbers(&[0.0, -1.0, 1.0, 1234567.0, MAX_INT64]), "0:-1:1:1.177Mi:8Ei:"),
        (numbers(&[MAX_UINT64, 1536.0]), "16Ei:1.5ki:"),
    ] {
        check(EACH_HUMANIZE_1024, &data, expected);
    }
    check_error("{{ humanize1024 \"one\" }}", &Value::Nil, "strconv.ParseFloat: parsing \"one\": invalid syntax");
}

#[test]
fn humanize_duration() {
    let mixed = -(86400.0 * 2.0 + 3600.0 * 3.0 + 60.0 * 4.0 + 5.0);
    for (data, expected) in [
        (
            numbers(&[0.0, 1.0, 60.0, 3600.0, 86400.0, 86400.0 + 3600.0, mixed, 899.99]),
            "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:",
        ),
        (strings(&["0", "1", "60", "3600", "86400"]), "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:"),
        (
            numbers(&[0.1, 0.0001, 0.12345, 60.1, 60.5, 1.2345, 12.345]),
            "100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:",
        ),
        (
            strings(&[".1", ".0001", ".12345", "60.1", "60.5", "1.2345", "12.345"]),
            "100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:",
        ),
        (numbers(&[0.0, -1.0, 1.0, 1234567.0]), "0s:-1s:1s:14d 6h 56m 7s:"),
        (numbers(&[3661.0]), "1h 1m 1s:"),
    ] {
        check(EACH_DURATION, &data, expected);
    }
    check_error("{{ humanizeDuration \"one\" }}", &Value::Nil, "strconv.ParseFloat: parsing \"one\": invalid syntax");
}

#[test]
fn infinities_and_nan() {
    let all =
        "{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}";
    let expected = "+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:";
    check(all, &numbers(&[f64::INFINITY, f64::NEG_INFINITY, f64::NAN]), expected);
    check(all, &strings(&["+Inf", "-Inf", "NaN"]), expected);
}

#[test]
fn humanize_percentage() {
    let each =
        |operands: &[&str]| operands.iter().map(|o| format!("{{{{ {o} | humanizePercentage }}}}:")).collect::<String>();
    check(&each(&["-0.22222", "0.0", "0.1234567", "1.23456"]), &Value::Nil, "-22.22%:0%:12.35%:123.5%:");
    check(
        &each(&["\"-0.22222\"", "\"0.0\"", "\"0.1234567\"", "\"1.23456\""]),
        &Value::Nil,
        "-22.22%:0%:12.35%:123.5%:",
    );
    check(EACH_PERCENTAGE, &numbers(&[0.0, -1.0, 1.0, 1234567.0, MAX_INT64]), "0%:-100%:100%:1.235e+08%:9.223e+20%:");
    check(EACH_PERCENTAGE, &numbers(&[MAX_UINT64, 0.1234]), "1.845e+21%:12.34%:");
    check_error(
        "{{ \"one\" | humanizePercentage }}",
        &Value::Nil,
        "executing \"test\" at <humanizePercentage>: error calling humanizePercentage: strconv.ParseFloat: parsing \"one\": invalid syntax",
    );
}

#[test]
fn humanize_timestamp_and_to_time() {
    check(
        EACH_TIMESTAMP,
        &numbers(&[0.0, -1.0, 1.0, 1234567.0, 9223372036.0]),
        concat!(
            "1970-01-01 00:00:00 +0000 UTC:1969-12-31 23:59:59 +0000 UTC:1970-01-01 00:00:01 +0000 UTC:",
            "1970-01-15 06:56:07 +0000 UTC:2262-04-11 23:47:16 +0000 UTC:",
        ),
    );
    check("{{ 1435065584.128 | humanizeTimestamp }}", &Value::Nil, "2015-06-23 13:19:44.128 +0000 UTC");
    check("{{ \"1435065584.128\" | humanizeTimestamp }}", &Value::Nil, "2015-06-23 13:19:44.128 +0000 UTC");
    check("{{ (1435065584.128 | toTime).Format \"2006\" }}", &Value::Nil, "2015");
    check("{{ (\"1435065584.128\" | toTime).Format \"2006\" }}", &Value::Nil, "2015");
    check("{{ 1435065584 | toTime }} {{ (toTime 60).Unix }}", &Value::Nil, "2015-06-23 13:19:44 +0000 UTC 60");
    check_error(
        EACH_TIMESTAMP,
        &numbers(&[MIN_INT64]),
        "error calling humanizeTimestamp: -9.223372036854776e+18 cannot be represented as a nanoseconds timestamp since it overflows int64",
    );
    check_error(
        EACH_TIMESTAMP,
        &numbers(&[MAX_UINT64]),
        "error calling humanizeTimestamp: 1.8446744073709552e+19 cannot be represented as a nanoseconds timestamp since it overflows int64",
    );
    check_error(
        "{{ toTime 1e300 }}",
        &Value::Nil,
        "1e+300 cannot be represented as a nanoseconds timestamp since it overflows int64",
    );
}

#[test]
fn string_functions() {
    for (text, expected) in [
        ("{{ 1 }}", "1"),
        ("{{ \"<b>\" }}", "<b>"),
        ("{{ \"<b>\" | safeHtml }}", "<b>"),
        ("{{ \"aa bb CC\" | title }}", "Aa Bb CC"),
        ("{{ \"aa bb CC\" | toUpper }}", "AA BB CC"),
        ("{{ \"aA bB CC\" | toLower }}", "aa bb cc"),
        ("{{ match \"a+\" \"aa\" }} {{ match \"a+\" \"b\" }}", "true false"),
        ("{{ reReplaceAll \"(a)b\" \"x$1\" \"ab\" }}", "xa"),
        ("{{ reReplaceAll \"(?P<host>[^:]+):\\\\d+\" \"${host}\" \"web:9090\" }}", "web"),
        ("{{ define \"x\" }}{{ .arg0 }} {{ .arg1 }}{{ end }}{{ template \"x\" (args 1 \"2\") }}", "1 2"),
        ("{{ printf \"%0.2f\" (parseDuration \"1h2m10ms\") }}", "3720.01"),
        ("{{ .Foo }}", "<no value>"),
    ] {
        check(text, &Value::Nil, expected);
    }
    check_error("{{ match \"(\" \"x\" }}", &Value::Nil, "unclosed group");
    check_error(
        "{{ parseDuration \"1x\" }}",
        &Value::Nil,
        "error calling parseDuration: not a valid duration string: \"1x\"",
    );
    check_error(
        "{{ toUpper 1 }}",
        &Value::Nil,
        "error calling toUpper: wrong type for value; expected string; got int",
    );
}

#[test]
fn strip_port_and_domain() {
    for (input, port_stripped, domain_stripped) in [
        ("foo.example.com", "foo.example.com", "foo"),
        ("foo.example.com:12345", "foo.example.com", "foo:12345"),
        ("192.0.2.1", "192.0.2.1", "192.0.2.1"),
        ("192.0.2.1:12345", "192.0.2.1", "192.0.2.1:12345"),
        ("2001:0DB8::1", "2001:0DB8::1", "2001:0DB8::1"),
        ("[2001:0DB8::1]:12345", "2001:0DB8::1", "[2001:0DB8::1]:12345"),
        ("[2001:0DB8::1]::12345", "[2001:0DB8::1]::12345", "[2001:0DB8::1]::12345"),
    ] {
        let data = Value::from(input);
        check("{{ . | stripPort }}", &data, port_stripped);
        check("{{ . | stripDomain }}", &data, domain_stripped);
    }
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// A rule template (with `$labels` and friends) expanded for an alert renders as `expected`.
fn check_rule(text: &str, alert: &AlertData, expected: &str) {
    let template = rule::template("annotation", text).unwrap_or_else(|e| panic!("{text}: {e}"));
    match alert.expand(&template) {
        Ok(out) => assert_eq!(out, expected, "{text}"),
        Err(e) => panic!("{text}: {e}"),
    }
}

#[test]
fn rule_annotations() {
    let alert = AlertData {
        labels: labels(&[("alertname", "HighErrorRate"), ("instance", "web-1.prod.example.com:9090"), ("job", "api")]),
        external_labels: labels(&[("cluster", "eu-1")]),
        external_url: "http://lookout.example.com".into(),
        value: 0.0734,
    };
    for (text, expected) in [
        ("{{ $labels.instance }} error rate {{ $value }}", "web-1.prod.example.com:9090 error rate 0.0734"),
        ("{{ humanize $value }} / {{ humanizePercentage $value }}", "73.4m / 7.34%"),
        ("{{ $labels.instance | stripPort | stripDomain }}", "web-1"),
        (
            "{{ .Labels.job }} {{ .Value }} {{ .ExternalURL }} {{ .ExternalLabels.cluster }}",
            "api 0.0734 http://lookout.example.com eu-1",
        ),
        ("{{ $externalLabels.cluster }} {{ $externalURL }}", "eu-1 http://lookout.example.com"),
        ("[{{ $labels.missing }}]", "[]"),
        ("{{ if gt $value 0.05 }}high{{ else }}ok{{ end }}", "high"),
        (
            "{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}",
            "alertname=HighErrorRate;instance=web-1.prod.example.com:9090;job=api;",
        ),
        ("{{ len $labels }}", "3"),
    ] {
        check_rule(text, &alert, expected);
    }
    let big = AlertData { value: 1_500_000.0, ..alert.clone() };
    check_rule("{{ $value }} = {{ humanize $value }}", &big, "1.5e+06 = 1.5M");
    check_rule("{{ humanizeDuration $value }}", &AlertData { value: 3661.0, ..alert }, "1h 1m 1s");
}

#[test]
fn rule_variables_exist_only_in_the_rule_text() {
    let e = rule::template("summary", "{{ $nope }}").unwrap_err();
    assert_eq!(e.to_string(), "template: summary:1:4: undefined variable \"$nope\"");
    let e = rule::template("summary", "{{ define \"x\" }}{{ $value }}{{ end }}").unwrap_err();
    assert_eq!(e.to_string(), "template: summary:1:20: undefined variable \"$value\"");
}

/// Rule templates that query, with a query function that answers from a table, as the rules
/// engine answers from the store at the evaluation time.
#[test]
fn rule_templates_query_and_link() {
    let data = AlertData { external_url: "https://lookout.example.com/prom".into(), ..AlertData::default() };
    let query = |expr: &str| -> Result<Vec<rule::QuerySample>, String> {
        let sample = |host: &str, value: f64| (BTreeMap::from([("host".to_string(), host.to_string())]), value);
        match expr {
            "up" => Ok(vec![sample("b", 1.0), sample("a", 0.0)]),
            "count_values(\"__value__\", up)" => {
                Ok(vec![(BTreeMap::from([("__value__".to_string(), "1".to_string())]), 1.0)])
            }
            "none" => Ok(Vec::new()),
            other => Err(format!("cannot evaluate {other}")),
        }
    };
    let expand = |text: &str| {
        let template = rule::template("t", text).unwrap();
        data.expand_with_query(&template, Some(&query)).map_err(|e| e.to_string())
    };
    let cases = [
        ("{{ range query \"up\" | sortByLabel \"host\" }}{{ .Labels.host }}={{ .Value }} {{ end }}", "a=0 b=1 "),
        ("{{ query \"up\" | first | label \"host\" }}", "b"),
        ("{{ query \"up\" | first | value }}", "1"),
        ("{{ query \"count_values(\\\"__value__\\\", up)\" | first | strvalue }}", "1"),
        ("{{ externalURL }} {{ pathPrefix }}", "https://lookout.example.com/prom /prom"),
        (
            "{{ graphLink \"a b\" }} {{ tableLink \"x{y=\\\"1\\\"}\" }}",
            "/graph?g0.expr=a+b&g0.tab=0 /graph?g0.expr=x%7By%3D%221%22%7D&g0.tab=1",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(expand(text).as_deref(), Ok(expected), "{text}");
    }
    let failing = [
        ("{{ query \"none\" | first }}", "error calling first: first() called on vector with no elements"),
        ("{{ query \"bad(\" }}", "error calling query: cannot evaluate bad("),
        ("{{ value 1 }}", "error calling value: wrong type for value; expected *template.sample; got int"),
    ];
    for (text, expected) in failing {
        let error = expand(text).unwrap_err();
        assert!(error.ends_with(expected), "{text}: {error}");
    }
    // Without a query function (notification templates, `amtool`-style checks), `query` fails.
    let template = rule::template("t", "{{ query \"up\" }}").unwrap();
    assert!(data.expand(&template).unwrap_err().to_string().ends_with("error calling query: not available here"));
}
