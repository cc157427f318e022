//! Parser tests through the public API: the tree each construct parses to, the position and text of
//! errors, and that every query printed back parses to the same tree.

use std::time::Duration;

use lookout_logql::ast::*;
use lookout_logql::{ParseError, parse};

/// Parses `query`, failing with the error if it does not, and checks the printed form parses back
/// to the same tree and prints the same again.
fn ok(query: &str) -> Expr {
    let expr = parse(query).unwrap_or_else(|e| panic!("{query}\n{e}"));
    let printed = expr.to_string();
    let reparsed = parse(&printed).unwrap_or_else(|e| panic!("{query}\nprinted as {printed}\n{e}"));
    assert_eq!(reparsed, expr, "{query}\nprinted as {printed}");
    assert_eq!(reparsed.to_string(), printed, "{query}");
    expr
}

fn err(query: &str) -> ParseError {
    match parse(query) {
        Ok(expr) => panic!("{query} parsed as {expr:?}"),
        Err(e) => e,
    }
}

/// Asserts the error's 1-based line and column and its full rendering.
fn check_err(query: &str, line: usize, col: usize, message: &str) {
    let e = err(query);
    assert_eq!((e.line, e.col), (line, col), "{query}: {e}");
    assert_eq!(e.to_string(), format!("parse error at line {line}, col {col}: {message}"), "{query}");
}

fn log(query: &str) -> LogExpr {
    match ok(query) {
        Expr::Log(log) => log,
        other => panic!("{query} is not a log query: {other:?}"),
    }
}

fn stages(query: &str) -> Vec<Stage> {
    log(query).pipeline
}

fn one_stage(query: &str) -> Stage {
    let mut pipeline = stages(query);
    assert_eq!(pipeline.len(), 1, "{query}");
    pipeline.remove(0)
}

fn label_filter(query: &str) -> LabelFilter {
    match one_stage(query) {
        Stage::LabelFilter { filter, .. } => filter,
        other => panic!("{query}: not a label filter: {other:?}"),
    }
}

fn range_agg(query: &str) -> RangeAggregation {
    match ok(query) {
        Expr::RangeAggregation(r) => r,
        other => panic!("{query} is not a range aggregation: {other:?}"),
    }
}

fn vector_agg(query: &str) -> VectorAggregation {
    match ok(query) {
        Expr::VectorAggregation(v) => v,
        other => panic!("{query} is not a vector aggregation: {other:?}"),
    }
}

fn binary(query: &str) -> BinaryExpr {
    match ok(query) {
        Expr::Binary(b) => b,
        other => panic!("{query} is not a binary expression: {other:?}"),
    }
}

const SP: Span = Span { start: 0, end: 0 };

fn m(name: &str, op: MatchOp, value: &str) -> Matcher {
    Matcher { name: name.into(), op, value: value.into(), span: SP }
}

fn sel(name: &str, value: &str) -> Vec<Matcher> {
    vec![m(name, MatchOp::Eq, value)]
}

fn lf(op: LineFilterOp, values: &[&str]) -> Stage {
    Stage::LineFilter(LineFilter { op, values: values.iter().map(|v| v.to_string()).collect(), span: SP })
}

fn cmp(name: &str, op: CmpOp, value: CmpValue) -> LabelFilter {
    LabelFilter::Compare { name: name.into(), op, value, span: SP }
}

fn is(name: &str, op: MatchOp, value: &str) -> LabelFilter {
    LabelFilter::Match(m(name, op, value))
}

fn and(l: LabelFilter, r: LabelFilter) -> LabelFilter {
    LabelFilter::And(Box::new(l), Box::new(r))
}

fn or(l: LabelFilter, r: LabelFilter) -> LabelFilter {
    LabelFilter::Or(Box::new(l), Box::new(r))
}

fn num(value: f64) -> Expr {
    Expr::Number { value, span: SP }
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn by(labels: &[&str]) -> Option<Grouping> {
    Some(Grouping { without: false, labels: labels.iter().map(|l| l.to_string()).collect() })
}

fn count_over_time(selector: Vec<Matcher>, pipeline: Vec<Stage>, range: Duration) -> Expr {
    Expr::RangeAggregation(RangeAggregation {
        op: RangeOp::CountOverTime,
        param: None,
        range: LogRange { log: LogExpr { selector, pipeline, span: SP }, range, offset: None, span: SP },
        grouping: None,
        span: SP,
    })
}

// ---- Stream selectors and strings ----

#[test]
fn selector_with_all_matcher_ops() {
    let log = log(r#"{name="v", name2!="v", name3=~"re.*", name4!~"re|x"}"#);
    assert_eq!(
        log.selector,
        vec![
            m("name", MatchOp::Eq, "v"),
            m("name2", MatchOp::Neq, "v"),
            m("name3", MatchOp::Re, "re.*"),
            m("name4", MatchOp::Nre, "re|x"),
        ]
    );
    assert!(log.pipeline.is_empty());
}

#[test]
fn strings_with_go_escapes_and_raw_backticks() {
    let log = log(r#"{a="x\"y\\z\n\t\u00e9", _b2=`raw\d+"`}"#);
    assert_eq!(log.selector[0].value, "x\"y\\z\n\té");
    assert_eq!(log.selector[1].name, "_b2");
    assert_eq!(log.selector[1].value, "raw\\d+\"");
}

#[test]
fn selector_errors() {
    check_err(r#"{service="a""#, 1, 13, r#"syntax error: unexpected end of input, expecting "," or "}""#);
    check_err("{}", 1, 2, r#"syntax error: unexpected "}", expecting label name"#);
    check_err(r#"{a="b",}"#, 1, 8, r#"syntax error: unexpected "}", expecting label name"#);
    check_err(r#"{a>"b"}"#, 1, 3, r#"syntax error: unexpected ">", expecting "=", "!=", "=~" or "!~""#);
    check_err(r#"{a=b}"#, 1, 4, r#"syntax error: unexpected identifier "b", expecting string"#);
    check_err(r#"{a=~"("}"#, 1, 5, r#"invalid regular expression "(": unclosed group"#);
    check_err(r#"{a="b} |= "x""#, 1, 13, "syntax error: unterminated string");
}

// ---- Line filters ----

#[test]
fn line_filters_of_every_kind() {
    assert_eq!(
        stages(r#"{a="b"} |= "x" != "y" |~ "z+" !~ `\d` |> "<_> GET <_>" !> "<_> POST""#),
        vec![
            lf(LineFilterOp::Contains, &["x"]),
            lf(LineFilterOp::NotContains, &["y"]),
            lf(LineFilterOp::Match, &["z+"]),
            lf(LineFilterOp::NotMatch, &["\\d"]),
            lf(LineFilterOp::Pattern, &["<_> GET <_>"]),
            lf(LineFilterOp::NotPattern, &["<_> POST"]),
        ]
    );
}

#[test]
fn line_filter_or_chains() {
    assert_eq!(
        stages(r#"{a="b"} |= "a" or "b" or `c` != "d" |~ "e" or "f""#),
        vec![
            lf(LineFilterOp::Contains, &["a", "b", "c"]),
            lf(LineFilterOp::NotContains, &["d"]),
            lf(LineFilterOp::Match, &["e", "f"]),
        ]
    );
}

#[test]
fn line_filter_errors() {
    check_err(r#"{a="b"} |~ "(""#, 1, 12, r#"invalid regular expression "(": unclosed group"#);
    check_err(r#"{a="b"} |= ip("10.0.0.0/8")"#, 1, 12, "ip(...) line filters are not supported");
    check_err(r#"{a="b"} |= "x" or ip("::1")"#, 1, 19, "ip(...) line filters are not supported");
    check_err(r#"{a="b"} |= 5"#, 1, 12, "syntax error: unexpected number 5, expecting string");
}

// ---- Parsers ----

#[test]
fn json_with_and_without_params() {
    assert_eq!(one_stage(r#"{a="b"} | json"#), Stage::Json { params: vec![], span: SP });
    assert_eq!(
        one_stage(r#"{a="b"} | json first="x.y[0]", b"#),
        Stage::Json {
            params: vec![
                LabelExtraction { name: "first".into(), expression: Some("x.y[0]".into()) },
                LabelExtraction { name: "b".into(), expression: None },
            ],
            span: SP,
        }
    );
}

#[test]
fn logfmt_with_flags_and_params() {
    assert_eq!(
        one_stage(r#"{a="b"} | logfmt"#),
        Stage::Logfmt { strict: false, keep_empty: false, params: vec![], span: SP }
    );
    assert_eq!(
        one_stage(r#"{a="b"} | logfmt --strict --keep-empty lvl="level", msg"#),
        Stage::Logfmt {
            strict: true,
            keep_empty: true,
            params: vec![
                LabelExtraction { name: "lvl".into(), expression: Some("level".into()) },
                LabelExtraction { name: "msg".into(), expression: None },
            ],
            span: SP,
        }
    );
    check_err(
        r#"{a="b"} | logfmt --loose"#,
        1,
        18,
        "syntax error: unexpected flag --loose, expecting --strict or --keep-empty",
    );
}

#[test]
fn regexp_pattern_unpack_decolorize() {
    assert_eq!(
        stages(
            r#"{a="b"} | regexp "(?P<method>\\w+) (?P<path>\\S+)" | pattern "<_> <status> <_>" | unpack | decolorize"#
        ),
        vec![
            Stage::Regexp { regex: r"(?P<method>\w+) (?P<path>\S+)".into(), span: SP },
            Stage::Pattern { pattern: "<_> <status> <_>".into(), span: SP },
            Stage::Unpack { span: SP },
            Stage::Decolorize { span: SP },
        ]
    );
    check_err(r#"{a="b"} | regexp "\\w+""#, 1, 18, "at least one named capture must be supplied");
    check_err(
        r#"{a="b"} | regexp "(?P<x""#,
        1,
        18,
        r#"invalid regular expression "(?P<x": unclosed capture group name"#,
    );
    check_err(
        r#"{a="b"} | pattern "<a><b>""#,
        1,
        19,
        r#"invalid pattern "<a><b>": consecutive captures are not allowed"#,
    );
    check_err(
        r#"{a="b"} | pattern "<_> x""#,
        1,
        19,
        r#"invalid pattern "<_> x": at least one named capture is required"#,
    );
}

// ---- Label filters ----

#[test]
fn string_label_filters() {
    assert_eq!(label_filter(r#"{a="b"} | level="error""#), is("level", MatchOp::Eq, "error"));
    assert_eq!(label_filter(r#"{a="b"} | level=="error""#), is("level", MatchOp::Eq, "error"));
    assert_eq!(label_filter(r#"{a="b"} | level!="debug""#), is("level", MatchOp::Neq, "debug"));
    assert_eq!(label_filter(r#"{a="b"} | path=~"/api/.*""#), is("path", MatchOp::Re, "/api/.*"));
    assert_eq!(label_filter(r#"{a="b"} | path!~"/health""#), is("path", MatchOp::Nre, "/health"));
    assert_eq!(label_filter(r#"{a="b"} | __error__="""#), is("__error__", MatchOp::Eq, ""));
}

#[test]
fn numeric_duration_and_byte_label_filters() {
    assert_eq!(label_filter(r#"{a="b"} | status >= 500"#), cmp("status", CmpOp::Gte, CmpValue::Number(500.0)));
    assert_eq!(label_filter(r#"{a="b"} | x == -1.5"#), cmp("x", CmpOp::Eq, CmpValue::Number(-1.5)));
    assert_eq!(label_filter(r#"{a="b"} | x = 3"#), cmp("x", CmpOp::Eq, CmpValue::Number(3.0)));
    assert_eq!(label_filter(r#"{a="b"} | x != 3"#), cmp("x", CmpOp::Neq, CmpValue::Number(3.0)));
    assert_eq!(label_filter(r#"{a="b"} | took > 10s"#), cmp("took", CmpOp::Gt, CmpValue::Duration(secs(10))));
    assert_eq!(label_filter(r#"{a="b"} | took < 1m30s"#), cmp("took", CmpOp::Lt, CmpValue::Duration(secs(90))));
    assert_eq!(
        label_filter(r#"{a="b"} | took <= 250ms"#),
        cmp("took", CmpOp::Lte, CmpValue::Duration(Duration::from_millis(250)))
    );
    assert_eq!(label_filter(r#"{a="b"} | size > 20MB"#), cmp("size", CmpOp::Gt, CmpValue::Bytes(20_000_000)));
    assert_eq!(label_filter(r#"{a="b"} | size <= 1KiB"#), cmp("size", CmpOp::Lte, CmpValue::Bytes(1024)));
}

#[test]
fn label_filter_precedence_and_grouping() {
    let (a, b, c) = (
        || is("a", MatchOp::Eq, "1"),
        || cmp("b", CmpOp::Gt, CmpValue::Number(2.0)),
        || cmp("c", CmpOp::Lt, CmpValue::Duration(secs(3))),
    );
    // `and` binds tighter than `or`.
    assert_eq!(label_filter(r#"{x="y"} | a="1" or b > 2 and c < 3s"#), or(a(), and(b(), c())));
    assert_eq!(label_filter(r#"{x="y"} | a="1" and b > 2 or c < 3s"#), or(and(a(), b()), c()));
    // A comma is `and`; so is writing two filters side by side.
    assert_eq!(label_filter(r#"{x="y"} | a="1", b > 2 or c < 3s"#), or(and(a(), b()), c()));
    assert_eq!(label_filter(r#"{x="y"} | a="1" b > 2"#), and(a(), b()));
    // Parentheses override, and nest.
    assert_eq!(label_filter(r#"{x="y"} | (a="1" or b > 2) and c < 3s"#), and(or(a(), b()), c()));
    assert_eq!(label_filter(r#"{x="y"} | a="1" and ((b > 2 or c < 3s))"#), and(a(), or(b(), c())));
    assert_eq!(label_filter(r#"{x="y"} | a="1" and (b > 2 and c < 3s)"#), and(a(), and(b(), c())));
    // The brief's example: a label filter stage written without a keyword.
    assert_eq!(
        label_filter(r#"{x="y"} | level="error" and duration > 1s"#),
        and(is("level", MatchOp::Eq, "error"), cmp("duration", CmpOp::Gt, CmpValue::Duration(secs(1))))
    );
}

#[test]
fn label_filter_errors() {
    check_err(
        r#"{a="b"} | x > "5""#,
        1,
        15,
        r#"syntax error: unexpected string "5", expecting number, duration or byte size"#,
    );
    check_err(r#"{a="b"} | x =~ 5"#, 1, 16, "syntax error: unexpected number 5, expecting string");
    check_err(r#"{a="b"} | x"#, 1, 12, "syntax error: unexpected end of input, expecting a comparison operator");
    check_err(r#"{a="b"} | x = ip("10.0.0.0/8")"#, 1, 15, "ip(...) label filters are not supported");
    check_err(r#"{a="b"} | (x > 1"#, 1, 17, r#"syntax error: unexpected end of input, expecting ")""#);
    check_err(r#"{a="b"} | x > 1 and"#, 1, 20, "syntax error: unexpected end of input, expecting label name");
    check_err(r#"{a="b"} | x > 1 or by > 2"#, 1, 20, r#"syntax error: unexpected "by", expecting label name"#);
}

// ---- Formatting stages ----

#[test]
fn line_format_keeps_the_template_and_parses_it() {
    let Stage::LineFormat { template, .. } =
        one_stage(r#"{a="b"} | line_format "{{.level}}: {{ ToUpper .msg }} {{__line__}}""#)
    else {
        panic!("not line_format");
    };
    assert_eq!(template.source, "{{.level}}: {{ ToUpper .msg }} {{__line__}}");
    assert_eq!(
        template.parts,
        vec![
            TemplatePart::Value(TemplateValue::Field("level".into())),
            TemplatePart::Text(": ".into()),
            TemplatePart::Call { func: TemplateFunc::ToUpper, arg: TemplateValue::Field("msg".into()) },
            TemplatePart::Text(" ".into()),
            TemplatePart::Value(TemplateValue::Line),
        ]
    );
    check_err(
        r#"{a="b"} | line_format "{{ .a | printf }}""#,
        1,
        23,
        "invalid template: unsupported template action {{ .a | printf }}: supported are {{ .label }}, {{ __line__ }}, \
         {{ __timestamp__ }} and {{ ToUpper .label }}/{{ ToLower .label }}",
    );
    check_err(r#"{a="b"} | line_format "{{ .a""#, 1, 23, r#"invalid template: unclosed action "{{ .a""#);
}

#[test]
fn label_format_drop_and_keep() {
    let pipeline = stages(
        r#"{a="b"} | label_format dst=src, msg="{{.a}}-{{ __timestamp__ }}" | drop a, b="v", c=~"x.*" | keep d"#,
    );
    let Stage::LabelFormat { formats, .. } = &pipeline[0] else { panic!("not label_format") };
    assert_eq!(formats[0], LabelFormat::Rename { dst: "dst".into(), src: "src".into() });
    let LabelFormat::Template { dst, template } = &formats[1] else { panic!("not a template") };
    assert_eq!(dst, "msg");
    assert_eq!(
        template.parts,
        vec![
            TemplatePart::Value(TemplateValue::Field("a".into())),
            TemplatePart::Text("-".into()),
            TemplatePart::Value(TemplateValue::Timestamp),
        ]
    );
    assert_eq!(
        pipeline[1],
        Stage::Drop {
            labels: vec![
                LabelSelection::Name("a".into()),
                LabelSelection::Matcher(m("b", MatchOp::Eq, "v")),
                LabelSelection::Matcher(m("c", MatchOp::Re, "x.*")),
            ],
            span: SP,
        }
    );
    assert_eq!(pipeline[2], Stage::Keep { labels: vec![LabelSelection::Name("d".into())], span: SP });
    check_err(
        r#"{a="b"} | label_format a=5"#,
        1,
        26,
        "syntax error: unexpected number 5, expecting label name or string",
    );
}

// ---- Unwrap ----

#[test]
fn unwrap_forms_and_post_filters() {
    let r = range_agg(r#"sum_over_time({a="b"} | unwrap bytes [1m])"#);
    assert_eq!(r.range.log.unwrap(), Some(&Unwrap { label: "bytes".into(), conversion: None, span: SP }));
    for (conv, expected) in [
        ("duration", Conversion::Duration),
        ("duration_seconds", Conversion::DurationSeconds),
        ("bytes", Conversion::Bytes),
    ] {
        let r = range_agg(&format!(r#"avg_over_time({{a="b"}} | json | unwrap {conv}(x) | __error__="" [1m])"#));
        assert_eq!(
            r.range.log.pipeline,
            vec![
                Stage::Json { params: vec![], span: SP },
                Stage::Unwrap(Unwrap { label: "x".into(), conversion: Some(expected), span: SP }),
                Stage::LabelFilter { filter: is("__error__", MatchOp::Eq, ""), span: SP },
            ]
        );
    }
    check_err(
        r#"{a="b"} | unwrap x"#,
        1,
        9,
        "syntax error: unwrap is only allowed in a range aggregation such as sum_over_time",
    );
    check_err(
        r#"sum_over_time({a="b"} | unwrap x | json [1m])"#,
        1,
        34,
        "syntax error: only label filters may follow unwrap",
    );
    check_err(
        r#"sum_over_time({a="b"} | unwrap seconds(x) [1m])"#,
        1,
        32,
        r#"syntax error: unexpected identifier "seconds", expecting a label name or duration(...), duration_seconds(...), bytes(...)"#,
    );
}

// ---- Range aggregations ----

#[test]
fn log_range_aggregations() {
    for op in
        [RangeOp::CountOverTime, RangeOp::Rate, RangeOp::BytesOverTime, RangeOp::BytesRate, RangeOp::AbsentOverTime]
    {
        let r = range_agg(&format!(r#"{}({{a="b"}} |= "x" [5m])"#, op.name()));
        assert_eq!(r.op, op);
        assert_eq!(r.range.range, secs(300));
        assert_eq!(r.range.log.pipeline, vec![lf(LineFilterOp::Contains, &["x"])]);
    }
}

#[test]
fn range_may_follow_the_selector() {
    let expected = count_over_time(sel("a", "b"), vec![lf(LineFilterOp::Contains, &["x"])], secs(300));
    assert_eq!(ok(r#"count_over_time({a="b"}[5m] |= "x")"#), expected);
    assert_eq!(ok(r#"count_over_time({a="b"} |= "x" [5m])"#), expected);
    assert_eq!(ok(r#"count_over_time(({a="b"} |= "x")[5m])"#), expected);
    assert_eq!(ok(r#"count_over_time(({a="b"} |= "x" [5m]))"#), expected);
    assert_eq!(ok(r#"count_over_time(({a="b"})[5m] |= "x")"#), expected);
}

#[test]
fn range_offset_and_durations() {
    let r = range_agg(r#"rate({a="b"}[1h30m] offset 5m)"#);
    assert_eq!((r.range.range, r.range.offset), (secs(5400), Some(secs(300))));
    let r = range_agg(r#"rate({a="b"}[5m] offset 1h | json)"#);
    assert_eq!((r.range.offset, r.range.log.pipeline.len()), (Some(secs(3600)), 1));
    let r = range_agg(r#"rate({a="b"} | json [ 1d ] offset 2w)"#);
    assert_eq!((r.range.range, r.range.offset), (secs(86_400), Some(secs(14 * 86_400))));
    assert_eq!(range_agg(r#"rate({a="b"}[1y])"#).range.range, secs(365 * 86_400));
    assert_eq!(range_agg(r#"rate({a="b"}[500ms])"#).range.range, Duration::from_millis(500));
    assert_eq!(range_agg(r#"rate({a="b"}[1.5m])"#).range.range, secs(90));
}

#[test]
fn unwrapped_range_aggregations() {
    for op in [
        RangeOp::Rate,
        RangeOp::RateCounter,
        RangeOp::SumOverTime,
        RangeOp::AvgOverTime,
        RangeOp::MaxOverTime,
        RangeOp::MinOverTime,
        RangeOp::FirstOverTime,
        RangeOp::LastOverTime,
        RangeOp::StdvarOverTime,
        RangeOp::StddevOverTime,
        RangeOp::AbsentOverTime,
    ] {
        let r = range_agg(&format!(r#"{}({{a="b"}} | unwrap latency [5m])"#, op.name()));
        assert_eq!((r.op, r.param, r.range.log.unwrap().map(|u| u.label.as_str())), (op, None, Some("latency")));
    }
    let r = range_agg(r#"quantile_over_time(0.99, {a="b"} | unwrap latency [5m]) without (pod)"#);
    assert_eq!(r.param, Some(0.99));
    assert_eq!(r.grouping, Some(Grouping { without: true, labels: vec!["pod".into()] }));
}

#[test]
fn range_aggregation_rules() {
    check_err(
        r#"count_over_time({a="b"})"#,
        1,
        24,
        r#"syntax error: unexpected ")", expecting a pipeline stage or a range such as [5m]"#,
    );
    check_err(r#"count_over_time({a="b"} | unwrap x [1m])"#, 1, 25, "invalid aggregation count_over_time with unwrap");
    check_err(r#"sum_over_time({a="b"}[1m])"#, 1, 1, "invalid aggregation sum_over_time without unwrap");
    check_err(r#"rate_counter({a="b"}[1m])"#, 1, 1, "invalid aggregation rate_counter without unwrap");
    check_err(r#"rate({a="b"}[1m]) by (x)"#, 1, 19, "grouping not allowed for rate aggregation");
    check_err(
        r#"sum_over_time({a="b"} | unwrap x [1m]) by (x)"#,
        1,
        40,
        "grouping not allowed for sum_over_time aggregation",
    );
    check_err(
        r#"quantile_over_time({a="b"} | unwrap x [1m])"#,
        1,
        20,
        r#"syntax error: unexpected "{", expecting the quantile, as in quantile_over_time(0.99, ...)"#,
    );
    check_err(r#"count_over_time(5, {a="b"}[1m])"#, 1, 17, "unsupported parameter for operation count_over_time");
    check_err(r#"rate({a="b"}[1m] offset 5)"#, 1, 25, "syntax error: unexpected number 5, expecting duration");
    check_err(r#"rate({a="b"}[1m] [2m])"#, 1, 18, r#"syntax error: unexpected range [2m], expecting ")""#);
    check_err(
        r#"rate(1)"#,
        1,
        6,
        r#"syntax error: unexpected number 1, expecting a stream selector such as {app="x"}"#,
    );
}

// ---- Vector aggregations ----

#[test]
fn vector_aggregations_with_grouping_either_side() {
    for op in [
        VectorOp::Sum,
        VectorOp::Avg,
        VectorOp::Min,
        VectorOp::Max,
        VectorOp::Count,
        VectorOp::Stddev,
        VectorOp::Stdvar,
        VectorOp::Sort,
        VectorOp::SortDesc,
    ] {
        let before = vector_agg(&format!(r#"{} by (a, b) (rate({{x="y"}}[1m]))"#, op.name()));
        let after = vector_agg(&format!(r#"{}(rate({{x="y"}}[1m])) by (a, b)"#, op.name()));
        assert_eq!(before, after);
        assert_eq!((before.op, before.param, before.grouping), (op, None, by(&["a", "b"])));
        assert!(matches!(*before.expr, Expr::RangeAggregation(RangeAggregation { op: RangeOp::Rate, .. })));
    }
    let v = vector_agg(r#"sum without () (rate({x="y"}[1m]))"#);
    assert_eq!(v.grouping, Some(Grouping { without: true, labels: vec![] }));
    assert_eq!(vector_agg(r#"count(rate({x="y"}[1m]))"#).grouping, None);
}

#[test]
fn topk_and_bottomk() {
    let v = vector_agg(r#"topk(5, sum by (user_id) (rate({app="x"}[5m])))"#);
    assert_eq!((v.op, v.param), (VectorOp::Topk, Some(5)));
    let v = vector_agg(r#"bottomk by (a) (3, rate({app="x"}[5m]))"#);
    assert_eq!((v.op, v.param, v.grouping), (VectorOp::Bottomk, Some(3), by(&["a"])));
    check_err(r#"topk(rate({a="b"}[1m]))"#, 1, 6, "parameter required for operation topk");
    check_err(
        r#"topk(0, rate({a="b"}[1m]))"#,
        1,
        6,
        "invalid parameter for operation topk: 0 is not an integer above 0",
    );
    check_err(
        r#"topk(1.5, rate({a="b"}[1m]))"#,
        1,
        6,
        "invalid parameter for operation topk: 1.5 is not an integer above 0",
    );
    check_err(r#"sum(5, rate({a="b"}[1m]))"#, 1, 5, "unsupported parameter for operation sum");
    check_err(
        r#"sum by (a) (rate({a="b"}[1m])) by (b)"#,
        1,
        32,
        "syntax error: grouping given both before and after the arguments",
    );
    check_err(
        r#"sum({a="b"})"#,
        1,
        5,
        "syntax error: a log query is not a metric: use a range aggregation such as count_over_time({...}[5m])",
    );
}

// ---- Binary operators and literals ----

#[test]
fn binary_precedence_follows_promql() {
    // 1 + 2 * 3 ^ 2 ^ 1 > bool 4 and on () 5 ... built as: (1 + (2 * (3 ^ (2 ^ 1)))) ...
    let b = binary("1 + 2 * 3 ^ 2 ^ 1");
    assert_eq!(b.op, BinOp::Add);
    let Expr::Binary(mul) = *b.rhs else { panic!() };
    assert_eq!(mul.op, BinOp::Mul);
    let Expr::Binary(pow) = *mul.rhs else { panic!() };
    assert_eq!((pow.op, *pow.lhs), (BinOp::Pow, num(3.0)));
    assert!(matches!(*pow.rhs, Expr::Binary(BinaryExpr { op: BinOp::Pow, .. })), "^ is right-associative");

    let b = binary("10 - 2 - 3");
    assert_eq!((b.op, *b.rhs), (BinOp::Sub, num(3.0)), "- is left-associative");

    let rate = r#"rate({a="b"}[1m])"#;
    let b = binary(&format!("{rate} > 1 or {rate} < 2 and {rate} unless {rate}"));
    assert_eq!(b.op, BinOp::Or);
    let Expr::Binary(unless) = *b.rhs else { panic!() };
    assert_eq!(unless.op, BinOp::Unless);
    assert!(matches!(*unless.lhs, Expr::Binary(BinaryExpr { op: BinOp::And, .. })));

    let b = binary(&format!("({rate} + 1) * 2"));
    assert!(matches!(*b.lhs, Expr::Binary(BinaryExpr { op: BinOp::Add, .. })));
    assert_eq!(binary("2 % 3").op, BinOp::Mod);
    assert_eq!(binary("2 / 3").op, BinOp::Div);
}

#[test]
fn unary_minus_and_numbers() {
    assert_eq!(ok("-1.5"), num(-1.5));
    assert_eq!(ok("+2"), num(2.0));
    assert_eq!(ok("1e3"), num(1000.0));
    // The sign belongs to the literal, as in Loki: (-2) ^ 2.
    let b = binary("-2 ^ 2");
    assert_eq!((*b.lhs, *b.rhs), (num(-2.0), num(2.0)));
    let b = binary("1 - -1");
    assert_eq!((b.op, *b.rhs), (BinOp::Sub, num(-1.0)));
    check_err(r#"-rate({a="b"}[1m])"#, 1, 2, r#"syntax error: unexpected identifier "rate", expecting number"#);
}

#[test]
fn comparisons_with_bool() {
    for (sym, op) in [
        ("==", BinOp::Eq),
        ("!=", BinOp::Neq),
        (">", BinOp::Gt),
        (">=", BinOp::Gte),
        ("<", BinOp::Lt),
        ("<=", BinOp::Lte),
    ] {
        let b = binary(&format!(r#"rate({{a="b"}}[1m]) {sym} bool 2"#));
        assert_eq!((b.op, b.return_bool), (op, true));
        assert!(!binary(&format!(r#"rate({{a="b"}}[1m]) {sym} 2"#)).return_bool);
    }
    check_err("1 + bool 2", 1, 5, "bool modifier can only be used on comparison operators");
}

#[test]
fn vector_matching() {
    let b = binary(r#"sum by (a, b) (rate({x="1"}[1m])) / on (a) group_left (b) sum by (a) (rate({x="2"}[1m]))"#);
    assert_eq!(
        b.matching,
        Some(VectorMatching {
            on: true,
            labels: vec!["a".into()],
            card: Cardinality::ManyToOne,
            include: vec!["b".into()]
        })
    );
    let b = binary(r#"rate({x="1"}[1m]) > bool ignoring (c) group_right rate({x="2"}[1m])"#);
    assert!(b.return_bool);
    assert_eq!(
        b.matching,
        Some(VectorMatching { on: false, labels: vec!["c".into()], card: Cardinality::OneToMany, include: vec![] })
    );
    let b = binary(r#"rate({x="1"}[1m]) and on () rate({x="2"}[1m])"#);
    assert_eq!(
        b.matching,
        Some(VectorMatching { on: true, labels: vec![], card: Cardinality::OneToOne, include: vec![] })
    );
    check_err(
        r#"rate({x="1"}[1m]) and on (a) group_left rate({x="2"}[1m])"#,
        1,
        30,
        r#"no grouping allowed for "and" operation"#,
    );
    check_err(
        r#"rate({x="1"}[1m]) * group_left rate({x="2"}[1m])"#,
        1,
        21,
        r#"syntax error: unexpected "group_left", expecting on(...) or ignoring(...) before it"#,
    );
}

#[test]
fn set_operators_and_their_operands() {
    for (word, op) in [("and", BinOp::And), ("or", BinOp::Or), ("unless", BinOp::Unless)] {
        assert_eq!(binary(&format!(r#"rate({{a="b"}}[1m]) {word} rate({{c="d"}}[1m])"#)).op, op);
    }
    check_err(r#"rate({a="b"}[1m]) or 1"#, 1, 22, r#"set operator "or" not allowed with a number operand"#);
    check_err(
        r#"{a="b"} or rate({a="b"}[1m])"#,
        1,
        9,
        r#"syntax error: unexpected "or" after a log query: operators take metric queries such as count_over_time({...}[5m])"#,
    );
    check_err(
        r#"rate({a="b"}[1m]) + {a="b"}"#,
        1,
        21,
        "syntax error: a log query is not a metric: use a range aggregation such as count_over_time({...}[5m])",
    );
}

#[test]
fn vector_and_label_replace() {
    assert_eq!(ok("vector(1.5)"), Expr::Vector { value: 1.5, span: SP });
    let b = binary(r#"sum(rate({a="b"}[1m])) or vector(0)"#);
    assert_eq!(*b.rhs, Expr::Vector { value: 0.0, span: SP });
    let Expr::LabelReplace(l) = ok(r#"label_replace(rate({a="b"}[1m]), "dst", "$1-x", "src", "(.*)")"#) else {
        panic!("not label_replace")
    };
    assert_eq!(
        (l.dst.as_str(), l.replacement.as_str(), l.src.as_str(), l.regex.as_str()),
        ("dst", "$1-x", "src", "(.*)")
    );
    assert!(matches!(*l.expr, Expr::RangeAggregation(_)));
    check_err(
        r#"label_replace(rate({a="b"}[1m]), "d", "r", "s", "(")"#,
        1,
        49,
        r#"invalid regular expression "(": unclosed group"#,
    );
    check_err(
        r#"label_replace(rate({a="b"}[1m]), "d", "r", "s")"#,
        1,
        47,
        r#"syntax error: unexpected ")", expecting ",""#,
    );
    check_err("vector(x)", 1, 8, r#"syntax error: unexpected identifier "x", expecting number"#);
}

// ---- Real Loki queries ----

#[test]
fn loki_examples() {
    let v = vector_agg(r#"sum by (level) (count_over_time({service="payment-service"} |= "timeout" | json [1m]))"#);
    assert_eq!((v.op, v.grouping.clone()), (VectorOp::Sum, by(&["level"])));
    assert_eq!(
        *v.expr,
        count_over_time(
            sel("service", "payment-service"),
            vec![lf(LineFilterOp::Contains, &["timeout"]), Stage::Json { params: vec![], span: SP }],
            secs(60),
        )
    );

    let log = log(
        r#"{service="payment-service", level="ERROR"} | json | processing_time_ms > 1000 | line_format "{{.message}}""#,
    );
    assert_eq!(log.selector, vec![m("service", MatchOp::Eq, "payment-service"), m("level", MatchOp::Eq, "ERROR")]);
    assert_eq!(log.pipeline.len(), 3);
    assert_eq!(
        log.pipeline[1],
        Stage::LabelFilter { filter: cmp("processing_time_ms", CmpOp::Gt, CmpValue::Number(1000.0)), span: SP }
    );
    let Stage::LineFormat { template, .. } = &log.pipeline[2] else { panic!() };
    assert_eq!(template.parts, vec![TemplatePart::Value(TemplateValue::Field("message".into()))]);

    let r = range_agg(
        r#"quantile_over_time(0.99, {service="api"} | json | unwrap duration(latency) | __error__="" [5m]) by (route)"#,
    );
    assert_eq!((r.op, r.param, r.grouping.clone()), (RangeOp::QuantileOverTime, Some(0.99), by(&["route"])));
    assert_eq!(
        r.range.log.unwrap(),
        Some(&Unwrap { label: "latency".into(), conversion: Some(Conversion::Duration), span: SP })
    );
    assert_eq!(r.range.log.pipeline.len(), 3);

    let v = vector_agg(r#"topk(5, sum by (user_id) (rate({app="x"}[5m])))"#);
    let Expr::VectorAggregation(inner) = *v.expr else { panic!() };
    assert_eq!((inner.op, inner.grouping), (VectorOp::Sum, by(&["user_id"])));
}

#[test]
fn keywords_are_case_insensitive_and_comments_ignored() {
    let upper = ok("SUM BY (level) (COUNT_OVER_TIME({app=\"x\"} | JSON | Level=\"e\" [5m])) # per level\n");
    let lower = ok(r#"sum by (level) (count_over_time({app="x"} | json | Level="e" [5m]))"#);
    assert_eq!(upper, lower);
}

// ---- Positions ----

#[test]
fn nodes_carry_their_spans() {
    fn text_of(q: &str, span: Span) -> &str {
        &q[span.start..span.end]
    }
    let q = r#"sum by (a) (count_over_time({app="x", b=~"y"} |= "err" | json [5m]))"#;
    let text = |span: Span| text_of(q, span);
    let Expr::VectorAggregation(v) = ok(q) else { panic!() };
    assert_eq!(text(v.span), q);
    let Expr::RangeAggregation(r) = &*v.expr else { panic!() };
    assert_eq!(text(r.span), r#"count_over_time({app="x", b=~"y"} |= "err" | json [5m])"#);
    assert_eq!(text(r.range.span), r#"{app="x", b=~"y"} |= "err" | json [5m]"#);
    assert_eq!(text(r.range.log.span), r#"{app="x", b=~"y"} |= "err" | json"#);
    assert_eq!(text(r.range.log.selector[1].span), r#"b=~"y""#);
    let stage_texts: Vec<&str> = r.range.log.pipeline.iter().map(|s| text(s.span())).collect();
    assert_eq!(stage_texts, [r#"|= "err""#, "| json"]);

    let q = r#"rate({a="b"}[1m]) * 2"#;
    let text = |span: Span| text_of(q, span);
    let Expr::Binary(b) = ok(q) else { panic!() };
    assert_eq!((text(b.span), text(b.rhs.span())), (q, "2"));

    let q = r#"{a="b"} | x > 1s or y="z" | unpack"#;
    let text = |span: Span| text_of(q, span);
    let Stage::LabelFilter { filter: LabelFilter::Or(l, r), span } = &log(q).pipeline[0] else { panic!() };
    assert_eq!(text(*span), r#"| x > 1s or y="z""#);
    let (LabelFilter::Compare { span: ls, .. }, LabelFilter::Match(rm)) = (&**l, &**r) else { panic!() };
    assert_eq!((text(*ls), text(rm.span)), ("x > 1s", r#"y="z""#));
}

#[test]
fn multi_line_errors_report_line_and_column() {
    check_err(
        "sum by (level) (\n  count_over_time({app=\"x\"} |~ \"(\" [5m])\n)",
        2,
        32,
        r#"invalid regular expression "(": unclosed group"#,
    );
    check_err(
        "{app=\"x\"}\n  | json\n  | line_format \"{{ if .a }}\"",
        3,
        17,
        "invalid template: unsupported template action {{ if .a }}: supported are {{ .label }}, {{ __line__ }}, \
         {{ __timestamp__ }} and {{ ToUpper .label }}/{{ ToLower .label }}",
    );
    // Columns count characters, not bytes.
    check_err(
        "{app=\"µµ\"}\n |= \"é\" | x >",
        2,
        14,
        "syntax error: unexpected end of input, expecting number, duration or byte size",
    );
}

#[test]
fn other_errors() {
    check_err(r#"sum by (a) (rate({a="b"}[x]))"#, 1, 26, r#"not a valid duration string: "x""#);
    check_err(r#"rate({a="b"}[5m"#, 1, 13, "syntax error: missing closing ']' in duration");
    check_err("", 1, 1, "syntax error: unexpected end of input, expecting a query");
    check_err("  # only a comment", 1, 19, "syntax error: unexpected end of input, expecting a query");
    check_err(
        r#"{a="b"}[5m]"#,
        1,
        8,
        "syntax error: unexpected range [5m] outside a range aggregation such as count_over_time(...)",
    );
    check_err(
        r#"{a="b"} foo"#,
        1,
        9,
        r#"syntax error: unexpected identifier "foo", expecting a pipeline stage or end of input"#,
    );
    check_err(
        r#"rate({a="b"}[1m]) rate"#,
        1,
        19,
        r#"syntax error: unexpected identifier "rate", expecting a binary operator or end of input"#,
    );
    check_err(r#"foo({a="b"})"#, 1, 1, r#"syntax error: unknown function "foo""#);
    check_err("foo", 1, 1, r#"syntax error: unexpected identifier "foo", expecting a query"#);
    check_err(
        r#"{a="b"} | 5"#,
        1,
        11,
        "syntax error: unexpected number 5, expecting a parser, formatter, label filter or unwrap",
    );
    check_err("((((1)))", 1, 9, r#"syntax error: unexpected end of input, expecting ")""#);
    let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(err(&deep).message, "query is nested too deeply");
    let deep = format!(r#"{{a="b"}} | {}x=1"#, "(".repeat(10_000));
    assert_eq!(err(&deep).message, "query is nested too deeply");
}

#[test]
fn size_limits_keep_the_stack_bounded() {
    // The largest queries allowed parse, print, compare and drop on a test thread's 2 MiB stack.
    let nested_sums = format!("{}1{}{}", "sum(".repeat(62), " + 1".repeat(999), ")".repeat(62));
    ok(&nested_sums);
    ok(&format!("{}1{}", "(".repeat(63), ")".repeat(63)));
    ok(&format!(r#"{{a="b"}} | x=1{}"#, " or x=1".repeat(1000)));
    ok(&format!(r#"count_over_time({}{{a="b"}}{}[1m])"#, "(".repeat(62), ")".repeat(62)));
    assert_eq!(err(&format!("{}1{}", "sum(".repeat(64), ")".repeat(64))).message, "query is nested too deeply");
    assert_eq!(err(&format!("1{}", " + 1".repeat(1001))).message, "query has too many operators");
    assert_eq!(err(&format!(r#"{{a="b"}} | x=1{}"#, ", x=1".repeat(1001))).message, "query has too many operators");
}

// ---- Tree helpers ----

#[test]
fn helpers_walk_the_tree() {
    assert!(ok(r#"{a="b"} |= "x""#).is_log_query());
    let e = ok(r#"sum(rate({a="1"}[1m])) / sum(count_over_time({b="2"} | json [1m])) * 100"#);
    assert!(!e.is_log_query());
    let selectors: Vec<&str> = e.log_exprs().iter().map(|l| l.selector[0].name.as_str()).collect();
    assert_eq!(selectors, ["a", "b"]);
    let mut kinds = Vec::new();
    e.walk(&mut |node| {
        kinds.push(match node {
            Expr::Binary(b) => b.op.symbol(),
            Expr::VectorAggregation(_) => "agg",
            Expr::RangeAggregation(r) => r.op.name(),
            Expr::Number { .. } => "n",
            _ => "?",
        })
    });
    assert_eq!(kinds, ["*", "/", "agg", "rate", "agg", "count_over_time", "n"]);
    assert_eq!(log(r#"{a="b"} | json"#).unwrap(), None);
    // A reserved word after `| json` is not a parameter name.
    check_err(
        r#"{a="b"} | json or "x""#,
        1,
        16,
        r#"syntax error: unexpected "or" after a log query: operators take metric queries such as count_over_time({...}[5m])"#,
    );
}

// ---- Printing ----

#[test]
fn display_normalizes() {
    let cases = [
        (
            r#"{a = "b",c=~`x\d`}|="y"   or "z"|json|x>1.5s,y=="v""#,
            r#"{a="b", c=~"x\\d"} |= "y" or "z" | json | x > 1s500ms and y="v""#,
        ),
        (r#"COUNT_OVER_TIME({a="b"}[90s])"#, r#"count_over_time({a="b"}[1m30s])"#),
        (r#"rate({a="b"}[60m] |= "x")"#, r#"rate({a="b"} |= "x" [1h])"#),
        (r#"sum(rate({a="b"}[1m])) by (x)"#, r#"sum by (x) (rate({a="b"}[1m]))"#),
        ("((1 + 2)) * (3)", "(1 + 2) * 3"),
        ("1 - (2 - 3)", "1 - (2 - 3)"),
        ("(1 - 2) - 3", "1 - 2 - 3"),
        ("(2 ^ 3) ^ 2", "(2 ^ 3) ^ 2"),
        ("2 ^ (3 ^ 2)", "2 ^ 3 ^ 2"),
        (
            r#"{a="b"} | x > 1 and (y < 2 or z = 3) | s >= 1024B"#,
            r#"{a="b"} | x > 1 and (y < 2 or z == 3) | s >= 1KiB"#,
        ),
        (r#"{a="b"} | logfmt --keep-empty --strict"#, r#"{a="b"} | logfmt --strict --keep-empty"#),
        ("{a=\"tab\\there\\u0001\"}", "{a=\"tab\\there\\x01\"}"),
        (
            r#"rate({x="1"}[1m]) / ON(a) GROUP_LEFT() rate({x="2"}[1m])"#,
            r#"rate({x="1"}[1m]) / on (a) group_left rate({x="2"}[1m])"#,
        ),
    ];
    for (query, printed) in cases {
        assert_eq!(ok(query).to_string(), printed, "{query}");
    }
}

/// Every query these tests parse successfully, for the round-trip and no-panic checks.
const QUERIES: &[&str] = &[
    r#"{name="v", name2!="v", name3=~"re.*", name4!~"re|x"}"#,
    r#"{a="x\"y\\z\n\t\u00e9", _b2=`raw\d+"`}"#,
    r#"{a="b"} |= "x" != "y" |~ "z+" !~ `\d` |> "<_> GET <_>" !> "<_> POST""#,
    r#"{a="b"} |= "a" or "b" or `c` != "d" |~ "e" or "f""#,
    r#"{a="b"} | json first="x.y[0]", b"#,
    r#"{a="b"} | logfmt --strict --keep-empty lvl="level", msg"#,
    r#"{a="b"} | regexp "(?P<method>\\w+) (?P<path>\\S+)" | pattern "<_> <status> <_>" | unpack | decolorize"#,
    r#"{a="b"} | level="error" | path=~"/api/.*" | __error__="" | x == -1.5 | took < 1m30s | size > 20MB"#,
    r#"{x="y"} | (a="1" or b > 2) and c < 3s, d <= 1KiB e != 5"#,
    r#"{a="b"} | line_format "{{.level}}: {{ ToUpper .msg }} {{__line__}} {{ ToLower __timestamp__ }}""#,
    r#"{a="b"} | label_format dst=src, msg="{{.a}}-{{ __timestamp__ }}" | drop a, b="v", c=~"x.*" | keep d"#,
    r#"avg_over_time({a="b"} | json | unwrap duration_seconds(x) | __error__="" [1m]) by (a)"#,
    r#"count_over_time(({a="b"})[5m] offset 1h |= "x")"#,
    r#"rate({a="b"} | json [ 1d ] offset 2w)"#,
    r#"quantile_over_time(0.99, {a="b"} | unwrap latency [5m]) without (pod)"#,
    r#"sum by (level) (count_over_time({service="payment-service"} |= "timeout" | json [1m]))"#,
    r#"{service="payment-service", level="ERROR"} | json | processing_time_ms > 1000 | line_format "{{.message}}""#,
    r#"quantile_over_time(0.99, {service="api"} | json | unwrap duration(latency) | __error__="" [5m]) by (route)"#,
    r#"topk(5, sum by (user_id) (rate({app="x"}[5m])))"#,
    r#"bottomk by (a) (3, rate({app="x"}[5m])) > bool 2"#,
    r#"sum by (a, b) (rate({x="1"}[1m])) / on (a) group_left (b) sum by (a) (rate({x="2"}[1m]))"#,
    r#"sum(rate({a="b"}[1m])) or vector(0) unless ignoring (x) rate_counter({a="b"} | unwrap bytes(b) [1m])"#,
    r#"label_replace(rate({a="b"}[1m]), "dst", "$1-x", "src", "(.*)") * -1 ^ 2 % 3 - 4 / 5 + 6"#,
    r#"sort_desc(stddev without (x) (max_over_time({a="b"} | unwrap x [1m]) by (y)))"#,
    "sum by (level) (\n  count_over_time({app=\"x\"} |~ \"a\" [5m])\n) # trailing comment",
];

#[test]
fn every_query_round_trips() {
    for query in QUERIES {
        ok(query);
    }
}

/// Feeds every prefix of every query, and variants with a byte dropped, doubled or replaced by a
/// troublesome character, and checks the parser returns (never panics), and that whatever parses
/// prints back to an equal tree.
#[test]
fn garbled_input_never_panics() {
    let specials = [
        "", "(", ")", "{", "}", "[", "]", "\"", "`", "|", "!", "=", "~", "-", "--", ",", "µ", "é", "\\", "#", "\n", "0",
    ];
    let mut inputs: Vec<String> = Vec::new();
    for query in QUERIES {
        let chars: Vec<(usize, char)> = query.char_indices().collect();
        for &(at, c) in &chars {
            let end = at + c.len_utf8();
            inputs.push(query[..at].to_string());
            inputs.push(format!("{}{}", &query[..at], &query[end..]));
            inputs.push(format!("{}{c}{}", &query[..end], &query[end..]));
            for special in specials {
                inputs.push(format!("{}{special}{}", &query[..at], &query[end..]));
            }
            inputs.push(query[at..].to_string());
        }
    }
    let mut parsed = 0;
    for input in &inputs {
        let result = std::panic::catch_unwind(|| parse(input));
        let Ok(result) = result else { panic!("parse panicked on {input:?}") };
        match result {
            Ok(expr) => {
                parsed += 1;
                let printed = expr.to_string();
                assert_eq!(parse(&printed).as_ref(), Ok(&expr), "{input:?} printed as {printed:?}");
            }
            Err(e) => {
                assert!(e.pos <= input.len() && e.line >= 1 && e.col >= 1, "{input:?}: {e:?}");
                assert!(e.to_string().starts_with(&format!("parse error at line {}, col {}: ", e.line, e.col)));
            }
        }
    }
    assert!(inputs.len() > 20_000 && parsed > 500, "{} inputs, {parsed} parsed", inputs.len());
}
