//! What moved, as a person would rank it: each series' recent mean (a counter's rate, a gauge's
//! level) against its own mean and noise before, so a quiet series that left its range ranks above
//! a noisy one that wandered further; the series of one metric folded into one entry naming only
//! the labels that tell them apart; counters split by status turned into an error ratio; and the
//! monitoring system's own series left out, except a target that went down or a process that
//! restarted, which lead.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use lookout_tsdb::{Labels, METRIC_NAME, Series};
use lookout_types::insight::{Change, ChangeKind};

use crate::{align, names, promql};

/// A change smaller than this share of the larger side is not news …
const MIN_RELATIVE_CHANGE: f64 = 0.25;
/// … nor one within this many times the series' own noise.
const MIN_SCORE: f64 = 3.0;
/// An error ratio must move by this much (2 percentage points) to count.
const MIN_RATIO_CHANGE: f64 = 0.02;
/// Scores are capped here: past it every change is plainly unusual.
const MAX_SCORE: f64 = 100.0;
/// Steps the window is cut into for rates and levels.
const STEPS: i64 = 60;
const MIN_STEP_MS: i64 = 15_000;
/// Samples older than this are not a gauge's level at a step.
const LOOKBACK_MS: i64 = 5 * 60_000;

/// The window the series cover and where "before" ends.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub start: i64,
    pub split: i64,
    pub end: i64,
}

impl Window {
    /// The last `recent_ms` against what came before, back to `start`; with less history than
    /// twice `recent_ms` (a fresh install), the newer half of what there is against the older.
    pub fn of(series: &[Series], start: i64, end: i64, recent_ms: i64) -> Window {
        let earliest = series.iter().filter_map(|s| s.samples.first()).map(|s| s.0).min().unwrap_or(end).max(start);
        let split = if earliest > end - 2 * recent_ms { earliest + (end - earliest) / 2 } else { end - recent_ms };
        Window { start: earliest, split, end }
    }

    fn step(&self) -> i64 {
        ((self.end - self.start) / STEPS).max(MIN_STEP_MS)
    }

    /// Where "before" ends and "now" begins for values on the grid: a rate at a step covers the
    /// step before it, so the step that straddles the split belongs to neither.
    fn sides(&self, rates: bool) -> (i64, i64) {
        if rates { (self.split, self.split + self.step()) } else { (self.split, self.split) }
    }

    fn grid(&self) -> Vec<i64> {
        let step = self.step();
        let mut times = Vec::new();
        let mut t = self.end;
        while t >= self.start {
            times.push(t);
            t -= step;
        }
        times.reverse();
        times
    }
}

/// Mean and standard deviation, without collecting the values.
fn stats<'a>(values: impl Iterator<Item = &'a f64> + Clone) -> Option<(f64, f64)> {
    let (n, sum) = values.clone().fold((0usize, 0.0), |(n, s), v| (n + 1, s + v));
    if n == 0 {
        return None;
    }
    let mean = sum / n as f64;
    let variance = values.map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
    Some((mean, variance.sqrt()))
}

/// One series' values on the grid, `None` where it has none.
type StepValues = Vec<Option<f64>>;

/// A counter's increase per second over each step of `grid` (a drop counts as a reset), between
/// the samples the step's ends see and over the time between those samples, so a read thinned
/// to other times than the grid's gives the same rates.
fn step_rates(samples: &[(i64, f64)], grid: &[i64]) -> Vec<Option<f64>> {
    let seen = align::samples_at(samples, grid, LOOKBACK_MS);
    let mut out = vec![None];
    for i in 1..grid.len() {
        out.push(match (seen[i - 1], seen[i]) {
            (Some((ta, a)), Some((tb, b))) if tb > ta => {
                let seconds = (tb - ta) as f64 / 1000.0;
                Some(if b >= a { b - a } else { b } / seconds)
            }
            _ => None,
        });
    }
    out
}

/// One series' (or group's) values on the grid, measured before and after the split.
struct Measured {
    before: f64,
    now: f64,
    score: f64,
    onset: Option<i64>,
}

/// Compares the steps before `sides.0` with those from `sides.1` on; `floor` is the smallest
/// noise assumed.
fn measure(values: &[Option<f64>], grid: &[i64], sides: (i64, i64), floor: f64) -> Option<Measured> {
    let side = |keep: fn(i64, (i64, i64)) -> bool| {
        values
            .iter()
            .zip(grid)
            .filter(move |(_, t)| keep(**t, sides))
            .filter_map(|(v, _)| v.as_ref())
            .filter(|v| v.is_finite())
    };
    let (was, noise) = stats(side(|t, s| t < s.0))?;
    let (is, _) = stats(side(|t, s| t >= s.1))?;
    let noise = noise.max(floor).max(f64::MIN_POSITIVE);
    let score = ((is - was).abs() / noise).min(MAX_SCORE);
    // The onset: the first step of the last run outside the usual range.
    let outside = |v: &Option<f64>| v.is_some_and(|v| (v - was).abs() > MIN_SCORE * noise);
    let last_inside = values.iter().rposition(|v| v.is_some() && !outside(v));
    let onset = match last_inside {
        Some(i) if i + 1 < values.len() => Some(grid[i + 1]),
        Some(_) => None,
        None => grid.iter().zip(values).find(|(_, v)| v.is_some()).map(|(t, _)| *t),
    };
    Some(Measured { before: was, now: is, score, onset })
}

/// The metrics that moved most in `series`, one entry per metric, most unusual first.
pub fn find(series: &[Series], window: Window, limit: usize) -> Vec<Change> {
    let grid = window.grid();
    let mut by_metric: HashMap<&str, Vec<&Series>> = HashMap::new();
    for s in series {
        if let Some(name) = s.labels.metric_name() {
            by_metric.entry(name).or_default().push(s);
        }
    }
    let mut by_metric: Vec<(&str, Vec<&Series>)> = by_metric.into_iter().collect();
    by_metric.sort_unstable_by_key(|(name, _)| *name);
    let mut found: Vec<Change> = Vec::new();
    let up = by_metric.iter().find(|(name, _)| *name == "up").map(|(_, s)| s.as_slice()).unwrap_or(&[]);
    found.extend(down_targets(up, window));
    found.extend(restarts(series, window));
    for (name, members) in &by_metric {
        if names::is_self_monitoring(name)
            || names::is_not_a_level(name)
            || names::is_histogram_part(name)
            || name.ends_with("_sum")
        {
            continue;
        }
        if let Some(ratios) = error_ratios(name, members, &grid, window) {
            found.extend(ratios);
            continue;
        }
        found.extend(fold(name, members, &grid, window));
    }
    found.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.series.cmp(&b.series)));
    found.truncate(limit);
    found
}

/// A target is flapping when it went down this many times in the window, and is up now.
const FLAPS: usize = 2;

/// Targets whose `up` is 0 now, or that went down and came back more than once.
fn down_targets(up: &[&Series], window: Window) -> Vec<Change> {
    up.iter()
        .filter_map(|s| {
            let &(t, v) = s.samples.last()?;
            if t < window.end - LOOKBACK_MS {
                return None;
            }
            if v != 0.0 {
                return flapping(s);
            }
            let start = s.samples.iter().rposition(|p| p.1 != 0.0).map_or(0, |i| i + 1);
            let target = s.labels.get("instance").or(s.labels.get("job")).unwrap_or("");
            let shown = shown_with(s, &["job", "instance"]);
            Some(Change {
                series: shown.clone(),
                kind: ChangeKind::Down,
                before: 1.0,
                now: 0.0,
                score: MAX_SCORE,
                onset: Some(s.samples[start].0),
                more: 0,
                query: if target.is_empty() { "up".into() } else { shown },
            })
        })
        .collect()
}

/// An `up` series that fell to 0 [`FLAPS`] times or more.
fn flapping(s: &Series) -> Option<Change> {
    let falls: Vec<i64> = s.samples.windows(2).filter(|w| w[0].1 != 0.0 && w[1].1 == 0.0).map(|w| w[1].0).collect();
    if falls.len() < FLAPS {
        return None;
    }
    let shown = shown_with(s, &["job", "instance"]);
    Some(Change {
        series: shown.clone(),
        kind: ChangeKind::Flapping,
        before: 1.0,
        now: falls.len() as f64,
        score: MAX_SCORE * 0.8,
        onset: falls.first().copied(),
        more: 0,
        query: shown,
    })
}

/// Processes whose start time moved inside the window.
fn restarts(series: &[Series], window: Window) -> Vec<Change> {
    series
        .iter()
        .filter(|s| s.labels.metric_name().is_some_and(|n| n.ends_with("process_start_time_seconds")))
        .filter_map(|s| {
            let i = s.samples.windows(2).rposition(|w| w[1].1 > w[0].1 && w[1].0 >= window.start)?;
            let shown = shown_with(s, &["job", "instance", "service"]);
            Some(Change {
                series: shown.clone(),
                kind: ChangeKind::Restart,
                before: s.samples[i].1,
                now: s.samples[i + 1].1,
                score: MAX_SCORE / 2.0,
                onset: Some(s.samples[i + 1].0),
                more: 0,
                query: shown,
            })
        })
        .collect()
}

/// A series as `metric{…}` with only the named labels.
fn shown_with(s: &Series, keep: &[&str]) -> String {
    let name = s.labels.metric_name().unwrap_or("");
    promql::selector(name, keep.iter().filter_map(|k| s.labels.get(k).map(|v| (*k, v))))
}

/// For a counter split by a status label with failures among its values: the failed share of
/// all, per service, as changes. `None` when the metric is not such a counter.
fn error_ratios(name: &str, members: &[&Series], grid: &[i64], window: Window) -> Option<Vec<Change>> {
    if !names::is_counter(name) {
        return None;
    }
    // The label names the metric's series carry, gathered once rather than asked per series.
    let carried: BTreeSet<&str> = members.iter().flat_map(|s| s.labels.iter().map(|l| l.name.as_str())).collect();
    let label = names::STATUS_LABELS.iter().find(|l| carried.contains(**l))?;
    let values: BTreeSet<&str> = members.iter().filter_map(|s| s.labels.get(label)).collect();
    let errors: Vec<&str> = values.iter().copied().filter(|v| names::is_error_status(label, v)).collect();
    if errors.is_empty() || errors.len() == values.len() {
        return None;
    }
    let service_label = names::SERVICE_LABELS.iter().find(|l| carried.contains(**l));
    // Per service: the failed series' step rates, and every series'.
    let mut groups: BTreeMap<&str, (Vec<StepValues>, Vec<StepValues>)> = BTreeMap::new();
    for s in members {
        let service = service_label.and_then(|l| s.labels.get(l)).unwrap_or("");
        let rates = step_rates(&s.samples, grid);
        let group = groups.entry(service).or_default();
        if s.labels.get(label).is_some_and(|v| names::is_error_status(label, v)) {
            group.0.push(rates.clone());
        }
        group.1.push(rates);
    }
    let error_values = errors.join("|");
    let mut out = Vec::new();
    for (service, (failed, all)) in groups {
        let (failed, all) = (align::sum(&failed, grid.len()), align::sum(&all, grid.len()));
        let ratios: Vec<Option<f64>> = all
            .iter()
            .zip(&failed)
            .map(|(a, f)| match (a, f) {
                (Some(a), f) if *a > 0.0 => Some(f.unwrap_or(0.0) / a),
                _ => None,
            })
            .collect();
        let scope: Vec<(&str, &str)> = match service_label {
            Some(l) if !service.is_empty() => vec![(l, service)],
            _ => Vec::new(),
        };
        // The traffic itself, all outcomes together: a drop to nothing fails no request.
        if let Some(m) = measure(&all, grid, window.sides(true), 0.0)
            && is_news(&m)
        {
            let shown = promql::selector(name, scope.iter().copied());
            out.push(Change {
                series: shown.clone(),
                kind: ChangeKind::Rate,
                before: m.before,
                now: m.now,
                score: m.score,
                onset: m.onset,
                more: 0,
                query: format!("sum(rate({shown}[5m]))"),
            });
        }
        let Some(m) = measure(&ratios, grid, window.sides(true), MIN_RATIO_CHANGE / MIN_SCORE) else { continue };
        if (m.now - m.before).abs() < MIN_RATIO_CHANGE || m.score < MIN_SCORE {
            continue;
        }
        let mut failed_sel: Vec<String> = scope.iter().map(|(n, v)| format!("{n}={}", promql::quote(v))).collect();
        failed_sel.push(format!("{label}=~{}", promql::quote(&error_values)));
        let all_sel = promql::selector(name, scope.iter().copied());
        out.push(Change {
            series: match scope.first() {
                Some((l, v)) => format!("{name}{{{l}={}}} failed share", promql::quote(v)),
                None => format!("{name} failed share"),
            },
            kind: ChangeKind::ErrorRatio,
            before: m.before,
            now: m.now,
            score: m.score,
            onset: m.onset,
            more: 0,
            query: format!("sum(rate({name}{{{}}}[5m])) / sum(rate({all_sel}[5m]))", failed_sel.join(",")),
        });
    }
    Some(out)
}

/// The metric's moving series as one change: the most unusual one, named by the labels that
/// differ among the metric's series, with how many more moved.
fn fold(name: &str, members: &[&Series], grid: &[i64], window: Window) -> Option<Change> {
    let counter = names::is_counter(name);
    let mut moved: Vec<(&Series, Measured)> = Vec::new();
    for s in members {
        let values = if counter { step_rates(&s.samples, grid) } else { align::at(&s.samples, grid, LOOKBACK_MS) };
        let Some(mut m) = measure(&values, grid, window.sides(counter), 0.0).filter(is_news) else { continue };
        if !counter {
            m.onset = refine_onset(&s.samples, m.onset, window.step(), &m);
        }
        moved.push((s, m));
    }
    moved.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then_with(|| a.0.labels.cmp(&b.0.labels)));
    let more = moved.len().checked_sub(1)?;
    let (top, m) = moved.into_iter().next()?;
    let differing = differing_labels(members);
    let mut keep: Vec<(&str, &str)> = top
        .labels
        .iter()
        .filter(|l| differing.contains(l.name.as_str()))
        .map(|l| (l.name.as_str(), l.value.as_str()))
        .collect();
    if keep.is_empty()
        && let Some(label) = subject_pair(&top.labels)
    {
        keep.push(label);
    }
    let shown = promql::selector(name, keep.iter().copied());
    Some(Change {
        series: shown.clone(),
        kind: if counter { ChangeKind::Rate } else { ChangeKind::Level },
        before: m.before,
        now: m.now,
        score: m.score,
        onset: m.onset,
        more,
        query: if counter { format!("rate({shown}[5m])") } else { shown },
    })
}

/// Whether a measure moved enough to be news: by a quarter of the larger side, and by
/// [`MIN_SCORE`] times its noise.
fn is_news(m: &Measured) -> bool {
    let larger = m.before.abs().max(m.now.abs());
    larger > 0.0 && (m.now - m.before).abs() / larger >= MIN_RELATIVE_CHANGE && m.score >= MIN_SCORE
}

/// A gauge's onset to the sample: the first raw sample outside the usual range within the grid
/// step that saw it leave.
fn refine_onset(samples: &[(i64, f64)], onset: Option<i64>, step: i64, m: &Measured) -> Option<i64> {
    let onset = onset?;
    let noise = (m.now - m.before).abs() / m.score.max(f64::MIN_POSITIVE);
    samples
        .iter()
        .find(|(t, v)| *t > onset - step && *t <= onset && (v - m.before).abs() > MIN_SCORE * noise)
        .map(|(t, _)| *t)
        .or(Some(onset))
}

/// The subject label of a series, as a (name, value) pair.
fn subject_pair(labels: &Labels) -> Option<(&str, &str)> {
    let value = names::subject_label(labels)?;
    labels.iter().find(|l| l.value == value && l.name != METRIC_NAME).map(|l| (l.name.as_str(), l.value.as_str()))
}

/// Label names whose values differ among the series.
fn differing_labels<'a>(members: &[&'a Series]) -> BTreeSet<&'a str> {
    let mut values: HashMap<&str, BTreeSet<Option<&str>>> = HashMap::new();
    for s in members {
        for l in s.labels.iter().filter(|l| l.name != METRIC_NAME) {
            values.entry(l.name.as_str()).or_default();
        }
    }
    for s in members {
        for (name, seen) in values.iter_mut() {
            seen.insert(s.labels.get(name));
        }
    }
    values.into_iter().filter(|(_, v)| v.len() > 1).map(|(n, _)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 10_000_000;
    const START: i64 = NOW - 75 * 60_000;

    fn series(name: &str, pairs: &[(&str, &str)], samples: Vec<(i64, f64)>) -> Series {
        Series { labels: Labels::from_pairs(std::iter::once(("__name__", name)).chain(pairs.iter().copied())), samples }
    }

    /// Every 15 s over 75 minutes: `before(i)` up to 15 minutes ago, `recent(i)` since.
    fn over_time(before: impl Fn(i64) -> f64, recent: impl Fn(i64) -> f64) -> Vec<(i64, f64)> {
        (0..300)
            .map(|i| {
                let t = START + 15_000 + i * 15_000;
                (t, if t < NOW - 15 * 60_000 { before(i) } else { recent(i) })
            })
            .collect()
    }

    /// A counter growing by `per_step(i)` each 15 s.
    fn counter(per_step: impl Fn(i64) -> f64) -> Vec<(i64, f64)> {
        let mut total = 0.0;
        over_time(|_| 0.0, |_| 0.0)
            .into_iter()
            .enumerate()
            .map(|(i, (t, _))| {
                total += per_step(i as i64);
                (t, total)
            })
            .collect()
    }

    fn check(all: &[Series], expected: &[(&str, ChangeKind)]) -> Vec<Change> {
        let window = Window::of(all, START, NOW, 15 * 60_000);
        let found = find(all, window, 10);
        let got: Vec<(&str, ChangeKind)> = found.iter().map(|c| (c.series.as_str(), c.kind)).collect();
        assert_eq!(got, expected, "{found:#?}");
        found
    }

    const RECENT: i64 = 240;

    #[test]
    fn noise_is_left_out_and_quiet_movers_rank_first() {
        let found = check(
            &[
                // Swings between 20 and 80 all along: a large raw change, but its usual self.
                series(
                    "cpu_percent",
                    &[("job", "a")],
                    over_time(|i| if i % 2 == 0 { 20.0 } else { 80.0 }, |i| if i % 3 == 0 { 20.0 } else { 80.0 }),
                ),
                // Steady at 5 ± 0.1, then 9: a small raw change, far outside its noise.
                series("queue_depth", &[("job", "a")], over_time(|i| 5.0 + (i % 2) as f64 * 0.1, |_| 9.0)),
                // A rate that doubled, from a noisy 1/s (bursts of 0 to 30 a scrape).
                series(
                    "jobs_done_total",
                    &[("job", "a")],
                    counter(|i| {
                        if i >= RECENT { 30.0 } else { [0.0, 30.0, 5.0, 25.0, 10.0, 20.0, 15.0][(i % 7) as usize] }
                    }),
                ),
            ],
            &[(r#"queue_depth{job="a"}"#, ChangeKind::Level), (r#"jobs_done_total{job="a"}"#, ChangeKind::Rate)],
        );
        assert_eq!(found[0].onset, Some(NOW - 15 * 60_000), "the first sample at 9");
        assert!((found[1].now - 2.0).abs() < 0.01, "{:?}", found[1]);
        assert_eq!(found[1].query, r#"rate(jobs_done_total{job="a"}[5m])"#);
    }

    /// A read thinned to a sample a minute before the window (as the Overview reads) sees the
    /// same rates: a steady counter that goes from 10/s to 15/s is still news.
    #[test]
    fn thinned_counters_keep_their_rates() {
        let full = counter(|i| if i >= RECENT { 15.0 * 15.0 } else { 10.0 * 15.0 });
        let split = NOW - 15 * 60_000;
        let mut last = i64::MIN;
        let thinned: Vec<(i64, f64)> = full
            .into_iter()
            .filter(|(t, _)| {
                let keep = *t >= split || last == i64::MIN || *t - last >= 60_000;
                if keep {
                    last = *t;
                }
                keep
            })
            .collect();
        let found = check(
            &[series("orders_total", &[("job", "shop")], thinned)],
            &[(r#"orders_total{job="shop"}"#, ChangeKind::Rate)],
        );
        assert!((found[0].before - 10.0).abs() < 0.01 && (found[0].now - 15.0).abs() < 0.01, "{:?}", found[0]);
        assert!(found[0].score >= 10.0, "{:?}", found[0]);
    }

    #[test]
    fn one_entry_per_metric_naming_what_differs() {
        let pool = |name: &str, level: f64| {
            series(
                "connections",
                &[("pool", name), ("job", "api")],
                over_time(|i| 3.0 + (i % 3) as f64 * 0.1, |_| level),
            )
        };
        let found = check(
            &[pool("a", 20.0), pool("b", 12.0), pool("c", 3.1)],
            &[(r#"connections{pool="a"}"#, ChangeKind::Level)],
        );
        assert_eq!(found[0].more, 1, "pool b moved too");
    }

    #[test]
    fn status_splits_become_an_error_ratio() {
        let found = check(
            &[
                // The same traffic, half of it failing now.
                series(
                    "http_requests_total",
                    &[("code", "200"), ("job", "checkout")],
                    counter(|i| if i >= RECENT { 50.0 } else { 100.0 }),
                ),
                series(
                    "http_requests_total",
                    &[("code", "500"), ("job", "checkout")],
                    counter(|i| if i >= RECENT { 50.0 } else { 1.0 }),
                ),
                series("http_requests_total", &[("code", "200"), ("job", "search")], counter(|_| 10.0)),
            ],
            &[(r#"http_requests_total{job="checkout"} failed share"#, ChangeKind::ErrorRatio)],
        );
        assert!((found[0].before - 1.0 / 101.0).abs() < 0.001 && (found[0].now - 0.5).abs() < 0.01, "{:?}", found[0]);
        assert_eq!(
            found[0].query,
            r#"sum(rate(http_requests_total{job="checkout",code=~"500"}[5m])) / sum(rate(http_requests_total{job="checkout"}[5m]))"#
        );
    }

    #[test]
    fn traffic_that_stops_is_news_though_nothing_fails() {
        check(
            &[
                series(
                    "http_requests_total",
                    &[("code", "200"), ("job", "shop")],
                    counter(|i| if i >= RECENT { 0.0 } else { 100.0 }),
                ),
                series("http_requests_total", &[("code", "500"), ("job", "shop")], counter(|_| 0.0)),
            ],
            &[(r#"http_requests_total{job="shop"}"#, ChangeKind::Rate)],
        );
    }

    #[test]
    fn self_monitoring_left_out_unless_it_is_the_problem() {
        let found = check(
            &[
                series("scrape_series_added", &[("job", "a")], over_time(|_| 0.0, |_| 50.0)),
                series("up", &[("job", "a"), ("instance", "a:1")], over_time(|_| 1.0, |_| 1.0)),
                series(
                    "up",
                    &[("job", "db"), ("instance", "db:9187")],
                    over_time(|_| 1.0, |i| if i >= 280 { 0.0 } else { 1.0 }),
                ),
                // Down twice, up now: flapping.
                series(
                    "up",
                    &[("job", "cache"), ("instance", "c:1")],
                    over_time(|_| 1.0, |i| if i == 250 || i == 270 { 0.0 } else { 1.0 }),
                ),
                series(
                    "process_start_time_seconds",
                    &[("job", "api")],
                    over_time(|_| 1000.0, |i| if i >= 250 { 9000.0 } else { 1000.0 }),
                ),
                series("lookout_http_requests_total", &[], counter(|i| i as f64)),
                series("build_info", &[], over_time(|_| 1.0, |_| 2.0)),
            ],
            &[
                (r#"up{job="db",instance="db:9187"}"#, ChangeKind::Down),
                (r#"up{job="cache",instance="c:1"}"#, ChangeKind::Flapping),
                (r#"process_start_time_seconds{job="api"}"#, ChangeKind::Restart),
            ],
        );
        assert_eq!((found[1].now, found[1].onset), (2.0, Some(START + 15_000 + 250 * 15_000)));
        assert_eq!(found[0].onset, Some(START + 15_000 + 280 * 15_000));
        assert_eq!(found[2].onset, Some(START + 15_000 + 250 * 15_000));
    }

    #[test]
    fn odd_data_does_not_panic() {
        let nan = series("g", &[], over_time(|_| f64::NAN, |_| f64::NAN));
        let vanished = series("h", &[], vec![(START, 1.0)]);
        let inf = series("i_total", &[], over_time(|_| f64::INFINITY, |_| 1.0));
        check(&[nan, vanished, inf], &[]);
        check(&[], &[]);
    }
}
