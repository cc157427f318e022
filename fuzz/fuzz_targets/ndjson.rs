//! NDJSON log bodies (`POST /api/v1/logs`).
#![no_main]
use libfuzzer_sys::fuzz_target;
use lookout_logs::ingest::{Limits, parse_ndjson};

fuzz_target!(|data: &[u8]| {
    let _ = parse_ndjson(data, None, 1_735_074_000_000_000_000, Limits::default());
    let _ = parse_ndjson(data, Some("svc"), 0, Limits { max_line_bytes: 64, max_fields: 2 });
});
