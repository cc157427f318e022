//! Grafana's dashboard HTTP API, the part that saves, reads, lists, versions and deletes
//! dashboards (`/api/dashboards/db`, `/api/dashboards/uid/{uid}`, `…/versions`, `/api/search`),
//! so scripts and tools written for Grafana work against Lookout. Errors are Grafana's:
//! `{"message": …}` with 400, 404, 412 or 500.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use lookout_types::grafana::{
    DashboardHit, DashboardMeta, DashboardVersion, DashboardVersionData, DashboardWithMeta, DeletedDashboard,
    SaveDashboard, SavedDashboard,
};
use serde_json::Value;

use super::grafana::GrafanaError;
use super::params::Params;
use crate::dashboards::{Dashboard, DashboardError, Dashboards, MAX_DASHBOARD_BYTES};
use crate::state::AppState;
use crate::timefmt::{now_ms, rfc3339_millis};

pub fn router() -> Router<AppState> {
    let routes = Router::new()
        .route("/api/dashboards/db", post(dashboard_save))
        .route("/api/dashboards/uid/{uid}", get(dashboard_get).delete(dashboard_delete))
        .route("/api/dashboards/uid/{uid}/versions", get(versions_list))
        .route("/api/dashboards/uid/{uid}/versions/{version}", get(version_get))
        .route("/api/search", get(search));
    super::with_body_limit(routes, MAX_DASHBOARD_BYTES)
}

impl From<DashboardError> for GrafanaError {
    fn from(e: DashboardError) -> Self {
        match e {
            DashboardError::Invalid(m) => GrafanaError(StatusCode::BAD_REQUEST, m, None),
            DashboardError::NotFound => {
                GrafanaError(StatusCode::NOT_FOUND, "Dashboard not found".into(), Some("not-found"))
            }
            DashboardError::VersionMismatch => GrafanaError(
                StatusCode::PRECONDITION_FAILED,
                "The dashboard has been changed by someone else".into(),
                Some("version-mismatch"),
            ),
            DashboardError::Provisioned => GrafanaError(
                StatusCode::BAD_REQUEST,
                "Cannot save or delete a provisioned dashboard; change its file instead".into(),
                None,
            ),
            DashboardError::Storage(m) => GrafanaError(StatusCode::INTERNAL_SERVER_ERROR, m, None),
        }
    }
}

fn store(state: &AppState) -> Result<std::sync::Arc<Dashboards>, GrafanaError> {
    state
        .dashboards
        .clone()
        .ok_or_else(|| GrafanaError(StatusCode::SERVICE_UNAVAILABLE, "dashboards are not open yet".into(), None))
}

/// A dashboard's slug in its URL, as Grafana makes them.
fn slug(title: &str) -> String {
    crate::dashboards::slug(title, '-')
}

fn url(d: &Dashboard) -> String {
    format!("/d/{}/{}", d.uid, slug(&d.title()))
}

async fn dashboard_save(
    State(state): State<AppState>,
    caller: crate::auth::Caller,
    body: axum::body::Bytes,
) -> Result<Json<SavedDashboard>, GrafanaError> {
    let request: SaveDashboard<Value> = serde_json::from_slice(&body)
        .map_err(|e| GrafanaError(StatusCode::BAD_REQUEST, format!("bad request data: {e}"), None))?;
    let dashboards = store(&state)?;
    let saved = tokio::task::spawn_blocking(move || {
        dashboards.save(request.dashboard, request.message, &caller.name(None), request.overwrite, now_ms())
    })
    .await
    .map_err(|e| GrafanaError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string(), None))??;
    let uid = saved.json["uid"].as_str().unwrap_or_default().to_string();
    let title = saved.json["title"].as_str().unwrap_or_default().to_string();
    Ok(Json(SavedDashboard {
        status: "success".into(),
        slug: slug(&title),
        url: format!("/d/{uid}/{}", slug(&title)),
        uid,
        version: saved.version,
    }))
}

fn found(state: &AppState, uid: &str) -> Result<Dashboard, GrafanaError> {
    store(state)?.get(uid).ok_or_else(|| DashboardError::NotFound.into())
}

async fn dashboard_get(
    State(state): State<AppState>,
    Path(uid): Path<String>,
) -> Result<Json<DashboardWithMeta<Value>>, GrafanaError> {
    let d = found(&state, &uid)?;
    let first = &d.versions[0];
    let latest = d.latest();
    let meta = DashboardMeta {
        slug: slug(&d.title()),
        url: url(&d),
        version: latest.version,
        provisioned: d.provisioned,
        can_save: !d.provisioned,
        can_edit: true,
        can_delete: !d.provisioned,
        created: rfc3339_millis(first.created_ms),
        updated: rfc3339_millis(latest.created_ms),
        created_by: first.created_by.clone(),
        updated_by: latest.created_by.clone(),
    };
    Ok(Json(DashboardWithMeta { dashboard: latest.json.clone(), meta }))
}

async fn dashboard_delete(
    State(state): State<AppState>,
    Path(uid): Path<String>,
    caller: crate::auth::Caller,
) -> Result<Json<DeletedDashboard>, GrafanaError> {
    let dashboards = store(&state)?;
    let deleted = tokio::task::spawn_blocking(move || dashboards.delete(&uid))
        .await
        .map_err(|e| GrafanaError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string(), None))??;
    let title = deleted.title();
    tracing::info!(uid = %deleted.uid, %title, by = %caller.name(None), "dashboard deleted");
    Ok(Json(DeletedDashboard { message: format!("Dashboard {title} deleted"), title, uid: deleted.uid }))
}

async fn versions_list(
    State(state): State<AppState>,
    Path(uid): Path<String>,
) -> Result<Json<Vec<DashboardVersion>>, GrafanaError> {
    let d = found(&state, &uid)?;
    let versions = d
        .versions
        .iter()
        .rev()
        .map(|v| DashboardVersion {
            version: v.version,
            created: rfc3339_millis(v.created_ms),
            created_by: v.created_by.clone(),
            message: v.message.clone(),
        })
        .collect();
    Ok(Json(versions))
}

async fn version_get(
    State(state): State<AppState>,
    Path((uid, version)): Path<(String, u64)>,
) -> Result<Json<DashboardVersionData<Value>>, GrafanaError> {
    let d = found(&state, &uid)?;
    let v = d.versions.iter().find(|v| v.version == version).ok_or(DashboardError::NotFound)?;
    Ok(Json(DashboardVersionData {
        version: v.version,
        created: rfc3339_millis(v.created_ms),
        message: v.message.clone(),
        data: v.json.clone(),
    }))
}

/// `GET /api/search?query=…&tag=…`: dashboards whose title holds `query`, with every `tag`.
async fn search(State(state): State<AppState>, params: Params) -> Result<Json<Vec<DashboardHit>>, GrafanaError> {
    let query = params.get("query").unwrap_or("").to_lowercase();
    let wanted: Vec<&str> = params.all("tag");
    let hits = store(&state)?
        .list()
        .iter()
        .filter(|d| d.title().to_lowercase().contains(&query))
        .filter_map(|d| {
            let tags = tags(&d.latest().json);
            wanted.iter().all(|w| tags.iter().any(|t| t == w)).then(|| DashboardHit {
                uid: d.uid.clone(),
                title: d.title(),
                url: url(d),
                kind: "dash-db".into(),
                tags,
            })
        })
        .collect();
    Ok(Json(hits))
}

/// A stored dashboard's tags: the strings of its `tags` list.
fn tags(dashboard: &Value) -> Vec<String> {
    let listed = dashboard.get("tags").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    listed.iter().filter_map(Value::as_str).map(str::to_string).collect()
}
