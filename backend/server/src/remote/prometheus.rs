//! A Prometheus-compatible engine as the metrics store: batches become remote_write requests,
//! one per shard; queries come back through its HTTP API as the engine's own values (so
//! dashboards, Explore, the live socket and rules use them as they use local ones), look-ups as
//! their JSON `data`, and the engine's errors keep their type and text (a parse error's position
//! included).

use std::time::Duration;

use std::io;

use lookout_promql::QueryValue;
use lookout_tsdb::{Batch, Labels, Series};
use lookout_types::prometheus::{QueryData, Response, SamplePair, Status};
use serde::de::DeserializeOwned;

use super::engine::{Engine, shard_of};
use crate::metrics::QueryError;

/// Cheap to clone.
#[derive(Clone)]
pub struct Prometheus {
    pub engine: Engine,
}

impl Prometheus {
    /// Queues `batch` for the engine, split by series across the shards, and returns once it is
    /// on disk. Blocking: call it off the async workers.
    pub fn forward(&self, batch: &Batch) -> io::Result<()> {
        self.engine.push(|shards| encode_shards(batch, shards))
    }

    /// `GET {url}{path}?{params}`, the envelope's `data` or its error.
    pub async fn get<T: DeserializeOwned>(&self, path: &str, params: &[(String, String)]) -> Result<T, QueryError> {
        let base = &self.engine.settings.url;
        let answer = self.engine.fetch(path, params).await.map_err(QueryError::Unavailable)?;
        let status = reqwest::StatusCode::from_u16(answer.status).map_or(answer.status.to_string(), |s| s.to_string());
        let text = String::from_utf8_lossy(&answer.body);
        let envelope: Response<T> = serde_json::from_str(&text).map_err(|_| {
            let excerpt: String = text.chars().take(200).collect();
            QueryError::Unavailable(format!(
                "the metrics backend {base} cannot be reached: it answered {status} with no Prometheus API answer: {}",
                excerpt.trim()
            ))
        })?;
        match (envelope.status, envelope.data) {
            (Status::Success, Some(data)) => Ok(data),
            _ => {
                let message = envelope.error.unwrap_or_else(|| format!("the metrics backend answered {status}"));
                Err(match envelope.error_type.as_deref() {
                    Some("bad_data") => QueryError::BadData(message),
                    Some("execution") => QueryError::Execution(message),
                    Some("timeout") => QueryError::Timeout(message),
                    _ => QueryError::Unavailable(format!("the metrics backend {base}: {message}")),
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

/// `batch` as one uncompressed `WriteRequest` per shard, a series always in the same shard (so
/// its samples reach the engine in order), with the number of samples in each. The protobuf is
/// written straight from the batch's canonical label bytes: forwarding is on the ingest path,
/// and building `Labels` and prost messages first cost an allocation per label.
fn encode_shards(batch: &Batch, shards: usize) -> Vec<(Vec<u8>, u32)> {
    let samples = batch.samples();
    // Sample positions grouped by series, each series' samples in the order given.
    let mut order: Vec<usize> = (0..samples.len()).collect();
    order.sort_by_key(|&i| samples[i].0);
    let mut out = vec![(Vec::new(), 0u32); shards];
    let (mut series, mut sample) = (Vec::new(), Vec::with_capacity(20));
    for group in order.chunk_by(|a, b| samples[*a].0 == samples[*b].0) {
        let key = batch.key(samples[group[0]].0);
        series.clear();
        if !write_labels(&mut series, key) {
            continue;
        }
        for &i in group {
            let (_, t, v) = samples[i];
            sample.clear();
            sample.push(0x09); // field 1, 64-bit: the value
            sample.extend_from_slice(&v.to_le_bytes());
            sample.push(0x10); // field 2, varint: the timestamp
            lookout_wal::bytes::put_varint(&mut sample, t as u64);
            field(&mut series, 2, &sample);
        }
        let (body, count) = &mut out[shard_of(key, shards)];
        field(body, 1, &series);
        *count += group.len() as u32;
    }
    out
}

/// Appends the `Label` messages of a canonical key (`name 0xFF value 0xFF …`); false, and
/// nothing worth sending, if a piece is not UTF-8 (the local store refuses such series too).
fn write_labels(out: &mut Vec<u8>, key: &[u8]) -> bool {
    let mut pieces = key.split(|b| *b == lookout_tsdb::CANONICAL_SEPARATOR);
    let mut label = Vec::new();
    while let (Some(name), Some(value)) = (pieces.next(), pieces.next()) {
        if std::str::from_utf8(name).is_err() || std::str::from_utf8(value).is_err() {
            return false;
        }
        label.clear();
        field(&mut label, 1, name);
        field(&mut label, 2, value);
        field(out, 1, &label);
    }
    true
}

/// A length-delimited protobuf field: tag, length, bytes.
fn field(out: &mut Vec<u8>, number: u8, bytes: &[u8]) {
    out.push(number << 3 | 2);
    lookout_wal::bytes::put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
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
    use crate::ingest::remote_write::WriteRequest;

    #[test]
    fn a_series_stays_in_one_shard_and_shards_concatenate_into_one_request() {
        use prost::Message as _;
        let a = Labels::from_pairs([("__name__", "a"), ("job", "x")]);
        let b = Labels::from_pairs([("__name__", "b"), ("job", "y")]);
        let batch = Batch::from_samples(&[(a.clone(), 1, 1.0), (b.clone(), 1, 2.0), (a.clone(), 2, 3.0)]);
        let shards = encode_shards(&batch, 4);
        assert_eq!(shards.iter().map(|(_, n)| n).sum::<u32>(), 3);
        let joined: Vec<u8> = shards.iter().flat_map(|(body, _)| body.iter().copied()).collect();
        let request = WriteRequest::decode(joined.as_slice()).unwrap();
        let a_samples: Vec<i64> = request
            .timeseries
            .iter()
            .filter(|s| s.labels.iter().any(|l| l.value == "a"))
            .flat_map(|s| s.samples.iter().map(|x| x.timestamp))
            .collect();
        assert_eq!(a_samples, [1, 2], "a's samples in order");
        let b_series = request.timeseries.iter().find(|s| s.labels.iter().any(|l| l.value == "b")).unwrap();
        let labels: Vec<(&str, &str)> = b_series.labels.iter().map(|l| (l.name.as_str(), l.value.as_str())).collect();
        assert_eq!(labels, [("__name__", "b"), ("job", "y")]);
        assert_eq!((b_series.samples[0].timestamp, b_series.samples[0].value), (1, 2.0));
        let shards_with_a = shards
            .iter()
            .filter(|(body, _)| {
                WriteRequest::decode(body.as_slice())
                    .unwrap()
                    .timeseries
                    .iter()
                    .any(|s| s.labels.iter().any(|l| l.value == "a"))
            })
            .count();
        assert_eq!(shards_with_a, 1, "a series always goes to the same shard");
    }

    #[test]
    fn negative_times_and_special_values_survive_the_encoding() {
        use prost::Message as _;
        let c = Labels::from_pairs([("__name__", "c"), ("ünïcode", "✓")]);
        let batch = Batch::from_samples(&[(c.clone(), -5, f64::NAN), (c, i64::MIN / 2, f64::NEG_INFINITY)]);
        let (body, count) = encode_shards(&batch, 1).remove(0);
        assert_eq!(count, 2);
        let request = WriteRequest::decode(body.as_slice()).unwrap();
        let samples: Vec<(i64, f64)> =
            request.timeseries.iter().flat_map(|s| s.samples.iter().map(|x| (x.timestamp, x.value))).collect();
        assert_eq!(samples[0].0, -5);
        assert!(samples[0].1.is_nan());
        assert_eq!(samples[1], (i64::MIN / 2, f64::NEG_INFINITY));
        assert_eq!(request.timeseries[0].labels[1].value, "✓");
    }

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
