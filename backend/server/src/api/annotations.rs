//! Grafana's annotations API (`/api/annotations`: add, list, get, replace, patch, delete, tags,
//! and Graphite's form), plus `GET /api/health` and `GET /api/folders` as Grafana answers them,
//! so CI pipelines and Grafana API clients such as `grafana-client` work unchanged.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use lookout_types::grafana::{Annotation, AnnotationInput, AnnotationWritten, FolderHit, GraphiteAnnotation, Health};
use serde::Serialize;

use super::grafana::GrafanaError;
use super::params::Params;
use crate::annotations::{AnnotationError, Annotations, Query};
use crate::state::AppState;
use crate::timefmt::now_ms;

/// An annotation body is small; this leaves room for large `data`.
const MAX_BODY: usize = 256 << 10;

pub fn router() -> Router<AppState> {
    let routes = Router::new()
        .route("/api/annotations", get(annotations_list).post(annotation_create))
        .route("/api/annotations/graphite", post(annotation_create_graphite))
        .route("/api/annotations/tags", get(tags_list))
        .route(
            "/api/annotations/{id}",
            get(annotation_get).put(annotation_replace).patch(annotation_patch).delete(annotation_delete),
        )
        .route("/api/health", get(health_get))
        .route("/api/folders", get(folders_list));
    super::with_body_limit(routes, MAX_BODY)
}

fn store(state: &AppState) -> Result<std::sync::Arc<Annotations>, GrafanaError> {
    state
        .annotations
        .clone()
        .ok_or_else(|| GrafanaError(StatusCode::SERVICE_UNAVAILABLE, "annotations are not open yet".into(), None))
}

impl From<AnnotationError> for GrafanaError {
    fn from(e: AnnotationError) -> Self {
        let status = match e {
            AnnotationError::NotFound => StatusCode::NOT_FOUND,
            AnnotationError::NoText | AnnotationError::TooLong => StatusCode::BAD_REQUEST,
            AnnotationError::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        GrafanaError(status, e.to_string(), None)
    }
}

fn bad(message: &str) -> GrafanaError {
    GrafanaError(StatusCode::BAD_REQUEST, message.into(), None)
}

fn body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, GrafanaError> {
    serde_json::from_slice(bytes).map_err(|_| bad("bad request data"))
}

fn id(text: &str) -> Result<i64, GrafanaError> {
    text.parse().map_err(|_| bad("annotationId is invalid"))
}

/// Runs a store call off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AnnotationError> + Send + 'static,
) -> Result<T, GrafanaError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| GrafanaError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string(), None))?
        .map_err(GrafanaError::from)
}

fn written(message: &str, id: Option<i64>) -> Json<AnnotationWritten> {
    Json(AnnotationWritten { message: message.into(), id })
}

async fn annotation_create(
    State(state): State<AppState>,
    caller: crate::auth::Caller,
    bytes: axum::body::Bytes,
) -> Result<Json<AnnotationWritten>, GrafanaError> {
    let input: AnnotationInput = body(&bytes)?;
    let store = store(&state)?;
    let login = caller.name(None);
    let id = blocking(move || store.add(input, &login, now_ms())).await?;
    Ok(written("Annotation added", Some(id)))
}

async fn annotation_create_graphite(
    State(state): State<AppState>,
    caller: crate::auth::Caller,
    bytes: axum::body::Bytes,
) -> Result<Json<AnnotationWritten>, GrafanaError> {
    let refused = || bad("Failed to save Graphite annotation");
    let graphite: GraphiteAnnotation = body(&bytes)?;
    let what = graphite.what.filter(|w| !w.is_empty()).ok_or_else(refused)?;
    let tags = match graphite.tags {
        Some(serde_json::Value::String(spaced)) => spaced.split_whitespace().map(str::to_string).collect(),
        Some(serde_json::Value::Array(items)) => items
            .into_iter()
            .map(|t| t.as_str().map(str::to_string).ok_or_else(refused))
            .collect::<Result<Vec<_>, _>>()?,
        _ => return Err(refused()),
    };
    let text = match graphite.data.filter(|d| !d.is_empty()) {
        Some(data) => format!("{what}\n{data}"),
        None => what,
    };
    let input = AnnotationInput {
        time: graphite.when.filter(|w| *w > 0).map(|w| w.saturating_mul(1000)),
        tags: Some(tags),
        text: Some(text),
        ..Default::default()
    };
    let store = store(&state)?;
    let login = caller.name(None);
    let id = blocking(move || store.add(input, &login, now_ms())).await?;
    Ok(written("Graphite annotation added", Some(id)))
}

async fn annotations_list(
    State(state): State<AppState>,
    params: Params,
) -> Result<Json<Vec<Annotation>>, GrafanaError> {
    let number = |key: &str| -> Result<Option<i64>, GrafanaError> {
        match params.get(key).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => {
                v.parse::<i64>().map(|n| Some(n).filter(|n| *n != 0)).map_err(|_| bad(&format!("invalid {key}")))
            }
        }
    };
    let (from, to) = (number("from")?, number("to")?);
    let dashboard_uid = params.get("dashboardUID").filter(|u| !u.is_empty()).map(str::to_string);
    if let Some(uid) = &dashboard_uid
        && state.dashboards.as_ref().is_none_or(|d| d.get(uid).is_none())
    {
        return Err(bad("Invalid dashboard UID in annotation request"));
    }
    let query = Query {
        range: from.zip(to),
        limit: number("limit")?.map_or(0, |n| n.max(0) as usize),
        tags: params.all("tags").into_iter().filter(|t| !t.is_empty()).map(str::to_string).collect(),
        match_any: matches!(params.get("matchAny"), Some("true" | "1" | "t" | "T" | "TRUE" | "True")),
        dashboard_uid,
        dashboard_id: number("dashboardId")?,
        panel_id: number("panelId")?,
        alerts: match params.get("type") {
            Some("alert") => Some(true),
            Some("annotation") => Some(false),
            _ => None,
        },
    };
    Ok(Json(store(&state)?.query(&query)))
}

async fn annotation_get(
    State(state): State<AppState>,
    Path(text): Path<String>,
) -> Result<Json<Annotation>, GrafanaError> {
    let id = id(&text)?;
    store(&state)?.get(id).map(Json).ok_or_else(|| AnnotationError::NotFound.into())
}

async fn update(state: AppState, text: String, bytes: &[u8], patch: bool) -> Result<(), GrafanaError> {
    let id = id(&text)?;
    let input: AnnotationInput = body(bytes)?;
    let store = store(&state)?;
    blocking(move || store.update(id, input, patch, now_ms())).await
}

async fn annotation_replace(
    State(state): State<AppState>,
    Path(text): Path<String>,
    bytes: axum::body::Bytes,
) -> Result<Json<AnnotationWritten>, GrafanaError> {
    update(state, text, &bytes, false).await?;
    Ok(written("Annotation updated", None))
}

async fn annotation_patch(
    State(state): State<AppState>,
    Path(text): Path<String>,
    bytes: axum::body::Bytes,
) -> Result<Json<AnnotationWritten>, GrafanaError> {
    update(state, text, &bytes, true).await?;
    Ok(written("Annotation patched", None))
}

async fn annotation_delete(
    State(state): State<AppState>,
    Path(text): Path<String>,
) -> Result<Json<AnnotationWritten>, GrafanaError> {
    let id = id(&text)?;
    let store = store(&state)?;
    blocking(move || store.delete(id)).await?;
    Ok(written("Annotation deleted", None))
}

/// `GET /api/annotations/tags`: `{"result":{"tags":[{"tag","count"}]}}`.
#[derive(Serialize)]
struct TagsAnswer {
    result: TagsResult,
}

#[derive(Serialize)]
struct TagsResult {
    tags: Vec<TagCount>,
}

#[derive(Serialize)]
struct TagCount {
    tag: String,
    count: usize,
}

async fn tags_list(State(state): State<AppState>, params: Params) -> Result<Json<TagsAnswer>, GrafanaError> {
    let limit = params.get("limit").and_then(|l| l.parse().ok()).unwrap_or(100);
    let tags = store(&state)?.tags(params.get("tag").unwrap_or(""), limit);
    Ok(Json(TagsAnswer {
        result: TagsResult { tags: tags.into_iter().map(|(tag, count)| TagCount { tag, count }).collect() },
    }))
}

/// Grafana's health answer; the "database" is Lookout's storage.
async fn health_get(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let ok = state.is_ready();
    let health = Health {
        commit: option_env!("LOOKOUT_COMMIT").unwrap_or("unknown").into(),
        database: if ok { "ok" } else { "failing" }.into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    (if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, Json(health))
}

/// Lookout's dashboards are not kept in folders: the list Grafana gives when there are none.
async fn folders_list() -> Json<Vec<FolderHit>> {
    Json(Vec::new())
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use crate::testing::{app, get, send_json};

    #[tokio::test]
    async fn as_grafana_clients_call_it() {
        let (_, app) = app();
        // grafana-client sends nulls for what it was not given.
        let body = r#"{"panelId":null,"time":1000,"timeEnd":null,"tags":["deploy","checkout"],"text":"deploy v2"}"#;
        let (status, answer) = send_json(&app, "POST", "/api/annotations", body).await;
        assert_eq!((status, answer.as_str()), (StatusCode::OK, r#"{"message":"Annotation added","id":1}"#));
        let (status, answer) = send_json(&app, "POST", "/api/annotations", r#"{"text":""}"#).await;
        assert_eq!((status, answer.as_str()), (StatusCode::BAD_REQUEST, r#"{"message":"Failed to save annotation"}"#));
        let (status, _) = send_json(&app, "POST", "/api/annotations", "{not json").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let graphite = r#"{"what":"Event - deploy","tags":"deploy production","when":2,"data":null}"#;
        let (status, answer) = send_json(&app, "POST", "/api/annotations/graphite", graphite).await;
        assert_eq!((status, answer.as_str()), (StatusCode::OK, r#"{"message":"Graphite annotation added","id":2}"#));

        let (status, list) = get(&app, "/api/annotations?from=500&to=1500&tags=deploy").await;
        assert_eq!(status, StatusCode::OK);
        let list: serde_json::Value = serde_json::from_str(&list).unwrap();
        assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
        assert_eq!(list[0]["text"], "deploy v2");
        assert_eq!(list[0]["dashboardUID"], serde_json::Value::Null);
        assert_eq!(list[0]["timeEnd"], 1000);
        let (_, all) = get(&app, "/api/annotations?").await;
        assert_eq!(serde_json::from_str::<serde_json::Value>(&all).unwrap().as_array().map(Vec::len), Some(2));

        let (status, answer) =
            send_json(&app, "PATCH", "/api/annotations/1", r#"{"text":"deploy v2.1","tags":null}"#).await;
        assert_eq!((status, answer.as_str()), (StatusCode::OK, r#"{"message":"Annotation patched"}"#));
        let (status, answer) =
            send_json(&app, "PUT", "/api/annotations/1", r#"{"text":"replaced","tags":["x"]}"#).await;
        assert_eq!((status, answer.as_str()), (StatusCode::OK, r#"{"message":"Annotation updated"}"#));
        let (_, one) = get(&app, "/api/annotations/1").await;
        assert!(one.contains(r#""text":"replaced""#) && one.contains(r#""tags":["x"]"#), "{one}");
        let (status, answer) = send_json(&app, "DELETE", "/api/annotations/None", "").await;
        assert_eq!((status, answer.as_str()), (StatusCode::BAD_REQUEST, r#"{"message":"annotationId is invalid"}"#));
        let (status, answer) = send_json(&app, "DELETE", "/api/annotations/1", "").await;
        assert_eq!((status, answer.as_str()), (StatusCode::OK, r#"{"message":"Annotation deleted"}"#));
        let (status, answer) = get(&app, "/api/annotations/1").await;
        assert_eq!((status, answer.as_str()), (StatusCode::NOT_FOUND, r#"{"message":"Annotation not found"}"#));
        let (status, _) = get(&app, "/api/annotations?dashboardUID=nope").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn health_and_folders() {
        let (_, app) = app();
        let (status, health) = get(&app, "/api/health").await;
        assert_eq!(status, StatusCode::OK);
        let health: serde_json::Value = serde_json::from_str(&health).unwrap();
        assert_eq!(health["database"], "ok");
        assert_eq!(health.as_object().map(|o| o.len()), Some(3));
        assert_eq!(get(&app, "/api/folders").await, (StatusCode::OK, "[]".to_string()));
    }
}
