//! End-to-end tests of the real `lookout` binary, in one test binary (one link, shared helpers).

mod agreement;
mod alerting;
mod auth;
mod backend;
mod browser;
mod browser_logs;
mod crash;
mod dashboards;
mod insight;
mod logs;
mod rules;
mod scrape;
mod server;
mod tls;
