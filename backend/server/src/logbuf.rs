//! The recent-log buffer: the newest log lines' summaries held in memory, bounded in count.
//!
//! It is what the Overview reads its "latest errors" from until the durable log store exists.

use std::collections::VecDeque;
use std::sync::Mutex;

use std::collections::HashMap;

use lookout_types::ErrorGroup;

/// The parts of a log line the Overview reads.
#[derive(Debug, Clone)]
pub struct LogLine {
    /// Unix milliseconds.
    pub t: i64,
    pub service: String,
    pub level: String,
    pub message: String,
    pub request_id: Option<String>,
}

pub struct LogBuffer {
    capacity: usize,
    lines: Mutex<VecDeque<LogLine>>,
}

impl LogBuffer {
    pub fn new(capacity: usize) -> Self {
        LogBuffer { capacity, lines: Mutex::new(VecDeque::with_capacity(capacity.min(4096))) }
    }

    /// Adds a line; the oldest line goes when the buffer is full.
    pub fn push(&self, line: LogLine) {
        let mut lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        if lines.len() == self.capacity {
            lines.pop_front();
        }
        lines.push_back(line);
    }

    /// Lines at `level` (case-insensitive) not older than `since_ms`, grouped by service and
    /// message shape (digits ignored, so "after 20000 ms" and "after 19000 ms" are one group);
    /// the `limit` largest groups, largest first.
    pub fn error_groups(&self, level: &str, since_ms: i64, limit: usize) -> Vec<ErrorGroup> {
        let lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        let mut groups: HashMap<(String, String), ErrorGroup> = HashMap::new();
        // Newest first, so the first line seen of a group is its newest.
        for line in lines.iter().rev().take_while(|l| l.t >= since_ms) {
            if !line.level.eq_ignore_ascii_case(level) {
                continue;
            }
            let shape: String = line.message.chars().filter(|c| !c.is_ascii_digit()).collect();
            let group = groups.entry((line.service.clone(), shape)).or_insert_with(|| ErrorGroup {
                service: line.service.clone(),
                message: line.message.clone(),
                count: 0,
                first_seen: line.t,
                last_seen: line.t,
                request_id: line.request_id.clone(),
            });
            group.count += 1;
            group.first_seen = line.t;
        }
        let mut groups: Vec<ErrorGroup> = groups.into_values().collect();
        groups.sort_by(|a, b| b.count.cmp(&a.count).then(b.last_seen.cmp(&a.last_seen)));
        groups.truncate(limit);
        groups
    }

    pub fn len(&self) -> usize {
        self.lines.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_grouped_by_message_shape() {
        let buffer = LogBuffer::new(5);
        for (t, level, message) in [
            (1, "ERROR", "dropped: oldest"),
            (2, "ERROR", "timed out after 20000 ms"),
            (3, "INFO", "fine"),
            (4, "error", "timed out after 19000 ms"),
            (5, "ERROR", "pool exhausted"),
            (6, "ERROR", "timed out after 20000 ms"),
        ] {
            buffer.push(LogLine {
                t,
                service: "s".into(),
                level: level.into(),
                message: message.into(),
                request_id: None,
            });
        }
        assert_eq!(buffer.len(), 5);
        let groups = buffer.error_groups("ERROR", 0, 10);
        let got: Vec<(&str, u64, i64, i64)> =
            groups.iter().map(|g| (g.message.as_str(), g.count, g.first_seen, g.last_seen)).collect();
        assert_eq!(got, [("timed out after 20000 ms", 3, 2, 6), ("pool exhausted", 1, 5, 5)]);
        assert_eq!(buffer.error_groups("ERROR", 5, 10).len(), 2);
        assert_eq!(buffer.error_groups("ERROR", 0, 1).len(), 1);
    }
}
