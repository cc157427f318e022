//! Lookout on a Prometheus-compatible engine (`storage.metrics.prometheus`), against Debian's
//! Prometheus 2.42 started with its remote-write receiver: what Lookout receives reaches the
//! engine, Lookout's query API and rules read from the engine (its errors too), and while the engine is
//! down Lookout acknowledges writes, keeps them on disk through `kill -9`, alerts about the
//! engine, and delivers everything once it is back.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lookout_e2e::{Lookout, TempDir, eventually, free_port, http_get, http_post, url_encode};
use lookout_server::ingest::remote_write::encode;
use lookout_tsdb::Labels;
use tokio::process::{Child, Command};

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// Prometheus 2.42 on `port` with its data in `dir`, scraping itself; killed when dropped.
fn prometheus(dir: &std::path::Path, port: u16) -> Child {
    std::fs::write(
        dir.join("prometheus.yml"),
        format!("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: engine\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n"),
    )
    .unwrap();
    Command::new("/usr/bin/prometheus")
        .arg(format!("--config.file={}", dir.join("prometheus.yml").display()))
        .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--web.enable-remote-write-receiver")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("Debian's prometheus (make test installs it)")
}

/// `outage_batch{batch="n"} = n` now, through Lookout's remote_write; must be acknowledged.
async fn push(lookout: &str, n: usize) {
    let labels = Labels::from_pairs([("__name__", "outage_batch".to_string()), ("batch", n.to_string())]);
    let body = encode(&[(labels, vec![(now_ms(), n as f64)])], &[]);
    let headers = [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "snappy")];
    let response = http_post(&format!("{lookout}/api/v1/write"), &headers, &body).await.unwrap();
    assert_eq!(response.status, 204, "batch {n}: {}", response.body);
}

/// Status and JSON body; status 0 when nothing answers (the engine while it is down).
async fn get_json(url: &str) -> (u16, serde_json::Value) {
    match http_get(url).await {
        Ok(response) => (response.status, serde_json::from_str(&response.body).unwrap_or(serde_json::Value::Null)),
        Err(_) => (0, serde_json::Value::Null),
    }
}

/// Waits until the query API at `query_url` answers with Prometheus's own `up{job="engine"}`
/// (Prometheus scrapes itself every second once it starts).
async fn engine_up_at(query_url: &str, what: &str) {
    let url = format!("{query_url}?query={}", url_encode("up{job=\"engine\"}"));
    eventually(Duration::from_secs(30), what, || async {
        let (status, json) = get_json(&url).await;
        if status == 200 && json["data"]["result"][0]["metric"]["job"] == "engine" {
            Ok(())
        } else {
            Err(json.to_string())
        }
    })
    .await;
}

/// Waits until the Alertmanager API at `url` (Lookout's or Alertmanager's) holds alert `name`.
async fn alert_at(url: &str, name: &str) -> serde_json::Value {
    eventually(Duration::from_secs(30), &format!("{name} at {url}"), || async {
        let (_, alerts) = get_json(&format!("{url}/api/v2/alerts")).await;
        let found = alerts.as_array().into_iter().flatten().find(|a| a["labels"]["alertname"] == name).cloned();
        found.ok_or_else(|| alerts.to_string())
    })
    .await
}

/// The `batch` labels of `outage_batch` as `url`'s engine answers them.
async fn batches(url: &str) -> Vec<String> {
    let (_, json) = get_json(&format!("{url}/api/v1/query?query=outage_batch")).await;
    let mut found: Vec<String> = json["data"]["result"]
        .as_array()
        .map(|r| r.iter().filter_map(|s| s["metric"]["batch"].as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    found.sort();
    found
}

#[tokio::test]
async fn lookout_stores_metrics_in_prometheus_and_loses_nothing_while_it_is_down() {
    let engine_dir = TempDir::new("engine");
    let port = free_port();
    let engine = format!("http://127.0.0.1:{port}");
    let mut prometheus_process = prometheus(engine_dir.path(), port);
    eventually(Duration::from_secs(30), "Prometheus ready", || async {
        http_get(&format!("{engine}/-/ready"))
            .await
            .map(|r| r.status)
            .ok()
            .filter(|s| *s == 200)
            .ok_or_else(|| "not yet".to_string())
    })
    .await;

    let dir = TempDir::new("backend");
    let config = dir.path().join("lookout.yml");
    // A recording rule over a series only the engine has (Prometheus's own `up`): it can only
    // be computed by asking the engine, and its result is forwarded there.
    std::fs::write(
        dir.path().join("rules.yml"),
        "groups:\n  - name: engine\n    interval: 1s\n    rules:\n      - record: engine:up:sum\n        expr: sum(up{job=\"engine\"})\n",
    )
    .unwrap();
    std::fs::write(
        &config,
        format!("rule_files: [rules.yml]\nstorage:\n  metrics:\n    prometheus:\n      url: {engine}\n      alert_after: 1s\n      queue: {{shards: 2}}\n"),
    )
    .unwrap();
    let data = TempDir::new("backend-data");
    let args = ["--no-demo", "--config", config.to_str().unwrap()];
    let mut lookout = Lookout::start_in(data.path(), &args, None).await;
    let url = lookout.url.clone();

    // Written to Lookout, found in Prometheus.
    push(&url, 0).await;
    eventually(Duration::from_secs(20), "batch 0 in Prometheus", || async {
        let found = batches(&engine).await;
        if found == ["0"] { Ok(()) } else { Err(format!("{found:?}")) }
    })
    .await;
    // Lookout's API answers from the engine: Prometheus's own series, its labels, its errors.
    engine_up_at(&format!("{url}/api/v1/query"), "Prometheus's own series through Lookout").await;
    eventually(Duration::from_secs(20), "the rule's result in Prometheus", || async {
        let (_, json) = get_json(&format!("{engine}/api/v1/query?query={}", url_encode("engine:up:sum"))).await;
        if json["data"]["result"][0]["value"][1] == "1" { Ok(()) } else { Err(json.to_string()) }
    })
    .await;
    let (_, metadata) = get_json(&format!("{url}/api/v1/metadata?metric=prometheus_build_info")).await;
    assert_eq!(metadata["data"]["prometheus_build_info"][0]["type"], "gauge", "the engine's metadata: {metadata}");
    let (_, labels) = get_json(&format!("{url}/api/v1/label/job/values")).await;
    assert_eq!(labels["data"], serde_json::json!(["engine"]), "{labels}");
    let (status, json) = get_json(&format!("{url}/api/v1/query?query={}", url_encode("sum(up"))).await;
    assert_eq!((status, json["errorType"].as_str()), (400, Some("bad_data")), "{json}");
    assert!(json["error"].as_str().unwrap().contains("1:7"), "the engine's position: {json}");

    // The engine goes down: writes are still acknowledged, queries say what is wrong, and Lookout
    // raises an alert about it.
    prometheus_process.kill().await.unwrap();
    for n in 1..=3 {
        push(&url, n).await;
    }
    let (status, json) = get_json(&format!("{url}/api/v1/query?query=up")).await;
    assert_eq!(status, 503, "{json}");
    let error = json["error"].as_str().unwrap_or_default();
    assert!(error.contains(&format!("the metrics backend {engine} cannot be reached")), "{json}");
    let alert = alert_at(&url, "LookoutMetricsBackendDown").await;
    assert_eq!(alert["labels"]["severity"], "critical");
    let description = alert["annotations"]["description"].as_str().unwrap();
    assert!(description.contains("samples wait on Lookout's disk"), "{description}");

    // Lookout is killed while the engine is down; after both restart, every acknowledged batch
    // reaches the engine.
    lookout.kill().await;
    let lookout = Lookout::start_in(data.path(), &args, None).await;
    push(&lookout.url, 4).await;
    let _prometheus_again = prometheus(engine_dir.path(), port);
    eventually(Duration::from_secs(40), "every batch in Prometheus", || async {
        let found = batches(&engine).await;
        if found == ["0", "1", "2", "3", "4"] { Ok(()) } else { Err(format!("{found:?}")) }
    })
    .await;
    let (_, sent) = get_json(&format!("{}/api/v1/query?query=outage_batch", lookout.url)).await;
    assert_eq!(sent["data"]["result"].as_array().map(Vec::len), Some(5), "{sent}");
    let metrics = http_get(&format!("{}/metrics", lookout.url)).await.unwrap().body;
    assert!(metrics.lines().any(|l| l.starts_with("lookout_backend_sent_total{backend=\"metrics\"} ")), "{metrics}");
}

/// Lookout with Loki as its log store, where "Loki" is a second Lookout speaking Loki's API:
/// lines sent to the first reach the second, the first's Loki API answers from the second, and
/// while the second is down lines are acknowledged, kept and delivered once it is back.
#[tokio::test]
async fn lookout_stores_logs_in_loki_and_reads_them_back() {
    let loki_data = TempDir::new("loki-data");
    let loki_listen = format!("127.0.0.1:{}", free_port());
    let loki_args = ["--no-demo", "--listen", loki_listen.as_str()];
    let loki = Lookout::start_in(loki_data.path(), &loki_args, None).await;
    let dir = TempDir::new("loki-backend");
    let config = dir.path().join("lookout.yml");
    std::fs::write(&config, format!("storage:\n  logs:\n    loki:\n      url: {}\n      alert_after: 1s\n", loki.url))
        .unwrap();
    let lookout = Lookout::start(&["--no-demo", "--config", config.to_str().unwrap()]).await;
    let line = |message: &str| format!(r#"{{"level":"ERROR","message":"{message}","request_id":"r-1"}}"#);
    let post = |url: String, body: String| async move {
        let response = http_post(&format!("{url}/api/v1/logs?service=checkout"), &[], body.as_bytes()).await.unwrap();
        assert_eq!(response.status, 200, "{}", response.body);
    };
    let lines_at = |url: String| async move {
        let query = url_encode("{service=\"checkout\"}");
        let (status, json) =
            get_json(&format!("{url}/loki/api/v1/query_range?query={query}&since=1h&direction=forward")).await;
        let lines: Vec<String> = json["data"]["result"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| s["values"].as_array().cloned().unwrap_or_default())
            .filter_map(|v| v[1].as_str().map(str::to_string))
            .collect();
        (status, lines)
    };

    post(lookout.url.clone(), line("pool exhausted")).await;
    eventually(Duration::from_secs(20), "the line in Loki", || async {
        let (_, lines) = lines_at(loki.url.clone()).await;
        if lines.len() == 1 && lines[0].contains("pool exhausted") { Ok(()) } else { Err(format!("{lines:?}")) }
    })
    .await;
    // A line only Loki has is found through Lookout: reads go to Loki.
    post(loki.url.clone(), line("written to Loki directly")).await;
    let (status, lines) = lines_at(lookout.url.clone()).await;
    assert_eq!(status, 200);
    assert!(lines.iter().any(|l| l.contains("written to Loki directly")), "{lines:?}");

    // Loki goes down: Lookout still acknowledges lines, says what is wrong, and alerts.
    loki.terminate().await;
    post(lookout.url.clone(), line("during the outage")).await;
    let (status, _) = lines_at(lookout.url.clone()).await;
    assert_eq!(status, 503);
    alert_at(&lookout.url, "LookoutLogsBackendDown").await;
    // Back on the same address, Loki gets the line it missed.
    let loki = Lookout::start_in(loki_data.path(), &loki_args, None).await;
    eventually(Duration::from_secs(30), "the outage's line in Loki", || async {
        let (_, lines) = lines_at(loki.url.clone()).await;
        if lines.iter().any(|l| l.contains("during the outage")) { Ok(lines.len()) } else { Err(format!("{lines:?}")) }
    })
    .await;
}

/// Prometheus as a named data source beside Lookout's own store: listed as Grafana lists data
/// sources, read through Grafana's proxy path (reads only), asked by the live socket for a panel
/// that names it, and picked in Explore, in Chromium.
#[tokio::test]
async fn a_named_prometheus_source_for_explore_and_panels() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let engine_dir = TempDir::new("source-engine");
    let port = free_port();
    let engine = format!("http://127.0.0.1:{port}");
    let _prometheus = prometheus(engine_dir.path(), port);
    let dir = TempDir::new("sources");
    let config = dir.path().join("lookout.yml");
    std::fs::write(&config, format!("datasources:\n  engine:\n    prometheus:\n      url: {engine}\n")).unwrap();
    let lookout = Lookout::start(&["--no-demo", "--config", config.to_str().unwrap()]).await;
    let url = lookout.url.clone();

    let (_, listed) = get_json(&format!("{url}/api/datasources")).await;
    let uids: Vec<(&str, &str)> =
        listed.as_array().unwrap().iter().map(|s| (s["uid"].as_str().unwrap(), s["type"].as_str().unwrap())).collect();
    assert_eq!(uids, [("lookout", "prometheus"), ("lookout-logs", "loki"), ("engine", "prometheus")]);
    let through = format!("{url}/api/datasources/proxy/uid/engine/api/v1/query");
    engine_up_at(&through, "Prometheus's own series through the proxy path").await;
    let (status, _) = get_json(&format!("{url}/api/datasources/proxy/uid/engine/api/v1/admin/tsdb/snapshot")).await;
    assert_eq!(status, 404, "only reads are passed on");
    let (_, own) = get_json(&format!("{url}/api/v1/query?query=up")).await;
    assert_eq!(own["data"]["result"], serde_json::json!([]), "Lookout's own store is another store");

    // A panel that names the source gets its series over the live socket.
    let now = now_ms();
    let ws = format!("{}/api/lookout/live", url.replacen("http://", "ws://", 1));
    let (mut socket, _) = tokio_tungstenite::connect_async(ws.as_str()).await.expect("live connects");
    let request = serde_json::json!({"queries": [
        {"id": "engine", "kind": "instant", "expr": "up", "start_ms": now - 60_000, "end_ms": now, "datasource": "engine"},
        {"id": "missing", "kind": "instant", "expr": "up", "start_ms": now, "end_ms": now, "datasource": "nope"},
    ]});
    socket.send(Message::Text(request.to_string().into())).await.unwrap();
    let round = match tokio::time::timeout(Duration::from_secs(10), socket.next()).await.expect("a round") {
        Some(Ok(Message::Text(text))) => serde_json::from_str::<serde_json::Value>(&text).unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(round["results"][0]["metrics"]["result"][0]["metric"]["job"], "engine", "{round}");
    assert_eq!(round["results"][1]["error"], "no data source \"nope\"", "{round}");

    // Explore offers the source and draws from it.
    let browser = lookout_e2e::Browser::start().await;
    browser.client.goto(&format!("{url}/explore?query=up&from=now-5m&to=now")).await.unwrap();
    let picker =
        browser.wait_for_text("[data-testid=datasource]", Duration::from_secs(20), |t| t.contains("engine")).await;
    assert!(picker.contains("Lookout"), "{picker}");
    browser.wait_for_text("[data-testid=no-data]", Duration::from_secs(10), |_| true).await;
    browser.client.goto(&format!("{url}/explore?query=up&from=now-5m&to=now&ds=engine")).await.unwrap();
    let stats = browser.wait_for_text(".result-stats", Duration::from_secs(20), |t| t.contains("series")).await;
    assert!(stats.starts_with("1 series"), "{stats}");
    browser.close().await;
}

/// With the built-in notifier off, the alert about a backend that cannot be written reaches the
/// Alertmanager the rules' alerts go to.
#[tokio::test]
async fn the_backend_alert_reaches_an_external_alertmanager() {
    let alertmanager = super::rules::Alertmanager::start().await;
    let dir = TempDir::new("backend-alert");
    let config = dir.path().join("lookout.yml");
    let nowhere = format!("http://127.0.0.1:{}", free_port());
    let am_host = alertmanager.url.trim_start_matches("http://");
    std::fs::write(
        &config,
        format!(
            "storage:\n  metrics:\n    prometheus:\n      url: {nowhere}\n      alert_after: 1s\n\
             alerting:\n  builtin_notifier: false\n  alertmanagers:\n    - static_configs:\n        - targets: ['{am_host}']\n"
        ),
    )
    .unwrap();
    let lookout = Lookout::start(&["--no-demo", "--config", config.to_str().unwrap()]).await;
    push(&lookout.url, 0).await;
    let received = alert_at(&alertmanager.url, "LookoutMetricsBackendDown").await;
    assert_eq!(received["labels"]["backend"], nowhere.as_str(), "{received}");
    let summary = received["annotations"]["summary"].as_str().unwrap();
    assert!(summary.contains("cannot write to its metrics backend"), "{summary}");
    let (_, own) = get_json(&format!("{}/api/v2/alerts", lookout.url)).await;
    assert_eq!(own, serde_json::json!([]), "the built-in notifier is off");
}

/// A named Loki source (here a second Lookout, which speaks Loki's API) on the Logs page: picked
/// with `ds=`, its lines are shown; Lookout's own store does not have them.
#[tokio::test]
async fn a_named_loki_source_on_the_logs_page() {
    let loki = Lookout::start(&["--no-demo"]).await;
    let line = r#"{"level":"ERROR","service":"checkout","message":"only in the other Loki"}"#;
    let posted = http_post(&format!("{}/api/v1/logs", loki.url), &[], line.as_bytes()).await.unwrap();
    assert_eq!(posted.status, 200, "{}", posted.body);
    let dir = TempDir::new("loki-source");
    let config = dir.path().join("lookout.yml");
    std::fs::write(&config, format!("datasources:\n  other-loki:\n    loki:\n      url: {}\n", loki.url)).unwrap();
    let lookout = Lookout::start(&["--no-demo", "--config", config.to_str().unwrap()]).await;

    let browser = lookout_e2e::Browser::start().await;
    let page = |ds: &str| {
        format!("{}/logs?query={}&from=now-1h&to=now{ds}", lookout.url, url_encode("{service=\"checkout\"}"))
    };
    browser.client.goto(&page("&ds=other-loki")).await.unwrap();
    let row = browser.wait_for_text("[data-testid=log-row]", Duration::from_secs(20), |t| !t.is_empty()).await;
    assert!(row.contains("only in the other Loki"), "{row}");
    let picker =
        browser.wait_for_text("[data-testid=datasource]", Duration::from_secs(10), |t| t.contains("other-loki")).await;
    assert!(picker.contains("Lookout logs"), "{picker}");
    let tail = browser.client.find(fantoccini::Locator::Css("[data-testid=live-toggle]")).await.unwrap();
    assert_eq!(tail.attr("disabled").await.unwrap().as_deref(), Some("true"), "no live tail of another source");
    browser.client.goto(&page("")).await.unwrap();
    browser.wait_for_text("[data-testid=no-data]", Duration::from_secs(20), |t| t.contains("No lines")).await;
    assert!(
        browser.client.find(fantoccini::Locator::Css("[data-testid=log-row]")).await.is_err(),
        "own store has no such line"
    );
    browser.close().await;
}
