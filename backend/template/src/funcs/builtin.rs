//! Go's built-in template functions, present in every template: `and`, `or`, `not`, `len`,
//! `index`, `slice`, `print`, `printf`, `println`, the comparisons `eq ne lt le gt ge`, and the
//! escapers `html`, `js`, `urlquery`. Their errors read as Go's do.

use std::cmp::Ordering;

use super::{Arity, FuncMap, Function, Kind, one, string, two};
use crate::Value;
use crate::gofmt::{sprint, sprintf, sprintln};

pub(crate) fn functions() -> FuncMap {
    super::map([
        ("and", Function(Kind::And)),
        ("or", Function(Kind::Or)),
        ("not", Function::new(Arity::Exactly(1), |args| Ok((!one(args)?.truth()).into()))),
        ("len", Function::new(Arity::Exactly(1), |args| len(one(args)?))),
        ("index", Function::new(Arity::AtLeast(1), index)),
        ("slice", Function::new(Arity::AtLeast(1), slice)),
        ("print", Function::new(Arity::AtLeast(0), |args| Ok(sprint(args).into()))),
        ("println", Function::new(Arity::AtLeast(0), |args| Ok(sprintln(args).into()))),
        (
            "printf",
            Function::new(Arity::AtLeast(1), |args| match args.split_first() {
                Some((format, rest)) => Ok(sprintf(string(format)?, rest).into()),
                None => Ok(Value::from("")),
            }),
        ),
        ("eq", Function::new(Arity::AtLeast(1), eq)),
        ("ne", compare(|a, b| Ok(!equal(a, b)?))),
        ("lt", compare(|a, b| Ok(less(a, b)? == Ordering::Less))),
        ("le", compare(|a, b| Ok(less(a, b)? != Ordering::Greater))),
        ("gt", compare(|a, b| Ok(less(a, b)? == Ordering::Greater))),
        ("ge", compare(|a, b| Ok(less(a, b)? != Ordering::Less))),
        ("html", Function::new(Arity::AtLeast(0), |args| Ok(html_escape(&text_of(args)).into()))),
        ("js", Function::new(Arity::AtLeast(0), |args| Ok(js_escape(&text_of(args)).into()))),
        ("urlquery", Function::new(Arity::AtLeast(0), |args| Ok(query_escape(&text_of(args)).into()))),
    ])
}

fn len(v: &Value) -> Result<Value, String> {
    match v.plain() {
        // Go's len of a string counts bytes.
        Value::String(s) => Ok(s.len().into()),
        Value::List(items) => Ok(items.len().into()),
        Value::Map(entries) => Ok(entries.len().into()),
        Value::Nil => Err("len of nil".into()),
        other => Err(format!("len of type {}", other.type_name())),
    }
}

/// Go's check of an index against a length or capacity: an integer within `0..=cap`.
fn index_arg(index: &Value, cap: usize) -> Result<usize, String> {
    let i = match index {
        Value::Nil => return Err("cannot index slice/array with nil".into()),
        _ => index.as_int().ok_or_else(|| format!("cannot index slice/array with type {}", index.type_name()))?,
    };
    usize::try_from(i).ok().filter(|&i| i <= cap).ok_or_else(|| format!("index out of range: {i}"))
}

/// `index x 1 2` is `x[1][2]`; a missing map key gives nil, as Go gives the zero value.
fn index(args: &[Value]) -> Result<Value, String> {
    let Some((item, indexes)) = args.split_first() else {
        return Err("index of untyped nil".into());
    };
    if matches!(item, Value::Nil) {
        return Err("index of untyped nil".into());
    }
    let mut item = item.clone();
    for key in indexes {
        // An object answers for its own keys (a KV gives "" for a missing one, as Go's
        // map[string]string does).
        if let (Value::Object(object), Value::String(name)) = (&item, key)
            && let Some(value) = object.field(name)
        {
            item = value;
            continue;
        }
        item = match item.plain() {
            Value::List(items) => {
                let i = index_arg(key, items.len())?;
                items.get(i).cloned().ok_or_else(|| format!("index out of range: {i}"))?
            }
            Value::String(s) => {
                let i = index_arg(key, s.len())?;
                s.as_bytes()
                    .get(i)
                    .map(|&b| Value::from(i64::from(b)))
                    .ok_or_else(|| format!("index out of range: {i}"))?
            }
            Value::Map(entries) => match key {
                Value::String(name) => entries.get(name.as_ref()).cloned().unwrap_or_default(),
                Value::Nil => return Err("value is nil; should be of type string".into()),
                other => return Err(format!("value has type {}; should be string", other.type_name())),
            },
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

/// `slice x 1 2` is `x[1:2]`; `slice x` is `x[:]`, `slice x 1 2 3` is `x[1:2:3]`.
fn slice(args: &[Value]) -> Result<Value, String> {
    let Some((item, indexes)) = args.split_first() else {
        return Err("slice of untyped nil".into());
    };
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let item = item.plain();
    let len = match &item {
        Value::Nil => return Err("slice of untyped nil".into()),
        Value::String(_) if indexes.len() == 3 => return Err("cannot 3-index slice a string".into()),
        Value::String(s) => s.len(),
        Value::List(items) => items.len(),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut bounds = [0, len, len];
    for (bound, index) in bounds.iter_mut().zip(indexes) {
        *bound = index_arg(index, len)?;
    }
    if bounds[0] > bounds[1] {
        return Err(format!("invalid slice index: {} > {}", bounds[0], bounds[1]));
    }
    if bounds[1] > bounds[2] {
        return Err(format!("invalid slice index: {} > {}", bounds[1], bounds[2]));
    }
    let range = bounds[0]..bounds[1];
    match item {
        Value::String(s) => {
            s.get(range).map(Value::from).ok_or_else(|| "slice bounds split a UTF-8 character".to_string())
        }
        Value::List(items) => Ok(Value::List(items.get(range).unwrap_or_default().into())),
        other => Err(format!("can't slice item of type {}", other.type_name())),
    }
}

/// A two-argument comparison.
fn compare(f: fn(&Value, &Value) -> Result<bool, String>) -> Function {
    Function::new(Arity::Exactly(2), move |args| {
        let (a, b) = two(args)?;
        f(&a.plain(), &b.plain()).map(Value::from)
    })
}

/// `eq a b c …` is `a == b || a == c || …`.
fn eq(args: &[Value]) -> Result<Value, String> {
    let Some((first, rest)) = args.split_first().filter(|(_, rest)| !rest.is_empty()) else {
        return Err("missing argument for comparison".into());
    };
    let first = first.plain();
    for other in rest {
        if equal(&first, &other.plain())? {
            return Ok(true.into());
        }
    }
    Ok(false.into())
}

fn is_basic(v: &Value) -> bool {
    matches!(v, Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::String(_))
}

/// Go's `==` for template values: basic values of one type compare, nil equals only nil, and
/// lists, maps and objects are not comparable. Unlike Go, an int and a float compare as numbers
/// (so `eq $value 0` works as a rule writer means it).
fn equal(a: &Value, b: &Value) -> Result<bool, String> {
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => Ok(x == y),
        (Value::Int(x), Value::Int(y)) => Ok(x == y),
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => Ok(a.as_f64() == b.as_f64()),
        (Value::String(x), Value::String(y)) => Ok(x == y),
        (Value::Nil, Value::Nil) => Ok(true),
        (Value::Nil, _) | (_, Value::Nil) => Ok(false),
        _ if is_basic(a) || is_basic(b) => {
            Err(format!("incompatible types for comparison: {} and {}", a.type_name(), b.type_name()))
        }
        _ => Err(format!("non-comparable type {}", a.type_name())),
    }
}

/// Go's ordering: numbers (ints and floats together) and strings, each only with its own kind.
fn less(a: &Value, b: &Value) -> Result<Ordering, String> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(x.cmp(y)),
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            // NaN is neither less nor equal, so `gt` and `ge` hold, as in Go.
            Ok(a.as_f64().partial_cmp(&b.as_f64()).unwrap_or(Ordering::Greater))
        }
        (Value::String(x), Value::String(y)) => Ok(x.cmp(y)),
        (Value::Bool(_), Value::Bool(_)) => Err("invalid type for comparison".into()),
        _ if !is_basic(a) || !is_basic(b) => Err("invalid type for comparison".into()),
        _ => Err(format!("incompatible types for comparison: {} and {}", a.type_name(), b.type_name())),
    }
}

/// The text the escapers work on: a lone string as is, anything else as `print` shows it, except
/// that nil shows as `<no value>` (Go's escapers print values as an action does).
fn text_of(args: &[Value]) -> String {
    match args {
        [Value::String(s)] => s.to_string(),
        _ => {
            let shown: Vec<Value> =
                args.iter().map(|arg| if let Value::Nil = arg { "<no value>".into() } else { arg.clone() }).collect();
            sprint(&shown)
        }
    }
}

/// Go's `HTMLEscapeString`.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Go's `JSEscapeString`.
fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if c < ' ' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if c.is_ascii() || !(c.is_control() || c.is_whitespace()) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out
}

/// Go's `url.QueryEscape`: unreserved characters stay, a space becomes `+`, the rest `%XX`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
