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
}
