//! Loki's push API (`POST /loki/api/v1/push`): the JSON body and the snappy-compressed protobuf
//! `PushRequest` that Promtail, Grafana Alloy, Vector and Fluent Bit send. The protobuf structs
//! are written by hand from Loki's `logproto/push.proto`. Structured metadata is read and not
//! stored: Lookout reads fields from the line itself.

use lookout_logs::Entry;
use lookout_logs::ingest::{Limits, pushed_entry};
use lookout_tsdb::{Labels, MatchOp};
use prost::Message;
use serde::Deserialize;

use crate::metrics::parse_selector;

#[derive(Clone, PartialEq, Message)]
pub struct PushRequest {
    #[prost(message, repeated, tag = "1")]
    pub streams: Vec<StreamAdapter>,
}

#[derive(Clone, PartialEq, Message)]
pub struct StreamAdapter {
    /// The stream's labels written as a selector: `{job="x", host="y"}`.
    #[prost(string, tag = "1")]
    pub labels: String,
    #[prost(message, repeated, tag = "2")]
    pub entries: Vec<EntryAdapter>,
}

#[derive(Clone, PartialEq, Message)]
pub struct EntryAdapter {
    #[prost(message, optional, tag = "1")]
    pub timestamp: Option<Timestamp>,
    #[prost(string, tag = "2")]
    pub line: String,
}

/// `google.protobuf.Timestamp`.
#[derive(Clone, PartialEq, Message)]
pub struct Timestamp {
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

/// The JSON body: `{"streams":[{"stream":{…},"values":[["<ns>","<line>"(, {metadata})], …]}]}`.
#[derive(Deserialize)]
struct JsonPush {
    streams: Vec<JsonStream>,
}

#[derive(Deserialize)]
struct JsonStream {
    #[serde(default)]
    stream: std::collections::BTreeMap<String, String>,
    values: Vec<Vec<serde_json::Value>>,
}

/// Entries to store, and what was refused (Loki stores the valid entries of a request and
/// answers 400 naming the others).
#[derive(Debug, Default)]
pub struct Decoded {
    pub entries: Vec<Entry>,
    pub invalid: Vec<String>,
}

/// The largest push body accepted, compressed and uncompressed.
pub const MAX_BODY_BYTES: usize = 32 << 20;
pub const MAX_UNCOMPRESSED_BYTES: usize = 256 << 20;

/// Decodes a JSON push body.
pub fn decode_json(body: &[u8], limits: Limits) -> Result<Decoded, String> {
    let push: JsonPush = serde_json::from_slice(body).map_err(|e| format!("invalid JSON push body: {e}"))?;
    let mut decoded = Decoded::default();
    for stream in push.streams {
        let labels = match stream_labels(stream.stream.into_iter()) {
            Ok(labels) => labels,
            Err(err) => {
                decoded.invalid.push(err);
                continue;
            }
        };
        for value in stream.values {
            let (Some(ts), Some(line)) =
                (value.first().and_then(|v| v.as_str()), value.get(1).and_then(|v| v.as_str()))
            else {
                decoded.invalid.push(format!("stream {labels}: an entry must be [\"<unix ns>\", \"<line>\"]"));
                continue;
            };
            let Ok(ts) = ts.parse::<i64>() else {
                decoded.invalid.push(format!("stream {labels}: timestamp {ts:?} is not Unix nanoseconds"));
                continue;
            };
            push_entry(&mut decoded, &labels, ts, line.to_string(), limits);
        }
    }
    Ok(decoded)
}

/// Decodes a snappy-compressed protobuf push body.
pub fn decode_protobuf(body: &[u8], limits: Limits) -> Result<Decoded, String> {
    let len = snap::raw::decompress_len(body).map_err(|e| format!("snappy: {e}"))?;
    if len > MAX_UNCOMPRESSED_BYTES {
        return Err(format!("push body inflates to {len} bytes, over the limit of {MAX_UNCOMPRESSED_BYTES}"));
    }
    let raw = snap::raw::Decoder::new().decompress_vec(body).map_err(|e| format!("snappy: {e}"))?;
    let push = PushRequest::decode(raw.as_slice()).map_err(|e| format!("protobuf: {e}"))?;
    let mut decoded = Decoded::default();
    for stream in push.streams {
        let labels = match parse_selector(&stream.labels) {
            Ok(matchers) if matchers.iter().all(|m| matches!(m.op, MatchOp::Equal)) => {
                match stream_labels(matchers.into_iter().map(|m| (m.name, m.value))) {
                    Ok(labels) => labels,
                    Err(err) => {
                        decoded.invalid.push(err);
                        continue;
                    }
                }
            }
            _ => {
                decoded.invalid.push(format!("stream labels {:?} are not a label set like {{a=\"b\"}}", stream.labels));
                continue;
            }
        };
        for entry in stream.entries {
            let ts =
                entry.timestamp.map_or(0, |t| t.seconds.saturating_mul(1_000_000_000).saturating_add(t.nanos.into()));
            push_entry(&mut decoded, &labels, ts, entry.line, limits);
        }
    }
    Ok(decoded)
}

fn push_entry(decoded: &mut Decoded, labels: &Labels, ts: i64, line: String, limits: Limits) {
    match pushed_entry(labels, ts, line, limits) {
        Ok(entry) => decoded.entries.push(entry),
        Err(err) => decoded.invalid.push(format!("stream {labels}: {err}")),
    }
}

/// A stream's labels, checked as Loki checks them: at least one, valid names.
fn stream_labels(pairs: impl Iterator<Item = (String, String)>) -> Result<Labels, String> {
    let pairs: Vec<(String, String)> = pairs.collect();
    if let Some((name, _)) = pairs.iter().find(|(name, _)| !lookout_tsdb::is_valid_label_name(name)) {
        return Err(format!("invalid label name {name:?}"));
    }
    let labels = Labels::from_pairs(pairs);
    if labels.is_empty() {
        return Err("a stream needs at least one label".into());
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_push_keeps_good_entries_and_names_bad_ones() {
        let body = r#"{"streams":[
            {"stream":{"job":"promtail","host":"a"},"values":[
                ["1735074309000000000","{\"service\":\"payment-service\",\"level\":\"ERROR\",\"message\":\"boom\"}"],
                ["yesterday","x"],
                ["1735074310000000000","plain line",{"trace_id":"abc"}]]},
            {"stream":{},"values":[["1","y"]]}]}"#;
        let decoded = decode_json(body.as_bytes(), Limits::default()).unwrap();
        assert_eq!(decoded.entries.len(), 2);
        assert_eq!(decoded.entries[0].stream.get("service"), Some("payment-service"));
        assert_eq!(decoded.entries[0].stream.get("job"), Some("promtail"));
        assert_eq!(decoded.entries[1].ts, 1_735_074_310_000_000_000);
        assert_eq!(decoded.invalid.len(), 2, "{:?}", decoded.invalid);
        assert!(decoded.invalid[0].contains("yesterday"));
        assert!(decoded.invalid[1].contains("at least one label"));
        assert!(decode_json(b"{", Limits::default()).unwrap_err().contains("invalid JSON"));
    }

    #[test]
    fn protobuf_push_round_trips() {
        let request = PushRequest {
            streams: vec![StreamAdapter {
                labels: r#"{job="alloy", service="api-gateway"}"#.into(),
                entries: vec![EntryAdapter {
                    timestamp: Some(Timestamp { seconds: 1_735_074_309, nanos: 5 }),
                    line: "GET /pay 200".into(),
                }],
            }],
        };
        let body = snap::raw::Encoder::new().compress_vec(&request.encode_to_vec()).unwrap();
        let decoded = decode_protobuf(&body, Limits::default()).unwrap();
        assert_eq!(decoded.entries.len(), 1);
        let entry = &decoded.entries[0];
        assert_eq!((entry.ts, entry.line.as_str()), (1_735_074_309_000_000_005, "GET /pay 200"));
        assert_eq!(entry.stream.get("service"), Some("api-gateway"));
        assert!(decode_protobuf(b"garbage", Limits::default()).is_err());
    }
}
