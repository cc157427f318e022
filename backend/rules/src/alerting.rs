//! An alerting rule's state machine, as Prometheus 2.42's `AlertingRule.Eval`: alerts per label
//! set going inactive → pending → firing → resolved with `for` and `keep_firing_for`, resolved
//! alerts kept 15 minutes so they are re-sent as resolved, the `ALERTS` and `ALERTS_FOR_STATE`
//! series, and which alerts go to Alertmanager when.

use std::collections::{BTreeMap, HashSet};

use lookout_template::rule::{self, AlertData, QueryFn};
use lookout_template::{ExecError, ParseError, Template};
use lookout_tsdb::{Labels, METRIC_NAME};

use crate::querier::Sample;
use crate::recording::RuleError;

/// How long resolved alerts are kept (and re-sent).
const RESOLVED_RETENTION_MS: i64 = 15 * 60_000;

/// Prometheus writes the four variables in front of every template; execution errors count
/// columns on line 1 from after them.
const TEMPLATE_HEADER_LEN: usize =
    "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"
        .len();

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AlertStatus {
    Inactive,
    Pending,
    Firing,
}

impl AlertStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Inactive => "inactive",
            AlertStatus::Pending => "pending",
            AlertStatus::Firing => "firing",
        }
    }
}

/// One alert of a rule (Prometheus's `rules.Alert`); times in Unix milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Alert {
    pub labels: Labels,
    pub annotations: BTreeMap<String, String>,
    pub state: AlertStatus,
    pub value: f64,
    pub active_at: i64,
    pub fired_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub last_sent_at: Option<i64>,
    pub valid_until: i64,
    pub keep_firing_since: Option<i64>,
}

impl Alert {
    fn needs_sending(&self, ts: i64, resend_delay_ms: i64) -> bool {
        if self.state == AlertStatus::Pending {
            return false;
        }
        match (self.resolved_at, self.last_sent_at) {
            (Some(resolved), Some(sent)) if resolved > sent => true,
            (Some(_), None) => true,
            (_, Some(sent)) => sent + resend_delay_ms < ts,
            (None, None) => true,
        }
    }
}

/// An alert as Alertmanager receives it (times in Unix milliseconds).
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub labels: Labels,
    pub annotations: BTreeMap<String, String>,
    /// When the alert started firing in this process (not its `activeAt`).
    pub starts_at_ms: i64,
    /// The resolution time, or how long the alert holds without news (`ValidUntil`).
    pub ends_at_ms: i64,
    pub generator_url: String,
}

/// What templates may read besides the sample: `$externalLabels` and `$externalURL`.
#[derive(Debug, Clone, Default)]
pub(crate) struct TemplateEnv {
    pub external_labels: BTreeMap<String, String>,
    pub external_url: String,
}

struct Text {
    name: String,
    source: String,
    template: Result<Template, ParseError>,
}

pub(crate) struct AlertingRule {
    pub name: String,
    pub for_ms: i64,
    pub keep_firing_for_ms: i64,
    pub annotations: BTreeMap<String, String>,
    label_texts: Vec<Text>,
    annotation_texts: Vec<Text>,
    pub active: BTreeMap<Labels, Alert>,
    /// Whether `for` state has been restored; until then no `ALERTS` series are written.
    pub restored: bool,
}

impl AlertingRule {
    pub fn new(
        name: &str,
        for_ms: i64,
        keep_firing_for_ms: i64,
        labels: &BTreeMap<String, String>,
        annotations: &BTreeMap<String, String>,
        restored: bool,
    ) -> Self {
        let template_name = format!("__alert_{name}");
        let compile = |texts: &BTreeMap<String, String>| {
            texts
                .iter()
                .map(|(k, v)| Text { name: k.clone(), source: v.clone(), template: rule::template(&template_name, v) })
                .collect()
        };
        AlertingRule {
            name: name.to_string(),
            for_ms,
            keep_firing_for_ms,
            annotations: annotations.clone(),
            label_texts: compile(labels),
            annotation_texts: compile(annotations),
            active: BTreeMap::new(),
            restored,
        }
    }

    /// The rule's state for the API: the highest of its alerts'.
    pub fn state(&self) -> AlertStatus {
        self.active.values().map(|a| a.state).max().unwrap_or(AlertStatus::Inactive)
    }

    /// Advances the alerts with the query result at `ts` and returns the `ALERTS` and
    /// `ALERTS_FOR_STATE` samples to write.
    pub fn eval(
        &mut self,
        ts: i64,
        result: Vec<Sample>,
        limit: usize,
        env: &TemplateEnv,
        query: QueryFn<'_>,
    ) -> Result<Vec<Sample>, RuleError> {
        let mut fresh: BTreeMap<Labels, Alert> = BTreeMap::new();
        for sample in result {
            let data = AlertData {
                labels: sample.labels.iter().map(|l| (l.name.clone(), l.value.clone())).collect(),
                external_labels: env.external_labels.clone(),
                external_url: env.external_url.clone(),
                value: sample.value,
            };
            let mut pairs: Vec<(String, String)> = sample
                .labels
                .iter()
                .filter(|l| l.name != METRIC_NAME)
                .map(|l| (l.name.clone(), l.value.clone()))
                .collect();
            pairs.extend(self.label_texts.iter().map(|t| (t.name.clone(), expand(&data, t, query))));
            pairs.push(("alertname".into(), self.name.clone()));
            // `from_pairs` keeps the last value of a name and drops empty ones, as
            // Prometheus's label builder does.
            let labels = Labels::from_pairs(pairs);
            let annotations = self.annotation_texts.iter().map(|t| (t.name.clone(), expand(&data, t, query))).collect();
            if fresh.contains_key(&labels) {
                return Err(RuleError::DuplicateAlertLabels);
            }
            let alert = Alert {
                labels: labels.clone(),
                annotations,
                state: AlertStatus::Pending,
                value: sample.value,
                active_at: ts,
                fired_at: None,
                resolved_at: None,
                last_sent_at: None,
                valid_until: 0,
                keep_firing_since: None,
            };
            fresh.insert(labels, alert);
        }
        let in_result: HashSet<Labels> = fresh.keys().cloned().collect();
        for (labels, alert) in fresh {
            match self.active.get_mut(&labels) {
                Some(existing) if existing.state != AlertStatus::Inactive => {
                    existing.value = alert.value;
                    existing.annotations = alert.annotations;
                }
                _ => {
                    self.active.insert(labels, alert);
                }
            }
        }

        let mut out = Vec::new();
        let mut active_count = 0;
        let mut removed = Vec::new();
        for (labels, alert) in self.active.iter_mut() {
            if in_result.contains(labels) {
                alert.keep_firing_since = None;
            } else {
                let mut keep_firing = false;
                if alert.state == AlertStatus::Firing && self.keep_firing_for_ms > 0 {
                    let since = *alert.keep_firing_since.get_or_insert(ts);
                    keep_firing = ts - since < self.keep_firing_for_ms;
                }
                if alert.state == AlertStatus::Pending
                    || alert.resolved_at.is_some_and(|at| ts - at > RESOLVED_RETENTION_MS)
                {
                    removed.push(labels.clone());
                }
                if alert.state != AlertStatus::Inactive && !keep_firing {
                    alert.state = AlertStatus::Inactive;
                    alert.resolved_at = Some(ts);
                }
                if !keep_firing {
                    continue;
                }
            }
            active_count += 1;
            if alert.state == AlertStatus::Pending && ts - alert.active_at >= self.for_ms {
                alert.state = AlertStatus::Firing;
                alert.fired_at = Some(ts);
            }
            if self.restored {
                out.push(Sample { labels: series(&alert.labels, "ALERTS", Some(alert.state)), value: 1.0 });
                let active_at_s = alert.active_at.div_euclid(1000) as f64;
                out.push(Sample { labels: series(&alert.labels, "ALERTS_FOR_STATE", None), value: active_at_s });
            }
        }
        for labels in removed {
            self.active.remove(&labels);
        }
        if limit > 0 && active_count > limit {
            self.active.clear();
            return Err(RuleError::AlertLimit { limit, count: active_count });
        }
        Ok(out)
    }

    /// The alerts to send to Alertmanager after a successful evaluation at `ts`, marking them
    /// sent: firing ones every resend delay, resolved ones once more after they resolve.
    pub fn notifications(
        &mut self,
        ts: i64,
        resend_delay_ms: i64,
        interval_ms: i64,
        generator_url: &str,
    ) -> Vec<Notification> {
        let mut out = Vec::new();
        for alert in self.active.values_mut() {
            if !alert.needs_sending(ts, resend_delay_ms) {
                continue;
            }
            alert.last_sent_at = Some(ts);
            alert.valid_until = ts + 4 * resend_delay_ms.max(interval_ms);
            out.push(Notification {
                labels: alert.labels.clone(),
                annotations: alert.annotations.clone(),
                // Go's zero time for an alert that never fired here (a kept, restored one).
                starts_at_ms: alert.fired_at.unwrap_or(GO_ZERO_TIME_MS),
                ends_at_ms: alert.resolved_at.unwrap_or(alert.valid_until),
                generator_url: generator_url.to_string(),
            });
        }
        out
    }
}

/// `0001-01-01T00:00:00Z` in Unix milliseconds.
pub const GO_ZERO_TIME_MS: i64 = -62_135_596_800_000;

/// The alert's labels as an `ALERTS`/`ALERTS_FOR_STATE` series.
fn series(labels: &Labels, metric: &str, state: Option<AlertStatus>) -> Labels {
    let mut pairs: Vec<(&str, &str)> = labels.iter().map(|l| (l.name.as_str(), l.value.as_str())).collect();
    pairs.push((METRIC_NAME, metric));
    if let Some(state) = state {
        pairs.push(("alertstate", state.as_str()));
    }
    Labels::from_pairs(pairs)
}

fn expand(data: &AlertData, text: &Text, query: QueryFn<'_>) -> String {
    let error = match &text.template {
        Ok(template) => match data.expand_with_query(template, Some(query)) {
            Ok(out) => return out,
            Err(e) => format!("error executing template {}: {}", template_name(text), go_exec_error(&e, &text.source)),
        },
        Err(e) => format!(
            "error parsing template {}: template: {}:{}: {}",
            template_name(text),
            e.name,
            e.location.line,
            e.message
        ),
    };
    format!("<error expanding template: {error}>")
}

fn template_name(text: &Text) -> &str {
    match &text.template {
        Ok(t) => t.name(),
        Err(e) => &e.name,
    }
}

/// An execution error as Go prints it for Prometheus's text: the column is a 0-based byte
/// offset, and on line 1 it counts the variable header in front of the user's text.
fn go_exec_error(error: &ExecError, source: &str) -> String {
    let Some((name, at)) = error.location() else {
        return error.to_string();
    };
    let before = source.get(..at.pos).unwrap_or(source);
    let col = match before.rfind('\n') {
        Some(nl) => before.len() - nl - 1,
        None => TEMPLATE_HEADER_LEN + before.len(),
    };
    format!(
        "template: {name}:{}:{col}: executing {:?} at <{}>: {}",
        at.line,
        error.template(),
        error.context(),
        error.kind()
    )
}
