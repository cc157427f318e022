//! Persisted blocks: the samples of one time window, written once and then only read. A block
//! is a directory with `chunks` (compressed sample chunks), `index` (series, their labels and
//! chunk locations) and `meta`; it is written under a temporary name and renamed into place,
//! so a crash never leaves half a block. Layouts are in `docs/format.md`.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::chunk::{self, SAMPLES_PER_CHUNK};
use crate::postings::Postings;
use crate::{Labels, Matcher, Sample, Series};
use lookout_wal::Reader;
use lookout_wal::bytes::{put_varint, unzigzag, write_synced, zigzag};

const INDEX_MAGIC: &[u8; 8] = b"LKTSIDX3";
/// The previous index format, still read: chunk offsets and start times written in full.
const INDEX_MAGIC_V2: &[u8; 8] = b"LKTSIDX2";

#[derive(Debug, Clone)]
struct ChunkMeta {
    offset: u64,
    len: u32,
    mint: i64,
    maxt: i64,
    crc: u32,
}

#[derive(Debug)]
struct BlockSeries {
    labels: Labels,
    chunks: Vec<ChunkMeta>,
}

/// An open block: its index in memory, its chunks read from disk on demand.
#[derive(Debug)]
pub struct Block {
    pub dir: PathBuf,
    pub mint: i64,
    /// Exclusive end of the block's window.
    pub maxt: i64,
    pub samples: u64,
    series: Vec<BlockSeries>,
    postings: Postings,
    chunks: File,
}

/// The directory name of the block for `[mint, maxt)`; sortable by time.
fn name(mint: i64, maxt: i64) -> String {
    format!("{mint:020}-{maxt:020}")
}

/// Writes the given series (each sorted, all within `[mint, maxt)`) as a block in `dir`.
pub fn write(dir: &Path, mint: i64, maxt: i64, series: &[(Labels, Vec<Sample>)]) -> io::Result<PathBuf> {
    let final_dir = dir.join(name(mint, maxt));
    let tmp = dir.join(format!("{}.tmp", name(mint, maxt)));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp)?;
    let mut chunks = Vec::new();
    let mut index = Vec::new();
    index.extend_from_slice(INDEX_MAGIC);
    let mut sorted: Vec<&(Labels, Vec<Sample>)> = series.iter().filter(|(_, s)| !s.is_empty()).collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    // Every label name and value is stored once; series refer to them by number.
    let mut symbols: Vec<&str> =
        sorted.iter().flat_map(|(l, _)| l.iter().flat_map(|l| [l.name.as_str(), l.value.as_str()])).collect();
    symbols.sort_unstable();
    symbols.dedup();
    put_varint(&mut index, symbols.len() as u64);
    for symbol in &symbols {
        put_varint(&mut index, symbol.len() as u64);
        index.extend_from_slice(symbol.as_bytes());
    }
    let symbol_ref = |s: &str| symbols.binary_search(&s).unwrap_or(0) as u64;
    put_varint(&mut index, sorted.len() as u64);
    let mut total = 0u64;
    for (labels, samples) in sorted {
        put_varint(&mut index, labels.len() as u64);
        for l in labels.iter() {
            put_varint(&mut index, symbol_ref(&l.name));
            put_varint(&mut index, symbol_ref(&l.value));
        }
        let parts: Vec<&[Sample]> = samples.chunks(SAMPLES_PER_CHUNK).collect();
        put_varint(&mut index, parts.len() as u64);
        // Chunks follow each other in the file in index order, so offsets are implied; a start
        // time is written as the gap from the block's start or the previous chunk's end.
        let mut prev_end = mint;
        for part in parts {
            let bytes = chunk::encode(part);
            let (first, last) = (part[0].0, part[part.len() - 1].0);
            put_varint(&mut index, bytes.len() as u64);
            put_varint(&mut index, zigzag(first - prev_end));
            put_varint(&mut index, (last - first) as u64);
            prev_end = last;
            index.extend_from_slice(&crc32fast::hash(&bytes).to_le_bytes());
            chunks.extend_from_slice(&bytes);
            total += part.len() as u64;
        }
    }
    let crc = crc32fast::hash(&index);
    index.extend_from_slice(&crc.to_le_bytes());
    write_synced(&tmp.join("chunks"), &chunks)?;
    write_synced(&tmp.join("index"), &index)?;
    let meta = format!("version=1\nmint={mint}\nmaxt={maxt}\nseries={}\nsamples={total}\n", series.len());
    write_synced(&tmp.join("meta"), meta.as_bytes())?;
    File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, &final_dir)?;
    File::open(dir)?.sync_all()?;
    Ok(final_dir)
}

fn invalid(path: &Path, what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("block {}: {what}", path.display()))
}

impl Block {
    /// Opens a block directory, checking its index's checksum.
    pub fn open(path: &Path) -> io::Result<Block> {
        let meta = std::fs::read_to_string(path.join("meta"))?;
        let field = |key: &str| -> io::Result<i64> {
            meta.lines()
                .find_map(|l| l.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| invalid(path, &format!("meta has no {key}")))
        };
        let (mint, maxt, samples) = (field("mint")?, field("maxt")?, field("samples")? as u64);
        let data = std::fs::read(path.join("index"))?;
        if data.len() < INDEX_MAGIC.len() + 8 || (&data[..8] != INDEX_MAGIC && &data[..8] != INDEX_MAGIC_V2) {
            return Err(invalid(path, "index has no valid header"));
        }
        let v2 = &data[..8] == INDEX_MAGIC_V2;
        let (body, crc) = data.split_at(data.len() - 4);
        if crc32fast::hash(body) != u32::from_le_bytes(crc.try_into().unwrap_or([0; 4])) {
            return Err(invalid(path, "index checksum mismatch"));
        }
        let mut c = Reader::new(body, INDEX_MAGIC.len());
        let block_mint = mint;
        let parse = |c: &mut Reader<'_>| -> Option<Vec<BlockSeries>> {
            let mut next_offset = 0u64;
            let symbol_count = c.varint()? as usize;
            let mut symbols = Vec::with_capacity(symbol_count.min(1 << 20));
            for _ in 0..symbol_count {
                let len = c.varint()? as usize;
                symbols.push(c.string(len)?);
            }
            let count = c.varint()? as usize;
            let mut series = Vec::with_capacity(count.min(1 << 20));
            for _ in 0..count {
                let n = c.varint()? as usize;
                let mut pairs = Vec::with_capacity(n.min(256));
                for _ in 0..n {
                    let name = symbols.get(c.varint()? as usize)?.clone();
                    let value = symbols.get(c.varint()? as usize)?.clone();
                    pairs.push((name, value));
                }
                let chunk_count = c.varint()? as usize;
                let mut chunks = Vec::with_capacity(chunk_count.min(1 << 16));
                let mut prev_end = block_mint;
                for _ in 0..chunk_count {
                    let (offset, len, start) = if v2 {
                        let offset = c.varint()?;
                        (offset, u32::try_from(c.varint()?).ok()?, unzigzag(c.varint()?))
                    } else {
                        let len = u32::try_from(c.varint()?).ok()?;
                        (next_offset, len, prev_end.checked_add(unzigzag(c.varint()?))?)
                    };
                    let maxt = start.checked_add(i64::try_from(c.varint()?).ok()?)?;
                    let crc = c.u32()?;
                    next_offset = offset.checked_add(u64::from(len))?;
                    prev_end = maxt;
                    chunks.push(ChunkMeta { offset, len, mint: start, maxt, crc });
                }
                series.push(BlockSeries { labels: Labels::from_pairs(pairs), chunks });
            }
            Some(series)
        };
        let series = parse(&mut c).ok_or_else(|| invalid(path, "index is truncated"))?;
        let mut postings = Postings::default();
        for (id, s) in series.iter().enumerate() {
            postings.add(id as u32, &s.labels);
        }
        let chunks = File::open(path.join("chunks"))?;
        Ok(Block { dir: path.to_path_buf(), mint, maxt, samples, series, postings, chunks })
    }

    fn matching(&self, matchers: &[Matcher]) -> impl Iterator<Item = &BlockSeries> {
        self.postings
            .candidates(matchers, self.series.len())
            .into_iter()
            .map(|id| &self.series[id as usize])
            .filter(|s| matchers.iter().all(|m| m.matches(s.labels.get(&m.name).unwrap_or(""))))
    }

    /// Matching series with their samples in `[mint, maxt]`.
    pub fn select(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> io::Result<Vec<Series>> {
        let mut out = Vec::new();
        for s in self.matching(matchers) {
            let mut samples = Vec::new();
            for c in s.chunks.iter().filter(|c| c.maxt >= mint && c.mint <= maxt) {
                samples.extend(self.read_chunk(c)?.into_iter().filter(|(t, _)| *t >= mint && *t <= maxt));
            }
            if !samples.is_empty() {
                out.push(Series { labels: s.labels.clone(), samples });
            }
        }
        Ok(out)
    }

    /// Every series with all its samples, for merging blocks.
    pub fn all_series(&self) -> io::Result<Vec<(Labels, Vec<Sample>)>> {
        let mut out = Vec::with_capacity(self.series.len());
        for s in &self.series {
            let mut samples = Vec::new();
            for c in &s.chunks {
                samples.extend(self.read_chunk(c)?);
            }
            out.push((s.labels.clone(), samples));
        }
        Ok(out)
    }

    fn read_chunk(&self, c: &ChunkMeta) -> io::Result<Vec<Sample>> {
        let mut bytes = vec![0u8; c.len as usize];
        self.chunks.read_exact_at(&mut bytes, c.offset)?;
        if crc32fast::hash(&bytes) != c.crc {
            return Err(invalid(&self.dir, "chunk checksum mismatch"));
        }
        chunk::decode(&bytes).ok_or_else(|| invalid(&self.dir, "damaged chunk"))
    }

    /// Matching series with a chunk overlapping `[mint, maxt]` (chunk bounds, not samples).
    pub fn series(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Vec<Labels> {
        self.matching(matchers)
            .filter(|s| s.chunks.iter().any(|c| c.maxt >= mint && c.mint <= maxt))
            .map(|s| s.labels.clone())
            .collect()
    }

    pub fn label_names(&self) -> impl Iterator<Item = &String> {
        self.postings.label_names()
    }

    pub fn label_values(&self, name: &str) -> impl Iterator<Item = &String> {
        self.postings.label_values(name)
    }

    /// Bytes on disk of the chunks, and of the index and meta files.
    pub fn sizes(&self) -> (u64, u64) {
        let size = |f: &str| std::fs::metadata(self.dir.join(f)).map_or(0, |m| m.len());
        (size("chunks"), size("index") + size("meta"))
    }
}

/// Opens every block under `dir`, oldest first, removing leftovers of interrupted writes: a
/// `.tmp` directory, and a block whose window a larger block covers (the merge that made the
/// larger one was interrupted before it deleted its sources).
pub fn open_all(dir: &Path) -> io::Result<Vec<Block>> {
    std::fs::create_dir_all(dir)?;
    let mut blocks = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "tmp") {
            std::fs::remove_dir_all(&path)?;
            continue;
        }
        if path.is_dir() {
            blocks.push(Block::open(&path)?);
        }
    }
    blocks.sort_by_key(|b| (b.mint, std::cmp::Reverse(b.maxt)));
    let mut kept: Vec<Block> = Vec::with_capacity(blocks.len());
    for block in blocks {
        if kept.last().is_some_and(|big| big.mint <= block.mint && block.maxt <= big.maxt) {
            std::fs::remove_dir_all(&block.dir)?;
        } else {
            kept.push(block);
        }
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_reads_back() {
        let dir = std::env::temp_dir().join(format!("lookout-block-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let a = Labels::from_pairs([("__name__", "m"), ("i", "a")]);
        let b = Labels::from_pairs([("__name__", "m"), ("i", "b")]);
        let samples: Vec<Sample> = (0..300).map(|i| (i * 1000, i as f64)).collect();
        write(&dir, 0, 300_000, &[(a.clone(), samples.clone()), (b, samples[..10].to_vec())]).unwrap();
        let blocks = open_all(&dir).unwrap();
        assert_eq!(blocks.len(), 1);
        let got = blocks[0].select(&[Matcher::equal("i", "a")], 100_000, 150_000).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].samples, samples[100..=150].to_vec());
        assert_eq!(blocks[0].series(&[Matcher::equal("__name__", "m")], 50_000, 60_000), vec![a]);
        assert_eq!(blocks[0].samples, 310);
        // A damaged index is refused, not misread.
        let index = blocks[0].dir.join("index");
        let mut bytes = std::fs::read(&index).unwrap();
        bytes[20] ^= 1;
        std::fs::write(&index, bytes).unwrap();
        assert!(Block::open(&blocks[0].dir).unwrap_err().to_string().contains("checksum"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A block whose index is in the previous format (offsets and start times in full) opens.
    #[test]
    fn previous_index_format_still_opens() {
        let dir = std::env::temp_dir().join(format!("lookout-block-v2-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let samples: Vec<Sample> = (0..200).map(|i| (7_200_000 + i * 15_000, i as f64 * 0.5)).collect();
        let (first, second) = (chunk::encode(&samples[..120]), chunk::encode(&samples[120..]));
        let mut index = INDEX_MAGIC_V2.to_vec();
        // Symbols `__name__`, `m`; one series `{__name__="m"}` with two chunks.
        for part in [&[2u8][..], &[8], b"__name__", &[1], b"m", &[1, 1, 0, 1, 2]] {
            index.extend_from_slice(part);
        }
        for (offset, bytes, part) in [(0, &first, &samples[..120]), (first.len(), &second, &samples[120..])] {
            put_varint(&mut index, offset as u64);
            put_varint(&mut index, bytes.len() as u64);
            put_varint(&mut index, zigzag(part[0].0));
            put_varint(&mut index, (part[part.len() - 1].0 - part[0].0) as u64);
            index.extend_from_slice(&crc32fast::hash(bytes).to_le_bytes());
        }
        let crc = crc32fast::hash(&index);
        index.extend_from_slice(&crc.to_le_bytes());
        std::fs::write(dir.join("index"), index).unwrap();
        std::fs::write(dir.join("chunks"), [first, second].concat()).unwrap();
        std::fs::write(dir.join("meta"), "version=1\nmint=7200000\nmaxt=14400000\nseries=1\nsamples=200\n").unwrap();
        let block = Block::open(&dir).unwrap();
        assert_eq!(block.all_series().unwrap(), vec![(Labels::from_pairs([("__name__", "m")]), samples)]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
