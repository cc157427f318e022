//! The alert model: ingestion defaults and validation (API v2 POST), merging of overlapping updates, the store.

use std::collections::BTreeMap;
use std::fmt;

use crate::labels::{Fingerprint, LabelSet, go_quote, valid_label_name};

/// An alert as the store holds it. Times are Unix milliseconds; `ends_at: None` is Go's zero time,
/// which only appears in flushed copies of unresolved alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub labels: LabelSet,
    pub annotations: LabelSet,
    pub starts_at: i64,
    pub ends_at: Option<i64>,
    pub updated_at: i64,
    pub generator_url: String,
    /// Set when the client sent no `endsAt` and the store made one up from `resolve_timeout`.
    pub timeout: bool,
}

/// An alert as a client posts it; `None` times are absent or Go's zero time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostableAlert {
    pub labels: LabelSet,
    pub annotations: LabelSet,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub generator_url: String,
}

/// Why a posted alert was refused; the texts are Alertmanager's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertError {
    StartAfterEnd,
    InvalidLabelName(String),
    NoLabels,
    InvalidAnnotationName(String),
}

impl fmt::Display for AlertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AlertError::StartAfterEnd => write!(f, "start time must be before end time"),
            AlertError::InvalidLabelName(n) => write!(f, "invalid label set: invalid name {}", go_quote(n)),
            AlertError::NoLabels => write!(f, "at least one label pair required"),
            AlertError::InvalidAnnotationName(n) => write!(f, "invalid annotations: invalid name {}", go_quote(n)),
        }
    }
}

impl std::error::Error for AlertError {}

impl Alert {
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(&self.labels)
    }

    /// Resolved iff `ends_at` is set and not after `now`.
    pub fn resolved_at(&self, now: i64) -> bool {
        self.ends_at.is_some_and(|e| e <= now)
    }

    /// `model.Alert.Merge`: the more recently updated alert is the base, the earliest start wins,
    /// and an explicit later end survives unless it was only a timeout.
    pub fn merge(&self, other: &Alert, now: i64) -> Alert {
        let (older, newer) = if other.updated_at < self.updated_at { (other, self) } else { (self, other) };
        let mut res = newer.clone();
        if older.starts_at < newer.starts_at {
            res.starts_at = older.starts_at;
        }
        let later = |a: Option<i64>, b: Option<i64>| a.unwrap_or(i64::MIN) > b.unwrap_or(i64::MIN);
        if newer.resolved_at(now) {
            if older.resolved_at(now) && later(older.ends_at, newer.ends_at) {
                res.ends_at = older.ends_at;
            }
        } else if later(older.ends_at, newer.ends_at) && !older.timeout {
            res.ends_at = older.ends_at;
        }
        res
    }
}

/// Applies the API's defaults and checks one posted alert (`postAlertsHandler` + `Validate`).
pub fn ingest(posted: PostableAlert, now: i64, resolve_timeout_ms: i64) -> Result<Alert, AlertError> {
    let starts_at = posted.starts_at.or(posted.ends_at).unwrap_or(now);
    let (ends_at, timeout) = match posted.ends_at {
        Some(e) => (e, false),
        None => (now.saturating_add(resolve_timeout_ms), true),
    };
    let mut labels = posted.labels;
    labels.retain(|_, v| !v.is_empty());
    if ends_at < starts_at {
        return Err(AlertError::StartAfterEnd);
    }
    if let Some(name) = labels.keys().find(|n| !valid_label_name(n)) {
        return Err(AlertError::InvalidLabelName(name.clone()));
    }
    if labels.is_empty() {
        return Err(AlertError::NoLabels);
    }
    if let Some(name) = posted.annotations.keys().find(|n| !valid_label_name(n)) {
        return Err(AlertError::InvalidAnnotationName(name.clone()));
    }
    Ok(Alert {
        labels,
        annotations: posted.annotations,
        starts_at,
        ends_at: Some(ends_at),
        updated_at: now,
        generator_url: posted.generator_url,
        timeout,
    })
}

/// All alerts by fingerprint (the `provider/mem` store).
#[derive(Debug, Clone, Default)]
pub struct AlertStore {
    alerts: BTreeMap<Fingerprint, Alert>,
}

impl AlertStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores an alert, merging it with the stored one when their active ranges overlap.
    /// Returns the alert as stored, which is what the dispatcher must be given.
    pub fn put(&mut self, alert: Alert, now: i64) -> Alert {
        let fp = alert.fingerprint();
        let stored = match self.alerts.get(&fp) {
            Some(old) if overlaps(old, &alert) => old.merge(&alert, now),
            _ => alert,
        };
        self.alerts.insert(fp, stored.clone());
        stored
    }

    pub fn get(&self, fp: Fingerprint) -> Option<&Alert> {
        self.alerts.get(&fp)
    }

    /// Alerts in fingerprint order (the API's listing order).
    pub fn iter(&self) -> impl Iterator<Item = (Fingerprint, &Alert)> {
        self.alerts.iter().map(|(fp, a)| (*fp, a))
    }

    pub fn len(&self) -> usize {
        self.alerts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty()
    }

    /// Drops resolved alerts (`--alerts.gc-interval`); returns their fingerprints so markers can go too.
    pub fn gc(&mut self, now: i64) -> Vec<Fingerprint> {
        let gone: Vec<Fingerprint> =
            self.alerts.iter().filter(|(_, a)| a.resolved_at(now)).map(|(fp, _)| *fp).collect();
        for fp in &gone {
            self.alerts.remove(fp);
        }
        gone
    }
}

/// The store's overlap test: the new end or start strictly inside the old range.
fn overlaps(old: &Alert, new: &Alert) -> bool {
    let (os, oe) = (old.starts_at, old.ends_at.unwrap_or(i64::MIN));
    let inside = |t: i64| t > os && t < oe;
    new.ends_at.is_some_and(inside) || inside(new.starts_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::label_set;

    const NOW: i64 = 1_000_000;
    const RT: i64 = 300_000;

    fn posted(labels: &[(&str, &str)], starts: Option<i64>, ends: Option<i64>) -> PostableAlert {
        PostableAlert {
            labels: label_set(labels.iter().copied()),
            starts_at: starts,
            ends_at: ends,
            ..Default::default()
        }
    }

    /// Ingests `p`; `expected` is `(starts_at, ends_at, timeout)` or the error text.
    fn check(p: PostableAlert, expected: Result<(i64, i64, bool), &str>) {
        let got =
            ingest(p.clone(), NOW, RT).map(|a| (a.starts_at, a.ends_at.unwrap(), a.timeout)).map_err(|e| e.to_string());
        assert_eq!(got, expected.map_err(str::to_string), "{p:?}");
    }

    #[test]
    fn ingestion_defaults_and_validation() {
        check(posted(&[("a", "1")], None, None), Ok((NOW, NOW + RT, true)));
        check(posted(&[("a", "1")], None, Some(500)), Ok((500, 500, false)));
        check(posted(&[("a", "1")], Some(10), None), Ok((10, NOW + RT, true)));
        check(posted(&[("a", "1")], Some(10), Some(5)), Err("start time must be before end time"));
        check(posted(&[("a-b", "1")], None, None), Err("invalid label set: invalid name \"a-b\""));
        check(posted(&[("a", "")], None, None), Err("at least one label pair required"));
        check(posted(&[], None, None), Err("at least one label pair required"));
        let mut p = posted(&[("a", "1")], None, None);
        p.annotations = label_set([("0x", "y")]);
        check(p, Err("invalid annotations: invalid name \"0x\""));
    }

    #[test]
    fn empty_labels_are_dropped_before_fingerprinting() {
        let a = ingest(posted(&[("alertname", "HighErrorRate"), ("x", "")], None, None), NOW, RT).unwrap();
        assert_eq!(a.fingerprint().to_string(), "271f101352bce682");
    }

    #[test]
    fn store_merges_overlapping_updates() {
        let mut store = AlertStore::new();
        let first = ingest(posted(&[("a", "1")], Some(100), None), NOW, RT).unwrap();
        store.put(first, NOW);
        // A later update without start keeps the earlier start.
        let second = ingest(posted(&[("a", "1")], None, None), NOW + 10, RT).unwrap();
        let stored = store.put(second, NOW + 10);
        assert_eq!((stored.starts_at, stored.ends_at, stored.updated_at), (100, Some(NOW + 10 + RT), NOW + 10));
        // An explicit resolve wins over the timeout end.
        let resolve = ingest(posted(&[("a", "1")], None, Some(NOW + 20)), NOW + 20, RT).unwrap();
        let stored = store.put(resolve, NOW + 20);
        assert_eq!((stored.starts_at, stored.ends_at), (100, Some(NOW + 20)));
        assert!(stored.resolved_at(NOW + 20));
        // A fresh firing alert after the resolved one does not overlap: it replaces it.
        let again = ingest(posted(&[("a", "1")], None, None), NOW + 30, RT).unwrap();
        assert_eq!(store.put(again, NOW + 30).starts_at, NOW + 30);
        assert_eq!(store.gc(NOW + 30 + RT), vec![Fingerprint::of(&label_set([("a", "1")]))]);
        assert!(store.is_empty());
    }
}
