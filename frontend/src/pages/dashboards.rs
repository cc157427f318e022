//! Dashboards (`/dashboards`): saved dashboards are not part of this build yet.

use leptos::prelude::*;

use super::not_ready::NotReady;

#[component]
pub fn DashboardsPage() -> impl IntoView {
    view! { <NotReady title="Dashboards" what="saved dashboards of metric and log panels, with share links" /> }
}
