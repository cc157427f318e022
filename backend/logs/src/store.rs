//! The durable log store: a write-ahead log in front of the in-memory head, the head cut into
//! compressed, indexed blocks when it grows or ages, retention by age, and scans over all of it.
//!
//! Layout under the store's directory: `wal/` (segments, see `lookout-wal`) and `blocks/`
//! (`NNNNNNNN.lkb`, see `docs/format.md`). Every block records the first WAL segment it does not
//! cover, so a crash between writing a block and deleting the segments it holds replays nothing
//! twice.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

use lookout_tsdb::Labels;
use lookout_wal::{Reader, WalRecord};

use crate::block::{self, Block, FieldSummary};
use crate::entry::Entry;
use crate::head::Head;
use crate::scan::{self, BlockPlan, Candidate, ReadPage};
use crate::select::{Order, Row, Selection, Visitor};

/// The head is cut into a block past this much text...
pub const HEAD_BYTES: usize = 64 << 20;
/// ...or when its first entry arrived this long ago, so blocks stay time-partitioned.
pub const HEAD_AGE: Duration = Duration::from_secs(3600);

/// The write-ahead log's record: one acknowledged batch of entries.
#[derive(Debug)]
struct Batch(Vec<Entry>);

impl WalRecord for Batch {
    fn encode_payload(&self, out: &mut Vec<u8>) {
        use lookout_wal::bytes::put_varint;
        let put = |out: &mut Vec<u8>, b: &[u8]| {
            put_varint(out, b.len() as u64);
            out.extend_from_slice(b);
        };
        put_varint(out, self.0.len() as u64);
        for e in &self.0 {
            out.extend_from_slice(&e.ts.to_le_bytes());
            put_varint(out, e.stream.len() as u64);
            for l in e.stream.iter() {
                put(out, l.name.as_bytes());
                put(out, l.value.as_bytes());
            }
            put(out, e.line.as_bytes());
        }
    }

    fn decode_payload(payload: &[u8]) -> Option<Batch> {
        let mut r = Reader::new(payload, 0);
        let n = r.varint()?;
        let mut entries = Vec::with_capacity(n.min(1 << 16) as usize);
        let string = |r: &mut Reader| String::from_utf8(r.bytes()?.to_vec()).ok();
        for _ in 0..n {
            let ts = r.u64()? as i64;
            let mut pairs = Vec::new();
            for _ in 0..r.varint()? {
                pairs.push((string(&mut r)?, string(&mut r)?));
            }
            entries.push(Entry { ts, stream: Labels::from_pairs(pairs), line: string(&mut r)? });
        }
        r.at_end().then_some(Batch(entries))
    }
}

/// What opening found, for the start-up log line.
#[derive(Debug, Default)]
pub struct OpenReport {
    pub blocks: usize,
    pub replayed_entries: usize,
    pub wal_truncated_bytes: u64,
    /// Blocks that could not be read, moved aside as `*.broken` rather than served half.
    pub broken_blocks: Vec<String>,
}

/// Sizes for `/metrics` and the benchmarks.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub blocks: usize,
    pub block_bytes: u64,
    pub block_rows: u64,
    pub head_rows: usize,
    pub head_bytes: usize,
    /// The time span of the blocks, Unix ns (`i64::MAX`, `i64::MIN` when there are none).
    pub min_ts: i64,
    pub max_ts: i64,
}

pub struct LogStore {
    blocks_dir: PathBuf,
    wal_dir: PathBuf,
    wal: lookout_wal::Wal<Batch>,
    /// Orders WAL records like the head, and cuts against appends.
    append_lock: Mutex<()>,
    head: RwLock<Head>,
    /// Heads being written as blocks: still scanned until their block is open.
    cutting: RwLock<Vec<Arc<Head>>>,
    blocks: RwLock<Vec<Arc<Block>>>,
    next_block: AtomicU64,
    cut_running: AtomicBool,
}

impl LogStore {
    pub fn open(dir: &Path) -> io::Result<(LogStore, OpenReport)> {
        let blocks_dir = dir.join("blocks");
        let wal_dir = dir.join("wal");
        std::fs::create_dir_all(&blocks_dir)?;
        let mut report = OpenReport::default();
        let mut blocks = Vec::new();
        let mut next_block = 1;
        let mut names: Vec<PathBuf> =
            std::fs::read_dir(&blocks_dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
        names.sort();
        for path in names {
            match path.extension().and_then(|e| e.to_str()) {
                Some("tmp") => std::fs::remove_file(&path)?,
                Some("lkb") => {
                    if let Some(n) = path.file_stem().and_then(|s| s.to_str()).and_then(|s| s.parse::<u64>().ok()) {
                        next_block = next_block.max(n + 1);
                    }
                    match Block::open(&path) {
                        Ok(block) => blocks.push(Arc::new(block)),
                        Err(err) => {
                            report.broken_blocks.push(err.to_string());
                            std::fs::rename(&path, path.with_extension("broken"))?;
                        }
                    }
                }
                _ => {}
            }
        }
        let wal_first = blocks.iter().map(|b| b.wal_upto).max().unwrap_or(0);
        let mut head = Head::default();
        let (wal, replay) = lookout_wal::Wal::open(&wal_dir, wal_first, |Batch(entries)| {
            report.replayed_entries += entries.len();
            entries.into_iter().for_each(|e| head.push(e));
        })?;
        for (n, path) in lookout_wal::segments(&wal_dir)? {
            if n < wal_first {
                std::fs::remove_file(path)?;
            }
        }
        report.blocks = blocks.len();
        report.wal_truncated_bytes = replay.truncated_bytes;
        let store = LogStore {
            blocks_dir,
            wal_dir,
            wal,
            append_lock: Mutex::new(()),
            head: RwLock::new(head),
            cutting: RwLock::new(Vec::new()),
            blocks: RwLock::new(blocks),
            next_block: AtomicU64::new(next_block),
            cut_running: AtomicBool::new(false),
        };
        Ok((store, report))
    }

    /// Stores entries durably: returns once they are fsynced in the write-ahead log (one fsync
    /// serves every batch that arrived meanwhile). `Ok(true)` means the head is due to be cut.
    pub fn append(&self, entries: Vec<Entry>) -> io::Result<bool> {
        if entries.is_empty() {
            return Ok(false);
        }
        let batch = Batch(entries);
        let (seq, full) = {
            let _order = self.append_lock.lock().unwrap_or_else(|e| e.into_inner());
            let seq = self.wal.queue(std::slice::from_ref(&batch))?;
            let mut head = self.head.write().unwrap_or_else(|e| e.into_inner());
            batch.0.into_iter().for_each(|e| head.push(e));
            (seq, head.bytes >= HEAD_BYTES)
        };
        self.wal.wait(seq)?;
        Ok(full)
    }

    /// Whether the head is big or old enough to cut.
    pub fn head_due(&self) -> bool {
        let head = self.head.read().unwrap_or_else(|e| e.into_inner());
        !head.entries.is_empty() && (head.bytes >= HEAD_BYTES || head.started.elapsed() >= HEAD_AGE)
    }

    /// Writes the head as a block and drops the WAL segments it covered. One cut runs at a
    /// time; a call while one runs returns `Ok(None)`.
    pub fn cut(&self) -> io::Result<Option<PathBuf>> {
        if self.cut_running.swap(true, Ordering::AcqRel) {
            return Ok(None);
        }
        let result = self.cut_inner();
        self.cut_running.store(false, Ordering::Release);
        result
    }

    fn cut_inner(&self) -> io::Result<Option<PathBuf>> {
        let (frozen, wal_upto) = {
            let _order = self.append_lock.lock().unwrap_or_else(|e| e.into_inner());
            let mut head = self.head.write().unwrap_or_else(|e| e.into_inner());
            if head.entries.is_empty() {
                return Ok(None);
            }
            // Everything in the head is in segments before the new one.
            let wal_upto = self.wal.rotate()?;
            let frozen = Arc::new(std::mem::take(&mut *head));
            self.cutting.write().unwrap_or_else(|e| e.into_inner()).push(frozen.clone());
            (frozen, wal_upto)
        };
        let result = self.write_block(&frozen, wal_upto);
        self.cutting.write().unwrap_or_else(|e| e.into_inner()).retain(|h| !Arc::ptr_eq(h, &frozen));
        if result.is_err() {
            // The entries are still in the WAL; put them back so they stay visible.
            let mut head = self.head.write().unwrap_or_else(|e| e.into_inner());
            let newer = std::mem::take(&mut head.entries);
            frozen.entries.iter().cloned().chain(newer).for_each(|e| head.push(e));
        }
        let path = result?;
        for (n, segment) in lookout_wal::segments(&self.wal_dir)? {
            if n < wal_upto {
                std::fs::remove_file(segment)?;
            }
        }
        Ok(Some(path))
    }

    fn write_block(&self, head: &Head, wal_upto: u64) -> io::Result<PathBuf> {
        let mut entries: Vec<&Entry> = head.entries.iter().collect();
        entries.sort_by_key(|e| e.ts);
        let n = self.next_block.fetch_add(1, Ordering::Relaxed);
        let path = self.blocks_dir.join(format!("{n:08}.lkb"));
        block::write(&path, &entries, &head.fields, wal_upto)?;
        let block = Arc::new(Block::open(&path)?);
        self.blocks.write().unwrap_or_else(|e| e.into_inner()).push(block);
        Ok(path)
    }

    /// Deletes blocks whose newest entry is older than `min_ts`; returns how many.
    pub fn retain(&self, min_ts: i64) -> io::Result<usize> {
        let doomed: Vec<Arc<Block>> = {
            let mut blocks = self.blocks.write().unwrap_or_else(|e| e.into_inner());
            let (old, keep): (Vec<_>, Vec<_>) = blocks.drain(..).partition(|b| b.max_ts < min_ts);
            *blocks = keep;
            old
        };
        for block in &doomed {
            std::fs::remove_file(&block.path)?;
        }
        Ok(doomed.len())
    }

    pub fn stats(&self) -> Stats {
        let blocks = self.blocks.read().unwrap_or_else(|e| e.into_inner());
        let head = self.head.read().unwrap_or_else(|e| e.into_inner());
        Stats {
            blocks: blocks.len(),
            block_bytes: blocks.iter().map(|b| b.bytes_on_disk).sum(),
            block_rows: blocks.iter().map(|b| b.rows).sum(),
            head_rows: head.entries.len(),
            head_bytes: head.bytes,
            min_ts: blocks.iter().map(|b| b.min_ts).min().unwrap_or(i64::MAX),
            max_ts: blocks.iter().map(|b| b.max_ts).max().unwrap_or(i64::MIN),
        }
    }

    /// The fields (stream labels and JSON fields) of lines in `[start, end]`, with their values
    /// where there are few.
    pub fn fields(&self, start: i64, end: i64) -> FieldSummary {
        let mut summary = FieldSummary::default();
        for block in self.blocks.read().unwrap_or_else(|e| e.into_inner()).iter() {
            if block.max_ts >= start && block.min_ts <= end {
                summary.merge(&block.fields);
            }
        }
        for head in self.cutting.read().unwrap_or_else(|e| e.into_inner()).iter() {
            if head.max_ts >= start && head.min_ts <= end {
                summary.merge(&head.fields);
            }
        }
        let head = self.head.read().unwrap_or_else(|e| e.into_inner());
        if head.max_ts >= start && head.min_ts <= end {
            summary.merge(&head.fields);
        }
        summary
    }

    /// The stream label sets of lines in `[start, end]` that pass the matchers.
    pub fn streams(&self, selection: &Selection) -> BTreeSet<Labels> {
        let mut found = BTreeSet::new();
        let mut visitor = |row: Row<'_>| {
            found.insert(row.stream.clone());
        };
        let mut selection = selection.clone();
        selection.needs_line = false;
        self.scan(&selection, Order::Forward, &mut visitor);
        found
    }

    /// Visits every row the selection picks, pages in `order` (rows within a page in time order
    /// either way; a visitor that needs strict order sorts what it keeps).
    pub fn scan(&self, selection: &Selection, order: Order, visitor: &mut dyn Visitor) {
        let blocks: Vec<Arc<Block>> = self.blocks.read().unwrap_or_else(|e| e.into_inner()).clone();
        let cutting: Vec<Arc<Head>> = self.cutting.read().unwrap_or_else(|e| e.into_inner()).clone();
        let mut units: Vec<Unit> = Vec::new();
        for (b, block) in blocks.iter().enumerate() {
            if block.max_ts < selection.start || block.min_ts > selection.end {
                continue;
            }
            for (p, page) in block.pages.iter().enumerate() {
                if page.max_ts >= selection.start && page.min_ts <= selection.end {
                    units.push(Unit { min_ts: page.min_ts, max_ts: page.max_ts, source: Source::Page(b, p) });
                }
            }
        }
        for (h, head) in cutting.iter().enumerate() {
            units.push(Unit { min_ts: head.min_ts, max_ts: head.max_ts, source: Source::Cutting(h) });
        }
        {
            let head = self.head.read().unwrap_or_else(|e| e.into_inner());
            units.push(Unit { min_ts: head.min_ts, max_ts: head.max_ts, source: Source::Head });
        }
        match order {
            Order::Forward => units.sort_by_key(|u| u.min_ts),
            Order::Backward => units.sort_by_key(|u| std::cmp::Reverse(u.max_ts)),
        }
        let mut block_plans: BTreeMap<usize, BlockPlan> = BTreeMap::new();
        // Units are sorted so that once one is beyond the visitor's horizon, all later ones are.
        let beyond = |unit: &Unit, visitor: &dyn Visitor| match (order, visitor.horizon()) {
            (Order::Forward, Some(h)) => unit.min_ts > h,
            (Order::Backward, Some(h)) => unit.max_ts < h,
            _ => false,
        };
        let mut read_ahead = 1;
        let mut next = 0;
        while let Some(unit) = units.get(next) {
            if beyond(unit, visitor) || visitor.done() {
                break;
            }
            next += 1;
            match unit.source {
                Source::Head => {
                    let head = self.head.read().unwrap_or_else(|e| e.into_inner());
                    head.scan(selection, |row| visitor.visit(row));
                }
                Source::Cutting(h) => cutting[h].scan(selection, |row| visitor.visit(row)),
                Source::Page(..) => {
                    // The next run of pages that may match is read (decompressed and filtered)
                    // on every core, then visited in order. The run doubles while the scan goes
                    // on, so a query that stops early has read little beyond what it needed.
                    let mut run: Vec<(usize, usize, usize, Candidate)> = Vec::new();
                    let mut at = next - 1;
                    while let Some(Unit { source: Source::Page(b, p), .. }) = units.get(at) {
                        if run.len() >= read_ahead {
                            break;
                        }
                        let plan = block_plans.entry(*b).or_insert_with(|| BlockPlan::new(&blocks[*b], selection));
                        match scan::candidate(&blocks[*b], plan, *p, selection) {
                            Ok(Some(candidate)) => run.push((at, *b, *p, candidate)),
                            Ok(None) => {}
                            Err(err) => unreadable(&blocks[*b], *p, &err),
                        }
                        at += 1;
                    }
                    next = at;
                    read_ahead = (read_ahead * 2).min(MAX_READ_AHEAD);
                    for (at, b, p, read) in read_pages(run, &blocks, &block_plans, selection, order) {
                        if beyond(&units[at], visitor) || visitor.done() {
                            return;
                        }
                        match read {
                            Ok(page) => page.visit(&blocks[b], visitor),
                            Err(err) => unreadable(&blocks[b], p, &err),
                        }
                    }
                }
            }
        }
    }
}

/// Candidate pages one scan reads together at most.
const MAX_READ_AHEAD: usize = 16;

/// A damaged page loses its own lines from the answer, not the query.
fn unreadable(block: &Block, page: usize, err: &io::Error) {
    tracing::warn!(block = %block.path.display(), page, %err, "unreadable log page skipped");
}

type PageRead = (usize, usize, usize, io::Result<ReadPage>);

/// Reads a run of candidate pages, split in contiguous parts over the cores; results in order.
fn read_pages(
    run: Vec<(usize, usize, usize, Candidate)>,
    blocks: &[Arc<Block>],
    plans: &BTreeMap<usize, BlockPlan>,
    selection: &Selection,
    order: Order,
) -> Vec<PageRead> {
    static CORES: OnceLock<usize> = OnceLock::new();
    let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let read_part = |part: Vec<(usize, usize, usize, Candidate)>| -> Vec<PageRead> {
        part.into_iter()
            .map(|(at, b, p, candidate)| (at, b, p, candidate.read(&blocks[b], &plans[&b], p, selection, order)))
            .collect()
    };
    let texts = run.iter().filter(|(_, b, ..)| plans[b].reads_text()).count();
    if texts < 2 || cores < 2 {
        return read_part(run);
    }
    let per_part = run.len().div_ceil(cores.min(texts));
    let mut parts: Vec<Vec<_>> = Vec::new();
    let mut rest = run;
    while rest.len() > per_part {
        let tail = rest.split_off(per_part);
        parts.push(rest);
        rest = tail;
    }
    parts.push(rest);
    let mut parts = parts.into_iter();
    let first = parts.next().unwrap_or_default();
    std::thread::scope(|scope| {
        let others: Vec<_> = parts.map(|part| scope.spawn(move || read_part(part))).collect();
        let mut all = read_part(first);
        for other in others {
            // A reader thread cannot panic short of a bug; its pages are then simply missing.
            all.extend(other.join().unwrap_or_default());
        }
        all
    })
}

struct Unit {
    min_ts: i64,
    max_ts: i64,
    source: Source,
}

enum Source {
    Head,
    Cutting(usize),
    Page(usize, usize),
}
