//! Immutable log blocks: the entries of one cut of the head, sorted by time, in zstd-compressed
//! pages, with the index that lets a query skip pages (the layout is in `docs/format.md`).
//!
//! The index of a block is held in memory once opened: the stream table, per page its time
//! range, time and stream columns (varint-coded, so counting lines by stream never decompresses
//! text) and a Bloom filter of its field values, and the block's word dictionary mapping every
//! word to the pages that have it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use lookout_tsdb::Labels;
use lookout_wal::Reader;
use lookout_wal::bytes::{put_varint, unzigzag, write_synced, zigzag};
use serde_json::Value;

use crate::bloom::{Bloom, field_key};
use crate::entry::{Entry, flatten};
use crate::pages::PageSet;
use crate::words::{Required, for_each_word};

const MAGIC: &[u8; 8] = b"LKLOGB01";
/// A page is closed past this many bytes of text: big enough for zstd to find the repetition
/// in structured lines, small enough that one lookup decompresses little.
const PAGE_BYTES: usize = 128 << 10;
const PAGE_ROWS: usize = 4096;
/// No page's text is larger: a full page plus one line of the largest size ingest allows, with
/// each line's length prefix.
const MAX_PAGE_TEXT: usize = 64 << 20;
const ZSTD_LEVEL: i32 = 3;
/// A field with more distinct values than this in a block is listed without its values.
pub const MAX_LISTED_VALUES: usize = 64;
/// Fields whose values are text to search, not values to look up: left out of the filters.
const TEXT_FIELDS: [&str; 4] = ["message", "msg", "exception", "exc_info"];

/// The fields seen in a block (or the head), for `/labels` and `/label/<name>/values`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldSummary {
    /// Field name → its values, or `None` once there are more than [`MAX_LISTED_VALUES`].
    pub fields: BTreeMap<String, Option<BTreeSet<String>>>,
}

impl FieldSummary {
    pub fn add(&mut self, name: &str, value: &str) {
        if !self.fields.contains_key(name) {
            self.fields.insert(name.to_string(), Some(BTreeSet::new()));
        }
        let Some(values) = self.fields.get_mut(name) else { return };
        if let Some(set) = values
            && !set.contains(value)
        {
            if set.len() >= MAX_LISTED_VALUES {
                *values = None;
            } else {
                set.insert(value.to_string());
            }
        }
    }

    pub fn merge(&mut self, other: &FieldSummary) {
        for (name, values) in &other.fields {
            match values {
                Some(set) => set.iter().for_each(|v| self.add(name, v)),
                None => {
                    self.fields.insert(name.clone(), None);
                }
            }
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        put_varint(out, self.fields.len() as u64);
        for (name, values) in &self.fields {
            put_bytes(out, name.as_bytes());
            match values {
                None => put_varint(out, 0),
                Some(set) => {
                    put_varint(out, set.len() as u64 + 1);
                    set.iter().for_each(|v| put_bytes(out, v.as_bytes()));
                }
            }
        }
    }

    fn read(r: &mut Reader) -> Option<FieldSummary> {
        let mut summary = FieldSummary::default();
        for _ in 0..r.varint()? {
            let name = read_string(r)?;
            let values = match r.varint()? {
                0 => None,
                n => Some((1..n).map(|_| read_string(r)).collect::<Option<BTreeSet<_>>>()?),
            };
            summary.fields.insert(name, values);
        }
        Some(summary)
    }
}

/// Notes an entry's stream labels and fields in a summary (when given one) and adds the Bloom
/// keys of its value fields to `keys` (when given). Only JSON object lines have fields.
pub fn index_fields(entry: &Entry, mut summary: Option<&mut FieldSummary>, mut keys: Option<&mut Vec<u64>>) {
    if let Some(summary) = summary.as_deref_mut() {
        for l in entry.stream.iter() {
            summary.add(&l.name, &l.value);
        }
    }
    if !entry.line.starts_with('{') {
        return;
    }
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&entry.line) else {
        return;
    };
    let mut fields = Vec::with_capacity(map.len());
    flatten("", &map, &mut fields);
    for (name, value) in &fields {
        if TEXT_FIELDS.contains(&name.as_str()) || entry.stream.get(name).is_some() {
            continue;
        }
        if let Some(summary) = summary.as_deref_mut() {
            summary.add(name, value);
        }
        if let Some(keys) = keys.as_deref_mut() {
            keys.push(field_key(name, value));
        }
    }
}

/// One page's place in the file and its columns.
#[derive(Debug)]
pub struct PageMeta {
    pub offset: u64,
    pub len: u32,
    pub rows: u32,
    pub min_ts: i64,
    pub max_ts: i64,
    /// Varint-coded: per row the time as a delta from the previous row (the first from
    /// `min_ts`), then per row the stream number.
    columns: Box<[u8]>,
    pub bloom: Bloom,
}

impl PageMeta {
    /// The times and stream numbers of the page's rows.
    pub fn columns(&self) -> Option<(Vec<i64>, Vec<u32>)> {
        let mut r = Reader::new(&self.columns, 0);
        let mut ts = Vec::with_capacity(self.rows as usize);
        let mut t = self.min_ts;
        for _ in 0..self.rows {
            t = t.checked_add(i64::try_from(r.varint()?).ok()?)?;
            ts.push(t);
        }
        let streams = (0..self.rows).map(|_| r.varint().and_then(|s| u32::try_from(s).ok())).collect::<Option<_>>()?;
        Some((ts, streams))
    }
}

/// The postings of one word: the pages that have it.
#[derive(Debug)]
struct Postings(Box<[u32]>);

#[derive(Debug)]
pub struct Block {
    pub path: PathBuf,
    file: File,
    pub min_ts: i64,
    pub max_ts: i64,
    pub rows: u64,
    /// The first write-ahead log segment this block does not cover.
    pub wal_upto: u64,
    pub streams: Vec<Labels>,
    pub fields: FieldSummary,
    pub pages: Vec<PageMeta>,
    words: HashMap<Box<[u8]>, Postings>,
    pub bytes_on_disk: u64,
}

/// Writes `entries` (sorted by time, summarised in `fields`) as a block at `path`, atomically;
/// `wal_upto` is recorded so a restart does not replay what the block already holds.
pub fn write(path: &Path, entries: &[&Entry], fields: &FieldSummary, wal_upto: u64) -> io::Result<()> {
    let mut streams: Vec<Labels> = Vec::new();
    let mut stream_ids: HashMap<&Labels, u32> = HashMap::new();
    // Word → the pages that have it; a page is pushed once, by its first line with the word.
    let mut words: HashMap<&[u8], Vec<u32>, foldhash::fast::RandomState> = HashMap::default();
    let mut data = Vec::with_capacity(MAGIC.len() + entries.iter().map(|e| e.line.len()).sum::<usize>() / 4);
    data.extend_from_slice(MAGIC);
    let mut pages_index = Vec::new();
    let mut pages = 0u32;
    let mut start = 0;
    while start < entries.len() {
        let mut end = start;
        let mut bytes = 0;
        while end < entries.len() && bytes < PAGE_BYTES && end - start < PAGE_ROWS {
            bytes += entries[end].line.len();
            end += 1;
        }
        let page = &entries[start..end];
        let mut text = Vec::with_capacity(bytes + page.len() * 2);
        let mut columns = Vec::with_capacity(page.len() * 4);
        let mut keys = Vec::new();
        let min_ts = page[0].ts;
        let mut prev = min_ts;
        for entry in page {
            put_bytes(&mut text, entry.line.as_bytes());
            put_varint(&mut columns, (entry.ts - prev) as u64);
            prev = entry.ts;
            index_fields(entry, None, Some(&mut keys));
            for_each_word(entry.line.as_bytes(), |w| {
                let postings = words.entry(w).or_default();
                if postings.last() != Some(&pages) {
                    postings.push(pages);
                }
            });
        }
        for entry in page {
            let next = streams.len() as u32;
            let id = *stream_ids.entry(&entry.stream).or_insert_with(|| {
                streams.push(entry.stream.clone());
                next
            });
            put_varint(&mut columns, u64::from(id));
        }
        keys.sort_unstable();
        keys.dedup();
        let mut bloom = Bloom::with_capacity(keys.len());
        keys.iter().for_each(|&k| bloom.insert(k));
        let compressed = zstd::bulk::compress(&text, ZSTD_LEVEL)?;
        put_varint(&mut pages_index, data.len() as u64);
        put_varint(&mut pages_index, compressed.len() as u64);
        put_varint(&mut pages_index, page.len() as u64);
        put_varint(&mut pages_index, zigzag(min_ts));
        put_varint(&mut pages_index, (prev - min_ts) as u64);
        put_bytes(&mut pages_index, &columns);
        bloom.write(&mut pages_index);
        data.extend_from_slice(&compressed);
        pages += 1;
        start = end;
    }

    let mut index = Vec::new();
    put_varint(&mut index, zigzag(entries.first().map_or(0, |e| e.ts)));
    put_varint(&mut index, zigzag(entries.last().map_or(0, |e| e.ts)));
    put_varint(&mut index, entries.len() as u64);
    put_varint(&mut index, wal_upto);
    put_varint(&mut index, streams.len() as u64);
    for labels in &streams {
        put_varint(&mut index, labels.len() as u64);
        for l in labels.iter() {
            put_bytes(&mut index, l.name.as_bytes());
            put_bytes(&mut index, l.value.as_bytes());
        }
    }
    fields.write(&mut index);
    put_varint(&mut index, u64::from(pages));
    index.extend_from_slice(&pages_index);
    let mut words: Vec<(&[u8], Vec<u32>)> = words.into_iter().collect();
    words.sort_unstable();
    put_varint(&mut index, words.len() as u64);
    for (word, postings) in &words {
        put_bytes(&mut index, word);
        put_varint(&mut index, postings.len() as u64);
        let mut prev = 0;
        for &p in postings {
            put_varint(&mut index, u64::from(p - prev));
            prev = p;
        }
    }
    let index = zstd::bulk::compress(&index, ZSTD_LEVEL)?;
    let index_offset = data.len() as u64;
    data.extend_from_slice(&index);
    data.extend_from_slice(&index_offset.to_le_bytes());
    data.extend_from_slice(&(index.len() as u64).to_le_bytes());
    data.extend_from_slice(&crc32fast::hash(&index).to_le_bytes());
    data.extend_from_slice(MAGIC);

    let tmp = path.with_extension("tmp");
    write_synced(&tmp, &data)?;
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn read_string(r: &mut Reader) -> Option<String> {
    String::from_utf8(r.bytes()?.to_vec()).ok()
}

fn corrupt(path: &Path, what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{}: {what}", path.display()))
}

impl Block {
    pub fn open(path: &Path) -> io::Result<Block> {
        let file = File::open(path)?;
        let size = file.metadata()?.len();
        let footer_len = 8 + 8 + 4 + MAGIC.len() as u64;
        if size < MAGIC.len() as u64 + footer_len {
            return Err(corrupt(path, "too short for a log block"));
        }
        let mut footer = [0u8; 28];
        file.read_exact_at(&mut footer, size - footer_len)?;
        if &footer[20..] != MAGIC {
            return Err(corrupt(path, "not a log block (bad magic)"));
        }
        let offset = u64::from_le_bytes(footer[0..8].try_into().unwrap_or_default());
        let len = u64::from_le_bytes(footer[8..16].try_into().unwrap_or_default());
        let crc = u32::from_le_bytes(footer[16..20].try_into().unwrap_or_default());
        if offset.checked_add(len) != Some(size - footer_len) {
            return Err(corrupt(path, "index out of bounds"));
        }
        let mut compressed = vec![0u8; len as usize];
        file.read_exact_at(&mut compressed, offset)?;
        if crc32fast::hash(&compressed) != crc {
            return Err(corrupt(path, "index checksum mismatch"));
        }
        let index = zstd::stream::decode_all(compressed.as_slice())?;
        Self::decode_index(path, file, size, &index).ok_or_else(|| corrupt(path, "damaged index"))
    }

    fn decode_index(path: &Path, file: File, size: u64, index: &[u8]) -> Option<Block> {
        let mut r = Reader::new(index, 0);
        let min_ts = unzigzag(r.varint()?);
        let max_ts = unzigzag(r.varint()?);
        let rows = r.varint()?;
        let wal_upto = r.varint()?;
        let mut streams = Vec::new();
        for _ in 0..r.varint()? {
            let mut pairs = Vec::new();
            for _ in 0..r.varint()? {
                pairs.push((read_string(&mut r)?, read_string(&mut r)?));
            }
            streams.push(Labels::from_pairs(pairs));
        }
        let fields = FieldSummary::read(&mut r)?;
        let mut pages = Vec::new();
        for _ in 0..r.varint()? {
            let offset = r.varint()?;
            let len = u32::try_from(r.varint()?).ok()?;
            let rows = u32::try_from(r.varint()?).ok()?;
            let min_ts = unzigzag(r.varint()?);
            let max_ts = min_ts.checked_add(i64::try_from(r.varint()?).ok()?)?;
            let columns = r.bytes()?.into();
            let bloom = Bloom::read(&mut r)?;
            pages.push(PageMeta { offset, len, rows, min_ts, max_ts, columns, bloom });
        }
        let mut words = HashMap::new();
        for _ in 0..r.varint()? {
            let word: Box<[u8]> = r.bytes()?.into();
            let n = r.varint()?;
            let mut postings = Vec::with_capacity(n.min(pages.len() as u64) as usize);
            let mut page = 0u32;
            for _ in 0..n {
                page = page.checked_add(u32::try_from(r.varint()?).ok()?)?;
                postings.push(page);
            }
            words.insert(word, Postings(postings.into()));
        }
        r.at_end().then_some(Block {
            path: path.to_path_buf(),
            file,
            min_ts,
            max_ts,
            rows,
            wal_upto,
            streams,
            fields,
            pages,
            words,
            bytes_on_disk: size,
        })
    }

    /// The pages that can hold a line meeting every requirement (all pages for none).
    pub fn pages_with_words(&self, requirements: &[Required]) -> PageSet {
        let mut set = PageSet::full(self.pages.len());
        for req in requirements {
            let mut any = PageSet::empty(self.pages.len());
            match req {
                Required::Word(w) => {
                    if let Some(p) = self.words.get(*w) {
                        any.insert_all(&p.0);
                    }
                }
                Required::Part(part) => {
                    let finder = memchr::memmem::Finder::new(part);
                    for (word, p) in &self.words {
                        if finder.find(word).is_some() {
                            any.insert_all(&p.0);
                        }
                    }
                }
            }
            set.intersect(&any);
        }
        set
    }

    /// The text of page `i`, decompressed: length-prefixed lines (read with [`split_lines`]).
    pub fn page_text(&self, i: usize) -> io::Result<Vec<u8>> {
        let page = &self.pages[i];
        let mut compressed = vec![0u8; page.len as usize];
        self.file.read_exact_at(&mut compressed, page.offset)?;
        // The frame records its size; a decompression context per thread is reused.
        let size = zstd::zstd_safe::get_frame_content_size(&compressed)
            .ok()
            .flatten()
            .and_then(|n| usize::try_from(n).ok())
            .filter(|&n| n <= MAX_PAGE_TEXT)
            .ok_or_else(|| corrupt(&self.path, "page frame without a plausible size"))?;
        thread_local! {
            static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
                const { std::cell::RefCell::new(None) };
        }
        DECOMPRESSOR.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot.is_none() {
                *slot = Some(zstd::bulk::Decompressor::new()?);
            }
            slot.as_mut().expect("just set").decompress(&compressed, size)
        })
    }
}

/// The lines of a page's text, in row order, as bytes (checked as UTF-8 only when selected);
/// `None` where the text is damaged.
pub fn split_lines(text: &[u8]) -> Option<Vec<&[u8]>> {
    let mut r = Reader::new(text, 0);
    let mut lines = Vec::new();
    while !r.at_end() {
        lines.push(r.bytes()?);
    }
    Some(lines)
}
