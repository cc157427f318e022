//! The data Alertmanager gives notification templates, as Rust types that become template values:
//! [`Kv`] (labels and annotations, with `SortedPairs`, `Names`, `Values` and `Remove`), [`Alert`],
//! the alert list with `Firing` and `Resolved`, and [`Data`], the root (`.Receiver`, `.Status`,
//! `.Alerts`, `.GroupLabels`, `.CommonLabels`, `.CommonAnnotations`, `.ExternalURL`). Also the
//! default templates: Lookout's own `defaults.tmpl`, defining the names receivers refer to
//! (`slack.default.title`, `email.default.subject`, …).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::Template;
use crate::funcs::{self, string};
use crate::time::Time;
use crate::value::{Object, Record, Value};

/// Lookout's default notification templates, in Alertmanager's names.
pub const DEFAULT_TEMPLATES: &str = include_str!("defaults.tmpl");

/// A template set with Alertmanager's functions and the default templates, ready for receivers'
/// texts: `set.render("{{ template \"slack.default.title\" . }}", &data.to_value())`. Parse user
/// template files into it with [`Template::parse`]; their definitions replace the defaults.
pub fn default_template() -> Template {
    Template::new("")
        .funcs(funcs::alertmanager::functions())
        .parse(DEFAULT_TEMPLATES)
        .expect("defaults.tmpl parses, as a unit test checks")
}

/// Labels or annotations: Alertmanager's `template.KV`. A missing key reads as `""`, as from Go's
/// `map[string]string`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kv(pub BTreeMap<String, String>);

impl Kv {
    /// The pairs sorted by name, except that `alertname` comes first.
    pub fn sorted_pairs(&self) -> Vec<(&str, &str)> {
        let mut pairs: Vec<(&str, &str)> = self.0.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        pairs.sort_by_key(|&(name, _)| (name != "alertname", name));
        pairs
    }

    /// A copy without the given names.
    pub fn remove(&self, names: &[&str]) -> Kv {
        Kv(self.0.iter().filter(|(k, _)| !names.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect())
    }

    pub fn names(&self) -> Vec<&str> {
        self.sorted_pairs().into_iter().map(|(name, _)| name).collect()
    }

    pub fn values(&self) -> Vec<&str> {
        self.sorted_pairs().into_iter().map(|(_, value)| value).collect()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Kv {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Kv(iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

fn no_args(name: &str, args: &[Value], value: impl FnOnce() -> Value) -> Result<Value, String> {
    match args {
        [] => Ok(value()),
        _ => Err(format!("wrong number of args for {name}: want 0 got {}", args.len())),
    }
}

fn strings(items: Vec<&str>) -> Value {
    Value::list(items)
}

impl Object for Kv {
    fn type_name(&self) -> &str {
        "template.KV"
    }

    fn field(&self, name: &str) -> Option<Value> {
        Some(self.0.get(name).map_or("", String::as_str).into())
    }

    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        Some(match name {
            "SortedPairs" => no_args(name, args, || Value::object(Pairs::of(self))),
            "Names" => no_args(name, args, || strings(self.names())),
            "Values" => no_args(name, args, || strings(self.values())),
            "Remove" => match args {
                [names] => match names.plain() {
                    Value::List(items) => items
                        .iter()
                        .map(string)
                        .collect::<Result<Vec<&str>, _>>()
                        .map(|names| Value::object(self.remove(&names))),
                    _ => Err(funcs::wrong_type("[]string", names)),
                },
                _ => Err(format!("wrong number of args for Remove: want 1 got {}", args.len())),
            },
            _ => return None,
        })
    }

    fn collection(&self) -> Option<Value> {
        Some(Value::map(self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
    }
}

impl From<Kv> for Value {
    fn from(kv: Kv) -> Self {
        Value::object(kv)
    }
}

/// `KV.SortedPairs`: a list of `{Name, Value}` with `Names` and `Values` methods.
#[derive(Debug, Clone)]
struct Pairs(Vec<(String, String)>);

impl Pairs {
    fn of(kv: &Kv) -> Pairs {
        Pairs(kv.sorted_pairs().into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }
}

impl Object for Pairs {
    fn type_name(&self) -> &str {
        "template.Pairs"
    }

    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        Some(match name {
            "Names" => no_args(name, args, || strings(self.0.iter().map(|(k, _)| k.as_str()).collect())),
            "Values" => no_args(name, args, || strings(self.0.iter().map(|(_, v)| v.as_str()).collect())),
            _ => return None,
        })
    }

    fn collection(&self) -> Option<Value> {
        Some(Value::list(
            self.0.iter().map(|(k, v)| Record::new("template.Pair").with("Name", k.as_str()).with("Value", v.as_str())),
        ))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertStatus {
    Firing,
    Resolved,
}

impl AlertStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Firing => "firing",
            AlertStatus::Resolved => "resolved",
        }
    }
}

/// One alert, as Alertmanager's `template.Alert`.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub status: AlertStatus,
    pub labels: Kv,
    pub annotations: Kv,
    pub starts_at: Time,
    /// [`Time::ZERO`] while the alert has no end.
    pub ends_at: Time,
    pub generator_url: String,
    /// Alertmanager's hash of the labels, 16 hex digits; [`Alert::new`] computes it.
    pub fingerprint: String,
}

impl Alert {
    pub fn new(
        status: AlertStatus,
        labels: Kv,
        annotations: Kv,
        starts_at: Time,
        generator_url: impl Into<String>,
    ) -> Alert {
        let fingerprint = fingerprint(&labels);
        Alert {
            status,
            labels,
            annotations,
            starts_at,
            ends_at: Time::ZERO,
            generator_url: generator_url.into(),
            fingerprint,
        }
    }

    /// Sets when the alert ended (builder style).
    pub fn ended_at(mut self, ends_at: Time) -> Alert {
        self.ends_at = ends_at;
        self
    }

    fn to_value(&self) -> Value {
        Record::new("template.Alert")
            .with("Status", self.status.as_str())
            .with("Labels", self.labels.clone())
            .with("Annotations", self.annotations.clone())
            .with("StartsAt", self.starts_at)
            .with("EndsAt", self.ends_at)
            .with("GeneratorURL", self.generator_url.as_str())
            .with("Fingerprint", self.fingerprint.as_str())
            .into()
    }
}

/// Prometheus's label-set fingerprint (`model.LabelSet.Fingerprint`): FNV-1a over the sorted names
/// and values, each followed by a 0xff separator byte.
fn fingerprint(labels: &Kv) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, value) in &labels.0 {
        for byte in name.bytes().chain([0xff]).chain(value.bytes()).chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// Go's `regexp.QuoteMeta`, which escapes fewer characters than `regex::escape` (not `-`).
fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `.Alerts`: the alerts as template values, with the `Firing` and `Resolved` methods.
#[derive(Debug, Clone)]
struct AlertList {
    alerts: Arc<[Value]>,
    statuses: Arc<[AlertStatus]>,
}

impl AlertList {
    fn new(alerts: &[Alert]) -> AlertList {
        AlertList {
            alerts: alerts.iter().map(Alert::to_value).collect(),
            statuses: alerts.iter().map(|a| a.status).collect(),
        }
    }

    fn with_status(&self, status: AlertStatus) -> Value {
        let (alerts, statuses): (Vec<Value>, Vec<AlertStatus>) = self
            .alerts
            .iter()
            .zip(self.statuses.iter())
            .filter(|(_, s)| **s == status)
            .map(|(a, s)| (a.clone(), *s))
            .unzip();
        Value::object(AlertList { alerts: alerts.into(), statuses: statuses.into() })
    }
}

impl Object for AlertList {
    fn type_name(&self) -> &str {
        "template.Alerts"
    }

    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        Some(match name {
            "Firing" => no_args(name, args, || self.with_status(AlertStatus::Firing)),
            "Resolved" => no_args(name, args, || self.with_status(AlertStatus::Resolved)),
            _ => return None,
        })
    }

    fn collection(&self) -> Option<Value> {
        Some(Value::List(self.alerts.clone()))
    }
}

/// What a notification template runs on: Alertmanager's `template.Data`.
#[derive(Debug, Clone, PartialEq)]
pub struct Data {
    pub receiver: String,
    /// `firing` if any alert fires, else `resolved`.
    pub status: AlertStatus,
    pub alerts: Vec<Alert>,
    pub group_labels: Kv,
    /// The labels all alerts share.
    pub common_labels: Kv,
    pub common_annotations: Kv,
    pub external_url: String,
}

impl Data {
    /// Assembles the data for a group's notification as Alertmanager does: the status and the
    /// common labels and annotations follow from the alerts.
    pub fn new(receiver: &str, group_labels: Kv, alerts: Vec<Alert>, external_url: &str) -> Data {
        let common = |get: fn(&Alert) -> &Kv| {
            let mut alerts = alerts.iter();
            let mut common = alerts.next().map(|a| get(a).clone()).unwrap_or_default();
            for alert in alerts {
                common.0.retain(|k, v| get(alert).0.get(k) == Some(v));
            }
            common
        };
        let firing = alerts.iter().any(|a| a.status == AlertStatus::Firing);
        Data {
            // Alertmanager escapes the receiver's regular-expression characters, because the
            // default templates put it into an Alertmanager UI link that filters by regex.
            receiver: quote_meta(receiver),
            status: if firing { AlertStatus::Firing } else { AlertStatus::Resolved },
            common_labels: common(|a| &a.labels),
            common_annotations: common(|a| &a.annotations),
            alerts,
            group_labels,
            external_url: external_url.to_string(),
        }
    }

    pub fn to_value(&self) -> Value {
        Record::new("template.Data")
            .with("Receiver", self.receiver.as_str())
            .with("Status", self.status.as_str())
            .with("Alerts", Value::object(AlertList::new(&self.alerts)))
            .with("GroupLabels", self.group_labels.clone())
            .with("CommonLabels", self.common_labels.clone())
            .with("CommonAnnotations", self.common_annotations.clone())
            .with("ExternalURL", self.external_url.as_str())
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(pairs: &[(&str, &str)]) -> Kv {
        pairs.iter().copied().collect()
    }

    #[test]
    fn sorted_pairs_put_alertname_first() {
        let labels = kv(&[("d", "dVal"), ("b", "bVal"), ("alertname", "alert"), ("a", "aVal")]);
        assert_eq!(labels.sorted_pairs(), [("alertname", "alert"), ("a", "aVal"), ("b", "bVal"), ("d", "dVal")]);
        assert_eq!(labels.names(), ["alertname", "a", "b", "d"]);
        assert_eq!(labels.values(), ["alert", "aVal", "bVal", "dVal"]);
        assert_eq!(labels.remove(&["b", "alertname", "zz"]).names(), ["a", "d"]);
    }

    #[test]
    fn fingerprints_match_alertmanager() {
        assert_eq!(fingerprint(&kv(&[("severity", "warning"), ("job", "foo")])), "9266ef3da838ad95");
        assert_eq!(fingerprint(&kv(&[("severity", "critical"), ("job", "foo")])), "3b15fd163d36582e");
        assert_eq!(fingerprint(&kv(&[("severity", "critical"), ("job", "bar")])), "c7e68cb08e3e67f9");
    }

    #[test]
    fn data_derives_status_and_common_labels() {
        let start = Time::from_unix(1, 0);
        let a = Alert::new(
            AlertStatus::Firing,
            kv(&[("severity", "warning"), ("job", "foo")]),
            kv(&[("description", "something happened"), ("runbook", "foo")]),
            start,
            "",
        );
        let b = Alert::new(
            AlertStatus::Resolved,
            kv(&[("severity", "critical"), ("job", "foo")]),
            kv(&[("description", "something else happened"), ("runbook", "foo")]),
            start,
            "",
        )
        .ended_at(Time::from_unix(2, 0));
        let data = Data::new("web.hook-a", kv(&[("job", "foo")]), vec![a.clone(), b.clone()], "http://example.com/");
        assert_eq!(data.receiver, "web\\.hook-a");
        assert_eq!(data.status, AlertStatus::Firing);
        assert_eq!(data.common_labels, kv(&[("job", "foo")]));
        assert_eq!(data.common_annotations, kv(&[("runbook", "foo")]));
        let resolved = Data::new("r", Kv::default(), vec![b], "");
        assert_eq!(resolved.status, AlertStatus::Resolved);
        let empty = Data::new("r", Kv::default(), vec![], "");
        assert_eq!((empty.status, empty.common_labels), (AlertStatus::Resolved, Kv::default()));
    }

    #[test]
    fn the_defaults_parse() {
        Template::new("").funcs(funcs::alertmanager::functions()).parse(DEFAULT_TEMPLATES).unwrap();
    }
}
