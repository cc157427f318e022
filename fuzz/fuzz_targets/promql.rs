//! PromQL: parsed, and what parses evaluated over an empty store with a deadline.
#![no_main]
use libfuzzer_sys::fuzz_target;
use lookout_promql::{Options, eval_instant, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(expr) = parse(text) {
        let options = Options { timeout: Some(std::time::Duration::from_millis(200)), ..Options::default() };
        let _ = eval_instant(&lookout_tsdb::Head::default(), &expr, 1_700_000_000_000, &options);
    }
});
