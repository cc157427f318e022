//! Explore (`/explore`): ad-hoc metric queries. The query engine is not part of this build yet,
//! so the page says so plainly instead of showing an empty editor.

use leptos::prelude::*;

use super::not_ready::NotReady;

#[component]
pub fn ExplorePage() -> impl IntoView {
    view! { <NotReady title="Explore" what="PromQL queries over stored metrics, drawn as live charts" /> }
}
