//! The notifier's journal: every change to its state is one record of a write-ahead log
//! (`lookout-wal`, group commit), applied by [`apply`] the same way when it happens and when a
//! restart replays the log over the last snapshot. Only changes that apply are logged.

use std::collections::BTreeSet;

use lookout_alertmanager::alert::Alert;
use lookout_alertmanager::labels::Fingerprint;
use lookout_alertmanager::pipeline::NflogRecord;
use lookout_alertmanager::silence::SilenceError;
use lookout_types::alerts::TimelineKind;
use lookout_wal::WalRecord;
use serde::{Deserialize, Serialize};

use super::persist::{StoredAlert, StoredSilence};
use super::state::{Ack, AttemptRecord, Event, State};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Change {
    /// Alerts that passed ingestion, stored as of `now`; `at_us` is the same moment to the
    /// microsecond, for the group timers (0 in records written before it was kept).
    Post {
        now: i64,
        #[serde(default)]
        at_us: i64,
        alerts: Vec<StoredAlert>,
    },
    Ack {
        now: i64,
        fp: u64,
        by: String,
        comment: String,
    },
    Unack {
        now: i64,
        fp: u64,
        by: String,
    },
    Resolve {
        now: i64,
        fp: u64,
        by: String,
        comment: String,
    },
    /// `random` is what the new silence's id was made from, so a replay makes the same id.
    SetSilence {
        now: i64,
        silence: StoredSilence,
        random: [u8; 16],
    },
    ExpireSilence {
        now: i64,
        id: String,
    },
    /// A delivery's attempts and the timeline entries of the alerts it carried.
    Delivery {
        attempts: Vec<AttemptRecord>,
        events: Vec<(u64, Event)>,
    },
    /// What an integration was last sent for a group (the notification log).
    Notified {
        now: i64,
        key: String,
        firing: BTreeSet<u64>,
        resolved: BTreeSet<u64>,
        repeat_interval_ms: i64,
    },
    /// The escalations every group has sent in its current unacknowledged spell.
    Escalated {
        sent: Vec<(String, Vec<usize>)>,
    },
}

impl WalRecord for Change {
    fn encode_payload(&self, out: &mut Vec<u8>) {
        // A change is plain data; encoding it cannot fail.
        let _ = serde_json::to_writer(out, self);
    }

    fn decode_payload(payload: &[u8]) -> Option<Self> {
        serde_json::from_slice(payload).ok()
    }
}

/// Why a change does not apply; it is then not logged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// The alert it names is not there, or not in the state the change needs.
    #[error("{0}")]
    Alert(String),
    #[error(transparent)]
    Silence(SilenceError),
}

/// Applies `change`; `Ok` carries a new silence's id.
pub fn apply(state: &mut State, change: &Change) -> Result<Option<String>, Refusal> {
    match change {
        Change::Post { now, at_us, alerts } => {
            let at_us = if *at_us == 0 { now * 1000 } else { *at_us };
            for alert in alerts {
                store(state, Alert::from(alert.clone()), *now, at_us);
            }
        }
        Change::Ack { now, fp, by, comment } => {
            let fp = Fingerprint(*fp);
            let starts_at = firing(state, fp, *now).map_err(Refusal::Alert)?.starts_at;
            let detail = if comment.is_empty() { by.clone() } else { format!("{by}: {comment}") };
            state.acks.insert(fp, Ack { by: by.clone(), at_ms: *now, comment: comment.clone(), starts_at });
            state.event(fp, *now, TimelineKind::Acknowledged, detail);
        }
        Change::Unack { now, fp, by } => {
            let fp = Fingerprint(*fp);
            if state.acks.remove(&fp).is_none() {
                return Err(Refusal::Alert(format!("the alert {fp} is not acknowledged")));
            }
            state.event(fp, *now, TimelineKind::Unacknowledged, by.clone());
        }
        Change::Resolve { now, fp, by, comment } => {
            let fp = Fingerprint(*fp);
            let alert = firing(state, fp, *now).map_err(Refusal::Alert)?.clone();
            let detail = if comment.is_empty() { by.clone() } else { format!("{by}: {comment}") };
            state.event(fp, *now, TimelineKind::ResolvedByHand, detail);
            store(state, Alert { ends_at: Some(*now), updated_at: *now, timeout: false, ..alert }, *now, now * 1000);
        }
        Change::SetSilence { now, silence, random } => {
            let silence = silence
                .clone()
                .into_silence()
                .ok_or_else(|| Refusal::Silence(SilenceError::Invalid("a matcher has an unknown operator".into())))?;
            let id = state.silences.set(silence, *now, || *random).map_err(Refusal::Silence)?;
            return Ok(Some(id));
        }
        Change::ExpireSilence { now, id } => state.silences.expire(id, *now).map_err(Refusal::Silence)?,
        Change::Delivery { attempts, events } => {
            for (fp, e) in events {
                state.event(Fingerprint(*fp), e.at_ms, e.kind, e.detail.clone());
            }
            for attempt in attempts {
                state.record_attempt(attempt.clone());
            }
        }
        Change::Notified { now, key, firing, resolved, repeat_interval_ms } => {
            let record = NflogRecord {
                key: key.clone(),
                firing: firing.clone(),
                resolved: resolved.clone(),
                repeat_interval_ms: *repeat_interval_ms,
            };
            state.nflog.record(&record, *now);
        }
        Change::Escalated { sent } => state.dispatcher.restore_escalations(sent),
    }
    Ok(None)
}

fn firing(state: &State, fp: Fingerprint, now: i64) -> Result<&Alert, String> {
    state
        .alerts
        .get(fp)
        .filter(|a| !a.resolved_at(now))
        .ok_or_else(|| format!("no firing alert has the fingerprint {fp}"))
}

/// Stores one alert and hands it to the dispatcher (whose clock is `now_us`), noting on its
/// timeline when it starts firing or resolves.
pub fn store(state: &mut State, alert: Alert, now: i64, now_us: i64) {
    let fp = alert.fingerprint();
    let before = state.alerts.get(fp).map(|a| (a.starts_at, a.resolved_at(now)));
    let stored = state.alerts.put(alert, now);
    let resolved = stored.resolved_at(now);
    match before {
        Some((_, false)) if resolved => state.event(fp, now, TimelineKind::Resolved, String::new()),
        Some((starts, true)) if !resolved && starts != stored.starts_at => {
            state.event(fp, now, TimelineKind::Firing, String::new())
        }
        None if !resolved => state.event(fp, now, TimelineKind::Firing, String::new()),
        _ => {}
    }
    state.dispatcher.insert(&stored, now_us);
}
