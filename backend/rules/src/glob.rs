//! `rule_files:` patterns: relative ones are taken from a base directory, and `*`, `?` and
//! `[…]` (with `^` negation and ranges, as Go's `filepath.Match`) may appear in the file-name
//! part. Matches of each pattern are sorted, as Go's `filepath.Glob` returns them.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GlobError {
    /// An unclosed or empty `[…]`, or a trailing `\`: Go's `syntax error in pattern`.
    BadPattern(String),
    /// Wildcards in a directory part, which this matcher does not expand.
    WildcardDirectory(String),
    Read {
        dir: String,
        message: String,
    },
}

impl fmt::Display for GlobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GlobError::BadPattern(p) => write!(f, "{p}: syntax error in pattern"),
            GlobError::WildcardDirectory(p) => write!(f, "{p}: wildcards are supported in the file name only"),
            GlobError::Read { dir, message } => write!(f, "reading {dir}: {message}"),
        }
    }
}

impl std::error::Error for GlobError {}

/// The files that `patterns` name, relative ones resolved against `base`. A pattern without
/// wildcards names its file if it exists; one that matches nothing adds nothing.
pub fn expand(base: &Path, patterns: &[String]) -> Result<Vec<PathBuf>, GlobError> {
    let mut out = Vec::new();
    for pattern in patterns {
        let path = base.join(pattern);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        if has_meta(&dir.to_string_lossy()) {
            return Err(GlobError::WildcardDirectory(pattern.clone()));
        }
        // Checks the pattern's syntax even when there is nothing to match against.
        matches(&name, "").map_err(|_| GlobError::BadPattern(pattern.clone()))?;
        if !has_meta(&name) {
            if path.exists() {
                out.push(path);
            }
            continue;
        }
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            // Go's Glob ignores I/O errors: a missing directory matches nothing.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(GlobError::Read { dir: dir.display().to_string(), message: e.to_string() }),
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| matches(&name, &e.file_name().to_string_lossy()) == Ok(true))
            .map(|e| e.path())
            .collect();
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

fn has_meta(text: &str) -> bool {
    text.contains(['*', '?', '[', '\\'])
}

/// Go's `filepath.Match` for one path element; an error for a malformed pattern.
pub fn matches(pattern: &str, name: &str) -> Result<bool, GlobError> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    validate(&p).ok_or_else(|| GlobError::BadPattern(pattern.to_string()))?;
    Ok(match_from(&p, &n))
}

fn validate(p: &[char]) -> Option<()> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => i += 2,
            '[' => i = class(p, i, None)?.1,
            _ => i += 1,
        }
    }
    if p.last() == Some(&'\\') && p.iter().rev().take_while(|c| **c == '\\').count() % 2 == 1 {
        return None;
    }
    Some(())
}

fn match_from(p: &[char], n: &[char]) -> bool {
    match p.first() {
        None => n.is_empty(),
        Some('*') => (0..=n.len()).any(|k| match_from(&p[1..], &n[k..])),
        Some('?') => !n.is_empty() && match_from(&p[1..], &n[1..]),
        Some('[') => match (n.first(), class(p, 0, n.first().copied())) {
            (Some(_), Some((true, end))) => match_from(&p[end..], &n[1..]),
            _ => false,
        },
        Some('\\') => p.len() > 1 && n.first() == Some(&p[1]) && match_from(&p[2..], &n[1..]),
        Some(c) => n.first() == Some(c) && match_from(&p[1..], &n[1..]),
    }
}

/// Reads the class starting at `p[start] == '['`: whether `c` is in it, and the index after it.
fn class(p: &[char], start: usize, c: Option<char>) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negated = p.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        match p.get(i) {
            None => return None,
            Some(']') if !first => break,
            _ => {}
        }
        first = false;
        let (lo, next) = class_char(p, i)?;
        let (hi, next) = if p.get(next) == Some(&'-') && p.get(next + 1) != Some(&']') {
            class_char(p, next + 1)?
        } else {
            (lo, next)
        };
        if c.is_some_and(|c| lo <= c && c <= hi) {
            matched = true;
        }
        i = next;
    }
    Some((matched != negated, i + 1))
}

fn class_char(p: &[char], i: usize) -> Option<(char, usize)> {
    match p.get(i) {
        Some('\\') => p.get(i + 1).map(|c| (*c, i + 2)),
        Some('-') | Some(']') | None => None,
        Some(c) => Some((*c, i + 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_like_go() {
        for (pattern, name, want) in [
            ("*.yml", "rules.yml", Ok(true)),
            ("*.yml", "rules.yaml", Ok(false)),
            ("r?les.yml", "rules.yml", Ok(true)),
            ("[a-c]*.yml", "b.yml", Ok(true)),
            ("[^a-c]*.yml", "b.yml", Ok(false)),
            ("\\*.yml", "*.yml", Ok(true)),
            ("[a-", "a", Err(GlobError::BadPattern("[a-".into()))),
            ("[]", "a", Err(GlobError::BadPattern("[]".into()))),
        ] {
            assert_eq!(matches(pattern, name), want, "{pattern} {name}");
        }
    }

    #[test]
    fn expands_relative_to_the_base() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
        let found = expand(&dir, &["testdata/payments*.yml".into()]).unwrap();
        assert!(found.iter().all(|p| p.file_name().unwrap().to_string_lossy().starts_with("payments")));
        assert!(!found.is_empty());
        assert_eq!(expand(&dir, &["testdata/nothing-*.yml".into()]).unwrap(), Vec::<PathBuf>::new());
        assert!(matches!(expand(&dir, &["*/x.yml".into()]), Err(GlobError::WildcardDirectory(_))));
    }
}
