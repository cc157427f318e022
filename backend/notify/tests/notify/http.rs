//! Webhook, Slack and PagerDuty over real HTTP: the exact bodies Alertmanager 0.25 sends, and
//! which answers are retried.

use std::time::{Duration, Instant as StdInstant};

use lookout_notify::{DeliveryError, Outcome, dedup_key};
use tokio::time::Instant;

use crate::support::{HttpReceiver, deliver, group, integration, notifier, summary};

const LONG: Duration = Duration::from_secs(30);

const WEBHOOK_FIRING: &str = concat!(
    r#"{"receiver":"team-X","status":"firing","alerts":["#,
    r#"{"status":"firing","labels":{"alertname":"HighErrorRate","instance":"a","severity":"critical"},"#,
    r#""annotations":{"summary":"High error rate"},"startsAt":"2023-03-01T10:00:00Z","endsAt":"0001-01-01T00:00:00Z","#,
    r#""generatorURL":"http://prom:9090/graph?g0.expr=rate%28errors%5B5m%5D%29+%3E+1\u0026g0.tab=1","fingerprint":"a5aded17a37de350"},"#,
    r#"{"status":"firing","labels":{"alertname":"HighErrorRate","instance":"b","severity":"critical"},"#,
    r#""annotations":{"summary":"High error rate"},"startsAt":"2023-03-01T10:00:00Z","endsAt":"0001-01-01T00:00:00Z","#,
    r#""generatorURL":"http://prom:9090/graph?g0.expr=rate%28errors%5B5m%5D%29+%3E+1\u0026g0.tab=1","fingerprint":"c270f10d1cdfbddf"}],"#,
    r#""groupLabels":{"alertname":"HighErrorRate"},"commonLabels":{"alertname":"HighErrorRate","severity":"critical"},"#,
    r#""commonAnnotations":{"summary":"High error rate"},"externalURL":"http://am:9093","#,
    r#""version":"4","groupKey":"{}:{alertname=\"HighErrorRate\"}","truncatedAlerts":0}"#,
    "\n"
);

/// Resolved, receiver `team.x` (regex-quoted), `max_alerts: 1`: the common labels are those of the one alert kept.
const WEBHOOK_RESOLVED: &str = concat!(
    r#"{"receiver":"team\\.x","status":"resolved","alerts":["#,
    r#"{"status":"resolved","labels":{"alertname":"HighErrorRate","instance":"a","severity":"critical"},"#,
    r#""annotations":{"summary":"High error rate"},"startsAt":"2023-03-01T10:00:00Z","endsAt":"2023-03-01T10:05:00.5Z","#,
    r#""generatorURL":"http://prom:9090/graph?g0.expr=rate%28errors%5B5m%5D%29+%3E+1\u0026g0.tab=1","fingerprint":"a5aded17a37de350"}],"#,
    r#""groupLabels":{"alertname":"HighErrorRate"},"commonLabels":{"alertname":"HighErrorRate","instance":"a","severity":"critical"},"#,
    r#""commonAnnotations":{"summary":"High error rate"},"externalURL":"http://am:9093","#,
    r#""version":"4","groupKey":"{}:{alertname=\"HighErrorRate\"}","truncatedAlerts":1}"#,
    "\n"
);

fn webhook(url: &str, extra: &str) -> lookout_alertmanager::config::Integration {
    integration(&format!("  webhook_configs:\n  - url: {url}/hook\n{extra}"))
}

#[tokio::test]
async fn webhook_bodies_match_alertmanager() {
    let rx = HttpReceiver::start(&[(200, "")]).await;
    let (result, attempts) = deliver(&webhook(&rx.url, ""), &group("team-X", false), LONG).await;
    assert_eq!(result, Ok(()));
    assert_eq!(summary(&attempts), [(Outcome::Success, Some(200))]);
    assert_eq!(attempts[0].integration, "webhook");
    let (result, _) = deliver(&webhook(&rx.url, "    max_alerts: 1\n"), &group("team.x", true), LONG).await;
    assert_eq!(result, Ok(()));
    let requests = rx.requests();
    assert_eq!(requests[0].path, "/hook");
    assert_eq!(requests[0].headers["content-type"], "application/json");
    assert_eq!(requests[0].body, WEBHOOK_FIRING);
    assert_eq!(requests[1].body, WEBHOOK_RESOLVED);
}

#[tokio::test]
async fn webhook_retries_server_errors_then_succeeds() {
    let rx = HttpReceiver::start(&[(500, "oops"), (502, ""), (200, "")]).await;
    let (result, attempts) = deliver(&webhook(&rx.url, ""), &group("team-X", false), LONG).await;
    assert_eq!(result, Ok(()));
    assert_eq!(
        summary(&attempts),
        [(Outcome::Retryable, Some(500)), (Outcome::Retryable, Some(502)), (Outcome::Success, Some(200))]
    );
    assert_eq!(attempts.iter().map(|a| a.attempt).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(
        attempts[0].error.as_deref(),
        Some(format!("unexpected status code 500: {}/hook: oops", rx.url).as_str())
    );
    // Backoff: the second attempt comes 250–750 ms after the first ends.
    let gap = attempts[1].at_ms - attempts[0].at_ms;
    assert!((240..1000).contains(&gap), "gap {gap} ms");
    assert_eq!(rx.requests().len(), 3);
}

#[tokio::test]
async fn webhook_client_errors_are_not_retried() {
    let rx = HttpReceiver::start(&[(400, "bad"), (200, "")]).await;
    let (result, attempts) = deliver(&webhook(&rx.url, ""), &group("team-X", false), LONG).await;
    let message = format!("unexpected status code 400: {}/hook: bad", rx.url);
    assert_eq!(result, Err(DeliveryError::Rejected(message)));
    assert_eq!(summary(&attempts), [(Outcome::Failed, Some(400))]);
    // Webhooks do not retry 429 in Alertmanager 0.25 either.
    let rx = HttpReceiver::start(&[(429, "")]).await;
    let (_, attempts) = deliver(&webhook(&rx.url, ""), &group("team-X", false), LONG).await;
    assert_eq!(summary(&attempts), [(Outcome::Failed, Some(429))]);
}

#[tokio::test]
async fn retries_stop_at_the_deadline() {
    let rx = HttpReceiver::start(&[(503, "")]).await;
    let started = StdInstant::now();
    let (result, attempts) = deliver(&webhook(&rx.url, ""), &group("team-X", false), Duration::from_millis(1500)).await;
    // Well before another backoff could run; the slack is for a busy machine.
    assert!(started.elapsed() < Duration::from_millis(2500), "{:?}", started.elapsed());
    assert!(attempts.len() >= 2, "{attempts:?}");
    assert!(attempts.iter().all(|a| a.outcome == Outcome::Retryable && a.http_status == Some(503)));
    let Err(DeliveryError::DeadlineExceeded { attempts: n, last }) = result else { panic!("{result:?}") };
    assert_eq!(
        (n as usize, last.as_str()),
        (attempts.len(), format!("unexpected status code 503: {}/hook: ", rx.url).as_str())
    );
}

#[tokio::test]
async fn unreachable_receivers_are_retried() {
    // A port nothing listens on: bind, learn it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let (result, attempts) = deliver(&webhook(&url, ""), &group("team-X", false), Duration::from_millis(800)).await;
    assert!(matches!(result, Err(DeliveryError::DeadlineExceeded { .. })), "{result:?}");
    assert_eq!(attempts[0].outcome, Outcome::Retryable);
    assert_eq!(attempts[0].http_status, None);
    assert!(attempts[0].error.is_some());
}

#[tokio::test]
async fn http_config_credentials_are_sent() {
    let rx = HttpReceiver::start(&[(200, "")]).await;
    let extra = "    http_config:\n      basic_auth:\n        username: user\n        password: pass\n";
    deliver(&webhook(&rx.url, extra), &group("team-X", false), LONG).await.0.unwrap();
    assert_eq!(rx.requests()[0].headers["authorization"], "Basic dXNlcjpwYXNz");
}

const SLACK: &str = concat!(
    r##"{"channel":"#alerts","username":"Lookout","link_names":true,"attachments":[{"##,
    r#""title":"[FIRING:2] HighErrorRate (critical)","title_link":"http://am:9093/alerts?receiver=slack","#,
    r#""text":"","fallback":"[FIRING:2] HighErrorRate (critical) | http://am:9093/alerts?receiver=slack","#,
    r#""callback_id":"","fields":[{"title":"Severity","value":"critical","short":true},{"title":"Alerts","value":"2","short":false}],"#,
    r#""actions":[{"type":"button","text":"Runbook \u003cHighErrorRate\u003e","url":"http://runbook/x?a=1\u0026b=2"}],"#,
    r#""footer":"","color":"danger","mrkdwn_in":["fallback","pretext","text"]}]}"#,
    "\n"
);

fn slack(url: &str, extra: &str) -> lookout_alertmanager::config::Integration {
    integration(&format!("  slack_configs:\n  - api_url: {url}/slack\n    channel: '#alerts'\n{extra}"))
}

#[tokio::test]
async fn slack_body_matches_alertmanager() {
    let rx = HttpReceiver::start(&[(200, "ok")]).await;
    let extra = concat!(
        "    link_names: true\n    short_fields: true\n",
        "    fields:\n    - title: Severity\n      value: '{{ .CommonLabels.severity }}'\n",
        "    - title: Alerts\n      value: '{{ len .Alerts }}'\n      short: false\n",
        "    actions:\n    - type: button\n      text: 'Runbook <{{ .GroupLabels.alertname }}>'\n      url: 'http://runbook/x?a=1&b=2'\n",
    );
    let (result, attempts) = deliver(&slack(&rx.url, extra), &group("slack", false), LONG).await;
    assert_eq!(result, Ok(()));
    assert_eq!(attempts[0].integration, "slack");
    assert_eq!(rx.requests()[0].path, "/slack");
    assert_eq!(rx.requests()[0].body, SLACK);
}

#[tokio::test]
async fn slack_titles_are_truncated_and_errors_name_the_channel() {
    let rx = HttpReceiver::start(&[(429, "")]).await;
    let extra = format!("    title: '{}'\n", "x".repeat(1100));
    let (result, attempts) = deliver(&slack(&rx.url, &extra), &group("slack", false), LONG).await;
    assert_eq!(result, Err(DeliveryError::Rejected("channel \"#alerts\": unexpected status code 429".to_string())));
    assert_eq!(summary(&attempts), [(Outcome::Failed, Some(429))]);
    let body: serde_json::Value = serde_json::from_str(&rx.requests()[0].body).unwrap();
    assert_eq!(body["attachments"][0]["title"], format!("{}…", "x".repeat(1023)));
}

const PD_TRIGGER: &str = concat!(
    r#"{"routing_key":"key123","dedup_key":"cbc7a356b874c7d0332c73753d5082204bea3c18a5cb2a9a50e75f6687ffb86b","#,
    r#""event_action":"trigger","payload":{"summary":"[FIRING:2] HighErrorRate (critical)","source":"Lookout","#,
    r#""severity":"error","class":"http","custom_details":{"firing":"2 firing","num_firing":"2","num_resolved":"0","resolved":""}},"#,
    r#""client":"Lookout","client_url":"http://am:9093/alerts?receiver=pd","#,
    r#""images":[{"src":"http://img/1.png","alt":"graph","href":""}],"links":[{"href":"http://runbook","text":"Runbook"}]}"#,
    "\n"
);

fn pagerduty(url: &str, extra: &str) -> lookout_alertmanager::config::Integration {
    integration(&format!("  pagerduty_configs:\n  - routing_key: key123\n    url: {url}/v2/enqueue\n{extra}"))
}

const PD_EXTRA: &str = concat!(
    "    class: http\n",
    "    details:\n      firing: '{{ len .Alerts.Firing }} firing'\n      resolved: '{{ with .Alerts.Resolved }}{{ len . }} resolved{{ end }}'\n",
    "    images:\n    - src: http://img/1.png\n      alt: graph\n    - alt: no source, left out\n",
    "    links:\n    - href: http://runbook\n      text: Runbook\n    - text: no href, left out\n",
);

#[tokio::test]
async fn pagerduty_events_match_alertmanager() {
    let rx = HttpReceiver::start(&[(202, "{}")]).await;
    let (result, attempts) = deliver(&pagerduty(&rx.url, PD_EXTRA), &group("pd", false), LONG).await;
    assert_eq!(result, Ok(()));
    assert_eq!(summary(&attempts), [(Outcome::Success, Some(202))]);
    assert_eq!(attempts[0].integration, "pagerduty");
    assert_eq!(rx.requests()[0].path, "/v2/enqueue");
    assert_eq!(rx.requests()[0].body, PD_TRIGGER);
    assert_eq!(
        dedup_key("{}:{alertname=\"HighErrorRate\"}"),
        "cbc7a356b874c7d0332c73753d5082204bea3c18a5cb2a9a50e75f6687ffb86b"
    );

    deliver(&pagerduty(&rx.url, ""), &group("pd", true), LONG).await.0.unwrap();
    let resolve: serde_json::Value = serde_json::from_str(&rx.requests()[1].body).unwrap();
    assert_eq!(resolve["event_action"], "resolve");
    assert_eq!(resolve["payload"]["summary"], "[RESOLVED] HighErrorRate (critical)");
    assert_eq!(resolve["payload"]["custom_details"]["num_resolved"], "2");
}

#[tokio::test]
async fn pagerduty_retries_rate_limits_and_explains_refusals() {
    let rx = HttpReceiver::start(&[(429, ""), (202, "")]).await;
    let (result, attempts) = deliver(&pagerduty(&rx.url, ""), &group("pd", false), LONG).await;
    assert_eq!(result, Ok(()));
    assert_eq!(summary(&attempts), [(Outcome::Retryable, Some(429)), (Outcome::Success, Some(202))]);

    let refusal = r#"{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect"]}"#;
    let rx = HttpReceiver::start(&[(400, refusal)]).await;
    let (result, attempts) = deliver(&pagerduty(&rx.url, ""), &group("pd", false), LONG).await;
    let message = "unexpected status code 400: Event object is invalid: Length of 'routing_key' is incorrect";
    assert_eq!(result, Err(DeliveryError::Rejected(message.to_string())));
    assert_eq!(summary(&attempts), [(Outcome::Failed, Some(400))]);
}

#[tokio::test]
async fn pagerduty_drops_custom_details_over_512kb() {
    let rx = HttpReceiver::start(&[(202, "")]).await;
    let extra = format!("    details:\n      big: '{}'\n", "y".repeat(520_000));
    deliver(&pagerduty(&rx.url, &extra), &group("pd", false), LONG).await.0.unwrap();
    let event: serde_json::Value = serde_json::from_str(&rx.requests()[0].body).unwrap();
    let error = "Custom details have been removed because the original event exceeds the maximum size of 512kB";
    assert_eq!(event["payload"]["custom_details"], serde_json::json!({ "error": error }));
}

#[tokio::test]
async fn pagerduty_acknowledge_reuses_the_dedup_key() {
    let rx = HttpReceiver::start(&[(500, ""), (202, "")]).await;
    let lookout_alertmanager::config::IntegrationConfig::PagerDuty(config) = pagerduty(&rx.url, "").config else {
        unreachable!()
    };
    let mut attempts = Vec::new();
    let deadline = Instant::now() + LONG;
    let result =
        notifier().acknowledge_pagerduty(&config, &group("pd", false), deadline, &mut |a| attempts.push(a)).await;
    assert_eq!(result, Ok(()));
    assert_eq!(summary(&attempts), [(Outcome::Retryable, Some(500)), (Outcome::Success, Some(202))]);
    let expected = concat!(
        r#"{"routing_key":"key123","dedup_key":"cbc7a356b874c7d0332c73753d5082204bea3c18a5cb2a9a50e75f6687ffb86b","#,
        r#""event_action":"acknowledge"}"#,
        "\n"
    );
    assert_eq!(rx.requests()[1].body, expected);
}

#[tokio::test]
async fn template_errors_are_one_failed_attempt_and_send_nothing() {
    let rx = HttpReceiver::start(&[(200, "")]).await;
    let extra = "    title: '{{ template \"no.such.template\" . }}'\n";
    let (result, attempts) = deliver(&slack(&rx.url, extra), &group("slack", false), LONG).await;
    assert!(matches!(&result, Err(DeliveryError::Template { field, .. }) if field == "title"), "{result:?}");
    assert_eq!(summary(&attempts), [(Outcome::Failed, None)]);
    assert!(rx.requests().is_empty());
}
