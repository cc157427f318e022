//! The built-in demo: the Christmas-Eve payment outage, simulated, so a fresh Lookout has a story
//! to show. It runs as a background task that advances the [`sim::Simulation`] every second and
//! delivers its metrics and logs.
//!
//! Delivery goes through [`sink`], over HTTP to the public endpoints: metrics every
//! `SCRAPE_INTERVAL` by remote_write, log lines every second as NDJSON.

pub mod alerting;
pub mod client;
pub mod inbox;
pub mod logs;
mod rng;
pub mod schedule;
pub mod sim;
mod sink;

use std::time::Duration;

use tokio::sync::watch;

use crate::config::DemoConfig;
use crate::state::AppState;
use crate::timefmt::now_ms;

const STEP: Duration = Duration::from_secs(1);
const SCRAPE_INTERVAL_MS: i64 = 5_000;

/// The demo's rule file (`rules.yml`), as (name, text): loaded with the configured rule files
/// whenever the demo runs, so its incidents fire alerts.
pub fn rules() -> (String, String) {
    ("<demo>/rules.yml".to_string(), include_str!("rules.yml").to_string())
}

/// The demo's Overview cards (`overview.yml`), handed to startup like a config's `overview:`.
pub fn overview_cards() -> Vec<crate::overview::Card> {
    let raw = serde_norway::from_str(include_str!("overview.yml")).expect("the demo's overview.yml is YAML");
    crate::overview::cards::validate(&raw).expect("the demo's overview cards are valid")
}

/// Runs the demo until `shutdown` turns true.
pub async fn run(state: AppState, target: client::Target, config: DemoConfig, mut shutdown: watch::Receiver<bool>) {
    let start = now_ms();
    let mut simulation = sim::Simulation::new(start as u64, schedule::Schedule::new(&config), start);
    let mut ticker = tokio::time::interval(STEP);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_scrape: Option<i64> = None;
    tracing::info!(
        first_incident_in = ?config.first_incident_after,
        every = ?config.incident_every,
        "demo started: simulating the payment platform"
    );
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = shutdown.changed() => break,
        }
        let now = now_ms();
        let records = simulation.step(now);
        sink::write_logs(&state, &target, &records).await;
        if last_scrape.is_none_or(|last| now - last >= SCRAPE_INTERVAL_MS) {
            last_scrape = Some(now);
            sink::write_metrics(&state, &target, &simulation.instances, now).await;
        }
    }
}
