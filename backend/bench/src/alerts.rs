//! The alerting pillar's measurements, each printed as one line: alerts/s through Alertmanager's
//! API v2, firing-to-webhook latency beyond `group_wait`, and the time one evaluation of a
//! thousand rules takes (in process over a head, and as a running server reports it).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lookout_rules::{Group, GroupOptions, Health, PromQuerier, RuleStateKind};
use lookout_server::timefmt::{now_ms, rfc3339_millis};
use lookout_tsdb::Head;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Alerts in one request: Prometheus's notifier sends at most 64 per request.
const ALERT_BATCH: usize = 64;
const POSTS: usize = 200_000;
const DISTINCT_ALERTS: usize = 5_000;
const POST_CLIENTS: usize = 16;
/// The throughput run stops here even if the posts are not all answered.
const POST_DEADLINE: Duration = Duration::from_secs(120);

const LATENCY_ALERTS: usize = 50;
/// Posts are spaced by a period that shares no factor with a 500 ms tick, so the alerts fall on
/// every phase of a dispatcher that flushes on a timer.
const LATENCY_SPACING: Duration = Duration::from_millis(97);
/// How long after the last post the webhook may still bring news.
const LATENCY_GRACE: Duration = Duration::from_secs(15);

/// The rule set: 100 metrics × 10 rules, ten metrics to a group.
const RULE_METRICS: usize = 100;
const METRICS_PER_GROUP: usize = 10;
const EVAL_INTERVAL_MS: i64 = 5_000;
const EVALUATIONS: usize = 7;

/// Readings of a server's `/api/v1/rules`, one evaluation interval apart.
const API_READINGS: usize = 6;
/// How long a server may take to evaluate every group once after a reload.
const API_FIRST_EVALUATION: Duration = Duration::from_secs(60);

/// One alert of the throughput set, as Prometheus posts it: both times set, `endsAt` four
/// resend delays ahead, a generator URL and an annotation.
fn postable(j: usize, starts_at: &str, ends_at: &str) -> serde_json::Value {
    let severity = ["warning", "critical", "info"][j % 3];
    serde_json::json!({
        "labels": {
            "alertname": format!("BenchAlert{}", j % 50),
            "instance": format!("host-{}:9100", j / 50),
            "severity": severity,
        },
        "annotations": {"summary": format!("bench alert {j} is {severity}")},
        "startsAt": starts_at,
        "endsAt": ends_at,
        "generatorURL": format!("http://127.0.0.1:9090/graph?g0.expr=bench_metric_{}", j % 100),
    })
}

/// `POST /api/v2/alerts` with [`POSTS`] alerts over [`DISTINCT_ALERTS`] in batches of
/// [`ALERT_BATCH`] from [`POST_CLIENTS`] clients; reports alerts/s.
pub async fn post(base: &str) {
    let url = format!("{base}/api/v2/alerts");
    let now = now_ms();
    let (starts_at, ends_at) = (rfc3339_millis(now), rfc3339_millis(now + 4 * 60_000));
    // Bodies are built before the clock starts, so the figure is the server's, not serde's.
    let mut bodies: Vec<Vec<Vec<u8>>> = vec![Vec::new(); POST_CLIENTS];
    for (request, first) in (0..POSTS).step_by(ALERT_BATCH).enumerate() {
        let batch: Vec<serde_json::Value> = (first..(first + ALERT_BATCH).min(POSTS))
            .map(|p| postable(p % DISTINCT_ALERTS, &starts_at, &ends_at))
            .collect();
        bodies[request % POST_CLIENTS].push(serde_json::to_vec(&batch).unwrap());
    }
    let client = reqwest::Client::new();
    let started = Instant::now();
    let deadline = started + POST_DEADLINE;
    let mut tasks = Vec::new();
    for bodies in bodies {
        let (client, url) = (client.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let (mut posted, mut failures) = (0, 0);
            for body in bodies {
                if Instant::now() > deadline {
                    break;
                }
                let response = client.post(&url).header("Content-Type", "application/json").body(body).send().await;
                if response.is_ok_and(|r| r.status().is_success()) {
                    posted += ALERT_BATCH;
                } else {
                    failures += 1;
                }
            }
            (posted, failures)
        }));
    }
    let (mut posted, mut failures) = (0, 0);
    for task in tasks {
        let (p, f) = task.await.unwrap_or((0, 1));
        posted += p;
        failures += f;
    }
    let elapsed = started.elapsed();
    println!(
        "alerts-post: {posted} of {POSTS} alerts ({DISTINCT_ALERTS} distinct) in batches of {ALERT_BATCH} by {POST_CLIENTS} clients: {:.2?}, {:.0} alerts/s, {failures} failed requests",
        elapsed,
        posted as f64 / elapsed.as_secs_f64()
    );
}

/// When the webhook first saw each alertname.
type Arrivals = Arc<Hook>;

/// What the bench's webhook saw: when each alertname first arrived, and how many requests came.
#[derive(Default)]
pub struct Hook {
    first_seen: Mutex<HashMap<String, Instant>>,
    pub requests: std::sync::atomic::AtomicUsize,
}

/// Posts [`LATENCY_ALERTS`] alerts, each with an alertname of its own (so each opens its own
/// group), and measures from the moment each POST is sent to the webhook request carrying it,
/// minus `group_wait`. (Sent, not answered: a server may start the group's clock before it
/// answers, as Lookout does, since its answer waits for the fsync.) The server must route `bench="latency"` to `http://127.0.0.1:HOOK_PORT/hook`.
pub async fn latency(base: &str, hook_port: u16, group_wait_ms: u64) {
    let listener = TcpListener::bind(("127.0.0.1", hook_port))
        .await
        .unwrap_or_else(|e| panic!("cannot listen on 127.0.0.1:{hook_port}: {e}"));
    let arrivals = Arrivals::default();
    tokio::spawn(serve_hook(listener, arrivals.clone()));

    let client = reqwest::Client::new();
    let url = format!("{base}/api/v2/alerts");
    // A run-unique prefix, so a second run against the same server opens fresh groups too.
    let run = now_ms();
    let mut sent = Vec::new();
    let mut ticker = tokio::time::interval(LATENCY_SPACING);
    for i in 0..LATENCY_ALERTS {
        ticker.tick().await;
        let name = format!("BenchLatency{run}x{i}");
        let body = serde_json::json!([{
            "labels": {"alertname": name, "instance": "host-0:9100", "severity": "page", "bench": "latency"},
            "annotations": {"summary": "latency probe"},
        }]);
        let at = Instant::now();
        let response = client.post(&url).header("Content-Type", "application/json").body(body.to_string()).send().await;
        if response.is_ok_and(|r| r.status().is_success()) {
            sent.push((name, at));
        }
    }
    let deadline = Instant::now() + Duration::from_millis(group_wait_ms) + LATENCY_GRACE;
    let all_seen = || {
        let seen = arrivals.first_seen.lock().unwrap();
        sent.iter().all(|(name, _)| seen.contains_key(name))
    };
    while Instant::now() < deadline && !all_seen() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let group_wait = group_wait_ms as f64;
    let mut beyond: Vec<f64> = {
        let seen = arrivals.first_seen.lock().unwrap();
        sent.iter()
            .filter_map(|(name, at)| {
                seen.get(name).map(|hook| hook.duration_since(*at).as_secs_f64() * 1e3 - group_wait)
            })
            .collect()
    };
    beyond.sort_by(f64::total_cmp);
    let pick = |q: f64| crate::quantile(&beyond, q);
    println!(
        "alerts-latency: firing to webhook beyond group_wait {group_wait_ms} ms, {} of {LATENCY_ALERTS} alerts delivered: median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        beyond.len(),
        pick(0.5),
        pick(0.9),
        pick(1.0)
    );
}

pub(crate) async fn serve_hook(listener: TcpListener, arrivals: Arrivals) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(hook_connection(stream, arrivals.clone()));
    }
}

/// One keep-alive connection of webhook requests (HTTP/1.1 with a Content-Length, as both
/// Alertmanager's Go client and reqwest send a known-size body), each answered 200.
async fn hook_connection(mut stream: TcpStream, arrivals: Arrivals) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let header_end = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < header_end + length {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let arrived = Instant::now();
        arrivals.requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Ok(payload) = serde_json::from_slice::<serde_json::Value>(&buf[header_end..header_end + length]) {
            let mut seen = arrivals.first_seen.lock().unwrap();
            for alert in payload["alerts"].as_array().into_iter().flatten() {
                if let Some(name) = alert["labels"]["alertname"].as_str() {
                    seen.entry(name.to_string()).or_insert(arrived);
                }
            }
        }
        buf.drain(..header_end + length);
        if stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await.is_err() {
            return;
        }
    }
}

/// Writes the rule file both Lookout and Prometheus evaluate: for each of the 100 metrics of
/// the `ingest` series, six recording rules (rates, aggregations, a quantile over a recorded
/// series) and four alerting rules (one pending for every series of each tenth metric, one
/// firing, two quiet), as a service's rules usually mix them; ten metrics to a group. Which
/// alerts are active does not depend on how long after the data the rules run, so both systems
/// hold the same 1,100.
pub fn rules_file(out: &str) {
    let mut yaml = String::from("groups:\n");
    for group in 0..RULE_METRICS / METRICS_PER_GROUP {
        yaml.push_str(&format!("  - name: bench-{group}\n    rules:\n"));
        for k in group * METRICS_PER_GROUP..(group + 1) * METRICS_PER_GROUP {
            let m = format!("bench_metric_{k}");
            for (record, expr) in [
                (format!("{m}:rate5m"), format!("rate({m}[5m])")),
                (format!("instance:{m}:rate5m"), format!("sum by (instance) (rate({m}[5m]))")),
                (format!("job:{m}:max"), format!("max by (job) ({m})")),
                (format!("instance:{m}:avg5m"), format!("avg by (instance) (avg_over_time({m}[5m]))")),
                (format!("job:{m}:rate5m_p90"), format!("quantile by (job) (0.9, {m}:rate5m)")),
                (format!("job:{m}:series"), format!("count by (job) ({m})")),
            ] {
                yaml.push_str(&format!("      - record: {record}\n        expr: {expr}\n"));
            }
            for (alert, expr, for_, severity, summary) in [
                (
                    format!("BenchRateHigh{k}"),
                    format!("{m}:rate5m{{id=~\".*7\"}} > 0"),
                    "5m",
                    "warning",
                    "{{ $labels.id }}",
                ),
                (
                    format!("BenchInstanceBusy{k}"),
                    format!("instance:{m}:rate5m > 10"),
                    "0s",
                    "critical",
                    "{{ $labels.instance }}",
                ),
                (
                    format!("BenchStale{k}"),
                    format!("time() - max by (instance) (timestamp({m})) > 600"),
                    "0s",
                    "page",
                    "{{ $labels.instance }}",
                ),
                (
                    format!("BenchSeriesMissing{k}"),
                    format!("job:{m}:series < 50"),
                    "10m",
                    "warning",
                    "{{ $labels.job }}",
                ),
            ] {
                yaml.push_str(&format!(
                    "      - alert: {alert}\n        expr: {expr}\n        for: {for_}\n        labels:\n          severity: {severity}\n        annotations:\n          summary: '{summary} at {{{{ $value | humanize }}}}'\n"
                ));
            }
        }
    }
    std::fs::write(out, yaml).unwrap_or_else(|e| panic!("{out}: {e}"));
}

/// Evaluates every group of FILE over a head holding the `ingest` benchmark's series, in process,
/// [`EVALUATIONS`] times one interval apart, starting a minute after the last sample (where a
/// server that was just sent the data evaluates); reports the time one pass over all rules takes.
pub fn rules_eval(file: &str) {
    let defs = lookout_rules::file::load(std::path::Path::new(file)).unwrap_or_else(|errors| {
        panic!("{file}: {}", errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))
    });
    let head = Head::new();
    let labels: Vec<_> = (0..crate::SERIES).map(crate::series_labels).collect();
    let t0 = crate::start_ms();
    for round in 0..crate::ROUNDS {
        for (i, labels) in labels.iter().enumerate() {
            head.append(labels, t0 + round as i64 * crate::STEP_MS, crate::sample_value(i, round)).unwrap();
        }
    }
    let options = GroupOptions { default_interval_ms: EVAL_INTERVAL_MS, ..GroupOptions::default() };
    // Loaded as by a reload (no `for` restore pending), as Prometheus's groups are after theirs.
    let mut groups: Vec<Group> = defs.groups.iter().map(|def| Group::new(file, def, &options, false)).collect();
    let querier = PromQuerier::new(
        &head,
        lookout_promql::Options { default_subquery_step_ms: EVAL_INTERVAL_MS, ..Default::default() },
    );
    let first = t0 + (crate::ROUNDS as i64 - 1) * crate::STEP_MS + 60_000;
    let mut times = Vec::new();
    for evaluation in 0..EVALUATIONS {
        let ts = first + evaluation as i64 * EVAL_INTERVAL_MS;
        let started = Instant::now();
        for group in &mut groups {
            let mut appender = &head;
            group.eval(ts, &querier, &mut appender);
        }
        times.push(started.elapsed());
    }
    times.sort();
    let states: Vec<_> = groups.iter().map(Group::state).collect();
    let rules = states.iter().flat_map(|g| &g.rules);
    let (mut count, mut alerting, mut alerts, mut unhealthy) = (0, 0, 0, 0);
    for rule in rules {
        count += 1;
        unhealthy += usize::from(rule.health == Health::Err);
        if let RuleStateKind::Alerting { alerts: a, .. } = &rule.kind {
            alerting += 1;
            alerts += a.len();
        }
    }
    println!(
        "rules-eval: {count} rules ({alerting} alerting) in {} groups over {} series, in process: median {:.1?}, best {:.1?}, worst {:.1?} for all rules over {EVALUATIONS} evaluations; {alerts} alerts, {unhealthy} rules unhealthy",
        groups.len(),
        crate::SERIES,
        times[EVALUATIONS / 2],
        times[0],
        times[EVALUATIONS - 1],
    );
}

/// Reads a running server's `/api/v1/rules` (Lookout's or Prometheus's) once every group has
/// evaluated, [`API_READINGS`] times one interval apart; each reading sums the groups' last
/// evaluation times (Prometheus's `prometheus_rule_group_last_duration_seconds`).
pub async fn rules_api(base: &str) {
    let client = reqwest::Client::new();
    let url = format!("{base}/api/v1/rules");
    let (client, url) = (&client, &url);
    let read = move || async move {
        let text = client.get(url.as_str()).send().await.ok()?.text().await.ok()?;
        serde_json::from_str::<serde_json::Value>(&text).ok()
    };
    let deadline = Instant::now() + API_FIRST_EVALUATION;
    let evaluated = |v: &serde_json::Value| {
        let groups = v["data"]["groups"].as_array().cloned().unwrap_or_default();
        !groups.is_empty() && groups.iter().all(|g| g["evaluationTime"].as_f64().is_some_and(|t| t > 0.0))
    };
    while Instant::now() < deadline && !read().await.is_some_and(|v| evaluated(&v)) {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (mut sums, mut last) = (Vec::new(), serde_json::Value::Null);
    for _ in 0..API_READINGS {
        tokio::time::sleep(Duration::from_millis(EVAL_INTERVAL_MS as u64)).await;
        if let Some(v) = read().await.filter(evaluated) {
            let groups = v["data"]["groups"].as_array().cloned().unwrap_or_default();
            sums.push(groups.iter().filter_map(|g| g["evaluationTime"].as_f64()).sum::<f64>() * 1e3);
            last = v;
        }
    }
    sums.sort_by(f64::total_cmp);
    let rules: Vec<&serde_json::Value> = last["data"]["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["rules"].as_array().into_iter().flatten())
        .collect();
    let alerts: usize = rules.iter().filter_map(|r| r["alerts"].as_array()).map(Vec::len).sum();
    let unhealthy = rules.iter().filter(|r| r["health"] != "ok").count();
    let groups = last["data"]["groups"].as_array().map_or(0, Vec::len);
    println!(
        "rules-api: {} rules in {groups} groups, served: median {:.1} ms, best {:.1} ms, worst {:.1} ms for all rules (sum of the groups' evaluationTime) over {} readings; {alerts} alerts, {unhealthy} rules unhealthy",
        rules.len(),
        sums.get(sums.len() / 2).copied().unwrap_or(f64::NAN),
        sums.first().copied().unwrap_or(f64::NAN),
        sums.last().copied().unwrap_or(f64::NAN),
        sums.len()
    );
}
