//! Logs (`/logs`): searching and tailing logs. Log storage and search are not part of this build
//! yet; the Overview already lists the newest errors.

use leptos::prelude::*;

use super::not_ready::NotReady;

#[component]
pub fn LogsPage() -> impl IntoView {
    view! { <NotReady title="Logs" what="LogQL search, live tail and following one request across services" /> }
}
