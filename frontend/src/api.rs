//! One async function per server endpoint (Prometheus's and Loki's APIs, and Lookout's own),
//! returning the shared wire types.
//!
//! Every request has a deadline, so a hung server shows up as an error instead of a page that
//! waits forever. Every request says it is the UI's own (`X-Requested-With`, so a 401 does not
//! pop up the browser's password dialog), every write repeats the session's CSRF token, and a
//! 401 sends the app back to the sign-in form.

use std::time::Duration;

use gloo_net::http::Request;
use lookout_types::alertmanager::{AlertGroup, GettableSilence, PostableSilence, SilenceCreated};
use lookout_types::alerts::{AlertAction, AlertStats, AlertView, NotificationAttempt};
use lookout_types::auth::{ChangePassword, CreateToken, CreateUser, CreatedToken, Login, Me, Token, UpdateUser, User};
use lookout_types::grafana::{
    Annotation, Dashboard, DashboardHit, DashboardVersion, DashboardVersionData, DashboardWithMeta, DataSourceInfo,
    SaveDashboard, SavedDashboard,
};
use lookout_types::insight::Investigation;
use lookout_types::logs;
use lookout_types::prometheus::{QueryData, Response, RulesData};
use lookout_types::{CreateShortLink, Overview, ShortLink};
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

use crate::url::{encode, with_query};

/// How long a request may take before it is abandoned.
pub const DEADLINE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq)]
pub enum FetchError {
    /// The server could not be reached, or did not answer within the deadline.
    Unreachable(String),
    /// The server answered with an error status.
    Server { status: u16, message: String },
}

impl FetchError {
    /// What to show under a query: the server's own message, which may carry a position.
    pub fn brief(&self) -> String {
        match self {
            FetchError::Server { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Unreachable(why) => write!(f, "cannot reach the Lookout server ({why})"),
            FetchError::Server { status, message } => {
                write!(f, "the server answered {status}: {message}")
            }
        }
    }
}

/// Marks a request as the UI's own, and a write with the session's CSRF token.
fn ours(request: gloo_net::http::RequestBuilder, write: bool) -> gloo_net::http::RequestBuilder {
    let request = request.header("X-Requested-With", "XMLHttpRequest");
    match crate::session::csrf_token().filter(|_| write) {
        Some(token) => request.header("X-CSRF-Token", &token),
        None => request,
    }
}

async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, FetchError> {
    let deadline = Deadline::start();
    let response =
        checked(ours(Request::get(path), false).abort_signal(deadline.signal().as_ref()).send().await).await?;
    response.json::<T>().await.map_err(|e| FetchError::Unreachable(short(&e.to_string())))
}

/// POSTs `body` as JSON; the answer's body as text (often empty).
async fn post_json(path: &str, body: &impl serde::Serialize) -> Result<String, FetchError> {
    Ok(post(path, body).await?.text().await.unwrap_or_default())
}

/// POSTs `body` as JSON and reads the answer as `T`.
async fn post_for<T: DeserializeOwned>(path: &str, body: &impl serde::Serialize) -> Result<T, FetchError> {
    post(path, body).await?.json::<T>().await.map_err(|e| FetchError::Unreachable(short(&e.to_string())))
}

async fn post(path: &str, body: &impl serde::Serialize) -> Result<gloo_net::http::Response, FetchError> {
    send_json(Request::post(path), body).await
}

async fn send_json(
    request: gloo_net::http::RequestBuilder,
    body: &impl serde::Serialize,
) -> Result<gloo_net::http::Response, FetchError> {
    let deadline = Deadline::start();
    let request = ours(request, true)
        .abort_signal(deadline.signal().as_ref())
        .json(body)
        .map_err(|e| FetchError::Unreachable(short(&e.to_string())))?;
    checked(request.send().await).await
}

/// Aborts a request when [`DEADLINE`] passes; dropping it cancels the timer.
struct Deadline {
    controller: Option<web_sys::AbortController>,
    _timer: Option<gloo_timers::callback::Timeout>,
}

impl Deadline {
    fn start() -> Deadline {
        let controller = web_sys::AbortController::new().ok();
        let timer = controller
            .clone()
            .map(|c| gloo_timers::callback::Timeout::new(DEADLINE.as_millis() as u32, move || c.abort()));
        Deadline { controller, _timer: timer }
    }

    fn signal(&self) -> Option<web_sys::AbortSignal> {
        self.controller.as_ref().map(|c| c.signal())
    }
}

/// A sent request's answer; a non-2xx answer becomes [`FetchError::Server`].
async fn checked(
    sent: Result<gloo_net::http::Response, gloo_net::Error>,
) -> Result<gloo_net::http::Response, FetchError> {
    let response = sent.map_err(|e| FetchError::Unreachable(short(&e.to_string())))?;
    if !response.ok() {
        let status = response.status();
        if status == 401 {
            crate::session::signed_out();
        }
        let body = response.text().await.unwrap_or_default();
        let message = error_message(&body).unwrap_or_else(|| response.status_text());
        return Err(FetchError::Server { status, message });
    }
    Ok(response)
}

/// The message of an error body: Prometheus's JSON envelope carries it in `error`, Grafana's in
/// `message`, Alertmanager's is a JSON string, Loki's endpoints send plain text.
fn error_message(body: &str) -> Option<String> {
    // Alertmanager's API sends the message as a bare JSON string.
    let parsed = js_sys::JSON::parse(body).ok();
    let from_json = parsed.as_ref().and_then(JsValue::as_string).or_else(|| {
        parsed.filter(JsValue::is_object).and_then(|v| {
            ["error", "message"]
                .into_iter()
                .find_map(|key| js_sys::Reflect::get(&v, &JsValue::from_str(key)).ok()?.as_string())
        })
    });
    from_json.or_else(|| Some(body.trim().to_string()).filter(|t| !t.is_empty()))
}

/// Browser error texts can be long; the banner needs the gist.
fn short(text: &str) -> String {
    if text.contains("abort") {
        return format!("no answer within {} s", DEADLINE.as_secs());
    }
    text.chars().take(120).collect()
}

pub async fn overview() -> Result<Overview, FetchError> {
    get_json("/api/lookout/overview").await
}

/// Unwraps the Prometheus API envelope, which Loki's API uses too.
async fn unwrap_envelope<T: DeserializeOwned>(path: &str) -> Result<T, FetchError> {
    let response: Response<T> = get_json(path).await?;
    response.data.ok_or_else(|| FetchError::Server { status: 200, message: response.error.unwrap_or_default() })
}

/// Where a data source's API is: Lookout's own (`""` or `lookout`), or Grafana's proxy path of a
/// named source.
fn source_base(source: &str) -> String {
    if source.is_empty() || source == "lookout" {
        String::new()
    } else {
        format!("/api/datasources/proxy/uid/{}", encode(source))
    }
}

/// `/api/datasources`: Lookout's own store and the named sources.
pub async fn datasources() -> Result<Vec<DataSourceInfo>, FetchError> {
    get_json("/api/datasources").await
}

/// `query_range` over `[start, end]` (ms) every `step_ms`, on data source `source`.
pub async fn query_range(
    source: &str,
    query: &str,
    start: i64,
    end: i64,
    step_ms: i64,
) -> Result<QueryData, FetchError> {
    let path = format!(
        "{}/api/v1/query_range?query={}&start={}&end={}&step={}",
        source_base(source),
        encode(query),
        start as f64 / 1000.0,
        end as f64 / 1000.0,
        step_ms as f64 / 1000.0
    );
    unwrap_envelope(&path).await
}

/// An instant query at `time` (ms), on data source `source`.
pub async fn query(source: &str, query: &str, time: i64) -> Result<QueryData, FetchError> {
    let path = format!("{}/api/v1/query?query={}&time={}", source_base(source), encode(query), time as f64 / 1000.0);
    unwrap_envelope(&path).await
}

pub async fn label_values(name: &str) -> Result<Vec<String>, FetchError> {
    unwrap_envelope(&format!("/api/v1/label/{}/values", encode(name))).await
}

/// A label's values among the series `selector` picks (all series when it is empty).
pub async fn label_values_of(name: &str, selector: &str) -> Result<Vec<String>, FetchError> {
    if selector.is_empty() {
        return label_values(name).await;
    }
    unwrap_envelope(&format!("/api/v1/label/{}/values?match[]={}", encode(name), encode(selector))).await
}

pub async fn label_names() -> Result<Vec<String>, FetchError> {
    unwrap_envelope("/api/v1/labels").await
}

/// Which end of the range a log query reads from, and so which lines a limit keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Newest first.
    Backward,
    /// Oldest first.
    Forward,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Backward => "backward",
            Direction::Forward => "forward",
        }
    }

    /// Reads the URL's `direction`; anything but `forward` is Loki's default, backward.
    pub fn parse(text: &str) -> Direction {
        if text.eq_ignore_ascii_case("forward") { Direction::Forward } else { Direction::Backward }
    }
}

/// A LogQL range query over `[start_ns, end_ns]` (Unix nanoseconds, both ends included).
#[derive(Debug, Clone, Copy)]
pub struct LogQuery<'a> {
    /// The data source (a Loki's uid); Lookout's own store when empty.
    pub source: &'a str,
    pub query: &'a str,
    pub start_ns: i64,
    pub end_ns: i64,
    pub limit: usize,
    pub direction: Direction,
    /// For metric queries; the server picks a step when `None`.
    pub step_s: Option<i64>,
}

/// `/loki/api/v1/query_range`: lines for a log query, a matrix for a metric query.
pub async fn log_query_range(q: LogQuery<'_>) -> Result<logs::QueryData, FetchError> {
    let (start, end, limit) = (q.start_ns.to_string(), q.end_ns.to_string(), q.limit.to_string());
    let step = q.step_s.map(|s| s.to_string());
    let mut params = vec![
        ("query", q.query),
        ("start", &start),
        ("end", &end),
        ("limit", &limit),
        ("direction", q.direction.as_str()),
    ];
    if let Some(step) = &step {
        params.push(("step", step));
    }
    unwrap_envelope(&with_query(&format!("{}/loki/api/v1/query_range", source_base(q.source)), &params)).await
}

/// The fields of recent log lines (stream labels and JSON fields), for completion.
pub async fn log_field_names() -> Result<Vec<String>, FetchError> {
    unwrap_envelope("/loki/api/v1/labels").await
}

/// `/api/v1/rules`: every rule group with its rules' state and their pending and firing alerts.
pub async fn rules() -> Result<RulesData, FetchError> {
    unwrap_envelope("/api/v1/rules").await
}

/// `/api/lookout/alerts`: the notifier's alerts with acknowledgements and timelines.
pub async fn notifier_alerts() -> Result<Vec<AlertView>, FetchError> {
    get_json("/api/lookout/alerts").await
}

/// The annotations overlapping `[from, to]` (ms), as Grafana's API lists them.
pub async fn annotations(from: i64, to: i64) -> Result<Vec<Annotation>, FetchError> {
    get_json(&format!("/api/annotations?from={from}&to={to}&limit=100")).await
}

/// An alert's symptom and its probable causes.
pub async fn investigation(fingerprint: &str) -> Result<Investigation, FetchError> {
    get_json(&format!("/api/lookout/investigation/{}", encode(fingerprint))).await
}

/// Acknowledges (`ack`), unacknowledges (`unack`) or resolves (`resolve`) an alert.
pub async fn alert_action(fingerprint: &str, action: &str, by: &str, comment: &str) -> Result<(), FetchError> {
    let body = AlertAction { comment: comment.to_string(), by: Some(by.to_string()) };
    post_json(&format!("/api/lookout/alerts/{}/{action}", encode(fingerprint)), &body).await.map(|_| ())
}

/// Creates a silence through Alertmanager's API; its id.
pub async fn create_silence(silence: &PostableSilence) -> Result<String, FetchError> {
    post_for::<SilenceCreated>("/api/v2/silences", silence).await.map(|created| created.silence_id)
}

/// Keeps `target` (a path in Lookout with its query) as a short link.
pub async fn create_link(target: &str) -> Result<ShortLink, FetchError> {
    post_for("/api/lookout/links", &CreateShortLink { target: target.to_string() }).await
}

/// `/api/search`: every dashboard, by title.
pub async fn dashboards() -> Result<Vec<DashboardHit>, FetchError> {
    get_json("/api/search").await
}

/// `/api/dashboards/uid/{uid}`: one dashboard in Grafana's model, with whether it is provisioned.
pub async fn dashboard(uid: &str) -> Result<DashboardWithMeta, FetchError> {
    get_json(&format!("/api/dashboards/uid/{}", encode(uid))).await
}

/// `/api/lookout/alerts/stats`: counts, delivery success, mean times to acknowledge and resolve.
pub async fn alert_stats() -> Result<AlertStats, FetchError> {
    get_json("/api/lookout/alerts/stats").await
}

/// `/api/v2/alerts/groups`: the alerts as the routes grouped them, per receiver.
pub async fn alert_groups() -> Result<Vec<AlertGroup>, FetchError> {
    get_json("/api/v2/alerts/groups").await
}

/// `/api/v2/silences`: every silence the notifier holds, active ones first.
pub async fn silences() -> Result<Vec<GettableSilence>, FetchError> {
    get_json("/api/v2/silences").await
}

/// Expires a silence now.
pub async fn expire_silence(id: &str) -> Result<(), FetchError> {
    delete(&format!("/api/v2/silence/{}", encode(id))).await
}

/// Saves a dashboard (a new one when its uid is empty); refused if someone saved a newer
/// version meanwhile.
pub async fn save_dashboard(dashboard: Dashboard, message: &str) -> Result<SavedDashboard, FetchError> {
    post_for("/api/dashboards/db", &SaveDashboard { dashboard, overwrite: false, message: message.to_string() }).await
}

/// A dashboard's saved versions, newest first.
pub async fn dashboard_versions(uid: &str) -> Result<Vec<DashboardVersion>, FetchError> {
    get_json(&format!("/api/dashboards/uid/{}/versions", encode(uid))).await
}

pub async fn dashboard_version(uid: &str, version: u64) -> Result<DashboardVersionData, FetchError> {
    get_json(&format!("/api/dashboards/uid/{}/versions/{version}", encode(uid))).await
}

pub async fn delete_dashboard(uid: &str) -> Result<(), FetchError> {
    delete(&format!("/api/dashboards/uid/{}", encode(uid))).await
}

async fn delete(path: &str) -> Result<(), FetchError> {
    let deadline = Deadline::start();
    checked(ours(Request::delete(path), true).abort_signal(deadline.signal().as_ref()).send().await).await.map(|_| ())
}

/// `/api/lookout/me`: whether sign-in is on, and who is signed in.
pub async fn me() -> Result<Me, FetchError> {
    get_json("/api/lookout/me").await
}

pub async fn login(user: &str, password: &str) -> Result<Me, FetchError> {
    post_for("/api/lookout/login", &Login { user: user.to_string(), password: password.to_string() }).await
}

pub async fn logout() -> Result<(), FetchError> {
    post_json("/api/lookout/logout", &()).await.map(|_| ())
}

pub async fn change_password(current: &str, new: &str) -> Result<(), FetchError> {
    let body = ChangePassword { current: current.to_string(), new: new.to_string() };
    send_json(Request::put("/api/lookout/me/password"), &body).await.map(|_| ())
}

pub async fn users() -> Result<Vec<User>, FetchError> {
    get_json("/api/lookout/users").await
}

pub async fn create_user(user: &CreateUser) -> Result<User, FetchError> {
    post_for("/api/lookout/users", user).await
}

pub async fn update_user(name: &str, change: &UpdateUser) -> Result<(), FetchError> {
    send_json(Request::put(&format!("/api/lookout/users/{}", encode(name))), change).await.map(|_| ())
}

pub async fn delete_user(name: &str) -> Result<(), FetchError> {
    delete(&format!("/api/lookout/users/{}", encode(name))).await
}

pub async fn tokens() -> Result<Vec<Token>, FetchError> {
    get_json("/api/lookout/tokens").await
}

pub async fn create_token(token: &CreateToken) -> Result<CreatedToken, FetchError> {
    post_for("/api/lookout/tokens", token).await
}

pub async fn delete_token(id: &str) -> Result<(), FetchError> {
    delete(&format!("/api/lookout/tokens/{}", encode(id))).await
}

/// `/api/lookout/notifications`: delivery attempts, newest first.
pub async fn notifications() -> Result<Vec<NotificationAttempt>, FetchError> {
    get_json("/api/lookout/notifications").await
}
