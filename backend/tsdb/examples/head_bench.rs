//! Head benchmark: append throughput and select latency on the in-memory head.
//! Run with `make bench` (release build); prints one line per figure.

use std::time::Instant;

use lookout_tsdb::{Head, Labels, Matcher};

const SERIES: usize = 10_000;
const SAMPLES_PER_SERIES: i64 = 240; // one hour at 15 s

fn main() {
    let labels: Vec<Labels> = (0..SERIES)
        .map(|i| {
            Labels::from_pairs([
                ("__name__", "http_requests_total".to_string()),
                ("job", format!("job-{}", i % 10)),
                ("instance", format!("host-{}:9100", i % 100)),
                ("path", format!("/api/{}", i / 100)),
            ])
        })
        .collect();
    let head = Head::new();
    let start = Instant::now();
    for step in 0..SAMPLES_PER_SERIES {
        let t = step * 15_000;
        for (i, series) in labels.iter().enumerate() {
            head.append(series, t, (step as f64) * 1.5 + i as f64).unwrap();
        }
    }
    let elapsed = start.elapsed();
    let total = SERIES as f64 * SAMPLES_PER_SERIES as f64;
    println!(
        "head append: {total} samples into {SERIES} series in {elapsed:.2?} = {:.0} samples/s",
        total / elapsed.as_secs_f64()
    );

    let end = (SAMPLES_PER_SERIES - 1) * 15_000;
    for (name, matchers) in [
        (
            "one series (4 equality matchers)",
            vec![
                Matcher::equal("__name__", "http_requests_total"),
                Matcher::equal("job", "job-3"),
                Matcher::equal("instance", "host-13:9100"),
                Matcher::equal("path", "/api/13"),
            ],
        ),
        (
            "1,000 series (job=)",
            vec![Matcher::equal("__name__", "http_requests_total"), Matcher::equal("job", "job-3")],
        ),
        ("10,000 series (regex)", vec![Matcher::regex("job", "job-.*").unwrap()]),
    ] {
        let runs = 20;
        let start = Instant::now();
        let mut selected = 0;
        for _ in 0..runs {
            selected = head.select(&matchers, end - 3_600_000, end).len();
        }
        println!("head select 1h, {name}: {selected} series, {:.2?} per select", start.elapsed() / runs);
    }
}
