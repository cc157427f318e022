//! The logs pillar as the API sees it: durable appends (with the head cut into a block in the
//! background when it is due), live tail subscriptions, label look-ups, and the Overview's error
//! groups.

mod errors;
mod labels;
pub mod patterns;

pub use errors::error_groups;
pub use labels::label_values;

use std::sync::{Arc, Mutex};

use lookout_logs::{Entry, LogStore};
use tokio::sync::broadcast;

/// Batches a live-tail subscriber may fall behind by before it misses some (and is told).
const TAIL_BACKLOG: usize = 1024;

/// Entries as stored, for live tails. Lines are numbered in the order they were published, so
/// a tail that fell behind knows how many it missed.
pub struct TailBatch {
    pub first_line: u64,
    pub entries: Vec<Entry>,
}

/// Cheap to clone; shares the store.
#[derive(Clone)]
pub struct Logs {
    pub store: Arc<LogStore>,
    tail: broadcast::Sender<Arc<TailBatch>>,
    /// Lines published so far; held while sending so numbers and order agree.
    published: Arc<Mutex<u64>>,
    pub limits: lookout_logs::ingest::Limits,
    /// Loki, when it is the log store: lines are forwarded to it and queries read from it.
    pub remote: Option<crate::remote::Loki>,
}

impl Logs {
    pub fn new(store: Arc<LogStore>) -> Logs {
        Logs {
            store,
            tail: broadcast::channel(TAIL_BACKLOG).0,
            published: Arc::default(),
            limits: lookout_logs::ingest::Limits::default(),
            remote: None,
        }
    }

    /// Stores entries durably (fsynced in the log) before returning, then hands them to live
    /// tails. Runs off the async runtime. With Loki as the store, the lines are first queued (on
    /// disk) for it, so lines the queue refuses are not stored either.
    pub async fn append(&self, entries: Vec<Entry>) -> std::io::Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        // Copies for live tails only when someone is tailing.
        let for_tail = (self.tail.receiver_count() > 0).then(|| entries.clone());
        let (store, remote) = (self.store.clone(), self.remote.clone());
        let forward = remote.map(|engine| move |entries: &Vec<Entry>| engine.forward(entries));
        let due = crate::remote::forward_then_store(entries, forward, move |entries| store.append(entries)).await?;
        if due {
            self.cut_in_background();
        }
        if let Some(entries) = for_tail {
            let mut published = self.published.lock().unwrap_or_else(|e| e.into_inner());
            let first_line = *published;
            *published += entries.len() as u64;
            // A tail that disconnected meanwhile is not an error.
            let _ = self.tail.send(Arc::new(TailBatch { first_line, entries }));
        }
        Ok(())
    }

    /// Writes the head as a block on a blocking thread (a no-op while another cut runs).
    pub fn cut_in_background(&self) {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || match store.cut() {
            Ok(Some(path)) => tracing::info!(block = %path.display(), "log block written"),
            Ok(None) => {}
            Err(err) => tracing::error!(%err, "writing a log block failed; the lines stay in the head and WAL"),
        });
    }

    /// A live feed of stored batches.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<TailBatch>> {
        self.tail.subscribe()
    }
}
