//! Dashboards (`/dashboards`): every dashboard the server keeps (saved or provisioned), by title,
//! each opening at `/d/<uid>`.

use leptos::prelude::*;
use lookout_types::grafana::DashboardHit;

use super::dashboard_edit::{ImportDashboard, NewDashboard};
use crate::api;

#[component]
pub fn DashboardsPage() -> impl IntoView {
    let hits = LocalResource::new(api::dashboards);
    view! {
        <div class="page" data-testid="dashboards-page">
            <h1>"Dashboards"</h1>
            <NewDashboard />
            <ImportDashboard />
            {move || match hits.get() {
                None => view! { <p class="loading">"Loading the dashboards…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error">{e.brief()}</p> }.into_any(),
                Some(Ok(hits)) if hits.is_empty() => view! {
                    <p class="empty">"No dashboard yet. Create one above, save one through Grafana's API (POST /api/dashboards/db), or provision files with `dashboards:` in the config."</p>
                }
                .into_any(),
                Some(Ok(hits)) => view! { <ul class="dashboard-list" data-testid="dashboard-list">{hits.into_iter().map(row).collect_view()}</ul> }.into_any(),
            }}
        </div>
    }
}

fn row(hit: DashboardHit) -> impl IntoView {
    let tags = hit.tags.join(", ");
    view! {
        <li>
            <a href=format!("/d/{}", hit.uid)>{hit.title}</a>
            " "
            <span class="share-note">{tags}</span>
        </li>
    }
}
