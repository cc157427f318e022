//! What Prometheus gives alerting-rule templates (the values of `annotations` and `labels`): the
//! data `.Labels`, `.ExternalLabels`, `.ExternalURL`, `.Value`, and the variables `$labels`,
//! `$externalLabels`, `$externalURL` and `$value`, which Prometheus declares in front of every
//! such template and which here are declared without touching the text (so error positions stay
//! true).

use std::collections::BTreeMap;

use crate::value::{Object, Record, Value};
use crate::{ExecError, ParseError, Template, funcs};

/// The variables every rule template may use.
pub const VARIABLES: [&str; 4] = ["labels", "externalLabels", "externalURL", "value"];

/// Parses a rule annotation or label template, with Prometheus's functions and variables.
pub fn template(name: &str, text: &str) -> Result<Template, ParseError> {
    Template::new(name).funcs(funcs::prometheus::functions()).variables(&VARIABLES).parse(text)
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

    /// Expands a template from [`template`] for this alert.
    pub fn expand(&self, template: &Template) -> Result<String, ExecError> {
        let vars = [
            ("labels", Labels::value(&self.labels)),
            ("externalLabels", Labels::value(&self.external_labels)),
            ("externalURL", self.external_url.as_str().into()),
            ("value", self.value.into()),
        ];
        template.execute_with(&self.to_value(), &vars)
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
