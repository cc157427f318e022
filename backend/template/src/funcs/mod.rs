//! The function registry: a [`Function`] is a Rust closure plus the number of arguments it
//! takes, which the executor checks before calling; a [`FuncMap`] names them. The sets live in
//! `builtin` (Go's), `prometheus` and `alertmanager`.

pub mod alertmanager;
pub(crate) mod builtin;
pub mod prometheus;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::Value;

/// Functions by the name templates call them by.
pub type FuncMap = HashMap<String, Function>;

/// How many arguments a function takes, a value piped into it included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    Exactly(usize),
    AtLeast(usize),
}

impl Arity {
    pub(crate) fn accepts(self, count: usize) -> bool {
        match self {
            Arity::Exactly(n) => count == n,
            Arity::AtLeast(n) => count >= n,
        }
    }
}

impl fmt::Display for Arity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arity::Exactly(n) => write!(f, "{n}"),
            Arity::AtLeast(n) => write!(f, "at least {n}"),
        }
    }
}

type Callback = dyn Fn(&[Value]) -> Result<Value, String> + Send + Sync;

/// Functions the caller supplies per execution ([`Template::execute_host`](crate::Template::execute_host)),
/// for what lives only then and there: Prometheus's `query` runs against the store at the rule's
/// evaluation time. Called with the function's name and its arguments.
pub type Host<'h> = &'h dyn Fn(&str, &[Value]) -> Result<Value, String>;

/// A function templates can call. The error string becomes an
/// [`ExecErrorKind::Call`](crate::ExecErrorKind::Call).
#[derive(Clone)]
pub struct Function(pub(crate) Kind);

#[derive(Clone)]
pub(crate) enum Kind {
    /// Go's `and` and `or` evaluate their arguments only as far as needed, so the executor runs
    /// them itself.
    And,
    Or,
    Call {
        arity: Arity,
        f: Arc<Callback>,
    },
    /// Known when parsing, supplied by the [`Host`] when executing.
    Host {
        arity: Arity,
    },
}

impl Function {
    pub fn new(arity: Arity, f: impl Fn(&[Value]) -> Result<Value, String> + Send + Sync + 'static) -> Function {
        Function(Kind::Call { arity, f: Arc::new(f) })
    }

    /// A function whose body the caller gives at each execution (a [`Host`]); without one a call
    /// fails with "not available here".
    pub fn host(arity: Arity) -> Function {
        Function(Kind::Host { arity })
    }
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::And => f.write_str("Function(and)"),
            Kind::Or => f.write_str("Function(or)"),
            Kind::Call { arity, .. } | Kind::Host { arity } => write!(f, "Function({arity} args)"),
        }
    }
}

/// Builds a map from `(name, function)` pairs.
pub(crate) fn map(entries: impl IntoIterator<Item = (&'static str, Function)>) -> FuncMap {
    entries.into_iter().map(|(name, f)| (name.to_string(), f)).collect()
}

// Argument helpers. The executor has checked the count already; these still fail softly, so a
// function registered with the wrong arity errs instead of panicking.

fn count_error(want: usize, got: usize) -> String {
    format!("wrong number of args: want {want} got {got}")
}

pub(crate) fn one(args: &[Value]) -> Result<&Value, String> {
    match args {
        [a] => Ok(a),
        _ => Err(count_error(1, args.len())),
    }
}

pub(crate) fn two(args: &[Value]) -> Result<(&Value, &Value), String> {
    match args {
        [a, b] => Ok((a, b)),
        _ => Err(count_error(2, args.len())),
    }
}

pub(crate) fn three(args: &[Value]) -> Result<(&Value, &Value, &Value), String> {
    match args {
        [a, b, c] => Ok((a, b, c)),
        _ => Err(count_error(3, args.len())),
    }
}

/// Go's complaint when an argument has the wrong type.
pub(crate) fn wrong_type(expected: &str, got: &Value) -> String {
    format!("wrong type for value; expected {expected}; got {}", got.type_name())
}

pub(crate) fn string(v: &Value) -> Result<&str, String> {
    v.as_str().ok_or_else(|| wrong_type("string", v))
}

/// A function of one string.
pub(crate) fn string_fn(f: impl Fn(&str) -> Value + Send + Sync + 'static) -> Function {
    Function::new(Arity::Exactly(1), move |args| Ok(f(string(one(args)?)?)))
}

/// Go's `strings.ToUpper`/`ToLower`, which map each character to one character: `ß` has no
/// one-character upper case and stays, `İ` lowers to `i`.
pub(crate) fn map_case(s: &str, upper: bool) -> String {
    s.chars()
        .map(|c| {
            if upper {
                let mut mapped = c.to_uppercase();
                match (mapped.next(), mapped.next()) {
                    (Some(single), None) => single,
                    _ => c,
                }
            } else {
                c.to_lowercase().next().unwrap_or(c)
            }
        })
        .collect()
}

/// `match pattern text`, with Go's RE2 syntax, unanchored.
pub(crate) fn regex_match() -> Function {
    Function::new(Arity::Exactly(2), |args| {
        let (pattern, text) = two(args)?;
        let re = regex::Regex::new(string(pattern)?).map_err(|e| e.to_string())?;
        Ok(re.is_match(string(text)?).into())
    })
}

/// `reReplaceAll pattern replacement text`; `$1` and `${name}` in the replacement expand as in Go.
pub(crate) fn regex_replace_all() -> Function {
    Function::new(Arity::Exactly(3), |args| {
        let (pattern, replacement, text) = three(args)?;
        let re = regex::Regex::new(string(pattern)?).map_err(|e| e.to_string())?;
        Ok(re.replace_all(string(text)?, string(replacement)?).into_owned().into())
    })
}
