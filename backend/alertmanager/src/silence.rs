//! Silences (`silence/silence.go`): states, validation, matching, update-or-replace (`canUpdate`), expiry,
//! retention, and the in-memory `Silences` store with plain records for persistence.

use std::collections::BTreeMap;
use std::fmt;

use crate::dedup::RETENTION_MS;
use crate::labels::{LabelSet, go_quote, valid_label_name};
use crate::matchers::{MatchType, Matcher, Matchers, regex_error_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SilenceState {
    Active,
    Pending,
    Expired,
}

impl SilenceState {
    pub fn as_str(self) -> &'static str {
        match self {
            SilenceState::Active => "active",
            SilenceState::Pending => "pending",
            SilenceState::Expired => "expired",
        }
    }
}

/// A matcher as posted: the regex is compiled only by validation, so a bad one can be reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SilenceMatcher {
    pub name: String,
    pub value: String,
    pub op: MatchType,
}

/// A silence; times are Unix ms, `0` standing for Go's zero time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Silence {
    pub id: String,
    pub matchers: Vec<SilenceMatcher>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub updated_at: i64,
    pub created_by: String,
    pub comment: String,
}

/// Why a silence was refused or not found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SilenceError {
    /// `silence invalid: <reason>` (a 400).
    Invalid(String),
    /// The API's own pre-checks (a 400): `Failed to create silence: <reason>`.
    Rejected(String),
    /// An id that the store does not hold (a 404).
    NotFound,
}

impl fmt::Display for SilenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SilenceError::Invalid(why) => write!(f, "silence invalid: {why}"),
            SilenceError::Rejected(why) => write!(f, "Failed to create silence: {why}"),
            SilenceError::NotFound => write!(f, "silence not found"),
        }
    }
}

impl std::error::Error for SilenceError {}

impl Silence {
    /// `getState`, used for muting: active while `starts_at <= now <= ends_at`.
    pub fn state(&self, now: i64) -> SilenceState {
        if now < self.starts_at {
            SilenceState::Pending
        } else if now > self.ends_at {
            SilenceState::Expired
        } else {
            SilenceState::Active
        }
    }

    /// `CalcSilenceState`, used by the API: at exactly `ends_at` it is already expired.
    pub fn api_state(&self, now: i64) -> SilenceState {
        if now < self.starts_at {
            SilenceState::Pending
        } else if now < self.ends_at {
            SilenceState::Active
        } else {
            SilenceState::Expired
        }
    }

    /// Compiled matchers; `None` if one does not compile (validation refuses those).
    pub fn compiled(&self) -> Option<Matchers> {
        self.matchers
            .iter()
            .map(|m| Matcher::new(m.op, &m.name, &m.value).ok())
            .collect::<Option<Vec<_>>>()
            .map(Matchers)
    }
}

/// `validateSilence`, in its order.
pub fn validate(s: &Silence) -> Result<(), SilenceError> {
    let bad = |m: String| Err(SilenceError::Invalid(m));
    if s.matchers.is_empty() {
        return bad("at least one matcher required".into());
    }
    let mut all_match_empty = true;
    for (i, m) in s.matchers.iter().enumerate() {
        if !valid_label_name(&m.name) {
            return bad(format!("invalid label matcher {i}: invalid label name {}", go_quote(&m.name)));
        }
        let matches_empty = if m.op.is_regex() {
            // Go checks the unanchored pattern here (`regexp.MatchString(pattern, "")`).
            match regex::Regex::new(&m.value) {
                Ok(re) => m.op == MatchType::Regexp && re.is_match(""),
                Err(e) => {
                    return bad(format!(
                        "invalid label matcher {i}: invalid regular expression {}: {}",
                        go_quote(&m.value),
                        regex_error_text(&e)
                    ));
                }
            }
        } else {
            m.op == MatchType::Equal && m.value.is_empty()
        };
        all_match_empty &= matches_empty;
    }
    if all_match_empty {
        return bad("at least one matcher must not match the empty string".into());
    }
    if s.starts_at == 0 {
        return bad("invalid zero start timestamp".into());
    }
    if s.ends_at == 0 {
        return bad("invalid zero end timestamp".into());
    }
    if s.ends_at < s.starts_at {
        return bad("end time must not be before start time".into());
    }
    Ok(())
}

/// `canUpdate`: same matchers, and times that the old silence's state allows changing.
fn can_update(old: &Silence, new: &Silence, now: i64) -> bool {
    if old.matchers != new.matchers {
        return false;
    }
    match old.state(now) {
        SilenceState::Active => new.starts_at.div_euclid(1000) == old.starts_at.div_euclid(1000) && new.ends_at >= now,
        SilenceState::Pending => new.starts_at >= now,
        SilenceState::Expired => false,
    }
}

/// UUIDv4 text (`8-4-4-4-12`, lower case) from 16 random bytes.
pub fn uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// All silences by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Silences {
    by_id: BTreeMap<String, Silence>,
}

impl Silences {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, id: &str) -> Option<&Silence> {
        self.by_id.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Silence> {
        self.by_id.values()
    }

    /// `POST /silences`: the API's pre-checks, then `Silences.Set`. Returns the id in force, which is
    /// a fresh one (from `random`) unless an existing silence could be updated in place.
    pub fn set(
        &mut self,
        mut sil: Silence,
        now: i64,
        random: impl FnOnce() -> [u8; 16],
    ) -> Result<String, SilenceError> {
        if sil.starts_at >= sil.ends_at {
            return Err(SilenceError::Rejected("start time must be before end time".into()));
        }
        if sil.ends_at < now {
            return Err(SilenceError::Rejected("end time can't be in the past".into()));
        }
        if !sil.id.is_empty() {
            let Some(prev) = self.by_id.get(&sil.id).cloned() else { return Err(SilenceError::NotFound) };
            if can_update(&prev, &sil, now) {
                sil.updated_at = now;
                validate(&sil)?;
                let id = sil.id.clone();
                self.by_id.insert(id.clone(), sil);
                return Ok(id);
            }
            // Alertmanager expires the old one before it validates the replacement; Lookout
            // validates first, so a refused update changes nothing (and a journal that logs only
            // what applied stays true).
            let mut check = sil.clone();
            check.starts_at = check.starts_at.max(now);
            check.updated_at = now;
            validate(&check)?;
            if prev.state(now) != SilenceState::Expired {
                self.expire(&prev.id, now)?;
            }
        }
        sil.id = uuid_v4(random());
        sil.starts_at = sil.starts_at.max(now);
        sil.updated_at = now;
        validate(&sil)?;
        let id = sil.id.clone();
        self.by_id.insert(id.clone(), sil);
        Ok(id)
    }

    /// `DELETE /silence/{id}`: active ones end now, pending ones start and end now, expired stay.
    pub fn expire(&mut self, id: &str, now: i64) -> Result<(), SilenceError> {
        let sil = self.by_id.get_mut(id).ok_or(SilenceError::NotFound)?;
        match sil.state(now) {
            SilenceState::Expired => return Ok(()),
            SilenceState::Active => sil.ends_at = now,
            SilenceState::Pending => {
                sil.starts_at = now;
                sil.ends_at = now;
            }
        }
        sil.updated_at = now;
        Ok(())
    }

    /// The sorted ids of active silences muting these labels (`silencedBy`).
    pub fn silenced_by(&self, labels: &LabelSet, now: i64) -> Vec<String> {
        // `by_id` iterates in id order, so the result is sorted.
        self.by_id
            .values()
            .filter(|s| s.state(now) == SilenceState::Active && s.compiled().is_some_and(|m| m.matches(labels)))
            .map(|s| s.id.clone())
            .collect()
    }

    /// Drops silences that ended more than the retention ago.
    pub fn gc(&mut self, now: i64) {
        self.by_id.retain(|_, s| s.ends_at.saturating_add(RETENTION_MS) > now);
    }

    /// `GET /silences`: those whose matchers include each filter exactly, active (by end), pending
    /// (by start), then expired (latest end first).
    pub fn list(&self, filter: &[Matcher], now: i64) -> Vec<&Silence> {
        let mut out: Vec<&Silence> = self
            .by_id
            .values()
            .filter(|s| {
                filter.iter().all(|f| s.matchers.iter().any(|m| m.name == f.name && m.op == f.op && m.value == f.value))
            })
            .collect();
        out.sort_by(|a, b| {
            let (sa, sb) = (a.api_state(now), b.api_state(now));
            sa.cmp(&sb).then_with(|| match sa {
                SilenceState::Active => a.ends_at.cmp(&b.ends_at),
                SilenceState::Pending => a.starts_at.cmp(&b.starts_at),
                SilenceState::Expired => b.ends_at.cmp(&a.ends_at),
            })
        });
        out
    }

    pub fn to_records(&self) -> Vec<Silence> {
        self.by_id.values().cloned().collect()
    }

    pub fn from_records(records: impl IntoIterator<Item = Silence>) -> Self {
        Silences { by_id: records.into_iter().map(|s| (s.id.clone(), s)).collect() }
    }
}
