//! The group's notification as the notifier receives it ([`Message`]), and its translation into
//! Alertmanager's template data.

use std::collections::BTreeMap;

use lookout_alertmanager::alert::Alert;
use lookout_alertmanager::dispatch::Flush;
use lookout_alertmanager::pipeline::SendPlan;
use lookout_template::Time;
use lookout_template::alertmanager::{self as am, AlertStatus, Data, Kv};

/// What one integration is to be told about one aggregation group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The receiver's name as configured (the template data quotes it).
    pub receiver: String,
    /// The group key, e.g. `{}:{alertname="HighErrorRate"}`; PagerDuty's `dedup_key` hashes it.
    pub group_key: String,
    pub group_labels: BTreeMap<String, String>,
    /// In flush order. An alert whose `ends_at` is `None` is firing; one with an end is resolved,
    /// as in the alerts a [`Flush`] hands out.
    pub alerts: Vec<Alert>,
    /// Alertmanager's `--web.external-url`, without a trailing `/`.
    pub external_url: String,
}

impl Message {
    /// The message for one send plan of a flush.
    pub fn for_plan(flush: &Flush, plan: &SendPlan, external_url: &str) -> Message {
        Message {
            receiver: plan.receiver.clone(),
            group_key: flush.group_key.clone(),
            group_labels: flush.group_labels.clone(),
            alerts: plan.alerts.clone(),
            external_url: external_url.trim_end_matches('/').to_string(),
        }
    }

    /// Alertmanager's template data for the given alerts of this message.
    pub(crate) fn data(&self, alerts: &[Alert]) -> Data {
        let alerts = alerts.iter().map(template_alert).collect();
        Data::new(&self.receiver, Kv(self.group_labels.clone()), alerts, &self.external_url)
    }

    /// True when every alert is resolved (Alertmanager's `Alerts.Status() == resolved`).
    pub(crate) fn all_resolved(&self) -> bool {
        self.alerts.iter().all(|a| a.ends_at.is_some())
    }
}

fn template_alert(alert: &Alert) -> am::Alert {
    let status = if alert.ends_at.is_some() { AlertStatus::Resolved } else { AlertStatus::Firing };
    let made = am::Alert::new(
        status,
        Kv(alert.labels.clone()),
        Kv(alert.annotations.clone()),
        Time::from_unix_millis(alert.starts_at),
        alert.generator_url.clone(),
    );
    match alert.ends_at {
        Some(end) => made.ended_at(Time::from_unix_millis(end)),
        None => made,
    }
}

/// Go's `time.RFC3339Nano`, how `encoding/json` writes a `time.Time`.
pub(crate) fn rfc3339_nano(t: Time) -> String {
    t.format("2006-01-02T15:04:05.999999999Z07:00")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_as_go_json() {
        assert_eq!(rfc3339_nano(Time::ZERO), "0001-01-01T00:00:00Z");
        assert_eq!(rfc3339_nano(Time::from_unix_millis(1_677_664_800_000)), "2023-03-01T10:00:00Z");
        assert_eq!(rfc3339_nano(Time::from_unix_millis(1_677_664_800_120)), "2023-03-01T10:00:00.12Z");
    }
}
