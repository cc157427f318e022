//! A small metrics registry: labelled counters, gauges and histograms, rendered in the
//! Prometheus text format 0.0.4 or collected as samples.
//!
//! Lookout's own `/metrics` and the demo's simulated services both use it, so the demo's
//! exposition is produced by the same code a real client library would run.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use lookout_tsdb::format_value;

/// The type line of a family, as written after `# TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

/// One collected sample: the series name (with `_bucket`, `_sum`, `_count` for histograms),
/// its labels in declaration order (plus `le`), and the value.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectedSample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

#[derive(Debug, Clone)]
pub struct CollectedFamily {
    pub name: String,
    pub help: String,
    pub kind: Kind,
    pub samples: Vec<CollectedSample>,
}

type Key = Vec<String>;

#[derive(Default)]
struct HistogramState {
    /// Non-cumulative counts per bucket; the last slot is `+Inf`.
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

enum Values {
    Scalar(Mutex<BTreeMap<Key, f64>>),
    Histogram { bounds: Vec<f64>, states: Mutex<BTreeMap<Key, HistogramState>> },
}

struct Family {
    name: String,
    help: String,
    kind: Kind,
    label_names: Vec<String>,
    values: Values,
}

impl Family {
    fn key(&self, label_values: &[&str]) -> Key {
        assert_eq!(
            label_values.len(),
            self.label_names.len(),
            "metric {} takes labels {:?}",
            self.name,
            self.label_names
        );
        label_values.iter().map(|v| v.to_string()).collect()
    }

    fn update(&self, label_values: &[&str], f: impl FnOnce(&mut f64)) {
        let key = self.key(label_values);
        if let Values::Scalar(map) = &self.values {
            f(map.lock().unwrap_or_else(|e| e.into_inner()).entry(key).or_insert(0.0));
        }
    }

    fn labels(&self, key: &Key) -> Vec<(String, String)> {
        self.label_names.iter().cloned().zip(key.iter().cloned()).collect()
    }

    fn collect(&self) -> CollectedFamily {
        let mut samples = Vec::new();
        match &self.values {
            Values::Scalar(map) => {
                for (key, value) in map.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                    samples.push(CollectedSample { name: self.name.clone(), labels: self.labels(key), value: *value });
                }
            }
            Values::Histogram { bounds, states } => {
                for (key, state) in states.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                    let mut cumulative = 0;
                    for (i, count) in state.counts.iter().enumerate() {
                        cumulative += count;
                        let le = bounds.get(i).map_or_else(|| "+Inf".to_string(), |b| format_value(*b));
                        let mut labels = self.labels(key);
                        labels.push(("le".into(), le));
                        samples.push(CollectedSample {
                            name: format!("{}_bucket", self.name),
                            labels,
                            value: cumulative as f64,
                        });
                    }
                    samples.push(CollectedSample {
                        name: format!("{}_sum", self.name),
                        labels: self.labels(key),
                        value: state.sum,
                    });
                    samples.push(CollectedSample {
                        name: format!("{}_count", self.name),
                        labels: self.labels(key),
                        value: state.count as f64,
                    });
                }
            }
        }
        CollectedFamily { name: self.name.clone(), help: self.help.clone(), kind: self.kind, samples }
    }
}

/// A counter family. Cloning shares the same values.
#[derive(Clone)]
pub struct Counter(Arc<Family>);

impl Counter {
    pub fn inc(&self, label_values: &[&str]) {
        self.inc_by(label_values, 1.0);
    }

    /// Adds a non-negative amount; negative amounts are ignored, as counters only go up.
    pub fn inc_by(&self, label_values: &[&str], amount: f64) {
        if amount >= 0.0 {
            self.0.update(label_values, |v| *v += amount);
        }
    }

    /// Follows a count kept elsewhere (the kernel's CPU time); it never goes down.
    pub fn follow(&self, label_values: &[&str], total: f64) {
        self.0.update(label_values, |v| *v = v.max(total));
    }
}

/// A gauge family.
#[derive(Clone)]
pub struct Gauge(Arc<Family>);

impl Gauge {
    pub fn set(&self, label_values: &[&str], value: f64) {
        self.0.update(label_values, |v| *v = value);
    }

    pub fn add(&self, label_values: &[&str], delta: f64) {
        self.0.update(label_values, |v| *v += delta);
    }
}

/// A histogram family with fixed bucket upper bounds.
#[derive(Clone)]
pub struct Histogram(Arc<Family>);

impl Histogram {
    pub fn observe(&self, label_values: &[&str], value: f64) {
        let key = self.0.key(label_values);
        if let Values::Histogram { bounds, states } = &self.0.values {
            let mut states = states.lock().unwrap_or_else(|e| e.into_inner());
            let state = states
                .entry(key)
                .or_insert_with(|| HistogramState { counts: vec![0; bounds.len() + 1], ..HistogramState::default() });
            let bucket = bounds.iter().position(|b| value <= *b).unwrap_or(bounds.len());
            state.counts[bucket] += 1;
            state.sum += value;
            state.count += 1;
        }
    }
}

/// The set of families one process (or one simulated process) exposes.
#[derive(Default)]
pub struct Registry {
    families: Mutex<Vec<Arc<Family>>>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    fn register(&self, name: &str, help: &str, kind: Kind, label_names: &[&str], values: Values) -> Arc<Family> {
        let family = Arc::new(Family {
            name: name.to_string(),
            help: help.to_string(),
            kind,
            label_names: label_names.iter().map(|s| s.to_string()).collect(),
            values,
        });
        self.families.lock().unwrap_or_else(|e| e.into_inner()).push(family.clone());
        family
    }

    pub fn counter(&self, name: &str, help: &str, label_names: &[&str]) -> Counter {
        Counter(self.register(name, help, Kind::Counter, label_names, Values::Scalar(Mutex::default())))
    }

    pub fn gauge(&self, name: &str, help: &str, label_names: &[&str]) -> Gauge {
        Gauge(self.register(name, help, Kind::Gauge, label_names, Values::Scalar(Mutex::default())))
    }

    pub fn histogram(&self, name: &str, help: &str, label_names: &[&str], bounds: &[f64]) -> Histogram {
        let values = Values::Histogram { bounds: bounds.to_vec(), states: Mutex::default() };
        Histogram(self.register(name, help, Kind::Histogram, label_names, values))
    }

    pub fn collect(&self) -> Vec<CollectedFamily> {
        let families = self.families.lock().unwrap_or_else(|e| e.into_inner()).clone();
        families.iter().map(|f| f.collect()).collect()
    }

    /// Renders every family in the Prometheus text exposition format 0.0.4.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for family in self.collect() {
            let _ = writeln!(out, "# HELP {} {}", family.name, escape_help(&family.help));
            let _ = writeln!(out, "# TYPE {} {}", family.name, family.kind.as_str());
            for sample in &family.samples {
                out.push_str(&sample.name);
                if !sample.labels.is_empty() {
                    out.push('{');
                    for (i, (name, value)) in sample.labels.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        let _ = write!(out, "{name}=\"{}\"", escape_label_value(value));
                    }
                    out.push('}');
                }
                let _ = writeln!(out, " {}", format_value(sample.value));
            }
        }
        out
    }
}

fn escape_help(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

fn escape_label_value(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_gauges_and_histograms() {
        let registry = Registry::new();
        let requests = registry.counter("http_requests_total", "Requests served.", &["code"]);
        requests.inc(&["200"]);
        requests.inc_by(&["200"], 2.0);
        requests.inc_by(&["500"], -1.0);
        let temp = registry.gauge("temperature", "Line one\nline two", &[]);
        temp.set(&[], -1.5);
        let latency = registry.histogram("latency_seconds", "Latency.", &["path"], &[0.1, 1.0]);
        latency.observe(&["/a\"b"], 0.05);
        latency.observe(&["/a\"b"], 0.5);
        latency.observe(&["/a\"b"], 7.0);

        let expected = "\
# HELP http_requests_total Requests served.
# TYPE http_requests_total counter
http_requests_total{code=\"200\"} 3
# HELP temperature Line one\\nline two
# TYPE temperature gauge
temperature -1.5
# HELP latency_seconds Latency.
# TYPE latency_seconds histogram
latency_seconds_bucket{path=\"/a\\\"b\",le=\"0.1\"} 1
latency_seconds_bucket{path=\"/a\\\"b\",le=\"1\"} 2
latency_seconds_bucket{path=\"/a\\\"b\",le=\"+Inf\"} 3
latency_seconds_sum{path=\"/a\\\"b\"} 7.55
latency_seconds_count{path=\"/a\\\"b\"} 3
";
        assert_eq!(registry.render_text(), expected);
    }

    #[test]
    #[should_panic(expected = "takes labels")]
    fn wrong_label_count_is_a_programming_error() {
        Registry::new().counter("c", "h", &["a"]).inc(&[]);
    }
}
