//! Prometheus alerting and recording rules for Lookout, as Prometheus 2.42 runs them: rule files,
//! their validation, group evaluation with the alert state machine, the `ALERTS` and
//! `ALERTS_FOR_STATE` series, staleness, `for` restore, evaluation timing, and what is sent to
//! Alertmanager. A pure library: no tokio, no HTTP, no JSON; the server drives it.
//!
//! Design:
//! - [`file`] reads a rule file into validated [`GroupDef`]s or returns every [`FileError`] with
//!   Prometheus's text and `line:col` (positions come from [`yaml`]'s node tree, built from
//!   yaml-rust2's marked events because serde decoders give positions only for errors). A group
//!   may say `source: logs` (Lookout's extension): its expressions are LogQL metric queries.
//! - [`Group`] holds a group's rules and their state. [`Group::eval`] evaluates the rules in file
//!   order at one slotted timestamp; each rule's samples (recording outputs, `ALERTS`,
//!   `ALERTS_FOR_STATE`, staleness markers) are handed to the caller's [`RuleAppender`] before
//!   the next rule runs, so later rules see them, exactly as in Prometheus. Data is read through
//!   the [`RuleQuerier`] trait ([`PromQuerier`] serves PromQL from any `Queryable`); the alerts to
//!   send come back as [`Notification`]s with Alertmanager's `startsAt`/`endsAt`.
//! - After a start, [`Group::restore_due`] turns true after the second evaluation;
//!   [`Group::restore_for_state`] then restores pending time from `ALERTS_FOR_STATE`.
//! - [`timing`] computes Prometheus's per-group evaluation offset (XXH64 of `file` and `name`).
//! - [`Group::state`] snapshots everything `/api/v1/rules` and `/api/v1/alerts` show.
//!
//! Left out: the `query` template function (templates cannot run queries), and the normalised
//! re-printing of expressions (the API and generator URLs show the expression as written).

mod alerting;
mod error;
pub mod file;
pub mod glob;
mod group;
mod querier;
mod recording;
mod restore;
mod state;
pub mod timing;
mod yaml;

pub use alerting::{AlertStatus, GO_ZERO_TIME_MS, Notification};
pub use error::{ErrorKind, FileError, RuleProblem};
pub use file::{GroupDef, RuleDef, RuleFile, RuleKind, Source};
pub use group::{Group, GroupOptions};
pub use lookout_tsdb::duration::{DurationError, format_duration, parse_duration};
pub use querier::{PromQuerier, RuleAppender, RuleQuerier, Sample, samples_of};
pub use recording::RuleError;
pub use state::{AlertState, GroupState, Health, RuleState, RuleStateKind};
pub use yaml::Position;
