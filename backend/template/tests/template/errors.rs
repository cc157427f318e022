//! Failures: parse errors with their line and column, execution errors with their kind and
//! place, and the guarantee that no input, however malformed, panics.

use lookout_template::{Error, ExecErrorKind, Template, Value};

use super::render;

fn data() -> Value {
    Value::map([
        ("S", Value::from("xyz")),
        ("SI", Value::list([3, 4, 5])),
        ("MSI", Value::map([("one", 1)])),
        ("U", lookout_template::Record::new("main.U").with("V", "v").into()),
    ])
}

/// `text` fails to parse with exactly `expected` (`template: test:line:col: message`).
fn check_parse_error(text: &str, expected: &str) {
    match Template::new("test").parse(text) {
        Ok(_) => panic!("{text}: parsed"),
        Err(e) => assert_eq!(e.to_string(), expected, "{text}"),
    }
}

#[test]
fn parse_errors_say_where() {
    for (text, expected) in [
        ("{{", "template: test:1:1: unclosed action"),
        ("ab\n  {{ .x", "template: test:2:3: unclosed action"),
        ("{{ .x }", "template: test:1:7: unexpected \"}\" in operand"),
        ("{{ .x }} {{ end }}", "template: test:1:13: unexpected {{end}}"),
        ("{{ else }}", "template: test:1:4: unexpected {{else}}"),
        ("{{if .x}}a", "template: test:1:11: unexpected EOF"),
        ("{{ foo }}", "template: test:1:4: function \"foo\" not defined"),
        ("é {{ x }}", "template: test:1:6: function \"x\" not defined"),
        ("{{ $x }}", "template: test:1:4: undefined variable \"$x\""),
        ("{{ $x = 1 }}", "template: test:1:4: undefined variable \"$x\""),
        ("{{ if true }}{{ $x := 1 }}{{ end }}{{ $x }}", "template: test:1:39: undefined variable \"$x\""),
        ("{{ 1 | 2 }}", "template: test:1:8: non executable command in pipeline stage 2"),
        ("{{ }}", "template: test:1:4: missing value for command"),
        ("a\nb\n  {{ if }}", "template: test:3:9: missing value for if"),
        ("{{ $a, $b := 1 }}", "template: test:1:6: too many declarations in command"),
        ("{{ range $a, $b, $c := . }}{{ end }}", "template: test:1:16: too many declarations in range"),
        ("{{ range $a, 1 }}{{ end }}", "template: test:1:12: range can only initialize variables"),
        ("{{ break }}", "template: test:1:4: {{break}} outside {{range}}"),
        ("{{ range . }}{{ define \"x\" }}{{ end }}{{ end }}", "template: test:1:17: unexpected <define> in command"),
        (
            "{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}",
            "template: test:1:37: multiple definition of template \"a\"",
        ),
        ("{{ define \"a\" }}{{ else }}{{ end }}", "template: test:1:20: unexpected {{else}} in define clause"),
        ("{{ define a }}{{ end }}", "template: test:1:11: unexpected \"a\" in define clause"),
        ("{{ template .x }}", "template: test:1:13: unexpected \".x\" in template clause"),
        ("{{ if 1 }}{{ else }}{{ else }}{{ end }}", "template: test:1:24: expected end; found {{else}}"),
        ("{{ \"x\".y }}", "template: test:1:7: unexpected . after term \"\\\"x\\\"\""),
        ("{{ 3k }}", "template: test:1:4: bad number syntax: \"3k\""),
        ("{{ 1i }}", "template: test:1:4: complex numbers are not supported: \"1i\""),
        ("{{ 0x }}", "template: test:1:4: illegal number syntax: \"0x\""),
        ("{{ \"\\q\" }}", "template: test:1:4: invalid syntax"),
        ("{{ 'ab' }}", "template: test:1:4: malformed character constant: 'ab'"),
        ("{{ .x+1 }}", "template: test:1:4: bad character U+002B '+'"),
        ("{{ ( }}", "template: test:1:6: unclosed left paren"),
        ("{{ /* x */ }}", "template: test:1:4: unexpected \"/\" in command"),
        ("{{/* x */ }}", "template: test:1:1: comment ends before closing delimiter"),
    ] {
        check_parse_error(text, expected);
    }
}

#[test]
fn parse_errors_carry_positions() {
    let e = Template::new("t").parse("line one\n  {{ nope }}").unwrap_err();
    assert_eq!((e.name.as_str(), e.location.line, e.location.col, e.location.pos), ("t", 2, 6, 14));
    assert_eq!(e.message, "function \"nope\" not defined");
}

/// `text` fails while executing on the test data with `kind`, displayed as `expected`.
fn check_exec_error(text: &str, kind: ExecErrorKind, expected: &str) {
    match render(text, &data()) {
        Err(Error::Exec(e)) => {
            assert_eq!(e.kind(), &kind, "{text}");
            assert_eq!(e.to_string(), expected, "{text}");
        }
        other => panic!("{text}: {other:?}"),
    }
}

fn call(function: &str, message: &str) -> ExecErrorKind {
    ExecErrorKind::Call { function: function.into(), message: message.into() }
}

#[test]
fn execution_errors_are_typed() {
    let no_field =
        |name: &str, type_name: &str| ExecErrorKind::NoField { name: name.into(), type_name: type_name.into() };
    let arg_count =
        |function: &str, want: &str, got| ExecErrorKind::ArgCount { function: function.into(), want: want.into(), got };
    for (text, kind, expected) in [
        (
            "{{ index .SI 10 }}",
            call("index", "index out of range: 10"),
            "template: test:1:4: executing \"test\" at <index .SI 10>: error calling index: index out of range: 10",
        ),
        (
            "{{ index .SI -1 }}",
            call("index", "index out of range: -1"),
            "template: test:1:4: executing \"test\" at <index .SI -1>: error calling index: index out of range: -1",
        ),
        (
            "{{ index .SI \"a\" }}",
            call("index", "cannot index slice/array with type string"),
            "template: test:1:4: executing \"test\" at <index .SI \"a\">: error calling index: cannot index slice/array with type string",
        ),
        (
            "{{ index nil 1 }}",
            call("index", "index of untyped nil"),
            "template: test:1:4: executing \"test\" at <index nil 1>: error calling index: index of untyped nil",
        ),
        (
            "{{ slice .SI 2 1 }}",
            call("slice", "invalid slice index: 2 > 1"),
            "template: test:1:4: executing \"test\" at <slice .SI 2 1>: error calling slice: invalid slice index: 2 > 1",
        ),
        (
            "{{ slice .S 1 2 3 }}",
            call("slice", "cannot 3-index slice a string"),
            "template: test:1:4: executing \"test\" at <slice .S 1 2 3>: error calling slice: cannot 3-index slice a string",
        ),
        (
            "{{ len 3 }}",
            call("len", "len of type int"),
            "template: test:1:4: executing \"test\" at <len 3>: error calling len: len of type int",
        ),
        (
            "{{ len }}",
            arg_count("len", "1", 0),
            "template: test:1:4: executing \"test\" at <len>: wrong number of args for len: want 1 got 0",
        ),
        (
            "{{ and }}",
            arg_count("and", "at least 1", 0),
            "template: test:1:4: executing \"test\" at <and>: wrong number of args for and: want at least 1 got 0",
        ),
        (
            "{{ 1 | lt 1 2 }}",
            arg_count("lt", "2", 3),
            "template: test:1:8: executing \"test\" at <lt>: wrong number of args for lt: want 2 got 3",
        ),
        (
            "{{ eq 1 }}",
            call("eq", "missing argument for comparison"),
            "template: test:1:4: executing \"test\" at <eq 1>: error calling eq: missing argument for comparison",
        ),
        (
            "{{ lt 1 \"a\" }}",
            call("lt", "incompatible types for comparison: int and string"),
            "template: test:1:4: executing \"test\" at <lt 1 \"a\">: error calling lt: incompatible types for comparison: int and string",
        ),
        (
            "{{ lt true false }}",
            call("lt", "invalid type for comparison"),
            "template: test:1:4: executing \"test\" at <lt true false>: error calling lt: invalid type for comparison",
        ),
        (
            "{{ eq .SI .SI }}",
            call("eq", "non-comparable type []interface {}"),
            "template: test:1:4: executing \"test\" at <eq .SI .SI>: error calling eq: non-comparable type []interface {}",
        ),
        (
            "{{ printf 1.5 }}",
            call("printf", "wrong type for value; expected string; got float64"),
            "template: test:1:4: executing \"test\" at <printf 1.5>: error calling printf: wrong type for value; expected string; got float64",
        ),
        (
            "{{ .S.x }}",
            no_field("x", "string"),
            "template: test:1:4: executing \"test\" at <.S.x>: can't evaluate field x in type string",
        ),
        (
            "{{ .U.Missing }}",
            no_field("Missing", "main.U"),
            "template: test:1:4: executing \"test\" at <.U.Missing>: can't evaluate field Missing in type main.U",
        ),
        (
            "{{ .MSI.one 1 }}",
            ExecErrorKind::NotAMethod("one".into()),
            "template: test:1:4: executing \"test\" at <.MSI.one>: one is not a method but has arguments",
        ),
        (
            "{{ 1 2 }}",
            ExecErrorKind::NotAFunction("1".into()),
            "template: test:1:4: executing \"test\" at <1>: can't give argument to non-function 1",
        ),
        (
            "{{ .S | (1) }}",
            ExecErrorKind::NotAFunction("(1)".into()),
            "template: test:1:10: executing \"test\" at <(1)>: can't give argument to non-function (1)",
        ),
        (
            "{{ nil }}",
            ExecErrorKind::NilCommand,
            "template: test:1:4: executing \"test\" at <nil>: nil is not a command",
        ),
        (
            "{{ if nil }}{{ end }}",
            ExecErrorKind::NilCommand,
            "template: test:1:7: executing \"test\" at <nil>: nil is not a command",
        ),
        (
            "{{ range .S }}{{ end }}",
            ExecErrorKind::NotIterable("xyz".into()),
            "template: test:1:10: executing \"test\" at <.S>: range can't iterate over xyz",
        ),
        (
            "{{ template \"nope\" .S }}",
            ExecErrorKind::UndefinedTemplate("nope".into()),
            "template: test:1:4: executing \"test\" at <{{template \"nope\" .S}}>: template \"nope\" not defined",
        ),
        (
            "{{ define \"d\" }}\n{{ .S.y }}{{ end }}{{ template \"d\" . }}",
            no_field("y", "string"),
            "template: test:2:4: executing \"d\" at <.S.y>: can't evaluate field y in type string",
        ),
        (
            "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}",
            ExecErrorKind::TooDeep(100),
            "template: test:1:20: executing \"r\" at <{{template \"r\" .}}>: exceeded maximum template depth (100)",
        ),
    ] {
        check_exec_error(text, kind, expected);
    }
}

#[test]
fn execution_errors_carry_positions() {
    let Err(Error::Exec(e)) = render("{{ define \"d\" }}\n  {{ .S.y }}{{ end }}{{ template \"d\" . }}", &data()) else {
        panic!("no execution error");
    };
    assert_eq!((e.template(), e.context()), ("d", ".S.y"));
    let (name, at) = e.location().unwrap();
    assert_eq!((name, at.line, at.col, at.pos), ("test", 2, 6, 22));
}

#[test]
fn runaway_work_is_stopped() {
    // Each level invokes the next twice: 2^40 invocations without the limit.
    let doubling = concat!(
        "{{ define \"d\" }}{{ if lt (len .) 40 }}",
        "{{ template \"d\" (print . \"x\") }}{{ template \"d\" (print . \"x\") }}",
        "{{ end }}{{ end }}{{ template \"d\" \"\" }}",
    );
    let Err(Error::Exec(e)) = render(doubling, &Value::Nil) else { panic!("no error") };
    assert_eq!(e.kind(), &ExecErrorKind::TooManySteps(1_000_000));
    let nested = format!("{}{}", "{{ range $ }}".repeat(5), "{{ end }}".repeat(5));
    let Err(Error::Exec(e)) = render(&nested, &Value::list(vec![Value::Nil; 100])) else { panic!("no error") };
    assert_eq!(e.kind(), &ExecErrorKind::TooManySteps(1_000_000));
}

#[test]
fn running_a_missing_template_fails() {
    let set = Template::new("t").parse("{{ define \"a\" }}{{ end }}").unwrap();
    let e = set.execute_template("missing", &Value::Nil).unwrap_err();
    assert_eq!(e.kind(), &ExecErrorKind::UndefinedTemplate("missing".into()));
    assert_eq!((e.template(), e.location(), e.context()), ("missing", None, ""));
    assert_eq!(e.to_string(), "template: missing: template \"missing\" not defined");
    assert!(Template::new("empty").execute(&Value::Nil).is_err());
}

/// Well-formed templates, the seeds the malformed ones are made from.
const SEEDS: &[&str] = &[
    "{{ .A.b | printf \"%s-%d\" 3 }} text {{- $x := len .L -}} {{ $x }}",
    "{{ if and .A (not .B) }}a{{ else if eq .C 1 2 }}b{{ else }}c{{ end }}",
    "{{ range $i, $e := .L }}{{ if $i }}, {{ end }}{{ $e }}{{ break }}{{ else }}none{{ end }}",
    "{{ define \"x\" }}{{ with .A }}{{ . }}{{ end }}{{ end }}{{ template \"x\" . }}{{ block \"y\" 1 }}{{ . }}{{ end }}",
    "{{/* comment */}}{{ `raw` }}{{ 'c' }}{{ 0x1f }}{{ (index .L 0).x }}{{ slice .S 1 2 }}",
    "{{ html (print .A) | urlquery }}{{ js \"'\" }}{{ $.A }}{{ nil | not }}",
];

/// Each input either parses or fails to; parsed ones execute or fail; nothing panics.
fn survive(text: &str) {
    let data = Value::map([
        ("A", Value::from("a")),
        ("B", Value::Nil),
        ("C", Value::from(1)),
        ("L", Value::list([Value::map([("x", 1)]), Value::from(2)])),
        ("S", Value::from("héllo")),
    ]);
    if let Ok(set) = Template::new("fuzz").parse(text) {
        let _ = set.execute(&data);
    }
}

#[test]
fn malformed_input_never_panics() {
    let fragments = [
        "{{", "}}", "{{-", "-}}", "(", ")", "|", "\"", "`", "'", "$", ".", ":=", "=", " ", "\n", "/*", "*/", "é",
        "\u{a0}", ",", "end", "else",
    ];
    let mut inputs: Vec<String> = vec![
        "{{{{}}}}".into(),
        "{{ . . . }}".into(),
        "{{ $ := 1 }}".into(),
        "{{ .x. }}".into(),
        "{{ ( ) }}".into(),
        "{{ | }}".into(),
        "{{ - }}".into(),
        "{{ +. }}".into(),
        "{{ 1e }}".into(),
        "{{ '\\u12' }}".into(),
        "{{ \"\\xff\" }}".into(),
        "{{ printf \"%9999999999d\" 1 }}".into(),
        "{{ printf \"%.*d\" -1 1 }}".into(),
        "{{ slice \"é\" 1 }}".into(),
        "{{ index \"é\" 5 }}".into(),
        "{{ humanize }}".into(),
        "{{- -}}".into(),
        "{{/**/}}".into(),
    ];
    for seed in SEEDS {
        let chars: Vec<(usize, char)> = seed.char_indices().collect();
        for &(at, c) in &chars {
            // Every prefix, every text with one character dropped, and every text with a
            // fragment inserted.
            inputs.push(seed[..at].to_string());
            inputs.push(format!("{}{}", &seed[..at], &seed[at + c.len_utf8()..]));
            for fragment in fragments {
                inputs.push(format!("{}{fragment}{}", &seed[..at], &seed[at..]));
            }
        }
    }
    assert!(inputs.len() > 5000);
    for input in &inputs {
        survive(input);
    }
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let parens = format!("{{{{ {}1{} }}}}", "(".repeat(5000), ")".repeat(5000));
    let ifs = format!("{}x{}", "{{ if 1 }}".repeat(5000), "{{ end }}".repeat(5000));
    let defines = format!("{}x{}", "{{ block \"b\" . }}".repeat(5000), "{{ end }}".repeat(5000));
    for text in [parens, ifs, defines] {
        let e = Template::new("deep").parse(&text).unwrap_err();
        assert!(e.message.contains("max expression depth exceeded"), "{e}");
    }
    let within = format!("{}x{}", "{{ if 1 }}".repeat(90), "{{ end }}".repeat(90));
    assert_eq!(render(&within, &Value::Nil).unwrap(), "x");
}
