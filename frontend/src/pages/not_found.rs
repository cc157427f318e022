//! The page for routes that do not exist.

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <div class="page">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address. " <A href="/">"Go to the Overview"</A></p>
        </div>
    }
}
