//! The config file's YAML: Lookout's own keys, the `alertmanager:` section, and rule files.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = serde_norway::from_str::<lookout_server::config::RawConfig>(text);
    let _ = lookout_alertmanager::config::load(text);
    let _ = lookout_rules::file::parse("fuzz.yml", text);
});
