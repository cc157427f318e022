//! Short links: `POST /api/lookout/links` keeps a view's URL under a short id, `GET /s/{id}`
//! opens it, `GET /api/lookout/links` lists them and `DELETE /api/lookout/links/{id}` removes
//! one.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Redirect;
use axum::routing::{delete, get};
use axum::{Json, Router};
use lookout_types::{CreateShortLink, ShortLink};

use super::ApiError;
use crate::links::{Link, Links};
use crate::state::AppState;
use crate::timefmt::now_ms;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/lookout/links", get(links_list).post(link_create))
        .route("/api/lookout/links/{id}", delete(link_delete))
        .route("/s/{id}", get(link_open))
}

fn links(state: &AppState) -> Result<std::sync::Arc<Links>, ApiError> {
    state.links.clone().ok_or_else(|| ApiError::Unavailable("short links are not open yet".into()))
}

fn wire(link: Link) -> ShortLink {
    ShortLink { path: format!("/s/{}", link.id), id: link.id, target: link.target, created: link.created_ms }
}

async fn link_create(State(state): State<AppState>, body: axum::body::Bytes) -> Result<Json<ShortLink>, ApiError> {
    let request: CreateShortLink =
        serde_json::from_slice(&body).map_err(|e| ApiError::BadData(format!("invalid JSON body: {e}")))?;
    let links = links(&state)?;
    let link = tokio::task::spawn_blocking(move || links.create(&request.target, now_ms()))
        .await
        .map_err(|e| ApiError::Execution(e.to_string()))?
        .map_err(ApiError::BadData)?;
    Ok(Json(wire(link)))
}

async fn links_list(State(state): State<AppState>) -> Result<Json<Vec<ShortLink>>, ApiError> {
    Ok(Json(links(&state)?.list().into_iter().map(wire).collect()))
}

async fn link_delete(State(state): State<AppState>, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let links = links(&state)?;
    let deleted = tokio::task::spawn_blocking(move || links.delete(&id, now_ms()))
        .await
        .map_err(|e| ApiError::Execution(e.to_string()))?
        .map_err(ApiError::Execution)?;
    if deleted { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::NotFound("no such link".into())) }
}

async fn link_open(State(state): State<AppState>, Path(id): Path<String>) -> Result<Redirect, ApiError> {
    links(&state)?.get(&id).map(|l| Redirect::to(&l.target)).ok_or_else(|| ApiError::NotFound("no such link".into()))
}
