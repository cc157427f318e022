//! `/graph?g0.expr=…`: links to Prometheus's expression browser (the generator URL every alert
//! carries, links in runbooks) opened in Explore with the same expression.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;

use crate::url::{use_query_param, with_query};

#[component]
pub fn GraphLinkPage() -> impl IntoView {
    let expr = use_query_param("g0.expr", "");
    let range = use_query_param("g0.range_input", "1h");
    let navigate = use_navigate();
    Effect::new(move |_| {
        let from = format!("now-{}", range.get());
        let href = with_query("/explore", &[("query", &expr.get()), ("from", &from), ("to", "now")]);
        navigate(&href, NavigateOptions { replace: true, ..NavigateOptions::default() });
    });
    view! { <p class="loading">"Opening the expression in Explore…"</p> }
}
