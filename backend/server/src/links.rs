//! Short links (`/s/<id>`): a shared view's full URL kept on the server under a short id until
//! someone deletes it. Kept in an append-only file of JSON lines, each fsynced before the link
//! is handed out ([`JsonLines`]).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use crate::jsonl::JsonLines;

use serde::{Deserialize, Serialize};

/// Characters of an id: 62^10 ids make guessing one hopeless.
const ID_CHARS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ID_LEN: usize = 10;
/// A link's target is a path in Lookout with its query; longer ones are refused.
const MAX_TARGET: usize = 8 << 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Line {
    id: String,
    /// `None` records a deletion.
    target: Option<String>,
    at_ms: i64,
}

/// One kept link.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub id: String,
    pub target: String,
    pub created_ms: i64,
}

pub struct Links {
    file: JsonLines,
    links: Mutex<BTreeMap<String, Link>>,
}

impl Links {
    pub fn open(path: &Path) -> std::io::Result<Links> {
        let (file, lines) = JsonLines::open::<Line>(path)?;
        let mut links = BTreeMap::new();
        for line in lines {
            match line.target {
                Some(target) => links.insert(line.id.clone(), Link { id: line.id, target, created_ms: line.at_ms }),
                None => links.remove(&line.id),
            };
        }
        Ok(Links { file, links: Mutex::new(links) })
    }

    /// Keeps `target` (a path in Lookout, such as `/logs?query=…`) under a new id.
    pub fn create(&self, target: &str, now_ms: i64) -> Result<Link, String> {
        check_target(target)?;
        let link = Link { id: new_id(), target: target.to_string(), created_ms: now_ms };
        self.append(&Line { id: link.id.clone(), target: Some(link.target.clone()), at_ms: now_ms })?;
        self.links.lock().unwrap_or_else(|e| e.into_inner()).insert(link.id.clone(), link.clone());
        Ok(link)
    }

    pub fn get(&self, id: &str) -> Option<Link> {
        self.links.lock().unwrap_or_else(|e| e.into_inner()).get(id).cloned()
    }

    /// Newest first.
    pub fn list(&self) -> Vec<Link> {
        let mut all: Vec<Link> = self.links.lock().unwrap_or_else(|e| e.into_inner()).values().cloned().collect();
        all.sort_by_key(|l| std::cmp::Reverse(l.created_ms));
        all
    }

    /// Deletes a link; false when there was none.
    pub fn delete(&self, id: &str, now_ms: i64) -> Result<bool, String> {
        if self.get(id).is_none() {
            return Ok(false);
        }
        self.append(&Line { id: id.to_string(), target: None, at_ms: now_ms })?;
        self.links.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
        Ok(true)
    }

    fn append(&self, line: &Line) -> Result<(), String> {
        self.file.append(line).map_err(|e| format!("cannot store the link: {e}"))
    }
}

/// Only paths in Lookout itself: a short link must never send anyone elsewhere.
fn check_target(target: &str) -> Result<(), String> {
    if !target.starts_with('/') || target.starts_with("//") || target.contains('\\') {
        return Err(format!("a link must be a path in Lookout starting with one /, not {target:?}"));
    }
    if target.len() > MAX_TARGET || target.chars().any(char::is_control) {
        return Err(format!("a link must be a path of at most {MAX_TARGET} printable characters"));
    }
    Ok(())
}

fn new_id() -> String {
    crate::random::id::<ID_LEN>(ID_CHARS)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn links_survive_a_reopen_and_only_point_inside_lookout() {
        let dir = std::env::temp_dir().join(format!("lookout-links-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("links.jsonl");
        let links = Links::open(&path).unwrap();
        let kept = links.create("/logs?query=%7Bservice%3D%22a%22%7D&from=1&to=2", 10).unwrap();
        let gone = links.create("/explore?query=up", 11).unwrap();
        assert_eq!(kept.id.len(), ID_LEN);
        assert!(links.delete(&gone.id, 12).unwrap());
        assert!(!links.delete("nope", 13).unwrap());
        for bad in ["https://evil.example/", "//evil.example/x", "/a\\b", "logs", "/a\nb"] {
            assert!(links.create(bad, 14).is_err(), "{bad:?}");
        }
        drop(links);
        // A torn last line, as a crash mid-write leaves it.
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(b"{\"id\":\"x").unwrap();
        let links = Links::open(&path).unwrap();
        assert_eq!(links.list(), std::slice::from_ref(&kept));
        // The link made after the crash is there after the next start too.
        let after = links.create("/explore?query=up", 15).unwrap();
        drop(links);
        let links = Links::open(&path).unwrap();
        assert_eq!(links.list(), [after, kept.clone()]);
        assert_eq!(links.get(&kept.id).map(|l| l.target), Some(kept.target));
        assert!(links.get(&gone.id).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
