//! Rules through the real binary: a recording rule and an alert evaluated over remote_write
//! data, the alert delivered to a real Alertmanager 0.25 (Debian's), reloads that keep the old
//! rules on a bad file and apply a good one (`POST /-/reload` and SIGHUP), a bad rule file at
//! start refused with its file and line, and the Alerts page in Chromium.

use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fantoccini::Locator;
use lookout_e2e::{Browser, Lookout, TempDir, eventually, free_port, http_get, http_post, url_encode};
use lookout_server::ingest::remote_write::encode;
use lookout_tsdb::Labels;
use tokio::process::{Child, Command};

const ALERTMANAGER: &str = "/usr/bin/prometheus-alertmanager";

const RULES: &str = r#"groups:
  - name: queue
    interval: 1s
    rules:
      - record: queue:depth:max
        expr: max(queue_depth)
      - alert: QueueBacklog
        expr: queue:depth:max > 10
        labels:
          severity: high
          service: payment-service
        annotations:
          summary: "Queue holds {{ $value }} jobs"
          runbook_url: https://runbooks.example.com/queue
"#;

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// `queue_depth{queue="payments"} = 42` now, through remote_write.
async fn push_depth(url: &str) {
    let labels = Labels::from_pairs([("__name__", "queue_depth".to_string()), ("queue", "payments".to_string())]);
    let body = encode(&[(labels, vec![(now_ms(), 42.0)])], &[]);
    let headers = [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "snappy")];
    let response = http_post(&format!("{url}/api/v1/write"), &headers, &body).await.unwrap();
    assert_eq!(response.status, 204, "{}", response.body);
}

/// A real Alertmanager on a loopback port that sends nowhere; killed when dropped.
pub(crate) struct Alertmanager {
    pub(crate) url: String,
    _child: Child,
    _dir: TempDir,
}

impl Alertmanager {
    pub(crate) async fn start() -> Alertmanager {
        assert!(
            std::path::Path::new(ALERTMANAGER).exists(),
            "{ALERTMANAGER} is missing: `make test` installs Debian's prometheus-alertmanager"
        );
        let dir = TempDir::new("alertmanager");
        let config = dir.path().join("alertmanager.yml");
        std::fs::write(&config, "route:\n  receiver: nowhere\n  group_wait: 1s\nreceivers:\n  - name: nowhere\n")
            .unwrap();
        let port = free_port();
        let child = Command::new(ALERTMANAGER)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.path={}", dir.path().join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("cannot start Alertmanager");
        let url = format!("http://127.0.0.1:{port}");
        eventually(Duration::from_secs(20), "Alertmanager to be ready", || async {
            let r = http_get(&format!("{url}/-/ready")).await?;
            if r.status == 200 { Ok(()) } else { Err(r.body) }
        })
        .await;
        Alertmanager { url, _child: child, _dir: dir }
    }
}

async fn get_json(url: &str) -> serde_json::Value {
    let response = http_get(url).await.unwrap();
    assert_eq!(response.status, 200, "{url}: {}", response.body);
    serde_json::from_str(&response.body).unwrap()
}

fn group_names(rules: &serde_json::Value) -> Vec<String> {
    rules["data"]["groups"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn rules_record_fire_reach_alertmanager_and_reload() {
    let alertmanager = Alertmanager::start().await;
    let dir = TempDir::new("rules-config");
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    let rule_file = dir.path().join("rules/queue.yml");
    std::fs::write(&rule_file, RULES).unwrap();
    let config = dir.path().join("lookout.yml");
    let am_host = alertmanager.url.trim_start_matches("http://");
    std::fs::write(
        &config,
        format!(
            "global:\n  evaluation_interval: 1s\n  external_labels:\n    cluster: e2e\nrule_files:\n  - rules/*.yml\n\
             alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['{am_host}']\n"
        ),
    )
    .unwrap();
    let lookout = Lookout::start(&["--no-demo", "--config", config.to_str().unwrap()]).await;
    push_depth(&lookout.url).await;

    // The alert fires (no `for`) and the recording rule's series is stored.
    let alerts = eventually(Duration::from_secs(20), "QueueBacklog to fire", || async {
        let json = get_json(&format!("{}/api/v1/alerts", lookout.url)).await;
        let alerts = json["data"]["alerts"].as_array().unwrap().clone();
        if alerts.iter().any(|a| a["state"] == "firing") { Ok(alerts) } else { Err(format!("{alerts:?}")) }
    })
    .await;
    assert_eq!(alerts[0]["labels"]["alertname"], "QueueBacklog");
    assert_eq!(alerts[0]["annotations"]["summary"], "Queue holds 42 jobs");
    assert_eq!(alerts[0]["value"], "4.2e+01");
    let recorded = get_json(&format!("{}/api/v1/query?query={}", lookout.url, url_encode("queue:depth:max"))).await;
    assert_eq!(recorded["data"]["result"][0]["value"][1], "42", "{recorded}");
    let rules = get_json(&format!("{}/api/v1/rules", lookout.url)).await;
    let group = &rules["data"]["groups"][0];
    assert_eq!((group["name"].as_str(), group["interval"].as_f64()), (Some("queue"), Some(1.0)), "{rules}");
    assert!(group["rules"].as_array().unwrap().iter().all(|r| r["health"] == "ok"), "{rules}");
    let only_alerting = get_json(&format!("{}/api/v1/rules?type=alert", lookout.url)).await;
    assert_eq!(only_alerting["data"]["groups"][0]["rules"].as_array().unwrap().len(), 1);

    // Alertmanager has it, with the external label added and a link back to Lookout.
    let received = eventually(Duration::from_secs(20), "Alertmanager to receive the alert", || async {
        let json = get_json(&format!("{}/api/v2/alerts", alertmanager.url)).await;
        let found = json.as_array().unwrap().iter().find(|a| a["labels"]["alertname"] == "QueueBacklog").cloned();
        found.ok_or_else(|| json.to_string())
    })
    .await;
    assert_eq!(received["labels"]["cluster"], "e2e", "{received}");
    assert_eq!(received["labels"]["severity"], "high");
    assert_eq!(received["status"]["state"], "active");
    let link = received["generatorURL"].as_str().unwrap();
    assert!(link.starts_with("http://127.0.0.1:") && link.contains("/graph?g0.expr=queue%3Adepth%3Amax"), "{link}");

    // A broken file: the reload is refused with its place, and the old rules keep running.
    std::fs::write(&rule_file, RULES.replace("max(queue_depth)", "max(queue_depth")).unwrap();
    let refused = http_post(&format!("{}/-/reload", lookout.url), &[], b"").await.unwrap();
    assert_eq!(refused.status, 500, "{}", refused.body);
    assert!(refused.body.contains("queue.yml: 6:15: group \"queue\", rule 1, \"queue:depth:max\""), "{}", refused.body);
    let rules = get_json(&format!("{}/api/v1/rules", lookout.url)).await;
    assert_eq!(group_names(&rules), ["queue"]);

    // A good file with a second group: applied on SIGHUP, as Prometheus does.
    let second = "  - name: second\n    rules:\n      - record: queue:depth:sum\n        expr: sum(queue_depth)\n";
    std::fs::write(&rule_file, format!("{RULES}{second}")).unwrap();
    let status = std::process::Command::new("kill").args(["-HUP", &lookout.pid().to_string()]).status().unwrap();
    assert!(status.success());
    eventually(Duration::from_secs(10), "the second group after SIGHUP", || async {
        let names = group_names(&get_json(&format!("{}/api/v1/rules", lookout.url)).await);
        if names == ["queue", "second"] { Ok(()) } else { Err(format!("{names:?}")) }
    })
    .await;
    // The group that did not change kept its firing alert.
    let json = get_json(&format!("{}/api/v1/alerts", lookout.url)).await;
    assert_eq!(json["data"]["alerts"][0]["state"], "firing", "{json}");
    let active_at = json["data"]["alerts"][0]["activeAt"].clone();

    // A changed group takes over its alerts too: the same activeAt after the reload.
    std::fs::write(&rule_file, format!("{RULES}{second}").replace("jobs\"", "jobs waiting\"")).unwrap();
    let reloaded = http_post(&format!("{}/-/reload", lookout.url), &[], b"").await.unwrap();
    assert_eq!(reloaded.status, 200, "{}", reloaded.body);
    eventually(Duration::from_secs(10), "the new annotation", || async {
        let json = get_json(&format!("{}/api/v1/alerts", lookout.url)).await;
        let alert = &json["data"]["alerts"][0];
        if alert["annotations"]["summary"] == "Queue holds 42 jobs waiting" {
            Ok(alert.clone())
        } else {
            Err(json.to_string())
        }
    })
    .await;
    let json = get_json(&format!("{}/api/v1/alerts", lookout.url)).await;
    assert_eq!(json["data"]["alerts"][0]["activeAt"], active_at, "{json}");
    assert_eq!(json["data"]["alerts"][0]["state"], "firing");
}

/// `alerting.builtin_notifier: false`: the rules' alerts go to the Alertmanager (a cluster, in
/// production) and not to Lookout's own notifier.
#[tokio::test]
async fn with_the_builtin_notifier_off_alerts_go_only_to_alertmanager() {
    let alertmanager = Alertmanager::start().await;
    let dir = TempDir::new("rules-external");
    std::fs::write(dir.path().join("queue.yml"), RULES).unwrap();
    let config = dir.path().join("lookout.yml");
    let am_host = alertmanager.url.trim_start_matches("http://");
    std::fs::write(
        &config,
        format!(
            "global:\n  evaluation_interval: 1s\nrule_files: [queue.yml]\n\
             alerting:\n  builtin_notifier: false\n  alertmanagers:\n    - static_configs:\n        - targets: ['{am_host}']\n"
        ),
    )
    .unwrap();
    let lookout = Lookout::start(&["--no-demo", "--config", config.to_str().unwrap()]).await;
    push_depth(&lookout.url).await;
    eventually(Duration::from_secs(20), "Alertmanager to receive the alert", || async {
        let json = get_json(&format!("{}/api/v2/alerts", alertmanager.url)).await;
        let found = json.as_array().unwrap().iter().any(|a| a["labels"]["alertname"] == "QueueBacklog");
        if found { Ok(()) } else { Err(json.to_string()) }
    })
    .await;
    let own = get_json(&format!("{}/api/v2/alerts", lookout.url)).await;
    assert_eq!(own, serde_json::json!([]), "Lookout's notifier got nothing");
}

#[tokio::test]
async fn a_bad_rule_file_stops_the_start_with_its_place() {
    let dir = TempDir::new("bad-rules");
    std::fs::write(dir.path().join("bad.yml"), "groups:\n  - name: g\n    rules:\n      - alert: A\n").unwrap();
    std::fs::write(dir.path().join("lookout.yml"), "rule_files: [bad.yml]\n").unwrap();
    let data = TempDir::new("bad-rules-data");
    let output = Command::new(lookout_e2e::server_binary())
        .args(["--no-demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .arg("--config")
        .arg(dir.path().join("lookout.yml"))
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.yml: 0:0: group \"g\", rule 1, \"A\": field 'expr' must be set in rule"), "{stderr}");
}

#[tokio::test]
async fn the_alerts_page_shows_a_firing_alert_with_its_links() {
    let dir = TempDir::new("alerts-page");
    std::fs::write(dir.path().join("queue.yml"), RULES).unwrap();
    let config = dir.path().join("lookout.yml");
    std::fs::write(&config, "rule_files: [queue.yml]\n").unwrap();
    let lookout = Lookout::start(&["--no-demo", "--config", config.to_str().unwrap()]).await;
    push_depth(&lookout.url).await;
    let browser = Browser::start().await;
    browser.client.goto(&format!("{}/alerts", lookout.url)).await.unwrap();

    // The alert arrives without a reload, firing, with its summary and a runbook link.
    let card = "[data-testid=alert][data-state=firing]";
    let text = browser.wait_for_text(card, Duration::from_secs(20), |t| t.contains("QueueBacklog")).await;
    assert!(text.contains("Queue holds 42 jobs") && text.contains("service=payment-service"), "{text}");
    let group = browser.wait_for_text("[data-testid=alert-group] h3", Duration::from_secs(5), |t| !t.is_empty()).await;
    assert_eq!(group, "to lookout · alertname=QueueBacklog · 1 alert", "grouped as the default route groups");
    let link = |id: &'static str| {
        let client = browser.client.clone();
        async move {
            let css = format!("{card} [data-testid={id}]");
            client.find(Locator::Css(&css)).await.unwrap().attr("href").await.unwrap().unwrap()
        }
    };
    assert_eq!(link("alert-runbook").await, "https://runbooks.example.com/queue");
    assert!(link("alert-logs").await.starts_with("/logs?query=%7Bservice%3D%22payment-service%22%7D&from="));
    let rules = browser.wait_for_text("[data-testid=rules-table]", Duration::from_secs(5), |t| t.contains("ok")).await;
    assert!(rules.contains("queue:depth:max") && rules.contains("firing"), "{rules}");

    // Acknowledged with a comment, under the name typed in: the card says who, when and why.
    let me = browser.client.find(Locator::Css("[data-testid=acting-as]")).await.unwrap();
    me.send_keys("bob\t").await.unwrap();
    let comment = browser.client.find(Locator::Css(&format!("{card} [data-testid=comment]"))).await.unwrap();
    comment.send_keys("draining the queue").await.unwrap();
    browser.client.find(Locator::Css(&format!("{card} [data-testid=ack]"))).await.unwrap().click().await.unwrap();
    let note = browser
        .wait_for_text("[data-testid=alert][data-acked=true] [data-testid=ack-note]", Duration::from_secs(10), |t| {
            t.starts_with("Acknowledged by bob")
        })
        .await;
    assert!(note.ends_with(": draining the queue"), "{note}");
    let api = get_json(&format!("{}/api/lookout/alerts", lookout.url)).await;
    assert_eq!(api[0]["acknowledged"]["by"], "bob", "{api}");
    let stats = browser
        .wait_for_text("[data-testid=alert-stats]", Duration::from_secs(15), |t| {
            t.contains("high: 0 firing, 1 acknowledged")
        })
        .await;
    assert!(stats.contains("Mean time to acknowledge") && !stats.contains("acknowledge —"), "{stats}");

    // Silenced from its card, for the labels left ticked: listed with who and why, the alert
    // shows as silenced, and expiring the silence brings it back.
    browser.client.find(Locator::Css(&format!("{card} [data-testid=silence]"))).await.unwrap().click().await.unwrap();
    let service_box = "//div[@data-testid='silence-form']//label[contains(., 'service=')]/input";
    browser.client.find(Locator::XPath(service_box)).await.unwrap().click().await.unwrap();
    browser.client.find(Locator::Css("[data-testid=silence-create]")).await.unwrap().click().await.unwrap();
    let row = browser
        .wait_for_text("[data-testid=silence-row]", Duration::from_secs(10), |t| t.contains("QueueBacklog"))
        .await;
    assert!(row.contains("by bob") && !row.contains("service="), "{row}");
    browser
        .wait_for_text("[data-testid=alert][data-state=suppressed]", Duration::from_secs(10), |t| {
            t.contains("SILENCED")
        })
        .await;
    browser.client.find(Locator::Css("[data-testid=silence-expire]")).await.unwrap().click().await.unwrap();
    browser.wait_for_text(card, Duration::from_secs(10), |t| t.contains("QueueBacklog")).await;

    // The Overview leads with it: firing, how long, and who is on it.
    browser.client.goto(&format!("{}/", lookout.url)).await.unwrap();
    let firing = browser
        .wait_for_text("[data-testid=firing-alerts]", Duration::from_secs(10), |t| t.contains("QueueBacklog"))
        .await;
    assert!(firing.contains("acknowledged by bob") && firing.contains("Queue holds 42 jobs"), "{firing}");
    browser.client.goto(&format!("{}/alerts", lookout.url)).await.unwrap();
    browser.wait_for_text(card, Duration::from_secs(10), |t| t.contains("QueueBacklog")).await;

    // One click to the expression's chart in Explore, with the ERROR lines of the same window
    // beside it.
    let line = format!(
        "{{\"timestamp\":{},\"level\":\"ERROR\",\"service\":\"payment-service\",\"message\":\"Queue worker stalled\"}}\n",
        now_ms() * 1_000_000
    );
    assert_eq!(http_post(&format!("{}/api/v1/logs", lookout.url), &[], line.as_bytes()).await.unwrap().status, 200);
    browser
        .client
        .find(Locator::Css(&format!("{card} [data-testid=alert-chart]")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_for_text("main h1", Duration::from_secs(5), |t| t == "Explore").await;
    let editor = browser.client.find(Locator::Css("[data-testid=query-input]")).await.unwrap();
    assert_eq!(editor.prop("value").await.unwrap().unwrap(), "queue:depth:max > 10");
    let beside = browser
        .wait_for_text("[data-testid=logs-beside]", Duration::from_secs(10), |t| t.contains("Queue worker stalled"))
        .await;
    // The alert's job names the service; headings are shown in capitals.
    assert!(beside.contains(r#"{SERVICE="PAYMENT-SERVICE", LEVEL="ERROR"}"#), "{beside}");

    // An alert's generator URL (Prometheus's /graph link) opens Explore with its expression.
    browser.client.goto(&format!("{}/graph?g0.expr=queue_depth&g0.tab=1", lookout.url)).await.unwrap();
    browser.wait_for_text("main h1", Duration::from_secs(5), |t| t == "Explore").await;
    let editor = browser.client.find(Locator::Css("[data-testid=query-input]")).await.unwrap();
    assert_eq!(editor.prop("value").await.unwrap().unwrap(), "queue_depth");
    assert!(browser.client.current_url().await.unwrap().path().ends_with("/explore"));
    browser.close().await;
}

#[tokio::test]
async fn a_log_rule_fires_on_matching_lines() {
    let dir = TempDir::new("log-rules");
    std::fs::write(
        dir.path().join("logs.yml"),
        "groups:\n  - name: pool\n    source: logs\n    interval: 1s\n    rules:\n      - alert: PoolExhaustedInLogs\n        expr: sum by (service) (count_over_time({level=\"ERROR\"} |= \"pool exhausted\" [5m])) > 2\n        annotations:\n          summary: \"{{ $value }} pool errors in {{ $labels.service }}\"\n",
    )
    .unwrap();
    let config = dir.path().join("lookout.yml");
    std::fs::write(&config, "rule_files: [logs.yml]\n").unwrap();
    let lookout = Lookout::start(&["--no-demo", "--config", config.to_str().unwrap()]).await;
    let now = now_ms();
    let mut body = String::new();
    for i in 0..3 {
        body.push_str(&format!(
            r#"{{"timestamp":{},"level":"ERROR","service":"payment-service","message":"Connection pool exhausted after {i} waits"}}"#,
            now - 1000 * (3 - i)
        ));
        body.push('\n');
    }
    body.push_str(&format!(
        r#"{{"timestamp":{now},"level":"INFO","service":"payment-service","message":"pool exhausted? no"}}"#
    ));
    let response = http_post(&format!("{}/api/v1/logs", lookout.url), &[], body.as_bytes()).await.unwrap();
    assert_eq!(response.status, 200, "{}", response.body);

    let alert = eventually(Duration::from_secs(20), "the log rule to fire", || async {
        let json = get_json(&format!("{}/api/v1/alerts", lookout.url)).await;
        let alert = json["data"]["alerts"].as_array().unwrap().first().cloned();
        alert.filter(|a| a["state"] == "firing").ok_or_else(|| json.to_string())
    })
    .await;
    assert_eq!(alert["labels"]["service"], "payment-service", "{alert}");
    assert_eq!(alert["annotations"]["summary"], "3 pool errors in payment-service");
    let rules = get_json(&format!("{}/api/v1/rules", lookout.url)).await;
    assert_eq!(rules["data"]["groups"][0]["source"], "logs", "{rules}");
}
