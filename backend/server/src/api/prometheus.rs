//! Prometheus's HTTP API (`/api/v1/...`), so Grafana's Prometheus data source and Prometheus's
//! own tools work against Lookout unchanged. Handlers parse parameters, call the metrics pillar
//! and convert its results to the wire types.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use lookout_promql::QueryValue;
use lookout_tsdb::{Series, format_value};
use lookout_types::prometheus::{
    ActiveTarget, BuildInfo, DroppedTarget, InstantSample, Metric, MetricMetadata, QueryData, RangeSeries, Response,
    SamplePair, TargetsData,
};

use super::ApiError;
use super::params::Params;
use crate::metrics::{Lookup, parse_selector};
use crate::state::AppState;
use crate::timefmt::{now_ms, rfc3339_millis};

/// Series and label look-ups without a range cover all of time, as in Prometheus.
const MIN_TIME: i64 = i64::MIN / 2;
const MAX_TIME: i64 = i64::MAX / 2;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/query", get(query).post(query))
        .route("/api/v1/query_range", get(query_range).post(query_range))
        .route("/api/v1/series", get(series).post(series))
        .route("/api/v1/labels", get(labels).post(labels))
        .route("/api/v1/label/{name}/values", get(label_values))
        .route("/api/v1/metadata", get(metadata))
        .route("/api/v1/status/buildinfo", get(buildinfo))
        .route("/api/v1/targets", get(targets))
}

type ApiResult<T> = Result<Json<Response<T>>, ApiError>;

pub(super) use crate::metrics::metric;

pub(super) fn pair(t_ms: i64, v: f64) -> SamplePair {
    SamplePair(t_ms as f64 / 1000.0, format_value(v))
}

pub(super) fn matrix(series: Vec<Series>) -> QueryData {
    QueryData::Matrix(
        series
            .into_iter()
            .map(|s| RangeSeries {
                metric: metric(&s.labels),
                values: s.samples.iter().map(|(t, v)| pair(*t, *v)).collect(),
            })
            .collect(),
    )
}

async fn query(State(state): State<AppState>, params: Params) -> ApiResult<QueryData> {
    let query = params.required("query")?;
    let time = params.time("time", now_ms())?;
    let timeout = params.duration("timeout")?;
    let value = state.metrics.reader().query_instant(query, time, timeout).await?;
    Ok(Json(Response::success(instant_data(value, time))))
}

/// An instant query's value as the API sends it.
pub(super) fn instant_data(value: QueryValue, time: i64) -> QueryData {
    match value {
        QueryValue::Scalar(v) => QueryData::Scalar(pair(time, v)),
        QueryValue::String(s) => QueryData::String(SamplePair(time as f64 / 1000.0, s)),
        QueryValue::Vector(samples) => QueryData::Vector(
            samples
                .into_iter()
                .map(|(labels, v)| InstantSample { metric: metric(&labels), value: pair(time, v) })
                .collect(),
        ),
        QueryValue::Matrix(series) => matrix(series),
    }
}

async fn query_range(State(state): State<AppState>, params: Params) -> ApiResult<QueryData> {
    let query = params.required("query")?;
    let start = params.time("start", i64::MIN).and_then(|t| required_time(t, "start"))?;
    let end = params.time("end", i64::MIN).and_then(|t| required_time(t, "end"))?;
    let step = params
        .duration("step")?
        .ok_or_else(|| ApiError::BadData("invalid parameter \"step\": missing".into()))?
        .as_millis() as i64;
    let timeout = params.duration("timeout")?;
    let series = state.metrics.reader().query_range(query, start, end, step, timeout).await?;
    Ok(Json(Response::success(matrix(series))))
}

fn required_time(t: i64, key: &str) -> Result<i64, ApiError> {
    if t == i64::MIN { Err(ApiError::BadData(format!("invalid parameter \"{key}\": missing"))) } else { Ok(t) }
}

fn selectors(params: &Params) -> Result<Vec<Vec<lookout_tsdb::Matcher>>, ApiError> {
    params.all("match[]").into_iter().map(|s| parse_selector(s).map_err(ApiError::from)).collect()
}

async fn series(State(state): State<AppState>, params: Params) -> ApiResult<Vec<Metric>> {
    let selectors = selectors(&params)?;
    if selectors.is_empty() {
        return Err(ApiError::BadData("no match[] parameter provided".into()));
    }
    let found = state.metrics.reader().series(&lookup(&params, &selectors)?).await?;
    Ok(Json(Response::success(found)))
}

/// A look-up's selectors and range, and the request's own parameters for an engine.
fn lookup<'a>(params: &'a Params, selectors: &'a [Vec<lookout_tsdb::Matcher>]) -> Result<Lookup<'a>, ApiError> {
    let (start, end) = (params.time("start", MIN_TIME)?, params.time("end", MAX_TIME)?);
    Ok(Lookup { selectors, start, end, params: params.pairs() })
}

async fn labels(State(state): State<AppState>, params: Params) -> ApiResult<Vec<String>> {
    let selectors = selectors(&params)?;
    Ok(Json(Response::success(state.metrics.reader().label_names(&lookup(&params, &selectors)?).await?)))
}

async fn label_values(
    State(state): State<AppState>,
    Path(name): Path<String>,
    params: Params,
) -> ApiResult<Vec<String>> {
    let selectors = selectors(&params)?;
    Ok(Json(Response::success(state.metrics.reader().label_values(&name, &lookup(&params, &selectors)?).await?)))
}

async fn metadata(State(state): State<AppState>, params: Params) -> ApiResult<BTreeMap<String, Vec<MetricMetadata>>> {
    let limit = match params.get("limit") {
        None | Some("") => None,
        Some(text) => {
            Some(text.parse::<i64>().map_err(|_| ApiError::BadData(format!("invalid parameter \"limit\": {text:?}")))?)
        }
    };
    let limit = limit.filter(|l| *l >= 0).map(|l| l as usize);
    let found = state.metrics.reader().metadata(params.get("metric"), limit, params.pairs()).await?;
    Ok(Json(Response::success(found)))
}

async fn targets(State(state): State<AppState>, params: Params) -> Json<Response<TargetsData>> {
    let wanted = params.get("state").unwrap_or("any");
    let duration = crate::timefmt::format_duration;
    let active = if wanted == "dropped" { Vec::new() } else { state.scrape.active() };
    let active_targets = active
        .into_iter()
        .map(|a| {
            let health = a.health.clone();
            ActiveTarget {
                discovered_labels: a.target.discovered.clone().into_iter().collect(),
                labels: a.target.labels.clone().into_iter().collect(),
                scrape_pool: a.target.job.clone(),
                scrape_url: a.target.url.clone(),
                global_url: a.target.url.clone(),
                last_error: health.as_ref().map(|h| h.last_error.clone()).unwrap_or_default(),
                last_scrape: health
                    .as_ref()
                    .map_or("0001-01-01T00:00:00Z".into(), |h| rfc3339_millis(h.last_scrape_ms)),
                last_scrape_duration: health.as_ref().map_or(0.0, |h| h.last_duration_s),
                health: health.map_or("unknown", |h| h.health).to_string(),
                scrape_interval: duration(a.interval),
                scrape_timeout: duration(a.timeout),
            }
        })
        .collect();
    let dropped = if wanted == "active" { Vec::new() } else { state.scrape.dropped() };
    let dropped_targets =
        dropped.into_iter().map(|l| DroppedTarget { discovered_labels: l.into_iter().collect() }).collect();
    Json(Response::success(TargetsData { active_targets, dropped_targets }))
}

async fn buildinfo() -> Json<Response<BuildInfo>> {
    Json(Response::success(BuildInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        revision: option_env!("LOOKOUT_GIT_REVISION").unwrap_or("unknown").into(),
        branch: "main".into(),
        build_user: "lookout".into(),
        build_date: "unknown".into(),
        go_version: "none (Lookout is written in Rust)".into(),
    }))
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use lookout_tsdb::Labels;
    use serde_json::{Value, json};

    use crate::testing::{app, get, post_form};

    /// An app holding `up{job="api"}` and `up{job="db"}` every 15 s for 10 minutes (values 1 and 0),
    /// and `requests_total{job="api"}` growing by 30 per 15 s.
    fn loaded() -> axum::Router {
        let (state, app) = app();
        let head = &state.metrics.head;
        for i in 0..=40 {
            let t = i * 15_000;
            for (job, v) in [("api", 1.0), ("db", 0.0)] {
                head.append(&Labels::from_pairs([("__name__", "up"), ("job", job)]), t, v).unwrap();
            }
            head.append(&Labels::from_pairs([("__name__", "requests_total"), ("job", "api")]), t, 30.0 * i as f64)
                .unwrap();
        }
        app
    }

    async fn check(app: &axum::Router, uri: &str, status: StatusCode, expected: Value) {
        let (got_status, body) = get(app, uri).await;
        let got: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}"));
        assert_eq!((got_status, &got), (status, &expected), "{uri}");
    }

    #[tokio::test]
    async fn instant_and_range_queries() {
        let app = loaded();
        check(&app, "/api/v1/query?query=up%7Bjob%3D%22api%22%7D&time=600", StatusCode::OK, json!({
            "status": "success",
            "data": {"resultType": "vector", "result": [{"metric": {"__name__": "up", "job": "api"}, "value": [600.0, "1"]}]}
        }))
        .await;
        check(
            &app,
            "/api/v1/query?query=sum(rate(requests_total%5B1m%5D))&time=600",
            StatusCode::OK,
            json!({
                "status": "success",
                "data": {"resultType": "vector", "result": [{"metric": {}, "value": [600.0, "2"]}]}
            }),
        )
        .await;
        check(
            &app,
            "/api/v1/query?query=1%2F0&time=1.5",
            StatusCode::OK,
            json!({
                "status": "success", "data": {"resultType": "scalar", "result": [1.5, "+Inf"]}
            }),
        )
        .await;
        check(&app, "/api/v1/query_range?query=up%7Bjob%3D%22db%22%7D&start=0&end=30&step=15", StatusCode::OK, json!({
            "status": "success",
            "data": {"resultType": "matrix", "result": [{"metric": {"__name__": "up", "job": "db"}, "values": [[0.0, "0"], [15.0, "0"], [30.0, "0"]]}]}
        }))
        .await;
    }

    #[tokio::test]
    async fn form_posts_work_like_gets() {
        let app = loaded();
        let (status, body) = post_form(&app, "/api/v1/query", "query=count(up)&time=2024-01-01T00:00:00Z").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // Nothing is stored at 2024, so the count is of no series: an empty vector.
        assert!(body.contains(r#""result":[]"#), "{body}");
        let (status, body) = post_form(&app, "/api/v1/series", "match[]=up&match[]=requests_total").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["data"].as_array().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn errors_are_prometheus_shaped() {
        let app = loaded();
        check(&app, "/api/v1/query?query=sum(up", StatusCode::BAD_REQUEST, json!({
            "status": "error", "errorType": "bad_data",
            "error": "invalid parameter \"query\": 1:7: parse error: unexpected end of input in aggregation, expected \")\""
        }))
        .await;
        check(
            &app,
            "/api/v1/query",
            StatusCode::BAD_REQUEST,
            json!({
                "status": "error", "errorType": "bad_data", "error": "invalid parameter \"query\": missing"
            }),
        )
        .await;
        check(
            &app,
            "/api/v1/query?query=up&time=yesterday",
            StatusCode::BAD_REQUEST,
            json!({
                "status": "error", "errorType": "bad_data",
                "error": "invalid parameter \"time\": cannot parse \"yesterday\" to a valid timestamp"
            }),
        )
        .await;
        check(
            &app,
            "/api/v1/query_range?query=up&start=10&end=0&step=1",
            StatusCode::BAD_REQUEST,
            json!({
                "status": "error", "errorType": "bad_data",
                "error": "invalid parameter \"end\": end timestamp must not be before start time"
            }),
        )
        .await;
        check(&app, "/api/v1/query_range?query=up&start=0&end=100000&step=1", StatusCode::BAD_REQUEST, json!({
            "status": "error", "errorType": "bad_data",
            "error": "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"
        }))
        .await;
        // Dropping the metric name makes two series identical: valid PromQL that cannot be computed.
        check(&app, "/api/v1/query?query=abs(%7B__name__%3D~%22up%7Crequests_total%22%2Cjob%3D%22api%22%7D)&time=600", StatusCode::UNPROCESSABLE_ENTITY, json!({
            "status": "error", "errorType": "execution", "error": "vector cannot contain metrics with the same labelset"
        }))
        .await;
    }

    #[tokio::test]
    async fn labels_values_series_and_buildinfo() {
        let app = loaded();
        check(&app, "/api/v1/labels", StatusCode::OK, json!({"status": "success", "data": ["__name__", "job"]})).await;
        check(&app, "/api/v1/label/job/values", StatusCode::OK, json!({"status": "success", "data": ["api", "db"]}))
            .await;
        check(
            &app,
            "/api/v1/label/job/values?match[]=requests_total",
            StatusCode::OK,
            json!({"status": "success", "data": ["api"]}),
        )
        .await;
        check(
            &app,
            "/api/v1/series?match[]=up%7Bjob%3D%22db%22%7D",
            StatusCode::OK,
            json!({
                "status": "success", "data": [{"__name__": "up", "job": "db"}]
            }),
        )
        .await;
        check(
            &app,
            "/api/v1/series",
            StatusCode::BAD_REQUEST,
            json!({
                "status": "error", "errorType": "bad_data", "error": "no match[] parameter provided"
            }),
        )
        .await;
        let (status, body) = get(&app, "/api/v1/status/buildinfo").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(r#""version":"0.1.0""#) && body.contains("goVersion"), "{body}");
    }
}
