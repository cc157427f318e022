//! What one delivery attempt did, as the server records it for the notification history.

use std::time::Duration;

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// It failed in a way that may pass (a network error, a 5xx, a transient SMTP reply); another
    /// attempt follows unless the deadline has come.
    Retryable,
    /// It failed in a way another attempt would repeat; delivery stops here.
    Failed,
}

/// One attempt at delivering a notification to one integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// When the attempt started, Unix milliseconds.
    pub at_ms: i64,
    /// 1-based.
    pub attempt: u32,
    /// `webhook`, `slack`, `pagerduty` or `email`.
    pub integration: &'static str,
    pub outcome: Outcome,
    /// The HTTP status the receiver answered with, if it answered.
    pub http_status: Option<u16>,
    /// The SMTP reply that decided the attempt (`250 …` on success, the refusal otherwise).
    pub smtp_reply: Option<String>,
    /// Why the attempt failed, in Alertmanager's words where it has them.
    pub error: Option<String>,
    pub duration: Duration,
}
