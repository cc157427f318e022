//! Alerts (`/alerts`): rule evaluation and notifications are not part of this build yet.

use leptos::prelude::*;

use super::not_ready::NotReady;

#[component]
pub fn AlertsPage() -> impl IntoView {
    view! { <NotReady title="Alerts" what="firing alerts, acknowledgements, silences and the notification log" /> }
}
