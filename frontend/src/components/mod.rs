//! Reusable pieces of UI shared by the pages.

pub mod chart;
mod connection;
pub mod live;
pub mod log_histogram;
pub mod log_line;
pub mod log_table;
pub mod log_tail;
mod poll;
pub mod query_editor;
pub mod share;
mod socket;
pub mod source_picker;
mod sparkline;
mod stat_card;
pub mod time_range;

pub use connection::ConnectionBanner;
pub use poll::use_poll;
pub use sparkline::Sparkline;
pub use stat_card::StatCardView;

/// Formats Unix milliseconds as local wall-clock time, `HH:MM:SS`.
pub fn clock_time(ms: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    String::from(date.to_locale_time_string("en-GB"))
}
