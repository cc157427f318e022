//! The answer in one click on a user's own data, with no demo and no config naming a metric: a
//! checkout service on a real psycopg pool of 20 held by slow report queries on a real
//! PostgreSQL, scraped with Debian's postgres_exporter, logging through the real
//! python-logging-loki client. The Overview names the pool with its limit and the new error
//! pattern, and one click from the symptom's alert shows both as its probable causes.

use std::time::Duration;

use fantoccini::Locator;
use lookout_e2e::outside::{Postgres, postgres_exporter, python_script};
use lookout_e2e::{Browser, Lookout, TempDir, eventually, free_port, http_get, http_post};
use serde_json::Value;

async fn get_json(url: &str) -> Result<Value, String> {
    let response = http_get(url).await?;
    if response.status != 200 {
        return Err(format!("{} {}", response.status, response.body));
    }
    serde_json::from_str(&response.body).map_err(|e| e.to_string())
}

/// The first element of `list` that `pick` accepts.
fn find(list: &Value, pick: impl Fn(&Value) -> bool) -> Option<&Value> {
    list.as_array()?.iter().find(|v| pick(v))
}

const ERROR_PATTERN: &str = "couldn't get a connection after <_> sec";

#[tokio::test]
async fn a_real_pool_at_its_limit_is_the_probable_cause() {
    let postgres = Postgres::start();
    let (_exporter, exporter_port) = postgres_exporter(&postgres);
    let service_port = free_port();

    let dir = TempDir::new("insight");
    std::fs::write(
        dir.path().join("rules.yml"),
        "groups:\n  - name: checkout\n    interval: 2s\n    rules:\n      - alert: CheckoutFailing\n        expr: sum(rate(http_requests_total{code=~\"5..\"}[20s])) / sum(rate(http_requests_total[20s])) > 0.05\n        labels: {severity: critical}\n        annotations: {summary: Checkout requests are failing}\n",
    )
    .unwrap();
    let config = dir.path().join("lookout.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 2s\n  evaluation_interval: 2s\nrule_files: [rules.yml]\nscrape_configs:\n  - job_name: checkout\n    static_configs:\n      - targets: ['127.0.0.1:{service_port}']\n  - job_name: postgres\n    static_configs:\n      - targets: ['127.0.0.1:{exporter_port}']\n"
        ),
    )
    .unwrap();
    let lookout = Lookout::start(&["--no-demo", "--config", config.to_str().unwrap()]).await;
    let port = service_port.to_string();
    let _service = python_script(
        "checkout.py",
        &["--dsn", &postgres.dsn(), "--port", &port, "--loki", &lookout.url, "--pool-size", "20"],
    );

    // A healthy stretch first, so the error pattern is new when it comes.
    let overview_url = format!("{}/api/lookout/overview", lookout.url);
    eventually(Duration::from_secs(60), "the checkout service to be scraped and seen as a service", || async {
        let overview = get_json(&overview_url).await?;
        find(&overview["services"], |s| s["service"] == "checkout" && s["requests_per_second"].as_f64() > Some(1.0))
            .map(|_| ())
            .ok_or_else(|| overview["services"].to_string())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(10)).await;

    // The reports take every connection.
    let started = http_post(&format!("http://127.0.0.1:{service_port}/reports"), &[], b"").await.unwrap();
    assert_eq!(started.status, 204);

    // The Overview: the pool at 20 of 20 from OpenTelemetry's pool metrics, since a time
    // before the first error; requests waiting for it; and the new error pattern.
    let overview = eventually(Duration::from_secs(60), "the pool at capacity and the new pattern", || async {
        let overview = get_json(&overview_url).await?;
        let full = find(&overview["at_capacity"], |s| s["subject"] == "orders-db" && s["kind"] == "limit");
        let waiting = find(&overview["at_capacity"], |s| s["subject"] == "orders-db" && s["kind"] == "waiting");
        let pattern = find(&overview["patterns"], |p| p["pattern"] == ERROR_PATTERN && p["new"] == true);
        match (full, waiting, pattern) {
            (Some(_), Some(_), Some(_)) => Ok(overview),
            _ => Err(format!("at_capacity {} patterns {}", overview["at_capacity"], overview["patterns"])),
        }
    })
    .await;
    let full = find(&overview["at_capacity"], |s| s["subject"] == "orders-db" && s["kind"] == "limit").unwrap();
    assert_eq!((full["used"].as_f64(), full["limit"].as_f64()), (Some(20.0), Some(20.0)), "{full}");
    assert_eq!(full["rule"], "opentelemetry_db_pool");
    let pattern = find(&overview["patterns"], |p| p["pattern"] == ERROR_PATTERN).unwrap();
    assert_eq!((&pattern["service"], &pattern["level"]), (&Value::from("checkout"), &Value::from("error")));
    let since = full["since"].as_i64().unwrap();
    let first_error = pattern["first_seen"].as_i64().unwrap();
    // The pool is seen full at the scrape before the first timeout (2 s pool timeout, 2 s scrapes).
    assert!(since <= first_error + 2_000, "full since {since}, first error {first_error}");
    assert!(
        pattern["examples"][0]["request_id"].as_str().is_some_and(|id| id.len() == 12),
        "examples carry their request: {pattern}"
    );
    // Nothing else is called full: postgres_exporter's own memory grew and levelled off, which
    // is no plateau, and max_connections is far off.
    let kinds: Vec<&Value> = overview["at_capacity"].as_array().unwrap().iter().map(|s| &s["subject"]).collect();
    assert!(kinds.iter().all(|s| *s == "orders-db"), "{}", overview["at_capacity"]);

    // The symptom fires; its investigation ranks the pool and the pattern first.
    let alerts_url = format!("{}/api/lookout/alerts", lookout.url);
    let alert = eventually(Duration::from_secs(60), "CheckoutFailing to fire", || async {
        let alerts = get_json(&alerts_url).await?;
        find(&alerts, |a| a["labels"]["alertname"] == "CheckoutFailing" && a["state"] == "firing")
            .cloned()
            .ok_or_else(|| alerts.to_string())
    })
    .await;
    let fingerprint = alert["fingerprint"].as_str().unwrap().to_string();
    let investigation = get_json(&format!("{}/api/lookout/investigation/{fingerprint}", lookout.url)).await.unwrap();
    let causes = investigation["causes"].as_array().unwrap();
    let titles: Vec<&str> = causes.iter().filter_map(|c| c["title"].as_str()).collect();
    let top: Vec<&str> = titles.iter().take(4).copied().collect();
    assert!(top.contains(&"orders-db: 20 of 20 connections used"), "{titles:#?}");
    assert!(top.iter().any(|t| t.starts_with(ERROR_PATTERN) && t.ends_with(", new")), "{titles:#?}");
    // The symptom charted is the ratio the rule compares, not the rule's filtered result.
    assert_eq!(
        investigation["symptom_query"],
        "sum(rate(http_requests_total{code=~\"5..\"}[20s])) / sum(rate(http_requests_total[20s]))"
    );
    assert_eq!(investigation["threshold"].as_f64(), Some(0.05));

    // In the browser: one click from the Overview's firing alert to the same causes.
    let browser = Browser::start().await;
    browser.client.goto(&format!("{}/", lookout.url)).await.unwrap();
    browser
        .wait_for_text("[data-testid=firing-alerts]", Duration::from_secs(20), |t| t.contains("CheckoutFailing"))
        .await;
    browser.client.find(Locator::Css("[data-testid=firing-link]")).await.unwrap().click().await.unwrap();
    let shown = browser
        .wait_for_text("[data-testid=causes]", Duration::from_secs(30), |t| {
            t.contains("orders-db: 20 of 20 connections used") && t.contains(ERROR_PATTERN)
        })
        .await;
    assert!(shown.contains("before the alert") || shown.contains("after the alert"), "{shown}");
    if let Ok(dir) = std::env::var("LOOKOUT_SCREENSHOTS") {
        browser.screenshot(&std::path::Path::new(&dir).join("alert-investigation.png")).await;
    }
    assert!(browser.client.current_url().await.unwrap().path().ends_with(&format!("/alerts/{fingerprint}")));
    // The pattern's line opens its request.
    let follow = browser.client.find(Locator::Css("[data-testid=causes] [data-testid=follow-request]")).await.unwrap();
    assert!(follow.attr("href").await.unwrap().unwrap_or_default().starts_with("/logs?"));
    browser.close().await;
}

/// The seed's own names, with no limit metric beside the pool (`database_connections_active`
/// and a rule `> 18`), written by remote_write: the pool that wandered and then stuck at 20 is
/// found as a plateau, since the sample it reached 20.
#[tokio::test]
async fn the_seed_pool_without_a_limit_metric_is_a_plateau() {
    use lookout_server::ingest::remote_write::encode;
    use lookout_tsdb::Labels;

    let lookout = Lookout::start(&["--no-demo"]).await;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let step = 5_000;
    let rounds = 120;
    let first = now - rounds * step;
    let pinned_from = now - 30 * step;
    let pool = Labels::from_pairs([
        ("__name__", "database_connections_active"),
        ("database", "payments"),
        ("pool", "payments"),
        ("job", "payment-service"),
    ]);
    let points: Vec<(i64, f64)> = (0..rounds)
        .map(|i| {
            let t = first + i * step;
            (t, if t >= pinned_from { 20.0 } else { 5.0 + (i % 7) as f64 })
        })
        .collect();
    let headers = [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "snappy")];
    let response =
        http_post(&format!("{}/api/v1/write", lookout.url), &headers, &encode(&[(pool, points)], &[])).await.unwrap();
    assert_eq!(response.status, 204, "{}", response.body);
    let overview = get_json(&format!("{}/api/lookout/overview", lookout.url)).await.unwrap();
    let full = find(&overview["at_capacity"], |s| s["kind"] == "plateau").expect("a plateau");
    assert_eq!(full["subject"], "payments");
    assert_eq!(full["used"].as_f64(), Some(20.0));
    assert_eq!(full["since"].as_i64(), Some(pinned_from));
    assert_eq!(full["what"], "database connections");
    assert!(full["query"].as_str().unwrap().starts_with("database_connections_active{"), "{full}");
}
