//! The logs pillar through the real binary: Loki clients' protobuf pushes are stored, and a
//! live tail sees new lines within a second (`kill -9` during log ingest is in `crash`, with the
//! other pillars' writes).

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use lookout_e2e::{Lookout, http_get, http_post, url_encode};
use prost::Message;

/// 2024-12-24T21:00:00Z in nanoseconds.
const BASE_NS: i64 = 1_735_074_000_000_000_000;

#[tokio::test]
async fn loki_protobuf_push_is_stored_and_queryable() {
    use lookout_server::ingest::loki_push::{EntryAdapter, PushRequest, StreamAdapter, Timestamp};
    let lookout = Lookout::start(&["--no-demo"]).await;
    let request = PushRequest {
        streams: vec![StreamAdapter {
            labels: r#"{job="alloy", service="api-gateway"}"#.into(),
            entries: (0..5)
                .map(|i| EntryAdapter {
                    timestamp: Some(Timestamp { seconds: BASE_NS / 1_000_000_000 + i, nanos: 0 }),
                    line: format!(r#"{{"level":"WARNING","message":"slow upstream {i}","request_id":"req-{i}"}}"#),
                })
                .collect(),
        }],
    };
    let body = snap::raw::Encoder::new().compress_vec(&request.encode_to_vec()).unwrap();
    let headers = [("Content-Type", "application/x-protobuf")];
    let r = http_post(&format!("{}/loki/api/v1/push", lookout.url), &headers, &body).await.unwrap();
    assert_eq!(r.status, 204, "{}", r.body);
    let query = url_encode(r#"{service="api-gateway", level="WARNING"} | request_id="req-3""#);
    let range = format!("start={}&end={}", BASE_NS - 1, BASE_NS + 10_000_000_000);
    let r = http_get(&format!("{}/loki/api/v1/query_range?query={query}&{range}", lookout.url)).await.unwrap();
    let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let result = json["data"]["result"].as_array().unwrap();
    assert_eq!(result.len(), 1, "{}", r.body);
    assert_eq!(result[0]["stream"]["job"], "alloy");
    assert!(result[0]["values"][0][1].as_str().unwrap().contains("slow upstream 3"));
}

#[tokio::test]
async fn a_live_tail_sees_new_matching_lines_within_a_second() {
    let lookout = Lookout::start(&["--no-demo"]).await;
    let query = url_encode(r#"{service="payment-service"} |= "exhausted""#);
    let ws_url = format!("{}/loki/api/v1/tail?query={query}&limit=10", lookout.url.replacen("http://", "ws://", 1));
    let (mut socket, _) = tokio_tungstenite::connect_async(ws_url.as_str()).await.expect("tail connects");
    // Two lines, one matching; the tail must deliver the matching one only.
    let now_ns = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as i64;
    let body = format!(
        "{{\"timestamp\":{now_ns},\"level\":\"ERROR\",\"service\":\"payment-service\",\"message\":\"Connection pool exhausted!\"}}\n\
         {{\"timestamp\":{now_ns},\"level\":\"INFO\",\"service\":\"payment-service\",\"message\":\"fine\"}}\n"
    );
    let sent = Instant::now();
    let r = http_post(&format!("{}/api/v1/logs", lookout.url), &[], body.as_bytes()).await.unwrap();
    assert_eq!(r.status, 200);
    let message = tokio::time::timeout(Duration::from_secs(1), async {
        loop {
            match socket.next().await {
                Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text))) => {
                    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
                    if !json["streams"].as_array().unwrap().is_empty() {
                        return json;
                    }
                }
                Some(Ok(_)) => continue,
                other => panic!("the tail ended: {other:?}"),
            }
        }
    })
    .await
    .expect("the line reached the tail within a second");
    let latency = sent.elapsed();
    let values = message["streams"][0]["values"].as_array().unwrap();
    assert_eq!(values.len(), 1, "{message}");
    assert!(values[0][1].as_str().unwrap().contains("exhausted"));
    assert!(latency < Duration::from_secs(1));
}
