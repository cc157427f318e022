//! Data sources as Grafana serves them: `GET /api/datasources` lists Lookout's own store and the
//! named sources, and `/api/datasources/proxy/uid/{uid}/{*path}` passes a read on to a named
//! source (its query, series and label endpoints only) with its answer as it came.

use axum::extract::{OriginalUri, Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use lookout_types::grafana::DataSourceInfo;

use super::ApiError;
use super::params::Params;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/datasources", get(list))
        .route("/api/datasources/proxy/uid/{uid}/{*path}", get(proxy).post(proxy))
}

async fn list(State(state): State<AppState>) -> Json<Vec<DataSourceInfo>> {
    Json(state.sources.list())
}

async fn proxy(
    State(state): State<AppState>,
    Path((uid, path)): Path<(String, String)>,
    uri: OriginalUri,
    params: Params,
) -> Result<Response, ApiError> {
    let source = state.sources.get(Some(&uid)).map_err(ApiError::NotFound)?.ok_or_else(|| {
        ApiError::NotFound(format!("{uid} is Lookout's own store: ask its API ({}) directly", uri.path()))
    })?;
    if !source.readable(&path) {
        return Err(ApiError::NotFound(format!("{path:?} is not a read endpoint of data source {uid}")));
    }
    let answer = source.engine().fetch(&format!("/{path}"), params.pairs()).await.map_err(ApiError::Unavailable)?;
    Ok(super::passed_on(answer))
}
