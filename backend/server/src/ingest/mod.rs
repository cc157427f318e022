//! Ingest: decoding what clients send (remote_write today) into samples for the metrics pillar,
//! with every problem reported against the input it came from.

pub mod remote_write;
