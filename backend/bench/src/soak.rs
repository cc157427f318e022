//! The soak (`BENCH=soak make bench`): every pillar at once at fixed, modest rates for a bounded
//! time against one running Lookout whose config (written by `scripts/bench.sh`) scrapes its own
//! `/metrics`, evaluates rules over what is written and routes the alert they fire to this
//! program's webhook. It reports what was sustained, latency percentiles per operation, errors,
//! and the server's resident memory over time.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use lookout_server::ingest::remote_write::encode;
use lookout_server::timefmt::now_ms;
use lookout_tsdb::Labels;
use tokio::net::TcpListener;
use tokio::sync::Mutex;

use crate::alerts::{Hook, serve_hook};

/// Series written every second by remote_write.
const SERIES: usize = 5_000;
/// Log lines posted every 200 ms.
const LINES: usize = 200;
/// Memory is sampled this often.
const MEMORY_EVERY: Duration = Duration::from_secs(10);

/// Latencies of one kind of request, and how many failed.
#[derive(Default)]
struct Op {
    latencies_ms: Vec<f64>,
    errors: usize,
}

impl Op {
    fn report(&mut self, name: &str, items: usize, unit: &str, seconds: f64) {
        self.latencies_ms.sort_by(f64::total_cmp);
        let pick = |q: f64| crate::quantile(&self.latencies_ms, q);
        println!(
            "soak: {name}: {} requests, {:.0} {unit}/s sustained; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} errors",
            self.latencies_ms.len(),
            items as f64 / seconds,
            pick(0.5),
            pick(0.99),
            pick(1.0),
            self.errors
        );
    }
}

/// Runs one kind of request every `every` until `end`; `request` gives its outcome.
async fn every<F, Fut>(every: Duration, end: Instant, op: Arc<Mutex<Op>>, mut request: F)
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = bool>,
{
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut round = 0;
    while Instant::now() < end {
        ticker.tick().await;
        let started = Instant::now();
        let ok = request(round).await;
        let mut op = op.lock().await;
        op.latencies_ms.push(started.elapsed().as_secs_f64() * 1e3);
        if !ok {
            op.errors += 1;
        }
        round += 1;
    }
}

pub async fn soak(base: &str, hook_port: u16, seconds: u64) {
    let listener = TcpListener::bind(("127.0.0.1", hook_port)).await.expect("the soak's webhook port");
    let hook = Arc::new(Hook::default());
    tokio::spawn(serve_hook(listener, hook.clone()));
    let client = reqwest::Client::new();
    let started = Instant::now();
    let end = started + Duration::from_secs(seconds);
    let (writes, logs, queries) =
        (Arc::new(Mutex::new(Op::default())), Arc::new(Mutex::new(Op::default())), Arc::new(Mutex::new(Op::default())));

    let write = {
        let (client, url) = (client.clone(), format!("{base}/api/v1/write"));
        every(Duration::from_secs(1), end, writes.clone(), move |round| {
            let (client, url) = (client.clone(), url.clone());
            async move {
                let t = now_ms();
                let series: Vec<(Labels, Vec<(i64, f64)>)> = (0..SERIES)
                    .map(|i| {
                        let labels = Labels::from_pairs([
                            ("__name__", "soak_metric_total".to_string()),
                            ("series", i.to_string()),
                            ("group", (i % 10).to_string()),
                        ]);
                        (labels, vec![(t, (round * (1 + i as u64 % 7)) as f64)])
                    })
                    .collect();
                let body = encode(&series, &[]);
                let sent = client
                    .post(&url)
                    .header("Content-Type", "application/x-protobuf")
                    .header("Content-Encoding", "snappy")
                    .body(body)
                    .send()
                    .await;
                sent.is_ok_and(|r| r.status().as_u16() == 204)
            }
        })
    };
    let log = {
        let (client, url) = (client.clone(), format!("{base}/api/v1/logs"));
        every(Duration::from_millis(200), end, logs.clone(), move |round| {
            let (client, url) = (client.clone(), url.clone());
            async move {
                let ns = now_ms() * 1_000_000;
                let mut body = String::new();
                for i in 0..LINES {
                    let level = if i % 20 == 0 { "ERROR" } else { "INFO" };
                    body.push_str(&format!(
                        "{{\"timestamp\":{},\"level\":\"{level}\",\"service\":\"soak-{}\",\"message\":\"request {round}-{i} served\",\"request_id\":\"req-{round}-{i}\"}}\n",
                        ns + i as i64,
                        i % 4
                    ));
                }
                let sent = client.post(&url).header("Content-Type", "application/x-ndjson").body(body).send().await;
                sent.is_ok_and(|r| r.status().is_success())
            }
        })
    };
    let query = {
        let (client, base) = (client.clone(), base.to_string());
        every(Duration::from_millis(500), end, queries.clone(), move |round| {
            let (client, base) = (client.clone(), base.clone());
            async move {
                let now = now_ms() / 1000;
                let url = match round % 3 {
                    0 => format!("{base}/api/v1/query?query=sum(rate(soak_metric_total%5B1m%5D))&time={now}"),
                    1 => format!(
                        "{base}/api/v1/query_range?query=sum%20by%20(group)%20(rate(soak_metric_total%5B1m%5D))&start={}&end={now}&step=15",
                        now - 900
                    ),
                    _ => format!(
                        "{base}/loki/api/v1/query?query=sum%20by%20(service)%20(count_over_time(%7Blevel%3D%22ERROR%22%7D%5B1m%5D))&time={}",
                        now * 1_000_000_000
                    ),
                };
                client.get(&url).send().await.is_ok_and(|r| r.status().is_success())
            }
        })
    };
    let memory = {
        let (client, url) = (client.clone(), format!("{base}/metrics"));
        async move {
            let mut points = Vec::new();
            while Instant::now() < end {
                if let Some(mb) = resident_mb(&client, &url).await {
                    points.push((started.elapsed().as_secs(), mb));
                }
                tokio::time::sleep(MEMORY_EVERY).await;
            }
            points
        }
    };
    let (_, _, _, points) = tokio::join!(write, log, query, memory);

    let seconds = started.elapsed().as_secs_f64();
    let written = writes.lock().await.latencies_ms.len() * SERIES;
    writes.lock().await.report("remote_write", written, "samples", seconds);
    let lines = logs.lock().await.latencies_ms.len() * LINES;
    logs.lock().await.report("log ingest (NDJSON)", lines, "lines", seconds);
    let asked = queries.lock().await.latencies_ms.len();
    queries.lock().await.report("queries (instant, range 15 m, LogQL)", asked, "queries", seconds);
    let rules = get_json(&format!("{base}/api/v1/rules")).await;
    let unhealthy = rules["data"]["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["rules"].as_array().into_iter().flatten())
        .filter(|r| r["health"] != "ok")
        .count();
    let targets = get_json(&format!("{base}/api/v1/targets")).await;
    let up = targets["data"]["activeTargets"].as_array().into_iter().flatten().filter(|t| t["health"] == "up").count();
    println!(
        "soak: rules: {unhealthy} unhealthy; scrape targets up: {up}; webhook notifications received: {}",
        hook.requests.load(Ordering::Relaxed)
    );
    let shown: Vec<String> = points.iter().map(|(t, mb)| format!("{t}s {mb:.0}")).collect();
    println!("soak: resident memory (MB) over time: {}", shown.join(", "));
    if let (Some(half), Some(last)) = (points.get(points.len() / 2), points.last()) {
        let minutes = (last.0 - half.0) as f64 / 60.0;
        println!(
            "soak: memory growth over the second half: {:.1} MB/min ({:.0} → {:.0} MB); the head keeps every sample of the last hours ({:.0} MB of samples a minute at this rate, 16 bytes each)",
            (last.1 - half.1) / minutes.max(1e-9),
            half.1,
            last.1,
            SERIES as f64 * 60.0 * 16.0 / 1e6
        );
    }
}

async fn get_json(url: &str) -> serde_json::Value {
    let Ok(response) = reqwest::get(url).await else { return serde_json::Value::Null };
    let text = response.text().await.unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_default()
}

/// The server's `process_resident_memory_bytes` from its `/metrics`, in MB.
async fn resident_mb(client: &reqwest::Client, url: &str) -> Option<f64> {
    let text = client.get(url).send().await.ok()?.text().await.ok()?;
    let bytes = text.lines().find_map(|l| l.strip_prefix("process_resident_memory_bytes "))?;
    Some(bytes.trim().parse::<f64>().ok()? / 1e6)
}
