//! A small SVG line of a figure's recent past, with its limit drawn as a dashed line.

use leptos::prelude::*;
use lookout_types::Point;

const WIDTH: f64 = 240.0;
const HEIGHT: f64 = 48.0;

#[component]
/// `ceiling` fixes the top of the scale (100 for percentages); otherwise the larger of the data
/// and `limit` is the top.
pub fn Sparkline(points: Vec<Point>, ceiling: Option<f64>, limit: Option<f64>) -> impl IntoView {
    if points.len() < 2 {
        return view! { <div class="sparkline-empty">"not enough history yet"</div> }.into_any();
    }
    let (t0, t1) = (points[0].t as f64, points[points.len() - 1].t as f64);
    let data_max = points.iter().map(|p| p.v).fold(f64::MIN, f64::max);
    let top = ceiling.or(limit).unwrap_or(data_max).max(data_max).max(f64::MIN_POSITIVE);
    let x = move |t: i64| (t as f64 - t0) / (t1 - t0).max(1.0) * WIDTH;
    let y = move |v: f64| HEIGHT - (v / top).clamp(0.0, 1.0) * (HEIGHT - 2.0) - 1.0;
    let line = points.iter().map(|p| format!("{:.1},{:.1}", x(p.t), y(p.v))).collect::<Vec<_>>().join(" ");
    let limit_line = limit.map(|l| {
        let ly = format!("{:.1}", y(l));
        view! { <line class="sparkline-limit" x1="0" x2=WIDTH y1=ly.clone() y2=ly /> }
    });
    view! {
        <svg class="sparkline" viewBox=format!("0 0 {WIDTH} {HEIGHT}") preserveAspectRatio="none" role="img">
            {limit_line}
            <polyline class="sparkline-line" points=line />
        </svg>
    }
    .into_any()
}
