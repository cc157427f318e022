//! The notifier's state as a snapshot file: alerts, silences, acknowledgements, the notification
//! log, alert timelines and delivery attempts, as of a journal segment. It is written to a
//! temporary file, fsynced and renamed over the old one, so a crash (`kill -9` too) leaves
//! either the old snapshot or the new, never a torn one; the journal holds every change since.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use lookout_alertmanager::alert::Alert;
use lookout_alertmanager::dedup::NflogEntry;
use lookout_alertmanager::matchers::MatchType;
use lookout_alertmanager::silence::{Silence, SilenceMatcher};
use serde::{Deserialize, Serialize};

use super::state::{Ack, AttemptRecord, Event};

/// Everything that must survive a restart, in a plain form.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Snapshot {
    pub alerts: Vec<StoredAlert>,
    pub silences: Vec<StoredSilence>,
    pub nflog: Vec<(String, StoredNflog)>,
    pub acks: BTreeMap<String, Ack>,
    pub history: BTreeMap<String, Vec<Event>>,
    pub attempts: Vec<AttemptRecord>,
    /// Escalations sent per group key in the current unacknowledged spell.
    #[serde(default)]
    pub escalations: Vec<(String, Vec<usize>)>,
    /// The first journal segment not folded into this snapshot.
    #[serde(default)]
    pub journal_from: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredAlert {
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub starts_at: i64,
    pub ends_at: Option<i64>,
    pub updated_at: i64,
    pub generator_url: String,
    pub timeout: bool,
}

impl From<&Alert> for StoredAlert {
    fn from(a: &Alert) -> Self {
        StoredAlert {
            labels: a.labels.clone(),
            annotations: a.annotations.clone(),
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            updated_at: a.updated_at,
            generator_url: a.generator_url.clone(),
            timeout: a.timeout,
        }
    }
}

impl From<StoredAlert> for Alert {
    fn from(a: StoredAlert) -> Self {
        Alert {
            labels: a.labels,
            annotations: a.annotations,
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            updated_at: a.updated_at,
            generator_url: a.generator_url,
            timeout: a.timeout,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredSilence {
    pub id: String,
    /// `(name, op, value)` with op as written in matchers: `=`, `!=`, `=~`, `!~`.
    pub matchers: Vec<(String, String, String)>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub updated_at: i64,
    pub created_by: String,
    pub comment: String,
}

pub fn op_text(op: MatchType) -> &'static str {
    match op {
        MatchType::Equal => "=",
        MatchType::NotEqual => "!=",
        MatchType::Regexp => "=~",
        MatchType::NotRegexp => "!~",
    }
}

pub fn op_from_text(text: &str) -> Option<MatchType> {
    Some(match text {
        "=" => MatchType::Equal,
        "!=" => MatchType::NotEqual,
        "=~" => MatchType::Regexp,
        "!~" => MatchType::NotRegexp,
        _ => return None,
    })
}

impl From<&Silence> for StoredSilence {
    fn from(s: &Silence) -> Self {
        StoredSilence {
            id: s.id.clone(),
            matchers: s.matchers.iter().map(|m| (m.name.clone(), op_text(m.op).into(), m.value.clone())).collect(),
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            updated_at: s.updated_at,
            created_by: s.created_by.clone(),
            comment: s.comment.clone(),
        }
    }
}

impl StoredSilence {
    pub fn into_silence(self) -> Option<Silence> {
        let matchers = self
            .matchers
            .into_iter()
            .map(|(name, op, value)| Some(SilenceMatcher { name, value, op: op_from_text(&op)? }))
            .collect::<Option<Vec<_>>>()?;
        Some(Silence {
            id: self.id,
            matchers,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            updated_at: self.updated_at,
            created_by: self.created_by,
            comment: self.comment,
        })
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct StoredNflog {
    pub firing: BTreeSet<u64>,
    pub resolved: BTreeSet<u64>,
    pub timestamp: i64,
    pub expires_at: i64,
}

impl From<&NflogEntry> for StoredNflog {
    fn from(e: &NflogEntry) -> Self {
        StoredNflog {
            firing: e.firing.clone(),
            resolved: e.resolved.clone(),
            timestamp: e.timestamp,
            expires_at: e.expires_at,
        }
    }
}

impl From<StoredNflog> for NflogEntry {
    fn from(e: StoredNflog) -> Self {
        NflogEntry { firing: e.firing, resolved: e.resolved, timestamp: e.timestamp, expires_at: e.expires_at }
    }
}

/// Where the snapshot lives.
pub struct SnapshotFile {
    path: PathBuf,
}

impl SnapshotFile {
    pub fn new(dir: &Path) -> std::io::Result<SnapshotFile> {
        std::fs::create_dir_all(dir)?;
        Ok(SnapshotFile { path: dir.join("state.json") })
    }

    /// The last snapshot written, or an empty state on a first start. A file that cannot be
    /// read is an error: starting empty over it would lose acknowledgements and silences.
    pub fn read(&self) -> std::io::Result<Snapshot> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {e}", self.path.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Snapshot::default()),
            Err(e) => Err(e),
        }
    }

    /// Replaces the snapshot atomically and durably.
    pub fn write(&self, snapshot: &Snapshot) -> std::io::Result<()> {
        let bytes = serde_json::to_vec(snapshot).map_err(std::io::Error::other)?;
        lookout_wal::bytes::write_atomic(&self.path, &bytes)
    }
}
