//! Log lines grouped by Drain: any bytes as lines of a stream whose format is guessed from its
//! first line (JSON, logfmt, plain), each pattern printed both ways.
#![no_main]
use libfuzzer_sys::fuzz_target;
use lookout_insight::drain::{Config, Drain};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut drain = Drain::new(Config { max_clusters: 8, ..Config::default() });
    for (i, line) in text.split('\n').enumerate() {
        drain.train(line, i as i64 * 1000);
    }
    for cluster in drain.clusters() {
        let _ = (cluster.pattern(), cluster.message());
    }
});
