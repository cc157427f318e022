//! remote_write bodies: as sent (snappy), and the protobuf behind valid snappy.
#![no_main]
use libfuzzer_sys::fuzz_target;
use lookout_server::ingest::remote_write::decode;

fuzz_target!(|data: &[u8]| {
    let _ = decode(data);
    if let Ok(body) = snap::raw::Encoder::new().compress_vec(data) {
        let _ = decode(&body);
    }
});
