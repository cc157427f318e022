//! What the Overview and an alert's investigation cost on a large store: 100,000 active series
//! over the 75 minutes they read (a pool pinned at its limit and an error burst among them) and
//! a day of logs, written into a store in DIR; then each computed 7 times in process.

use std::sync::Arc;
use std::time::Instant;

use lookout_logs::{Entry, LogStore};
use lookout_server::{investigation, overview};
use lookout_tsdb::{Db, Labels, Limits};
use lookout_types::alerts::AlertView;

const SERIES: usize = 100_000;
const STEP_MS: i64 = 15_000;
const WINDOW_MS: i64 = 75 * 60_000;
const LOG_LINES: usize = 1_000_000;
const DAY_MS: i64 = 86_400_000;
const RUNS: usize = 7;

fn labels(i: usize) -> Labels {
    let metric = i % 200;
    let name =
        if metric.is_multiple_of(2) { format!("app_requests_{metric}_total") } else { format!("app_gauge_{metric}") };
    Labels::from_pairs([
        ("__name__", name),
        ("job", format!("service-{}", i % 20)),
        ("instance", format!("host-{}:9100", i % 50)),
        ("id", i.to_string()),
    ])
}

/// Series `i` at step `k`: counters rise with noise, gauges wander; the last quarter of the
/// window holds the incident (a pool pinned at 20 of 20, a burst of 5xx).
fn value(i: usize, k: i64, steps: i64) -> f64 {
    let noise = ((i as i64 * 7919 + k * 104_729) % 13) as f64;
    if (i % 200).is_multiple_of(2) {
        (k * (i as i64 % 7 + 1)) as f64 * 15.0 + noise
    } else {
        50.0 + noise + (k * 3 % 11) as f64 + if k > steps * 3 / 4 { 0.0 } else { 1.0 }
    }
}

pub fn run(dir: &str) {
    let dir = std::path::Path::new(dir);
    let _ = std::fs::remove_dir_all(dir);
    let now = lookout_server::timefmt::now_ms();
    let start = now - WINDOW_MS;
    let steps = WINDOW_MS / STEP_MS;

    let (db, _) = Db::open(&dir.join("metrics"), Limits::default()).expect("open the store");
    let db = Arc::new(db);
    let all: Vec<Labels> = (0..SERIES).map(labels).collect();
    let pool = Labels::from_pairs([
        ("__name__", "db_client_connections_usage"),
        ("pool_name", "orders-db"),
        ("state", "used"),
        ("job", "checkout"),
    ]);
    let pool_max = Labels::from_pairs([
        ("__name__", "db_client_connections_max"),
        ("pool_name", "orders-db"),
        ("job", "checkout"),
    ]);
    let ok = Labels::from_pairs([("__name__", "http_requests_total"), ("code", "200"), ("job", "checkout")]);
    let failed = Labels::from_pairs([("__name__", "http_requests_total"), ("code", "500"), ("job", "checkout")]);
    let started = Instant::now();
    let (mut ok_total, mut failed_total) = (0.0, 0.0);
    for k in 0..=steps {
        let t = start + k * STEP_MS;
        let incident = k > steps * 3 / 4;
        let mut batch: Vec<(Labels, i64, f64)> =
            all.iter().enumerate().map(|(i, l)| (l.clone(), t, value(i, k, steps))).collect();
        ok_total += 300.0;
        failed_total += if incident { 150.0 } else { 1.0 };
        batch.push((pool.clone(), t, if incident { 20.0 } else { 4.0 + (k % 5) as f64 }));
        batch.push((pool_max.clone(), t, 20.0));
        batch.push((ok.clone(), t, ok_total));
        batch.push((failed.clone(), t, failed_total));
        db.append(&batch).expect("append");
    }
    println!(
        "insight: wrote {} series × {} samples in {:.1} s",
        SERIES + 4,
        steps + 1,
        started.elapsed().as_secs_f64()
    );

    let (logs, _) = LogStore::open(&dir.join("logs")).expect("open the log store");
    let started = Instant::now();
    let mut entries = Vec::with_capacity(10_000);
    for n in 0..LOG_LINES {
        let t = now - DAY_MS + (n as i64 * DAY_MS / LOG_LINES as i64);
        let service = format!("service-{}", n % 20);
        let (level, message) = match n % 40 {
            0 => ("ERROR", format!("upstream {} timed out after {} ms", n % 7, 1000 + n % 500)),
            1 => ("WARNING", format!("retrying request {n} attempt {}", n % 3)),
            _ => ("INFO", format!("served {} in {} ms", ["GET /", "POST /pay", "GET /cart"][n % 3], n % 97)),
        };
        let (level, message) = if t > now - WINDOW_MS / 4 && n % 10 == 3 && n % 20 == 3 {
            ("ERROR", format!("couldn't get a connection after 2.{:02} sec", n % 100))
        } else {
            (level, message)
        };
        let line = format!(r#"{{"level":"{level}","service":"{service}","message":"{message}","request_id":"r{n}"}}"#);
        entries.push(Entry {
            ts: t * 1_000_000,
            stream: Labels::from_pairs([("service", service.as_str()), ("level", level)]),
            line,
        });
        if entries.len() == 10_000 {
            logs.append(std::mem::take(&mut entries)).expect("append lines");
        }
    }
    logs.append(entries).expect("append lines");
    println!("insight: wrote {LOG_LINES} log lines over 24 h in {:.1} s", started.elapsed().as_secs_f64());

    let time = |name: &str, f: &dyn Fn() -> usize| {
        let mut took: Vec<f64> = (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                let found = f();
                std::hint::black_box(found);
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        took.sort_by(f64::total_cmp);
        println!(
            "insight: {name} over {} series and a day of logs: median {:.1} ms, min {:.1}, max {:.1} ({RUNS} runs, {} findings)",
            SERIES + 4,
            took[RUNS / 2],
            took[0],
            took[RUNS - 1],
            f()
        );
    };
    // Where the Overview's time goes.
    let now_series = overview::recent_series(&db, now);
    time("  its read of every series' 75 minutes", &|| overview::recent_series(&db, now).len());
    time("  its saturation", &|| lookout_insight::saturation::find(&now_series, now).len());
    let window = lookout_insight::changes::Window::of(&now_series, now - WINDOW_MS, now, 15 * 60_000);
    time("  its changes", &|| lookout_insight::changes::find(&now_series, window, 8).len());
    time("  its services", &|| overview::services::compute(&db, &logs, &now_series, now).len());
    time("  its log patterns", &|| lookout_server::logs::patterns::problems(&logs, now, 15 * 60_000, 10).len());
    time("overview", &|| {
        let o = overview::compute(&db, &logs, &[], now);
        o.at_capacity.len() + o.changes.len() + o.patterns.len() + o.services.len()
    });
    let alert = AlertView {
        fingerprint: "bench".into(),
        labels: Default::default(),
        annotations: Default::default(),
        state: lookout_types::alerts::AlertState::Firing,
        starts_at: now - WINDOW_MS / 4 + 60_000,
        ends_at: None,
        generator_url:
            "http://lookout/graph?g0.expr=sum%28rate%28http_requests_total%7Bcode%3D%22500%22%7D%5B1m%5D%29%29".into(),
        receivers: vec![],
        silenced_by: vec![],
        inhibited_by: vec![],
        acknowledged: None,
        history: vec![],
    };
    time("investigation", &|| investigation::investigate(&db, &logs, None, &alert, now).causes.len());
}
