//! One Overview figure: its value against its limit, coloured by health, with its recent past.

use leptos::prelude::*;
use lookout_types::{Health, StatCard};

use super::Sparkline;

fn format_value(card: &StatCard) -> String {
    let Some(value) = card.value else {
        return "no data".into();
    };
    match (card.unit.as_str(), card.limit) {
        ("percent", _) => format!("{value:.1} %"),
        ("count", Some(limit)) => format!("{value:.0} / {limit:.0}"),
        ("count", None) => format!("{value:.0}"),
        ("per_second", _) => format!("{value:.1}/s"),
        _ => format!("{value}"),
    }
}

fn health_class(health: Health) -> &'static str {
    match health {
        Health::Ok => "ok",
        Health::Warning => "warning",
        Health::Critical => "critical",
        Health::Unknown => "unknown",
    }
}

#[component]
pub fn StatCardView(card: StatCard) -> impl IntoView {
    let value = format_value(&card);
    let class = format!("card health-{}", health_class(card.health));
    let ceiling = (card.unit == "percent").then_some(100.0);
    view! {
        <section class=class data-key=card.key.clone() title=card.source.clone()>
            <h2 class="card-title">{card.title.clone()}</h2>
            <div class="card-value" data-testid=format!("value-{}", card.key)>{value}</div>
            <Sparkline points=card.history.clone() ceiling=ceiling limit=card.limit />
        </section>
    }
}
