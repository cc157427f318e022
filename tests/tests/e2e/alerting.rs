//! Lookout's notifier through the real binary: Debian's amtool 0.25 drives its Alertmanager API
//! v2 (alerts, silences, routes), alerts are acknowledged and resolved through Lookout's API,
//! and all of it survives `kill -9`.

use std::time::Duration;

use lookout_e2e::{Lookout, TempDir, eventually, http_get, http_post};

const AMTOOL: &str = "/usr/bin/amtool";

/// Runs amtool against `url` and returns its standard output; a failure is the test's.
async fn amtool(url: &str, args: &[&str]) -> String {
    assert!(std::path::Path::new(AMTOOL).exists(), "{AMTOOL} is missing: `make test` installs prometheus-alertmanager");
    let output = tokio::process::Command::new(AMTOOL)
        .arg(format!("--alertmanager.url={url}"))
        .args(args)
        .output()
        .await
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "amtool {args:?} failed: {stdout}{stderr}");
    stdout.into_owned()
}

async fn get_json(url: &str) -> serde_json::Value {
    let response = http_get(url).await.unwrap();
    assert_eq!(response.status, 200, "{url}: {}", response.body);
    serde_json::from_str(&response.body).unwrap()
}

#[tokio::test]
async fn amtool_acks_and_a_restart_after_kill_9() {
    let dir = TempDir::new("alerting");
    let config = dir.path().join("lookout.yml");
    std::fs::write(
        &config,
        "alertmanager:\n  route:\n    receiver: team\n    group_by: [alertname]\n    routes:\n      - matchers: ['severity=\"critical\"']\n        receiver: pager\n  receivers:\n    - name: team\n    - name: pager\n",
    )
    .unwrap();
    let data = TempDir::new("alerting-data");
    let args = ["--no-demo", "--config", config.to_str().unwrap()];
    let mut lookout = Lookout::start_in(data.path(), &args, None).await;
    let url = lookout.url.clone();

    // amtool adds an alert and finds it, routed by severity.
    amtool(
        &url,
        &[
            "alert",
            "add",
            "PoolExhausted",
            "severity=critical",
            "service=payment-service",
            "--annotation=summary=20 of 20",
        ],
    )
    .await;
    amtool(&url, &["alert", "add", "DiskFilling", "severity=warning"]).await;
    let listed: serde_json::Value =
        serde_json::from_str(&amtool(&url, &["-o", "json", "alert", "query"]).await).unwrap();
    let names: Vec<&str> =
        listed.as_array().unwrap().iter().map(|a| a["labels"]["alertname"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2, "{listed}");
    let pool = listed.as_array().unwrap().iter().find(|a| a["labels"]["alertname"] == "PoolExhausted").unwrap();
    assert_eq!(pool["receivers"][0]["name"], "pager");
    assert_eq!(pool["annotations"]["summary"], "20 of 20");
    let routes = amtool(&url, &["config", "routes", "test", "severity=critical"]).await;
    assert_eq!(routes.trim(), "pager");

    // A silence hides one alert from amtool's default query, and shows as its state.
    let silence =
        amtool(&url, &["silence", "add", "alertname=DiskFilling", "-c", "known, cleaning up", "-d", "1h"]).await;
    let silence = silence.trim().to_string();
    assert_eq!(silence.len(), 36, "a UUID: {silence}");
    let visible: serde_json::Value =
        serde_json::from_str(&amtool(&url, &["-o", "json", "alert", "query"]).await).unwrap();
    assert_eq!(visible.as_array().unwrap().len(), 1, "{visible}");
    let silenced: serde_json::Value =
        serde_json::from_str(&amtool(&url, &["-o", "json", "alert", "query", "-s"]).await).unwrap();
    let disk = silenced.as_array().unwrap().iter().find(|a| a["labels"]["alertname"] == "DiskFilling").unwrap();
    assert_eq!(
        (disk["status"]["state"].as_str(), disk["status"]["silencedBy"][0].as_str()),
        (Some("suppressed"), Some(silence.as_str()))
    );
    assert_eq!(amtool(&url, &["silence", "query", "-q"]).await.trim(), silence);

    // Acknowledged through Lookout's API, with who and why on the alert's timeline.
    let fingerprint = pool["fingerprint"].as_str().unwrap().to_string();
    let ack = http_post(
        &format!("{url}/api/lookout/alerts/{fingerprint}/ack"),
        &[("Content-Type", "application/json")],
        br#"{"comment":"on it, restarting the pool","by":"alice"}"#,
    )
    .await
    .unwrap();
    assert_eq!(ack.status, 204, "{}", ack.body);
    let unknown = http_post(&format!("{url}/api/lookout/alerts/0000000000000001/ack"), &[], b"").await.unwrap();
    assert_eq!(unknown.status, 404, "{}", unknown.body);

    // kill -9: alerts, the silence and the acknowledgement are all there after the restart.
    lookout.kill().await;
    let lookout = Lookout::start_in(data.path(), &args, None).await;
    let url = lookout.url.clone();
    let alerts = get_json(&format!("{url}/api/lookout/alerts")).await;
    let pool = alerts.as_array().unwrap().iter().find(|a| a["fingerprint"] == fingerprint.as_str()).unwrap().clone();
    assert_eq!(pool["acknowledged"]["by"], "alice", "{pool}");
    assert_eq!(pool["acknowledged"]["comment"], "on it, restarting the pool");
    let kinds: Vec<&str> = pool["history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["firing", "acknowledged"], "{pool}");
    assert_eq!(amtool(&url, &["silence", "query", "-q"]).await.trim(), silence);

    // Resolved by hand: it leaves amtool's list of active alerts.
    let resolved = http_post(&format!("{url}/api/lookout/alerts/{fingerprint}/resolve"), &[], b"").await.unwrap();
    assert_eq!(resolved.status, 204, "{}", resolved.body);
    eventually(Duration::from_secs(5), "the resolved alert to leave the list", || async {
        let json = get_json(&format!("{url}/api/v2/alerts")).await;
        let names: Vec<String> =
            json.as_array().unwrap().iter().map(|a| a["labels"]["alertname"].as_str().unwrap().to_string()).collect();
        if names == ["DiskFilling"] { Ok(()) } else { Err(format!("{names:?}")) }
    })
    .await;
    amtool(&url, &["silence", "expire", &silence]).await;
    assert_eq!(amtool(&url, &["silence", "query", "-q"]).await.trim(), "");
}

/// A webhook receiver on a loopback port: answers each request with the next status of
/// `statuses` (the last one repeated) and keeps the bodies.
async fn webhook_receiver(statuses: Vec<u16>) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let bodies = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = bodies.clone();
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = Vec::new();
            let mut buf = [0u8; 8192];
            // Read the head, then as many body bytes as Content-Length says.
            let body = loop {
                let Ok(read) = socket.read(&mut buf).await else { break None };
                if read == 0 {
                    break None;
                }
                request.extend_from_slice(&buf[..read]);
                let text = String::from_utf8_lossy(&request).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text[..end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string())
                        })
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length {
                        break Some(String::from_utf8_lossy(&request[end + 4..end + 4 + length]).to_string());
                    }
                }
            };
            let Some(body) = body else { continue };
            seen.lock().unwrap().push(body);
            let status = statuses[n.min(statuses.len() - 1)];
            n += 1;
            let reply = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = socket.write_all(reply.as_bytes()).await;
        }
    });
    (url, bodies)
}

#[tokio::test]
async fn a_webhook_gets_alertmanagers_json_after_a_retry_and_every_attempt_is_logged() {
    let (hook, bodies) = webhook_receiver(vec![500, 200]).await;
    let dir = TempDir::new("webhook");
    let config = dir.path().join("lookout.yml");
    std::fs::write(
        &config,
        format!(
            "alertmanager:\n  route:\n    receiver: hooks\n    group_by: [alertname]\n    group_wait: 1s\n    group_interval: 10s\n  receivers:\n    - name: hooks\n      webhook_configs:\n        - url: '{hook}'\n"
        ),
    )
    .unwrap();
    let lookout = Lookout::start(&["--no-demo", "--config", config.to_str().unwrap()]).await;
    let url = lookout.url.clone();
    let alert = br#"[{"labels":{"alertname":"PoolExhausted","service":"payment-service"},"annotations":{"summary":"20 of 20 <connections>"}}]"#;
    let posted =
        http_post(&format!("{url}/api/v2/alerts"), &[("Content-Type", "application/json")], alert).await.unwrap();
    assert_eq!(posted.status, 200, "{}", posted.body);

    // The first try gets a 500, the retry a 200: the body is Alertmanager's webhook JSON.
    let sent = eventually(Duration::from_secs(20), "two webhook requests", || async {
        let bodies = bodies.lock().unwrap().clone();
        if bodies.len() >= 2 { Ok(bodies) } else { Err(format!("{bodies:?}")) }
    })
    .await;
    assert_eq!(sent[0], sent[1], "the retry carries the same notification");
    let json: serde_json::Value = serde_json::from_str(&sent[1]).unwrap();
    assert_eq!((json["version"].as_str(), json["status"].as_str()), (Some("4"), Some("firing")), "{json}");
    assert_eq!(json["groupKey"], r#"{}:{alertname="PoolExhausted"}"#);
    assert_eq!(json["receiver"], "hooks");
    assert_eq!(json["alerts"][0]["endsAt"], "0001-01-01T00:00:00Z");
    assert_eq!(json["alerts"][0]["annotations"]["summary"], "20 of 20 <connections>");
    assert!(sent[1].contains(r"\u003cconnections\u003e"), "Go's JSON escapes < and >: {}", sent[1]);

    let attempts = eventually(Duration::from_secs(10), "both attempts in the log", || async {
        let json = get_json(&format!("{url}/api/lookout/notifications")).await;
        if json.as_array().unwrap().len() >= 2 { Ok(json) } else { Err(json.to_string()) }
    })
    .await;
    // Newest first: the success, then the 500 that was retried.
    let outcomes: Vec<(String, u64, u64)> = attempts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["outcome"].as_str().unwrap().to_string(),
                a["http_status"].as_u64().unwrap(),
                a["attempt"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(outcomes, [("success".to_string(), 200, 2), ("retrying".to_string(), 500, 1)]);
    assert_eq!(attempts[0]["integration"], "webhook");
    let alerts = get_json(&format!("{url}/api/lookout/alerts")).await;
    let kinds: Vec<&str> =
        alerts[0]["history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["firing", "notified"], "{alerts}");
}

/// A webhook aimed at a cloud metadata address is refused once, with the reason, and never sent
/// (the address does not answer here, so a send would show as a connection error instead).
#[tokio::test]
async fn a_webhook_at_a_link_local_address_is_refused() {
    let dir = TempDir::new("ssrf");
    let config = dir.path().join("lookout.yml");
    std::fs::write(
        &config,
        "alertmanager:\n  route:\n    receiver: metadata\n    group_wait: 1s\n  receivers:\n    - name: metadata\n      webhook_configs:\n        - url: 'http://169.254.169.254/latest/meta-data/'\n",
    )
    .unwrap();
    let lookout = Lookout::start(&["--no-demo", "--config", config.to_str().unwrap()]).await;
    let url = lookout.url.clone();
    let alert = br#"[{"labels":{"alertname":"Probe"}}]"#;
    let posted =
        http_post(&format!("{url}/api/v2/alerts"), &[("Content-Type", "application/json")], alert).await.unwrap();
    assert_eq!(posted.status, 200, "{}", posted.body);
    let attempts = eventually(Duration::from_secs(10), "the refused attempt", || async {
        let json = get_json(&format!("{url}/api/lookout/notifications")).await;
        if json.as_array().unwrap().is_empty() { Err(json.to_string()) } else { Ok(json) }
    })
    .await;
    let attempts = attempts.as_array().unwrap();
    assert_eq!(attempts.len(), 1, "refused for good, not retried: {attempts:?}");
    assert_eq!(attempts[0]["outcome"], "failed");
    let error = attempts[0]["error"].as_str().unwrap();
    assert!(error.contains("169.254.169.254:80 is a link-local address"), "{error}");
}

#[tokio::test]
async fn prometheus_2_42_sends_its_alerts_to_lookout() {
    let prometheus = "/usr/bin/prometheus";
    assert!(
        std::path::Path::new(prometheus).exists(),
        "{prometheus} is missing: `make test` installs Debian's prometheus"
    );
    let lookout = Lookout::start(&["--no-demo"]).await;
    let dir = TempDir::new("prometheus-to-lookout");
    std::fs::write(
        dir.path().join("rules.yml"),
        "groups:\n  - name: always\n    rules:\n      - alert: AlwaysFiring\n        expr: vector(1) > 0\n        labels:\n          severity: info\n        annotations:\n          summary: sent by Prometheus\n",
    )
    .unwrap();
    let target = lookout.url.trim_start_matches("http://");
    std::fs::write(
        dir.path().join("prometheus.yml"),
        format!(
            "global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\nalerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['{target}']\n"
        ),
    )
    .unwrap();
    let port = lookout_e2e::free_port();
    let _prometheus = tokio::process::Command::new(prometheus)
        .arg(format!("--config.file={}", dir.path().join("prometheus.yml").display()))
        .arg(format!("--storage.tsdb.path={}", dir.path().join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        // Its first send goes out before the Alertmanager list is discovered and is dropped;
        // resending every second instead of every minute keeps the test short.
        .arg("--rules.alert.resend-delay=1s")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // Prometheus posts to /api/v2/alerts as it does to any Alertmanager.
    let alert = eventually(Duration::from_secs(30), "Prometheus's alert in Lookout", || async {
        let json = get_json(&format!("{}/api/v2/alerts", lookout.url)).await;
        let found = json.as_array().unwrap().iter().find(|a| a["labels"]["alertname"] == "AlwaysFiring").cloned();
        found.ok_or_else(|| json.to_string())
    })
    .await;
    assert_eq!(alert["annotations"]["summary"], "sent by Prometheus");
    assert_eq!(alert["status"]["state"], "active");
    let link = alert["generatorURL"].as_str().unwrap();
    assert!(link.contains("/graph?g0.expr=vector%281%29+%3E+0"), "{link}");
}

#[tokio::test]
async fn an_acknowledgement_reaches_pagerduty_and_the_statistics() {
    let (pagerduty, events) = webhook_receiver(vec![202]).await;
    let dir = TempDir::new("pagerduty");
    let config = dir.path().join("lookout.yml");
    std::fs::write(
        &config,
        format!(
            "alertmanager:\n  route:\n    receiver: pager\n    group_by: [alertname]\n    group_wait: 1s\n  receivers:\n    - name: pager\n      pagerduty_configs:\n        - routing_key: test-key\n          url: '{pagerduty}'\n"
        ),
    )
    .unwrap();
    let lookout = Lookout::start(&["--no-demo", "--config", config.to_str().unwrap()]).await;
    let url = lookout.url.clone();
    let alert = br#"[{"labels":{"alertname":"PoolExhausted","severity":"critical"}}]"#;
    let posted =
        http_post(&format!("{url}/api/v2/alerts"), &[("Content-Type", "application/json")], alert).await.unwrap();
    assert_eq!(posted.status, 200, "{}", posted.body);
    let trigger = eventually(Duration::from_secs(20), "PagerDuty's trigger", || async {
        let events = events.lock().unwrap().clone();
        events.first().cloned().ok_or_else(|| "nothing yet".to_string())
    })
    .await;
    let trigger: serde_json::Value = serde_json::from_str(&trigger).unwrap();
    assert_eq!(
        (trigger["event_action"].as_str(), trigger["routing_key"].as_str()),
        (Some("trigger"), Some("test-key"))
    );

    let fingerprint = get_json(&format!("{url}/api/v2/alerts")).await[0]["fingerprint"].as_str().unwrap().to_string();
    let ack =
        http_post(&format!("{url}/api/lookout/alerts/{fingerprint}/ack"), &[], br#"{"by":"carol"}"#).await.unwrap();
    assert_eq!(ack.status, 204, "{}", ack.body);
    let acknowledge = eventually(Duration::from_secs(10), "PagerDuty's acknowledge event", || async {
        let events = events.lock().unwrap().clone();
        events.get(1).cloned().ok_or_else(|| format!("{events:?}"))
    })
    .await;
    let acknowledge: serde_json::Value = serde_json::from_str(&acknowledge).unwrap();
    assert_eq!(acknowledge["event_action"], "acknowledge", "{acknowledge}");
    assert_eq!(acknowledge["dedup_key"], trigger["dedup_key"], "the same incident");

    let stats = eventually(Duration::from_secs(10), "both deliveries counted", || async {
        let stats = get_json(&format!("{url}/api/lookout/alerts/stats")).await;
        if stats["integrations"][0]["delivered"] == 2 { Ok(stats) } else { Err(stats.to_string()) }
    })
    .await;
    assert_eq!(stats["integrations"][0]["integration"], "pagerduty");
    assert_eq!(stats["integrations"][0]["success_rate"], 1.0);
    assert_eq!(stats["by_severity"][0]["severity"], "critical");
    assert_eq!(stats["by_severity"][0]["acknowledged"], 1, "{stats}");
    assert!(stats["mean_time_to_acknowledge_s"].as_f64().is_some_and(|s| (0.0..30.0).contains(&s)), "{stats}");
    assert!(stats["mean_time_to_resolve_s"].is_null(), "nothing resolved yet: {stats}");
}

#[tokio::test]
async fn the_demo_incident_pages_posts_and_mails_through_real_protocols() {
    let dir = TempDir::new("demo-notify");
    let config = dir.path().join("lookout.yml");
    std::fs::write(&config, "demo:\n  first_incident_after: 5s\n  incident_duration: 10m\n").unwrap();
    let lookout = Lookout::start(&["--config", config.to_str().unwrap()]).await;
    // The pool alert (`for: 30s`) fires, waits out group_wait (10 s), and goes to the on-call
    // receiver: PagerDuty and Slack over HTTP, mail over SMTP, each to the demo's stand-in.
    let inbox = eventually(Duration::from_secs(150), "the on-call notifications", || async {
        let inbox = get_json(&format!("{}/api/lookout/demo/inbox", lookout.url)).await;
        let kinds: Vec<String> =
            inbox.as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap().to_string()).collect();
        let all = ["pagerduty", "slack", "email"].iter().all(|k| kinds.iter().any(|seen| seen == k));
        if all { Ok(inbox) } else { Err(format!("{kinds:?}")) }
    })
    .await;
    let messages = inbox.as_array().unwrap();
    let page = messages.iter().find(|m| m["kind"] == "pagerduty").unwrap();
    let page: serde_json::Value = serde_json::from_str(page["body"].as_str().unwrap()).unwrap();
    assert_eq!(page["event_action"], "trigger");
    assert!(page["payload"]["summary"].as_str().unwrap().contains("DatabaseConnectionsHigh"), "{page}");
    let mail = messages.iter().find(|m| m["kind"] == "email").unwrap()["body"].as_str().unwrap().to_string();
    assert!(mail.contains("Subject: [FIRING:"), "{mail}");
    // The notification log holds the real deliveries: HTTP statuses and the SMTP reply.
    let attempts = get_json(&format!("{}/api/lookout/notifications", lookout.url)).await;
    let mailed = attempts.as_array().unwrap().iter().find(|a| a["integration"] == "email").unwrap();
    assert_eq!(mailed["outcome"], "success", "{mailed}");
    assert!(mailed["smtp_reply"].as_str().unwrap().starts_with("250"), "{mailed}");
    let paged = attempts.as_array().unwrap().iter().find(|a| a["integration"] == "pagerduty").unwrap();
    assert_eq!(paged["http_status"], 202, "{paged}");
}

#[tokio::test]
async fn an_unacknowledged_group_escalates_and_a_restart_sends_nothing_twice() {
    let (team, to_team) = webhook_receiver(vec![200]).await;
    let (lead, to_lead) = webhook_receiver(vec![200]).await;
    let dir = TempDir::new("escalation");
    let config = dir.path().join("lookout.yml");
    std::fs::write(
        &config,
        format!(
            "alertmanager:\n  route:\n    receiver: team\n    group_by: [alertname]\n    group_wait: 1s\n    routes:\n      - matchers: ['severity=\"critical\"']\n        receiver: team\n        escalate:\n          - after: 3s\n            receiver: lead\n  receivers:\n    - name: team\n      webhook_configs: [{{url: '{team}'}}]\n    - name: lead\n      webhook_configs: [{{url: '{lead}'}}]\n"
        ),
    )
    .unwrap();
    let data = TempDir::new("escalation-data");
    let args = ["--no-demo", "--config", config.to_str().unwrap()];
    let mut lookout = Lookout::start_in(data.path(), &args, None).await;
    let url = lookout.url.clone();
    let alerts = br#"[{"labels":{"alertname":"PoolExhausted","severity":"critical"}},{"labels":{"alertname":"DiskFull","severity":"critical"}}]"#;
    let post = |url: String| async move {
        let r =
            http_post(&format!("{url}/api/v2/alerts"), &[("Content-Type", "application/json")], alerts).await.unwrap();
        assert_eq!(r.status, 200, "{}", r.body);
    };
    post(url.clone()).await;
    // DiskFull is acknowledged at once; PoolExhausted is left alone.
    let listed = get_json(&format!("{url}/api/v2/alerts")).await;
    let disk = listed.as_array().unwrap().iter().find(|a| a["labels"]["alertname"] == "DiskFull").unwrap();
    let fingerprint = disk["fingerprint"].as_str().unwrap();
    let ack = http_post(&format!("{url}/api/lookout/alerts/{fingerprint}/ack"), &[], b"").await.unwrap();
    assert_eq!(ack.status, 204, "{}", ack.body);

    eventually(Duration::from_secs(20), "the escalation to the lead", || async {
        let got = to_lead.lock().unwrap().clone();
        if got.is_empty() { Err("nothing yet".into()) } else { Ok(()) }
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let escalated = to_lead.lock().unwrap().clone();
    assert_eq!(escalated.len(), 1, "{escalated:?}");
    assert!(escalated[0].contains("PoolExhausted") && !escalated[0].contains("DiskFull"), "{}", escalated[0]);
    assert_eq!(to_team.lock().unwrap().len(), 2, "one notification per group");
    let attempts = get_json(&format!("{url}/api/lookout/notifications")).await;
    assert!(
        attempts.as_array().unwrap().iter().any(|a| a["receiver"] == "lead" && a["escalation"] == true),
        "{attempts}"
    );

    // kill -9 and the same alerts posted again, as Prometheus re-sends them: the notification
    // log survived, so nothing goes out twice.
    lookout.kill().await;
    let lookout = Lookout::start_in(data.path(), &args, None).await;
    post(lookout.url.clone()).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(to_team.lock().unwrap().len(), 2, "re-sent after the restart");
    assert_eq!(to_lead.lock().unwrap().len(), 1, "escalated again after the restart");
}
