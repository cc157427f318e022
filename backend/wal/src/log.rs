//! The write-ahead log: records are written here and fsynced before a write is acknowledged,
//! so a restart (also after `kill -9`) replays them.
//!
//! Records are framed as `len u32 | crc32 u32 | payload` in numbered segment files; a torn or
//! corrupt tail is cut off at the last good record on replay. Syncs are grouped: writers append
//! to a shared buffer and wait until one of them has written and fsynced past their record, so
//! one fsync serves every batch that arrived meanwhile. What a payload holds is the store's
//! business ([`WalRecord`]); the framing is described in each store's format document.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

/// A segment is closed and a new one started past this size.
const SEGMENT_BYTES: u64 = 64 << 20;
const HEADER: usize = 8;

/// What a store logs: it writes a record's payload and reads it back.
pub trait WalRecord: Sized {
    /// Appends the payload (without framing) to `out`.
    fn encode_payload(&self, out: &mut Vec<u8>);
    /// Reads a payload back; `None` if it is not a whole, valid record.
    fn decode_payload(payload: &[u8]) -> Option<Self>;
}

/// Appends one framed record.
fn encode<R: WalRecord>(record: &R, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&[0; HEADER]);
    record.encode_payload(out);
    let payload_len = (out.len() - start - HEADER) as u32;
    let crc = crc32fast::hash(&out[start + HEADER..]);
    out[start..start + 4].copy_from_slice(&payload_len.to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
}

/// Reads the framed records at the start of `data`: the records and how many bytes they took.
/// Reading stops at the first record that is incomplete, fails its checksum or does not decode.
fn decode_all<R: WalRecord>(data: &[u8], mut apply: impl FnMut(R)) -> usize {
    let mut pos = 0;
    while pos + HEADER <= data.len() {
        let len = u32::from_le_bytes(data[pos..pos + 4].try_into().unwrap_or([0; 4])) as usize;
        let crc = u32::from_le_bytes(data[pos + 4..pos + 8].try_into().unwrap_or([0; 4]));
        let Some(payload) = data.get(pos + HEADER..pos + HEADER + len) else {
            break;
        };
        if crc32fast::hash(payload) != crc {
            break;
        }
        let Some(record) = R::decode_payload(payload) else {
            break;
        };
        apply(record);
        pos += HEADER + len;
    }
    pos
}

/// What replaying found, for the start-up log line.
#[derive(Debug, Default, PartialEq)]
pub struct ReplayReport {
    pub records: usize,
    /// Bytes cut off the end of the last segment because they did not form a whole, valid record.
    pub truncated_bytes: u64,
    pub truncated_segment: Option<PathBuf>,
}

struct Writer {
    file: File,
    segment: u64,
    size: u64,
}

struct Pending {
    buffer: Vec<u8>,
    /// Sequence number of the last record put in the buffer.
    queued: u64,
    /// Sequence number up to which everything is on disk.
    synced: u64,
    syncing: bool,
    /// A failed write or fsync: every later commit fails until restart, rather than pretend.
    failed: Option<String>,
}

pub struct Wal<R> {
    dir: PathBuf,
    writer: Mutex<Writer>,
    pending: Mutex<Pending>,
    synced: Condvar,
    records: PhantomData<fn(&R)>,
}

pub fn segment_name(n: u64) -> String {
    format!("{n:08}")
}

/// The numbered segment files in `dir`, in order.
pub fn segments(dir: &Path) -> io::Result<Vec<(u64, PathBuf)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if let Some(n) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.parse::<u64>().ok()) {
            found.push((n, path));
        }
    }
    found.sort();
    Ok(found)
}

impl<R: WalRecord> Wal<R> {
    /// Replays every segment from `first` on into `apply`, truncates a torn tail, and opens the
    /// log for appending in a fresh segment.
    pub fn open(dir: &Path, first: u64, mut apply: impl FnMut(R)) -> io::Result<(Wal<R>, ReplayReport)> {
        std::fs::create_dir_all(dir)?;
        let mut report = ReplayReport::default();
        let all = segments(dir)?;
        let mut last = first.saturating_sub(1);
        for (n, path) in all.iter().filter(|(n, _)| *n >= first) {
            last = *n;
            let mut data = Vec::new();
            File::open(path)?.read_to_end(&mut data)?;
            let pos = decode_all(&data, |record| {
                apply(record);
                report.records += 1;
            });
            if pos < data.len() {
                report.truncated_bytes += (data.len() - pos) as u64;
                report.truncated_segment = Some(path.clone());
                let file = OpenOptions::new().write(true).open(path)?;
                file.set_len(pos as u64)?;
                file.sync_all()?;
            }
        }
        // Appends always start a new segment, so a replayed segment is never written again.
        let segment = (last + 1).max(first);
        let file = create_segment(dir, segment)?;
        let wal = Wal {
            dir: dir.to_path_buf(),
            writer: Mutex::new(Writer { file, segment, size: 0 }),
            pending: Mutex::new(Pending { buffer: Vec::new(), queued: 0, synced: 0, syncing: false, failed: None }),
            synced: Condvar::new(),
            records: PhantomData,
        };
        Ok((wal, report))
    }

    /// Queues records; returns the sequence number to pass to [`Wal::wait`]. The caller holds
    /// whatever lock orders records against the state they describe. With no records it returns
    /// the newest sequence number, so waiting on it covers everything queued so far. After a
    /// failed write nothing more is queued: the log refuses until restart.
    pub fn queue(&self, records: &[R]) -> io::Result<u64> {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(err) = &pending.failed {
            return Err(io::Error::other(err.clone()));
        }
        if records.is_empty() {
            return Ok(pending.queued);
        }
        for record in records {
            encode(record, &mut pending.buffer);
        }
        pending.queued += 1;
        Ok(pending.queued)
    }

    /// Blocks until everything up to `seq` is written and fsynced. One waiter at a time does
    /// the I/O for everyone queued so far (group commit).
    pub fn wait(&self, seq: u64) -> io::Result<()> {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(err) = &pending.failed {
                return Err(io::Error::other(err.clone()));
            }
            if pending.synced >= seq {
                return Ok(());
            }
            if pending.syncing {
                pending = self.synced.wait(pending).unwrap_or_else(|e| e.into_inner());
                continue;
            }
            pending.syncing = true;
            let batch = std::mem::take(&mut pending.buffer);
            let upto = pending.queued;
            drop(pending);
            let result = self.write_and_sync(&batch);
            pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            pending.syncing = false;
            match result {
                Ok(()) => pending.synced = upto,
                Err(err) => pending.failed = Some(format!("write-ahead log failed: {err}")),
            }
            self.synced.notify_all();
        }
    }

    fn write_and_sync(&self, bytes: &[u8]) -> io::Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if writer.size > 0 && writer.size + bytes.len() as u64 > SEGMENT_BYTES {
            let next = writer.segment + 1;
            writer.file = create_segment(&self.dir, next)?;
            writer.segment = next;
            writer.size = 0;
        }
        writer.file.write_all(bytes)?;
        writer.file.sync_data()?;
        writer.size += bytes.len() as u64;
        Ok(())
    }

    /// Closes the current segment and starts the next; returns the new segment's number.
    /// Everything before it can be folded into a checkpoint.
    pub fn rotate(&self) -> io::Result<u64> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let next = writer.segment + 1;
        writer.file = create_segment(&self.dir, next)?;
        writer.segment = next;
        writer.size = 0;
        Ok(next)
    }
}

fn create_segment(dir: &Path, n: u64) -> io::Result<File> {
    let file = OpenOptions::new().create(true).append(true).open(dir.join(segment_name(n)))?;
    // The directory entry must be durable too, or a crash could lose the whole segment.
    File::open(dir)?.sync_all()?;
    Ok(file)
}

/// Writes records to a new file with the same framing, fsynced (checkpoints use it).
pub fn write_file<R: WalRecord>(path: &Path, records: &[R]) -> io::Result<()> {
    let mut bytes = Vec::new();
    for record in records {
        encode(record, &mut bytes);
    }
    crate::bytes::write_synced(path, &bytes)
}

/// Reads a file written by [`write_file`]; `None` if any part is damaged.
pub fn read_file<R: WalRecord>(path: &Path) -> io::Result<Option<Vec<R>>> {
    let mut data = Vec::new();
    File::open(path)?.read_to_end(&mut data)?;
    let mut records = Vec::new();
    let read = decode_all(&data, |record| records.push(record));
    Ok((read == data.len()).then_some(records))
}
