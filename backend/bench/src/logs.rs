//! The logs pillar's measurements: a demo-like NDJSON file of any size, ingest speed on one
//! core and through the HTTP API, bytes on disk, and query latency, each printed as one line.

use std::io::Write;
use std::time::{Duration, Instant};

use lookout_logs::ingest::{Limits, parse_ndjson};
use lookout_logs::query::{Output, Params, evaluate};
use lookout_logs::{LogStore, Order};

const MB: f64 = 1_000_000.0;
/// Bytes of NDJSON parsed and appended per call, as a client's batch would carry.
const BATCH_BYTES: usize = 1 << 20;

/// Writes `bytes` of the demo's log lines (simulated seconds from a fixed start, incidents
/// every ten minutes) to `out`; prints one `request_id` from the middle for the lookup bench.
pub fn generate(out: &str, bytes: u64) {
    use lookout_server::config::DemoConfig;
    use lookout_server::demo::schedule::Schedule;
    use lookout_server::demo::sim::Simulation;

    let t0 = 1_735_000_000_000;
    let config = DemoConfig { incident_every: Duration::from_secs(600), ..DemoConfig::default() };
    let mut sim = Simulation::new(42, Schedule::new(&config), t0);
    let mut file = std::io::BufWriter::new(std::fs::File::create(out).unwrap_or_else(|e| panic!("{out}: {e}")));
    let (mut written, mut lines, mut step) = (0u64, 0u64, 0i64);
    let mut middle_request = None;
    while written < bytes {
        step += 1;
        for record in sim.step(t0 + step * 1000) {
            let line = serde_json::Value::Object(record.fields).to_string();
            if middle_request.is_none() && written >= bytes / 2 {
                middle_request = record_request(&line);
            }
            file.write_all(line.as_bytes()).unwrap();
            file.write_all(b"\n").unwrap();
            written += line.len() as u64 + 1;
            lines += 1;
        }
    }
    file.flush().unwrap();
    println!(
        "logs-gen: {out}: {lines} lines, {:.1} MB, {} simulated hours; request_id in the middle: {}",
        written as f64 / MB,
        step / 3600,
        middle_request.unwrap_or_default()
    );
}

fn record_request(line: &str) -> Option<String> {
    let fields = lookout_logs::json_fields(line)?;
    fields.into_iter().find(|(n, _)| n == "request_id").map(|(_, v)| v)
}

/// The file's lines in batches of about [`BATCH_BYTES`], split at line ends.
fn batches(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < data.len() {
        let mut end = (start + BATCH_BYTES).min(data.len());
        while end < data.len() && data[end - 1] != b'\n' {
            end += 1;
        }
        out.push(&data[start..end]);
        start = end;
    }
    out
}

/// Ingests FILE into a fresh store in DIR on one thread: parse, write-ahead log and head, then
/// the blocks (compression and indexes); reports both rates and the bytes on disk.
pub fn ingest_local(file: &str, dir: &str) {
    let data = std::fs::read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let _ = std::fs::remove_dir_all(dir);
    let (store, _) = LogStore::open(std::path::Path::new(dir)).unwrap();
    let started = Instant::now();
    let mut cut_time = Duration::ZERO;
    let mut lines = 0usize;
    for batch in batches(&data) {
        let parsed = parse_ndjson(batch, None, 0, Limits::default());
        assert!(parsed.rejected.is_empty(), "{:?}", &parsed.rejected[..1]);
        lines += parsed.entries.len();
        if store.append(parsed.entries).unwrap() {
            let cut = Instant::now();
            store.cut().unwrap();
            cut_time += cut.elapsed();
        }
    }
    let cut = Instant::now();
    store.cut().unwrap();
    cut_time += cut.elapsed();
    let total = started.elapsed();
    let appended = total - cut_time;
    let stats = store.stats();
    let mb = data.len() as f64 / MB;
    println!(
        "logs-ingest (one thread): {lines} lines, {mb:.0} MB: parse + WAL + head {:.1} MB/s ({:.0} lines/s); with blocks written (zstd, indexes) {:.1} MB/s ({:.0} lines/s)",
        mb / appended.as_secs_f64(),
        lines as f64 / appended.as_secs_f64(),
        mb / total.as_secs_f64(),
        lines as f64 / total.as_secs_f64()
    );
    println!(
        "logs-storage: {} blocks, {} bytes for {} raw bytes: {:.2}x smaller ({:.1} bytes per line)",
        stats.blocks,
        stats.block_bytes,
        data.len(),
        data.len() as f64 / stats.block_bytes as f64,
        stats.block_bytes as f64 / lines as f64
    );
}

/// Query latency over the store in DIR (written by `logs-local`) over the whole time span of
/// the data, median of [`RUNS`] runs. `LOOKOUT_BENCH_ONLY` picks
/// queries by name.
pub fn query_local(dir: &str, request_id: &str, term: &str) {
    let (store, _) = LogStore::open(std::path::Path::new(dir)).unwrap();
    let stats = store.stats();
    let (start, end) = (stats.min_ts, stats.max_ts);
    let params =
        Params { start, end, step: 0, limit: 5000, direction: Order::Backward, timeout: Duration::from_secs(300) };
    // A histogram of the whole span in about 60 bars, as the Logs page draws it.
    let step = ((end - start) / 60 / 1_000_000_000).max(1);
    let queries = [
        ("request_id lookup", format!(r#"{{request_id="{request_id}"}}"#), params.clone()),
        ("full-text term", format!(r#"{{service=~".+"}} |= "{term}""#), params.clone()),
        (
            "count_over_time",
            format!(r#"sum by (level) (count_over_time({{service="payment-service"}}[{step}s]))"#),
            Params { step: step * 1_000_000_000, ..params.clone() },
        ),
    ];
    let only = std::env::var("LOOKOUT_BENCH_ONLY").unwrap_or_default();
    for (name, query, params) in queries.into_iter().filter(|q| q.0.contains(only.as_str())) {
        let (found, median, best) = timed_runs(|| {
            let (output, _) = evaluate(&store, &query, &params).unwrap_or_else(|e| panic!("{query}: {e}"));
            match output {
                Output::Streams(s) => s.iter().map(|s| s.entries.len()).sum::<usize>(),
                Output::Vector(v) => v.iter().map(|(_, n)| *n as usize).sum(),
                Output::Matrix(m) => m.iter().flat_map(|s| &s.samples).map(|(_, n)| *n as usize).sum(),
            }
        });
        println!("logs-query {name}: {query}: median {median:.2?}, best {best:.2?} over {RUNS} runs ({found} lines)");
    }
}

/// Timed runs of each query, after one untimed run that warms the page cache.
const RUNS: usize = 11;

/// Runs `run` once to warm up, then [`RUNS`] times; its last answer, the median and best times.
fn timed_runs<T>(mut run: impl FnMut() -> T) -> (T, Duration, Duration) {
    let mut answer = run();
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        answer = run();
        times.push(started.elapsed());
    }
    times.sort();
    (answer, times[RUNS / 2], times[0])
}

/// The same three questions as [`query_local`] answered by ripgrep over the NDJSON file itself:
/// the lines of one request, the lines with a term, and payment-service's lines counted (rg has
/// no notion of time buckets or levels, so it only counts).
pub fn query_rg(file: &str, request_id: &str, term: &str) {
    let version =
        std::process::Command::new("rg").arg("--version").output().expect("rg (Debian's ripgrep) is installed");
    let version = String::from_utf8_lossy(&version.stdout).lines().next().unwrap_or_default().to_string();
    let request = format!(r#""request_id":"{request_id}""#);
    let searches: [(&str, Vec<&str>); 3] = [
        ("request_id lookup", vec!["-F", &request]),
        ("full-text term", vec!["-F", term]),
        ("count_over_time", vec!["-F", "-c", r#""service":"payment-service""#]),
    ];
    for (name, args) in searches {
        let (found, median, best) = timed_runs(|| {
            let out = std::process::Command::new("rg").args(&args).arg(file).output().expect("rg runs");
            // rg -c prints the count; otherwise count the lines printed.
            let text = String::from_utf8_lossy(&out.stdout);
            if args.contains(&"-c") { text.trim().parse::<usize>().unwrap_or(0) } else { text.lines().count() }
        });
        println!(
            "logs-rg {name}: {version} {}: median {median:.2?}, best {best:.2?} over {RUNS} runs ({found} lines)",
            args.join(" ")
        );
    }
}

/// POSTs FILE to URL's `/api/v1/logs` from `writers` concurrent clients in 1 MB batches.
pub async fn ingest_http(url: &str, file: &str, writers: usize) {
    let data = std::fs::read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let bodies: Vec<Vec<u8>> = batches(&data).into_iter().map(<[u8]>::to_vec).collect();
    let lines = data.iter().filter(|&&b| b == b'\n').count();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(bodies));
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..writers {
        let (queue, client, url) = (queue.clone(), client.clone(), format!("{url}/api/v1/logs"));
        tasks.push(tokio::spawn(async move {
            loop {
                let Some(body) = queue.lock().unwrap().pop() else { return };
                let response = client.post(&url).body(body).send().await.expect("server reachable");
                assert!(response.status().is_success(), "{}", response.text().await.unwrap_or_default());
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "logs-ingest (HTTP, {writers} writers, whole server): {lines} lines, {:.0} MB in {elapsed:.1} s: {:.1} MB/s, {:.0} lines/s",
        data.len() as f64 / MB,
        data.len() as f64 / MB / elapsed,
        lines as f64 / elapsed
    );
}
