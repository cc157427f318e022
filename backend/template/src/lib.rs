//! Go's `text/template`, the subset Prometheus alerting-rule templates (`annotations`, `labels`:
//! `{{ $value }}`, `{{ $labels.instance }}`, `{{ humanize $value }}`) and Alertmanager
//! notification templates (`{{ define }}`, `{{ template "slack.default.title" . }}`,
//! `{{ range .Alerts }}`, `.CommonLabels.SortedPairs`) use, for Lookout's rules and notifiers.
//! Parsing, data and output follow Go so that templates written for Prometheus and Alertmanager
//! produce the same text here.
//!
//! Design: text parses into [`ast`] trees with byte positions ([`Template::parse`], errors as
//! [`ParseError`] with line and column); execution runs over [`Value`]s (nil, bool, int, float,
//! string, list, sorted map) and [`Object`]s, the trait through which callers expose what Go
//! finds by reflection: struct fields ([`Record`]) and methods (`KV.SortedPairs`,
//! `Alerts.Firing`). Functions are Rust closures ([`Function`]) in a [`FuncMap`]; the Prometheus
//! and Alertmanager sets are in [`funcs`], the data they run on in [`rule`] and
//! [`alertmanager`]. Nothing panics on any input: bad text is a `ParseError`, a bad run an
//! [`ExecError`] with a typed [`ExecErrorKind`], and nesting, recursion and the work one
//! execution may do are bounded.
//!
//! Supported: text and actions; `{{/* comments */}}`; trim markers `{{- ` and ` -}}`; `.`,
//! `.Field.Chain`, `$`, `$var`, `$var := …`, `$var = …`; pipelines with `|`; parenthesised
//! pipelines and `(…).Field`; string (interpreted and raw), number (decimal, hex, octal, binary,
//! character), bool and nil literals; `if`/`else if`/`else`, `with`/`else with`/`else`,
//! `range` over lists, maps (in key order) and nil with `$i, $e :=`, `else`, `break` and
//! `continue`; `define`, `template "name" pipeline`, `block`; Go's built-ins `and` and `or`
//! (short-circuiting, returning an operand), `not`, `len`, `index`, `slice`, `print`, `printf`
//! (Go's verbs, flags, width and precision, and its `%!d(string=x)` complaints), `println`,
//! `eq` (several operands), `ne`, `lt`, `le`, `gt`, `ge`, `html`, `js`, `urlquery`; Go's truth
//! (empty and zero values are false). A missing map key prints `<no value>`; a missing label in
//! a label set ([`alertmanager::Kv`], `$labels`) reads as `""`, as Go's `map[string]string`
//! does under the `missingkey=zero` option both servers set.
//!
//! Left out, and why: HTML auto-escaping (`html/template`): notification texts are plain text,
//! and the default email template escapes with `html` explicitly. Complex numbers, the `call`
//! built-in and function values, and range over integers or channels (Go 1.22): no template for
//! alerting uses them. Custom delimiters and `missingkey=error`: both servers use the defaults.
//! Ints and floats are kept apart because Go prints them apart (`1000000` against `1e+06`, the
//! form Prometheus's `$value` takes), but where Go refuses to mix them this crate does not: `eq`,
//! `lt` and the rest compare an int with a float (`gt $value 5`, an error in Go), `%d` takes a
//! float with no fraction and `%f` an int. Unknown functions are reported when parsing (as Go
//! does), not when executing. Times are shown in UTC only.

pub mod alertmanager;
pub mod ast;
mod error;
mod exec;
pub mod funcs;
mod gofmt;
mod lexer;
mod parse;
pub mod rule;
mod template;
mod time;
mod value;

pub use error::{Error, ExecError, ExecErrorKind, Location, ParseError};
pub use funcs::builtin::query_escape;
pub use funcs::{Arity, FuncMap, Function};
pub use template::Template;
pub use time::Time;
pub use value::{Object, Record, Value};
