//! Reading from the engine through its Prometheus HTTP API: queries come back as the engine's
//! own values (so dashboards, Explore and the live socket draw them as they draw local ones),
//! look-ups as their JSON `data`, and the engine's errors keep their type and text (a parse
//! error's position included).

use std::time::Duration;

use lookout_promql::QueryValue;
use lookout_tsdb::{Labels, Series};
use lookout_types::prometheus::{QueryData, Response, SamplePair, Status};
use serde::de::DeserializeOwned;

use super::Remote;
use crate::metrics::QueryError;

impl Remote {
    /// `GET {url}{path}?{params}`, the envelope's `data` or its error.
    pub async fn get<T: DeserializeOwned>(&self, path: &str, params: &[(String, String)]) -> Result<T, QueryError> {
        let url = reqwest::Url::parse_with_params(&format!("{}{path}", self.settings.url), params)
            .map_err(|e| QueryError::Unavailable(format!("the metrics backend's URL: {e}")))?;
        let mut request = self.client.get(url).timeout(self.settings.timeout);
        for (name, value) in &self.settings.headers {
            request = request.header(name, value);
        }
        let unreachable = |e: String| {
            QueryError::Unavailable(format!("the metrics backend {} cannot be reached: {e}", self.settings.url))
        };
        let response = request.send().await.map_err(|e| unreachable(e.without_url().to_string()))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| unreachable(e.without_url().to_string()))?;
        let envelope: Response<T> = serde_json::from_str(&text).map_err(|_| {
            let excerpt: String = text.chars().take(200).collect();
            unreachable(format!("it answered {status} with no Prometheus API answer: {}", excerpt.trim()))
        })?;
        match (envelope.status, envelope.data) {
            (Status::Success, Some(data)) => Ok(data),
            _ => {
                let message = envelope.error.unwrap_or_else(|| format!("the metrics backend answered {status}"));
                Err(match envelope.error_type.as_deref() {
                    Some("bad_data") => QueryError::BadData(message),
                    Some("execution") => QueryError::Execution(message),
                    Some("timeout") => QueryError::Timeout(message),
                    _ => QueryError::Unavailable(format!("the metrics backend {}: {message}", self.settings.url)),
                })
            }
        }
    }

    pub async fn query_instant(
        &self,
        query: &str,
        time: i64,
        timeout: Option<Duration>,
    ) -> Result<QueryValue, QueryError> {
        let mut params = vec![("query".to_string(), query.to_string()), ("time".to_string(), seconds(time))];
        params.extend(timeout_param(timeout));
        Ok(match self.get::<QueryData>("/api/v1/query", &params).await? {
            QueryData::Scalar(pair) => QueryValue::Scalar(value(&pair)),
            QueryData::String(pair) => QueryValue::String(pair.1),
            QueryData::Vector(samples) => QueryValue::Vector(
                samples.into_iter().map(|s| (Labels::from_pairs(s.metric), value(&s.value))).collect(),
            ),
            QueryData::Matrix(series) => QueryValue::Matrix(matrix(series)),
        })
    }

    pub async fn query_range(
        &self,
        query: &str,
        start: i64,
        end: i64,
        step: i64,
        timeout: Option<Duration>,
    ) -> Result<Vec<Series>, QueryError> {
        let mut params: Vec<(String, String)> =
            [("query", query.to_string()), ("start", seconds(start)), ("end", seconds(end)), ("step", seconds(step))]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
        params.extend(timeout_param(timeout));
        match self.get::<QueryData>("/api/v1/query_range", &params).await? {
            QueryData::Matrix(series) => Ok(matrix(series)),
            other => Err(QueryError::Execution(format!("the metrics backend answered a range query with {other:?}"))),
        }
    }
}

fn timeout_param(timeout: Option<Duration>) -> Option<(String, String)> {
    timeout.map(|t| ("timeout".to_string(), format!("{}s", t.as_secs_f64())))
}

fn seconds(ms: i64) -> String {
    format!("{:.3}", ms as f64 / 1000.0)
}

fn value(pair: &SamplePair) -> f64 {
    match pair.1.as_str() {
        "NaN" => f64::NAN,
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        text => text.parse().unwrap_or(f64::NAN),
    }
}

fn matrix(series: Vec<lookout_types::prometheus::RangeSeries>) -> Vec<Series> {
    series
        .into_iter()
        .map(|s| Series {
            labels: Labels::from_pairs(s.metric),
            samples: s.values.iter().map(|p| ((p.0 * 1000.0).round() as i64, value(p))).collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_values_as_the_api_writes_them() {
        assert_eq!(seconds(1_700_000_000_123), "1700000000.123");
        assert_eq!(seconds(-1), "-0.001");
        assert!(value(&SamplePair(0.0, "NaN".into())).is_nan());
        assert_eq!(value(&SamplePair(0.0, "+Inf".into())), f64::INFINITY);
        assert_eq!(value(&SamplePair(0.0, "-Inf".into())), f64::NEG_INFINITY);
        assert_eq!(value(&SamplePair(0.0, "0.25".into())), 0.25);
    }
}
