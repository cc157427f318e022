//! The histogram above the log lines: how many lines matched in each slice of the range, stacked
//! by level, drawn as plain boxes so the colours come from the theme's variables.

use leptos::prelude::*;
use lookout_types::prometheus::RangeSeries;

use super::clock_time;
use super::log_line::{level_class, level_rank};
use super::time_range::absolute;

/// Bars across the range.
const BUCKETS: i64 = 60;

/// The buckets of a range: `count` of `step_ms` each, ending exactly at the range's end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistogramPlan {
    pub start_ms: i64,
    pub end_ms: i64,
    pub step_ms: i64,
}

impl HistogramPlan {
    /// About [`BUCKETS`] whole seconds wide each; the first one may start before `start_ms` so
    /// that the last ends at `end_ms` and every bucket is full width.
    pub fn new(start_ms: i64, end_ms: i64) -> HistogramPlan {
        let step_ms = ((end_ms - start_ms) / BUCKETS / 1000).max(1) * 1000;
        let count = ((end_ms - start_ms) + step_ms - 1) / step_ms;
        HistogramPlan { start_ms: end_ms - count.max(1) * step_ms, end_ms, step_ms }
    }

    fn count(&self) -> usize {
        ((self.end_ms - self.start_ms) / self.step_ms) as usize
    }

    /// The metric query counting `log_query`'s lines per bucket and level.
    pub fn query(&self, log_query: &str) -> String {
        format!("sum by (level) (count_over_time({log_query} [{}s]))", self.step_ms / 1000)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    plan: HistogramPlan,
    /// The levels seen, most severe first.
    levels: Vec<String>,
    /// Per bucket, oldest first, the count of each level in `levels`' order.
    buckets: Vec<Vec<f64>>,
}

impl Histogram {
    /// Reads the answer to [`HistogramPlan::query`]. The sample at time `t` counts the lines of
    /// `(t - step, t]`, so bucket `k` is the sample at `start + (k + 1) * step`.
    pub fn from_matrix(plan: HistogramPlan, series: &[RangeSeries]) -> Histogram {
        let level_of = |s: &RangeSeries| s.metric.get("level").cloned().unwrap_or_default();
        let mut levels: Vec<String> = series.iter().map(level_of).collect();
        levels.sort_by(|a, b| (level_rank(a), a).cmp(&(level_rank(b), b)));
        levels.dedup();
        let mut buckets = vec![vec![0.0; levels.len()]; plan.count()];
        for s in series {
            let Some(li) = levels.iter().position(|l| *l == level_of(s)) else { continue };
            for point in &s.values {
                let t = (point.0 * 1000.0).round() as i64;
                let k = (t - plan.start_ms) as f64 / plan.step_ms as f64 - 1.0;
                let value = point.value();
                if let Some(bucket) = buckets.get_mut(k.round() as usize).filter(|_| k > -0.5 && value.is_finite()) {
                    bucket[li] += value;
                }
            }
        }
        Histogram { plan, levels, buckets }
    }

    fn total(&self, li: usize) -> f64 {
        self.buckets.iter().map(|b| b[li]).sum()
    }
}

fn level_name(level: &str) -> &str {
    if level.is_empty() { "no level" } else { level }
}

/// Stacked bars of lines per bucket; clicking a bar narrows the range to it.
#[component]
pub fn LogHistogram(histogram: Histogram, on_zoom: Callback<(i64, i64)>) -> impl IntoView {
    let plan = histogram.plan;
    // Clock times alone are ambiguous once the range spans days.
    let stamp = move |ms: i64| {
        if plan.end_ms - plan.start_ms > 86_400_000 { absolute(ms) } else { clock_time(ms as f64) }
    };
    let highest = histogram.buckets.iter().map(|b| b.iter().sum::<f64>()).fold(0.0, f64::max);
    let bars = histogram
        .buckets
        .iter()
        .enumerate()
        .map(|(k, counts)| {
            let end = plan.start_ms + (k as i64 + 1) * plan.step_ms;
            let begin = end - plan.step_ms;
            let total: f64 = counts.iter().sum();
            let parts: Vec<String> = histogram
                .levels
                .iter()
                .zip(counts)
                .filter(|(_, c)| **c > 0.0)
                .map(|(l, c)| format!("{} {c}", level_name(l)))
                .collect();
            let title = format!("{} – {}: {total} lines {}", stamp(begin), stamp(end), parts.join(", "));
            let height = if highest > 0.0 { total / highest * 100.0 } else { 0.0 };
            let segments = histogram
                .levels
                .iter()
                .zip(counts)
                .filter(|(_, c)| **c > 0.0)
                .map(|(level, c)| {
                    view! { <div class=format!("hist-seg {}", level_class(level)) style=format!("flex-grow:{c}")></div> }
                })
                .collect_view();
            view! {
                <div class="hist-slot" title=title on:click=move |_| on_zoom.run((begin, end))>
                    <div class="hist-bar" style=format!("height:{height:.1}%")>{segments}</div>
                </div>
            }
        })
        .collect_view();
    let legend = histogram
        .levels
        .iter()
        .enumerate()
        .map(|(li, level)| {
            view! {
                <span class="hist-key">
                    <span class=format!("swatch {}", level_class(level))></span>
                    {format!("{} {}", level_name(level), histogram.total(li))}
                </span>
            }
        })
        .collect_view();
    let middle = plan.start_ms + (plan.end_ms - plan.start_ms) / 2;
    view! {
        <div class="log-histogram" data-testid="log-histogram">
            <div class="hist-bars">{bars}</div>
            <div class="hist-axis">
                <time>{stamp(plan.start_ms)}</time>
                <time>{stamp(middle)}</time>
                <time>{stamp(plan.end_ms)}</time>
            </div>
            <div class="hist-legend">{legend}</div>
        </div>
    }
}
