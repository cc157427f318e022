//! One async function per server endpoint, returning the shared wire types.
//!
//! Every request has a deadline, so a hung server shows up as an error instead of a page that
//! waits forever.

use std::time::Duration;

use gloo_net::http::Request;
use lookout_types::prometheus::{QueryData, Response};
use lookout_types::{ApiErrorBody, Overview};
use serde::de::DeserializeOwned;

/// How long a request may take before it is abandoned.
pub const DEADLINE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq)]
pub enum FetchError {
    /// The server could not be reached, or did not answer within the deadline.
    Unreachable(String),
    /// The server answered with an error status.
    Server { status: u16, message: String },
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

async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, FetchError> {
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    // Abort the request when the deadline passes; dropping the timer cancels it.
    let _deadline =
        controller.map(|c| gloo_timers::callback::Timeout::new(DEADLINE.as_millis() as u32, move || c.abort()));
    let response = Request::get(path)
        .abort_signal(signal.as_ref())
        .send()
        .await
        .map_err(|e| FetchError::Unreachable(short(&e.to_string())))?;
    if !response.ok() {
        let status = response.status();
        let message = match response.json::<ApiErrorBody>().await {
            Ok(body) => body.error,
            Err(_) => response.status_text(),
        };
        return Err(FetchError::Server { status, message });
    }
    response.json::<T>().await.map_err(|e| FetchError::Unreachable(short(&e.to_string())))
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

/// Unwraps a Prometheus API envelope.
async fn prometheus<T: DeserializeOwned>(path: &str) -> Result<T, FetchError> {
    let response: Response<T> = get_json(path).await?;
    response.data.ok_or_else(|| FetchError::Server { status: 200, message: response.error.unwrap_or_default() })
}

fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// `query_range` over `[start, end]` (ms) every `step_ms`.
pub async fn query_range(query: &str, start: i64, end: i64, step_ms: i64) -> Result<QueryData, FetchError> {
    let path = format!(
        "/api/v1/query_range?query={}&start={}&end={}&step={}",
        encode(query),
        start as f64 / 1000.0,
        end as f64 / 1000.0,
        step_ms as f64 / 1000.0
    );
    prometheus(&path).await
}

/// An instant query at `time` (ms).
pub async fn query(query: &str, time: i64) -> Result<QueryData, FetchError> {
    prometheus(&format!("/api/v1/query?query={}&time={}", encode(query), time as f64 / 1000.0)).await
}

pub async fn label_values(name: &str) -> Result<Vec<String>, FetchError> {
    prometheus(&format!("/api/v1/label/{}/values", encode(name))).await
}

pub async fn label_names() -> Result<Vec<String>, FetchError> {
    prometheus("/api/v1/labels").await
}
