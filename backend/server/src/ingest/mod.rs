//! Ingest: decoding what clients send into samples and log entries (Prometheus remote_write,
//! Loki push, gzip bodies), with every problem reported against the input it came from.

pub mod gzip;
pub mod loki_push;
pub mod remote_write;
