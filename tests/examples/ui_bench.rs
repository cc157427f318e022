//! The browser benchmark (`BENCH=ui make bench`): the real binary (`LOOKOUT_BIN`) and the real
//! WASM bundle in headless Chromium. It measures how long one chart takes to draw 100,000 points
//! (ten series of 10,000, as the chart reports on its canvas), and how long a 12-panel dashboard
//! takes from navigation until every panel shows its data; each five times, printing the median.

use fantoccini::Locator;
use lookout_e2e::{Browser, Lookout, http_post};
use lookout_server::ingest::remote_write::encode;
use lookout_tsdb::Labels;
use serde_json::{Value, json};

const SERIES: i64 = 10;
const POINTS: i64 = 10_000;
const RUNS: usize = 5;

#[tokio::main]
async fn main() {
    let lookout = Lookout::start(&["--no-demo"]).await;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let now = now / 1000 * 1000;
    for i in 0..SERIES {
        let labels = Labels::from_pairs([("__name__", "bench_points".to_string()), ("i", i.to_string())]);
        // A wave with a spike in each series, so thinning has something to lose.
        let samples: Vec<(i64, f64)> = (0..POINTS)
            .map(|k| {
                let spike = if k == 1234 * (i + 1) % POINTS { 500.0 } else { 0.0 };
                (now - (POINTS - 1 - k) * 1000, (k as f64 / 300.0 + i as f64).sin() * 100.0 + spike)
            })
            .collect();
        let body = encode(&[(labels, samples)], &[]);
        let headers = [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "snappy")];
        let r = http_post(&format!("{}/api/v1/write", lookout.url), &headers, &body).await.unwrap();
        assert_eq!(r.status, 204, "{}", r.body);
    }
    let panel = |id: usize, kind: &str, expr: &str, extra: Value| {
        let mut p = json!({"id": id, "type": kind, "title": format!("Panel {id}"), "targets": [{"expr": expr}],
            "gridPos": {"x": (id - 1) % 4 * 6, "y": (id - 1) / 4 * 8, "w": 6, "h": 8}});
        p.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
        p
    };
    let points = json!({"dashboard": {"uid": "bench-points", "title": "Points",
        "panels": [panel(1, "timeseries", "bench_points", json!({"maxDataPoints": POINTS, "gridPos": {"x": 0, "y": 0, "w": 24, "h": 12}}))]}});
    let queries = [
        "bench_points",
        "sum(bench_points)",
        "max by (i) (bench_points)",
        "rate(bench_points[5m])",
        "avg_over_time(bench_points[10m])",
        "bench_points * 2",
        "deriv(bench_points[5m])",
        "abs(bench_points)",
    ];
    let mut twelve: Vec<Value> =
        queries.iter().enumerate().map(|(n, q)| panel(n + 1, "timeseries", q, json!({}))).collect();
    for (n, q) in
        ["count(bench_points)", "max(bench_points)", "min(bench_points)", "sum(bench_points)"].iter().enumerate()
    {
        twelve.push(panel(9 + n, "stat", q, json!({})));
    }
    let twelve = json!({"dashboard": {"uid": "bench-twelve", "title": "Twelve", "panels": twelve}});
    for board in [points, twelve] {
        let r = http_post(
            &format!("{}/api/dashboards/db", lookout.url),
            &[("Content-Type", "application/json")],
            board.to_string().as_bytes(),
        )
        .await
        .unwrap();
        assert_eq!(r.status, 200, "{}", r.body);
    }

    let browser = Browser::start().await;
    let c = &browser.client;
    // Checked every animation frame in the page itself; answers with the time since navigation.
    let drawn = "const done = arguments[arguments.length - 1];
        const check = () => document.querySelector('canvas[data-draw-ms]') ? done(performance.now()) : requestAnimationFrame(check);
        check();";
    let (mut draws, mut shown_after) = (Vec::new(), Vec::new());
    let mut drawn_points = 0;
    for _ in 0..RUNS {
        c.goto(&format!("{}/d/bench-points?from={}&to={}", lookout.url, now - POINTS * 1000, now)).await.unwrap();
        shown_after.push(c.execute_async(drawn, vec![]).await.unwrap().as_f64().unwrap_or(f64::NAN));
        let canvas = c.find(Locator::Css("canvas[data-draw-ms]")).await.unwrap();
        drawn_points = canvas.attr("data-points").await.unwrap().unwrap_or_default().parse::<usize>().unwrap_or(0);
        draws.push(canvas.attr("data-draw-ms").await.unwrap().unwrap_or_default().parse::<f64>().unwrap_or(f64::NAN));
    }
    println!(
        "ui: chart of {drawn_points} points: drawn in median {:.1} ms ({}); on screen after navigation, fetch included: median {:.0} ms ({})",
        median(&mut draws),
        shown(&draws),
        median(&mut shown_after),
        shown(&shown_after)
    );

    let ready = "const done = arguments[arguments.length - 1];
        const complete = () => {
            const panels = document.querySelectorAll('[data-testid=dash-panel]');
            if (panels.length !== 12) return false;
            for (const p of panels) {
                if (!p.querySelector('canvas[data-draw-ms]') && !p.querySelector('[data-testid=stat-value]')) return false;
            }
            return true;
        };
        const check = () => complete() ? done(performance.now()) : requestAnimationFrame(check);
        check();";
    let mut loads = Vec::new();
    for _ in 0..RUNS {
        c.goto(&format!("{}/d/bench-twelve?from=now-3h&to=now", lookout.url)).await.unwrap();
        let at = c.execute_async(ready, vec![]).await.unwrap();
        loads.push(at.as_f64().unwrap_or(f64::NAN));
    }
    let first = loads[0];
    println!(
        "ui: 12-panel dashboard complete after navigation: median {:.0} ms, first (cold) load {first:.0} ms ({})",
        median(&mut loads),
        shown(&loads)
    );
    browser.close().await;
}

fn median(values: &mut [f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

fn shown(values: &[f64]) -> String {
    values.iter().map(|v| format!("{v:.0}")).collect::<Vec<_>>().join(", ")
}
