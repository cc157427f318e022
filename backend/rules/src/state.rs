//! Snapshots of groups, rules and alerts: everything `/api/v1/rules` and `/api/v1/alerts` show,
//! as plain types the server converts to JSON.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use lookout_tsdb::Labels;

use crate::alerting::AlertStatus;
use crate::file::Source;

/// A rule's health after its last evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Never evaluated.
    Unknown,
    Ok,
    Err,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Unknown => "unknown",
            Health::Ok => "ok",
            Health::Err => "err",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupState {
    pub name: String,
    pub file: String,
    pub interval_ms: i64,
    pub limit: usize,
    pub source: Source,
    pub rules: Vec<RuleState>,
    /// How long the last evaluation of the whole group took.
    pub evaluation_time: Duration,
    /// When (wall clock) the last evaluation started; `None` before the first.
    pub last_evaluation: Option<SystemTime>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleState {
    pub name: String,
    /// The expression as written in the file.
    pub query: String,
    pub labels: BTreeMap<String, String>,
    pub health: Health,
    pub last_error: Option<String>,
    pub evaluation_time: Duration,
    pub last_evaluation: Option<SystemTime>,
    pub kind: RuleStateKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RuleStateKind {
    Recording,
    Alerting {
        /// The highest state of the rule's alerts; `Inactive` with none.
        state: AlertStatus,
        for_ms: i64,
        keep_firing_for_ms: i64,
        annotations: BTreeMap<String, String>,
        /// Pending and firing alerts (resolved ones are kept only to be re-sent).
        alerts: Vec<AlertState>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlertState {
    pub labels: Labels,
    pub annotations: BTreeMap<String, String>,
    pub state: AlertStatus,
    pub active_at_ms: i64,
    pub keep_firing_since_ms: Option<i64>,
    pub value: f64,
}
