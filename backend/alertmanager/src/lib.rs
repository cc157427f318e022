//! Lookout's Alertmanager-compatible notifier core, as logic without network I/O (the only files
//! it reads are the tz database's, for time intervals' `location`): the server feeds it config text,
//! alerts and the current time (Unix ms) and executes the send plans it returns. Behaviour follows
//! Alertmanager 0.25 (`backend/rules/docs/compatibility.md` §2, §3, §5); Lookout adds acknowledgement-aware
//! repeats and escalation receivers.

pub mod alert;
pub mod config;
pub mod dedup;
pub mod dispatch;
pub mod hash;
pub mod inhibit;
pub mod labels;
pub mod matchers;
pub mod pipeline;
pub mod route;
mod scalar;
pub mod silence;
pub mod status;
pub mod timeinterval;
pub mod tz;
