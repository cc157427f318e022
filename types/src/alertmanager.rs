//! Alertmanager API v2 wire types (`/api/v2/...`), which Prometheus, amtool and Lookout's own
//! rule engine speak.

use serde::{Deserialize, Serialize};

use crate::prometheus::Metric;

/// One alert of `POST /api/v2/alerts`, as Prometheus sends it. Times are RFC 3339; a missing or
/// zero time means "not set".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostableAlert {
    pub labels: Metric,
    #[serde(skip_serializing_if = "Metric::is_empty", default)]
    pub annotations: Metric,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub starts_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ends_at: Option<String>,
    #[serde(rename = "generatorURL", skip_serializing_if = "String::is_empty", default)]
    pub generator_url: String,
}

/// `GET /api/v2/alerts`: an alert with its receivers and status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GettableAlert {
    pub annotations: Metric,
    pub ends_at: String,
    pub fingerprint: String,
    pub receivers: Vec<ReceiverName>,
    pub starts_at: String,
    pub status: AlertStatus,
    pub updated_at: String,
    #[serde(rename = "generatorURL", skip_serializing_if = "String::is_empty", default)]
    pub generator_url: String,
    pub labels: Metric,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertStatus {
    pub inhibited_by: Vec<String>,
    pub silenced_by: Vec<String>,
    pub muted_by: Vec<String>,
    /// `unprocessed`, `active` or `suppressed`.
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceiverName {
    pub name: String,
}

/// `GET /api/v2/alerts/groups`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertGroup {
    pub alerts: Vec<GettableAlert>,
    pub labels: Metric,
    pub receiver: ReceiverName,
}

/// A silence's matcher; `isEqual` is true when missing, as the spec defaults it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SilenceMatcher {
    pub name: String,
    pub value: String,
    #[serde(default)]
    pub is_regex: bool,
    #[serde(default = "yes")]
    pub is_equal: bool,
}

fn yes() -> bool {
    true
}

/// `POST /api/v2/silences`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostableSilence {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub matchers: Vec<SilenceMatcher>,
    pub starts_at: String,
    pub ends_at: String,
    pub created_by: String,
    pub comment: String,
}

/// `GET /api/v2/silences` and `GET /api/v2/silence/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GettableSilence {
    pub id: String,
    pub status: SilenceStatus,
    pub updated_at: String,
    pub matchers: Vec<SilenceMatcher>,
    pub starts_at: String,
    pub ends_at: String,
    pub created_by: String,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SilenceStatus {
    /// `pending`, `active` or `expired`.
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SilenceCreated {
    #[serde(rename = "silenceID")]
    pub silence_id: String,
}

/// `GET /api/v2/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertmanagerStatus {
    pub cluster: ClusterStatus,
    pub version_info: VersionInfo,
    pub config: ConfigText,
    pub uptime: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterStatus {
    pub status: String,
    pub peers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionInfo {
    pub version: String,
    pub revision: String,
    pub branch: String,
    pub build_user: String,
    pub build_date: String,
    pub go_version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigText {
    pub original: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postable_alert_matches_what_prometheus_sends() {
        let alert = PostableAlert {
            labels: Metric::from([("alertname".into(), "HighErrorRate".into())]),
            annotations: Metric::from([("summary".into(), "High error rate".into())]),
            starts_at: Some("2023-03-01T10:00:00.000Z".into()),
            ends_at: Some("2023-03-01T10:04:00.000Z".into()),
            generator_url: "http://lookout:3000/graph?g0.expr=up&g0.tab=1".into(),
        };
        let json = serde_json::to_string(&alert).unwrap();
        assert_eq!(
            json,
            r#"{"labels":{"alertname":"HighErrorRate"},"annotations":{"summary":"High error rate"},"startsAt":"2023-03-01T10:00:00.000Z","endsAt":"2023-03-01T10:04:00.000Z","generatorURL":"http://lookout:3000/graph?g0.expr=up&g0.tab=1"}"#
        );
        let bare: PostableAlert = serde_json::from_str(r#"{"labels":{"a":"b"}}"#).unwrap();
        assert_eq!((bare.starts_at, bare.annotations.len(), bare.generator_url), (None, 0, String::new()));
    }

    #[test]
    fn silences_and_alerts_match_alertmanagers_json() {
        let posted: PostableSilence = serde_json::from_str(
            r#"{"matchers":[{"name":"alertname","value":"X"}],"startsAt":"2023-03-01T10:00:00.000Z","endsAt":"2023-03-01T11:00:00.000Z","createdBy":"me","comment":"c"}"#,
        )
        .unwrap();
        assert!(posted.matchers[0].is_equal && !posted.matchers[0].is_regex && posted.id.is_none());
        let alert = GettableAlert {
            annotations: Metric::new(),
            ends_at: "2023-03-01T10:05:00.000Z".into(),
            fingerprint: "271f101352bce682".into(),
            receivers: vec![ReceiverName { name: "team".into() }],
            starts_at: "2023-03-01T10:00:00.000Z".into(),
            status: AlertStatus { inhibited_by: vec![], silenced_by: vec![], muted_by: vec![], state: "active".into() },
            updated_at: "2023-03-01T10:00:00.000Z".into(),
            generator_url: String::new(),
            labels: Metric::from([("alertname".into(), "HighErrorRate".into())]),
        };
        assert_eq!(
            serde_json::to_string(&alert).unwrap(),
            r#"{"annotations":{},"endsAt":"2023-03-01T10:05:00.000Z","fingerprint":"271f101352bce682","receivers":[{"name":"team"}],"startsAt":"2023-03-01T10:00:00.000Z","status":{"inhibitedBy":[],"silencedBy":[],"mutedBy":[],"state":"active"},"updatedAt":"2023-03-01T10:00:00.000Z","labels":{"alertname":"HighErrorRate"}}"#
        );
    }
}
