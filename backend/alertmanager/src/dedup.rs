//! The notification log (`nflog`) and the dedup decision (`DedupStage.needsUpdate`), with Lookout's
//! rule that a group whose firing alerts are all acknowledged is not repeated.

use std::collections::{BTreeMap, BTreeSet};

/// `--data.retention`: no entry outlives this.
pub const RETENTION_MS: i64 = 120 * 3_600_000;

/// What was last sent for one group to one integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NflogEntry {
    /// XXH64 label hashes of the firing alerts sent.
    pub firing: BTreeSet<u64>,
    pub resolved: BTreeSet<u64>,
    pub timestamp: i64,
    pub expires_at: i64,
}

/// All entries, keyed `<groupKey>:<receiver>/<integration>/<idx>`; plain data the server persists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotificationLog {
    entries: BTreeMap<String, NflogEntry>,
}

/// The nflog key of one integration of one receiver for one group.
pub fn nflog_key(group_key: &str, receiver: &str, kind: &str, index: usize) -> String {
    format!("{group_key}:{receiver}/{kind}/{index}")
}

impl NotificationLog {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, key: &str) -> Option<&NflogEntry> {
        self.entries.get(key)
    }

    /// Records a successful notification; it expires after twice the repeat interval (at most the retention).
    pub fn log(
        &mut self,
        key: &str,
        firing: BTreeSet<u64>,
        resolved: BTreeSet<u64>,
        repeat_interval_ms: i64,
        now: i64,
    ) {
        let expiry = if repeat_interval_ms > 0 { (2 * repeat_interval_ms).min(RETENTION_MS) } else { RETENTION_MS };
        self.entries.insert(
            key.to_string(),
            NflogEntry { firing, resolved, timestamp: now, expires_at: now.saturating_add(expiry) },
        );
    }

    /// Drops expired entries.
    pub fn gc(&mut self, now: i64) {
        self.entries.retain(|_, e| e.expires_at > now);
    }

    pub fn to_records(&self) -> Vec<(String, NflogEntry)> {
        self.entries.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    pub fn from_records(records: impl IntoIterator<Item = (String, NflogEntry)>) -> Self {
        NotificationLog { entries: records.into_iter().collect() }
    }
}

/// Whether a group must be (re)sent to an integration.
#[derive(Debug, Clone, Copy)]
pub struct DedupInput<'a> {
    pub entry: Option<&'a NflogEntry>,
    pub firing: &'a BTreeSet<u64>,
    pub resolved: &'a BTreeSet<u64>,
    pub send_resolved: bool,
    pub repeat_interval_ms: i64,
    /// Lookout: every firing alert of the group is acknowledged.
    pub all_acked: bool,
    pub now: i64,
}

/// `needsUpdate`, in Alertmanager's order; only the repeat case looks at acknowledgements.
pub fn needs_update(d: DedupInput<'_>) -> bool {
    let Some(entry) = d.entry else { return !d.firing.is_empty() };
    if !d.firing.is_subset(&entry.firing) {
        return true;
    }
    if d.firing.is_empty() {
        return !entry.firing.is_empty();
    }
    if d.send_resolved && !d.resolved.is_subset(&entry.resolved) {
        return true;
    }
    !d.all_acked && entry.timestamp < d.now.saturating_sub(d.repeat_interval_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(v: &[u64]) -> BTreeSet<u64> {
        v.iter().copied().collect()
    }

    /// `entry` is `(firing, resolved, timestamp)`; the group has `firing`/`resolved`; repeat is 100 at now 1000.
    fn check(
        entry: Option<(&[u64], &[u64], i64)>,
        firing: &[u64],
        resolved: &[u64],
        send_resolved: bool,
        all_acked: bool,
        expected: bool,
    ) {
        let entry = entry.map(|(f, r, ts)| NflogEntry {
            firing: set(f),
            resolved: set(r),
            timestamp: ts,
            expires_at: i64::MAX,
        });
        let (firing, resolved) = (set(firing), set(resolved));
        let got = needs_update(DedupInput {
            entry: entry.as_ref(),
            firing: &firing,
            resolved: &resolved,
            send_resolved,
            repeat_interval_ms: 100,
            all_acked,
            now: 1000,
        });
        assert_eq!(
            got, expected,
            "entry {entry:?} firing {firing:?} resolved {resolved:?} send_resolved {send_resolved} acked {all_acked}"
        );
    }

    #[test]
    fn the_five_cases() {
        // 1. No entry: send only with something firing.
        check(None, &[1], &[], true, false, true);
        check(None, &[], &[1], true, false, false);
        // 2. A new firing alert, even when the rest is acknowledged.
        check(Some((&[1], &[], 990)), &[1, 2], &[], false, true, true);
        // 3. Everything resolved: send iff something was firing before (whatever send_resolved says).
        check(Some((&[1], &[], 990)), &[], &[1], false, false, true);
        check(Some((&[], &[1], 990)), &[], &[1], true, false, false);
        // 4. Newly resolved alerts, only with send_resolved.
        check(Some((&[1, 2], &[], 990)), &[1], &[2], true, false, true);
        check(Some((&[1, 2], &[], 990)), &[1], &[2], false, false, false);
        // 5. Repeat after the interval (strictly before now - repeat).
        check(Some((&[1], &[], 899)), &[1], &[], false, false, true);
        check(Some((&[1], &[], 900)), &[1], &[], false, false, false);
        // Lookout: no repeat while all firing alerts are acknowledged.
        check(Some((&[1], &[], 0)), &[1], &[], false, true, false);
    }

    #[test]
    fn log_expiry_and_records() {
        let mut log = NotificationLog::new();
        let key = nflog_key("{}:{alertname=\"X\"}", "team-X", "webhook", 0);
        assert_eq!(key, "{}:{alertname=\"X\"}:team-X/webhook/0");
        log.log(&key, set(&[1]), set(&[]), 1000, 5);
        assert_eq!(log.get(&key).unwrap().expires_at, 2005);
        let copy = NotificationLog::from_records(log.to_records());
        assert_eq!(copy, log);
        log.gc(2005);
        assert!(log.get(&key).is_none());
    }
}
