//! "Share": the current view's URL with its relative times (`now-1h`) made absolute, so whoever
//! opens it sees exactly what the sender saw, kept on the server as a short link that lasts until
//! someone deletes it, and copied to the clipboard.

use leptos::prelude::*;

use super::time_range::{is_relative, resolve};
use crate::api;
use crate::url::encode;

#[derive(Debug, Clone, PartialEq)]
enum Shared {
    Idle,
    Busy,
    Ready { short: String, full: String },
    Failed(String),
}

/// `path?query` with `from` and `to` resolved against `now_ms` when they are relative.
pub fn with_absolute_times(path_and_query: &str, now_ms: i64) -> String {
    let Some((path, query)) = path_and_query.split_once('?') else { return path_and_query.to_string() };
    let pairs: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let text = String::from(js_sys::decode_uri_component(&value.replace('+', " ")).unwrap_or_default());
            match (key, resolve(&text, now_ms)) {
                ("from" | "to", Some(ms)) if is_relative(&text) => format!("{key}={}", encode(&ms.to_string())),
                _ => pair.to_string(),
            }
        })
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

#[component]
pub fn ShareButton() -> impl IntoView {
    let shared = RwSignal::new(Shared::Idle);
    let share = move |_| {
        let Some(location) = web_sys::window().map(|w| w.location()) else { return };
        let (path, search, origin) = (
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default(),
            location.origin().unwrap_or_default(),
        );
        let target = with_absolute_times(&format!("{path}{search}"), js_sys::Date::now() as i64);
        shared.set(Shared::Busy);
        leptos::task::spawn_local(async move {
            let outcome = api::create_link(&target).await;
            shared.try_set(match outcome {
                Ok(link) => {
                    let short = format!("{origin}{}", link.path);
                    if let Some(window) = web_sys::window() {
                        // Copying may be refused (no focus, no permission); the link is shown anyway.
                        let _ = window.navigator().clipboard().write_text(&short);
                    }
                    Shared::Ready { short, full: format!("{origin}{target}") }
                }
                Err(e) => Shared::Failed(e.brief()),
            });
        });
    };
    view! {
        <span class="share">
            <button data-testid="share" on:click=share>"Share"</button>
            {move || match shared.get() {
                Shared::Idle => ().into_any(),
                Shared::Busy => view! { <span class="share-note">"…"</span> }.into_any(),
                Shared::Ready { short, full } => view! {
                    <input class="share-link time-input" readonly data-testid="share-link" prop:value=short />
                    <a class="share-note" href=full data-testid="share-full" title="the same view as a full link">
                        "full link"
                    </a>
                }
                .into_any(),
                Shared::Failed(message) => view! { <span class="field-error">{message}</span> }.into_any(),
            }}
        </span>
    }
}
