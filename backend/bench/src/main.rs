//! `lookout-bench`: the measurements behind BENCHMARKS.md. Each subcommand prints one line per
//! figure; `scripts/bench.sh` runs them against Lookout and its peers side by side.
//!
//! - `ingest URL`: remote_write 10,000 series × 240 samples (one hour at 15 s) to URL from 16
//!   concurrent writers (as remote_write shards would), report samples/s.
//! - `query URL`: instant and range query latency over that data, against any Prometheus API.
//! - `parse FILE`: exposition parse speed in MB/s.
//! - `storage [OUT]`: bytes per sample in blocks for the demo's workload (and its samples as
//!   OpenMetrics in OUT, for promtool).
//! - `logs-gen OUT MB`: a demo-like NDJSON file of MB megabytes.
//! - `logs-local FILE DIR`: one-thread ingest of FILE into a store in DIR, and bytes on disk.
//! - `logs-query DIR REQUEST_ID TERM`: log query latency over that store.
//! - `logs-rg FILE REQUEST_ID TERM`: the same questions answered by ripgrep over the file.
//! - `logs-http URL FILE`: FILE posted to a running Lookout's `/api/v1/logs`.
//! - `storage-node URL [OUT]`: the same for a real node_exporter at URL, scraped every second
//!   for two minutes (`LOOKOUT_BENCH_NODE_SCRAPES` sets the number of scrapes).
//! - `alerts-post URL`: alerts/s through any Alertmanager's `POST /api/v2/alerts`.
//! - `alerts-latency URL HOOK_PORT GROUP_WAIT_MS`: firing-to-webhook latency beyond
//!   `group_wait`, with a webhook receiver on HOOK_PORT.
//! - `rules-file OUT`: the 1,000 rules over the `ingest` series that Lookout and Prometheus
//!   both evaluate.
//! - `rules-eval FILE`: one evaluation of FILE's rules, in process over those series in a head.
//! - `rules-api URL`: the same as a running server (Lookout or Prometheus) reports it.
//! - `insight DIR`: the Overview and an alert's investigation over 100,000 series and a day of
//!   logs written into DIR, in process.
//! - `soak URL HOOK_PORT SECONDS`: every pillar at once at fixed rates against a running Lookout
//!   configured by `scripts/bench.sh`; rates, latency percentiles, errors, memory over time.

mod alerts;
mod insight;
mod logs;
mod soak;

/// The allocator the `lookout` binary uses, so that in-process measurements (log ingest and
/// queries, storage) see the same costs as the server.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::{Duration, Instant};

use lookout_server::ingest::remote_write::encode;
use lookout_tsdb::Labels;

const SERIES: usize = 10_000;
const ROUNDS: usize = 240;
const STEP_MS: i64 = 15_000;
const BATCH: usize = 1_000;
/// Concurrent writers, like remote_write's shards; `LOOKOUT_BENCH_WRITERS` overrides.
fn writers() -> usize {
    std::env::var("LOOKOUT_BENCH_WRITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(16)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // reqwest is built without a TLS provider of its own; the benchmark only speaks plain HTTP.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let args: Vec<String> = std::env::args().collect();
    match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("ingest"), Some(url)) => ingest(url).await,
        (Some("query"), Some(url)) => query(url).await,
        (Some("parse"), Some(file)) => parse(file),
        (Some("storage"), out) => measure("demo workload, 48 h at 15 s", &demo_samples(), out.map(String::as_str)),
        (Some("storage-node"), Some(url)) => {
            let scrapes = std::env::var("LOOKOUT_BENCH_NODE_SCRAPES").ok().and_then(|v| v.parse().ok()).unwrap_or(120);
            let samples = node_samples(url, scrapes).await;
            let workload = format!("node_exporter, {scrapes} scrapes 1 s apart");
            measure(&workload, &samples, args.get(3).map(String::as_str));
        }
        (Some("logs-gen"), Some(out)) => {
            let mb: u64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1000);
            logs::generate(out, mb * 1_000_000);
        }
        (Some("logs-local"), Some(file)) if args.len() > 3 => logs::ingest_local(file, &args[3]),
        (Some("logs-query"), Some(dir)) if args.len() > 4 => logs::query_local(dir, &args[3], &args[4]),
        (Some("logs-rg"), Some(file)) if args.len() > 4 => logs::query_rg(file, &args[3], &args[4]),
        (Some("logs-http"), Some(url)) if args.len() > 3 => logs::ingest_http(url, &args[3], 4).await,
        (Some("alerts-post"), Some(url)) => alerts::post(url).await,
        (Some("alerts-latency"), Some(url)) if args.len() > 4 => match (args[3].parse(), args[4].parse()) {
            (Ok(port), Ok(group_wait_ms)) => alerts::latency(url, port, group_wait_ms).await,
            _ => usage(),
        },
        (Some("rules-file"), Some(out)) => alerts::rules_file(out),
        (Some("soak"), Some(url)) if args.len() > 4 => match (args[3].parse(), args[4].parse()) {
            (Ok(port), Ok(seconds)) => soak::soak(url, port, seconds).await,
            _ => usage(),
        },
        (Some("rules-eval"), Some(file)) => alerts::rules_eval(file),
        (Some("rules-api"), Some(url)) => alerts::rules_api(url).await,
        (Some("insight"), Some(dir)) => insight::run(dir),
        _ => usage(),
    }
}

/// The `q` quantile (0 to 1) of sorted values, by nearest rank; NaN when there are none.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else { return f64::NAN };
    sorted[(last as f64 * q).round() as usize]
}

fn usage() {
    eprintln!(
        "usage: lookout-bench ingest URL | query URL | parse FILE | storage [OUT] | storage-node URL [OUT] | \
         logs-gen OUT MB | logs-local FILE DIR | logs-query DIR REQUEST_ID TERM | logs-rg FILE REQUEST_ID TERM | \
         logs-http URL FILE | alerts-post URL | alerts-latency URL HOOK_PORT GROUP_WAIT_MS | rules-file OUT | \
         rules-eval FILE | rules-api URL | insight DIR | soak URL HOOK_PORT SECONDS"
    );
    std::process::exit(2);
}

fn series_labels(i: usize) -> Labels {
    Labels::from_pairs([
        ("__name__", format!("bench_metric_{}", i % 100)),
        ("job", "bench".into()),
        ("instance", format!("host-{}:9100", i % 50)),
        ("id", i.to_string()),
    ])
}

/// Series `i`'s value in `round`: a counter rising by `i % 7 + 1` a round.
fn sample_value(i: usize, round: usize) -> f64 {
    (round * (i % 7 + 1)) as f64 + (i % 13) as f64 * 0.25
}

/// The hour of data ends a minute ago, so every system accepts it as recent.
fn start_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    (now - 60_000 - ROUNDS as i64 * STEP_MS) / STEP_MS * STEP_MS
}

/// The client for the system under test; with `LOOKOUT_BENCH_AUTHORIZATION` set, every request
/// carries it (a Lookout with sign-in on).
fn client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Ok(value) = std::env::var("LOOKOUT_BENCH_AUTHORIZATION") {
        headers.insert(
            reqwest::header::AUTHORIZATION,
            value.parse().expect("LOOKOUT_BENCH_AUTHORIZATION is a header value"),
        );
    }
    reqwest::Client::builder().default_headers(headers).build().expect("an HTTP client")
}

async fn ingest(url: &str) {
    let client = client();
    let labels: Vec<Labels> = (0..SERIES).map(series_labels).collect();
    let t0 = start_ms();
    // Each writer owns a quarter of the series, so every series is written in time order.
    let writers = writers();
    let mut bodies: Vec<Vec<Vec<u8>>> = vec![Vec::new(); writers];
    for round in 0..ROUNDS {
        for (w, bodies) in bodies.iter_mut().enumerate() {
            let mine: Vec<usize> = (w..SERIES).step_by(writers).collect();
            for part in mine.chunks(BATCH) {
                let series: Vec<(Labels, Vec<(i64, f64)>)> = part
                    .iter()
                    .map(|&i| (labels[i].clone(), vec![(t0 + round as i64 * STEP_MS, sample_value(i, round))]))
                    .collect();
                bodies.push(encode(&series, &[]));
            }
        }
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for bodies in bodies {
        let (client, url) = (client.clone(), url.to_string());
        tasks.push(tokio::spawn(async move {
            let mut failures = 0;
            for body in bodies {
                let response = client
                    .post(&url)
                    .header("Content-Type", "application/x-protobuf")
                    .header("Content-Encoding", "snappy")
                    .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                    .body(body)
                    .send()
                    .await;
                if !response.is_ok_and(|r| r.status().is_success()) {
                    failures += 1;
                }
            }
            failures
        }));
    }
    let mut failures = 0;
    for task in tasks {
        failures += task.await.unwrap_or(1);
    }
    let elapsed = started.elapsed();
    let samples = SERIES * ROUNDS;
    println!(
        "ingest: {samples} samples ({SERIES} series x {ROUNDS}) in batches of up to {BATCH} by {writers} writers: {:.2?}, {:.0} samples/s, {failures} failed requests",
        elapsed,
        samples as f64 / elapsed.as_secs_f64()
    );
}

async fn query(base: &str) {
    let client = client();
    let end = (start_ms() + ROUNDS as i64 * STEP_MS) as f64 / 1000.0;
    let start = end - 3600.0 + 300.0;
    let cases = [
        (
            "instant, 10k series: sum(rate({job=\"bench\"}[5m]))",
            format!("/api/v1/query?query=sum(rate(%7Bjob%3D%22bench%22%7D%5B5m%5D))&time={end}"),
        ),
        ("instant, 100 series: bench_metric_7", format!("/api/v1/query?query=bench_metric_7&time={end}")),
        (
            "range 1h/15s, 10k series: sum by (instance) (rate({job=\"bench\"}[5m]))",
            format!(
                "/api/v1/query_range?query=sum%20by%20(instance)%20(rate(%7Bjob%3D%22bench%22%7D%5B5m%5D))&start={start}&end={end}&step=15"
            ),
        ),
    ];
    for (name, path) in cases {
        let mut times = Vec::new();
        let mut last = String::new();
        for _ in 0..7 {
            let started = Instant::now();
            match client.get(format!("{base}{path}")).send().await {
                Ok(r) => last = r.text().await.unwrap_or_default(),
                Err(e) => last = e.to_string(),
            }
            times.push(started.elapsed());
        }
        times.sort();
        let ok = last.contains("\"success\"");
        let count = serde_json::from_str::<serde_json::Value>(&last)
            .ok()
            .and_then(|v| v["data"]["result"].as_array().map(|r| r.len()))
            .unwrap_or(0);
        println!(
            "query {name}: median {:.2?}, best {:.2?}, worst {:.2?} over 7 runs ({} series returned{})",
            times[3],
            times[0],
            times[6],
            count,
            if ok { "" } else { ", FAILED" }
        );
    }
}

fn parse(file: &str) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let runs = 200;
    let started = Instant::now();
    let mut samples = 0;
    for _ in 0..runs {
        samples = lookout_exposition::parse(&text, lookout_exposition::Format::Text).samples.len();
    }
    let elapsed = started.elapsed();
    let mb = (text.len() * runs) as f64 / 1e6;
    println!(
        "parse: {} ({} bytes, {samples} samples) x {runs}: {:.1} MB/s, {:.0} samples/s",
        file.rsplit('/').next().unwrap_or(file),
        text.len(),
        mb / elapsed.as_secs_f64(),
        (samples * runs) as f64 / elapsed.as_secs_f64()
    );
}

type Samples = Vec<(i64, f64)>;
type SeriesMap = std::collections::BTreeMap<Labels, Samples>;

/// Two days of the demo's services scraped every 15 s: one whole 48-hour block window.
fn demo_samples() -> SeriesMap {
    use lookout_server::config::DemoConfig;
    use lookout_server::demo::schedule::Schedule;
    use lookout_server::demo::sim::Simulation;

    let window = lookout_tsdb::MERGED_RANGES_MS[1];
    let t0 = 1_700_000_000_000 / window * window;
    let config = DemoConfig { incident_every: Duration::from_secs(600), ..DemoConfig::default() };
    let mut sim = Simulation::new(7, Schedule::new(&config), t0);
    let mut by_series = SeriesMap::new();
    for step in 0..window / 15_000 {
        let t = t0 + step * 15_000;
        for second in (1..=15).rev() {
            sim.step(t - (second - 1) * 1000);
        }
        for instance in &sim.instances {
            for family in instance.registry.collect() {
                for s in family.samples {
                    let target =
                        [("job".to_string(), instance.job.to_string()), ("instance".into(), instance.instance.clone())];
                    let labels = Labels::from_pairs(
                        std::iter::once(("__name__".to_string(), s.name)).chain(s.labels).chain(target),
                    );
                    by_series.entry(labels).or_default().push((t, s.value));
                }
            }
        }
    }
    by_series
}

/// A real node_exporter scraped `scrapes` times, one second apart.
async fn node_samples(url: &str, scrapes: usize) -> SeriesMap {
    let client = reqwest::Client::new();
    let mut by_series = SeriesMap::new();
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    // Stamped as Lookout's scraper stamps them: aligned to the schedule when on time.
    let mut clock = lookout_server::scrape::clock::ScrapeClock::new(1000);
    for _ in 0..scrapes {
        ticker.tick().await;
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
        let t = clock.stamp(now);
        let Ok(body) = client.get(url).send().await else { continue };
        let Ok(text) = body.text().await else { continue };
        for s in lookout_exposition::parse(&text, lookout_exposition::Format::Text).samples {
            let target = [("job".to_string(), "node".to_string()), ("instance".into(), "localhost:9100".into())];
            let labels =
                Labels::from_pairs(std::iter::once(("__name__".to_string(), s.name)).chain(s.labels).chain(target));
            by_series.entry(labels).or_default().push((t, s.value));
        }
    }
    by_series
}

/// Writes the samples as blocks of `range` windows; returns the block count and the bytes of
/// their chunks and indexes.
fn block_sizes(by_series: &SeriesMap, range: i64) -> (usize, u64, u64) {
    let dir = std::env::temp_dir().join(format!("lookout-bench-storage-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut windows: std::collections::BTreeMap<i64, Vec<(Labels, Samples)>> = Default::default();
    for (labels, samples) in by_series {
        for part in samples.chunk_by(|a, b| a.0.div_euclid(range) == b.0.div_euclid(range)) {
            windows.entry(part[0].0.div_euclid(range) * range).or_default().push((labels.clone(), part.to_vec()));
        }
    }
    let (mut chunks, mut index) = (0, 0);
    for (start, series) in &windows {
        let path = lookout_tsdb::block::write(&dir, *start, start + range, series).unwrap();
        let (c, i) = lookout_tsdb::block::Block::open(&path).unwrap().sizes();
        chunks += c;
        index += i;
    }
    let _ = std::fs::remove_dir_all(&dir);
    (windows.len(), chunks, index)
}

/// Where the chunk bytes go: the metrics that take the most, with bytes per sample of each.
fn print_costliest_metrics(by_series: &SeriesMap, range: i64) {
    let mut by_metric: std::collections::BTreeMap<&str, (usize, usize)> = std::collections::BTreeMap::new();
    for (labels, samples) in by_series {
        let entry = by_metric.entry(labels.metric_name().unwrap_or("")).or_default();
        for window in samples.chunk_by(|a, b| a.0.div_euclid(range) == b.0.div_euclid(range)) {
            for chunk in window.chunks(lookout_tsdb::chunk::SAMPLES_PER_CHUNK) {
                entry.0 += lookout_tsdb::chunk::encode(chunk).len();
                entry.1 += chunk.len();
            }
        }
    }
    let total: usize = by_metric.values().map(|(bytes, _)| bytes).sum();
    let mut costliest: Vec<_> = by_metric.into_iter().collect();
    costliest.sort_by_key(|(_, (bytes, _))| std::cmp::Reverse(*bytes));
    for (name, (bytes, samples)) in costliest.iter().take(8) {
        println!(
            "  {name}: {:.0} % of chunk bytes, {:.2} bytes/sample over {samples} samples",
            *bytes as f64 * 100.0 / total.max(1) as f64,
            *bytes as f64 / (*samples).max(1) as f64
        );
    }
}

/// Writes the samples as Lookout blocks of each size compaction makes (two-hour windows cut from
/// the head, then the merged 12- and 48-hour ones) and reports bytes per sample; writes the same
/// samples as OpenMetrics to `out` for promtool.
fn measure(workload: &str, by_series: &SeriesMap, out: Option<&str>) {
    let total: usize = by_series.values().map(Vec::len).sum();
    println!("storage: {workload} ({} series, {total} samples):", by_series.len());
    let ranges = std::iter::once(lookout_tsdb::BLOCK_RANGE_MS).chain(lookout_tsdb::MERGED_RANGES_MS);
    for range in ranges {
        let (blocks, chunks, index) = block_sizes(by_series, range);
        let per = |bytes: u64| bytes as f64 / total.max(1) as f64;
        println!(
            "  as {} h blocks: {blocks} blocks, {} bytes = {:.2} bytes/sample ({:.2} in chunks, {:.2} in the index)",
            range / 3_600_000,
            chunks + index,
            per(chunks + index),
            per(chunks),
            per(index)
        );
    }
    print_costliest_metrics(by_series, lookout_tsdb::BLOCK_RANGE_MS);
    if let Some(out) = out {
        let mut text = String::new();
        for (labels, samples) in by_series {
            let name = labels.metric_name().unwrap_or("");
            let rest: Vec<String> = labels
                .iter()
                .filter(|l| l.name != "__name__")
                .map(|l| format!("{}={}", l.name, lookout_gotext::quote(&l.value)))
                .collect();
            for (t, v) in samples {
                text.push_str(&format!("{name}{{{}}} {v} {}.{:03}\n", rest.join(","), t / 1000, t % 1000));
            }
        }
        text.push_str("# EOF\n");
        std::fs::write(out, text).unwrap();
    }
}
