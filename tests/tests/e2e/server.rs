//! The binary over real sockets: health, readiness, self-metrics, the embedded UI, flags,
//! config errors, the data-directory lock and graceful shutdown.

use std::time::Duration;

use lookout_e2e::{Lookout, TempDir, eventually, http_get};

#[tokio::test]
async fn health_ready_and_self_metrics_count_demo_ingest() {
    let lookout = Lookout::start(&[]).await;
    let healthy = http_get(&format!("{}/-/healthy", lookout.url)).await.unwrap();
    assert_eq!(healthy.status, 200);
    let ready = http_get(&format!("{}/-/ready", lookout.url)).await.unwrap();
    assert_eq!(ready.status, 200, "{}", ready.body);

    // The demo scrapes its simulated services every 5 s; the first scrape is at start.
    let metrics = eventually(Duration::from_secs(15), "the demo's remote_write samples in /metrics", || async {
        let r = http_get(&format!("{}/metrics", lookout.url)).await?;
        let line = r.body.lines().find(|l| l.starts_with("lookout_ingested_samples_total{source=\"remote_write\"}"));
        match line.and_then(|l| l.rsplit(' ').next()).and_then(|v| v.parse::<f64>().ok()) {
            Some(v) if v > 100.0 => Ok(r),
            _ => Err(r.body.lines().filter(|l| l.contains("ingested")).collect::<Vec<_>>().join("\n")),
        }
    })
    .await;
    assert!(metrics.header("content-type").unwrap().starts_with("text/plain; version=0.0.4"));
    assert!(metrics.body.contains("# TYPE lookout_http_request_duration_seconds histogram"));
    assert!(metrics.body.contains(r#"lookout_http_requests_total{route="/-/healthy",method="GET",code="200"} 1"#));
}

#[tokio::test]
async fn serves_the_embedded_ui_for_every_page_route() {
    let lookout = Lookout::start(&["--no-demo"]).await;
    for route in ["/", "/explore", "/logs", "/alerts", "/dashboards", "/logs?query=x"] {
        let page = http_get(&format!("{}{route}", lookout.url)).await.unwrap();
        assert_eq!(page.status, 200, "{route}");
        assert!(
            page.body.contains("lookout-frontend") && page.body.contains(".wasm"),
            "{route}: no UI in {}",
            page.body
        );
    }
    let index = http_get(&format!("{}/", lookout.url)).await.unwrap();
    let wasm_path = index
        .body
        .split(['"', '\''])
        .find(|s| s.ends_with(".wasm"))
        .expect("index.html names the wasm bundle")
        .to_string();
    let wasm = http_get(&format!("{}{}", lookout.url, wasm_path)).await.unwrap();
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert!(wasm.header("cache-control").unwrap().contains("immutable"));
}

#[tokio::test]
async fn sigterm_shuts_down_cleanly_and_frees_the_data_dir() {
    let dir = TempDir::new("sigterm");
    let lookout = Lookout::start_in(dir.path(), &[], None).await;
    let status = lookout.terminate().await;
    assert!(status.success(), "exit status {status}");
    // The lock went with the process: a new server can open the same directory.
    let again = Lookout::start_in(dir.path(), &["--no-demo"], None).await;
    assert_eq!(http_get(&format!("{}/-/ready", again.url)).await.unwrap().status, 200);
}

#[tokio::test]
async fn a_second_server_on_the_same_data_dir_is_refused() {
    let first = Lookout::start(&["--no-demo"]).await;
    let output = run_to_end(&["--listen", "127.0.0.1:0", "--data-dir", first.data_dir.to_str().unwrap()]).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("in use by another Lookout process"), "{stderr}");
}

#[tokio::test]
async fn bad_config_is_reported_with_its_place() {
    let dir = TempDir::new("config");
    let config = dir.path().join("lookout.yml");
    std::fs::write(&config, "demo:\n  incident_every: 10m\n  bogus: 1\n").unwrap();
    let data = dir.path().join("data");
    let output = run_to_end(&["--config", config.to_str().unwrap(), "--data-dir", data.to_str().unwrap()]).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("lookout.yml") && stderr.contains("bogus") && stderr.contains("line 3"), "{stderr}");
}

#[tokio::test]
async fn help_lists_the_flags() {
    let output = run_to_end(&["--help"]).await;
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in ["--listen", "--data-dir", "--config", "--no-demo", "--demo-incident-every"] {
        assert!(help.contains(flag), "{flag} missing from --help:\n{help}");
    }
}

async fn run_to_end(args: &[&str]) -> std::process::Output {
    let child = tokio::process::Command::new(lookout_e2e::server_binary()).args(args).kill_on_drop(true).output();
    tokio::time::timeout(Duration::from_secs(20), child).await.expect("lookout did not exit").unwrap()
}
