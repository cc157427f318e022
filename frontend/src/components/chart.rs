//! A time-series chart drawn with plotters on a canvas: one line per series, a legend that
//! toggles series, the values under the mouse pointer, and marks: the annotations (deploys,
//! notes) of its time range, fetched by the chart itself so every chart shows them, and any the
//! page adds (an alert's onset).

use leptos::html::Canvas;
use leptos::prelude::*;
use lookout_types::downsample::lttb;
use lookout_types::prometheus::{Metric, RangeSeries};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use super::clock_time;

/// One line of the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSeries {
    pub name: String,
    /// `(Unix ms, value)`, in time order; NaN values are gaps.
    pub points: Vec<(i64, f64)>,
}

impl ChartSeries {
    /// A series of a range query's answer, named as Prometheus prints it.
    pub fn from_range(series: &RangeSeries) -> ChartSeries {
        ChartSeries { name: series_name(&series.metric), points: points(series) }
    }
}

/// A range query series' points as the chart takes them: Unix milliseconds and values.
pub fn points(series: &RangeSeries) -> Vec<(i64, f64)> {
    series.values.iter().map(|p| ((p.0 * 1000.0).round() as i64, p.value())).collect()
}

/// A moment (or span) marked on the chart, with what it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub t: i64,
    pub end: i64,
    pub text: String,
}

/// `name{a="b", c="d"}`, the way Prometheus prints a series.
pub fn series_name(metric: &Metric) -> String {
    let name = metric.get("__name__").cloned().unwrap_or_default();
    let labels: Vec<String> = metric
        .iter()
        .filter(|(k, _)| *k != "__name__")
        .map(|(k, v)| format!("{k}={}", lookout_gotext::quote(v)))
        .collect();
    format!("{name}{{{}}}", labels.join(", "))
}

const PALETTE: [(u8, u8, u8); 10] = [
    (90, 169, 255),
    (63, 185, 80),
    (210, 153, 34),
    (248, 81, 73),
    (188, 140, 255),
    (57, 197, 207),
    (255, 123, 192),
    (160, 160, 160),
    (255, 166, 87),
    (121, 192, 255),
];

pub fn color(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

fn css_color(i: usize) -> String {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    format!("rgb({r},{g},{b})")
}

/// How values are shown, guessed from the metric name's suffix as Prometheus naming suggests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unit {
    Seconds,
    Bytes,
    Percent,
    Plain,
}

impl Unit {
    pub fn guess(query: &str) -> Unit {
        let q = query.to_ascii_lowercase();
        if q.contains("_seconds") {
            Unit::Seconds
        } else if q.contains("_bytes") {
            Unit::Bytes
        } else if q.contains("percent") || q.contains("* 100") || q.contains("*100") {
            Unit::Percent
        } else {
            Unit::Plain
        }
    }

    pub fn format(self, v: f64) -> String {
        if !v.is_finite() {
            return format!("{v}");
        }
        match self {
            Unit::Seconds if v.abs() < 1.0 && v != 0.0 => format!("{:.0} ms", v * 1000.0),
            Unit::Seconds => format!("{} s", short(v)),
            Unit::Bytes => {
                let units = ["B", "KiB", "MiB", "GiB", "TiB"];
                let mut x = v;
                let mut i = 0;
                while x.abs() >= 1024.0 && i < units.len() - 1 {
                    x /= 1024.0;
                    i += 1;
                }
                format!("{} {}", short(x), units[i])
            }
            Unit::Percent => format!("{} %", short(v)),
            Unit::Plain => short(v),
        }
    }
}

/// A compact number: three significant digits, k/M/G for large ones.
fn short(v: f64) -> String {
    let a = v.abs();
    let (x, suffix) = if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e4 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let text = if x.abs() >= 100.0 || x.fract() == 0.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}").trim_end_matches('0').trim_end_matches('.').to_string()
    };
    format!("{text}{suffix}")
}

/// Where the plotting area lies, in canvas pixels and data coordinates, for mapping the mouse.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Frame {
    left: i32,
    right: i32,
    t0: i64,
    t1: i64,
}

#[component]
pub fn TimeSeriesChart(
    #[prop(into)] series: Signal<Vec<ChartSeries>>,
    #[prop(into)] unit: Signal<Unit>,
    /// Marks of the page's own, beside the annotations.
    #[prop(optional, into)]
    marks: Option<Signal<Vec<Mark>>>,
    /// A time range (Unix ms) the x axis spans at least, whatever the data covers.
    #[prop(optional)]
    span_at_least: Option<(i64, i64)>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let hidden = RwSignal::new(Vec::<String>::new());
    let frame = RwSignal::new(None::<Frame>);
    let hover = RwSignal::new(None::<i64>);
    let annotations = RwSignal::new(Vec::<Mark>::new());
    // The annotations of the series' time range, asked again only when the range moves to
    // another minute, so refreshing panels do not ask every round.
    let asked = StoredValue::new((0i64, 0i64));
    Effect::new(move |_| {
        let Some((t0, t1)) = span(&series.get()) else { return };
        let key = (t0.div_euclid(60_000), t1.div_euclid(60_000));
        if asked.get_value() == key {
            return;
        }
        asked.set_value(key);
        leptos::task::spawn_local(async move {
            if let Ok(found) = crate::api::annotations(t0, t1).await {
                annotations
                    .try_set(found.into_iter().map(|a| Mark { t: a.time, end: a.time_end, text: a.text }).collect());
            }
        });
    });
    let all_marks = Memo::new(move |_| {
        let mut all = annotations.get();
        if let Some(extra) = marks {
            all.extend(extra.get());
        }
        all
    });

    Effect::new(move |_| {
        let all = series.get();
        let hidden = hidden.get();
        let unit = unit.get();
        let marks = all_marks.get();
        let Some(element) = canvas.get() else { return };
        let width = element.client_width().max(300) as u32;
        // The page's CSS decides the height (a fixed one on Explore, what a dashboard panel has
        // left on a dashboard); the drawing takes it.
        let height = match element.client_height() {
            h if h >= 100 => h as u32,
            _ => 320,
        };
        element.set_width(width);
        element.set_height(height);
        let visible: Vec<(usize, &ChartSeries)> =
            all.iter().enumerate().filter(|(_, s)| !hidden.contains(&s.name)).collect();
        // How long drawing took, and how many points it was given, on the canvas itself: the
        // browser benchmark reads them (`make bench`), and anyone can in the inspector.
        let performance = web_sys::window().and_then(|w| w.performance());
        let started = performance.as_ref().map_or(0.0, |p| p.now());
        frame.set(draw(element.clone(), &visible, unit, &marks, span_at_least));
        let took = performance.as_ref().map_or(0.0, |p| p.now()) - started;
        let points: usize = visible.iter().map(|(_, s)| s.points.len()).sum();
        let _ = element.set_attribute("data-draw-ms", &format!("{took:.1}"));
        let _ = element.set_attribute("data-points", &points.to_string());
    });

    let on_move = move |ev: leptos::ev::MouseEvent| {
        let Some(f) = frame.get_untracked() else { return };
        let x = ev.offset_x();
        if x < f.left || x > f.right || f.right <= f.left {
            hover.set(None);
            return;
        }
        let t = f.t0 + ((x - f.left) as f64 / (f.right - f.left) as f64 * (f.t1 - f.t0) as f64) as i64;
        hover.set(Some(t));
    };

    let readout = move || {
        let t = hover.get()?;
        let all = series.get();
        let hidden = hidden.get();
        let unit = unit.get();
        let rows: Vec<(usize, String, String)> = all
            .iter()
            .enumerate()
            .filter(|(_, s)| !hidden.contains(&s.name))
            .filter_map(|(i, s)| {
                let nearest = s.points.iter().min_by_key(|(pt, _)| (pt - t).abs())?;
                Some((i, s.name.clone(), unit.format(nearest.1)))
            })
            .take(12)
            .collect();
        Some(view! {
            <div class="chart-readout" data-testid="chart-readout">
                <time>{clock_time(t as f64)}</time>
                {rows
                    .into_iter()
                    .map(|(i, name, value)| {
                        view! {
                            <div class="readout-row">
                                <span class="swatch" style=format!("background:{}", css_color(i))></span>
                                <span class="readout-name">{name}</span>
                                <span class="readout-value">{value}</span>
                            </div>
                        }
                    })
                    .collect_view()}
            </div>
        })
    };

    let legend = move || {
        series
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let name = s.name.clone();
                let shown = {
                    let name = name.clone();
                    Signal::derive(move || !hidden.get().contains(&name))
                };
                let toggle = {
                    let name = name.clone();
                    move |_| {
                        hidden.update(|h| {
                            if let Some(pos) = h.iter().position(|x| *x == name) {
                                h.remove(pos);
                            } else {
                                h.push(name.clone());
                            }
                        })
                    }
                };
                view! {
                    <li class="legend-item" class:legend-hidden=move || !shown.get()>
                        <label>
                            <input type="checkbox" prop:checked=shown on:change=toggle />
                            <span class="swatch" style=format!("background:{}", css_color(i))></span>
                            <span class="legend-name">{name}</span>
                        </label>
                    </li>
                }
            })
            .collect_view()
    };

    // The marks in words too, for screen readers and for anyone who cannot tell a line apart.
    let mark_list = move || {
        all_marks
            .get()
            .into_iter()
            .map(|m| view! { <li><time>{clock_time(m.t as f64)}</time>" "{m.text}</li> })
            .collect_view()
    };

    view! {
        <div class="chart">
            <canvas node_ref=canvas class="chart-canvas" data-testid="chart" on:mousemove=on_move on:mouseleave=move |_| hover.set(None)></canvas>
            {readout}
            <ul class="legend" data-testid="legend">{legend}</ul>
            <ul class="chart-marks" data-testid="chart-marks">{mark_list}</ul>
        </div>
    }
}

/// The first and last time of the series' points.
fn span(all: &[ChartSeries]) -> Option<(i64, i64)> {
    let times = all.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (lo, hi) = times.fold((i64::MAX, i64::MIN), |(lo, hi), t| (lo.min(t), hi.max(t)));
    (lo <= hi).then_some((lo, hi))
}

/// Draws the visible series; returns the plotting frame for mouse mapping.
fn draw(
    element: web_sys::HtmlCanvasElement,
    visible: &[(usize, &ChartSeries)],
    unit: Unit,
    marks: &[Mark],
    span_at_least: Option<(i64, i64)>,
) -> Option<Frame> {
    // A line needs no more points than the canvas has pixels across (two per pixel keeps peaks
    // and troughs within one): longer ones are thinned by LTTB, which keeps spikes.
    let budget = (element.width() as usize).max(200) * 2;
    let backend = CanvasBackend::with_canvas_object(element)?;
    let root = backend.into_drawing_area();
    let dark = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("data-theme"))
        .is_none_or(|t| t != "light");
    let (bg, fg, grid) = if dark {
        (RGBColor(23, 27, 33), RGBColor(139, 149, 163), RGBColor(42, 48, 57))
    } else {
        (RGBColor(255, 255, 255), RGBColor(91, 100, 112), RGBColor(225, 228, 232))
    };
    root.fill(&bg).ok()?;
    let points = visible.iter().flat_map(|(_, s)| s.points.iter().filter(|(_, v)| v.is_finite()));
    let (mut t0, mut t1, mut lo, mut hi) = (i64::MAX, i64::MIN, f64::INFINITY, f64::NEG_INFINITY);
    for &(t, v) in points {
        t0 = t0.min(t);
        t1 = t1.max(t);
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if t0 > t1 {
        return None;
    }
    if let Some((from, to)) = span_at_least {
        (t0, t1) = (t0.min(from), t1.max(to));
    }
    if t1 == t0 {
        t1 = t0 + 1000;
    }
    lo = lo.min(0.0);
    if hi <= lo {
        hi = lo + 1.0;
    }
    hi += (hi - lo) * 0.05;
    let mut chart = ChartBuilder::on(&root)
        .margin(8)
        .x_label_area_size(24)
        .y_label_area_size(64)
        .build_cartesian_2d(t0..t1, lo..hi)
        .ok()?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(grid)
        .axis_style(fg)
        .label_style(("sans-serif", 12).into_font().color(&fg))
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&|t| clock_time(*t as f64))
        .y_label_formatter(&|v| unit.format(*v))
        .draw()
        .ok()?;
    // Marks under the lines: a band for a span, a line for a moment.
    let mark_color = RGBColor(210, 153, 34);
    for m in marks.iter().filter(|m| m.end >= t0 && m.t <= t1) {
        let (a, b) = (m.t.max(t0), m.end.min(t1));
        if b > a {
            chart
                .draw_series(std::iter::once(Rectangle::new([(a, lo), (b, hi)], mark_color.mix(0.15).filled())))
                .ok()?;
        }
        chart
            .draw_series(LineSeries::new(
                [(a, lo), (a, hi)],
                ShapeStyle { color: mark_color.to_rgba(), filled: false, stroke_width: 1 },
            ))
            .ok()?;
    }
    for (i, s) in visible {
        let style = ShapeStyle { color: color(*i).to_rgba(), filled: false, stroke_width: 2 };
        for segment in segments(&s.points) {
            chart.draw_series(LineSeries::new(lttb(&segment, budget), style)).ok()?;
        }
    }
    root.present().ok()?;
    let (x_range, _) = chart.plotting_area().get_pixel_range();
    Some(Frame { left: x_range.start, right: x_range.end, t0, t1 })
}

/// Splits a line at gaps (NaN, or more than two steps without a point) so it never bridges
/// missing data.
fn segments(points: &[(i64, f64)]) -> Vec<Vec<(i64, f64)>> {
    let step = points.windows(2).map(|w| w[1].0 - w[0].0).min().unwrap_or(0);
    let mut out: Vec<Vec<(i64, f64)>> = vec![Vec::new()];
    for &(t, v) in points {
        let current = out.last_mut().expect("never empty");
        let gap = current.last().is_some_and(|(pt, _)| step > 0 && t - pt > step * 2);
        if (!v.is_finite() || gap) && !current.is_empty() {
            out.push(Vec::new());
        }
        if v.is_finite() {
            out.last_mut().expect("never empty").push((t, v));
        }
    }
    out.retain(|s| !s.is_empty());
    out
}
