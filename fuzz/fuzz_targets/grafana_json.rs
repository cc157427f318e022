//! Grafana dashboard JSON as imported: the model or an export with its meta, and back out.
#![no_main]
use libfuzzer_sys::fuzz_target;
use lookout_types::grafana::{Dashboard, DashboardWithMeta};

fuzz_target!(|data: &[u8]| {
    if let Ok(d) = serde_json::from_slice::<Dashboard>(data) {
        let _ = serde_json::to_vec(&d);
        for var in &d.templating.list {
            let _ = (var.label_values(), var.fixed_options(), var.default_values());
        }
    }
    let _ = serde_json::from_slice::<DashboardWithMeta>(data);
});
