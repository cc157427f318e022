//! The data templates run on: [`Value`] stands for Go's nil, bool, float64, string, slice and map,
//! and [`Object`] is how a caller exposes what Go gets from structs and methods (Alertmanager's
//! `.CommonLabels.SortedPairs`, `.Alerts.Firing`). [`Record`] is a ready-made struct.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A value a template sees as dot, a variable, a field or a function's argument or result.
///
/// Numbers are Go's `int` or `float64`, because Go prints them differently: an integer in full
/// (`len`, indexes, `.StartsAt.Unix`, `1000000` written in a template), a float in its shortest
/// form (`0.5`, `3`, `1e+06`, which is how Prometheus prints `$value`). Maps keep their keys
/// sorted, the order in which Go ranges over and prints them. Clones are cheap: the payloads are
/// shared.
#[derive(Debug, Clone, Default)]
pub enum Value {
    /// Go's untyped nil: a missing map key, or `.Field` of nil. Prints as `<no value>`.
    #[default]
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(Arc<str>),
    List(Arc<[Value]>),
    Map(Arc<BTreeMap<String, Value>>),
    Object(Arc<dyn Object>),
}

/// A value with fields or methods of its own: what Go reaches by reflection on structs and their
/// methods. The executor asks for a method first and a field second, as Go does.
pub trait Object: fmt::Debug + Send + Sync {
    /// Go's name for the type, for error messages (`template.KV`).
    fn type_name(&self) -> &str;

    /// `.name` when `name` is not a method: a struct field or map key; `None` if there is none.
    fn field(&self, name: &str) -> Option<Value> {
        let _ = name;
        None
    }

    /// `.Name` and `.Name arg…` (arguments include a value piped in); `None` if the object has no
    /// method of that name, `Some(Err(message))` if the call fails.
    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let _ = (name, args);
        None
    }

    /// The list or map this object is, which `range`, `len`, `index`, `slice`, truth and
    /// printing use; `None` for a struct-like object.
    fn collection(&self) -> Option<Value> {
        None
    }

    /// How the object prints when it is no collection: Go's `String()` method, or `{field …}`.
    fn display(&self) -> String {
        match self.collection() {
            Some(collection) => collection.to_string(),
            None => format!("{{{}}}", self.type_name()),
        }
    }
}

impl Value {
    pub fn string(s: impl Into<Arc<str>>) -> Value {
        Value::String(s.into())
    }

    pub fn list(items: impl IntoIterator<Item = impl Into<Value>>) -> Value {
        Value::List(items.into_iter().map(Into::into).collect())
    }

    pub fn map<K: Into<String>, V: Into<Value>>(entries: impl IntoIterator<Item = (K, V)>) -> Value {
        Value::Map(Arc::new(entries.into_iter().map(|(k, v)| (k.into(), v.into())).collect()))
    }

    pub fn object(object: impl Object + 'static) -> Value {
        Value::Object(Arc::new(object))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, integer or float, as an `f64`.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// Go's name for the value's type, as error messages and `%T` print it.
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Float(_) => "float64".into(),
            Value::String(_) => "string".into(),
            Value::List(_) => "[]interface {}".into(),
            Value::Map(_) => "map[string]interface {}".into(),
            Value::Object(o) => o.type_name().into(),
        }
    }

    /// Go's truth: false, 0, nil and empty strings, lists and maps are false; structs are true.
    pub fn truth(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::List(items) => !items.is_empty(),
            Value::Map(entries) => !entries.is_empty(),
            Value::Object(o) => o.collection().is_none_or(|c| c.truth()),
        }
    }

    /// The value with an object replaced by the collection it stands for, if it has one.
    pub(crate) fn plain(&self) -> Value {
        match self {
            Value::Object(o) => o.collection().unwrap_or_else(|| self.clone()),
            _ => self.clone(),
        }
    }

    /// The number as an integer, when it is one: an int, or a float with no fraction (accepted
    /// where Go wants an int, for indexes, widths and `%d`).
    pub(crate) fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            // The bounds are the f64 values nearest i64's range; anything inside converts exactly.
            Value::Float(f) if f.fract() == 0.0 && *f >= -9.223_372_036_854_776e18 && *f < 9.223_372_036_854_776e18 => {
                Some(*f as i64)
            }
            _ => None,
        }
    }
}

/// Go's `%v`: what `{{ . }}` and `print` show (except that an action prints nil as `<no value>`).
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::gofmt::sprint(std::slice::from_ref(self)))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<i32> for Value {
    fn from(i: i32) -> Self {
        Value::Int(i.into())
    }
}

impl From<usize> for Value {
    fn from(n: usize) -> Self {
        Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s.into())
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Self {
        Value::List(items.into())
    }
}

impl From<BTreeMap<String, Value>> for Value {
    fn from(entries: BTreeMap<String, Value>) -> Self {
        Value::Map(Arc::new(entries))
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Nil, Into::into)
    }
}

/// A Go struct: named fields in declaration order. `.Missing` is an error rather than nil, and it
/// prints as Go prints a struct, `{value value …}`.
#[derive(Debug, Clone)]
pub struct Record {
    type_name: String,
    fields: Vec<(String, Value)>,
}

impl Record {
    pub fn new(type_name: impl Into<String>) -> Record {
        Record { type_name: type_name.into(), fields: Vec::new() }
    }

    /// Adds a field (builder style).
    pub fn with(mut self, name: impl Into<String>, value: impl Into<Value>) -> Record {
        self.fields.push((name.into(), value.into()));
        self
    }
}

impl Object for Record {
    fn type_name(&self) -> &str {
        &self.type_name
    }

    fn field(&self, name: &str) -> Option<Value> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }

    fn display(&self) -> String {
        let values: Vec<Value> = self.fields.iter().map(|(_, v)| v.clone()).collect();
        let shown = Value::from(values).to_string();
        let inner = shown.strip_prefix('[').and_then(|s| s.strip_suffix(']')).unwrap_or(&shown);
        format!("{{{inner}}}")
    }
}

impl From<Record> for Value {
    fn from(record: Record) -> Self {
        Value::object(record)
    }
}
