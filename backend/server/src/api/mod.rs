//! The HTTP surface: one router per concern, merged by [`crate::app`].

mod alertmanager;
mod alerts;
mod dashboards;
mod demo;
mod error;
mod health;
mod ingest;
mod links;
mod live;
mod loki;
mod lookout;
mod params;
mod prometheus;
mod rules;

pub use alertmanager::router as alertmanager_router;
pub use alerts::router as alerts_router;
pub use dashboards::router as dashboards_router;
pub use demo::router as demo_router;
pub use error::ApiError;
pub use health::router as health_router;
pub use ingest::router as ingest_router;
pub use links::router as links_router;
pub use live::router as live_router;
pub use loki::router as loki_router;
pub use lookout::router as lookout_router;
pub use prometheus::router as prometheus_router;
pub use rules::router as rules_router;
