//! What the API v2 reports about alerts and groups: status (`active`/`suppressed`, silencedBy,
//! inhibitedBy, mutedBy), the `/alerts` and `/alerts/groups` filters and their orders.

use std::collections::BTreeMap;
use std::fmt;

use regex::Regex;

use crate::alert::{Alert, AlertStore};
use crate::config::Config;
use crate::dispatch::Dispatcher;
use crate::inhibit::Inhibitor;
use crate::labels::{Fingerprint, LabelSet, alert_labels_cmp, label_set_cmp};
use crate::matchers::{MatchType, Matcher, MatcherError, anchored_regex, parse_matcher};
use crate::silence::Silences;
use crate::timeinterval::any_contains;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertState {
    Active,
    Suppressed,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Active => "active",
            AlertState::Suppressed => "suppressed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertStatus {
    pub state: AlertState,
    pub silenced_by: Vec<String>,
    /// At most one fingerprint (`%016x`), from the first rule that applies.
    pub inhibited_by: Vec<String>,
    pub muted_by: Vec<String>,
}

/// The status the API reports, recomputed at `now` as Alertmanager's handlers do.
/// `state` follows 0.25 (silences and inhibitions only); `muted_by` lists the time intervals of
/// the alert's routes that mute it now (an active interval list not in force counts as muting).
pub fn alert_status(
    alert: &Alert,
    config: &Config,
    inhibitor: &Inhibitor<'_>,
    silences: &Silences,
    now: i64,
) -> AlertStatus {
    let silenced_by = silences.silenced_by(&alert.labels, now);
    let inhibited_by: Vec<String> =
        inhibitor.inhibited_by(&alert.labels).map(|fp| fp.to_string()).into_iter().collect();
    let within = |n: &String| config.time_intervals.get(n).is_some_and(|ti| any_contains(ti, now));
    let mut muted_by = Vec::new();
    for id in config.route.matches(&alert.labels) {
        let opts = &config.route.get(id).opts;
        if !opts.active_time_intervals.is_empty() && !opts.active_time_intervals.iter().any(within) {
            muted_by.extend(opts.active_time_intervals.iter().cloned());
        }
        muted_by.extend(opts.mute_time_intervals.iter().filter(|n| within(n)).cloned());
    }
    muted_by.sort();
    muted_by.dedup();
    let state =
        if silenced_by.is_empty() && inhibited_by.is_empty() { AlertState::Active } else { AlertState::Suppressed };
    AlertStatus { state, silenced_by, inhibited_by, muted_by }
}

/// Why a query's parameters were refused (400); the texts are Alertmanager's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterError {
    Matcher(MatcherError),
    Receiver(String),
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterError::Matcher(e) => write!(f, "{e}"),
            FilterError::Receiver(e) => write!(f, "failed to parse receiver param: {e}"),
        }
    }
}

impl std::error::Error for FilterError {}

/// The query parameters of `GET /alerts` and `GET /alerts/groups`.
#[derive(Debug, Clone)]
pub struct AlertFilter {
    pub matchers: Vec<Matcher>,
    pub active: bool,
    pub silenced: bool,
    pub inhibited: bool,
    pub receiver: Option<Regex>,
}

impl AlertFilter {
    /// Parses `filter` (one matcher each) and the `receiver` regex (anchored).
    pub fn new(
        filter: &[String],
        active: bool,
        silenced: bool,
        inhibited: bool,
        receiver: Option<&str>,
    ) -> Result<Self, FilterError> {
        let matchers =
            filter.iter().map(|f| parse_matcher(f)).collect::<Result<_, _>>().map_err(FilterError::Matcher)?;
        let receiver = receiver
            .map(|r| {
                anchored_regex(r).map_err(|e| match e {
                    MatcherError::Regex(text) => FilterError::Receiver(text),
                    other => FilterError::Matcher(other),
                })
            })
            .transpose()?;
        Ok(AlertFilter { matchers, active, silenced, inhibited, receiver })
    }

    /// The `filter` labels test: an empty `=`/`=~` value passes an absent label, an empty
    /// `!=`/`!~` value passes a present one; otherwise the matcher decides.
    fn labels_match(&self, labels: &LabelSet) -> bool {
        self.matchers.iter().all(|m| {
            let value = labels.get(&m.name);
            let skip = match m.op {
                MatchType::NotEqual | MatchType::NotRegexp => m.value.is_empty() && value.is_some(),
                MatchType::Equal | MatchType::Regexp => m.value.is_empty() && value.is_none(),
            };
            skip || m.matches(value.map_or("", String::as_str))
        })
    }

    /// `alertFilter`: not past its end, the state flags, then the label filter.
    fn keeps(&self, alert: &Alert, status: &AlertStatus, now: i64) -> bool {
        if alert.ends_at.is_some_and(|e| e < now) {
            return false;
        }
        if !self.active && status.state == AlertState::Active {
            return false;
        }
        if !self.silenced && !status.silenced_by.is_empty() {
            return false;
        }
        if !self.inhibited && !status.inhibited_by.is_empty() {
            return false;
        }
        self.labels_match(&alert.labels)
    }

    fn receiver_ok(&self, name: &str) -> bool {
        self.receiver.as_ref().is_none_or(|re| re.is_match(name))
    }
}

/// Everything the listing functions read.
pub struct StatusContext<'a> {
    pub config: &'a Config,
    pub alerts: &'a AlertStore,
    pub inhibitor: &'a Inhibitor<'a>,
    pub silences: &'a Silences,
    pub now: i64,
}

/// An alert as `gettableAlert` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedAlert<'a> {
    pub fingerprint: Fingerprint,
    pub alert: &'a Alert,
    pub receivers: Vec<String>,
    pub status: AlertStatus,
}

/// `GET /alerts`: stored alerts passing the filter, receivers from routing, by fingerprint.
pub fn list_alerts<'a>(ctx: &StatusContext<'a>, filter: &AlertFilter) -> Vec<ListedAlert<'a>> {
    let mut out = Vec::new();
    for (fp, alert) in ctx.alerts.iter() {
        let status = alert_status(alert, ctx.config, ctx.inhibitor, ctx.silences, ctx.now);
        if !filter.keeps(alert, &status, ctx.now) {
            continue;
        }
        let receivers = ctx.config.route.receivers(&alert.labels);
        if filter.receiver.is_some() && !receivers.iter().any(|r| filter.receiver_ok(r)) {
            continue;
        }
        out.push(ListedAlert { fingerprint: fp, alert, receivers, status });
    }
    out.sort_by_key(|a| a.fingerprint.to_string());
    out
}

/// An `alertGroup`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedGroup<'a> {
    pub labels: LabelSet,
    pub receiver: String,
    pub alerts: Vec<ListedAlert<'a>>,
}

/// `GET /alerts/groups`: the dispatcher's groups whose receiver passes and that keep an alert;
/// sorted by labels then receiver; each alert's receivers are all groups' receivers holding it.
pub fn list_groups<'a>(
    ctx: &StatusContext<'_>,
    dispatcher: &'a Dispatcher,
    filter: &AlertFilter,
) -> Vec<ListedGroup<'a>> {
    let mut receivers: BTreeMap<Fingerprint, Vec<String>> = BTreeMap::new();
    let mut groups = Vec::new();
    for group in dispatcher.groups() {
        if !filter.receiver_ok(group.receiver) {
            continue;
        }
        let mut alerts = Vec::new();
        for alert in group.alerts {
            let status = alert_status(alert, ctx.config, ctx.inhibitor, ctx.silences, ctx.now);
            if !filter.keeps(alert, &status, ctx.now) {
                continue;
            }
            let fp = alert.fingerprint();
            receivers.entry(fp).or_default().push(group.receiver.to_string());
            alerts.push(ListedAlert { fingerprint: fp, alert, receivers: Vec::new(), status });
        }
        if !alerts.is_empty() {
            groups.push(ListedGroup { labels: group.labels.clone(), receiver: group.receiver.to_string(), alerts });
        }
    }
    for list in receivers.values_mut() {
        list.sort();
    }
    groups.sort_by(|a, b| label_set_cmp(&a.labels, &b.labels).then_with(|| a.receiver.cmp(&b.receiver)));
    for group in &mut groups {
        group.alerts.sort_by(|a, b| alert_labels_cmp(&a.alert.labels, &b.alert.labels));
        for alert in &mut group.alerts {
            alert.receivers = receivers.get(&alert.fingerprint).cloned().unwrap_or_default();
        }
    }
    groups
}
