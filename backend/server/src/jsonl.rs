//! A durable file of JSON lines, for the small stores that keep every change as one line (short
//! links, annotations): each record is appended and fsynced before the caller goes on; at open a
//! torn last line (a crash mid-write) is cut off, and every readable record comes back in order.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::sync::Mutex;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub struct JsonLines {
    /// The file, and whether the last append failed part way (its bytes may be on disk without
    /// their newline).
    file: Mutex<(File, bool)>,
}

impl JsonLines {
    /// Opens (or creates) the file and reads its records.
    pub fn open<R: DeserializeOwned>(path: &Path) -> std::io::Result<(JsonLines, Vec<R>)> {
        // A torn last line (no newline) is cut off, or the next append would join it and be
        // lost at the next start.
        if let Ok(bytes) = std::fs::read(path) {
            let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            if whole < bytes.len() {
                let file = OpenOptions::new().write(true).open(path)?;
                file.set_len(whole as u64)?;
                file.sync_all()?;
            }
        }
        let mut records = Vec::new();
        if let Ok(existing) = File::open(path) {
            for line in BufReader::new(existing).lines() {
                // Only the last line can be torn; anything unreadable is skipped.
                if let Ok(Ok(record)) = line.map(|l| serde_json::from_str::<R>(&l)) {
                    records.push(record);
                }
            }
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok((JsonLines { file: Mutex::new((file, false)) }, records))
    }

    /// Appends one record and waits until it is on disk. After a failed append the next one
    /// starts on a line of its own, so a torn line never swallows an acknowledged record (the
    /// torn one is unreadable and skipped at open).
    pub fn append<R: Serialize>(&self, record: &R) -> std::io::Result<()> {
        let mut text = serde_json::to_string(record).map_err(std::io::Error::other)?;
        text.push('\n');
        let mut guard = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let (file, torn) = &mut *guard;
        if *torn {
            text.insert(0, '\n');
        }
        let written = file.write_all(text.as_bytes()).and_then(|()| file.sync_data());
        *torn = written.is_err();
        written
    }
}
