//! The banner that says whether the figures on screen are live, late or stale.

use leptos::prelude::*;

use super::clock_time;
use super::poll::{Conn, Poll};

/// A request taking longer than this is reported as slow.
const SLOW_MS: f64 = 3_000.0;

#[component]
pub fn ConnectionBanner<T: Send + Sync + 'static>(poll: Poll<T>, every_seconds: u32) -> impl IntoView {
    let state = move || {
        let now = poll.now.get();
        let waited = poll.in_flight_since.get().map(|since| now - since).filter(|w| *w > SLOW_MS);
        match (poll.conn.get(), waited) {
            (Conn::Failing { error, last_ok, .. }, _) => {
                let stale = match last_ok {
                    Some(at) => format!(" The figures below are from {}.", clock_time(at)),
                    None => String::new(),
                };
                ("down", format!("{error}. Retrying every {every_seconds} s.{stale}"))
            }
            (_, Some(waited)) => {
                ("slow", format!("The server is slow: no answer for {} s. Still waiting…", (waited / 1000.0).floor()))
            }
            (Conn::Connecting, None) => ("connecting", "Connecting to the server…".to_string()),
            (Conn::Live { at }, None) => {
                let ago = ((now - at) / 1000.0).max(0.0).floor();
                ("live", format!("Live · updated {ago} s ago"))
            }
        }
    };
    view! {
        <div class=move || format!("connection connection-{}", state().0) role="status" data-testid="connection">
            {move || state().1}
        </div>
    }
}
