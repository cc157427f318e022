//! What Prometheus gives alerting-rule templates (the values of `annotations` and `labels`): the
//! data `.Labels`, `.ExternalLabels`, `.ExternalURL`, `.Value`, and the variables `$labels`,
//! `$externalLabels`, `$externalURL` and `$value`, which Prometheus declares in front of every
//! such template and which here are declared without touching the text (so error positions stay
//! true). Also the functions that need the server: `query` (run by the caller at the rule's
//! evaluation time), `first`, `label`, `value`, `strvalue` and `sortByLabel` over its results,
//! `graphLink`, `tableLink`, `externalURL` and `pathPrefix`.

use std::collections::BTreeMap;

use crate::funcs::{Arity, Function, one, string, two, wrong_type};
use crate::value::{Object, Record, Value};
use crate::{ExecError, ParseError, Template, funcs};

/// The variables every rule template may use.
pub const VARIABLES: [&str; 4] = ["labels", "externalLabels", "externalURL", "value"];

/// Parses a rule annotation or label template, with Prometheus's functions and variables.
pub fn template(name: &str, text: &str) -> Result<Template, ParseError> {
    Template::new(name)
        .funcs(funcs::prometheus::functions())
        .funcs(funcs::map(server_functions()))
        .variables(&VARIABLES)
        .parse(text)
}

/// One sample of a `query` result: its labels (the metric name as `__name__`) and value.
pub type QuerySample = (BTreeMap<String, String>, f64);

/// Runs a `query` template call: the expression, evaluated at the rule's evaluation time.
pub type QueryFn<'q> = &'q dyn Fn(&str) -> Result<Vec<QuerySample>, String>;

/// Prometheus's functions over query results and links (`template/template.go`).
fn server_functions() -> [(&'static str, Function); 10] {
    let link = |tab: u8| {
        Function::new(Arity::Exactly(1), move |args| {
            Ok(format!("/graph?g0.expr={}&g0.tab={tab}", crate::query_escape(string(one(args)?)?)).into())
        })
    };
    [
        ("query", Function::host(Arity::Exactly(1))),
        ("externalURL", Function::host(Arity::Exactly(0))),
        ("pathPrefix", Function::host(Arity::Exactly(0))),
        ("graphLink", link(0)),
        ("tableLink", link(1)),
        (
            "first",
            Function::new(Arity::Exactly(1), |args| match one(args)? {
                Value::List(items) => {
                    items.first().cloned().ok_or_else(|| "first() called on vector with no elements".to_string())
                }
                other => Err(wrong_type("template.queryResult", other)),
            }),
        ),
        (
            "label",
            Function::new(Arity::Exactly(2), |args| {
                let (name, sample) = two(args)?;
                Ok(sample_label(sample, string(name)?)?.into())
            }),
        ),
        ("value", Function::new(Arity::Exactly(1), |args| sample_field(one(args)?, "Value"))),
        ("strvalue", Function::new(Arity::Exactly(1), |args| Ok(sample_label(one(args)?, "__value__")?.into()))),
        (
            "sortByLabel",
            Function::new(Arity::Exactly(2), |args| {
                let (name, result) = two(args)?;
                let name = string(name)?;
                let Value::List(items) = result else { return Err(wrong_type("template.queryResult", result)) };
                let mut keyed = items
                    .iter()
                    .map(|s| Ok((sample_label(s, name)?, s.clone())))
                    .collect::<Result<Vec<_>, String>>()?;
                // Stable, as Go's sort.Stable.
                keyed.sort_by(|a, b| a.0.cmp(&b.0));
                Ok(Value::list(keyed.into_iter().map(|(_, s)| s)))
            }),
        ),
    ]
}

fn sample_field(sample: &Value, name: &str) -> Result<Value, String> {
    match sample {
        Value::Object(object) if object.type_name() == SAMPLE_TYPE => Ok(object.field(name).unwrap_or_default()),
        other => Err(wrong_type(SAMPLE_TYPE, other)),
    }
}

fn sample_label(sample: &Value, name: &str) -> Result<String, String> {
    match sample_field(sample, "Labels")? {
        Value::Object(labels) => {
            Ok(labels.field(name).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default())
        }
        _ => Ok(String::new()),
    }
}

const SAMPLE_TYPE: &str = "*template.sample";

/// The path of a URL (`http://host:9090/prometheus` → `/prometheus`), as Go's `URL.Path`.
fn url_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    path.split(['?', '#']).next().unwrap_or("")
}

/// A query result's sample as templates see it: `.Labels` and `.Value`.
#[derive(Debug)]
struct Sample {
    labels: BTreeMap<String, String>,
    value: f64,
}

impl Object for Sample {
    fn type_name(&self) -> &str {
        SAMPLE_TYPE
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Labels" => Some(Labels::value(&self.labels)),
            "Value" => Some(self.value.into()),
            _ => None,
        }
    }
}

/// The alert a rule template is expanded for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertData {
    pub labels: BTreeMap<String, String>,
    pub external_labels: BTreeMap<String, String>,
    pub external_url: String,
    /// The value of the alert's sample.
    pub value: f64,
}

impl AlertData {
    pub fn to_value(&self) -> Value {
        Record::new(
            "struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }",
        )
        .with("Labels", Labels::value(&self.labels))
        .with("ExternalLabels", Labels::value(&self.external_labels))
        .with("ExternalURL", self.external_url.as_str())
        .with("Value", self.value)
        .into()
    }

    /// Expands a template from [`template`] for this alert; `query` calls fail.
    pub fn expand(&self, template: &Template) -> Result<String, ExecError> {
        self.expand_with_query(template, None)
    }

    /// Expands a template from [`template`] for this alert, answering its `query` calls.
    pub fn expand_with_query(&self, template: &Template, query: Option<QueryFn<'_>>) -> Result<String, ExecError> {
        let host = |name: &str, args: &[Value]| -> Result<Value, String> {
            match (name, query) {
                ("externalURL", _) => Ok(self.external_url.as_str().into()),
                ("pathPrefix", _) => Ok(url_path(&self.external_url).into()),
                ("query", Some(query)) => {
                    let samples = query(string(one(args)?)?)?;
                    Ok(Value::list(samples.into_iter().map(|(labels, value)| Value::object(Sample { labels, value }))))
                }
                _ => Err("not available here".into()),
            }
        };
        let vars = [
            ("labels", Labels::value(&self.labels)),
            ("externalLabels", Labels::value(&self.external_labels)),
            ("externalURL", self.external_url.as_str().into()),
            ("value", self.value.into()),
        ];
        template.execute_host(&self.to_value(), &vars, Some(&host))
    }
}

/// A label set as Go's `map[string]string`: a missing label reads as `""`, and there are no
/// methods to shadow labels of the same name.
#[derive(Debug)]
struct Labels(BTreeMap<String, String>);

impl Labels {
    fn value(labels: &BTreeMap<String, String>) -> Value {
        Value::object(Labels(labels.clone()))
    }
}

impl Object for Labels {
    fn type_name(&self) -> &str {
        "map[string]string"
    }

    fn field(&self, name: &str) -> Option<Value> {
        Some(self.0.get(name).map_or("", String::as_str).into())
    }

    fn collection(&self) -> Option<Value> {
        Some(Value::map(self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
    }
}
