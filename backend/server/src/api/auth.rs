//! Signing in and out (`/api/lookout/login`, `/logout`, `/me`), and managing users and API tokens
//! (`/api/lookout/users`, `/api/lookout/tokens`; admins only, see `auth::access`).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use lookout_auth::{Principal, Role, Scope, Scopes, Store, TokenInfo};
use lookout_types::auth::{ChangePassword, CreateToken, CreateUser, CreatedToken, Login, Me, Token, UpdateUser, User};

use super::ApiError;
use crate::auth::middleware::{ClientAddress, check_password, cookie};
use crate::auth::{Caller, SESSION_COOKIE};
use crate::state::AppState;
use crate::timefmt::now_ms;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/lookout/login", post(login))
        .route("/api/lookout/logout", post(logout))
        .route("/api/lookout/me", get(me))
        .route("/api/lookout/me/password", put(change_password))
        .route("/api/lookout/users", get(users_list).post(user_create))
        .route("/api/lookout/users/{name}", put(user_update).delete(user_delete))
        .route("/api/lookout/tokens", get(tokens_list).post(token_create))
        .route("/api/lookout/tokens/{id}", axum::routing::delete(token_delete))
}

fn store(state: &AppState) -> Result<&Arc<Store>, ApiError> {
    state.auth.store().ok_or_else(|| ApiError::BadData("sign-in is off on this server (LOOKOUT_AUTH=off)".into()))
}

/// Runs `work` (Argon2 hashing, fsynced writes) off the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, lookout_auth::AuthError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| ApiError::Execution(e.to_string()))?.map_err(ApiError::from)
}

fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::BadData(format!("invalid JSON body: {e}")))
}

fn caller_view(principal: &Principal) -> lookout_types::auth::Caller {
    lookout_types::auth::Caller {
        name: principal.name.clone(),
        role: principal.role.map(|r| r.as_str().to_string()).unwrap_or_default(),
        scopes: principal.scopes.iter().map(|s| s.as_str().to_string()).collect(),
    }
}

/// Checks the password (counting failures per address and user), starts a session and sets its
/// cookies.
async fn login(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let store = store(&state)?.clone();
    let Login { user, password } = parse_json(&body)?;
    let Some(principal) = check_password(&store, &client, &user, password, true).await? else {
        tracing::info!(%user, %client, "failed sign-in");
        return Err(ApiError::Unauthorized("wrong user name or password".into()));
    };
    let (id, csrf) = store.create_session(&user, now_ms())?;
    tracing::info!(%user, %client, "signed in");
    let me = Me { auth_enabled: true, user: Some(caller_view(&principal)) };
    let mut response = Json(me).into_response();
    state.auth.set_cookies(&mut response, Some((&id, &csrf)));
    Ok(response)
}

/// Ends the session in the cookie, if any, and clears the cookies.
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let (Some(store), Some(id)) = (state.auth.store(), cookie(&headers, SESSION_COOKIE)) {
        store.end_session(id, now_ms())?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    state.auth.set_cookies(&mut response, None);
    Ok(response)
}

async fn me(State(state): State<AppState>, caller: Caller) -> Json<Me> {
    Json(Me { auth_enabled: state.auth.store().is_some(), user: caller.0.as_ref().map(caller_view) })
}

async fn change_password(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let store = store(&state)?.clone();
    let ChangePassword { current, new } = parse_json(&body)?;
    let Some(Principal { name, role: Some(_), .. }) = caller.0 else {
        return Err(ApiError::BadData("only a signed-in user has a password to change".into()));
    };
    if check_password(&store, &client, &name, current, true).await?.is_none() {
        return Err(ApiError::Forbidden("the current password is wrong".into()));
    }
    blocking(move || store.update_user(&name, None, Some(&new), now_ms())).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn role(text: &str) -> Result<Role, ApiError> {
    Role::parse(text)
        .ok_or_else(|| ApiError::BadData(format!("unknown role {text:?}: viewer, responder, editor or admin")))
}

async fn users_list(State(state): State<AppState>) -> Result<Json<Vec<User>>, ApiError> {
    let users = store(&state)?.users();
    Ok(Json(
        users.into_iter().map(|u| User { name: u.name, role: u.role.as_str().into(), created: u.created_ms }).collect(),
    ))
}

async fn user_create(
    State(state): State<AppState>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let store = store(&state)?.clone();
    let CreateUser { name, role: role_name, password } = parse_json(&body)?;
    let role = role(&role_name)?;
    let user = blocking(move || store.create_user(&name, role, &password, now_ms())).await?;
    tracing::info!(user = %user.name, role = %role, by = %caller.name(None), "user created");
    Ok((StatusCode::CREATED, Json(User { name: user.name, role: role.as_str().into(), created: user.created_ms })))
}

async fn user_update(
    State(state): State<AppState>,
    Path(name): Path<String>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let store = store(&state)?.clone();
    let UpdateUser { role: role_name, password } = parse_json(&body)?;
    let role = role_name.as_deref().map(role).transpose()?;
    let who = name.clone();
    blocking(move || store.update_user(&who, role, password.as_deref(), now_ms())).await?;
    tracing::info!(user = %name, role = ?role.map(Role::as_str), by = %caller.name(None), "user changed");
    Ok(StatusCode::NO_CONTENT)
}

async fn user_delete(
    State(state): State<AppState>,
    Path(name): Path<String>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    store(&state)?.delete_user(&name, now_ms())?;
    tracing::info!(user = %name, by = %caller.name(None), "user deleted");
    Ok(StatusCode::NO_CONTENT)
}

fn token_view(info: TokenInfo) -> Token {
    Token {
        id: info.id,
        name: info.name,
        owner: info.owner,
        scopes: info.scopes.iter().map(|s| s.as_str().to_string()).collect(),
        created: info.created_ms,
        expires: info.expires_ms,
        last_used: info.last_used_ms,
    }
}

async fn tokens_list(State(state): State<AppState>) -> Result<Json<Vec<Token>>, ApiError> {
    Ok(Json(store(&state)?.tokens().into_iter().map(token_view).collect()))
}

async fn token_create(
    State(state): State<AppState>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let store = store(&state)?;
    let CreateToken { name, scopes, owner, expires_in } = parse_json(&body)?;
    let scopes = scopes
        .iter()
        .map(|s| {
            Scope::parse(s)
                .ok_or_else(|| ApiError::BadData(format!("unknown scope {s:?}: read, ingest, respond, edit or admin")))
        })
        .collect::<Result<Scopes, _>>()?;
    let now = now_ms();
    let expires = match expires_in.as_deref() {
        Some(text) => Some(
            now + crate::timefmt::parse_duration(text)
                .map_err(|e| ApiError::BadData(format!("expiresIn: {e}")))?
                .as_millis() as i64,
        ),
        None => None,
    };
    let owner = owner.unwrap_or_else(|| caller.name(None));
    let (info, secret) = store.create_token(&owner, &name, scopes, expires, now)?;
    tracing::info!(token = %info.id, name = %info.name, owner = %info.owner, by = %caller.name(None), "API token created");
    Ok((StatusCode::CREATED, Json(CreatedToken { token: token_view(info), secret })))
}

async fn token_delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    store(&state)?.delete_token(&id, now_ms())?;
    tracing::info!(token = %id, by = %caller.name(None), "API token deleted");
    Ok(StatusCode::NO_CONTENT)
}
