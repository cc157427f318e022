//! The language, feature by feature: text and trimming, fields and variables, literals,
//! pipelines, `if`/`with`/`range`, defined templates, Go's built-in functions, and callers'
//! objects and functions. Expected outputs are what Go's text/template prints.

use lookout_template::{Arity, Function, Object, Record, Template, Value};

use super::check;

fn data() -> Value {
    Value::map([
        ("I", Value::from(17)),
        ("F", 1.5.into()),
        ("Zero", 0.into()),
        ("S", "xyz".into()),
        ("Empty", "".into()),
        ("T", true.into()),
        ("SI", Value::list([3, 4, 5])),
        ("SIEmpty", Value::list(Vec::<Value>::new())),
        ("MSI", Value::map([("one", 1), ("two", 2), ("three", 3)])),
        ("MSIEmpty", Value::map(Vec::<(String, Value)>::new())),
        ("Nested", Value::map([("a", Value::map([("b", "deep")]))])),
        ("U", Record::new("main.U").with("V", "v").with("W", 2).into()),
        ("Nil", Value::Nil),
        ("Strs", Value::list(["a", "b", "c"])),
    ])
}

fn check_all(cases: &[(&str, &str)]) {
    let data = data();
    for (text, expected) in cases {
        check(text, &data, expected);
    }
}

#[test]
fn text_comments_and_trim_markers() {
    check_all(&[
        ("plain text", "plain text"),
        ("", ""),
        ("a{{/* comment */}}b", "ab"),
        ("a {{/* multi\nline */}} b", "a  b"),
        ("a {{- /* trimmed */ -}} b", "ab"),
        ("a  {{- 1 -}}  b", "a1b"),
        ("a \n\t{{- 1 }} b", "a1 b"),
        ("{{ 1 -}}\n\n  x", "1x"),
        ("{{-3}}", "-3"),
        ("x {{- -3 -}} y", "x-3y"),
        ("}} and {{`{{`}}", "}} and {{"),
        ("{{ \"a\" }}\n{{- \"b\" }}", "ab"),
    ]);
}

#[test]
fn fields_and_variables() {
    check_all(&[
        ("{{.I}} {{.S}} {{.F}} {{.T}}", "17 xyz 1.5 true"),
        ("{{.Nested.a.b}}", "deep"),
        ("{{.Missing}}|{{.Missing.deeper}}|{{.Nil}}", "<no value>|<no value>|<no value>"),
        ("{{.U.V}} {{.U}}", "v {v 2}"),
        ("{{.SI}} {{.MSI}}", "[3 4 5] map[one:1 three:3 two:2]"),
        ("{{$.I}} {{($).S}}", "17 xyz"),
        ("{{$x := .I}}{{$x}}", "17"),
        ("{{$x := 1}}{{$x = 2}}{{$x}}", "2"),
        ("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2"),
        ("{{$x := .Nested}}{{$x.a.b}}", "deep"),
        ("{{with $x := .I}}{{$x}}{{end}}", "17"),
        ("{{if $x := true}}{{with $x := .I}}{{$x}},{{end}}{{$x}}{{end}}", "17,true"),
        ("{{(.Nested.a).b}}", "deep"),
        ("{{ .U.V | printf \"%s!\" }}", "v!"),
    ]);
}

#[test]
fn literals() {
    check_all(&[
        ("{{\"a\\tb\"}}", "a\tb"),
        ("{{`raw\\n`}}", "raw\\n"),
        ("{{\"\\u00e9\\x41\"}}", "éA"),
        ("{{1}} {{1.5}} {{-2}} {{+3}} {{.5}}", "1 1.5 -2 3 0.5"),
        ("{{0x1F}} {{0o17}} {{0b101}} {{1_000}} {{1e3}}", "31 15 5 1000 1000"),
        ("{{'a'}} {{'\\n'}}", "97 10"),
        ("{{true}} {{false}}", "true false"),
        // Integers print in full, floats in Go's shortest form.
        ("{{1000000}} {{1e6}} {{1000000.0}} {{123456.0}} {{0.00001}}", "1000000 1e+06 1e+06 123456 1e-05"),
    ]);
}

#[test]
fn pipelines() {
    check_all(&[
        ("{{\"x\" | printf \"%s-%s\" \"a\"}}", "a-x"),
        ("{{.SI | len}}", "3"),
        ("{{printf \"%d %d\" (len .SI) (len .S)}}", "3 3"),
        ("{{ .I | printf \"%d\" | printf \"[%s]\" }}", "[17]"),
        ("{{ (printf \"%s\" \"x\") }}", "x"),
        ("{{ printf\n  \"%d\"\n  1 }}", "1"),
        ("{{ $n := len .SI | printf \"%d items\" }}{{ $n }}", "3 items"),
    ]);
}

#[test]
fn if_and_with() {
    check_all(&[
        ("{{if true}}T{{end}}", "T"),
        ("{{if false}}T{{else}}F{{end}}", "F"),
        ("{{if .Zero}}T{{else}}F{{end}}{{if .F}}T{{end}}", "FT"),
        ("{{if .Empty}}T{{else}}F{{end}}{{if .S}}T{{end}}", "FT"),
        ("{{if .SIEmpty}}T{{else}}F{{end}}{{if .SI}}T{{end}}", "FT"),
        ("{{if .MSIEmpty}}T{{else}}F{{end}}{{if .MSI}}T{{end}}", "FT"),
        ("{{if .Missing}}T{{else}}F{{end}}{{if .U}}T{{end}}", "FT"),
        ("{{if eq 1 3}}1{{else if eq 2 3}}2{{else if eq 3 3}}3{{end}}", "3"),
        ("{{if false}}a{{else if false}}b{{else}}c{{end}}", "c"),
        ("{{with .S}}{{.}}{{end}}", "xyz"),
        ("{{with .Empty}}x{{else}}EMPTY{{end}}", "EMPTY"),
        ("{{with 0}}{{.}}{{else with true}}{{.}}{{end}}", "true"),
        ("{{with 0}}{{.}}{{else with false}}{{.}}{{else with `notempty`}}{{.}}{{end}}", "notempty"),
        ("{{with .Nested.a}}{{.b}}{{end}}", "deep"),
        ("{{with .Missing}}x{{end}}", ""),
        ("{{with $x := .I}}{{$.S}}{{end}}", "xyz"),
    ]);
}

#[test]
fn range() {
    check_all(&[
        ("{{range .SI}}-{{.}}-{{end}}", "-3--4--5-"),
        ("{{range .SIEmpty}}x{{else}}EMPTY{{end}}", "EMPTY"),
        ("{{range .Missing}}x{{else}}NONE{{end}}", "NONE"),
        ("{{range $i, $e := .SI}}{{$i}}={{$e}} {{end}}", "0=3 1=4 2=5 "),
        ("{{range $e := .SI}}{{$e}}{{end}}", "345"),
        ("{{range $k, $v := .MSI}}{{$k}}:{{$v}},{{end}}", "one:1,three:3,two:2,"),
        ("{{range .MSI}}{{.}}{{end}}", "132"),
        ("{{range .SI}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}", "3"),
        ("{{range .SI}}{{if eq . 4}}{{continue}}{{end}}{{.}}{{end}}", "35"),
        ("{{range .SI}}-{{.}}-{{break}}NOT REACHED{{else}}EMPTY{{end}}", "-3-"),
        ("{{range .SI}}{{$.S}}{{end}}", "xyzxyzxyz"),
        ("{{range .Strs}}{{$o := .}}{{range $.SI}}{{$o}}{{.}}{{end}} {{end}}", "a3a4a5 b3b4b5 c3c4c5 "),
        ("{{$last := 0}}{{range .SI}}{{$last = .}}{{end}}{{$last}}", "5"),
        ("{{$i := 9}}{{range $i, $e := .Strs}}{{end}}{{$i}}", "9"),
        ("{{$i := 9}}{{$e := 0}}{{range $i, $e = .Strs}}{{end}}{{$i}}{{$e}}", "2c"),
    ]);
}

#[test]
fn defined_templates() {
    check_all(&[
        ("{{define \"x\"}}X{{.}}{{end}}{{template \"x\" 1}}", "X1"),
        ("{{define \"x\"}}[{{.}}]{{end}}{{template \"x\"}}", "[<no value>]"),
        ("{{template \"x\" .S}}{{define \"x\"}}{{.}}!{{end}}", "xyz!"),
        ("{{block \"b\" .I}}default {{.}}{{end}}", "default 17"),
        ("{{define \"a\"}}{{$}}{{end}}{{template \"a\" .I}}", "17"),
        (
            "{{define \"count\"}}{{if .}}{{len .}}{{template \"count\" slice . 1}}{{end}}{{end}}{{template \"count\" .SI}}",
            "321",
        ),
        ("{{$x := 1}}{{define \"v\"}}{{.}}{{end}}{{template \"v\" $x}}", "1"),
        ("{{define \"x\"}}{{end}}{{define \"x\"}}kept{{end}}{{template \"x\"}}", "kept"),
    ]);
}

#[test]
fn sets_of_templates() {
    let set = Template::new("main").parse("{{define \"a\"}}1{{end}}<{{template \"a\"}}>").unwrap();
    assert_eq!(set.execute(&Value::Nil).unwrap(), "<1>");
    // A later definition replaces an earlier one; an empty main text does not replace the main one.
    let set = set.parse("{{define \"a\"}}2{{end}}").unwrap();
    assert_eq!(set.execute(&Value::Nil).unwrap(), "<2>");
    assert_eq!(set.execute_template("a", &Value::Nil).unwrap(), "2");
    assert_eq!(set.template_names(), ["a", "main"]);
    assert_eq!(set.name(), "main");
    // render parses a text beside the set, leaving the set as it was.
    assert_eq!(set.render("[{{template \"a\"}}]", &Value::Nil).unwrap(), "[2]");
    assert_eq!(set.render("{{define \"a\"}}3{{end}}{{template \"a\"}}", &Value::Nil).unwrap(), "3");
    assert_eq!(set.render("", &Value::Nil).unwrap(), "");
    assert_eq!(set.execute_template("a", &Value::Nil).unwrap(), "2");
    assert!(set.tree("a").is_some_and(|tree| tree.root.len() == 1));
}

#[test]
fn boolean_functions() {
    check_all(&[
        ("{{and false 0}} {{and 1 0}} {{and 0 true}} {{and 1 1}}", "false 0 0 1"),
        ("{{or 0 0}} {{or 1 0}} {{or 0 true}} {{or 1 1}}", "0 1 true 1"),
        // The third operand would fail; it is never evaluated.
        ("{{or 0 1 (index .SI 99)}} {{and 1 0 (index .SI 99)}}", "1 0"),
        ("{{1 | and 1}} {{0 | and 1}} {{1 | or 0}} {{0 | or 0}}", "1 0 1 0"),
        ("{{and 1 .Unknown}} {{or 0 .Unknown}}", "<no value> <no value>"),
        ("{{not true}} {{not .Empty}} {{not .SI}}", "false true false"),
        ("{{if and true 1 `hi`}}TRUE{{else}}FALSE{{end}}", "TRUE"),
        ("{{if true | not | and 1}}TRUE{{else}}FALSE{{end}}", "FALSE"),
    ]);
}

#[test]
fn len_index_and_slice() {
    check_all(&[
        ("{{len .SI}} {{len .MSI}} {{len .S}} {{len \"é\"}} {{len .SIEmpty}}", "3 3 3 2 0"),
        ("{{index .SI 1}} {{index .MSI \"two\"}} {{index .MSI \"nope\"}}", "4 2 <no value>"),
        ("{{index .Nested \"a\" \"b\"}} {{index .S 0}} {{index .SI}}", "deep 120 [3 4 5]"),
        (
            "{{slice .SI}} {{slice .SI 1}} {{slice .SI 1 2}} {{slice .SI 1 2 3}} {{slice .SI 3}}",
            "[3 4 5] [4 5] [4] [4] []",
        ),
        ("{{slice .S}} {{slice .S 1}} {{slice .S 1 2}}", "xyz yz y"),
    ]);
}

#[test]
fn print_functions() {
    check_all(&[
        ("{{print \"a\" 1 2 \"b\"}}", "a1 2b"),
        ("{{print nil}} {{print}}", "<nil> "),
        ("{{println 1 2}}", "1 2\n"),
        ("{{print .SI .MSI .U}}", "[3 4 5] map[one:1 three:3 two:2] {v 2}"),
        ("{{printf \"%04x\" 127}} {{printf \"%g\" 3.5}} {{printf \"%s=%d\" \"a\" 1}}", "007f 3.5 a=1"),
        ("{{printf \"%.2f%%\" .F}}", "1.50%"),
        ("{{printf \"%5.1f|%-5s|%q\" 3.14159 \"ab\" \"c\"}}", "  3.1|ab   |\"c\""),
        ("{{printf \"%v %T %T\" .U .S .SI}}", "{v 2} string []interface {}"),
        ("{{printf \"%x %X %e\" \"hi\" 255 123456.0}}", "6869 FF 1.234560e+05"),
        ("{{printf \"%d\" \"x\"}} {{printf \"%s %s\" \"a\"}}", "%!d(string=x) a %!s(MISSING)"),
        ("{{printf \"%d items\" (len .SI)}}", "3 items"),
    ]);
}

#[test]
fn comparisons() {
    check_all(&[
        ("{{eq 1 1}} {{eq 1 2}} {{eq \"a\" \"a\"}} {{eq 1 2 3 1}} {{eq .S \"xyz\"}}", "true false true true true"),
        ("{{eq .Missing nil}} {{eq .Missing 1}} {{eq true true}} {{eq 1.0 1}}", "true false true true"),
        ("{{ne 1 2}} {{ne \"a\" \"a\"}}", "true false"),
        (
            "{{lt 1 2}} {{lt 2 1}} {{le 2 2}} {{gt 3 2}} {{ge 2 3}} {{lt \"a\" \"b\"}}",
            "true false true true false true",
        ),
        ("{{if gt (len .SI) 2}}big{{end}}", "big"),
    ]);
}

#[test]
fn escapers() {
    check_all(&[
        ("{{html \"<script>alert(\\\"XSS\\\");</script>\"}}", "&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;"),
        ("{{printf \"<a href='%s'>\" \"x\" | html}}", "&lt;a href=&#39;x&#39;&gt;"),
        ("{{html .Missing}} {{html 1 \"<\"}}", "&lt;no value&gt; 1&lt;"),
        ("{{js \"It'd be nice.\"}} {{js \"<a=b>\"}}", "It\\'d be nice. \\u003Ca\\u003Db\\u003E"),
        ("{{\"http://www.example.org/\"|urlquery}} {{urlquery \"a b&c\"}}", "http%3A%2F%2Fwww.example.org%2F a+b%26c"),
        // Plain text mode: nothing is escaped unless asked.
        ("{{\"<b>\"}}", "<b>"),
    ]);
}

/// An object with methods, as a caller would expose one.
#[derive(Debug)]
struct Greeter {
    name: String,
}

impl Object for Greeter {
    fn type_name(&self) -> &str {
        "main.Greeter"
    }

    fn field(&self, name: &str) -> Option<Value> {
        (name == "Name").then(|| self.name.as_str().into())
    }

    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        match (name, args) {
            ("Hello", []) => Some(Ok(format!("hello {}", self.name).into())),
            ("Greet", [Value::String(whom)]) => Some(Ok(format!("{} greets {whom}", self.name).into())),
            ("Greet", _) => Some(Err("Greet takes one string".into())),
            _ => None,
        }
    }
}

#[test]
fn objects_and_caller_functions() {
    let data = Value::map([("G", Value::object(Greeter { name: "ann".into() }))]);
    for (text, expected) in [
        ("{{.G.Name}} {{.G.Hello}}", "ann hello ann"),
        ("{{.G.Greet \"bob\"}} {{\"cy\" | .G.Greet}}", "ann greets bob ann greets cy"),
        ("{{with .G}}{{.Hello}}{{end}} {{if .G}}true{{end}} {{.G}}", "hello ann true {main.Greeter}"),
    ] {
        check(text, &data, expected);
    }
    let set = Template::new("t")
        .func("double", Function::new(Arity::Exactly(1), |args| Ok((args[0].as_f64().unwrap_or(0.0) * 2.0).into())))
        .func("len", Function::new(Arity::Exactly(1), |_| Ok("overridden".into())))
        .parse("{{double 21}} {{21 | double}} {{len 1}}")
        .unwrap();
    assert_eq!(set.execute(&Value::Nil).unwrap(), "42 42 overridden");
}

#[test]
fn templates_are_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Template>();
    assert_send_sync::<Value>();
}
