//! Sign-in through the whole HTTP app: credentials of every kind, scopes, CSRF, rate limits, and
//! the user recorded on changes.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::testing::{ADMIN_PASSWORD, app_with_auth};

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn call(app: &Router, method: &str, uri: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app.clone().oneshot(request.body(Body::from(body.to_string())).unwrap()).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = String::from_utf8_lossy(&response.into_body().collect().await.unwrap().to_bytes()).into_owned();
    Answer { status, headers, body }
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

/// Signs in through the login API; the `Cookie` header value and the CSRF token.
async fn sign_in(app: &Router, user: &str, password: &str) -> (String, String) {
    let body = format!(r#"{{"user":"{user}","password":"{password}"}}"#);
    let answer = call(app, "POST", "/api/lookout/login", &[("content-type", "application/json")], &body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let cookies: Vec<String> = answer
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect();
    let session = answer.headers.get_all(header::SET_COOKIE).iter().next().unwrap().to_str().unwrap().to_string();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"), "{session}");
    let csrf = cookies.iter().find_map(|c| c.strip_prefix("lookout_csrf=")).unwrap().to_string();
    (cookies.join("; "), csrf)
}

async fn make_user(app: &Router, name: &str, role: &str) {
    let admin = basic("admin", ADMIN_PASSWORD);
    let body = format!(r#"{{"name":"{name}","role":"{role}","password":"{name} password"}}"#);
    let answer = call(app, "POST", "/api/lookout/users", &[("authorization", &admin)], &body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
}

#[tokio::test]
async fn without_credentials_only_probes_and_sign_in_are_open() {
    let (_, app) = app_with_auth();
    assert_eq!(call(&app, "GET", "/-/healthy", &[], "").await.status, StatusCode::OK);
    assert_eq!(call(&app, "GET", "/-/ready", &[], "").await.status, StatusCode::OK);
    let me = call(&app, "GET", "/api/lookout/me", &[], "").await;
    assert_eq!(me.body, r#"{"authEnabled":true,"user":null}"#);
    for (method, uri) in [("GET", "/api/v1/query?query=1"), ("POST", "/api/v1/write"), ("GET", "/metrics")] {
        let answer = call(&app, method, uri, &[], "").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(answer.headers[header::WWW_AUTHENTICATE], r#"Basic realm="Lookout""#);
        assert!(answer.body.contains(r#""errorType":"unauthorized""#), "{}", answer.body);
    }
    // The UI's own requests get no basic-auth challenge (no password dialog pops up).
    let answer = call(&app, "GET", "/api/v1/query?query=1", &[("x-requested-with", "XMLHttpRequest")], "").await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(answer.headers.get(header::WWW_AUTHENTICATE).is_none());
}

#[tokio::test]
async fn roles_decide_what_basic_auth_may_do() {
    let (_, app) = app_with_auth();
    make_user(&app, "vic", "viewer").await;
    let vic = basic("vic", "vic password");
    let query = call(
        &app,
        "POST",
        "/api/v1/query",
        &[("authorization", &vic), ("content-type", "application/x-www-form-urlencoded")],
        "query=1%2B1",
    )
    .await;
    assert_eq!(query.status, StatusCode::OK, "{}", query.body);
    let push = call(&app, "POST", "/api/v1/logs", &[("authorization", &vic)], "{\"msg\":\"x\"}\n").await;
    assert_eq!(push.status, StatusCode::FORBIDDEN);
    assert!(push.body.contains("needs the ingest scope; vic has read"), "{}", push.body);
    let users = call(&app, "GET", "/api/lookout/users", &[("authorization", &vic)], "").await;
    assert_eq!(users.status, StatusCode::FORBIDDEN);
    let wrong = call(&app, "GET", "/api/v1/labels", &[("authorization", &basic("vic", "not it"))], "").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_ingest_token_pushes_and_reads_nothing() {
    let (_, app) = app_with_auth();
    let admin = basic("admin", ADMIN_PASSWORD);
    let created = call(
        &app,
        "POST",
        "/api/lookout/tokens",
        &[("authorization", &admin)],
        r#"{"name":"agent","scopes":["ingest"]}"#,
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let created: lookout_types::auth::CreatedToken = serde_json::from_str(&created.body).unwrap();
    assert_eq!((created.token.owner.as_str(), created.token.scopes.as_slice()), ("admin", &["ingest".to_string()][..]));
    let bearer = format!("Bearer {}", created.secret);
    let push = call(&app, "POST", "/api/v1/logs", &[("authorization", &bearer)], "{\"msg\":\"hello\"}\n").await;
    assert_eq!(push.status, StatusCode::OK, "{}", push.body);
    let read = call(&app, "GET", "/api/v1/labels", &[("authorization", &bearer)], "").await;
    assert_eq!(read.status, StatusCode::FORBIDDEN);
    // The listing never shows the secret; deleting the token ends it.
    let listed = call(&app, "GET", "/api/lookout/tokens", &[("authorization", &admin)], "").await;
    assert!(listed.body.contains(&created.token.id) && !listed.body.contains(&created.secret), "{}", listed.body);
    let uri = format!("/api/lookout/tokens/{}", created.token.id);
    assert_eq!(call(&app, "DELETE", &uri, &[("authorization", &admin)], "").await.status, StatusCode::NO_CONTENT);
    let push = call(&app, "POST", "/api/v1/logs", &[("authorization", &bearer)], "{\"msg\":\"x\"}\n").await;
    assert_eq!(push.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_session_writes_only_with_its_csrf_token_and_records_its_user() {
    let (state, app) = app_with_auth();
    make_user(&app, "ed", "editor").await;
    let (cookie, csrf) = sign_in(&app, "ed", "ed password").await;
    let me = call(&app, "GET", "/api/lookout/me", &[("cookie", &cookie)], "").await;
    assert!(me.body.contains(r#""name":"ed","role":"editor""#), "{}", me.body);

    let dashboard = r#"{"dashboard":{"title":"Mine","panels":[]},"message":"first"}"#;
    let json = ("content-type", "application/json");
    let forged = call(&app, "POST", "/api/dashboards/db", &[("cookie", &cookie), json], dashboard).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no CSRF header: {}", forged.body);
    let wrong =
        call(&app, "POST", "/api/dashboards/db", &[("cookie", &cookie), json, ("x-csrf-token", "nope")], dashboard)
            .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let saved =
        call(&app, "POST", "/api/dashboards/db", &[("cookie", &cookie), json, ("x-csrf-token", &csrf)], dashboard)
            .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let stored = state.dashboards.as_ref().unwrap().list();
    assert_eq!(stored[0].latest().created_by, "ed");

    // Signing out ends the session for good, and clears the cookies.
    let out = call(&app, "POST", "/api/lookout/logout", &[("cookie", &cookie)], "").await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(out.headers[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    let after = call(&app, "GET", "/api/lookout/me", &[("cookie", &cookie)], "").await;
    assert_eq!(after.body, r#"{"authEnabled":true,"user":null}"#);
}

#[tokio::test]
async fn repeated_failures_are_refused_with_429_even_with_the_right_password() {
    let (_, app) = app_with_auth();
    let json = ("content-type", "application/json");
    for _ in 0..lookout_auth::MAX_FAILURES {
        let answer = call(&app, "POST", "/api/lookout/login", &[json], r#"{"user":"admin","password":"guess"}"#).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let right = format!(r#"{{"user":"admin","password":"{ADMIN_PASSWORD}"}}"#);
    let answer = call(&app, "POST", "/api/lookout/login", &[json], &right).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{}", answer.body);
    let wait: u64 = answer.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=300).contains(&wait), "{wait}");
    // Basic auth for the same user counts the same way; another user is not affected.
    let basic_admin = basic("admin", ADMIN_PASSWORD);
    let answer = call(&app, "GET", "/api/v1/labels", &[("authorization", &basic_admin)], "").await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    let answer = call(&app, "GET", "/api/v1/labels", &[("authorization", &basic("bob", "whatever1"))], "").await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn users_are_managed_by_admins() {
    let (_, app) = app_with_auth();
    let admin = basic("admin", ADMIN_PASSWORD);
    make_user(&app, "rita", "responder").await;
    let again = call(
        &app,
        "POST",
        "/api/lookout/users",
        &[("authorization", &admin)],
        r#"{"name":"rita","role":"viewer","password":"12345678"}"#,
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let bad_role = call(
        &app,
        "POST",
        "/api/lookout/users",
        &[("authorization", &admin)],
        r#"{"name":"x","role":"root","password":"12345678"}"#,
    )
    .await;
    assert_eq!(bad_role.status, StatusCode::BAD_REQUEST);
    assert!(bad_role.body.contains("unknown role"), "{}", bad_role.body);
    let promote =
        call(&app, "PUT", "/api/lookout/users/rita", &[("authorization", &admin)], r#"{"role":"editor"}"#).await;
    assert_eq!(promote.status, StatusCode::NO_CONTENT, "{}", promote.body);
    let listed = call(&app, "GET", "/api/lookout/users", &[("authorization", &admin)], "").await;
    assert!(listed.body.contains(r#""name":"rita","role":"editor""#), "{}", listed.body);
    let last = call(&app, "DELETE", "/api/lookout/users/admin", &[("authorization", &admin)], "").await;
    assert_eq!(last.status, StatusCode::CONFLICT, "{}", last.body);

    // Anyone signed in changes their own password, knowing the current one.
    let rita = basic("rita", "rita password");
    let wrong = call(
        &app,
        "PUT",
        "/api/lookout/me/password",
        &[("authorization", &rita)],
        r#"{"current":"nope","new":"rita's new one"}"#,
    )
    .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let changed = call(
        &app,
        "PUT",
        "/api/lookout/me/password",
        &[("authorization", &rita)],
        r#"{"current":"rita password","new":"rita's new one"}"#,
    )
    .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.body);
    assert_eq!(
        call(&app, "GET", "/api/v1/labels", &[("authorization", &rita)], "").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn malformed_credentials_are_401s_never_errors() {
    let (_, app) = app_with_auth();
    let cases = ["Basic !!!not base64", "Basic", "Basic bm9jb2xvbg==", "Bearer", "Bearer ", "Digest abc", ""];
    for value in cases {
        let answer = call(&app, "GET", "/api/v1/labels", &[("authorization", value)], "").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{value:?}: {}", answer.body);
    }
    for cookie in ["lookout_session=", "lookout_session", "=;;=", "lookout_session=zz; lookout_csrf"] {
        let answer = call(&app, "GET", "/api/v1/labels", &[("cookie", cookie)], "").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{cookie:?}");
    }
    // Open routes stay open whatever the credentials.
    let answer = call(&app, "GET", "/-/healthy", &[("authorization", "Basic !!!")], "").await;
    assert_eq!(answer.status, StatusCode::OK);
}
