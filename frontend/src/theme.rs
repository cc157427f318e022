//! Dark and light themes: follows the system setting until the user picks one, then remembers it.

use leptos::prelude::*;

const KEY: &str = "lookout-theme";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn set_attribute(theme: &str) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-theme", theme);
    }
}

fn system_prefers_light() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: light)").ok().flatten())
        .is_some_and(|m| m.matches())
}

fn current() -> String {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .unwrap_or_else(|| if system_prefers_light() { "light".into() } else { "dark".into() })
}

/// Applies the saved (or system) theme before the first render, so the page does not flash.
pub fn apply_saved() {
    set_attribute(&current());
}

#[component]
pub fn ThemeToggle() -> impl IntoView {
    let theme = RwSignal::new(current());
    let toggle = move |_| {
        let next = if theme.get_untracked() == "dark" { "light" } else { "dark" };
        theme.set(next.to_string());
        set_attribute(next);
        if let Some(s) = storage() {
            let _ = s.set_item(KEY, next);
        }
    };
    view! {
        <button class="theme-toggle" on:click=toggle title="Switch between dark and light">
            {move || if theme.get() == "dark" { "Light theme" } else { "Dark theme" }}
        </button>
    }
}
