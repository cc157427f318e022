//! `GET /api/lookout/live` (WebSocket): a dashboard's panels kept up to date over one connection
//! instead of one poll per panel. The page sends its queries (`LiveRequest`); the server runs
//! them all at once, sends the round's results in one message, and runs them again every
//! `every_ms` (ranges that follow the clock move with it) until the page sends new queries or
//! goes away.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use lookout_logs::Order;
use lookout_logs::query::Params as LogParams;
use lookout_types::live::{LiveKind, LiveQuery, LiveRequest, LiveResult, LiveRound};

use super::loki::{log_data, run};
use super::prometheus::{instant_data, matrix};
use crate::sources::Source;
use crate::state::AppState;
use crate::timefmt::NS_PER_MS;
use crate::timefmt::now_ms;

/// Queries one page may keep live.
const MAX_QUERIES: usize = 64;
/// Rounds come at most this often, however often a page asks.
const MIN_EVERY: Duration = Duration::from_secs(1);
/// A live query gets this long, as a panel's own request would.
const QUERY_TIMEOUT: Duration = Duration::from_secs(30);
/// A log panel shows at most this many lines.
const MAX_LINES: usize = 5000;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/lookout/live", get(live))
}

async fn live(State(state): State<AppState>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| serve(socket, state))
}

async fn serve(mut socket: WebSocket, state: AppState) {
    let mut request: Option<LiveRequest> = None;
    loop {
        let every = match &request {
            Some(r) if r.every_ms > 0 => Duration::from_millis(r.every_ms).max(MIN_EVERY),
            // Nothing to repeat: wait for the page's next request.
            _ => Duration::MAX,
        };
        let incoming = tokio::select! {
            incoming = socket.recv() => incoming,
            _ = tokio::time::sleep(every) => {
                if let Some(r) = &request && !send_round(&mut socket, &state, r).await {
                    return;
                }
                continue;
            }
        };
        match incoming {
            Some(Ok(Message::Text(text))) => match serde_json::from_str::<LiveRequest>(&text) {
                Ok(mut r) => {
                    r.queries.truncate(MAX_QUERIES);
                    if !send_round(&mut socket, &state, &r).await {
                        return;
                    }
                    request = Some(r);
                }
                Err(e) => {
                    let reason = format!("not a live request: {e}");
                    let _ = socket.send(Message::Text(reason.into())).await;
                }
            },
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
            Some(Ok(_)) => {}
        }
    }
}

/// Runs every query and sends the results as one message; false once the page is gone.
async fn send_round(socket: &mut WebSocket, state: &AppState, request: &LiveRequest) -> bool {
    let now = now_ms();
    // All at once: each query runs on a blocking thread of its own.
    let mut runs = tokio::task::JoinSet::new();
    for (index, q) in request.queries.iter().cloned().enumerate() {
        let state = state.clone();
        runs.spawn(async move { (index, run_query(&state, &q, now).await) });
    }
    let mut results: Vec<(usize, LiveResult)> = runs.join_all().await;
    results.sort_by_key(|(index, _)| *index);
    let round = LiveRound { at_ms: now, results: results.into_iter().map(|(_, r)| r).collect() };
    let text = serde_json::to_string(&round).unwrap_or_default();
    socket.send(Message::Text(text.into())).await.is_ok()
}

async fn run_query(state: &AppState, q: &LiveQuery, now: i64) -> LiveResult {
    let (start, end) = if q.follow { (now - (q.end_ms - q.start_ms).max(0), now) } else { (q.start_ms, q.end_ms) };
    let mut result = LiveResult { id: q.id.clone(), metrics: None, logs: None, error: None };
    let outcome = match q.kind {
        LiveKind::Range => match state.sources.metrics(q.datasource.as_deref(), &state.metrics) {
            Ok(reader) => reader
                .query_range(&q.expr, start, end, q.step_ms, Some(QUERY_TIMEOUT))
                .await
                .map(|series| result.metrics = Some(matrix(series)))
                .map_err(|e| e.to_string()),
            Err(message) => Err(message),
        },
        LiveKind::Instant => match state.sources.metrics(q.datasource.as_deref(), &state.metrics) {
            Ok(reader) => reader
                .query_instant(&q.expr, end, Some(QUERY_TIMEOUT))
                .await
                .map(|value| result.metrics = Some(instant_data(value, end)))
                .map_err(|e| e.to_string()),
            Err(message) => Err(message),
        },
        LiveKind::Logs => match state.sources.get(q.datasource.as_deref()) {
            Err(message) => Err(message),
            Ok(None) => {
                let params = LogParams {
                    start: start.saturating_mul(NS_PER_MS),
                    end: end.saturating_mul(NS_PER_MS),
                    step: 0,
                    limit: q.limit.clamp(1, MAX_LINES),
                    direction: Order::Backward,
                    timeout: QUERY_TIMEOUT,
                };
                run(state, q.expr.clone(), params)
                    .await
                    .map(|(output, stats, seconds)| result.logs = Some(log_data(output, stats, seconds)))
                    .map_err(|e| e.message().to_string())
            }
            Ok(Some(Source::Loki(loki))) => loki
                .query_lines(&q.expr, start, end, q.limit.clamp(1, MAX_LINES))
                .await
                .map(|data| result.logs = Some(data)),
            Ok(Some(Source::Prometheus(_))) => Err(crate::sources::wrong_kind(q.datasource.as_deref())),
        },
    };
    if let Err(message) = outcome {
        result.error = Some(message);
    }
    result
}
