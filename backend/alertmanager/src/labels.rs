//! Label sets as Alertmanager sees them: validity, fingerprints, Go's `LabelSet.String()` and ordering.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use lookout_tsdb::xxh64;

use crate::hash::{fnv1a64, label_bytes};

/// Labels (or annotations) sorted by name, bytewise as Go sorts strings.
pub type LabelSet = BTreeMap<String, String>;

/// An alert's identity: FNV-1a 64 of its label set, printed `%016x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint(pub u64);

impl Fingerprint {
    pub fn of(labels: &LabelSet) -> Self {
        Fingerprint(fnv1a64(&label_bytes(labels)))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// The notification log's hash of a label set (XXH64 over the same bytes as the fingerprint).
pub fn dedup_hash(labels: &LabelSet) -> u64 {
    xxh64(&label_bytes(labels))
}

/// `model.LabelNameRE`: `^[a-zA-Z_][a-zA-Z0-9_]*$`.
pub fn valid_label_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Go's `strconv.Quote`, as `model.LabelSet.String()` quotes values.
pub use lookout_gotext::quote as go_quote;

/// `model.LabelSet.String()`: `{a="1", b="2"}` with Go quoting and `, ` between pairs.
pub fn label_set_string(labels: &LabelSet) -> String {
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={}", go_quote(v))).collect();
    format!("{{{}}}", pairs.join(", "))
}

/// `model.LabelSet.Before`: fewer labels first, then value by value over the merged names.
pub fn label_set_cmp(a: &LabelSet, b: &LabelSet) -> Ordering {
    if a.len() != b.len() {
        return a.len().cmp(&b.len());
    }
    let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
    names.sort();
    for name in names {
        match (a.get(name), b.get(name)) {
            (None, _) => return Ordering::Less,
            (_, None) => return Ordering::Greater,
            (Some(x), Some(y)) if x != y => return x.cmp(y),
            _ => {}
        }
    }
    Ordering::Equal
}

/// `types.AlertSlice.Less`: by `job`, then `instance` (present before absent), then `label_set_cmp`.
pub fn alert_labels_cmp(a: &LabelSet, b: &LabelSet) -> Ordering {
    for key in ["job", "instance"] {
        match (a.get(key), b.get(key)) {
            (None, None) => continue,
            (None, Some(_)) => return Ordering::Greater,
            (Some(_), None) => return Ordering::Less,
            (Some(x), Some(y)) if x != y => return x.cmp(y),
            _ => {}
        }
    }
    label_set_cmp(a, b)
}

/// Builds a label set from pairs (tests and callers that have slices).
pub fn label_set<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> LabelSet {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pairs: &[(&str, &str)], fingerprint: &str) {
        let labels = label_set(pairs.iter().copied());
        assert_eq!(Fingerprint::of(&labels).to_string(), fingerprint, "{pairs:?}");
    }

    #[test]
    fn fingerprints_match_the_test_vectors() {
        check(&[], "cbf29ce484222325");
        check(&[("alertname", "HighErrorRate")], "271f101352bce682");
        check(&[("alertname", "HighErrorRate"), ("severity", "critical")], "087036d1e9d728e4");
        check(&[("alertname", "HighErrorRate"), ("severity", "critical"), ("instance", "a")], "a5aded17a37de350");
    }

    #[test]
    fn label_set_string_uses_go_quoting() {
        let labels = label_set([("b", "x\"y\n"), ("a", "é\u{1}")]);
        assert_eq!(label_set_string(&labels), "{a=\"é\\x01\", b=\"x\\\"y\\n\"}");
        assert_eq!(label_set_string(&LabelSet::new()), "{}");
    }

    #[test]
    fn ordering_follows_alert_slice_less() {
        let a = label_set([("job", "a"), ("z", "1")]);
        let b = label_set([("x", "1")]);
        assert_eq!(alert_labels_cmp(&a, &b), Ordering::Less);
        assert_eq!(label_set_cmp(&b, &a), Ordering::Less);
        assert_eq!(label_set_cmp(&label_set([("a", "1")]), &label_set([("b", "0")])), Ordering::Greater);
    }
}
