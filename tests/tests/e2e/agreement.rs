//! Lookout and Prometheus 2.42 (Debian's package) answer the same PromQL the same way: both get
//! the same remote_write data, then every query below, instant and range, must return the same
//! series with values equal within a relative 1e-6.

use std::process::Stdio;
use std::time::Duration;

use lookout_e2e::{Lookout, TempDir, eventually, free_port, http_get, http_post, url_encode};
use lookout_server::ingest::remote_write::encode;
use lookout_tsdb::Labels;
use serde_json::Value;

const STEP_MS: i64 = 15_000;
const ROUNDS: i64 = 240;

const QUERIES: &[&str] = &[
    "requests_total",
    "rate(requests_total[5m])",
    "sum by (code) (increase(requests_total[10m]))",
    "irate(requests_total[1m]) * 60",
    "histogram_quantile(0.9, sum by (le) (rate(latency_seconds_bucket[5m])))",
    "histogram_quantile(0.5, rate(latency_seconds_bucket[5m]))",
    "avg_over_time(temperature[10m])",
    "max_over_time(temperature[30m]) - min_over_time(temperature[30m])",
    "quantile_over_time(0.75, temperature[15m])",
    "stddev(temperature)",
    "topk(2, temperature)",
    "count_values(\"v\", floor(temperature / 10))",
    "temperature > bool 20",
    "temperature offset 10m",
    "deriv(temperature[20m])",
    "predict_linear(temperature[30m], 3600)",
    "delta(temperature[10m])",
    "changes(temperature[30m])",
    "resets(requests_total[1h])",
    "max_over_time(rate(requests_total[5m])[20m:1m])",
    "sum by (code) (rate(requests_total[5m])) / ignoring(code) group_left sum(rate(requests_total[5m]))",
    "label_replace(temperature, \"room\", \"r-$1\", \"sensor\", \"(.*)\")",
    "absent(nonexistent{job=\"x\"})",
    "clamp(temperature, 15, 25)",
    "holt_winters(temperature[30m], 0.5, 0.5)",
    "timestamp(temperature)",
];

fn dataset(t0: i64) -> Vec<(Labels, Vec<(i64, f64)>)> {
    let mut series = Vec::new();
    let labels = |pairs: &[(&str, &str)]| Labels::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    for (code, per_step) in [("200", 47.0), ("500", 3.0)] {
        let points = (0..ROUNDS)
            .map(|i| {
                // A counter with a reset two thirds of the way through.
                let n = if i >= 160 { i - 160 } else { i };
                (t0 + i * STEP_MS, per_step * n as f64 + (i % 7) as f64)
            })
            .collect();
        series.push((labels(&[("__name__", "requests_total"), ("job", "api"), ("code", code)]), points));
    }
    for (sensor, base) in [("a", 18.0), ("b", 22.5), ("c", 30.0)] {
        let points = (0..ROUNDS)
            .map(|i| (t0 + i * STEP_MS, base + ((i as f64) / 9.0).sin() * 4.0 + (i % 5) as f64 * 0.1))
            .collect();
        series.push((labels(&[("__name__", "temperature"), ("job", "sensors"), ("sensor", sensor)]), points));
    }
    let bounds = ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"];
    for (b, le) in bounds.iter().enumerate() {
        let points = (0..ROUNDS).map(|i| (t0 + i * STEP_MS, (i * (b as i64 + 1) * 3) as f64)).collect();
        series.push((labels(&[("__name__", "latency_seconds_bucket"), ("job", "api"), ("le", le)]), points));
    }
    series
}

/// Writes the data round by round, so each system sees every series in time order.
async fn load(url: &str, data: &[(Labels, Vec<(i64, f64)>)]) {
    let headers = [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "snappy")];
    for round in 0..ROUNDS as usize {
        let batch: Vec<(Labels, Vec<(i64, f64)>)> = data.iter().map(|(l, p)| (l.clone(), vec![p[round]])).collect();
        let response = http_post(&format!("{url}/api/v1/write"), &headers, &encode(&batch, &[])).await.unwrap();
        assert!(response.status == 204 || response.status == 200, "{url}: {} {}", response.status, response.body);
    }
}

/// The result as sorted (labels, values) pairs, for comparison.
fn normalise(body: &str) -> Result<Vec<(String, Vec<f64>)>, String> {
    let v: Value = serde_json::from_str(body).map_err(|e| format!("{e}: {body}"))?;
    if v["status"] != "success" {
        return Err(body.to_string());
    }
    let value =
        |x: &Value| x.as_str().map_or(f64::NAN, |s| s.replace("+Inf", "inf").parse::<f64>().unwrap_or(f64::NAN));
    let mut out: Vec<(String, Vec<f64>)> = v["data"]["result"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    let metric = s["metric"].to_string();
                    let values = match s.get("values") {
                        Some(vs) => vs.as_array().unwrap().iter().map(|p| value(&p[1])).collect(),
                        None => vec![value(&s["value"][1])],
                    };
                    (metric, values)
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-6 * a.abs().max(b.abs())
}

#[tokio::test]
async fn lookout_and_prometheus_agree_value_for_value() {
    if !std::path::Path::new("/usr/bin/prometheus").exists() {
        panic!("/usr/bin/prometheus is missing: `make test` installs Debian's prometheus package");
    }
    let dir = TempDir::new("agreement");
    let config = dir.path().join("prometheus.yml");
    std::fs::write(&config, "global:\n  scrape_interval: 1m\n").unwrap();
    let port = free_port();
    let mut prometheus = tokio::process::Command::new("/usr/bin/prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", dir.path().join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--web.enable-remote-write-receiver")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let prometheus_url = format!("http://127.0.0.1:{port}");
    eventually(Duration::from_secs(30), "Prometheus to be ready", || async {
        let r = http_get(&format!("{prometheus_url}/-/ready")).await?;
        if r.status == 200 { Ok(()) } else { Err(r.body) }
    })
    .await;
    let lookout = Lookout::start(&["--no-demo"]).await;

    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let t0 = (now - 120_000 - ROUNDS * STEP_MS) / STEP_MS * STEP_MS;
    let data = dataset(t0);
    load(&prometheus_url, &data).await;
    load(&lookout.url, &data).await;

    let end = (t0 + (ROUNDS - 1) * STEP_MS) as f64 / 1000.0;
    let start = end - 1800.0;
    let mut compared = 0;
    for query in QUERIES {
        let q = url_encode(query);
        for path in [
            format!("/api/v1/query?query={q}&time={end}"),
            format!("/api/v1/query_range?query={q}&start={start}&end={end}&step=60"),
        ] {
            let theirs = normalise(&http_get(&format!("{prometheus_url}{path}")).await.unwrap().body).unwrap();
            let ours = normalise(&http_get(&format!("{}{path}", lookout.url)).await.unwrap().body).unwrap();
            let names =
                |r: &[(String, Vec<f64>)]| r.iter().map(|(m, v)| format!("{m}×{}", v.len())).collect::<Vec<_>>();
            assert_eq!(names(&ours), names(&theirs), "series differ for {path}");
            for ((metric, a), (_, b)) in ours.iter().zip(&theirs) {
                for (x, y) in a.iter().zip(b) {
                    assert!(same(*x, *y), "{query} {metric}: Lookout {x}, Prometheus {y} ({path})");
                }
            }
            assert!(
                !theirs.is_empty() || query.starts_with("absent"),
                "{query} returned nothing; the comparison would be empty"
            );
            compared += 1;
        }
    }
    assert_eq!(compared, QUERIES.len() * 2);
    let _ = prometheus.kill().await;
}
