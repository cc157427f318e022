//! Alertmanager API v2 bodies: posted alerts (their times read as the API reads them, then
//! ingested) and posted silences.
#![no_main]
use libfuzzer_sys::fuzz_target;
use lookout_alertmanager::alert::{PostableAlert, ingest};
use lookout_server::timefmt::parse_rfc3339;
use lookout_types::alertmanager as wire;

fuzz_target!(|data: &[u8]| {
    if let Ok(posted) = serde_json::from_slice::<Vec<wire::PostableAlert>>(data) {
        for p in posted {
            let time = |t: Option<&str>| t.and_then(parse_rfc3339);
            let alert = PostableAlert {
                starts_at: time(p.starts_at.as_deref()),
                ends_at: time(p.ends_at.as_deref()),
                labels: p.labels,
                annotations: p.annotations,
                generator_url: p.generator_url,
            };
            let _ = ingest(alert, 1_700_000_000_000, 300_000);
        }
    }
    let _ = serde_json::from_slice::<wire::PostableSilence>(data);
});
