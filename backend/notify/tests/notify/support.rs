//! Test fixtures: integrations from alertmanager.yml text, the two-alert group, a recording HTTP
//! receiver that answers a chosen sequence of statuses, and attempt collection.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lookout_alertmanager::alert::Alert;
use lookout_alertmanager::config::{Integration, load};
use lookout_notify::{Attempt, DeliveryError, Message, Notifier, Outcome};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::Instant;

/// 2023-03-01T10:00:00Z.
pub const START: i64 = 1_677_664_800_000;

/// The first integration of a receiver written as alertmanager.yml (`body` is the receiver's
/// lines after `- name: r`, indented by two).
pub fn integration(body: &str) -> Integration {
    let text = format!("route:\n  receiver: r\nreceivers:\n- name: r\n{body}");
    let config = load(&text).unwrap_or_else(|e| panic!("config: {e}\n{text}"));
    config.receiver("r").unwrap().integrations[0].clone()
}

fn alert(instance: &str, ends_at: Option<i64>) -> Alert {
    let labels = [("alertname", "HighErrorRate"), ("instance", instance), ("severity", "critical")];
    Alert {
        labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        annotations: BTreeMap::from([("summary".to_string(), "High error rate".to_string())]),
        starts_at: START,
        ends_at,
        updated_at: START,
        generator_url: "http://prom:9090/graph?g0.expr=rate%28errors%5B5m%5D%29+%3E+1&g0.tab=1".to_string(),
        timeout: false,
    }
}

/// Two alerts of `{alertname="HighErrorRate"}`, firing or resolved five minutes (and a half second) later.
pub fn group(receiver: &str, resolved: bool) -> Message {
    let end = resolved.then_some(START + 300_500);
    Message {
        receiver: receiver.to_string(),
        group_key: "{}:{alertname=\"HighErrorRate\"}".to_string(),
        group_labels: BTreeMap::from([("alertname".to_string(), "HighErrorRate".to_string())]),
        alerts: vec![alert("a", end), alert("b", end)],
        external_url: "http://am:9093".to_string(),
    }
}

pub fn notifier() -> Notifier {
    Notifier::new(lookout_template::alertmanager::default_template(), lookout_notify::Guard::default()).unwrap()
}

/// Delivers and returns the result with the attempts reported.
pub async fn deliver(
    integration: &Integration,
    message: &Message,
    within: Duration,
) -> (Result<(), DeliveryError>, Vec<Attempt>) {
    let mut attempts = Vec::new();
    let result = notifier().deliver(integration, message, Instant::now() + within, &mut |a| attempts.push(a)).await;
    (result, attempts)
}

/// (outcome, status) per attempt: what most tests check.
pub fn summary(attempts: &[Attempt]) -> Vec<(Outcome, Option<u16>)> {
    attempts.iter().map(|a| (a.outcome, a.http_status)).collect()
}

#[derive(Debug, Clone)]
pub struct Request {
    pub path: String,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

/// An HTTP server on a free loopback port answering request n with `answers[n]` (the last one
/// repeats) and recording every request.
pub struct HttpReceiver {
    pub url: String,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl HttpReceiver {
    pub async fn start(answers: &[(u16, &str)]) -> HttpReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let answers: Vec<(u16, String)> = answers.iter().map(|(s, b)| (*s, b.to_string())).collect();
        let recorded = requests.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else { return };
                let request = read_request(&mut socket).await;
                let n = {
                    let mut all = recorded.lock().unwrap();
                    all.push(request);
                    all.len() - 1
                };
                let (status, body) = &answers[n.min(answers.len() - 1)];
                let response = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            }
        });
        HttpReceiver { url, requests }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Request {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let header_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0, "connection closed mid-request");
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8(data[..header_end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let path = lines.next().unwrap().split(' ').nth(1).unwrap().to_string();
    let headers: BTreeMap<String, String> =
        lines.filter_map(|l| l.split_once(": ")).map(|(k, v)| (k.to_ascii_lowercase(), v.to_string())).collect();
    let length: usize = headers.get("content-length").map_or(0, |l| l.parse().unwrap());
    while data.len() < header_end + length {
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0, "connection closed mid-body");
        data.extend_from_slice(&buf[..n]);
    }
    Request { path, headers, body: String::from_utf8(data[header_end..header_end + length].to_vec()).unwrap() }
}
