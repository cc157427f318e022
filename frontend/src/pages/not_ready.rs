//! The honest state of a page whose server side is not in this build yet.

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotReady(title: &'static str, what: &'static str) -> impl IntoView {
    view! {
        <div class="page">
            <h1>{title}</h1>
            <div class="notice">
                <p>{format!("This build of Lookout does not have {what} yet.")}</p>
                <p>"The " <A href="/">"Overview"</A> " shows the live payment figures."</p>
            </div>
        </div>
    }
}
