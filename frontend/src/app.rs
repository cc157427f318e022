//! The application shell: the navigation bar and the routes, one page per route.

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::pages::{
    AlertsPage, DashboardPage, DashboardsPage, ExplorePage, GraphLinkPage, LogsPage, NotFoundPage, OverviewPage,
};
use crate::theme::ThemeToggle;

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <header class="topbar">
                <A href="/" attr:class="brand">"Lookout"</A>
                <nav class="nav" aria-label="Main">
                    <A href="/" exact=true>"Overview"</A>
                    <A href="/explore">"Explore"</A>
                    <A href="/logs">"Logs"</A>
                    <A href="/alerts">"Alerts"</A>
                    <A href="/dashboards">"Dashboards"</A>
                </nav>
                <ThemeToggle />
            </header>
            <main class="content">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=OverviewPage />
                    <Route path=path!("/explore") view=ExplorePage />
                    <Route path=path!("/graph") view=GraphLinkPage />
                    <Route path=path!("/logs") view=LogsPage />
                    <Route path=path!("/alerts") view=AlertsPage />
                    <Route path=path!("/dashboards") view=DashboardsPage />
                    <Route path=path!("/d/:uid") view=DashboardPage />
                </Routes>
            </main>
        </Router>
    }
}
