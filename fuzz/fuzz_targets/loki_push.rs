//! Loki push bodies: JSON, and protobuf behind valid snappy.
#![no_main]
use libfuzzer_sys::fuzz_target;
use lookout_logs::ingest::Limits;
use lookout_server::ingest::loki_push::{decode_json, decode_protobuf};

fuzz_target!(|data: &[u8]| {
    let _ = decode_json(data, Limits::default());
    let _ = decode_protobuf(data, Limits::default());
    if let Ok(body) = snap::raw::Encoder::new().compress_vec(data) {
        let _ = decode_protobuf(&body, Limits::default());
    }
});
