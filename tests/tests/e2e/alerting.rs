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
