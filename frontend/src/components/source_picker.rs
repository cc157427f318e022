//! The data source picker of Explore (Prometheus sources) and Logs (Loki sources): shown when
//! there is more than Lookout's own store to pick; the choice lives in the URL's `ds`.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;

use crate::api;
use crate::url::{use_query_param, with_param};

/// The `ds` of the current URL: the source to ask, empty for Lookout's own store.
pub fn use_source() -> Memo<String> {
    use_query_param("ds", "")
}

/// A select of the sources of type `kind` (`prometheus` or `loki`), Lookout's own first.
#[component]
pub fn SourcePicker(kind: &'static str) -> impl IntoView {
    let sources = LocalResource::new(api::datasources);
    let ds = use_source();
    let navigate = use_navigate();
    move || {
        let of_kind: Vec<_> =
            sources.get().and_then(Result::ok).unwrap_or_default().into_iter().filter(|s| s.kind == kind).collect();
        let navigate = navigate.clone();
        (of_kind.len() > 1).then(move || {
            view! {
                <label class="refresh">
                    "Source "
                    <select data-testid="datasource" on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        let own = of_kind_is_own(&chosen);
                        navigate(&with_param("ds", (!own).then_some(chosen.as_str())), NavigateOptions::default());
                    }>
                        {of_kind
                            .into_iter()
                            .map(|s| {
                                let uid = s.uid.clone();
                                let selected = move || {
                                    let current = ds.get();
                                    if current.is_empty() { of_kind_is_own(&uid) } else { current == uid }
                                };
                                view! { <option value=s.uid.clone() selected=selected>{s.name}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
            }
        })
    }
}

/// Whether `uid` is one of Lookout's own sources (which the URL leaves out).
fn of_kind_is_own(uid: &str) -> bool {
    uid == "lookout" || uid == "lookout-logs"
}
