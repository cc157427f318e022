//! The forwarding queue of one shard: requests (remote_write or Loki push) waiting for the
//! engine, kept in a
//! write-ahead log (`lookout-wal`, group commit) so that a write acknowledged while the engine is
//! down is sent once it is back, also after `kill -9`. Delivery is at least once: the cursor of
//! what was sent is saved about every second, so a crash may send the last second again, which
//! remote_write receivers take as duplicates of the same samples.

use std::collections::VecDeque;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lookout_wal::bytes::{Reader, put_varint, write_atomic};
use lookout_wal::{Wal, WalRecord, segments};

/// How often the cursor is saved, and how often the log starts a new segment so that sent
/// segments can be deleted.
const SAVE_EVERY: Duration = Duration::from_secs(1);
const ROTATE_EVERY: Duration = Duration::from_secs(30);

/// One queued request: uncompressed protobuf (`WriteRequest` or `PushRequest`) bytes, which
/// concatenate into one valid request, so consecutive records are sent together.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    pub seq: u64,
    /// Samples or log lines in it.
    pub count: u32,
    pub body: Vec<u8>,
}

impl WalRecord for Queued {
    fn encode_payload(&self, out: &mut Vec<u8>) {
        put_varint(out, self.seq);
        put_varint(out, u64::from(self.count));
        out.extend_from_slice(&self.body);
    }

    fn decode_payload(payload: &[u8]) -> Option<Self> {
        let mut reader = Reader::new(payload, 0);
        let seq = reader.varint()?;
        let count = u32::try_from(reader.varint()?).ok()?;
        Some(Queued { seq, count, body: payload[reader.pos()..].to_vec() })
    }
}

#[derive(Debug)]
struct State {
    pending: VecDeque<Queued>,
    pending_bytes: usize,
    next_seq: u64,
    /// Every record up to this one reached the engine (or was refused by it for good).
    sent: u64,
    /// What the cursor file says: `sent` as of the last save.
    saved: u64,
    saved_at: Instant,
    rotated_at: Instant,
    /// (segment, seq): the segments before `segment` hold no record after `seq`.
    boundaries: Vec<(u64, u64)>,
}

pub struct ShardQueue {
    dir: PathBuf,
    wal: Wal<Queued>,
    state: Mutex<State>,
    /// Wakes the sender when something is queued.
    pub wake: tokio::sync::Notify,
}

impl ShardQueue {
    /// Opens the queue in `dir`: what was queued and not sent before is pending again.
    pub fn open(dir: &Path) -> io::Result<ShardQueue> {
        std::fs::create_dir_all(dir)?;
        let sent = match std::fs::read_to_string(dir.join("cursor")) {
            Ok(text) => {
                text.trim().parse().map_err(|_| io::Error::other(format!("{}/cursor: not a number", dir.display())))?
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => 0,
            Err(err) => return Err(err),
        };
        let first = segments(dir)?.first().map_or(0, |(n, _)| *n);
        let mut pending = VecDeque::new();
        let mut last = sent;
        let (wal, report) = Wal::open(dir, first, |record: Queued| {
            last = last.max(record.seq);
            if record.seq > sent {
                pending.push_back(record);
            }
        })?;
        if report.truncated_bytes > 0 {
            tracing::warn!(dir = %dir.display(), dropped_bytes = report.truncated_bytes, "the forwarding queue ended in a torn record; cut it off there");
        }
        let open_segment = segments(dir)?.last().map_or(0, |(n, _)| *n);
        let pending_bytes = pending.iter().map(|r| r.body.len()).sum();
        let state = State {
            pending,
            pending_bytes,
            next_seq: last + 1,
            sent,
            saved: sent,
            saved_at: Instant::now(),
            rotated_at: Instant::now(),
            boundaries: vec![(open_segment, last)],
        };
        let queue =
            ShardQueue { dir: dir.to_path_buf(), wal, state: Mutex::new(state), wake: tokio::sync::Notify::new() };
        queue.delete_sent_segments()?;
        Ok(queue)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues one request and returns once it is on disk. Refused when more than `max_bytes`
    /// already wait, so an engine that is down for long makes writers retry instead of filling
    /// the disk.
    pub fn push(&self, body: Vec<u8>, count: u32, max_bytes: usize) -> io::Result<()> {
        let seq = {
            let mut state = self.lock();
            if state.pending_bytes + body.len() > max_bytes && !state.pending.is_empty() {
                return Err(io::Error::other(format!(
                    "the backend is {} MiB behind; writes are refused until it catches up",
                    state.pending_bytes >> 20
                )));
            }
            let record = Queued { seq: state.next_seq, count, body };
            state.next_seq += 1;
            state.pending_bytes += record.body.len();
            let token = self.wal.queue(std::slice::from_ref(&record))?;
            state.pending.push_back(record);
            token
        };
        self.wake.notify_one();
        self.wal.wait(seq)
    }

    /// The oldest pending records, together at most `max_items` (at least one record).
    pub fn peek(&self, max_items: usize) -> Vec<Queued> {
        let state = self.lock();
        let mut taken = Vec::new();
        let mut items = 0;
        for record in &state.pending {
            if !taken.is_empty() && items + record.count as usize > max_items {
                break;
            }
            items += record.count as usize;
            taken.push(record.clone());
        }
        taken
    }

    /// Marks everything up to `seq` as sent: drops it from memory, and now and then saves the
    /// cursor, starts a new segment and deletes the segments that hold only sent records.
    pub fn ack(&self, seq: u64) -> io::Result<()> {
        let (save, rotate) = {
            let mut state = self.lock();
            while state.pending.front().is_some_and(|r| r.seq <= seq) {
                let record = state.pending.pop_front().expect("checked above");
                state.pending_bytes -= record.body.len();
            }
            state.sent = state.sent.max(seq);
            let save = state.saved_at.elapsed() >= SAVE_EVERY;
            let rotate = state.rotated_at.elapsed() >= ROTATE_EVERY;
            if rotate {
                // Records queued so far have seq < next_seq; any of them not yet written lands
                // in the new segment, so the older segments hold nothing after next_seq - 1.
                let segment = self.wal.rotate()?;
                let upto = state.next_seq - 1;
                state.boundaries.push((segment, upto));
                state.rotated_at = Instant::now();
            }
            if save {
                state.saved_at = Instant::now();
            }
            (save.then_some(state.sent), rotate)
        };
        if let Some(sent) = save {
            write_atomic(&self.dir.join("cursor"), sent.to_string().as_bytes())?;
            self.lock().saved = sent;
        }
        if rotate || save.is_some() {
            self.delete_sent_segments()?;
        }
        Ok(())
    }

    /// Deletes the segments whose records were all sent (as of the saved cursor).
    fn delete_sent_segments(&self) -> io::Result<()> {
        let before = {
            let mut state = self.lock();
            let saved = state.saved;
            let before = state.boundaries.iter().filter(|(_, upto)| *upto <= saved).map(|(segment, _)| *segment).max();
            state.boundaries.retain(|(_, upto)| *upto > saved);
            before
        };
        let Some(before) = before else { return Ok(()) };
        for (n, path) in segments(&self.dir)? {
            if n < before {
                std::fs::remove_file(path)?;
            }
        }
        Ok(())
    }

    /// Items and bytes waiting.
    pub fn backlog(&self) -> (u64, usize) {
        let state = self.lock();
        (state.pending.iter().map(|r| u64::from(r.count)).sum(), state.pending_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lookout-queue-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn what_was_not_sent_is_pending_after_a_restart() {
        let dir = dir("restart");
        let queue = ShardQueue::open(&dir).unwrap();
        for i in 0..5u8 {
            queue.push(vec![i; 10], 2, usize::MAX).unwrap();
        }
        let first = queue.peek(4);
        assert_eq!(first.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2], "at most 4 samples");
        // Acknowledge two, with the cursor saved (as after a second), then "crash".
        queue.state.lock().unwrap().saved_at -= SAVE_EVERY;
        queue.ack(2).unwrap();
        drop(queue);

        let queue = ShardQueue::open(&dir).unwrap();
        let pending = queue.peek(usize::MAX);
        assert_eq!(pending.iter().map(|r| r.seq).collect::<Vec<_>>(), [3, 4, 5]);
        assert_eq!(pending[0].body, vec![2u8; 10]);
        assert_eq!(queue.backlog(), (6, 30));
        queue.push(vec![9], 1, usize::MAX).unwrap();
        assert_eq!(queue.peek(usize::MAX).last().unwrap().seq, 6, "numbering goes on");
    }

    #[test]
    fn sent_segments_are_deleted_and_a_full_queue_refuses() {
        let dir = dir("segments");
        let queue = ShardQueue::open(&dir).unwrap();
        queue.push(vec![1; 100], 1, usize::MAX).unwrap();
        let refused = queue.push(vec![2; 100], 1, 150).unwrap_err().to_string();
        assert!(refused.contains("writes are refused"), "{refused}");
        assert_eq!(segments(&dir).unwrap().iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1]);
        {
            let mut state = queue.state.lock().unwrap();
            state.saved_at -= SAVE_EVERY;
            state.rotated_at -= ROTATE_EVERY;
        }
        queue.ack(1).unwrap();
        // A new segment was started and the one that held record 1, all sent, is gone.
        assert_eq!(segments(&dir).unwrap().iter().map(|(n, _)| *n).collect::<Vec<_>>(), [2]);
        assert_eq!(queue.backlog(), (0, 0));
        drop(queue);
        assert!(ShardQueue::open(&dir).unwrap().peek(10).is_empty());
    }
}
