//! Ingest endpoints: `POST /api/v1/write` (Prometheus remote_write 1.0), `POST /api/v1/logs`
//! (NDJSON log lines) and `POST /loki/api/v1/push` (Loki's push API, JSON or protobuf).

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use lookout_types::logs::{IngestResponse, RejectedLine};
use serde::Deserialize;

use crate::ingest::gzip::{self, InflateError};
use crate::ingest::loki_push;
use crate::ingest::remote_write::{self, DecodeError};
use crate::state::AppState;

/// The largest NDJSON body accepted, as sent and once inflated.
pub const MAX_LOG_BODY_BYTES: usize = 32 << 20;
const MAX_LOG_INFLATED_BYTES: usize = 256 << 20;

/// How many refusal reasons a 400 response lists before summarising.
const REASONS_SHOWN: usize = 5;

pub fn router() -> Router<AppState> {
    // Log bodies are read by `read_body`, which says its own limit.
    super::with_body_limit(Router::new().route("/api/v1/write", post(write)), remote_write::MAX_COMPRESSED_BYTES)
        .route("/api/v1/logs", post(logs))
        .route("/loki/api/v1/push", post(loki_push))
}

/// Why a body was refused before any of it was stored.
#[derive(Debug, thiserror::Error)]
enum BodyError {
    #[error("request body is larger than the limit of {0} bytes")]
    TooLarge(usize),
    #[error(transparent)]
    Inflate(#[from] InflateError),
    /// A Loki push body that is not one (the good streams of one that is are kept instead).
    #[error("{0}")]
    Undecodable(String),
}

impl IntoResponse for BodyError {
    fn into_response(self) -> Response {
        let status = match self {
            BodyError::TooLarge(_) | BodyError::Inflate(InflateError::TooLarge { .. }) => StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::Inflate(_) | BodyError::Undecodable(_) => StatusCode::BAD_REQUEST,
        };
        (status, format!("{self}\n")).into_response()
    }
}

/// Reads a body up to `limit` bytes.
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, BodyError> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge(limit));
    }
    axum::body::to_bytes(body, limit).await.map_err(|_| BodyError::TooLarge(limit))
}

/// Inflates a gzip body when the request says it is one.
fn inflate_if_gzip(headers: &HeaderMap, body: Bytes, max: usize) -> Result<Bytes, BodyError> {
    if !gzip::is_gzip(headers) {
        return Ok(body);
    }
    Ok(gzip::inflate(&body, max)?.into())
}

#[derive(Deserialize)]
struct LogParams {
    service: Option<String>,
}

/// Stores the good lines of an NDJSON body and names the bad ones by line number: 200 when
/// anything was stored (or nothing was wrong), 400 when every line was refused.
async fn logs(
    State(state): State<AppState>,
    Query(params): Query<LogParams>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let body = match read_body(&headers, body, MAX_LOG_BODY_BYTES).await {
        Ok(body) => body,
        Err(err) => return err.into_response(),
    };
    let limits = state.logs.limits;
    let parsed = tokio::task::spawn_blocking(move || {
        let raw = inflate_if_gzip(&headers, body, MAX_LOG_INFLATED_BYTES)?;
        let now = crate::timefmt::now_ms().saturating_mul(1_000_000);
        Ok::<_, BodyError>(lookout_logs::ingest::parse_ndjson(&raw, params.service.as_deref(), now, limits))
    })
    .await;
    let parsed = match parsed {
        Ok(Ok(parsed)) => parsed,
        Ok(Err(err)) => return err.into_response(),
        Err(err) => return (StatusCode::INTERNAL_SERVER_ERROR, format!("parsing failed: {err}\n")).into_response(),
    };
    let accepted = parsed.entries.len();
    if let Err(err) = state.logs.append(parsed.entries).await {
        tracing::error!(%err, "log lines could not be stored");
        return (StatusCode::INTERNAL_SERVER_ERROR, format!("storage failed: {err}\n")).into_response();
    }
    state.telemetry.ingested_log_lines.inc_by(&["ndjson"], accepted as f64);
    state.telemetry.rejected_log_lines.inc_by(&["ndjson"], parsed.rejected.len() as f64);
    let status = if accepted == 0 && !parsed.rejected.is_empty() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let rejected = parsed.rejected.into_iter().map(|r| RejectedLine { line: r.line, error: r.error }).collect();
    (status, Json(IngestResponse { accepted, rejected })).into_response()
}

/// Loki's push: 204 when everything is stored; 400 naming what was refused (the rest is
/// stored, as Loki does); 500 when storage failed.
async fn loki_push(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let body = match read_body(&headers, body, loki_push::MAX_BODY_BYTES).await {
        Ok(body) => body,
        Err(err) => return err.into_response(),
    };
    let content_type =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let limits = state.logs.limits;
    let decoded = tokio::task::spawn_blocking(move || {
        if content_type.starts_with("application/json") {
            let raw = inflate_if_gzip(&headers, body, loki_push::MAX_UNCOMPRESSED_BYTES)?;
            loki_push::decode_json(&raw, limits)
        } else {
            loki_push::decode_protobuf(&body, limits)
        }
        .map_err(BodyError::Undecodable)
    })
    .await;
    let decoded = match decoded {
        Ok(Ok(decoded)) => decoded,
        Ok(Err(err)) => return err.into_response(),
        Err(err) => return (StatusCode::INTERNAL_SERVER_ERROR, format!("decoding failed: {err}\n")).into_response(),
    };
    let accepted = decoded.entries.len();
    if let Err(err) = state.logs.append(decoded.entries).await {
        tracing::error!(%err, "pushed log lines could not be stored");
        return (StatusCode::INTERNAL_SERVER_ERROR, format!("storage failed: {err}\n")).into_response();
    }
    state.telemetry.ingested_log_lines.inc_by(&["loki_push"], accepted as f64);
    state.telemetry.rejected_log_lines.inc_by(&["loki_push"], decoded.invalid.len() as f64);
    if decoded.invalid.is_empty() {
        return StatusCode::NO_CONTENT.into_response();
    }
    (StatusCode::BAD_REQUEST, format!("{}\n", summarise(&decoded.invalid))).into_response()
}

/// The first reasons, and how many more there were.
fn summarise(reasons: &[String]) -> String {
    let mut message = reasons.iter().take(REASONS_SHOWN).cloned().collect::<Vec<_>>().join("\n");
    if reasons.len() > REASONS_SHOWN {
        message.push_str(&format!("\n… and {} more", reasons.len() - REASONS_SHOWN));
    }
    message
}

/// Stores what can be stored, then answers as Prometheus does: 204 when all is stored, 400 with
/// the reasons when samples were refused (retrying would not help), 500 when the store failed
/// (retrying can help; nothing of that request was acknowledged).
async fn write(State(state): State<AppState>, body: Bytes) -> Response {
    // Decompressing and decoding is CPU work; it runs off the async workers.
    let decoded = match tokio::task::spawn_blocking(move || remote_write::decode(&body)).await {
        Ok(Ok(decoded)) => decoded,
        Err(err) => return (StatusCode::INTERNAL_SERVER_ERROR, format!("decoding failed: {err}")).into_response(),
        Ok(Err(err @ DecodeError::TooLarge { .. })) => {
            return (StatusCode::PAYLOAD_TOO_LARGE, err.to_string()).into_response();
        }
        Ok(Err(err)) => return (StatusCode::BAD_REQUEST, err.to_string()).into_response(),
    };
    for (family, metadata) in decoded.metadata {
        state.metrics.set_metadata(&family, metadata);
    }
    let mut reasons = decoded.invalid;
    let result = match state.metrics.append(decoded.samples).await {
        Ok(result) => result,
        Err(err) => {
            tracing::error!(%err, "remote_write samples could not be stored");
            return (StatusCode::INTERNAL_SERVER_ERROR, format!("storage failed: {err}")).into_response();
        }
    };
    state.telemetry.ingested_samples.inc_by(&["remote_write"], result.accepted as f64);
    state
        .telemetry
        .rejected_samples
        .inc_by(&["remote_write", "refused"], (result.refused.len() + reasons.len()) as f64);
    reasons.extend(result.refused.iter().map(|(_, e)| e.to_string()));
    if reasons.is_empty() {
        return StatusCode::NO_CONTENT.into_response();
    }
    (StatusCode::BAD_REQUEST, format!("{} accepted; refused:\n{}\n", result.accepted, summarise(&reasons)))
        .into_response()
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use lookout_tsdb::Labels;

    use crate::ingest::remote_write::encode;
    use crate::testing::{app, get, send};

    fn write_request(body: Vec<u8>) -> Request<Body> {
        Request::post("/api/v1/write")
            .header("content-type", "application/x-protobuf")
            .header("content-encoding", "snappy")
            .body(Body::from(body))
            .unwrap()
    }

    #[tokio::test]
    async fn stores_samples_and_refuses_out_of_order_with_400() {
        let (_, app) = app();
        let series = Labels::from_pairs([("__name__", "temperature"), ("room", "a")]);
        let (status, _) =
            send(&app, write_request(encode(&[(series.clone(), vec![(1000, 20.5), (2000, 21.0)])], &[]))).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, body) = get(&app, "/api/v1/query?query=temperature&time=2").await;
        assert!(body.contains(r#""value":[2.0,"21"]"#), "{body}");

        // One sample too old, one new: the new one is kept, the answer says what was refused.
        let (status, body) = send(&app, write_request(encode(&[(series, vec![(500, 1.0), (3000, 22.0)])], &[]))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.starts_with("1 accepted") && body.contains("out of order"), "{body}");
        let (_, body) = get(&app, "/api/v1/query?query=temperature&time=3").await;
        assert!(body.contains(r#""value":[3.0,"22"]"#), "{body}");
    }

    #[tokio::test]
    async fn undecodable_bodies_are_400s() {
        let (_, app) = app();
        let (status, body) = send(&app, write_request(b"garbage".to_vec())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("snappy"), "{body}");
    }

    fn logs_request(uri: &str, body: Vec<u8>, gzip: bool) -> Request<Body> {
        let mut request = Request::post(uri).header("content-type", "application/x-ndjson");
        if gzip {
            request = request.header("content-encoding", "gzip");
        }
        request.body(Body::from(body)).unwrap()
    }

    #[tokio::test]
    async fn ndjson_keeps_good_lines_and_numbers_bad_ones() {
        let (state, app) = app();
        let body = concat!(
            r#"{"timestamp":"2024-12-24T21:05:09Z","level":"ERROR","message":"pool exhausted","request_id":"r1"}"#,
            "\n{broken\n",
            r#"{"timestamp":"2024-12-24T21:05:10Z","level":"INFO","message":"ok","service":"order-service"}"#,
            "\n"
        );
        let (status, answer) =
            send(&app, logs_request("/api/v1/logs?service=payment-service", body.into(), false)).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer["accepted"], 2);
        assert_eq!(answer["rejected"][0]["line"], 2);
        assert!(answer["rejected"][0]["error"].as_str().unwrap().contains("invalid JSON"));
        assert_eq!(state.logs.store.stats().head_rows, 2);
        let fields = state.logs.store.fields(i64::MIN, i64::MAX);
        let services: Vec<&String> = fields.fields["service"].as_ref().unwrap().iter().collect();
        assert_eq!(services, ["order-service", "payment-service"]);

        let (status, answer) = send(&app, logs_request("/api/v1/logs", b"nope\n".to_vec(), false)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "every line refused: {answer}");
    }

    #[tokio::test]
    async fn gzip_bodies_are_read_and_oversize_bodies_get_413_with_the_limit() {
        use std::io::Write;
        let (state, app) = app();
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(b"{\"message\":\"zipped\"}\n").unwrap();
        let (status, answer) = send(&app, logs_request("/api/v1/logs", encoder.finish().unwrap(), true)).await;
        assert_eq!((status, answer.contains(r#""accepted":1"#)), (StatusCode::OK, true), "{answer}");
        let (status, _) = send(&app, logs_request("/api/v1/logs", b"not gzip".to_vec(), true)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let huge = vec![b' '; super::MAX_LOG_BODY_BYTES + 1];
        let (status, answer) = send(&app, logs_request("/api/v1/logs", huge, false)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(answer.contains(&super::MAX_LOG_BODY_BYTES.to_string()), "{answer}");
        assert_eq!(state.logs.store.stats().head_rows, 1);
    }

    #[tokio::test]
    async fn loki_push_json_stores_and_answers_204() {
        let (state, app) = app();
        let body = r#"{"streams":[{"stream":{"job":"promtail","service":"api-gateway"},"values":[["1735074309000000000","GET /pay 200"]]}]}"#;
        let request = Request::post("/loki/api/v1/push")
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap();
        let (status, answer) = send(&app, request).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
        assert_eq!(state.logs.store.stats().head_rows, 1);
        let request = Request::post("/loki/api/v1/push")
            .header("content-type", "application/json")
            .body(Body::from(r#"{"streams":[{"stream":{"job":"x"},"values":[["later","line"]]}]}"#))
            .unwrap();
        let (status, answer) = send(&app, request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(answer.contains("later"), "{answer}");
    }
}
