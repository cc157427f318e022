//! End-to-end tests of the real `lookout` binary, in one test binary (one link, shared helpers).

mod agreement;
mod browser;
mod crash;
mod logs;
mod scrape;
mod server;
