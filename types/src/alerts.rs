//! Lookout's own alert API (`/api/lookout/alerts`, `/api/lookout/notifications`): what
//! Alertmanager's API has, plus acknowledgements, each alert's timeline and every delivery
//! attempt.

use serde::{Deserialize, Serialize};

use crate::prometheus::Metric;

/// `GET /api/lookout/alerts`: one alert as the notifier holds it. Times are Unix milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertView {
    pub fingerprint: String,
    pub labels: Metric,
    pub annotations: Metric,
    pub state: AlertState,
    pub starts_at: i64,
    /// When it resolved, or when it will unless its source sends it again.
    pub ends_at: Option<i64>,
    pub generator_url: String,
    pub receivers: Vec<String>,
    pub silenced_by: Vec<String>,
    pub inhibited_by: Vec<String>,
    pub acknowledged: Option<Acknowledgement>,
    pub history: Vec<TimelineEvent>,
}

/// Where an alert stands in Lookout's notifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    Firing,
    /// Silenced or inhibited: held, not notified.
    Suppressed,
    Resolved,
}

/// What happened to an alert, as its timeline lists it. The words are the stored ones: the
/// notifier's snapshots and journal hold them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TimelineKind {
    /// It began firing (again).
    #[serde(rename = "firing")]
    Firing,
    /// Its source said it stopped, or stopped sending it.
    #[serde(rename = "resolved")]
    Resolved,
    /// Someone resolved it from the UI or the API.
    #[serde(rename = "resolved by hand")]
    ResolvedByHand,
    #[serde(rename = "acknowledged")]
    Acknowledged,
    #[serde(rename = "unacknowledged")]
    Unacknowledged,
    /// A notification carrying it was delivered.
    #[serde(rename = "notified")]
    Notified,
    /// A notification carrying it failed for good.
    #[serde(rename = "notification_failed")]
    NotificationFailed,
}

/// How one delivery try ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryOutcome {
    Success,
    /// Failed, and will be tried again.
    Retrying,
    /// Failed for good (or its retries ran out).
    Failed,
}

impl AlertState {
    /// The word on the wire, for pages that show it.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Firing => "firing",
            AlertState::Suppressed => "suppressed",
            AlertState::Resolved => "resolved",
        }
    }
}

impl TimelineKind {
    /// The word on the wire and on disk, for pages that show it.
    pub fn as_str(self) -> &'static str {
        match self {
            TimelineKind::Firing => "firing",
            TimelineKind::Resolved => "resolved",
            TimelineKind::ResolvedByHand => "resolved by hand",
            TimelineKind::Acknowledged => "acknowledged",
            TimelineKind::Unacknowledged => "unacknowledged",
            TimelineKind::Notified => "notified",
            TimelineKind::NotificationFailed => "notification_failed",
        }
    }
}

impl DeliveryOutcome {
    /// The word on the wire, for pages that show it.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryOutcome::Success => "success",
            DeliveryOutcome::Retrying => "retrying",
            DeliveryOutcome::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Acknowledgement {
    pub by: String,
    pub at: i64,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub at: i64,
    pub kind: TimelineKind,
    pub detail: String,
}

/// The body of `POST /api/lookout/alerts/{fingerprint}/ack` (and `/unack`, `/resolve`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertAction {
    #[serde(default)]
    pub comment: String,
    /// Who acts, when sign-in is off (`anonymous` if nothing); with it on, the signed-in user.
    #[serde(default)]
    pub by: Option<String>,
}

/// `GET /api/lookout/notifications`: one try to deliver one notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationAttempt {
    pub at: i64,
    pub receiver: String,
    /// `email`, `slack`, `pagerduty` or `webhook`.
    pub integration: String,
    pub group_key: String,
    /// Fingerprints of the alerts it carried.
    pub alerts: Vec<String>,
    pub outcome: DeliveryOutcome,
    pub http_status: Option<u16>,
    pub smtp_reply: Option<String>,
    pub error: Option<String>,
    pub attempt: u32,
    pub escalation: bool,
}

/// `GET /api/lookout/alerts/stats`: how alerting is going.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertStats {
    /// Alerts held now, by severity label (`""` when none) and state.
    pub by_severity: Vec<SeverityCount>,
    /// Finished deliveries per integration kind.
    pub integrations: Vec<IntegrationStats>,
    /// From firing to acknowledged, over every acknowledgement on record.
    pub mean_time_to_acknowledge_s: Option<f64>,
    /// From firing to resolved, over every resolution on record.
    pub mean_time_to_resolve_s: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SeverityCount {
    pub severity: String,
    pub firing: u64,
    pub acknowledged: u64,
    pub suppressed: u64,
    pub resolved: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IntegrationStats {
    pub integration: String,
    pub delivered: u64,
    pub failed: u64,
    /// `delivered / (delivered + failed)`.
    pub success_rate: f64,
}

/// `GET /api/lookout/demo/inbox`: a notification the demo's stand-in receivers got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxMessage {
    pub at: i64,
    /// `slack`, `pagerduty`, `webhook` or `email`.
    pub kind: String,
    /// The request body, or the whole mail as sent.
    pub body: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_accept_an_empty_body_and_attempts_keep_their_shape() {
        let action: AlertAction = serde_json::from_str("{}").unwrap();
        assert_eq!(action, AlertAction::default());
        let attempt = NotificationAttempt {
            at: 1,
            receiver: "team".into(),
            integration: "webhook".into(),
            group_key: "{}:{}".into(),
            alerts: vec!["271f101352bce682".into()],
            outcome: DeliveryOutcome::Success,
            http_status: Some(200),
            smtp_reply: None,
            error: None,
            attempt: 1,
            escalation: false,
        };
        assert_eq!(
            serde_json::to_string(&attempt).unwrap(),
            r#"{"at":1,"receiver":"team","integration":"webhook","group_key":"{}:{}","alerts":["271f101352bce682"],"outcome":"success","http_status":200,"smtp_reply":null,"error":null,"attempt":1,"escalation":false}"#
        );
    }

    /// The words are what snapshots and journals written before these enums hold.
    #[test]
    fn states_keep_their_words() {
        let words = |v: serde_json::Value| v.as_str().unwrap().to_string();
        let kinds = [
            (TimelineKind::Firing, "firing"),
            (TimelineKind::Resolved, "resolved"),
            (TimelineKind::ResolvedByHand, "resolved by hand"),
            (TimelineKind::Acknowledged, "acknowledged"),
            (TimelineKind::Unacknowledged, "unacknowledged"),
            (TimelineKind::Notified, "notified"),
            (TimelineKind::NotificationFailed, "notification_failed"),
        ];
        for (kind, word) in kinds {
            assert_eq!((words(serde_json::to_value(kind).unwrap()).as_str(), kind.as_str()), (word, word));
            assert_eq!(serde_json::from_value::<TimelineKind>(word.into()).unwrap(), kind);
        }
        for state in [AlertState::Firing, AlertState::Suppressed, AlertState::Resolved] {
            assert_eq!(words(serde_json::to_value(state).unwrap()), state.as_str());
        }
        for outcome in [DeliveryOutcome::Success, DeliveryOutcome::Retrying, DeliveryOutcome::Failed] {
            assert_eq!(words(serde_json::to_value(outcome).unwrap()), outcome.as_str());
        }
    }
}
