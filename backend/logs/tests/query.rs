//! LogQL over a store of demo-like lines, every answer checked against the lines themselves.

use std::time::Duration;

use lookout_logs::ingest::{Limits, parse_ndjson};
use lookout_logs::query::{Output, Params, QueryError, evaluate};
use lookout_logs::{LogStore, Order};

const T0: i64 = 1_735_074_000_000_000_000; // 2024-12-24T21:00:00Z
const SECOND: i64 = 1_000_000_000;
const N: i64 = 1200;

/// Line `i` of the fixture, as fields: one line a second for 20 minutes over three services.
struct Line {
    ts: i64,
    service: &'static str,
    level: &'static str,
    user: String,
    request: String,
    ms: i64,
    message: String,
}

fn line(i: i64) -> Line {
    let service = ["payment-service", "order-service", "api-gateway"][(i % 3) as usize];
    let error = i % 10 == 0;
    Line {
        ts: T0 + i * SECOND,
        service,
        level: if error { "ERROR" } else { "INFO" },
        user: format!("user-{}", i % 7),
        // Every request crosses all three services: lines 3k, 3k+1, 3k+2 share it.
        request: format!("req-{:04}", i / 3),
        ms: (i * 37) % 2000,
        message: if error { "Connection pool exhausted".into() } else { format!("handled order ord-{i}") },
    }
}

fn store(name: &str, cut_every: usize) -> (LogStore, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("lookout-logql-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (store, _) = LogStore::open(&dir).unwrap();
    let mut body = String::new();
    for i in 0..N {
        let l = line(i);
        body.push_str(&format!(
            r#"{{"timestamp":{},"level":"{}","service":"{}","message":"{}","user_id":"{}","request_id":"{}","processing_time_ms":{},"http":{{"status":{}}}}}"#,
            l.ts, l.level, l.service, l.message, l.user, l.request, l.ms, if l.level == "ERROR" { 503 } else { 200 }
        ));
        body.push('\n');
    }
    let entries = parse_ndjson(body.as_bytes(), None, 0, Limits::default()).entries;
    for chunk in entries.chunks(cut_every) {
        store.append(chunk.to_vec()).unwrap();
        store.cut().unwrap();
    }
    (store, dir)
}

fn params(start: i64, end: i64, step: i64) -> Params {
    Params { start, end, step, limit: 100, direction: Order::Backward, timeout: Duration::from_secs(10) }
}

fn streams(store: &LogStore, query: &str, p: &Params) -> Vec<(String, i64, String)> {
    match evaluate(store, query, p) {
        Ok((Output::Streams(streams), _)) => streams
            .into_iter()
            .flat_map(|s| {
                let labels = s.labels.to_string();
                s.entries.into_iter().map(move |(t, l)| (labels.clone(), t, l))
            })
            .collect(),
        other => panic!("{query}: {other:?}"),
    }
}

fn all_lines() -> Vec<Line> {
    (0..N).map(line).collect()
}

#[test]
fn log_queries_select_filter_format_and_limit() {
    let (store, dir) = store("logs", 500);
    let whole = params(T0, T0 + N * SECOND, 0);

    // Newest first, limited.
    let got = streams(&store, r#"{service="payment-service", level="ERROR"}"#, &whole);
    let mut want: Vec<i64> =
        all_lines().iter().filter(|l| l.service == "payment-service" && l.level == "ERROR").map(|l| l.ts).collect();
    want.reverse();
    assert_eq!(got.iter().map(|g| g.1).collect::<Vec<_>>(), want);
    let mut limited = whole.clone();
    limited.limit = 3;
    let got = streams(&store, r#"{service=~".+"} |= "exhausted""#, &limited);
    let mut times: Vec<i64> = got.iter().map(|g| g.1).collect();
    times.sort_unstable_by(|a, b| b.cmp(a));
    let newest_errors: Vec<i64> =
        all_lines().iter().rev().filter(|l| l.level == "ERROR").take(3).map(|l| l.ts).collect();
    assert_eq!(times, newest_errors);
    limited.direction = Order::Forward;
    let got = streams(&store, r#"{service=~".+"} |= "exhausted""#, &limited);
    let mut times: Vec<i64> = got.iter().map(|g| g.1).collect();
    times.sort_unstable();
    let oldest: Vec<i64> = all_lines().iter().filter(|l| l.level == "ERROR").take(3).map(|l| l.ts).collect();
    assert_eq!(times, oldest);

    // One request across services, by a field that is no stream label.
    let got = streams(&store, r#"{request_id="req-0100"}"#, &whole);
    let mut services: Vec<&str> = got
        .iter()
        .map(|g| ["api-gateway", "order-service", "payment-service"].into_iter().find(|s| g.0.contains(s)).unwrap())
        .collect();
    services.sort_unstable();
    assert_eq!(services, ["api-gateway", "order-service", "payment-service"], "{got:?}");

    // Numeric label filter on a field, line_format, json output labels.
    let mut got = streams(
        &store,
        r#"{service="order-service"} | json | processing_time_ms > 1900 | line_format "{{.user_id}} took {{.processing_time_ms}}ms""#,
        &whole,
    );
    // `| json` makes every line its own stream; compare them newest first across streams.
    got.sort_by_key(|g| std::cmp::Reverse(g.1));
    let want: Vec<String> = all_lines()
        .iter()
        .rev()
        .filter(|l| l.service == "order-service" && l.ms > 1900)
        .map(|l| format!("{} took {}ms", l.user, l.ms))
        .collect();
    assert_eq!(got.iter().map(|g| g.2.clone()).collect::<Vec<_>>(), want);
    assert!(got[0].0.contains("http_status=\"200\""), "json adds nested fields as labels: {}", got[0].0);

    // A duration comparison and a regex line filter.
    let got = streams(&store, r#"{service="api-gateway"} |~ "pool (exhausted|empty)" | http_status >= 500"#, &whole);
    assert_eq!(got.len(), all_lines().iter().filter(|l| l.service == "api-gateway" && l.level == "ERROR").count());
    let _ = std::fs::remove_dir_all(dir);
}

fn matrix(store: &LogStore, query: &str, p: &Params) -> Vec<(String, Vec<(i64, f64)>)> {
    match evaluate(store, query, p) {
        Ok((Output::Matrix(series), _)) => series.into_iter().map(|s| (s.labels.to_string(), s.samples)).collect(),
        other => panic!("{query}: {other:?}"),
    }
}

#[test]
fn metric_queries_count_rate_unwrap_and_aggregate() {
    let (store, dir) = store("metrics", 400);
    let minute = 60 * SECOND;
    // Steps at each minute boundary; every window (t-1m, t] holds lines t-59s … t.
    let p = params(T0 + 5 * minute, T0 + 15 * minute, minute);
    let at = |t_ms: i64| (t_ms * 1_000_000 - T0) / SECOND;

    let got = matrix(&store, r#"sum by (level) (count_over_time({service=~".+"}[1m]))"#, &p);
    assert_eq!(got.len(), 2);
    for (labels, samples) in &got {
        let level = if labels.contains("ERROR") { "ERROR" } else { "INFO" };
        assert_eq!(samples.len(), 11);
        for &(t, v) in samples {
            let last = at(t);
            let want = (last - 59..=last).filter(|&i| line(i).level == level).count() as f64;
            assert_eq!(v, want, "{labels} at {t}");
        }
    }

    let got = matrix(&store, r#"rate({service="payment-service"} |= "exhausted" [1m])"#, &p);
    assert_eq!(got.len(), 1);
    for &(t, v) in &got[0].1 {
        let last = at(t);
        let n =
            (last - 59..=last).filter(|&i| line(i).service == "payment-service" && line(i).level == "ERROR").count();
        assert!((v - n as f64 / 60.0).abs() < 1e-12);
    }

    let got = matrix(
        &store,
        r#"max by (service) (quantile_over_time(0.5, {service=~".+"} | unwrap processing_time_ms [1m]) by (service))"#,
        &p,
    );
    assert_eq!(got.len(), 3);
    for (labels, samples) in &got {
        for &(t, v) in samples {
            let last = at(t);
            let mut values: Vec<f64> =
                (last - 59..=last).map(line).filter(|l| labels.contains(l.service)).map(|l| l.ms as f64).collect();
            values.sort_by(f64::total_cmp);
            let rank = 0.5 * (values.len() - 1) as f64;
            let want =
                values[rank.floor() as usize] * (1.0 - rank.fract()) + values[rank.ceil() as usize] * rank.fract();
            assert!((v - want).abs() < 1e-9, "{labels} at {t}: {v} vs {want}");
        }
    }

    // Binary operators go through the PromQL engine: the error ratio per service.
    let got = matrix(
        &store,
        r#"sum by (service) (count_over_time({level="ERROR"}[5m])) / sum by (service) (count_over_time({service=~".+"}[5m]))"#,
        &p,
    );
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|(_, s)| s.iter().all(|&(_, v)| (v - 0.1).abs() < 0.02)), "{got:?}");

    // Instant: topk of users by lines over the whole range.
    let instant = params(T0, T0 + (N - 1) * SECOND, 0);
    match evaluate(&store, r#"topk(2, sum by (user_id) (count_over_time({service=~".+"}[20m])))"#, &instant) {
        Ok((Output::Vector(v), stats)) => {
            assert_eq!(v.len(), 2);
            let mut counts = [0; 7];
            (0..N).for_each(|i| counts[(i % 7) as usize] += 1);
            let best = *counts.iter().max().unwrap() as f64;
            assert_eq!(v[0].1, best);
            assert_eq!(stats.lines, N as u64);
        }
        other => panic!("{other:?}"),
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_queries_are_bad_data_with_a_position() {
    let (store, dir) = store("bad", 1200);
    let p = params(T0, T0 + SECOND, 0);
    let err = evaluate(&store, r#"{service="payment"} |= "x" | json | "#, &p).unwrap_err();
    match err {
        QueryError::BadData(message) => assert!(message.starts_with("parse error at line 1, col "), "{message}"),
        other => panic!("{other:?}"),
    }
    let err = evaluate(&store, r#"{service=~".*"}"#, &p).unwrap_err();
    assert!(matches!(err, QueryError::BadData(ref m) if m.contains("empty-compatible")), "{err:?}");
    let too_fine = params(T0, T0 + 100_000 * SECOND, SECOND);
    assert!(matches!(
        evaluate(&store, r#"count_over_time({service="a"}[1m])"#, &too_fine),
        Err(QueryError::BadData(_))
    ));
    let _ = std::fs::remove_dir_all(dir);
}
