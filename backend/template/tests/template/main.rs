//! Integration tests: templates parsed and executed through the public API, one module per area
//! (the language, its errors, Prometheus's functions and rule data, Alertmanager's functions, data
//! and default templates), each table read through one `check` helper.

mod alertmanager;
mod errors;
mod language;
mod prometheus;

use lookout_template::{Error, Template, Value};

/// Parses `text` with Go's built-ins and executes it on `data`.
fn render(text: &str, data: &Value) -> Result<String, Error> {
    Ok(Template::new("test").parse(text)?.execute(data)?)
}

/// `text` on `data` renders as `expected`.
fn check(text: &str, data: &Value, expected: &str) {
    match render(text, data) {
        Ok(out) => assert_eq!(out, expected, "{text}"),
        Err(e) => panic!("{text}: {e}"),
    }
}
