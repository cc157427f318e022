//! The JSON of Prometheus's HTTP API (`/api/v1/...`), as Grafana, promtool and the Explore page
//! read it: an envelope with `status`, and `data` or `errorType` + `error`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A label set as a JSON object.
pub type Metric = BTreeMap<String, String>;

/// The envelope of every response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response<T> {
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none", default = "none")]
    pub data: Option<T>,
    #[serde(rename = "errorType", skip_serializing_if = "Option::is_none", default)]
    pub error_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub warnings: Vec<String>,
}

fn none<T>() -> Option<T> {
    None
}

impl<T> Response<T> {
    pub fn success(data: T) -> Self {
        Response { status: Status::Success, data: Some(data), error_type: None, error: None, warnings: Vec::new() }
    }

    pub fn error(error_type: &str, error: String) -> Self {
        Response {
            status: Status::Error,
            data: None,
            error_type: Some(error_type.into()),
            error: Some(error),
            warnings: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Success,
    Error,
}

/// `[unix seconds, "value"]`: values travel as strings so NaN and ±Inf survive JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamplePair(pub f64, pub String);

impl SamplePair {
    /// The value as a number (`"NaN"`, `"+Inf"` and `"-Inf"` included).
    pub fn value(&self) -> f64 {
        match self.1.as_str() {
            "+Inf" | "Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            other => other.parse().unwrap_or(f64::NAN),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstantSample {
    pub metric: Metric,
    pub value: SamplePair,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RangeSeries {
    pub metric: Metric,
    pub values: Vec<SamplePair>,
}

/// `data` of `/api/v1/query` and `/api/v1/query_range`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
pub enum QueryData {
    Matrix(Vec<RangeSeries>),
    Vector(Vec<InstantSample>),
    Scalar(SamplePair),
    String(SamplePair),
}

/// One entry of `/api/v1/metadata`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricMetadata {
    #[serde(rename = "type")]
    pub kind: String,
    pub help: String,
    pub unit: String,
}

/// `data` of `/api/v1/status/buildinfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildInfo {
    pub version: String,
    pub revision: String,
    pub branch: String,
    pub build_user: String,
    pub build_date: String,
    pub go_version: String,
}

/// `data` of `/api/v1/targets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetsData {
    pub active_targets: Vec<ActiveTarget>,
    pub dropped_targets: Vec<DroppedTarget>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveTarget {
    pub discovered_labels: Metric,
    pub labels: Metric,
    pub scrape_pool: String,
    pub scrape_url: String,
    pub global_url: String,
    pub last_error: String,
    /// RFC 3339; the zero time when never scraped.
    pub last_scrape: String,
    pub last_scrape_duration: f64,
    /// `up`, `down` or `unknown`.
    pub health: String,
    pub scrape_interval: String,
    pub scrape_timeout: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DroppedTarget {
    pub discovered_labels: Metric,
}

/// `data` of `/api/v1/rules`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulesData {
    pub groups: Vec<RuleGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleGroup {
    pub name: String,
    pub file: String,
    pub rules: Vec<Rule>,
    /// Seconds.
    pub interval: f64,
    pub limit: usize,
    /// Seconds the last evaluation of the whole group took.
    pub evaluation_time: f64,
    /// RFC 3339 with nanoseconds; the zero time before the first evaluation.
    pub last_evaluation: String,
    /// Lookout's extension: `logs` for groups of LogQL rules; absent for PromQL groups.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source: Option<String>,
}

/// An alerting or a recording rule, told apart by `type` as Prometheus does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Rule {
    Alerting(AlertingRule),
    Recording(RecordingRule),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertingRule {
    /// `inactive`, `pending` or `firing`: the most advanced state of its alerts.
    pub state: String,
    pub name: String,
    pub query: String,
    /// `for`, in seconds.
    pub duration: f64,
    pub keep_firing_for: f64,
    pub labels: Metric,
    pub annotations: Metric,
    pub alerts: Vec<Alert>,
    /// `ok`, `err` or `unknown`.
    pub health: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_error: Option<String>,
    pub evaluation_time: f64,
    pub last_evaluation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordingRule {
    pub name: String,
    pub query: String,
    #[serde(skip_serializing_if = "Metric::is_empty", default)]
    pub labels: Metric,
    pub health: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_error: Option<String>,
    pub evaluation_time: f64,
    pub last_evaluation: String,
}

/// A pending or firing alert, as `/api/v1/alerts` and `/api/v1/rules` show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub labels: Metric,
    pub annotations: Metric,
    pub state: String,
    /// RFC 3339 with nanoseconds.
    pub active_at: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub keep_firing_since: Option<String>,
    /// The value as Go's `%e`-style `FormatFloat(v, 'e', -1, 64)`: `"4.2e+00"`.
    pub value: String,
}

/// `data` of `/api/v1/alerts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertsData {
    pub alerts: Vec<Alert>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_data_matches_prometheus_json() {
        let data = QueryData::Vector(vec![InstantSample {
            metric: Metric::from([("__name__".into(), "up".into()), ("job".into(), "node".into())]),
            value: SamplePair(1435781451.781, "1".into()),
        }]);
        let json = serde_json::to_string(&Response::success(data.clone())).unwrap();
        assert_eq!(
            json,
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"node"},"value":[1435781451.781,"1"]}]}}"#
        );
        let back: Response<QueryData> = serde_json::from_str(&json).unwrap();
        assert_eq!(back.data, Some(data));
        let scalar = serde_json::to_string(&QueryData::Scalar(SamplePair(1.5, "+Inf".into()))).unwrap();
        assert_eq!(scalar, r#"{"resultType":"scalar","result":[1.5,"+Inf"]}"#);
    }

    #[test]
    fn errors_match_prometheus_json() {
        let json = serde_json::to_string(&Response::<()>::error("bad_data", "1:5: parse error: x".into())).unwrap();
        assert_eq!(json, r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: x"}"#);
    }

    #[test]
    fn rules_match_prometheus_json() {
        let alert = Alert {
            labels: Metric::from([("alertname".into(), "HighErrorRate".into())]),
            annotations: Metric::new(),
            state: "firing".into(),
            active_at: "2023-03-01T09:49:00Z".into(),
            keep_firing_since: None,
            value: "4.2e+00".into(),
        };
        let group = RuleGroup {
            name: "example".into(),
            file: "rules.yml".into(),
            rules: vec![
                Rule::Alerting(AlertingRule {
                    state: "firing".into(),
                    name: "HighErrorRate".into(),
                    query: "rate(errors[5m]) > 1".into(),
                    duration: 600.0,
                    keep_firing_for: 0.0,
                    labels: Metric::new(),
                    annotations: Metric::new(),
                    alerts: vec![alert],
                    health: "ok".into(),
                    last_error: None,
                    evaluation_time: 0.0004,
                    last_evaluation: "2023-03-01T10:00:00.0101Z".into(),
                }),
                Rule::Recording(RecordingRule {
                    name: "job:errors:rate5m".into(),
                    query: "sum by (job) (rate(errors[5m]))".into(),
                    labels: Metric::new(),
                    health: "err".into(),
                    last_error: Some("boom".into()),
                    evaluation_time: 0.0,
                    last_evaluation: "0001-01-01T00:00:00Z".into(),
                }),
            ],
            interval: 60.0,
            limit: 0,
            evaluation_time: 0.0009,
            last_evaluation: "2023-03-01T10:00:00.012345678Z".into(),
            source: None,
        };
        let json = serde_json::to_string(&RulesData { groups: vec![group.clone()] }).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"groups":[{"name":"example","file":"rules.yml","rules":["#,
                r#"{"type":"alerting","state":"firing","name":"HighErrorRate","query":"rate(errors[5m]) > 1","duration":600.0,"keepFiringFor":0.0,"labels":{},"annotations":{},"#,
                r#""alerts":[{"labels":{"alertname":"HighErrorRate"},"annotations":{},"state":"firing","activeAt":"2023-03-01T09:49:00Z","value":"4.2e+00"}],"#,
                r#""health":"ok","evaluationTime":0.0004,"lastEvaluation":"2023-03-01T10:00:00.0101Z"},"#,
                r#"{"type":"recording","name":"job:errors:rate5m","query":"sum by (job) (rate(errors[5m]))","health":"err","lastError":"boom","evaluationTime":0.0,"lastEvaluation":"0001-01-01T00:00:00Z"}],"#,
                r#""interval":60.0,"limit":0,"evaluationTime":0.0009,"lastEvaluation":"2023-03-01T10:00:00.012345678Z"}]}"#
            )
        );
        let back: RulesData = serde_json::from_str(&json).unwrap();
        assert_eq!(back.groups, vec![group]);
    }
}
