//! lookout-notify end to end on loopback: a small HTTP receiver for webhook, Slack and
//! PagerDuty, and a real SMTP server (aiosmtpd) for email.

mod email;
mod http;
mod support;
