//! Label sets: the identity of a series, kept sorted by label name so equal sets compare equal.

use std::fmt;
use std::sync::Arc;

/// The reserved label that carries the metric name.
pub const METRIC_NAME: &str = "__name__";

/// Whether `name` is a valid label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
pub fn is_valid_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label {
    pub name: String,
    pub value: String,
}

/// Ends each name and value in [`Labels::write_canonical`].
pub const CANONICAL_SEPARATOR: u8 = 0xFF;

/// A set of labels sorted by name, without empty values (Prometheus treats an empty value as absent).
/// Immutable and shared: a read hands out the head's own set, so copying a series' identity into
/// an answer costs a reference count, not an allocation per name and value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Labels(Arc<[Label]>);

impl Labels {
    /// Builds a label set from pairs; later duplicates of a name win, empty values are dropped.
    pub fn from_pairs<N: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (N, V)>) -> Self {
        let mut labels: Vec<Label> =
            pairs.into_iter().map(|(n, v)| Label { name: n.into(), value: v.into() }).collect();
        // A stable sort keeps equal names in input order; reversing first lets dedup keep the last.
        labels.reverse();
        labels.sort_by(|a, b| a.name.cmp(&b.name));
        labels.dedup_by(|later, kept| later.name == kept.name);
        labels.retain(|l| !l.value.is_empty());
        Labels(labels.into())
    }

    /// The label set as one byte string, `name 0xFF value 0xFF` for each label in order: the key
    /// the head finds series by, which an ingest path can build straight from a request's bytes
    /// (0xFF never occurs in UTF-8, so the pieces cannot run together).
    pub fn write_canonical(&self, out: &mut Vec<u8>) {
        for label in self.0.iter() {
            out.extend_from_slice(label.name.as_bytes());
            out.push(CANONICAL_SEPARATOR);
            out.extend_from_slice(label.value.as_bytes());
            out.push(CANONICAL_SEPARATOR);
        }
    }

    /// The label set whose canonical bytes these are; `None` unless they are exactly that: UTF-8
    /// pieces, names in strictly increasing order, no empty value.
    pub fn from_canonical(bytes: &[u8]) -> Option<Labels> {
        let body = bytes.strip_suffix(&[CANONICAL_SEPARATOR])?;
        let mut pieces = body.split(|&b| b == CANONICAL_SEPARATOR);
        let mut labels: Vec<Label> = Vec::new();
        while let Some(name) = pieces.next() {
            let (name, value) = (std::str::from_utf8(name).ok()?, std::str::from_utf8(pieces.next()?).ok()?);
            if value.is_empty() || labels.last().is_some_and(|l| l.name.as_str() >= name) {
                return None;
            }
            labels.push(Label { name: name.to_string(), value: value.to_string() });
        }
        Some(Labels(labels.into()))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.binary_search_by(|l| l.name.as_str().cmp(name)).ok().map(|i| self.0[i].value.as_str())
    }

    pub fn metric_name(&self) -> Option<&str> {
        // `__name__` sorts first unless another name starts with an upper-case letter or `_`
        // followed by something lower: the first label is almost always it, and scans of every
        // series ask for it once each.
        match self.0.first() {
            Some(first) if first.name == METRIC_NAME => Some(&first.value),
            _ => self.get(METRIC_NAME),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Label> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Labels {
    /// Formats as `name{a="b", c="d"}`, the way Prometheus prints a series.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = self.metric_name() {
            f.write_str(name)?;
        }
        f.write_str("{")?;
        let mut first = true;
        for label in self.0.iter().filter(|l| l.name != METRIC_NAME) {
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            write!(f, "{}={}", label.name, lookout_gotext::quote(&label.value))?;
        }
        f.write_str("}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_deduplicated_and_empty_values_dropped() {
        let labels = Labels::from_pairs([("b", "2"), ("a", "1"), ("b", "3"), ("c", "")]);
        let names: Vec<_> = labels.iter().map(|l| (l.name.as_str(), l.value.as_str())).collect();
        assert_eq!(names, [("a", "1"), ("b", "3")]);
        assert_eq!(labels.get("b"), Some("3"));
        assert_eq!(labels.get("c"), None);
    }

    #[test]
    fn displays_like_prometheus() {
        let labels = Labels::from_pairs([("__name__", "up"), ("job", "api"), ("instance", "a:1")]);
        assert_eq!(labels.to_string(), r#"up{instance="a:1", job="api"}"#);
    }
}
