//! Prometheus remote_write 1.0: a snappy-compressed (block format) protobuf `WriteRequest`.
//! The message structs are written by hand from `prompb/remote.proto` and `types.proto`; fields
//! Lookout does not store (exemplars, native histograms) are skipped by the decoder.

use lookout_tsdb::Labels;
use prost::Message;

use crate::metrics::FamilyMetadata;

/// The largest request accepted, compressed and uncompressed.
pub const MAX_COMPRESSED_BYTES: usize = 32 << 20;
pub const MAX_UNCOMPRESSED_BYTES: usize = 256 << 20;

#[derive(Clone, PartialEq, Message)]
pub struct WriteRequest {
    #[prost(message, repeated, tag = "1")]
    pub timeseries: Vec<TimeSeries>,
    #[prost(message, repeated, tag = "3")]
    pub metadata: Vec<MetricMetadata>,
}

#[derive(Clone, PartialEq, Message)]
pub struct TimeSeries {
    #[prost(message, repeated, tag = "1")]
    pub labels: Vec<Label>,
    #[prost(message, repeated, tag = "2")]
    pub samples: Vec<Sample>,
}

#[derive(Clone, PartialEq, Message)]
pub struct Label {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "2")]
    pub value: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct Sample {
    #[prost(double, tag = "1")]
    pub value: f64,
    #[prost(int64, tag = "2")]
    pub timestamp: i64,
}

#[derive(Clone, PartialEq, Message)]
pub struct MetricMetadata {
    #[prost(int32, tag = "1")]
    pub r#type: i32,
    #[prost(string, tag = "2")]
    pub metric_family_name: String,
    #[prost(string, tag = "4")]
    pub help: String,
    #[prost(string, tag = "5")]
    pub unit: String,
}

/// Why a request cannot be read at all (as opposed to single refused samples).
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("request body is larger than the limit of {limit} bytes")]
    TooLarge { limit: usize },
    #[error("snappy decompression failed: {0}")]
    Snappy(String),
    #[error("protobuf decoding failed: {0}")]
    Protobuf(String),
}

/// A decoded request: the samples to store, the series refused before storage, the metadata.
#[derive(Debug, Default)]
pub struct Decoded {
    pub samples: Vec<(Labels, i64, f64)>,
    pub invalid: Vec<String>,
    pub metadata: Vec<(String, FamilyMetadata)>,
}

pub fn decode(body: &[u8]) -> Result<Decoded, DecodeError> {
    if body.len() > MAX_COMPRESSED_BYTES {
        return Err(DecodeError::TooLarge { limit: MAX_COMPRESSED_BYTES });
    }
    let len = snap::raw::decompress_len(body).map_err(|e| DecodeError::Snappy(e.to_string()))?;
    if len > MAX_UNCOMPRESSED_BYTES {
        return Err(DecodeError::TooLarge { limit: MAX_UNCOMPRESSED_BYTES });
    }
    // Decompress into a buffer kept per thread: a fresh multi-hundred-kilobyte allocation per
    // request costs more in page faults than the decoding itself.
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let request = BUFFER.with(|buffer| {
        let mut raw = buffer.borrow_mut();
        if raw.len() < len {
            raw.resize(len, 0);
        }
        let n = snap::raw::Decoder::new()
            .decompress(body, &mut raw[..len])
            .map_err(|e| DecodeError::Snappy(e.to_string()))?;
        WriteRequest::decode(&raw[..n]).map_err(|e| DecodeError::Protobuf(e.to_string()))
    })?;
    let mut decoded = Decoded::default();
    for series in request.timeseries {
        match validate_labels(series.labels) {
            Ok(labels) => match series.samples.as_slice() {
                // The common case, one sample a series: the labels move instead of being copied.
                [only] => decoded.samples.push((labels, only.timestamp, only.value)),
                samples => decoded.samples.extend(samples.iter().map(|s| (labels.clone(), s.timestamp, s.value))),
            },
            Err(why) => decoded.invalid.push(why),
        }
    }
    for m in request.metadata {
        let kind = match m.r#type {
            1 => "counter",
            2 => "gauge",
            3 => "histogram",
            4 => "gaugehistogram",
            5 => "summary",
            6 => "info",
            7 => "stateset",
            _ => "unknown",
        };
        decoded.metadata.push((m.metric_family_name, FamilyMetadata { kind: kind.into(), help: m.help, unit: m.unit }));
    }
    Ok(decoded)
}

/// More labels than this on one series is refused before any per-label work.
const MAX_LABELS: usize = 256;

/// Checks a series' labels as Prometheus does: valid names, no duplicates, a metric name.
fn validate_labels(labels: Vec<Label>) -> Result<Labels, String> {
    let shown = |labels: &[Label]| {
        let pairs: Vec<String> = labels.iter().take(8).map(|l| format!("{}={:?}", l.name, l.value)).collect();
        format!("{{{}{}}}", pairs.join(", "), if labels.len() > 8 { ", …" } else { "" })
    };
    if labels.len() > MAX_LABELS {
        return Err(format!("series with {} labels, more than {MAX_LABELS}: {}", labels.len(), shown(&labels)));
    }
    if let Some(bad) = labels.iter().find(|l| !lookout_tsdb::is_valid_label_name(&l.name)) {
        return Err(format!("invalid label name {:?} in series {}", bad.name, shown(&labels)));
    }
    let count = labels.len();
    let empty = labels.iter().filter(|l| l.value.is_empty()).count();
    let result = Labels::from_pairs(labels.into_iter().map(|l| (l.name, l.value)));
    // Building the set sorts and merges names: fewer labels than given (beyond the empty
    // values it drops) means a name came twice. Messages are only formatted on this cold path.
    if result.len() + empty < count {
        return Err(format!("duplicate label names in series {result} (the last value of each is shown)"));
    }
    if result.metric_name().is_none() {
        return Err(format!("series without a metric name: {result}"));
    }
    Ok(result)
}

/// Encodes samples as a remote_write request body (the demo and the tests send this).
pub fn encode(series: &[(Labels, Vec<(i64, f64)>)], metadata: &[(String, FamilyMetadata)]) -> Vec<u8> {
    let request = WriteRequest {
        timeseries: series
            .iter()
            .map(|(labels, samples)| TimeSeries {
                labels: labels.iter().map(|l| Label { name: l.name.clone(), value: l.value.clone() }).collect(),
                samples: samples.iter().map(|&(timestamp, value)| Sample { value, timestamp }).collect(),
            })
            .collect(),
        metadata: metadata
            .iter()
            .map(|(name, m)| MetricMetadata {
                r#type: match m.kind.as_str() {
                    "counter" => 1,
                    "gauge" => 2,
                    "histogram" => 3,
                    "gaugehistogram" => 4,
                    "summary" => 5,
                    "info" => 6,
                    "stateset" => 7,
                    _ => 0,
                },
                metric_family_name: name.clone(),
                help: m.help.clone(),
                unit: m.unit.clone(),
            })
            .collect(),
    };
    snap::raw::Encoder::new().compress_vec(&request.encode_to_vec()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_reports_bad_series() {
        let good = Labels::from_pairs([("__name__", "up"), ("job", "node")]);
        let body = encode(
            &[(good.clone(), vec![(1000, 1.0), (2000, 0.0)])],
            &[("up".into(), FamilyMetadata { kind: "gauge".into(), help: "Up.".into(), unit: String::new() })],
        );
        let decoded = decode(&body).unwrap();
        assert_eq!(decoded.samples, vec![(good.clone(), 1000, 1.0), (good, 2000, 0.0)]);
        assert_eq!(decoded.metadata[0].1.kind, "gauge");

        let bad = WriteRequest {
            timeseries: vec![TimeSeries {
                labels: vec![
                    Label { name: "__name__".into(), value: "x".into() },
                    Label { name: "bad-name".into(), value: "v".into() },
                ],
                samples: vec![Sample { value: 1.0, timestamp: 1 }],
            }],
            metadata: vec![],
        };
        let body = snap::raw::Encoder::new().compress_vec(&bad.encode_to_vec()).unwrap();
        let decoded = decode(&body).unwrap();
        assert!(decoded.samples.is_empty());
        assert!(decoded.invalid[0].contains(r#"invalid label name "bad-name""#), "{:?}", decoded.invalid);

        let twice = WriteRequest {
            timeseries: vec![TimeSeries {
                labels: vec![
                    Label { name: "__name__".into(), value: "x".into() },
                    Label { name: "a".into(), value: "1".into() },
                    Label { name: "a".into(), value: "2".into() },
                ],
                samples: vec![Sample { value: 1.0, timestamp: 1 }],
            }],
            metadata: vec![],
        };
        let body = snap::raw::Encoder::new().compress_vec(&twice.encode_to_vec()).unwrap();
        assert!(decode(&body).unwrap().invalid[0].contains("duplicate label names"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(matches!(decode(b"not snappy at all"), Err(DecodeError::Snappy(_))));
        let not_proto = snap::raw::Encoder::new().compress_vec(&[0xff; 64]).unwrap();
        assert!(matches!(decode(&not_proto), Err(DecodeError::Protobuf(_))));
    }
}
