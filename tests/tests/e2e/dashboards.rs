//! Dashboards through Grafana's HTTP API against the real binary: provisioned from files (and
//! the demo's), saved with versions and a version check, listed, read back after a restart and
//! deleted.

use lookout_e2e::{Lookout, TempDir, http_delete, http_get, http_post};
use serde_json::{Value, json};

async fn get_json(url: &str) -> (u16, Value) {
    let response = http_get(url).await.unwrap();
    (response.status, serde_json::from_str(&response.body).unwrap_or(Value::Null))
}

async fn post_json(url: &str, body: &Value) -> (u16, Value) {
    let response = http_post(url, &[("Content-Type", "application/json")], body.to_string().as_bytes()).await.unwrap();
    (response.status, serde_json::from_str(&response.body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn dashboards_are_provisioned_saved_versioned_and_deleted_over_grafanas_api() {
    let dir = TempDir::new("dashboards");
    std::fs::create_dir_all(dir.path().join("boards")).unwrap();
    std::fs::write(
        dir.path().join("boards/node.json"),
        r#"{"uid": "node", "title": "Node", "tags": ["infra"], "panels": []}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("lookout.yml"), "dashboards: ['boards/*.json']\n").unwrap();
    let data = TempDir::new("dashboards-data");
    let config = dir.path().join("lookout.yml");
    let args = ["--config", config.to_str().unwrap()];
    let lookout = Lookout::start_in(data.path(), &args, None).await;
    let url = lookout.url.clone();

    // Provisioned: the file's and the demo's, read-only.
    let (status, node) = get_json(&format!("{url}/api/dashboards/uid/node")).await;
    assert_eq!((status, node["meta"]["provisioned"].as_bool()), (200, Some(true)), "{node}");
    let (_, demo) = get_json(&format!("{url}/api/dashboards/uid/payment-service")).await;
    assert_eq!(demo["dashboard"]["title"], "Payment service");
    let exprs: Vec<&str> = demo["dashboard"]["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["targets"].as_array().unwrap().iter().map(|t| t["expr"].as_str().unwrap()))
        .collect();
    assert!(exprs.contains(
        &r#"sum(rate(payment_requests_total{status="success"}[5m])) / sum(rate(payment_requests_total[5m])) * 100"#
    ));
    let deleted = http_delete(&format!("{url}/api/dashboards/uid/node")).await.unwrap();
    assert_eq!(deleted.status, 400, "{}", deleted.body);

    // Saved, edited on the latest version, refused on a stale one, forced with overwrite.
    let new =
        json!({"dashboard": {"title": "Checkout: latency!", "panels": [], "tags": ["payments"]}, "message": "first"});
    let (status, saved) = post_json(&format!("{url}/api/dashboards/db"), &new).await;
    assert_eq!(status, 200, "{saved}");
    let uid = saved["uid"].as_str().unwrap().to_string();
    assert_eq!(saved["url"], format!("/d/{uid}/checkout-latency"));
    let edit = json!({"dashboard": {"uid": uid, "title": "Checkout: latency!", "version": 1, "panels": [{"type": "stat"}]}, "message": "a stat"});
    assert_eq!(post_json(&format!("{url}/api/dashboards/db"), &edit).await.1["version"], 2);
    let (status, stale) = post_json(&format!("{url}/api/dashboards/db"), &edit).await;
    assert_eq!((status, stale["status"].as_str()), (412, Some("version-mismatch")), "{stale}");
    let (_, hits) = get_json(&format!("{url}/api/search?query=checkout")).await;
    assert_eq!(hits.as_array().unwrap().len(), 1, "{hits}");
    let (_, tagged) = get_json(&format!("{url}/api/search?tag=infra")).await;
    assert_eq!(tagged[0]["uid"], "node", "{tagged}");

    // After a restart: the same dashboard and its history.
    drop(lookout);
    let lookout = Lookout::start_in(data.path(), &args, None).await;
    let url = lookout.url.clone();
    let (_, versions) = get_json(&format!("{url}/api/dashboards/uid/{uid}/versions")).await;
    let messages: Vec<&str> = versions.as_array().unwrap().iter().map(|v| v["message"].as_str().unwrap()).collect();
    assert_eq!(messages, ["a stat", "first"]);
    let (_, first) = get_json(&format!("{url}/api/dashboards/uid/{uid}/versions/1")).await;
    assert_eq!(first["data"]["panels"], json!([]));
    assert_eq!(http_delete(&format!("{url}/api/dashboards/uid/{uid}")).await.unwrap().status, 200);
    assert_eq!(get_json(&format!("{url}/api/dashboards/uid/{uid}")).await.0, 404);
}

#[tokio::test]
async fn the_demo_dashboard_draws_its_panels_in_the_browser() {
    use fantoccini::Locator;
    use lookout_e2e::{Browser, eventually};
    use std::time::Duration;

    let lookout = Lookout::start(&[]).await;
    // Two demo deliveries give rate() and the stat something to show.
    eventually(Duration::from_secs(60), "demo samples", || async {
        let query = lookout_e2e::url_encode("sum(rate(payment_requests_total[5m]))");
        let r = http_get(&format!("{}/api/v1/query?query={query}", lookout.url)).await?;
        if r.body.contains(r#""result":[{"#) { Ok(()) } else { Err(r.body) }
    })
    .await;
    let browser = Browser::start().await;
    browser.client.goto(&format!("{}/dashboards", lookout.url)).await.unwrap();
    browser
        .wait_for_text("[data-testid=dashboard-list]", Duration::from_secs(10), |t| t.contains("Payment service"))
        .await;
    browser.client.find(Locator::LinkText("Payment service")).await.unwrap().click().await.unwrap();
    browser.wait_for_text("main h1", Duration::from_secs(10), |t| t == "Payment service").await;
    let rate = browser.wait_for_text("[data-testid=stat-value]", Duration::from_secs(20), |t| t.ends_with('%')).await;
    let value: f64 = rate.trim_end_matches('%').trim().parse().unwrap_or(-1.0);
    assert!((0.0..=100.0).contains(&value), "success rate {rate}");
    let panels = browser.client.find_all(Locator::Css("[data-testid=dash-panel]")).await.unwrap();
    assert_eq!(panels.len(), 7);
    assert!(browser.client.current_url().await.unwrap().path().ends_with("/d/payment-service"));

    // The instance variable lists the pool's instances; a choice goes into the URL and a fresh
    // load of that URL keeps it.
    let picker = "[data-testid=var-instance]";
    eventually(Duration::from_secs(10), "the instances in the variable", || async {
        let options =
            browser.client.find_all(Locator::Css(&format!("{picker} option"))).await.map_err(|e| e.to_string())?;
        if options.len() >= 3 { Ok(()) } else { Err(format!("{} options", options.len())) }
    })
    .await;
    let select = browser.client.find(Locator::Css(picker)).await.unwrap();
    select.select_by_value("payment-1:8000").await.unwrap();
    let url = eventually(Duration::from_secs(5), "the choice in the URL", || async {
        let url = browser.client.current_url().await.map_err(|e| e.to_string())?;
        if url.as_str().contains("var-instance=payment-1%3A8000") { Ok(url) } else { Err(url.to_string()) }
    })
    .await;
    browser.client.goto(url.as_str()).await.unwrap();
    browser.wait_for_text("main h1", Duration::from_secs(10), |t| t == "Payment service").await;
    let chosen = eventually(Duration::from_secs(10), "the choice after a reload", || async {
        let select = browser.client.find(Locator::Css(picker)).await.map_err(|e| e.to_string())?;
        let value = select.prop("value").await.map_err(|e| e.to_string())?.unwrap_or_default();
        if value == "payment-1:8000" { Ok(value) } else { Err(value) }
    })
    .await;
    assert_eq!(chosen, "payment-1:8000");
    browser.close().await;
}

/// A person builds a dashboard from scratch in the editor, reloads and finds it intact, views one
/// panel alone by its link, copies the dashboard and deletes the copy.
#[tokio::test]
async fn a_dashboard_built_in_the_editor_survives_a_reload() {
    use fantoccini::Locator;
    use lookout_e2e::{Browser, eventually};
    use std::time::Duration;

    let lookout = Lookout::start(&["--no-demo"]).await;
    let browser = Browser::start().await;
    let c = &browser.client;
    let wait = Duration::from_secs(10);
    c.goto(&format!("{}/dashboards", lookout.url)).await.unwrap();
    let title = c.wait().for_element(Locator::Css("[data-testid=new-dashboard-title]")).await.unwrap();
    title.send_keys("Checkout").await.unwrap();
    c.find(Locator::Css("[data-testid=new-dashboard]")).await.unwrap().click().await.unwrap();

    // The editor: one stat panel that turns red from 40.
    c.wait().for_element(Locator::Css("[data-testid=add-panel]")).await.unwrap().click().await.unwrap();
    let form = c.wait().for_element(Locator::Css("[data-testid=panel-form]")).await.unwrap();
    let panel_title = form.find(Locator::Css("[data-testid=panel-title]")).await.unwrap();
    panel_title.clear().await.unwrap();
    panel_title.send_keys("The answer").await.unwrap();
    form.find(Locator::Css("[data-testid=panel-type]")).await.unwrap().select_by_value("stat").await.unwrap();
    form.find(Locator::Css("[data-testid=panel-query]")).await.unwrap().send_keys("vector(42)").await.unwrap();
    form.find(Locator::Css("[data-testid=panel-red]")).await.unwrap().send_keys("40").await.unwrap();
    c.find(Locator::Css("[data-testid=save-dashboard]")).await.unwrap().click().await.unwrap();

    let value = browser.wait_for_text("[data-testid=stat-value]", wait, |t| t == "42").await;
    assert_eq!(value, "42");
    let url = c.current_url().await.unwrap();
    let uid = url.path().trim_start_matches("/d/").to_string();
    assert!(!uid.is_empty() && !url.as_str().contains("edit=1"), "{url}");

    // A fresh load of the page finds the same dashboard, from the server.
    c.goto(url.as_str()).await.unwrap();
    browser.wait_for_text("main h1", wait, |t| t == "Checkout").await;
    // Panel titles are shown in capitals.
    browser.wait_for_text("[data-testid=dash-panel] h2", wait, |t| t.to_lowercase().starts_with("the answer")).await;
    let stat = c.wait().for_element(Locator::Css("[data-testid=stat-value]")).await.unwrap();
    assert!(stat.attr("class").await.unwrap().unwrap_or_default().contains("health-critical"));
    let (_, saved) = get_json(&format!("{}/api/dashboards/uid/{uid}", lookout.url)).await;
    assert_eq!(saved["dashboard"]["panels"][0]["targets"][0]["expr"], "vector(42)");
    assert_eq!(saved["dashboard"]["panels"][0]["fieldConfig"]["defaults"]["thresholds"]["steps"][1]["value"], 40.0);

    // "View" puts the panel in the URL; that link shows it alone.
    c.find(Locator::Css("[data-testid=panel-view]")).await.unwrap().click().await.unwrap();
    let alone = eventually(wait, "panel in the URL", || async {
        let url = c.current_url().await.map_err(|e| e.to_string())?;
        if url.as_str().contains("panel=1") { Ok(url) } else { Err(url.to_string()) }
    })
    .await;
    c.goto(alone.as_str()).await.unwrap();
    browser.wait_for_text("[data-testid=stat-value]", wait, |t| t == "42").await;
    assert_eq!(c.find_all(Locator::Css("[data-testid=dash-panel]")).await.unwrap().len(), 1);

    // Versions: the first (empty) version restored and saved becomes the newest.
    c.goto(&format!("{}/d/{uid}?edit=1", lookout.url)).await.unwrap();
    c.wait().for_element(Locator::Css("[data-testid=versions] summary")).await.unwrap().click().await.unwrap();
    let buttons = eventually(wait, "both versions listed", || async {
        let found = c.find_all(Locator::Css("[data-testid=restore-version]")).await.map_err(|e| e.to_string())?;
        if found.len() == 2 { Ok(found) } else { Err(format!("{} versions", found.len())) }
    })
    .await;
    // Newest first: the last button is version 1.
    buttons[1].click().await.unwrap();
    browser.wait_for_text("[data-testid=editor-note]", wait, |t| t.contains("Version 1")).await;
    assert!(c.find_all(Locator::Css("[data-testid=panel-form]")).await.unwrap().is_empty());
    c.find(Locator::Css("[data-testid=save-dashboard]")).await.unwrap().click().await.unwrap();
    browser.wait_for_text("main h1", wait, |t| t == "Checkout").await;
    let (_, restored) = get_json(&format!("{}/api/dashboards/uid/{uid}", lookout.url)).await;
    assert_eq!((restored["dashboard"]["panels"].clone(), restored["meta"]["version"].clone()), (json!([]), json!(3)));

    // Save as copy opens the copy; deleting it leaves the original.
    c.goto(&format!("{}/d/{uid}?edit=1", lookout.url)).await.unwrap();
    c.wait().for_element(Locator::Css("[data-testid=copy-dashboard]")).await.unwrap().click().await.unwrap();
    browser.wait_for_text("main h1", wait, |t| t == "Checkout (copy)").await;
    c.find(Locator::Css("[data-testid=edit-dashboard]")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("[data-testid=delete-dashboard]")).await.unwrap().click().await.unwrap();
    c.accept_alert().await.unwrap();
    let list = browser.wait_for_text("[data-testid=dashboard-list]", wait, |t| t.contains("Checkout")).await;
    assert!(!list.contains("(copy)"), "{list}");
    browser.close().await;
}

/// One WebSocket carries every panel's results: a round at once, then one every second with
/// ranges that follow the clock, and errors per query without closing the socket.
#[tokio::test]
async fn live_panels_update_over_one_websocket() {
    use futures_util::{SinkExt, StreamExt};
    use std::time::Duration;
    use tokio_tungstenite::tungstenite::Message;

    let lookout = Lookout::start(&["--no-demo"]).await;
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let line = format!(
        "{{\"timestamp\":{},\"level\":\"ERROR\",\"service\":\"payment-service\",\"message\":\"Connection pool exhausted\"}}\n",
        now_ms * 1_000_000
    );
    assert_eq!(http_post(&format!("{}/api/v1/logs", lookout.url), &[], line.as_bytes()).await.unwrap().status, 200);

    let url = format!("{}/api/lookout/live", lookout.url.replacen("http://", "ws://", 1));
    let (mut socket, _) = tokio_tungstenite::connect_async(url.as_str()).await.expect("live connects");
    let request = json!({
        "every_ms": 1000,
        "queries": [
            {"id": "now", "kind": "instant", "expr": "time()", "start_ms": now_ms - 60_000, "end_ms": now_ms, "follow": true},
            {"id": "line", "kind": "range", "expr": "vector(1)", "start_ms": now_ms - 60_000, "end_ms": now_ms, "step_ms": 15_000},
            {"id": "errors", "kind": "logs", "expr": "{level=\"ERROR\"}", "start_ms": now_ms - 60_000, "end_ms": now_ms + 1000, "limit": 10},
            {"id": "bad", "kind": "instant", "expr": "sum(", "start_ms": now_ms, "end_ms": now_ms},
        ],
    });
    socket.send(Message::Text(request.to_string().into())).await.unwrap();
    let mut next_round = async || -> Value {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next()).await.expect("a round within 5 s");
        match message {
            Some(Ok(Message::Text(text))) => serde_json::from_str(&text).unwrap(),
            other => panic!("the live socket ended: {other:?}"),
        }
    };
    let first = next_round().await;
    let results = first["results"].as_array().unwrap();
    let ids: Vec<&str> = results.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["now", "line", "errors", "bad"]);
    let first_now: f64 = results[0]["metrics"]["result"][1].as_str().unwrap().parse().unwrap();
    assert_eq!(results[1]["metrics"]["result"][0]["values"].as_array().unwrap().len(), 5);
    let lines = &results[2]["logs"]["result"][0]["values"];
    assert!(lines[0][1].as_str().unwrap().contains("pool exhausted"), "{lines}");
    assert!(results[3]["error"].as_str().unwrap().contains("1:5: parse error"), "{}", results[3]);

    // The next round comes unasked, its range moved with the clock.
    let second = next_round().await;
    let second_now: f64 = second["results"][0]["metrics"]["result"][1].as_str().unwrap().parse().unwrap();
    assert!(second_now >= first_now + 0.9, "{first_now} then {second_now}");
    socket.close(None).await.unwrap();
}

/// With a refresh interval, a dashboard's panels change on their own, and the page asks for them
/// over its one live connection rather than a request per panel.
#[tokio::test]
async fn a_dashboard_refreshes_its_panels_over_one_connection() {
    use fantoccini::Locator;
    use lookout_e2e::{Browser, eventually};
    use std::time::Duration;

    let lookout = Lookout::start(&["--no-demo"]).await;
    let panel = |id: u64, title: &str, expr: &str| {
        let grid = json!({"x": 6 * (id - 1), "y": 0, "w": 6, "h": 4});
        json!({"id": id, "type": "stat", "title": title, "gridPos": grid, "targets": [{"expr": expr}]})
    };
    let board = json!({"dashboard": {"uid": "clock", "title": "Clock", "refresh": "5s",
        "panels": [panel(1, "Seconds", "floor(vector(time())) % 1000"), panel(2, "Two", "vector(2)")]}});
    let (status, _) = post_json(&format!("{}/api/dashboards/db", lookout.url), &board).await;
    assert_eq!(status, 200);
    let browser = Browser::start().await;
    browser.client.goto(&format!("{}/d/clock", lookout.url)).await.unwrap();
    let seconds = "[data-testid=dash-panel]:first-child [data-testid=stat-value]";
    let first = browser.wait_for_text(seconds, Duration::from_secs(10), |t| t.parse::<f64>().is_ok()).await;
    eventually(Duration::from_secs(12), "the stat to change on its own", || async {
        let now = browser
            .client
            .find(Locator::Css(seconds))
            .await
            .map_err(|e| e.to_string())?
            .text()
            .await
            .map_err(|e| e.to_string())?;
        if now != first { Ok(()) } else { Err(now) }
    })
    .await;
    // No panel fetched its own query: everything came over the WebSocket.
    let fetched = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/api/v1/query'));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fetched, json!([]), "panels polled on their own");
    browser.close().await;
}

/// Grafana JSON pasted into the import box becomes a dashboard; its custom and interval
/// variables are dropdowns of their fixed options used in the queries; the export link carries
/// the model back out, Grafana's fields included.
#[tokio::test]
async fn grafana_json_imports_with_custom_and_interval_variables_and_exports() {
    use fantoccini::Locator;
    use lookout_e2e::{Browser, eventually};
    use std::time::Duration;

    let lookout = Lookout::start(&["--no-demo"]).await;
    let grafana = json!({
        "id": 17, "uid": "imported", "title": "From Grafana", "schemaVersion": 39, "version": 4,
        "templating": {"list": [
            {"name": "scale", "type": "custom", "query": "Two : 2,Three : 3", "current": {"text": "Two", "value": "2"}},
            {"name": "window", "type": "interval", "query": "1m,5m"},
        ]},
        "panels": [{"id": 1, "type": "stat", "title": "Scaled", "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
            "targets": [{"refId": "A", "expr": "vector($scale) + count_over_time(vector(0)[$window:1m]) * 0"}],
            "options": {"colorMode": "value"}}],
    });
    let browser = Browser::start().await;
    let c = &browser.client;
    let wait = Duration::from_secs(10);
    c.goto(&format!("{}/dashboards", lookout.url)).await.unwrap();
    c.wait().for_element(Locator::Css(".import summary")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("[data-testid=import-json]")).await.unwrap().send_keys(&grafana.to_string()).await.unwrap();
    c.find(Locator::Css("[data-testid=import-dashboard]")).await.unwrap().click().await.unwrap();
    browser.wait_for_text("main h1", wait, |t| t == "From Grafana").await;
    browser.wait_for_text("[data-testid=stat-value]", wait, |t| t == "2").await;

    // The interval offers its options and no All; the custom one its values.
    let options = c.find_all(Locator::Css("[data-testid=var-window] option")).await.unwrap();
    let mut shown = Vec::new();
    for option in options {
        shown.push(option.text().await.unwrap());
    }
    assert_eq!(shown, ["1m", "5m"]);
    c.find(Locator::Css("[data-testid=var-scale]")).await.unwrap().select_by_value("3").await.unwrap();
    browser.wait_for_text("[data-testid=stat-value]", wait, |t| t == "3").await;
    let url = eventually(wait, "the choice in the URL", || async {
        let url = c.current_url().await.map_err(|e| e.to_string())?;
        if url.as_str().contains("var-scale=3") { Ok(url) } else { Err(url.to_string()) }
    })
    .await;
    assert!(url.path().ends_with("/d/imported"));

    // Export: the model with Grafana's own fields, ready for Grafana's import.
    let href =
        c.find(Locator::Css("[data-testid=export-dashboard]")).await.unwrap().attr("href").await.unwrap().unwrap();
    let encoded = href.strip_prefix("data:application/json;charset=utf-8,").unwrap();
    let decoded: String = {
        let bytes = encoded.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&encoded[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    };
    let exported: Value = serde_json::from_str(&decoded).unwrap();
    assert_eq!(exported["title"], "From Grafana");
    assert_eq!(exported["schemaVersion"], 39);
    assert_eq!(exported["panels"][0]["options"]["colorMode"], "value");
    assert_eq!(exported["panels"][0]["targets"][0]["refId"], "A");
    browser.close().await;
}
