//! Helpers for tests that drive the HTTP app without a socket.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::state::AppState;

/// A store in a fresh temporary directory (left behind in the system's temp dir).
pub fn db() -> std::sync::Arc<lookout_tsdb::Db> {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("lookout-server-test-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::sync::Arc::new(lookout_tsdb::Db::open(&dir, lookout_tsdb::Limits::default()).unwrap().0)
}

/// A log store in a fresh temporary directory (left behind in the system's temp dir).
pub fn log_store() -> std::sync::Arc<lookout_logs::LogStore> {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("lookout-server-test-logs-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::sync::Arc::new(lookout_logs::LogStore::open(&dir).unwrap().0)
}

/// A fresh, empty temporary directory named for the test (left behind in the system's temp dir).
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lookout-server-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An app with storage open and no demo.
pub fn app() -> (AppState, Router) {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut state = AppState::new(db(), log_store(), 0, false);
    let dir = temp_dir(&format!("app-{n}"));
    state.annotations =
        Some(std::sync::Arc::new(crate::annotations::Annotations::open(&dir.join("annotations.jsonl")).unwrap()));
    state.set_ready();
    (state.clone(), crate::app::app(state, None))
}

/// The admin's password in [`app_with_auth`].
pub const ADMIN_PASSWORD: &str = "admin password";

/// An app with sign-in on and `admin` created with [`ADMIN_PASSWORD`].
pub fn app_with_auth() -> (AppState, Router) {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("lookout-server-test-auth-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = lookout_auth::Store::open(&dir).unwrap();
    store.ensure_admin(Some(ADMIN_PASSWORD), 0).unwrap();
    let mut state = AppState::new(db(), log_store(), 0, false);
    state.dashboards = Some(std::sync::Arc::new(crate::dashboards::Dashboards::open(&dir.join("dashboards")).unwrap()));
    state.auth = crate::auth::Auth::on(std::sync::Arc::new(store), false);
    state.set_ready();
    (state.clone(), crate::app::app(state, None))
}

pub async fn get(app: &Router, uri: &str) -> (StatusCode, String) {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub async fn post_form(app: &Router, uri: &str, form: &str) -> (StatusCode, String) {
    let request = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .unwrap();
    send(app, request).await
}

/// A request with a JSON body (empty for none).
pub async fn send_json(app: &Router, method: &str, uri: &str, body: &str) -> (StatusCode, String) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    send(app, request).await
}

pub async fn send(app: &Router, request: Request<Body>) -> (StatusCode, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Percent-encodes a query-string value.
pub fn url_encode(text: &str) -> String {
    serde_urlencoded::to_string([("v", text)]).unwrap().split_off(2)
}
