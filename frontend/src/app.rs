//! The application shell: the navigation bar and the routes, one page per route; the sign-in
//! form instead while sign-in is needed.

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::pages::{
    AccountPage, AlertPage, AlertsPage, DashboardPage, DashboardsPage, ExplorePage, GraphLinkPage, LoginPage, LogsPage,
    NotFoundPage, OverviewPage, UserMenu,
};
use crate::session;
use crate::theme::ThemeToggle;

#[component]
pub fn App() -> impl IntoView {
    session::load();
    let me = session::me();
    let known = Memo::new(move |_| me.with(Option::is_some));
    let needs_sign_in =
        Memo::new(move |_| me.with(|me| me.as_ref().is_some_and(|me| me.auth_enabled && me.user.is_none())));
    view! {
        <Router>
            <Show when=move || known.get() fallback=|| view! { <p class="loading">"Loading…"</p> }>
                <Show when=move || !needs_sign_in.get() fallback=LoginPage>
                    <Shell />
                </Show>
            </Show>
        </Router>
    }
}

#[component]
fn Shell() -> impl IntoView {
    view! {
            <header class="topbar">
                <A href="/" attr:class="brand">"Lookout"</A>
                <nav class="nav" aria-label="Main">
                    <A href="/" exact=true>"Overview"</A>
                    <A href="/explore">"Explore"</A>
                    <A href="/logs">"Logs"</A>
                    <A href="/alerts">"Alerts"</A>
                    <A href="/dashboards">"Dashboards"</A>
                </nav>
                <UserMenu />
                <ThemeToggle />
            </header>
            <main class="content">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=OverviewPage />
                    <Route path=path!("/explore") view=ExplorePage />
                    <Route path=path!("/graph") view=GraphLinkPage />
                    <Route path=path!("/logs") view=LogsPage />
                    <Route path=path!("/alerts") view=AlertsPage />
                    <Route path=path!("/alerts/:fingerprint") view=AlertPage />
                    <Route path=path!("/dashboards") view=DashboardsPage />
                    <Route path=path!("/d/:uid") view=DashboardPage />
                    <Route path=path!("/account") view=AccountPage />
                </Routes>
            </main>
    }
}
