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
}
