//! The head: the in-memory part of the store that takes appends and answers selects.
//!
//! Series get ids in creation order, never reused; a series whose samples have all moved to
//! blocks is dropped by [`Head::gc`], leaving its slot empty. The postings map each `name=value`
//! pair to the sorted ids that carry it, so a select with equality matchers touches only
//! candidate series.

use std::collections::{HashMap, VecDeque};
use std::sync::RwLock;

use crate::postings::Postings;
use crate::{Batch, Labels, Matcher, Sample};

/// Why an append was refused. The batch's other samples are unaffected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppendError {
    #[error("out of order sample for {series}: timestamp {timestamp} is before the newest {newest}")]
    OutOfOrder { series: String, timestamp: i64, newest: i64 },
    #[error("series without a metric name: {series}")]
    NoMetricName { series: String },
    #[error("series labels are not valid UTF-8 in sorted order: {series}")]
    InvalidLabels { series: String },
    #[error("duplicate sample for timestamp {timestamp} with a different value for {series}")]
    Duplicate { series: String, timestamp: i64 },
    #[error("out of bounds: sample for {series} at {timestamp} is older than {min_valid}, which is already persisted")]
    OutOfBounds { series: String, timestamp: i64, min_valid: i64 },
    #[error("timestamp {timestamp} of {series} is out of the supported range (about ±146 million years)")]
    TimestampOutOfRange { series: String, timestamp: i64 },
}

/// A selected series with its samples inside the asked time range.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub labels: Labels,
    pub samples: Vec<Sample>,
}

/// How a long read is thinned: before `full_from` at most one sample per `every` ms, from it on
/// every sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thin {
    pub full_from: i64,
    pub every: i64,
}

impl Thin {
    /// Every sample.
    pub const NONE: Thin = Thin { full_from: i64::MIN, every: 0 };

    /// The samples in `[mint, maxt]` this thinning keeps, from samples in time order held in two
    /// parts (as a ring buffer holds them; the second may be empty): the range found by binary
    /// search, the whole part copied at once.
    pub fn slice(self, parts: [&[Sample]; 2], mint: i64, maxt: i64) -> Vec<Sample> {
        let bounds = |part: &[Sample]| {
            let lo = seek(part, mint);
            let hi = seek(part, maxt.saturating_add(1)).max(lo);
            (lo, seek(part, self.full_from).clamp(lo, hi), hi)
        };
        let [a, b] = parts;
        let ((a_lo, a_full, a_hi), (b_lo, b_full, b_hi)) = (bounds(a), bounds(b));
        let thinned = if self.every > 0 { (a_full - a_lo + b_full - b_lo) / 4 } else { a_full - a_lo + b_full - b_lo };
        let mut out = Vec::with_capacity(a_hi - a_full + b_hi - b_full + thinned + 1);
        let mut last_kept = i64::MIN;
        for (part, (lo, full, hi)) in [(a, (a_lo, a_full, a_hi)), (b, (b_lo, b_full, b_hi))] {
            for s in &part[lo..full] {
                if last_kept == i64::MIN || s.0 - last_kept >= self.every {
                    out.push(*s);
                    last_kept = s.0;
                }
            }
            out.extend_from_slice(&part[full..hi]);
        }
        out
    }
}

/// The index of the first sample at or after `t` in samples in time order (what
/// `partition_point(|s| s.0 < t)` answers), guessed from the first and last times and then
/// searched outward from the guess. Scrapes are regular, so the guess is mostly right: a read of
/// every series touches a few cache lines of each instead of a binary search's chain of
/// dependent misses, which `make bench BENCH=insight` measured as most of the Overview's read.
fn seek(part: &[Sample], t: i64) -> usize {
    let before = |i: usize| part[i].0 < t;
    let n = part.len();
    if n == 0 || !before(0) {
        return 0;
    }
    if before(n - 1) {
        return n;
    }
    // Here n >= 2 and the answer is in 1..n: bracket it between `lo` (before) and `hi` (not).
    let (first, last) = (i128::from(part[0].0), i128::from(part[n - 1].0));
    let offset = (i128::from(t) - first) * (n as i128 - 1) / (last - first);
    let guess = usize::try_from(offset).unwrap_or(0).clamp(1, n - 1);
    let (mut lo, mut hi) = (0, n - 1);
    let mut step = 1;
    if before(guess) {
        lo = guess;
        while lo + step < hi && before(lo + step) {
            lo += step;
            step *= 2;
        }
        hi = hi.min(lo + step);
    } else {
        hi = guess;
        while hi - lo > step && !before(hi - step) {
            hi -= step;
            step *= 2;
        }
        lo = lo.max(hi.saturating_sub(step));
    }
    lo + 1 + part[lo + 1..hi].partition_point(|s| s.0 < t)
}

/// Timestamps beyond this (in either direction) are refused, so time arithmetic never overflows.
const MAX_ABS_TIMESTAMP: i64 = 1 << 62;

/// A label set's key in [`Inner::ids`].
fn canonical(labels: &Labels) -> Box<[u8]> {
    let mut key = Vec::new();
    labels.write_canonical(&mut key);
    key.into()
}

struct Inner {
    /// Indexed by series id; `None` once a series is garbage-collected.
    series: Vec<Option<MemSeries>>,
    /// By the labels' canonical bytes ([`Labels::write_canonical`]), so appends find a series
    /// from a request's bytes. Seeded per process, so label sets chosen by a client cannot
    /// force hash collisions.
    ids: HashMap<Box<[u8]>, u32, foldhash::fast::RandomState>,
    postings: Postings,
    /// Samples before this time are refused: they belong to blocks already written.
    min_valid_time: i64,
}

struct MemSeries {
    labels: Labels,
    samples: VecDeque<Sample>,
}

/// The in-memory head. All methods take `&self`; appends and reads synchronise internally.
pub struct Head {
    inner: RwLock<Inner>,
}

impl Default for Head {
    fn default() -> Self {
        Head {
            inner: RwLock::new(Inner {
                series: Vec::new(),
                ids: HashMap::default(),
                postings: Postings::default(),
                min_valid_time: i64::MIN,
            }),
        }
    }
}

impl Head {
    pub fn new() -> Self {
        Self::default()
    }

    /// Refuses samples before `t` from now on (they belong to a persisted block).
    pub fn set_min_valid_time(&self, t: i64) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        inner.min_valid_time = inner.min_valid_time.max(t);
    }

    /// The oldest and newest sample time in the head, if any.
    pub fn time_range(&self) -> Option<(i64, i64)> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let mut range: Option<(i64, i64)> = None;
        for s in inner.series.iter().flatten() {
            if let (Some(first), Some(last)) = (s.samples.front(), s.samples.back()) {
                range = Some(range.map_or((first.0, last.0), |(lo, hi)| (lo.min(first.0), hi.max(last.0))));
            }
        }
        range
    }

    /// Appends one sample. The same sample again is accepted silently, as Prometheus does; the
    /// same timestamp with another value is a duplicate and an older timestamp is out of order.
    pub fn append(&self, labels: &Labels, t: i64, v: f64) -> Result<(), AppendError> {
        let key = canonical(labels);
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        let id = match inner.ids.get(&key) {
            Some(&id) => id,
            None => inner.create(&key, &mut |_: &Labels, _| Ok::<(), AppendError>(()))?.0,
        };
        inner.append_id(id, t, v).map(|_| ())
    }

    /// Appends a batch under one lock, reporting what a write-ahead log must record: the series
    /// created (id and labels, in creation order) and the samples accepted (by series id).
    /// `admit` decides whether a new series may be created, given how many series its metric
    /// already has; existing series skip it. Refused samples come back with their batch index.
    pub fn append_batch<E: From<AppendError>>(
        &self,
        batch: &Batch,
        mut admit: impl FnMut(&Labels, usize) -> Result<(), E>,
    ) -> BatchOutcome<E> {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        let mut outcome = BatchOutcome { created: Vec::new(), accepted: Vec::new(), refused: Vec::new() };
        // Each series of the batch is looked up once, however many samples it has.
        let mut resolved: Vec<Option<u32>> = vec![None; batch.series_count()];
        for (index, &(series, t, v)) in batch.samples().iter().enumerate() {
            let id = match resolved[series as usize] {
                Some(id) => id,
                None => {
                    let key = batch.key(series);
                    let id = match inner.ids.get(key) {
                        Some(&id) => id,
                        None => match inner.create(key, &mut admit) {
                            Ok((id, labels)) => {
                                outcome.created.push((id, labels));
                                id
                            }
                            Err(err) => {
                                outcome.refused.push((index, err));
                                continue;
                            }
                        },
                    };
                    resolved[series as usize] = Some(id);
                    id
                }
            };
            match inner.append_id(id, t, v) {
                Ok(true) => outcome.accepted.push((id, t, v)),
                Ok(false) => {}
                Err(err) => outcome.refused.push((index, err.into())),
            }
        }
        outcome
    }

    /// Recreates a series with a known id while replaying a log or checkpoint. Returns false
    /// when the id is taken by other labels (the log is inconsistent).
    pub fn replay_series(&self, id: u32, labels: &Labels) -> bool {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        let key = canonical(labels);
        if let Some(&existing) = inner.ids.get(&key) {
            return existing == id;
        }
        let slot = id as usize;
        if inner.series.len() <= slot {
            inner.series.resize_with(slot + 1, || None);
        }
        if inner.series[slot].is_some() {
            return false;
        }
        inner.series[slot] = Some(MemSeries { labels: labels.clone(), samples: VecDeque::new() });
        inner.ids.insert(key, id);
        inner.postings.add(id, labels);
        true
    }

    /// Appends a replayed sample by series id. Duplicates and older samples (already in the
    /// head from a checkpoint) are skipped; an unknown id is reported as false.
    pub fn replay_sample(&self, id: u32, t: i64, v: f64) -> bool {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if inner.series.get(id as usize).is_none_or(Option::is_none) {
            return false;
        }
        let _ = inner.append_id(id, t, v);
        true
    }

    /// Drops series without samples (all moved to blocks), so churned series do not pile up in
    /// memory, in checkpoints, or against the per-metric series limit. Returns how many went.
    pub fn gc(&self) -> usize {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        let mut removed = 0;
        let Inner { series, ids, postings, .. } = &mut *inner;
        for slot in series.iter_mut() {
            if slot.as_ref().is_some_and(|s| s.samples.is_empty())
                && let Some(s) = slot.take()
            {
                ids.remove(&canonical(&s.labels));
                removed += 1;
            }
        }
        if removed > 0 {
            *postings = Postings::default();
            for (id, s) in series.iter().enumerate() {
                if let Some(s) = s {
                    postings.add(id as u32, &s.labels);
                }
            }
        }
        removed
    }

    /// Every series' samples in `[mint, maxt)`, for writing a block.
    pub fn window(&self, mint: i64, maxt: i64) -> Vec<(Labels, Vec<Sample>)> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner
            .series
            .iter()
            .flatten()
            .map(|s| {
                (
                    s.labels.clone(),
                    s.samples.iter().filter(|(t, _)| *t >= mint && *t < maxt).copied().collect::<Vec<_>>(),
                )
            })
            .filter(|(_, samples)| !samples.is_empty())
            .collect()
    }

    /// Every series with its samples, for a checkpoint, in id order.
    pub fn snapshot(&self) -> Vec<(u32, Labels, Vec<Sample>)> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner
            .series
            .iter()
            .enumerate()
            .filter_map(|(id, s)| {
                s.as_ref().map(|s| (id as u32, s.labels.clone(), s.samples.iter().copied().collect()))
            })
            .collect()
    }

    /// Returns every series matching all matchers, with its samples in `[mint, maxt]`.
    /// Series with no sample in the range are left out.
    pub fn select(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Vec<Series> {
        self.select_thinned(matchers, mint, maxt, Thin::NONE)
    }

    /// [`Head::select`] with the samples before `thin.full_from` kept at most one per
    /// `thin.every` milliseconds: for reading a long window at the resolution a summary needs.
    pub fn select_thinned(&self, matchers: &[Matcher], mint: i64, maxt: i64, thin: Thin) -> Vec<Series> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner
            .candidates(matchers)
            .into_iter()
            .filter_map(|id| {
                let series = inner.series.get(id as usize)?.as_ref()?;
                let matches = matchers.iter().all(|m| m.matches(series.labels.get(&m.name).unwrap_or("")));
                if !matches {
                    return None;
                }
                let (a, b) = series.samples.as_slices();
                let samples = thin.slice([a, b], mint, maxt);
                (!samples.is_empty()).then(|| Series { labels: series.labels.clone(), samples })
            })
            .collect()
    }

    /// The label sets of matching series with at least one sample in `[mint, maxt]`.
    pub fn series(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Vec<Labels> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner
            .candidates(matchers)
            .into_iter()
            .filter_map(|id| inner.series.get(id as usize)?.as_ref())
            .filter(|s| matchers.iter().all(|m| m.matches(s.labels.get(&m.name).unwrap_or(""))))
            .filter(|s| s.samples.iter().any(|(t, _)| *t >= mint && *t <= maxt))
            .map(|s| s.labels.clone())
            .collect()
    }

    pub fn contains(&self, labels: &Labels) -> bool {
        self.inner.read().unwrap_or_else(|e| e.into_inner()).ids.contains_key(&canonical(labels))
    }

    /// How many series carry the label `name="value"`.
    pub fn count_with(&self, name: &str, value: &str) -> usize {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner.postings.count_with(name, value)
    }

    /// Every label name in the head, sorted.
    pub fn label_names(&self) -> Vec<String> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let mut names: Vec<String> = inner.postings.label_names().cloned().collect();
        names.sort();
        names
    }

    /// Every value of one label in the head, sorted.
    pub fn label_values(&self, name: &str) -> Vec<String> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let mut values: Vec<String> = inner.postings.label_values(name).cloned().collect();
        values.sort();
        values
    }

    /// Drops samples older than `mint`, bounding memory. Series keep their ids.
    pub fn truncate_before(&self, mint: i64) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        for series in inner.series.iter_mut().flatten() {
            while series.samples.front().is_some_and(|(t, _)| *t < mint) {
                series.samples.pop_front();
            }
        }
    }

    pub fn num_series(&self) -> usize {
        self.inner.read().unwrap_or_else(|e| e.into_inner()).ids.len()
    }
}

/// What [`Head::append_batch`] did.
#[derive(Debug)]
pub struct BatchOutcome<E> {
    pub created: Vec<(u32, Labels)>,
    pub accepted: Vec<(u32, i64, f64)>,
    pub refused: Vec<(usize, E)>,
}

impl Inner {
    /// Appends to a series by id: `Ok(true)` when stored, `Ok(false)` for an exact duplicate.
    fn append_id(&mut self, id: u32, t: i64, v: f64) -> Result<bool, AppendError> {
        let min_valid = self.min_valid_time;
        let Some(series) = self.series.get_mut(id as usize).and_then(Option::as_mut) else {
            return Err(AppendError::NoMetricName { series: format!("unknown series id {id}") });
        };
        if t.unsigned_abs() > MAX_ABS_TIMESTAMP as u64 {
            return Err(AppendError::TimestampOutOfRange { series: series.labels.to_string(), timestamp: t });
        }
        if t < min_valid {
            return Err(AppendError::OutOfBounds { series: series.labels.to_string(), timestamp: t, min_valid });
        }
        if let Some(&(newest, newest_v)) = series.samples.back() {
            if t < newest {
                return Err(AppendError::OutOfOrder { series: series.labels.to_string(), timestamp: t, newest });
            }
            if t == newest {
                // The same timestamp again: accepted silently when the value is the same.
                return if newest_v.to_bits() == v.to_bits() {
                    Ok(false)
                } else {
                    Err(AppendError::Duplicate { series: series.labels.to_string(), timestamp: t })
                };
            }
        }
        series.samples.push_back((t, v));
        Ok(true)
    }

    /// The series' id, creating it if needed; true when created.
    /// A new series for canonical bytes the head does not know, if they are valid labels with
    /// a metric name and `admit` lets them in.
    fn create<E: From<AppendError>>(
        &mut self,
        key: &[u8],
        admit: &mut impl FnMut(&Labels, usize) -> Result<(), E>,
    ) -> Result<(u32, Labels), E> {
        let Some(labels) = Labels::from_canonical(key) else {
            let series = String::from_utf8_lossy(key).replace(char::from(0xFFu8), " ");
            return Err(AppendError::InvalidLabels { series }.into());
        };
        let Some(name) = labels.metric_name() else {
            return Err(AppendError::NoMetricName { series: labels.to_string() }.into());
        };
        admit(&labels, self.postings.count_with(crate::METRIC_NAME, name))?;
        let id = u32::try_from(self.series.len()).expect("more than u32::MAX series");
        self.postings.add(id, &labels);
        self.series.push(Some(MemSeries { labels: labels.clone(), samples: VecDeque::new() }));
        self.ids.insert(key.into(), id);
        Ok((id, labels))
    }

    fn candidates(&self, matchers: &[Matcher]) -> Vec<u32> {
        self.postings.candidates(matchers, self.series.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_find_series_by_their_bytes_and_refuse_invalid_ones() {
        let head = Head::default();
        let known = series("m", &[("a", "1")]);
        head.append(&known, 1, 1.0).unwrap();
        let mut batch = Batch::default();
        let same = batch.add_series_pairs([(&b"__name__"[..], &b"m"[..]), (b"a", b"1")]);
        let fresh = batch.add_series_pairs([(&b"__name__"[..], &b"m"[..]), (b"a", b"2")]);
        let unsorted = batch.add_series_pairs([(&b"b"[..], &b"1"[..]), (b"__name__", b"m")]);
        let not_utf8 = batch.add_series_pairs([(&b"__name__"[..], &[0xC3u8][..])]);
        let nameless = batch.add_series_pairs([(&b"a"[..], &b"3"[..])]);
        for (i, s) in [same, fresh, same, unsorted, not_utf8, nameless, fresh].into_iter().enumerate() {
            batch.add_sample(s, 10 + i as i64, 2.0);
        }
        let outcome = head.append_batch::<AppendError>(&batch, |_, _| Ok(()));
        // The known series is found, the fresh one created once for both its samples.
        assert_eq!(outcome.created, vec![(1, series("m", &[("a", "2")]))]);
        assert_eq!(outcome.accepted.len(), 4);
        let refused: Vec<(usize, String)> = outcome.refused.iter().map(|(i, e)| (*i, e.to_string())).collect();
        assert_eq!(refused.len(), 3);
        assert!(refused[0].0 == 3 && refused[0].1.contains("not valid UTF-8 in sorted order"), "{refused:?}");
        assert!(refused[1].0 == 4 && refused[1].1.contains("not valid UTF-8"), "{refused:?}");
        assert!(refused[2].0 == 5 && refused[2].1.contains("without a metric name"), "{refused:?}");
        assert_eq!(head.num_series(), 2);
    }

    fn series(name: &str, pairs: &[(&str, &str)]) -> Labels {
        Labels::from_pairs(std::iter::once(("__name__", name)).chain(pairs.iter().copied()))
    }

    fn check(head: &Head, matchers: &[Matcher], expected: &[&str]) {
        let mut got: Vec<String> =
            head.select(matchers, i64::MIN, i64::MAX).iter().map(|s| s.labels.to_string()).collect();
        got.sort();
        assert_eq!(got, expected);
    }

    #[test]
    fn thinned_reads_keep_the_recent_part_whole() {
        let head = Head::new();
        let labels = series("g", &[]);
        for t in 0..100 {
            head.append(&labels, t * 10, t as f64).unwrap();
        }
        let read = |thin| head.select_thinned(&[], 0, 1000, thin)[0].samples.iter().map(|s| s.0).collect::<Vec<_>>();
        let thinned = read(Thin { full_from: 900, every: 100 });
        assert_eq!(&thinned[..9], [0, 100, 200, 300, 400, 500, 600, 700, 800]);
        assert_eq!(&thinned[9..], (90..100).map(|t| t * 10).collect::<Vec<_>>());
        assert_eq!(read(Thin::NONE).len(), 100);
        // The same by searching as by walking every sample, whichever way the samples are split
        // in two parts.
        let all: Vec<Sample> = (0..100).map(|t| (t * 10, t as f64)).collect();
        let walk = |thin: Thin, mint: i64, maxt: i64| {
            let mut last_kept = i64::MIN;
            let mut kept = Vec::new();
            for &(t, v) in all.iter().filter(|s| s.0 >= mint && s.0 <= maxt) {
                if t >= thin.full_from || last_kept == i64::MIN || t - last_kept >= thin.every {
                    kept.push((t, v));
                    last_kept = t;
                }
            }
            kept
        };
        for (mint, maxt, thin) in [
            (0, 1000, Thin { full_from: 900, every: 100 }),
            (55, 555, Thin { full_from: 300, every: 35 }),
            (0, 1000, Thin::NONE),
            (2000, 3000, Thin::NONE),
        ] {
            for split in [0, 37, 100] {
                let (a, b) = all.split_at(split);
                assert_eq!(thin.slice([a, b], mint, maxt), walk(thin, mint, maxt), "{mint} {maxt} {thin:?} {split}");
            }
        }
    }

    /// The guess-and-gallop search answers as a binary search does, however unevenly the samples
    /// are spaced: regular scrapes, a long gap, a burst, one sample, none, and times at and
    /// beyond either end.
    #[test]
    fn seek_agrees_with_a_binary_search() {
        let regular: Vec<i64> = (0..300).map(|i| i * 15).collect();
        let gap: Vec<i64> = (0..50).map(|i| i * 15).chain((0..50).map(|i| 100_000 + i)).collect();
        let burst: Vec<i64> = (0..40).chain([10_000, 20_000, 30_000]).chain((0..40).map(|i| 40_000 + i * 3)).collect();
        let squared: Vec<i64> = (0..200).map(|i| i * i).collect();
        for times in [regular, gap, burst, squared, vec![7], vec![]] {
            let part: Vec<Sample> = times.iter().map(|&t| (t, 0.0)).collect();
            let last = times.last().copied().unwrap_or(0);
            let probes = (-5..=last + 5).step_by(1.max(last as usize / 997)).chain(times.iter().copied());
            for t in probes.chain([i64::MIN, i64::MAX, -(1 << 62), 1 << 62]) {
                assert_eq!(seek(&part, t), part.partition_point(|s| s.0 < t), "t = {t} in {times:?}");
            }
        }
    }

    #[test]
    fn select_by_matchers() {
        let head = Head::new();
        head.append(&series("up", &[("job", "api")]), 1, 1.0).unwrap();
        head.append(&series("up", &[("job", "db")]), 1, 0.0).unwrap();
        head.append(&series("up", &[("job", "db"), ("env", "prod")]), 1, 1.0).unwrap();
        head.append(&series("errors", &[("job", "api")]), 1, 3.0).unwrap();

        check(
            &head,
            &[Matcher::equal("__name__", "up"), Matcher::equal("job", "db")],
            &[r#"up{env="prod", job="db"}"#, r#"up{job="db"}"#],
        );
        check(
            &head,
            &[Matcher::equal("__name__", "up"), Matcher::equal("env", "")],
            &[r#"up{job="api"}"#, r#"up{job="db"}"#],
        );
        check(&head, &[Matcher::regex("job", "a.*").unwrap()], &[r#"errors{job="api"}"#, r#"up{job="api"}"#]);
        check(&head, &[Matcher::equal("job", "nope")], &[]);
    }

    #[test]
    fn time_range_and_out_of_order() {
        let head = Head::new();
        let s = series("x", &[]);
        for t in [10, 20, 30] {
            head.append(&s, t, t as f64).unwrap();
        }
        head.append(&s, 30, 30.0).unwrap(); // the same sample again: accepted, stored once
        assert!(matches!(head.append(&s, 30, 99.0), Err(AppendError::Duplicate { .. })));
        let err = head.append(&s, 5, 1.0).unwrap_err();
        assert!(matches!(err, AppendError::OutOfOrder { newest: 30, .. }));
        let got = head.select(&[Matcher::equal("__name__", "x")], 15, 30);
        assert_eq!(got[0].samples, vec![(20, 20.0), (30, 30.0)]);
        head.truncate_before(25);
        let got = head.select(&[Matcher::equal("__name__", "x")], i64::MIN, i64::MAX);
        assert_eq!(got[0].samples, vec![(30, 30.0)]);
    }

    #[test]
    fn label_names_values_and_series() {
        let head = Head::new();
        head.append(&series("up", &[("job", "b")]), 10, 1.0).unwrap();
        head.append(&series("up", &[("job", "a")]), 20, 1.0).unwrap();
        assert_eq!(head.label_names(), ["__name__", "job"]);
        assert_eq!(head.label_values("job"), ["a", "b"]);
        let found = head.series(&[Matcher::equal("__name__", "up")], 15, 30);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].get("job"), Some("a"));
    }

    #[test]
    fn refuses_series_without_name() {
        let head = Head::new();
        let err = head.append(&Labels::from_pairs([("job", "a")]), 1, 1.0).unwrap_err();
        assert!(matches!(err, AppendError::NoMetricName { .. }));
        assert_eq!(head.num_series(), 0);
    }
}
