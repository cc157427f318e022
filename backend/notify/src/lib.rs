//! Lookout's notification delivery: the outbound side of the Alertmanager-compatible notifier and
//! the only crate that sends notifications over the network.
//!
//! The pure core (`lookout-alertmanager`) decides what each integration must be told
//! (`pipeline::SendPlan`); [`Notifier::deliver`] renders the integration's templated fields with
//! `lookout-template`, sends the payload Alertmanager 0.25 sends — webhook v4 JSON, a Slack
//! attachment, a PagerDuty Events v2 event, or an email over SMTP — and retries retryable
//! failures with Alertmanager's backoff until a deadline, reporting every [`Attempt`]. Behaviour
//! follows `backend/rules/docs/compatibility.md` §3.4 (retries) and §4 (payloads).
//!
//! Left out: PagerDuty Events API v1 (`service_key`), and in `http_config` the options that need
//! a client of their own (`tls_config`, `proxy_url`, `oauth2`); both are refused with a
//! [`DeliveryError::Config`] rather than ignored.

mod attempt;
mod email;
mod error;
mod guard;
mod http;
mod json;
mod message;
mod notifier;
mod pagerduty;
mod render;
mod retry;
mod slack;
mod webhook;

pub use attempt::{Attempt, Outcome};
pub use error::DeliveryError;
pub use guard::Guard;
pub use http::authorization;
pub use message::Message;
pub use notifier::Notifier;
pub use pagerduty::dedup_key;
