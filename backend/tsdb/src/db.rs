//! The durable store: the head in memory, the write-ahead log on disk, checkpoints that keep the
//! log short, and the limits that protect both. A write is acknowledged only after its samples
//! are fsynced in the log.

use std::collections::{HashMap, HashSet};

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use crate::block::{self, Block};
use crate::wal::{self, Record, ReplayReport, Wal};
use crate::{AppendError, Batch, Head, Labels, METRIC_NAME, Matcher, Series, Thin};

/// The time window of one block cut from the head.
pub const BLOCK_RANGE_MS: i64 = 2 * 60 * 60 * 1000;

/// Windows that complete runs of smaller blocks are merged into: fewer, larger blocks mean
/// fewer files, a smaller index per sample and fewer block look-ups per query.
pub const MERGED_RANGES_MS: [i64; 2] = [12 * 60 * 60 * 1000, 48 * 60 * 60 * 1000];

/// Bounds on what one series may look like; a sample breaking one is refused with a clear
/// error, and the rest of its batch is still stored.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_labels_per_series: usize,
    pub max_label_name_bytes: usize,
    pub max_label_value_bytes: usize,
    pub max_series_per_metric: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_labels_per_series: 64,
            max_label_name_bytes: 1024,
            max_label_value_bytes: 16 * 1024,
            max_series_per_metric: 200_000,
        }
    }
}

/// Why a sample was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SampleError {
    #[error(transparent)]
    Append(#[from] AppendError),
    #[error("series {series} has {count} labels, more than the limit of {limit}")]
    TooManyLabels { series: String, count: usize, limit: usize },
    #[error("label {name:?} of series {series} is longer than the limit of {limit} bytes")]
    LabelTooLong { series: String, name: String, limit: usize },
    #[error("metric {metric:?} already has {limit} series, the limit; new series are refused")]
    TooManySeries { metric: String, limit: usize },
}

/// The outcome of one batch: how many samples were stored, and each refused one by its index.
#[derive(Debug, Default)]
pub struct AppendResult {
    pub accepted: usize,
    pub refused: Vec<(usize, SampleError)>,
}

/// What opening found on disk.
#[derive(Debug, Default)]
pub struct OpenReport {
    pub blocks: usize,
    pub checkpoint: Option<PathBuf>,
    pub series: usize,
    pub wal: ReplayReport,
}

pub struct Db {
    head: Arc<Head>,
    /// Persisted blocks, oldest first; all older than anything the head accepts.
    blocks: RwLock<Vec<Arc<Block>>>,
    blocks_dir: PathBuf,
    wal: Wal,
    wal_dir: PathBuf,
    limits: Limits,
    /// Orders head updates and their log records, so replay sees a series before its samples.
    append_lock: Mutex<()>,
}

const CHECKPOINT_PREFIX: &str = "checkpoint.";

impl Db {
    /// Opens (or creates) the store in `dir`: loads the newest checkpoint, replays the log after
    /// it, and cuts off a torn tail.
    pub fn open(dir: &Path, limits: Limits) -> io::Result<(Db, OpenReport)> {
        let wal_dir = dir.join("wal");
        std::fs::create_dir_all(&wal_dir)?;
        let blocks_dir = dir.join("blocks");
        let blocks = block::open_all(&blocks_dir)?;
        let head = Arc::new(Head::new());
        if let Some(last) = blocks.last() {
            head.set_min_valid_time(last.maxt);
        }
        let mut report = OpenReport { blocks: blocks.len(), ..OpenReport::default() };
        let mut first = 0;
        if let Some((n, path)) = newest_checkpoint(&wal_dir)? {
            match wal::read_file(&path)? {
                Some(records) => {
                    records.into_iter().for_each(|r| apply(&head, r));
                    first = n;
                    report.checkpoint = Some(path);
                }
                None => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("checkpoint {} is damaged; move it away to start from the log alone", path.display()),
                    ));
                }
            }
        }
        let (wal, replay) = Wal::open(&wal_dir, first, |r| apply(&head, r))?;
        report.wal = replay;
        report.series = head.num_series();
        let blocks = RwLock::new(blocks.into_iter().map(Arc::new).collect());
        Ok((Db { head, blocks, blocks_dir, wal, wal_dir, limits, append_lock: Mutex::new(()) }, report))
    }

    pub fn head(&self) -> &Arc<Head> {
        &self.head
    }

    /// Stores a batch durably. Samples that break a limit or arrive out of order are refused
    /// one by one; the call fails only if the log cannot be written (then nothing is acknowledged).
    pub fn append(&self, samples: &[(Labels, i64, f64)]) -> io::Result<AppendResult> {
        self.append_batch(&Batch::from_samples(samples))
    }

    /// [`Db::append`] for a [`Batch`]; refusals name positions in [`Batch::samples`].
    pub fn append_batch(&self, batch: &Batch) -> io::Result<AppendResult> {
        let mut result = AppendResult::default();
        let seq = {
            let _order = self.append_lock.lock().unwrap_or_else(|e| e.into_inner());
            let outcome = self.head.append_batch(batch, |labels, existing| self.check_limits(labels, existing));
            result.accepted = outcome.accepted.len();
            result.refused = outcome.refused;
            let mut records = Vec::with_capacity(2);
            if !outcome.created.is_empty() {
                records.push(Record::Series(outcome.created));
            }
            if !outcome.accepted.is_empty() {
                records.push(Record::Samples(outcome.accepted));
            }
            // Even with nothing new to log (a retried batch, all duplicates), the caller waits
            // for everything queued before: the original may still be on its way to disk.
            self.wal.queue(&records)?
        };
        self.wal.wait(seq)?;
        result.refused.sort_by_key(|(i, _)| *i);
        Ok(result)
    }

    /// Whether a new series may be created: label count and lengths, and the number of series
    /// its metric already has. Existing series were checked when they were created.
    fn check_limits(&self, labels: &Labels, existing_for_metric: usize) -> Result<(), SampleError> {
        let l = &self.limits;
        if labels.len() > l.max_labels_per_series {
            return Err(SampleError::TooManyLabels {
                series: truncate(&labels.to_string()),
                count: labels.len(),
                limit: l.max_labels_per_series,
            });
        }
        for label in labels.iter() {
            let (too_long, limit) = if label.name.len() > l.max_label_name_bytes {
                (true, l.max_label_name_bytes)
            } else {
                (label.value.len() > l.max_label_value_bytes, l.max_label_value_bytes)
            };
            if too_long {
                return Err(SampleError::LabelTooLong {
                    series: truncate(&labels.to_string()),
                    name: truncate(&label.name),
                    limit,
                });
            }
        }
        if existing_for_metric >= l.max_series_per_metric {
            let metric = labels.get(METRIC_NAME).unwrap_or("").to_string();
            return Err(SampleError::TooManySeries { metric, limit: l.max_series_per_metric });
        }
        Ok(())
    }

    fn blocks(&self) -> Vec<Arc<Block>> {
        self.blocks.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Matching series with their samples in `[mint, maxt]`, from blocks and head together.
    pub fn select(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> io::Result<Vec<Series>> {
        self.select_thinned(matchers, mint, maxt, Thin::NONE)
    }

    /// [`Db::select`] thinned as [`Thin`] says.
    pub fn select_thinned(&self, matchers: &[Matcher], mint: i64, maxt: i64, thin: Thin) -> io::Result<Vec<Series>> {
        let blocks: Vec<Arc<Block>> = self.blocks().into_iter().filter(|b| b.maxt > mint && b.mint <= maxt).collect();
        // Recent ranges are often the head's alone: nothing to merge.
        if blocks.is_empty() {
            return Ok(self.head.select_thinned(matchers, mint, maxt, thin));
        }
        let mut merged: HashMap<Labels, Vec<(i64, f64)>> = HashMap::new();
        for block in &blocks {
            for s in block.select(matchers, mint, maxt)? {
                merged.entry(s.labels).or_default().extend(s.samples);
            }
        }
        for s in self.head.select(matchers, mint, maxt) {
            merged.entry(s.labels).or_default().extend(s.samples);
        }
        // Blocks are older than the head and come oldest first, so each list is in time order.
        Ok(merged
            .into_iter()
            .map(|(labels, samples)| Series { samples: thin.slice([&samples, &[]], i64::MIN, i64::MAX), labels })
            .collect())
    }

    /// Label sets of matching series with data in `[mint, maxt]`.
    pub fn series(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Vec<Labels> {
        let mut found: HashSet<Labels> = self.head.series(matchers, mint, maxt).into_iter().collect();
        for block in self.blocks().iter().filter(|b| b.maxt > mint && b.mint <= maxt) {
            found.extend(block.series(matchers, mint, maxt));
        }
        let mut found: Vec<Labels> = found.into_iter().collect();
        found.sort();
        found
    }

    pub fn label_names(&self) -> Vec<String> {
        let mut names: HashSet<String> = self.head.label_names().into_iter().collect();
        for block in self.blocks() {
            names.extend(block.label_names().cloned());
        }
        let mut names: Vec<String> = names.into_iter().collect();
        names.sort();
        names
    }

    pub fn label_values(&self, name: &str) -> Vec<String> {
        let mut values: HashSet<String> = self.head.label_values(name).into_iter().collect();
        for block in self.blocks() {
            values.extend(block.label_values(name).cloned());
        }
        let mut values: Vec<String> = values.into_iter().collect();
        values.sort();
        values
    }

    /// Cuts every full window of the head that no in-order write can reach any more (the head
    /// runs half a window past it) into a compressed block, drops it from the head, and
    /// checkpoints the log. Returns the blocks written.
    pub fn compact(&self) -> io::Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        while let Some((head_min, head_max)) = self.head.time_range() {
            let start = head_min.div_euclid(BLOCK_RANGE_MS) * BLOCK_RANGE_MS;
            let end = start + BLOCK_RANGE_MS;
            if head_max < end + BLOCK_RANGE_MS / 2 {
                break;
            }
            // Close the window to writes first, so nothing can be acknowledged into it while
            // the block is written and then be truncated away.
            {
                let _order = self.append_lock.lock().unwrap_or_else(|e| e.into_inner());
                self.head.set_min_valid_time(end);
            }
            let series = self.head.window(start, end);
            let path = block::write(&self.blocks_dir, start, end, &series)?;
            let opened = Block::open(&path)?;
            {
                let _order = self.append_lock.lock().unwrap_or_else(|e| e.into_inner());
                self.blocks.write().unwrap_or_else(|e| e.into_inner()).push(Arc::new(opened));
                self.head.truncate_before(end);
                self.head.gc();
            }
            written.push(path);
        }
        if !written.is_empty() {
            self.checkpoint()?;
        }
        Ok(written)
    }

    /// Merges the blocks of each complete 12-hour (then 48-hour) window into one. A window is
    /// complete when a newer block exists, so no more data can land in it. Returns the blocks
    /// written.
    pub fn merge_blocks(&self) -> io::Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        for range in MERGED_RANGES_MS {
            loop {
                let blocks = self.blocks();
                let newest = blocks.iter().map(|b| b.maxt).max().unwrap_or(i64::MIN);
                let group = blocks.iter().map(|b| b.mint.div_euclid(range) * range).find(|&start| {
                    let members = blocks.iter().filter(|b| b.mint >= start && b.maxt <= start + range).count();
                    members >= 2 && start + range < newest
                });
                let Some(start) = group else { break };
                let end = start + range;
                let members: Vec<Arc<Block>> =
                    blocks.into_iter().filter(|b| b.mint >= start && b.maxt <= end).collect();
                let mut merged: HashMap<Labels, Vec<(i64, f64)>> = HashMap::new();
                for block in &members {
                    for (labels, samples) in block.all_series()? {
                        merged.entry(labels).or_default().extend(samples);
                    }
                }
                let series: Vec<(Labels, Vec<(i64, f64)>)> = merged.into_iter().collect();
                let path = block::write(&self.blocks_dir, start, end, &series)?;
                let opened = Arc::new(Block::open(&path)?);
                {
                    let mut list = self.blocks.write().unwrap_or_else(|e| e.into_inner());
                    list.retain(|b| !(b.mint >= start && b.maxt <= end));
                    list.push(opened);
                    list.sort_by_key(|b| b.mint);
                }
                for block in members {
                    std::fs::remove_dir_all(&block.dir)?;
                }
                written.push(path);
            }
        }
        Ok(written)
    }

    /// Deletes blocks entirely older than `min_time`, and head samples before it.
    pub fn retain(&self, min_time: i64) -> io::Result<usize> {
        let expired: Vec<Arc<Block>> = {
            let mut blocks = self.blocks.write().unwrap_or_else(|e| e.into_inner());
            let (old, keep): (Vec<_>, Vec<_>) = blocks.drain(..).partition(|b| b.maxt <= min_time);
            *blocks = keep;
            old
        };
        for block in &expired {
            std::fs::remove_dir_all(&block.dir)?;
        }
        self.head.truncate_before(min_time);
        Ok(expired.len())
    }

    /// Samples, chunk bytes and index bytes in persisted blocks, for the bytes-per-sample figure.
    pub fn block_stats(&self) -> (u64, u64, u64) {
        self.blocks().iter().fold((0, 0, 0), |(samples, chunks, index), b| {
            let (c, i) = b.sizes();
            (samples + b.samples, chunks + c, index + i)
        })
    }

    /// Folds the log into a checkpoint of the head as it is now, then deletes the segments and
    /// older checkpoints it replaces. Call after trimming the head, to bound the log's size.
    pub fn checkpoint(&self) -> io::Result<PathBuf> {
        let segment = {
            let _order = self.append_lock.lock().unwrap_or_else(|e| e.into_inner());
            self.wal.rotate()?
        };
        // Taken after the rotation, the snapshot holds everything in the segments it replaces
        // (and possibly a little more, which replay skips as duplicates).
        let snapshot = self.head.snapshot();
        let mut series = Vec::with_capacity(snapshot.len());
        let mut samples = Vec::new();
        for (id, labels, points) in snapshot {
            series.push((id, labels));
            samples.extend(points.into_iter().map(|(t, v)| (id, t, v)));
        }
        let tmp = self.wal_dir.join("checkpoint.tmp");
        wal::write_file(&tmp, &[Record::Series(series), Record::Samples(samples)])?;
        let path = self.wal_dir.join(format!("{CHECKPOINT_PREFIX}{}", wal::segment_name(segment)));
        std::fs::rename(&tmp, &path)?;
        std::fs::File::open(&self.wal_dir)?.sync_all()?;
        for (n, old) in wal::segments(&self.wal_dir)? {
            if n < segment {
                std::fs::remove_file(old)?;
            }
        }
        for entry in std::fs::read_dir(&self.wal_dir)? {
            let old = entry?.path();
            let is_older = checkpoint_number(&old).is_some_and(|n| n < segment);
            if is_older {
                std::fs::remove_file(old)?;
            }
        }
        Ok(path)
    }
}

fn truncate(text: &str) -> String {
    if text.len() <= 120 {
        return text.to_string();
    }
    let mut end = 120;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

fn apply(head: &Head, record: Record) {
    match record {
        Record::Series(series) => {
            for (id, labels) in series {
                head.replay_series(id, &labels);
            }
        }
        Record::Samples(samples) => {
            for (id, t, v) in samples {
                head.replay_sample(id, t, v);
            }
        }
    }
}

fn checkpoint_number(path: &Path) -> Option<u64> {
    path.file_name()?.to_str()?.strip_prefix(CHECKPOINT_PREFIX)?.parse().ok()
}

fn newest_checkpoint(dir: &Path) -> io::Result<Option<(u64, PathBuf)>> {
    let mut newest = None;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if let Some(n) = checkpoint_number(&path)
            && newest.as_ref().is_none_or(|(m, _)| n > *m)
        {
            newest = Some((n, path));
        }
    }
    Ok(newest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Matcher;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lookout-db-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn series(i: usize) -> Labels {
        Labels::from_pairs([("__name__", "m".to_string()), ("i", i.to_string())])
    }

    fn stored(db: &Db) -> usize {
        db.head().select(&[Matcher::equal("__name__", "m")], i64::MIN, i64::MAX).iter().map(|s| s.samples.len()).sum()
    }

    #[test]
    fn survives_reopen_checkpoint_and_torn_tail() {
        let dir = temp_dir("reopen");
        {
            let (db, _) = Db::open(&dir, Limits::default()).unwrap();
            let batch: Vec<_> = (0..10).map(|i| (series(i % 3), i as i64, i as f64)).collect();
            let result = db.append(&batch).unwrap();
            assert_eq!(result.accepted, 10);
        }
        let (db, report) = Db::open(&dir, Limits::default()).unwrap();
        assert_eq!((report.series, stored(&db)), (3, 10));
        db.checkpoint().unwrap();
        db.append(&[(series(1), 100, 1.0)]).unwrap();
        drop(db);

        // Damage the end of the newest segment: the last record goes, the rest stays.
        let (_, newest) = wal::segments(&dir.join("wal")).unwrap().pop().unwrap();
        let len = std::fs::metadata(&newest).unwrap().len();
        std::fs::OpenOptions::new().write(true).open(&newest).unwrap().set_len(len - 3).unwrap();
        let (db, report) = Db::open(&dir, Limits::default()).unwrap();
        assert!(report.checkpoint.is_some());
        assert_eq!(report.wal.truncated_bytes, len - 3);
        assert_eq!(stored(&db), 10, "the checkpoint keeps the first ten, the torn sample is gone");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn compaction_cuts_blocks_that_queries_and_reopens_see() {
        let dir = temp_dir("compact");
        let (db, _) = Db::open(&dir, Limits::default()).unwrap();
        // Five hours of one sample a minute for two series.
        let mut batch: Vec<_> =
            (0..300).flat_map(|m| (0..2).map(move |i| (series(i), m as i64 * 60_000, m as f64))).collect();
        // A third series lives only in the first hour: after compaction it is in the block alone.
        batch.extend((0..60).map(|m| (series(2), m as i64 * 60_000, 1.0)));
        db.append(&batch).unwrap();
        let written = db.compact().unwrap();
        assert_eq!(written.len(), 1, "the first two-hour window is complete (the head runs 3 h past it)");
        assert_eq!(db.head().time_range().unwrap().0, BLOCK_RANGE_MS);
        let all = db.select(&[Matcher::equal("__name__", "m")], i64::MIN, i64::MAX).unwrap();
        assert_eq!(all.iter().map(|s| s.samples.len()).sum::<usize>(), 660);
        assert!(all.iter().all(|s| s.samples.windows(2).all(|w| w[0].0 < w[1].0)));
        assert_eq!(db.head().num_series(), 2, "the series with nothing left in the head is collected");
        // Old samples can no longer enter the head: their window is persisted.
        let late = db.append(&[(series(0), 1_000, 1.0)]).unwrap();
        assert!(late.refused[0].1.to_string().contains("out of bounds"));
        let (samples, chunk_bytes, index_bytes) = db.block_stats();
        assert_eq!(samples, 300);
        let bytes = chunk_bytes + index_bytes;
        drop(db);
        let (db, report) = Db::open(&dir, Limits::default()).unwrap();
        assert_eq!(report.blocks, 1);
        let all = db.select(&[Matcher::equal("__name__", "m")], i64::MIN, i64::MAX).unwrap();
        assert_eq!(all.iter().map(|s| s.samples.len()).sum::<usize>(), 660);
        assert!(bytes > 0);
        assert_eq!(db.retain(BLOCK_RANGE_MS).unwrap(), 1);
        assert_eq!(db.select(&[Matcher::equal("i", "0")], i64::MIN, i64::MAX).unwrap()[0].samples.len(), 180);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn complete_windows_of_blocks_are_merged() {
        let dir = temp_dir("merge");
        let (db, _) = Db::open(&dir, Limits::default()).unwrap();
        // Fifteen hours, one sample a minute: six two-hour blocks fill the first 12-hour window.
        let batch: Vec<_> = (0..15 * 60).map(|m| (series(0), m as i64 * 60_000, m as f64)).collect();
        db.append(&batch).unwrap();
        assert_eq!(db.compact().unwrap().len(), 6);
        assert_eq!(db.merge_blocks().unwrap().len(), 0, "the 12-hour window has no newer block yet");
        db.append(&(15 * 60..17 * 60).map(|m| (series(0), m as i64 * 60_000, m as f64)).collect::<Vec<_>>()).unwrap();
        assert_eq!(db.compact().unwrap().len(), 1);
        assert_eq!(db.merge_blocks().unwrap().len(), 1);
        assert_eq!(db.blocks().len(), 2);
        let all = db.select(&[Matcher::equal("__name__", "m")], i64::MIN, i64::MAX).unwrap();
        assert_eq!(all[0].samples.len(), 17 * 60);
        assert!(all[0].samples.windows(2).all(|w| w[0].0 + 60_000 == w[1].0));
        drop(db);
        let (db, report) = Db::open(&dir, Limits::default()).unwrap();
        assert_eq!(report.blocks, 2);
        assert_eq!(db.select(&[Matcher::equal("i", "0")], i64::MIN, i64::MAX).unwrap()[0].samples.len(), 17 * 60);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn limits_refuse_single_samples() {
        let dir = temp_dir("limits");
        let limits = Limits { max_series_per_metric: 2, max_label_value_bytes: 8, ..Limits::default() };
        let (db, _) = Db::open(&dir, limits).unwrap();
        let long = Labels::from_pairs([("__name__", "m"), ("i", "0123456789")]);
        let batch =
            vec![(series(0), 1, 1.0), (long, 1, 1.0), (series(1), 1, 1.0), (series(2), 1, 1.0), (series(0), 0, 1.0)];
        let result = db.append(&batch).unwrap();
        assert_eq!(result.accepted, 2);
        let refused: Vec<(usize, String)> = result.refused.iter().map(|(i, e)| (*i, e.to_string())).collect();
        assert_eq!(refused.len(), 3, "{refused:?}");
        assert!(refused[0].1.contains("longer than the limit of 8 bytes"), "{refused:?}");
        assert!(refused[1].1.contains("already has 2 series"), "{refused:?}");
        assert_eq!(refused[1].0, 3);
        assert!(refused[2].1.contains("out of order"), "{refused:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
