//! Go templates of rule annotations and notifications: parsed and, when they parse, run.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(template) = lookout_template::rule::template("fuzz", text) {
        let _ = lookout_template::rule::AlertData::default().expand(&template);
    }
});
