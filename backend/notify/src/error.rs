//! Why a delivery failed ([`DeliveryError`]), and the classified failure of one attempt.

use thiserror::Error;

/// Why [`crate::Notifier::deliver`] gave up. Every variant's text is what the server should log
/// and show; the attempts themselves were reported one by one as they happened.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DeliveryError {
    /// A templated field of the integration did not render; nothing was sent.
    #[error("failed to template {field}: {message}")]
    Template { field: String, message: String },
    /// The integration's configuration cannot be used as it stands (an unreadable secret file, an
    /// empty routing key, an address that does not parse, an unsupported option); nothing was sent.
    #[error("{0}")]
    Config(String),
    /// The receiver refused the notification in a way that retrying would not change.
    #[error("{0}")]
    Rejected(String),
    /// Every attempt failed in a retryable way until the deadline came.
    #[error("notification not delivered before the deadline after {attempts} attempt(s): {last}")]
    DeadlineExceeded { attempts: u32, last: String },
}

/// What went wrong in one attempt, already classified as Alertmanager classifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub retryable: bool,
    pub message: String,
    pub http_status: Option<u16>,
    pub smtp_reply: Option<String>,
}

impl Failure {
    pub(crate) fn retryable(message: impl Into<String>) -> Failure {
        Failure { retryable: true, message: message.into(), http_status: None, smtp_reply: None }
    }

    pub(crate) fn permanent(message: impl Into<String>) -> Failure {
        Failure { retryable: false, message: message.into(), http_status: None, smtp_reply: None }
    }
}

/// What a successful attempt learnt from the receiver.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Sent {
    pub http_status: Option<u16>,
    pub smtp_reply: Option<String>,
}
