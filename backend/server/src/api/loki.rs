//! Loki's HTTP API (`/loki/api/v1/...`), so Grafana's Loki data source, logcli and the Logs page
//! work against Lookout: queries (log and metric), labels and their values, series, and the
//! live tail over a WebSocket. Errors are plain text, as Loki sends them. With Loki as the log
//! store (`storage.logs.loki`), the reads are Loki's own answers, passed on; the live tail stays
//! with the lines this server stores.

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use lookout_logs::query::{Output, Params as QueryParams, QueryError, Stats, Tail, evaluate};
use lookout_logs::{Order, Selection};
use lookout_types::logs::{DroppedEntry, QueryData, QueryResult, QueryStats, StatsSummary, Stream, TailMessage};
use lookout_types::prometheus::{InstantSample, RangeSeries, Response as Envelope};

use super::params::Params;
use super::prometheus::{metric, pair};
use crate::state::AppState;
use crate::timefmt::{NS_PER_MS, now_ms};

/// Lines a log query returns unless `limit` says otherwise, and the most it may ask for.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 5000;
/// How far back a query looks without `start` or `since`.
const DEFAULT_SINCE: Duration = Duration::from_secs(3600);
const QUERY_TIMEOUT: Duration = Duration::from_secs(60);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/loki/api/v1/query", get(query).post(query))
        .route("/loki/api/v1/query_range", get(query_range).post(query_range))
        .route("/loki/api/v1/labels", get(labels).post(labels))
        .route("/loki/api/v1/label/{name}/values", get(label_values))
        .route("/loki/api/v1/series", get(series).post(series))
        .route("/loki/api/v1/tail", get(tail))
        .route("/loki/api/v1/patterns", get(patterns))
}

/// A failure, answered as Loki does: a status and the message as plain text.
pub struct LokiError(StatusCode, String);

impl LokiError {
    pub(super) fn message(&self) -> &str {
        &self.1
    }
}

impl IntoResponse for LokiError {
    fn into_response(self) -> Response {
        (self.0, format!("{}\n", self.1)).into_response()
    }
}

impl From<QueryError> for LokiError {
    fn from(err: QueryError) -> Self {
        match err {
            QueryError::BadData(m) => LokiError(StatusCode::BAD_REQUEST, m),
            QueryError::Execution(m) => LokiError(StatusCode::UNPROCESSABLE_ENTITY, m),
            QueryError::Timeout => LokiError(StatusCode::GATEWAY_TIMEOUT, "query timed out".into()),
        }
    }
}

fn bad(message: String) -> LokiError {
    LokiError(StatusCode::BAD_REQUEST, message)
}

/// A time parameter in Unix nanoseconds: nanoseconds, seconds (with a fraction) or RFC 3339.
fn time_param(params: &Params, key: &str, default: i64) -> Result<i64, LokiError> {
    match params.get(key) {
        None | Some("") => Ok(default),
        Some(text) => lookout_logs::timestamp::parse(text)
            .map_err(|_| bad(format!("invalid parameter \"{key}\": cannot parse {text:?} to a valid timestamp"))),
    }
}

fn duration_param(params: &Params, key: &str) -> Result<Option<i64>, LokiError> {
    match params.get(key) {
        None | Some("") => Ok(None),
        Some(text) => {
            let seconds = text.parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0).map(|s| (s * 1e9) as i64);
            seconds
                .or_else(|| lookout_logql::parse_duration(text).and_then(|d| i64::try_from(d.as_nanos()).ok()))
                .map(Some)
                .ok_or_else(|| bad(format!("invalid parameter \"{key}\": cannot parse {text:?} to a valid duration")))
        }
    }
}

/// `start` and `end` (or `since`), defaulting to the last hour.
fn range_params(params: &Params) -> Result<(i64, i64), LokiError> {
    let end = time_param(params, "end", now_ms().saturating_mul(NS_PER_MS))?;
    let since = duration_param(params, "since")?.unwrap_or(DEFAULT_SINCE.as_nanos() as i64);
    let start = time_param(params, "start", end.saturating_sub(since))?;
    if end < start {
        return Err(bad("invalid parameters: end timestamp must not be before start time".into()));
    }
    Ok((start, end))
}

fn common_params(params: &Params) -> Result<(usize, Order), LokiError> {
    let limit = match params.get("limit") {
        None | Some("") => DEFAULT_LIMIT,
        Some(text) => text.parse::<usize>().map_err(|_| bad(format!("invalid parameter \"limit\": {text:?}")))?,
    };
    if limit > MAX_LIMIT {
        return Err(bad(format!(
            "max entries limit per query exceeded, limit > max_entries_limit ({limit} > {MAX_LIMIT})"
        )));
    }
    let direction = match params.get("direction").map(str::to_ascii_lowercase).as_deref() {
        None | Some("") | Some("backward") => Order::Backward,
        Some("forward") => Order::Forward,
        Some(other) => return Err(bad(format!("invalid parameter \"direction\": {other:?}"))),
    };
    Ok((limit, direction))
}

pub(super) async fn run(
    state: &AppState,
    query: String,
    params: QueryParams,
) -> Result<(Output, Stats, f64), LokiError> {
    let store = state.logs.store.clone();
    let started = std::time::Instant::now();
    let (output, stats) = tokio::task::spawn_blocking(move || evaluate(&store, &query, &params))
        .await
        .map_err(|e| LokiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
    Ok((output, stats, started.elapsed().as_secs_f64()))
}

fn answer(output: Output, stats: Stats, seconds: f64) -> Json<Envelope<QueryData>> {
    Json(Envelope::success(log_data(output, stats, seconds)))
}

/// A log query's output as the API sends it.
pub(super) fn log_data(output: Output, stats: Stats, seconds: f64) -> QueryData {
    let result = match output {
        Output::Streams(streams) => QueryResult::Streams(
            streams
                .into_iter()
                .map(|s| Stream {
                    stream: metric(&s.labels),
                    values: s.entries.into_iter().map(|(t, l)| (t.to_string(), l)).collect(),
                })
                .collect(),
        ),
        Output::Matrix(series) => QueryResult::Matrix(
            series
                .into_iter()
                .map(|s| RangeSeries {
                    metric: metric(&s.labels),
                    values: s.samples.iter().map(|(t, v)| pair(*t, *v)).collect(),
                })
                .collect(),
        ),
        // Instant samples get the evaluation time from the caller.
        Output::Vector(samples) => QueryResult::Vector(
            samples.into_iter().map(|(l, v)| InstantSample { metric: metric(&l), value: pair(0, v) }).collect(),
        ),
    };
    let summary =
        StatsSummary { total_lines_processed: stats.lines, total_bytes_processed: stats.bytes, exec_time: seconds };
    QueryData { result, stats: QueryStats { summary } }
}

/// Loki's answer to this request, when Loki is the log store.
async fn from_loki(state: &AppState, uri: &OriginalUri, params: &Params) -> Option<Result<Response, LokiError>> {
    let loki = state.logs.remote.as_ref()?;
    Some(
        loki.engine
            .fetch(uri.path(), params.pairs())
            .await
            .map(super::passed_on)
            .map_err(|message| LokiError(StatusCode::SERVICE_UNAVAILABLE, message)),
    )
}

async fn query_range(State(state): State<AppState>, uri: OriginalUri, params: Params) -> Result<Response, LokiError> {
    if let Some(answer) = from_loki(&state, &uri, &params).await {
        return answer;
    }
    let query = params.get("query").ok_or_else(|| bad("invalid parameter \"query\": missing".into()))?.to_string();
    let (start, end) = range_params(&params)?;
    let (limit, direction) = common_params(&params)?;
    // Loki's default step: the range in 250 points, at least a second.
    let step = duration_param(&params, "step")?
        .unwrap_or((end.saturating_sub(start) / 250 / 1_000_000_000).max(1) * 1_000_000_000);
    if step <= 0 {
        return Err(bad(
            "zero or negative query resolution step widths are not accepted. Try a positive integer".into()
        ));
    }
    let params = QueryParams { start, end, step, limit, direction, timeout: QUERY_TIMEOUT };
    let (output, stats, seconds) = run(&state, query, params).await?;
    Ok(answer(output, stats, seconds).into_response())
}

/// An instant query: metric queries evaluated at `time`, as Loki 3 (log queries need a range).
async fn query(State(state): State<AppState>, uri: OriginalUri, params: Params) -> Result<Response, LokiError> {
    if let Some(answer) = from_loki(&state, &uri, &params).await {
        return answer;
    }
    let query = params.get("query").ok_or_else(|| bad("invalid parameter \"query\": missing".into()))?.to_string();
    let time = time_param(&params, "time", now_ms().saturating_mul(NS_PER_MS))?;
    let (limit, direction) = common_params(&params)?;
    if lookout_logql::parse(&query).is_ok_and(|e| e.is_log_query()) {
        return Err(bad(
            "log queries are not supported as an instant query type, please change your query to a range query type"
                .into(),
        ));
    }
    let params = QueryParams { start: time, end: time, step: 0, limit, direction, timeout: QUERY_TIMEOUT };
    let (output, stats, seconds) = run(&state, query, params).await?;
    let mut json = answer(output, stats, seconds);
    // Instant samples carry the evaluation time.
    if let Some(QueryData { result: QueryResult::Vector(samples), .. }) = json.0.data.as_mut() {
        for s in samples {
            s.value.0 = (time / NS_PER_MS) as f64 / 1000.0;
        }
    }
    Ok(json.into_response())
}

async fn labels(State(state): State<AppState>, uri: OriginalUri, params: Params) -> Result<Response, LokiError> {
    if let Some(answer) = from_loki(&state, &uri, &params).await {
        return answer;
    }
    let (start, end) = range_params(&params)?;
    let store = state.logs.store.clone();
    let names = tokio::task::spawn_blocking(move || store.fields(start, end))
        .await
        .map_err(|e| LokiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(Envelope::success(names.fields.into_keys().collect::<Vec<_>>())).into_response())
}

async fn label_values(
    State(state): State<AppState>,
    Path(name): Path<String>,
    uri: OriginalUri,
    params: Params,
) -> Result<Response, LokiError> {
    if let Some(answer) = from_loki(&state, &uri, &params).await {
        return answer;
    }
    let (start, end) = range_params(&params)?;
    let store = state.logs.store.clone();
    let values = tokio::task::spawn_blocking(move || crate::logs::label_values(&store, &name, start, end))
        .await
        .map_err(|e| LokiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(Envelope::success(values)).into_response())
}

async fn series(State(state): State<AppState>, uri: OriginalUri, params: Params) -> Result<Response, LokiError> {
    if let Some(answer) = from_loki(&state, &uri, &params).await {
        return answer;
    }
    let (start, end) = range_params(&params)?;
    let mut selections = Vec::new();
    for selector in params.all("match[]").into_iter().chain(params.all("match")) {
        let expr = lookout_logql::parse(selector).map_err(|e| bad(e.to_string()))?;
        let lookout_logql::Expr::Log(log) = expr else {
            return Err(bad(format!("invalid parameter \"match[]\": {selector:?} is not a stream selector")));
        };
        let matchers = lookout_logs::query::tsdb_matchers(&log.selector)?;
        selections.push(Selection::new(start, end, matchers));
    }
    if selections.is_empty() {
        return Err(bad("invalid parameter \"match[]\": missing".into()));
    }
    let store = state.logs.store.clone();
    let found = tokio::task::spawn_blocking(move || {
        let mut all = std::collections::BTreeSet::new();
        for selection in &selections {
            all.extend(store.streams(selection));
        }
        all
    })
    .await
    .map_err(|e| LokiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(Envelope::success(found.iter().map(metric).collect::<Vec<_>>())).into_response())
}

/// `GET /loki/api/v1/tail` (WebSocket): the last `limit` matching lines since `start`, then new
/// ones as they are stored. A client too slow to keep up misses lines rather than slowing
/// ingest; each message says how many it missed.
async fn tail(State(state): State<AppState>, ws: WebSocketUpgrade, params: Params) -> Result<Response, LokiError> {
    let query = params.get("query").ok_or_else(|| bad("invalid parameter \"query\": missing".into()))?.to_string();
    let matcher = Tail::new(&query)?;
    let (limit, _) = common_params(&params)?;
    let now = now_ms().saturating_mul(NS_PER_MS);
    let start = time_param(&params, "start", now - DEFAULT_SINCE.as_nanos() as i64)?;
    // Subscribe before the catch-up query, so nothing stored in between is lost.
    let feed = state.logs.subscribe();
    let catch_up = QueryParams { start, end: now, step: 0, limit, direction: Order::Backward, timeout: QUERY_TIMEOUT };
    let (history, _, _) = run(&state, query, catch_up).await?;
    Ok(ws.on_upgrade(move |socket| stream_tail(socket, state, matcher, history, feed)))
}

async fn stream_tail(
    mut socket: WebSocket,
    state: AppState,
    matcher: Tail,
    history: Output,
    mut feed: tokio::sync::broadcast::Receiver<std::sync::Arc<crate::logs::TailBatch>>,
) {
    let mut streams: Vec<Stream> = match history {
        Output::Streams(streams) => streams
            .into_iter()
            .map(|s| Stream {
                stream: metric(&s.labels),
                values: s.entries.into_iter().rev().map(|(t, l)| (t.to_string(), l)).collect(),
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut dropped: Vec<DroppedEntry> = Vec::new();
    let mut next_line: Option<u64> = None;
    loop {
        if !streams.is_empty() || !dropped.is_empty() {
            let message =
                TailMessage { streams: std::mem::take(&mut streams), dropped_entries: std::mem::take(&mut dropped) };
            let text = serde_json::to_string(&message).unwrap_or_default();
            if socket.send(Message::Text(text.into())).await.is_err() {
                return;
            }
        }
        let batch = tokio::select! {
            batch = feed.recv() => batch,
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => continue,
            },
        };
        let batch = match batch {
            Ok(batch) => batch,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        };
        // Lines published between the last batch seen and this one were missed.
        if let Some(expected) = next_line
            && batch.first_line > expected
        {
            let missed = batch.first_line - expected;
            state.telemetry.tail_dropped_lines.inc_by(&[], missed as f64);
            dropped.push(DroppedEntry {
                labels: format!("{{}} ({missed} lines missed)"),
                timestamp: now_ms().saturating_mul(NS_PER_MS).to_string(),
            });
        }
        next_line = Some(batch.first_line + batch.entries.len() as u64);
        let mut by_stream: std::collections::BTreeMap<lookout_tsdb::Labels, Vec<(String, String)>> = Default::default();
        for entry in &batch.entries {
            if let Some((labels, line)) = matcher.apply(entry) {
                by_stream.entry(labels).or_default().push((entry.ts.to_string(), line));
            }
        }
        streams = by_stream.into_iter().map(|(l, values)| Stream { stream: metric(&l), values }).collect();
    }
}

/// `GET /loki/api/v1/patterns`: the patterns of the lines a stream selector picks, as Loki 3
/// answers (Drain over the lines, counts per step, patterns with fewer than 30 lines left out),
/// so Grafana's Logs Drilldown reads them.
async fn patterns(State(state): State<AppState>, uri: OriginalUri, params: Params) -> Result<Response, LokiError> {
    if let Some(answer) = from_loki(&state, &uri, &params).await {
        return answer;
    }
    let query = params.get("query").ok_or_else(|| bad("invalid parameter \"query\": missing".into()))?;
    let lookout_logql::Expr::Log(log) = lookout_logql::parse(query).map_err(|e| bad(e.to_string()))? else {
        return Err(bad(format!("invalid parameter \"query\": {query:?} is not a stream selector")));
    };
    let matchers = lookout_logs::query::tsdb_matchers(&log.selector)?;
    let (start, end) = range_params(&params)?;
    let step = duration_param(&params, "step")?
        .unwrap_or((end.saturating_sub(start) / 250 / 1_000_000_000).max(1) * 1_000_000_000);
    if step <= 0 {
        return Err(bad("invalid parameter \"step\": must be positive".into()));
    }
    let store = state.logs.store.clone();
    let (start_ms, end_ms, step_ms) = (start / NS_PER_MS, end / NS_PER_MS, (step / NS_PER_MS).max(1));
    let found =
        tokio::task::spawn_blocking(move || crate::logs::patterns::series(&store, matchers, start_ms, end_ms, step_ms))
            .await
            .map_err(|e| LokiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let data: Vec<lookout_types::logs::PatternSeries> = found
        .into_iter()
        .map(|p| lookout_types::logs::PatternSeries {
            pattern: p.pattern,
            level: p.level,
            samples: p.samples.into_iter().map(|(t, n)| (t / 1000, n)).collect(),
        })
        .collect();
    Ok(Json(Envelope::success(data)).into_response())
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};

    use crate::testing::{app, get, send};

    const T: i64 = 1_735_074_309_000_000_000;

    async fn push(app: &axum::Router, lines: &[(i64, &str, &str)]) {
        let mut body = String::new();
        for (t, level, message) in lines {
            body.push_str(&format!(
                r#"{{"timestamp":{t},"level":"{level}","service":"payment-service","message":"{message}","request_id":"r{t}"}}"#
            ));
            body.push('\n');
        }
        let request = Request::post("/api/v1/logs").body(Body::from(body)).unwrap();
        let (status, answer) = send(app, request).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }

    /// `GET /loki/api/v1/patterns`: Loki 3's shape, `[seconds, lines]` per step, patterns of
    /// fewer than 30 lines left out, a bad selector refused as Loki refuses it.
    #[tokio::test]
    async fn patterns_answer_as_loki() {
        let (_, app) = app();
        let lines: Vec<(i64, String)> = (0..40)
            .map(|i| (T + i * 1_000_000_000, format!("payment {i} declined by gateway {}", i % 3)))
            .chain((0..3).map(|i| (T + i * 1_000_000_000 + 500, "a rare thing happened once".to_string())))
            .collect();
        let lines: Vec<(i64, &str, &str)> = lines.iter().map(|(t, m)| (*t, "WARN", m.as_str())).collect();
        push(&app, &lines).await;
        let q = crate::testing::url_encode(r#"{service="payment-service"}"#);
        let range = format!("start={}&end={}", T - 1, T + 60_000_000_000);
        let (status, body) = get(&app, &format!("/loki/api/v1/patterns?query={q}&{range}&step=10s")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["status"], "success");
        let data = json["data"].as_array().unwrap();
        assert_eq!(data.len(), 1, "{body}");
        assert_eq!(
            data[0]["pattern"], "<_>payment <_> declined by gateway <_>",
            "placeholders next to each other fold"
        );
        assert_eq!(data[0]["level"], "warn");
        let samples = data[0]["samples"].as_array().unwrap();
        assert_eq!(samples.iter().map(|s| s[1].as_u64().unwrap()).sum::<u64>(), 40);
        assert!(samples.iter().all(|s| s[0].as_i64().unwrap() % 10 == 0), "bucket starts in seconds: {body}");
        let (status, body) =
            get(&app, &format!("/loki/api/v1/patterns?query={}", crate::testing::url_encode("{service=}"))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, _) = get(&app, "/loki/api/v1/patterns").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn query_range_labels_values_and_series_answer_as_loki() {
        let (_, app) = app();
        push(
            &app,
            &[
                (T, "INFO", "ok"),
                (T + 1_000_000_000, "ERROR", "pool exhausted"),
                (T + 2_000_000_000, "ERROR", "pool exhausted"),
            ],
        )
        .await;
        let range = format!("start={}&end={}", T - 1, T + 3_000_000_000);

        let q = crate::testing::url_encode(r#"{service="payment-service"} |= "exhausted""#);
        let (status, body) = get(&app, &format!("/loki/api/v1/query_range?query={q}&{range}&limit=1")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["data"]["resultType"], "streams");
        let values = &json["data"]["result"][0]["values"];
        assert_eq!(values.as_array().unwrap().len(), 1);
        assert_eq!(values[0][0], (T + 2_000_000_000).to_string(), "newest first");
        assert_eq!(json["data"]["result"][0]["stream"]["level"], "ERROR");

        let q = crate::testing::url_encode(r#"sum by (level) (count_over_time({service="payment-service"}[10s]))"#);
        let (_, body) = get(&app, &format!("/loki/api/v1/query_range?query={q}&{range}&step=1")).await;
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["data"]["resultType"], "matrix", "{body}");
        let errors =
            json["data"]["result"].as_array().unwrap().iter().find(|s| s["metric"]["level"] == "ERROR").unwrap();
        assert_eq!(errors["values"].as_array().unwrap().last().unwrap()[1], "2");

        let (_, body) = get(&app, &format!("/loki/api/v1/query?query={q}&time={}", T + 2_000_000_000)).await;
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["data"]["resultType"], "vector", "{body}");

        let (_, body) = get(&app, &format!("/loki/api/v1/labels?{range}")).await;
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        let names: Vec<&str> = json["data"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert!(names.contains(&"level") && names.contains(&"request_id") && names.contains(&"service"), "{names:?}");
        let (_, body) = get(&app, &format!("/loki/api/v1/label/level/values?{range}")).await;
        assert!(body.contains(r#""data":["ERROR","INFO"]"#), "{body}");

        let m = crate::testing::url_encode(r#"{level="ERROR"}"#);
        let (_, body) = get(&app, &format!("/loki/api/v1/series?match[]={m}&{range}")).await;
        assert!(body.contains(r#""data":[{"level":"ERROR","service":"payment-service"}]"#), "{body}");
    }

    #[tokio::test]
    async fn parse_errors_are_plain_text_400s_with_the_position() {
        let (_, app) = app();
        let q = crate::testing::url_encode(r#"{service="a"} |= "x" | json |"#);
        let (status, body) = get(&app, &format!("/loki/api/v1/query_range?query={q}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.starts_with("parse error at line 1, col "), "{body}");
        let q = crate::testing::url_encode(r#"{service="a"}"#);
        let (status, body) = get(&app, &format!("/loki/api/v1/query?query={q}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("instant query"), "{body}");
        let (status, _) = get(&app, &format!("/loki/api/v1/query_range?query={q}&limit=100000")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
}
