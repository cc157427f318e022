//! The state every handler shares: storage handles, telemetry and readiness.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use lookout_logs::LogStore;
use lookout_tsdb::Db;

use crate::alerting::Alerting;
use crate::auth::Auth;
use crate::dashboards::Dashboards;
use crate::links::Links;
use crate::logs::Logs;
use crate::metrics::Metrics;
use crate::reload::Reloader;
use crate::rules::Rules;
use crate::scrape::ScrapeStatus;
use crate::telemetry::SelfMetrics;

/// Cheap to clone; every field is shared.
#[derive(Clone)]
pub struct AppState {
    pub metrics: Metrics,
    pub logs: Logs,
    pub telemetry: Arc<SelfMetrics>,
    ready: Arc<AtomicBool>,
    pub started_at_ms: i64,
    pub demo: bool,
    /// Scrape targets and their health; empty until scraping starts.
    pub scrape: ScrapeStatus,
    /// The rule engine, once started.
    pub rules: Option<Rules>,
    /// Lookout's own notifier, once started.
    pub alerting: Option<Alerting>,
    /// Re-reads the configuration (SIGHUP, `POST /-/reload`), once everything is started.
    pub reloader: Option<Arc<Reloader>>,
    /// Short links, once the data directory is open.
    pub links: Option<Arc<Links>>,
    /// Dashboards, once the data directory is open.
    pub dashboards: Option<Arc<Dashboards>>,
    /// Sign-in: off until [`crate::run`] turns it on.
    pub auth: Auth,
    /// Named data sources besides Lookout's own store.
    pub sources: Arc<crate::sources::DataSources>,
    /// Annotations, once the data directory is open.
    pub annotations: Option<Arc<crate::annotations::Annotations>>,
    /// The cards pinned to the Overview.
    pub overview_cards: Arc<Vec<crate::overview::Card>>,
    /// The last Overview, shared by the pages polling it.
    pub overview_cache: Arc<crate::overview::Cache>,
}

impl AppState {
    pub fn new(db: Arc<Db>, log_store: Arc<LogStore>, started_at_ms: i64, demo: bool) -> Self {
        AppState {
            metrics: Metrics::new(db),
            logs: Logs::new(log_store),
            telemetry: Arc::new(SelfMetrics::new(env!("CARGO_PKG_VERSION"), started_at_ms as f64 / 1000.0)),
            ready: Arc::new(AtomicBool::new(false)),
            started_at_ms,
            demo,
            scrape: ScrapeStatus::default(),
            rules: None,
            alerting: None,
            reloader: None,
            links: None,
            dashboards: None,
            auth: Auth::off(),
            sources: Arc::default(),
            annotations: None,
            overview_cards: Arc::default(),
            overview_cache: Arc::default(),
        }
    }

    /// Marks storage as open: `/-/ready` answers 200 from now on.
    pub fn set_ready(&self) {
        self.ready.store(true, Ordering::Release);
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }
}
