//! Ingest endpoints: `POST /api/v1/write` (Prometheus remote_write 1.0).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use crate::ingest::remote_write::{self, DecodeError};
use crate::state::AppState;

/// How many refusal reasons a 400 response lists before summarising.
const REASONS_SHOWN: usize = 5;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/write", post(write)).layer(DefaultBodyLimit::max(remote_write::MAX_COMPRESSED_BYTES))
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
    let mut message = reasons.iter().take(REASONS_SHOWN).cloned().collect::<Vec<_>>().join("\n");
    if reasons.len() > REASONS_SHOWN {
        message.push_str(&format!("\n… and {} more", reasons.len() - REASONS_SHOWN));
    }
    (StatusCode::BAD_REQUEST, format!("{} accepted; refused:\n{message}\n", result.accepted)).into_response()
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
}
