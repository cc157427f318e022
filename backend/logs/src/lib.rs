//! Lookout's log store.
//!
//! Entries (a time, stream labels such as `service` and `level`, and the line, usually a JSON
//! object) go through a write-ahead log into the in-memory head; the head is cut into immutable
//! blocks of zstd-compressed pages with three indexes: the stream table, a dictionary of the
//! words in the lines (for `|=` line filters) and per-page Bloom filters of field values (for
//! `{request_id="…"}`). Scans ([`LogStore::scan`]) take a [`Selection`] and read only the pages
//! the indexes leave. The store knows nothing of HTTP or LogQL syntax.

mod block;
mod bloom;
pub mod entry;
mod head;
pub mod ingest;
mod pages;
pub mod query;
mod scan;
mod select;
mod store;
pub mod timestamp;
mod words;

pub use block::{FieldSummary, MAX_LISTED_VALUES};
pub use entry::{Entry, json_fields};
pub use select::{LineFilter, Needle, Order, Row, Selection, Visitor};
pub use store::{HEAD_AGE, HEAD_BYTES, LogStore, OpenReport, Stats};
