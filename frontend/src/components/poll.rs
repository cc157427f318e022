//! Polling an endpoint while a page is open: the newest data, the connection's state and a
//! ticking clock, all as signals. The loop stops when the page is left.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use leptos::prelude::*;

use crate::api::FetchError;

/// What the page knows about its link to the server.
#[derive(Debug, Clone, PartialEq)]
pub enum Conn {
    /// No answer yet.
    Connecting,
    /// The last request succeeded at this time (ms).
    Live { at: f64 },
    /// Requests fail since `since` (ms); `last_ok` is when data last arrived, if ever.
    Failing { error: String, since: f64, last_ok: Option<f64> },
}

/// The signals a polling page renders from. Signals are handles, so this is `Copy` whatever `T` is.
pub struct Poll<T: Send + Sync + 'static> {
    pub data: RwSignal<Option<T>>,
    pub conn: RwSignal<Conn>,
    /// When the request now under way started (ms), if one is.
    pub in_flight_since: RwSignal<Option<f64>>,
    /// The current time (ms), updated every second so "n seconds ago" texts move.
    pub now: RwSignal<f64>,
}

impl<T: Send + Sync + 'static> Clone for Poll<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Poll<T> {}

/// Starts polling `fetch` every `every` while the calling component lives.
pub fn use_poll<T, F, Fut>(every: Duration, fetch: F) -> Poll<T>
where
    T: Send + Sync + 'static,
    F: Fn() -> Fut + 'static,
    Fut: Future<Output = Result<T, FetchError>> + 'static,
{
    let poll = Poll {
        data: RwSignal::new(None),
        conn: RwSignal::new(Conn::Connecting),
        in_flight_since: RwSignal::new(None),
        now: RwSignal::new(js_sys::Date::now()),
    };
    let alive = Arc::new(AtomicBool::new(true));
    let clock = set_interval_with_handle(
        move || {
            poll.now.try_set(js_sys::Date::now());
        },
        Duration::from_secs(1),
    )
    .ok();
    on_cleanup({
        let alive = alive.clone();
        move || {
            alive.store(false, Ordering::Relaxed);
            if let Some(clock) = clock {
                clock.clear();
            }
        }
    });
    leptos::task::spawn_local(async move {
        while alive.load(Ordering::Relaxed) {
            poll.in_flight_since.try_set(Some(js_sys::Date::now()));
            let result = fetch().await;
            if !alive.load(Ordering::Relaxed) {
                break;
            }
            poll.in_flight_since.try_set(None);
            let now = js_sys::Date::now();
            match result {
                Ok(value) => {
                    poll.data.try_set(Some(value));
                    poll.conn.try_set(Conn::Live { at: now });
                }
                Err(err) => {
                    poll.conn.try_update(|conn| {
                        let (since, last_ok) = match conn {
                            Conn::Connecting => (now, None),
                            Conn::Live { at } => (now, Some(*at)),
                            Conn::Failing { since, last_ok, .. } => (*since, *last_ok),
                        };
                        *conn = Conn::Failing { error: err.to_string(), since, last_ok };
                    });
                }
            }
            gloo_timers::future::sleep(every).await;
        }
    });
    poll
}
