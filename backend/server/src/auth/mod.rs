//! Sign-in for the HTTP surface: who a request is from ([`middleware`]), what each route needs
//! ([`access`]), and the session cookies. The users, tokens and sessions live in `lookout-auth`.

pub mod access;
pub mod middleware;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use lookout_auth::{Principal, Store};

/// The cookie that carries the session id (HttpOnly: scripts never see it).
pub const SESSION_COOKIE: &str = "lookout_session";
/// The cookie that carries the session's CSRF token, which the UI reads and repeats in
/// [`CSRF_HEADER`] on every write: a page on another site can make the browser send cookies, but
/// cannot read them.
pub const CSRF_COOKIE: &str = "lookout_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Whether sign-in is on, and the store it checks against.
#[derive(Clone, Default)]
pub struct Auth {
    store: Option<Arc<Store>>,
    /// Cookies get `Secure` (Lookout serves TLS itself).
    pub secure_cookies: bool,
}

impl Auth {
    /// Sign-in off: every request may do everything (for use behind a proxy that checks).
    pub fn off() -> Auth {
        Auth::default()
    }

    pub fn on(store: Arc<Store>, secure_cookies: bool) -> Auth {
        Auth { store: Some(store), secure_cookies }
    }

    /// The store, when sign-in is on.
    pub fn store(&self) -> Option<&Arc<Store>> {
        self.store.as_ref()
    }

    /// Sets the cookies that start a session (its id and CSRF token), or end one (`None`).
    pub fn set_cookies(&self, response: &mut axum::response::Response, session: Option<(&str, &str)>) {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        let (id, csrf, age) = match session {
            Some((id, csrf)) => (id, csrf, lookout_auth::SESSION_MAX_MS / 1000),
            None => ("", "", 0),
        };
        let cookies = [
            format!("{SESSION_COOKIE}={id}; Path=/; Max-Age={age}; HttpOnly; SameSite=Strict{secure}"),
            format!("{CSRF_COOKIE}={csrf}; Path=/; Max-Age={age}; SameSite=Strict{secure}"),
        ];
        for value in cookies {
            // Ids and tokens are hex, so every value is a valid header value.
            let value = value.parse().expect("cookie values are ASCII");
            response.headers_mut().append(axum::http::header::SET_COOKIE, value);
        }
    }
}

/// Who made the request, as the auth middleware found it: `None` when sign-in is off or the route
/// is open and nobody signed in.
#[derive(Debug, Clone, Default)]
pub struct Caller(pub Option<Principal>);

impl Caller {
    /// The name to record for a change: the signed-in user's, or with sign-in off what the client
    /// claims (`anonymous` if nothing).
    pub fn name(&self, claimed: Option<String>) -> String {
        match &self.0 {
            Some(principal) => principal.name.clone(),
            None => claimed.filter(|c| !c.trim().is_empty()).unwrap_or_else(|| "anonymous".into()),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Caller>().cloned().unwrap_or_default())
    }
}
