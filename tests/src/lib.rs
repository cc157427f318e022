//! The end-to-end test harness: starts the real `lookout` binary on a free loopback port with a
//! fresh data directory, talks HTTP to it, and drives headless Chromium through chromedriver
//! (WebDriver) against the real WASM bundle. Every process it starts is killed when dropped.

mod browser;
mod http;
pub mod outside;
mod server;

pub use browser::Browser;
pub use http::{HttpResponse, http_delete, http_get, http_get_with, http_post, url_encode};
pub use server::{Lookout, TempDir, binary as server_binary};

use std::future::Future;
use std::time::{Duration, Instant};

/// Polls `check` until it returns `Some`, or panics after `timeout` with `what` and the last state.
pub async fn eventually<T, F, Fut>(timeout: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(last) if Instant::now() >= deadline => {
                panic!("timed out after {timeout:?} waiting for {what}; last: {last}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// Waits until every counter has reached `at_least`: a crash test pulls the plug once each
/// writer is well under way, so the kill lands mid-stream however fast the machine is.
pub async fn wait_all_reach(counters: &[std::sync::atomic::AtomicUsize], at_least: usize) {
    eventually(Duration::from_secs(60), "every writer to be under way", || async {
        let now: Vec<usize> = counters.iter().map(|c| c.load(std::sync::atomic::Ordering::SeqCst)).collect();
        if now.iter().all(|&n| n >= at_least) { Ok(()) } else { Err(format!("{now:?}")) }
    })
    .await
}

/// A free TCP port on 127.0.0.1 (bound and released; fine for tests on one machine).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}
