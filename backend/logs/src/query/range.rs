//! Range aggregations over log lines: one scan over the whole query range collects each series'
//! points (a count of one, the line's bytes, or the unwrapped value), then every step reads its
//! window from them.

use std::collections::HashMap;

use lookout_logql::ast::{self, LineFilterOp, LogExpr, RangeAggregation, RangeOp, Stage};
use lookout_tsdb::{Labels, Matcher, Series};

use super::pipeline::{ERROR_LABEL, Pipeline};
use super::{Budget, QueryError};
use crate::select::{LineFilter, Needle, Order, Row, Selection, Visitor};
use crate::store::LogStore;

const NS_PER_MS: i64 = 1_000_000;
const STREAM_FIELDS: [&str; 2] = [crate::ingest::SERVICE, crate::ingest::LEVEL];

/// Evaluation times in milliseconds: `start`, `start + step`, … up to `end` (one time when
/// `step` is 0).
#[derive(Debug, Clone, Copy)]
pub struct Steps {
    pub start: i64,
    pub end: i64,
    pub step: i64,
}

impl Steps {
    pub fn times(&self) -> impl Iterator<Item = i64> + '_ {
        let step = self.step.max(1);
        (0..=(self.end - self.start) / step).map(move |k| self.start + k * step)
    }
}

pub fn tsdb_matchers(selector: &[ast::Matcher]) -> Result<Vec<Matcher>, QueryError> {
    selector
        .iter()
        .map(|m| {
            Ok(match m.op {
                ast::MatchOp::Eq => Matcher::equal(&m.name, &m.value),
                ast::MatchOp::Neq => Matcher::not_equal(&m.name, &m.value),
                ast::MatchOp::Re => {
                    Matcher::regex(&m.name, &m.value).map_err(|e| QueryError::BadData(e.to_string()))?
                }
                ast::MatchOp::Nre => {
                    Matcher::not_regex(&m.name, &m.value).map_err(|e| QueryError::BadData(e.to_string()))?
                }
            })
        })
        .collect()
}

/// The store selection for a log expression over `[start, end]` (ns) and the pipeline left to
/// run: line filters at the head of the pipeline are checked by the store (and its indexes).
pub fn plan(log: &LogExpr, start: i64, end: i64) -> Result<(Selection, Pipeline), QueryError> {
    let mut selection = Selection::new(start, end, tsdb_matchers(&log.selector)?);
    let mut rest = log.pipeline.as_slice();
    while let Some((Stage::LineFilter(f), tail)) = rest.split_first() {
        let compiled = match f.op {
            LineFilterOp::Contains => LineFilter::Contains(f.values.iter().map(Needle::new).collect()),
            LineFilterOp::NotContains => LineFilter::NotContains(f.values.iter().map(Needle::new).collect()),
            LineFilterOp::Match | LineFilterOp::NotMatch => {
                let pattern = f.values.iter().map(|v| format!("(?:{v})")).collect::<Vec<_>>().join("|");
                let re = regex::bytes::Regex::new(&pattern).map_err(|e| QueryError::BadData(e.to_string()))?;
                if f.op == LineFilterOp::Match { LineFilter::Matches(re) } else { LineFilter::NotMatches(re) }
            }
            LineFilterOp::Pattern | LineFilterOp::NotPattern => break,
        };
        selection.line_filters.push(compiled);
        rest = tail;
    }
    let pipeline = Pipeline::new(rest).map_err(QueryError::BadData)?;
    Ok((selection, pipeline))
}

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Slots of the cache from a stream's address to its series.
const RECENT_STREAMS: usize = 16;

/// Per series, the points of one range aggregation.
struct Collector<'a> {
    pipeline: &'a Pipeline,
    op: RangeOp,
    grouping: Option<&'a ast::Grouping>,
    series: Vec<(Labels, Vec<(i64, f64)>)>,
    index: FastMap<Labels, usize>,
    /// A block's rows point at the block's few stream label sets: most rows find their series
    /// by that address without hashing the labels. Sound because every label set a scan visits
    /// stays alive for the whole scan (it holds the blocks, and the head's lock while in it), so
    /// two different sets never share an address.
    recent: [(usize, usize); RECENT_STREAMS],
    budget: &'a mut Budget,
}

impl Collector<'_> {
    fn series_of(&mut self, labels: &Labels) -> usize {
        let address = labels as *const Labels as usize;
        let slot = (address >> 4) % RECENT_STREAMS;
        if self.recent[slot].0 == address {
            return self.recent[slot].1;
        }
        let i = match self.index.get(labels) {
            Some(&i) => i,
            None => {
                self.series.push((labels.clone(), Vec::new()));
                self.index.insert(labels.clone(), self.series.len() - 1);
                self.series.len() - 1
            }
        };
        self.recent[slot] = (address, i);
        i
    }
}

impl Visitor for Collector<'_> {
    fn visit(&mut self, row: Row<'_>) {
        self.budget.stats.lines += 1;
        self.budget.stats.bytes += row.line.len() as u64;
        if self.pipeline.is_empty() {
            let value = if matches!(self.op, RangeOp::BytesOverTime | RangeOp::BytesRate) {
                row.line.len() as f64
            } else {
                1.0
            };
            let i = self.series_of(row.stream);
            self.series[i].1.push((row.ts, value));
            return;
        }
        let Some(out) = self.pipeline.run(row.ts, row.stream, row.line) else { return };
        // Lines the pipeline could not parse have no value to count, as in Loki's metric queries.
        if out.labels.iter().any(|(n, v)| n == ERROR_LABEL && !v.is_empty()) {
            return;
        }
        let value = if self.pipeline.unwraps() {
            match out.value {
                Some(v) => v,
                None => return,
            }
        } else if matches!(self.op, RangeOp::BytesOverTime | RangeOp::BytesRate) {
            out.line.len() as f64
        } else {
            1.0
        };
        let labels = match self.grouping {
            Some(g) if g.without => Labels::from_pairs(out.labels.into_iter().filter(|(n, _)| !g.labels.contains(n))),
            Some(g) => Labels::from_pairs(out.labels.into_iter().filter(|(n, _)| g.labels.contains(n))),
            None => Labels::from_pairs(out.labels),
        };
        let i = match self.index.get(&labels) {
            Some(&i) => i,
            None => {
                self.series.push((labels.clone(), Vec::new()));
                self.index.insert(labels, self.series.len() - 1);
                self.series.len() - 1
            }
        };
        self.series[i].1.push((row.ts, value));
    }

    fn done(&self) -> bool {
        self.budget.expired()
    }
}

/// Evaluates one range aggregation at every step: series with millisecond timestamps.
pub fn evaluate(
    store: &LogStore,
    agg: &RangeAggregation,
    steps: Steps,
    budget: &mut Budget,
    fields: &[String],
) -> Result<Vec<Series>, QueryError> {
    let range = i64::try_from(agg.range.range.as_nanos()).unwrap_or(i64::MAX);
    let offset = agg.range.offset.map_or(0, |o| i64::try_from(o.as_nanos()).unwrap_or(i64::MAX));
    let first = steps.start * NS_PER_MS - offset - range;
    let last = steps.end * NS_PER_MS - offset;
    let (mut selection, mut pipeline) = plan(&agg.range.log, first.saturating_add(1), last)?;
    // `service` and `level` are stream labels of every line that has them as fields (ingest
    // puts them there), so grouping by them never needs the text.
    let fields: Vec<String> = fields.iter().filter(|f| !STREAM_FIELDS.contains(&f.as_str())).cloned().collect();
    pipeline.materialize(&fields);
    if agg.op.requires_unwrap() && !pipeline.unwraps() {
        return Err(QueryError::BadData(format!("invalid aggregation {} without unwrap", agg.op.name())));
    }
    if !agg.op.accepts_unwrap() && pipeline.unwraps() {
        return Err(QueryError::BadData(format!("invalid aggregation {} with unwrap", agg.op.name())));
    }
    selection.needs_line = !pipeline.is_empty() || matches!(agg.op, RangeOp::BytesOverTime | RangeOp::BytesRate);
    let grouping = agg.grouping.as_ref();
    let mut collector = Collector {
        pipeline: &pipeline,
        op: agg.op,
        grouping,
        series: Vec::new(),
        index: FastMap::default(),
        recent: [(0, 0); RECENT_STREAMS],
        budget,
    };
    store.scan(&selection, Order::Forward, &mut collector);
    if collector.budget.expired() {
        return Err(QueryError::Timeout);
    }
    let range_s = agg.range.range.as_secs_f64();
    let mut out = Vec::new();
    for (labels, mut points) in collector.series {
        points.sort_by_key(|p| p.0);
        let mut samples = Vec::new();
        for t in steps.times() {
            let hi = t * NS_PER_MS - offset;
            let lo = hi - range;
            // The window is (lo, hi], as Loki's.
            let from = points.partition_point(|p| p.0 <= lo);
            let to = points.partition_point(|p| p.0 <= hi);
            if from == to {
                continue;
            }
            let values: Vec<f64> = points[from..to].iter().map(|p| p.1).collect();
            if let Some(v) = reduce(agg.op, agg.param, &values, range_s) {
                samples.push((t, v));
            }
        }
        if !samples.is_empty() {
            out.push(Series { labels, samples });
        }
    }
    if agg.op == RangeOp::AbsentOverTime {
        return Ok(absent(agg, steps, &out));
    }
    out.sort_by(|a, b| a.labels.cmp(&b.labels));
    Ok(out)
}

/// `absent_over_time`: 1 at the steps where no series had a line, labelled with the selector's
/// equality matchers.
fn absent(agg: &RangeAggregation, steps: Steps, present: &[Series]) -> Vec<Series> {
    let labels = Labels::from_pairs(
        agg.range.log.selector.iter().filter(|m| m.op == ast::MatchOp::Eq).map(|m| (m.name.clone(), m.value.clone())),
    );
    let samples: Vec<(i64, f64)> = steps
        .times()
        .filter(|t| !present.iter().any(|s| s.samples.iter().any(|(st, _)| st == t)))
        .map(|t| (t, 1.0))
        .collect();
    if samples.is_empty() { Vec::new() } else { vec![Series { labels, samples }] }
}

/// One window's value.
fn reduce(op: RangeOp, param: Option<f64>, values: &[f64], range_s: f64) -> Option<f64> {
    let n = values.len() as f64;
    let sum = || values.iter().sum::<f64>();
    Some(match op {
        RangeOp::CountOverTime | RangeOp::AbsentOverTime => n,
        RangeOp::Rate => sum() / range_s,
        RangeOp::BytesOverTime | RangeOp::SumOverTime => sum(),
        RangeOp::BytesRate => sum() / range_s,
        RangeOp::RateCounter => {
            // A counter's increase over the window (resets counted from zero), per second.
            let mut increase = 0.0;
            for pair in values.windows(2) {
                increase += if pair[1] >= pair[0] { pair[1] - pair[0] } else { pair[1] };
            }
            increase / range_s
        }
        RangeOp::AvgOverTime => lookout_promql::mean(values),
        RangeOp::MaxOverTime => lookout_promql::max(values.iter().copied()),
        RangeOp::MinOverTime => lookout_promql::min(values.iter().copied()),
        RangeOp::FirstOverTime => values[0],
        RangeOp::LastOverTime => values[values.len() - 1],
        RangeOp::StdvarOverTime => lookout_promql::variance(values.iter().copied()),
        RangeOp::StddevOverTime => lookout_promql::variance(values.iter().copied()).sqrt(),
        RangeOp::QuantileOverTime => lookout_promql::quantile(param?, &mut values.to_vec()),
    })
}
