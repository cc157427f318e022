//! Stored chunks as read back from disk (a damaged file must not crash a query).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = lookout_tsdb::chunk::decode(data);
});
