//! Serves the UI embedded at build time: hashed assets by path, `index.html` for every other
//! page route (the browser router takes over), gzip when the client accepts it.

use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};

/// One embedded file of the built UI.
struct Asset {
    path: &'static str,
    body: &'static [u8],
    gzip: Option<&'static [u8]>,
}

static ASSETS: &[Asset] = include!(concat!(env!("OUT_DIR"), "/assets.rs"));

const NOT_BUILT: &str = "<!doctype html><title>Lookout</title><h1>The Lookout UI was not built into this binary</h1>\
<p>Run <code>make build</code> (or <code>make run</code>), which builds the UI with trunk before the server.</p>";

/// Whether this binary carries a UI.
pub fn ui_embedded() -> bool {
    ASSETS.iter().any(|a| a.path == "index.html")
}

pub async fn serve(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    if let Some(asset) = ASSETS.iter().find(|a| a.path == path && !path.is_empty()) {
        // Trunk puts a content hash in every asset name except index.html, so they never go stale.
        return respond(asset, &headers, "public, max-age=31536000, immutable");
    }
    // Unknown files (anything with an extension) are 404s; page routes get the app shell.
    if path.rsplit('/').next().is_some_and(|last| last.contains('.')) {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    match ASSETS.iter().find(|a| a.path == "index.html") {
        Some(index) => respond(index, &headers, "no-cache"),
        None => (StatusCode::OK, Html(NOT_BUILT)).into_response(),
    }
}

fn respond(asset: &Asset, headers: &HeaderMap, cache: &'static str) -> Response {
    let accepts_gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|enc| enc.trim().starts_with("gzip")));
    let mut response = match (asset.gzip, accepts_gzip) {
        (Some(gz), true) => {
            let mut r = gz.into_response();
            r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            r
        }
        _ => asset.body.into_response(),
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(asset.path)));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}
