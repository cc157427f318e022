//! Scraping for real: a target served over HTTP, discovered through a `file_sd_configs` file,
//! scraped into the store, reported in `/api/v1/targets`, and marked stale when it goes away.

use std::time::Duration;

use lookout_e2e::{Lookout, TempDir, eventually, http_get, url_encode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const EXPOSITION: &str = "# HELP shop_orders_total Orders placed.\n# TYPE shop_orders_total counter\nshop_orders_total{shop=\"north\"} 7\nthis line is broken\nshop_queue_depth 3\n";

/// A minimal target: answers every request with the exposition above.
async fn serve_target() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{EXPOSITION}",
                    EXPOSITION.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    address
}

async fn query(url: &str, q: &str) -> serde_json::Value {
    let response = http_get(&format!("{url}/api/v1/query?query={}", url_encode(q))).await.unwrap();
    serde_json::from_str(&response.body).unwrap()
}

#[tokio::test]
async fn scrapes_file_discovered_targets_and_marks_them_stale_when_gone() {
    let address = serve_target().await;
    let dir = TempDir::new("scrape");
    let targets = dir.path().join("targets.json");
    std::fs::write(&targets, format!(r#"[{{"targets": ["{address}"], "labels": {{"team": "shop"}}}}]"#)).unwrap();
    let config = dir.path().join("lookout.yml");
    std::fs::write(
        &config,
        "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: shop\n    file_sd_configs:\n      - files: ['targets.json']\n",
    )
    .unwrap();
    let lookout = Lookout::start(&["--no-demo", "--config", config.to_str().unwrap()]).await;

    let up = eventually(Duration::from_secs(20), "up{job=\"shop\"} == 1", || async {
        let v = query(&lookout.url, "up{job=\"shop\"}").await;
        let result = v["data"]["result"].clone();
        if result[0]["value"][1] == "1" { Ok(result) } else { Err(v.to_string()) }
    })
    .await;
    assert_eq!(up[0]["metric"]["instance"], address.as_str());
    assert_eq!(up[0]["metric"]["team"], "shop");

    // The good lines around the broken one are stored.
    let orders = query(&lookout.url, "shop_orders_total").await;
    assert_eq!(orders["data"]["result"][0]["value"][1], "7", "{orders}");
    assert_eq!(orders["data"]["result"][0]["metric"]["shop"], "north");
    let depth = query(&lookout.url, "shop_queue_depth").await;
    assert_eq!(depth["data"]["result"][0]["value"][1], "3", "{depth}");

    // The targets API reports the target and the skipped line.
    let targets_api = http_get(&format!("{}/api/v1/targets", lookout.url)).await.unwrap();
    let json: serde_json::Value = serde_json::from_str(&targets_api.body).unwrap();
    let active = &json["data"]["activeTargets"][0];
    assert_eq!(active["health"], "up");
    assert_eq!(active["scrapePool"], "shop");
    assert!(active["lastError"].as_str().unwrap().contains("line 4"), "{active}");
    let metadata = http_get(&format!("{}/api/v1/metadata?metric=shop_orders_total", lookout.url)).await.unwrap();
    assert!(
        metadata.body.contains(r#""type":"counter""#) && metadata.body.contains("Orders placed."),
        "{}",
        metadata.body
    );

    // The target leaves discovery: its series end with staleness markers, so they vanish at once
    // instead of lingering for the five-minute lookback.
    std::fs::write(&targets, "[]").unwrap();
    eventually(Duration::from_secs(20), "shop_queue_depth to go stale", || async {
        let v = query(&lookout.url, "shop_queue_depth").await;
        if v["data"]["result"].as_array().is_some_and(|r| r.is_empty()) { Ok(()) } else { Err(v.to_string()) }
    })
    .await;
    let targets_api = http_get(&format!("{}/api/v1/targets", lookout.url)).await.unwrap();
    assert!(targets_api.body.contains(r#""activeTargets":[]"#), "{}", targets_api.body);
}
