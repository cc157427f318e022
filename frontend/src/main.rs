//! Entry point of the Lookout web UI: mounts [`app::App`] on the page.

mod api;
mod app;
mod components;
mod pages;
mod session;
mod theme;
mod url;

fn main() {
    console_error_panic_hook::set_once();
    theme::apply_saved();
    leptos::mount::mount_to_body(app::App);
}
