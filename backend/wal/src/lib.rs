//! What Lookout's stores share on disk: the write-ahead log with group commit, and the byte
//! reader and writers their file formats are built from.

pub mod bytes;
mod log;

pub use bytes::Reader;
pub use log::{ReplayReport, Wal, WalRecord, read_file, segment_name, segments, write_file};
