//! Prometheus remote_write 1.0: a snappy-compressed (block format) protobuf `WriteRequest`.
//! Requests are read straight from the wire format into a [`Batch`], so known series cost no
//! allocation; fields Lookout does not store (exemplars, native histograms) are skipped. The
//! message structs, written by hand from `prompb/remote.proto` and `types.proto`, encode (the
//! demo and tests send with them) and decode metadata.

use lookout_tsdb::{Batch, Labels};
use lookout_wal::bytes::Reader;
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
    pub samples: Batch,
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
    BUFFER.with(|buffer| {
        let mut raw = buffer.borrow_mut();
        if raw.len() < len {
            raw.resize(len, 0);
        }
        let n = snap::raw::Decoder::new()
            .decompress(body, &mut raw[..len])
            .map_err(|e| DecodeError::Snappy(e.to_string()))?;
        decode_request(&raw[..n]).map_err(|e| DecodeError::Protobuf(e.to_string()))
    })
}

/// Reads a `WriteRequest` without building its messages: label names and values go from the
/// request's bytes straight into the batch's series keys, so a series the store already knows
/// costs no allocation.
fn decode_request(bytes: &[u8]) -> Result<Decoded, String> {
    let mut decoded = Decoded::default();
    // Reused for every series, so they cost no allocation each.
    let mut labels: Vec<(&[u8], &[u8])> = Vec::new();
    let mut samples: Vec<(i64, f64)> = Vec::new();
    let mut request = Fields::new(bytes);
    while let Some((field, value)) = request.next()? {
        match (field, value) {
            (1, Value::Bytes(series)) => {
                labels.clear();
                samples.clear();
                let mut fields = Fields::new(series);
                while let Some((field, value)) = fields.next()? {
                    match (field, value) {
                        (1, Value::Bytes(label)) => labels.push(decode_label(label)?),
                        (2, Value::Bytes(sample)) => samples.push(decode_sample(sample)?),
                        _ => {}
                    }
                }
                match checked_labels(&mut labels) {
                    Ok(()) => {
                        let id = decoded.samples.add_series_pairs(labels.iter().copied());
                        for &(t, v) in &samples {
                            decoded.samples.add_sample(id, t, v);
                        }
                    }
                    Err(why) => decoded.invalid.push(why),
                }
            }
            (3, Value::Bytes(metadata)) => {
                let m = MetricMetadata::decode(metadata).map_err(|e| e.to_string())?;
                decoded.metadata.push((
                    m.metric_family_name,
                    FamilyMetadata { kind: kind_name(m.r#type).into(), help: m.help, unit: m.unit },
                ));
            }
            _ => {}
        }
    }
    Ok(decoded)
}

fn decode_label(bytes: &[u8]) -> Result<(&[u8], &[u8]), String> {
    let (mut name, mut value): (&[u8], &[u8]) = (b"", b"");
    let mut fields = Fields::new(bytes);
    while let Some((field, v)) = fields.next()? {
        match (field, v) {
            (1, Value::Bytes(b)) => name = b,
            (2, Value::Bytes(b)) => value = b,
            _ => {}
        }
    }
    Ok((name, value))
}

fn decode_sample(bytes: &[u8]) -> Result<(i64, f64), String> {
    let (mut t, mut v) = (0i64, 0f64);
    let mut fields = Fields::new(bytes);
    while let Some((field, value)) = fields.next()? {
        match (field, value) {
            (1, Value::Fixed64(bits)) => v = f64::from_bits(bits),
            (2, Value::Varint(n)) => t = n as i64,
            _ => {}
        }
    }
    Ok((t, v))
}

fn kind_name(kind: i32) -> &'static str {
    match kind {
        1 => "counter",
        2 => "gauge",
        3 => "histogram",
        4 => "gaugehistogram",
        5 => "summary",
        6 => "info",
        7 => "stateset",
        _ => "unknown",
    }
}

/// A protobuf field's value, by wire type.
enum Value<'a> {
    Varint(u64),
    Fixed64(u64),
    Bytes(&'a [u8]),
    Fixed32,
}

/// The fields of one protobuf message, in wire order, read with the stores' own bounds-checked
/// reader.
struct Fields<'a> {
    reader: Reader<'a>,
}

impl<'a> Fields<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Fields { reader: Reader::new(bytes, 0) }
    }

    fn varint(&mut self) -> Result<u64, String> {
        self.reader.varint().ok_or_else(|| "truncated varint, or one longer than ten bytes".into())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        self.reader.take(n).ok_or_else(|| "truncated field".into())
    }

    fn next(&mut self) -> Result<Option<(u64, Value<'a>)>, String> {
        if self.reader.at_end() {
            return Ok(None);
        }
        let key = self.varint()?;
        let value = match key & 7 {
            0 => Value::Varint(self.varint()?),
            1 => Value::Fixed64(u64::from_le_bytes(self.take(8)?.try_into().map_err(|_| "truncated field")?)),
            2 => {
                let len = usize::try_from(self.varint()?).map_err(|_| "field too long")?;
                Value::Bytes(self.take(len)?)
            }
            5 => {
                self.take(4)?;
                Value::Fixed32
            }
            other => return Err(format!("invalid wire type {other}")),
        };
        Ok(Some((key >> 3, value)))
    }
}

/// More labels than this on one series is refused before any per-label work.
const MAX_LABELS: usize = 256;

/// Checks a series' labels as Prometheus does (valid UTF-8 names and values, valid names, no
/// duplicates, a metric name) and leaves them sorted by name without empty values, as the
/// store's series keys are. Senders sort labels, so sorting is usually only a check.
fn checked_labels(labels: &mut Vec<(&[u8], &[u8])>) -> Result<(), String> {
    let shown = |labels: &[(&[u8], &[u8])]| {
        let pairs: Vec<String> = labels
            .iter()
            .take(8)
            .map(|(n, v)| {
                format!("{}={}", String::from_utf8_lossy(n), lookout_gotext::quote(&String::from_utf8_lossy(v)))
            })
            .collect();
        format!("{{{}{}}}", pairs.join(", "), if labels.len() > 8 { ", …" } else { "" })
    };
    if labels.len() > MAX_LABELS {
        return Err(format!("series with {} labels, more than {MAX_LABELS}: {}", labels.len(), shown(labels)));
    }
    for (name, value) in labels.iter() {
        let valid_name = std::str::from_utf8(name).is_ok_and(lookout_tsdb::is_valid_label_name);
        if !valid_name {
            return Err(format!("invalid label name {:?} in series {}", String::from_utf8_lossy(name), shown(labels)));
        }
        if std::str::from_utf8(value).is_err() {
            return Err(format!(
                "label {:?} has a value that is not UTF-8 in series {}",
                String::from_utf8_lossy(name),
                shown(labels)
            ));
        }
    }
    if !labels.windows(2).all(|w| w[0].0 < w[1].0) {
        labels.sort_by(|a, b| a.0.cmp(b.0));
        if labels.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(format!("duplicate label names in series {}", shown(labels)));
        }
    }
    labels.retain(|(_, value)| !value.is_empty());
    if !labels.iter().any(|(name, _)| *name == lookout_tsdb::METRIC_NAME.as_bytes()) {
        return Err(format!("series without a metric name: {}", shown(labels)));
    }
    Ok(())
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
        let samples: Vec<_> =
            decoded.samples.samples().iter().map(|&(s, t, v)| (decoded.samples.labels(s).unwrap(), t, v)).collect();
        assert_eq!(samples, vec![(good.clone(), 1000, 1.0), (good, 2000, 0.0)]);
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
        assert_eq!(decoded.samples.series_count(), 0);
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

    /// Labels in any order, empty values, samples before labels and fields Lookout skips
    /// (exemplars, tag 3) all decode to the series the store keys by sorted labels.
    #[test]
    fn wire_order_and_skipped_fields_do_not_matter() {
        let message = |fields: &[(u8, &[u8])]| -> Vec<u8> {
            let mut out = Vec::new();
            for (tag, bytes) in fields {
                out.push(tag << 3 | 2);
                prost::encoding::encode_varint(bytes.len() as u64, &mut out);
                out.extend_from_slice(bytes);
            }
            out
        };
        let label = |name: &str, value: &str| message(&[(1, name.as_bytes()), (2, value.as_bytes())]);
        let sample = Sample { value: 2.5, timestamp: 7000 }.encode_to_vec();
        let series = message(&[
            (2, &sample),
            (1, &label("zone", "eu")),
            (3, b"exemplar bytes, skipped"),
            (1, &label("__name__", "temperature")),
            (1, &label("empty", "")),
        ]);
        let body = snap::raw::Encoder::new().compress_vec(&message(&[(1, &series)])).unwrap();
        let decoded = decode(&body).unwrap();
        assert!(decoded.invalid.is_empty(), "{:?}", decoded.invalid);
        let expected = Labels::from_pairs([("__name__", "temperature"), ("zone", "eu")]);
        assert_eq!(decoded.samples.samples(), &[(0, 7000, 2.5)]);
        assert_eq!(decoded.samples.labels(0), Some(expected));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(matches!(decode(b"not snappy at all"), Err(DecodeError::Snappy(_))));
        let not_proto = snap::raw::Encoder::new().compress_vec(&[0xff; 64]).unwrap();
        assert!(matches!(decode(&not_proto), Err(DecodeError::Protobuf(_))));
    }
}
