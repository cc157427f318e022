//! The middleware every route passes: finds who the request is from (a bearer token, HTTP basic
//! auth, or the session cookie, in that order), checks the route's scope and, for writes made
//! with a session cookie, the CSRF header. Failed credentials count against the client's address
//! and are refused with 429 once there are too many.

use std::sync::Arc;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use lookout_auth::{Principal, Store, Via};

use super::{Auth, CSRF_HEADER, Caller, SESSION_COOKIE, access};
use crate::api::ApiError;
use crate::timefmt::now_ms;

pub async fn authorize(State(auth): State<Auth>, mut request: Request, next: Next) -> Response {
    let Some(store) = auth.store() else {
        return next.run(request).await;
    };
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
    let needed = access::required(request.method(), route.as_deref());
    let client = client_address(&request);
    let found = identify(store, request.headers(), &client, needed.is_some()).await;
    let principal = match (needed, found) {
        (None, found) => found.ok().flatten(),
        (Some(_), Err(refusal)) => return refused(refusal, request.headers()),
        (Some(_), Ok(None)) => {
            return refused(ApiError::Unauthorized("sign in first".into()), request.headers());
        }
        (Some(scope), Ok(Some(principal))) => {
            if !principal.scopes.contains(scope) {
                let has: Vec<&str> = principal.scopes.iter().map(|s| s.as_str()).collect();
                let message = format!(
                    "this needs the {scope} scope; {} has {}",
                    principal.name,
                    if has.is_empty() { "none".to_string() } else { has.join(", ") }
                );
                return ApiError::Forbidden(message).into_response();
            }
            if let Via::Session { csrf } = &principal.via
                && !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS)
            {
                let sent = request.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
                if sent != csrf {
                    let message = format!("a write made with a session cookie needs the {CSRF_HEADER} header");
                    return ApiError::Forbidden(message).into_response();
                }
            }
            Some(principal)
        }
    };
    request.extensions_mut().insert(Caller(principal));
    next.run(request).await
}

/// Who the credentials in `headers` name. Wrong credentials are an error, counted against the
/// client when `count` (the route needs them), and refused outright once there were too many.
async fn identify(
    store: &Arc<Store>,
    headers: &HeaderMap,
    client: &str,
    count: bool,
) -> Result<Option<Principal>, ApiError> {
    let now = now_ms();
    let Some(value) = headers.get(header::AUTHORIZATION).map(|v| v.to_str().unwrap_or("")) else {
        return Ok(cookie(headers, SESSION_COOKIE).and_then(|id| store.session(id, now)));
    };
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let found = if scheme.eq_ignore_ascii_case("bearer") {
        let key = format!("{client} token");
        limited(store, &key, now)?;
        let found = store.token(rest.trim(), now);
        if found.is_none() && count {
            store.count_failure(&key, now);
        }
        found
    } else if scheme.eq_ignore_ascii_case("basic") {
        let (user, password) =
            basic(rest.trim()).ok_or_else(|| ApiError::Unauthorized("malformed basic credentials".into()))?;
        check_password(store, client, &user, password, count).await?
    } else {
        return Err(ApiError::Unauthorized(format!("unknown authorization scheme {scheme:?}")));
    };
    found.map(Some).ok_or_else(|| ApiError::Unauthorized("wrong credentials".into()))
}

/// Whose `password` it is, if it is `user`'s: refused with 429 while that user has failed too
/// often from `client`, and a failure counted when `count`. A password not seen before costs an
/// Argon2 run, done off the async workers.
pub async fn check_password(
    store: &Arc<Store>,
    client: &str,
    user: &str,
    password: String,
    count: bool,
) -> Result<Option<Principal>, ApiError> {
    let key = format!("{client} {user}");
    let now = now_ms();
    limited(store, &key, now)?;
    let checked = {
        let (store, user) = (store.clone(), user.to_string());
        tokio::task::spawn_blocking(move || store.check_password(&user, &password)).await.ok().flatten()
    };
    if checked.is_none() && count {
        store.count_failure(&key, now);
    }
    Ok(checked)
}

/// 429 when `key` has failed too often lately.
fn limited(store: &Store, key: &str, now: i64) -> Result<(), ApiError> {
    store.check_limit(key, now).map_err(|wait_ms| ApiError::TooManyRequests {
        message: "too many failed sign-ins; try again later".into(),
        retry_after_s: (wait_ms as u64).div_ceil(1000).max(1),
    })
}

/// A 401 asks for basic auth (so curl, browsers on API URLs, and tools know what to send),
/// except to the UI's own requests, where it would pop up the browser's password dialog.
fn refused(error: ApiError, headers: &HeaderMap) -> Response {
    let mut response = error.into_response();
    let from_ui = headers.get("x-requested-with").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"XMLHttpRequest"));
    if response.status() == axum::http::StatusCode::UNAUTHORIZED && !from_ui {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Basic realm=\"Lookout\""));
    }
    response
}

/// The user and password of HTTP basic credentials (`base64(user:password)`).
fn basic(encoded: &str) -> Option<(String, String)> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(encoded).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// The value of cookie `name`.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
}

/// The client's address, for counting failed sign-ins; tests without a socket share one.
fn client_address(request: &Request) -> String {
    address_of(request.extensions())
}

fn address_of(extensions: &axum::http::Extensions) -> String {
    extensions.get::<ConnectInfo<std::net::SocketAddr>>().map_or_else(|| "local".into(), |c| c.0.ip().to_string())
}

/// The client's address, as a handler's argument.
pub struct ClientAddress(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(address_of(&parts.extensions)))
    }
}
