//! Tidy checks over the source tree, run by `make test`: rules ARCHITECTURE.md states that no
//! compiler enforces. Each check is a function over one file's text, tested on small samples, and
//! the test at the bottom runs them over every Rust file of the workspace.
//!
//! - Every file opens with a `//!` line saying what it holds.
//! - The HTTP handlers under `backend/server/src/api/` build no JSON with `json!`: answers are
//!   `lookout-types` structs, so the browser and the server read one definition.
//! - No PromQL or LogQL text is built with Rust's `{:?}`, which writes escapes (`\u{1}`) the
//!   query lexers refuse: `lookout_gotext::quote` writes Go's.

use std::path::{Path, PathBuf};

/// One broken rule: where, and which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub line: usize,
    pub rule: &'static str,
}

/// The product part of a file: everything before its `#[cfg(test)]` module.
fn product(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |at| &text[..at])
}

/// A file must open with `//!`.
pub fn opens_with_doc(text: &str) -> Option<Finding> {
    (!text.starts_with("//!")).then_some(Finding { line: 1, rule: "the file does not open with a //! line" })
}

/// `json!` in a handler's product code.
pub fn builds_json(text: &str) -> Vec<Finding> {
    lines_matching(
        product(text),
        |line| line.contains("json!("),
        "JSON built with json! instead of a lookout-types struct",
    )
}

/// A Debug-formatted value right after a matcher's operator (`={:?}`, `=~{name:?}`): a query
/// string quoted the Rust way.
pub fn debug_quoted_matcher(text: &str) -> Vec<Finding> {
    lines_matching(
        product(text),
        |line| {
            line.match_indices(":?}").any(|(end, _)| {
                let Some(open) = line[..end].rfind('{') else { return false };
                let inside = &line[open + 1..end];
                let is_argument = inside.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
                is_argument && line[..open].ends_with(['=', '~'])
            })
        },
        "a query matcher's value formatted with {:?}; quote it with lookout_gotext::quote",
    )
}

fn lines_matching(text: &str, test: impl Fn(&str) -> bool, rule: &'static str) -> Vec<Finding> {
    let code = |line: &&str| !line.trim_start().starts_with("//");
    text.lines().enumerate().filter(|(_, l)| code(l) && test(l)).map(|(i, _)| Finding { line: i + 1, rule }).collect()
}

/// Every Rust file under `root`'s source folders, build output and fuzz corpora left out.
pub fn rust_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending: Vec<PathBuf> =
        ["backend", "types", "frontend", "tests", "fuzz"].iter().map(|d| root.join(d)).filter(|d| d.is_dir()).collect();
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if !matches!(name.to_str(), Some("target" | "dist" | "node_modules" | "corpus" | "artifacts")) {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_check_finds_what_it_names() {
        assert!(opens_with_doc("//! A module.\nfn f() {}\n").is_none());
        assert_eq!(opens_with_doc("use x;\n").map(|f| f.line), Some(1));
        assert_eq!(opens_with_doc("// not a doc line\n").map(|f| f.line), Some(1));

        let handler = "//! h\nfn a() { Json(json!({\"a\": 1})) }\n// json!( in a comment\n#[cfg(test)]\nmod tests { json!({}) }\n";
        assert_eq!(builds_json(handler).iter().map(|f| f.line).collect::<Vec<_>>(), [2]);

        let quoting = [
            (r#"format!("{}={:?}", l.name, l.value)"#, true),
            (r#"format!("{name}=~{value:?}")"#, true),
            (r#"format!("{}!={:?}", a, b)"#, true),
            (r#"format!("{}={}", l.name, quote(&l.value))"#, false),
            (r#"format!("unknown scope {s:?}")"#, false),
            (r#"format!("{:?}", x)"#, false),
        ];
        for (line, broken) in quoting {
            assert_eq!(debug_quoted_matcher(line).len(), usize::from(broken), "{line}");
        }
    }

    /// The rules over the whole workspace.
    #[test]
    fn the_tree_is_tidy() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let files = rust_files(&root);
        assert!(files.len() > 100, "found only {} Rust files under {}", files.len(), root.display());
        let mut broken = Vec::new();
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let shown = path.strip_prefix(&root).unwrap_or(path).display().to_string();
            let mut found: Vec<Finding> = opens_with_doc(&text).into_iter().collect();
            if shown.starts_with("backend/server/src/api/") {
                found.extend(builds_json(&text));
            }
            // Test code may show values the Rust way; what it sends as a query is checked by
            // the query's own parser.
            let test_code = shown.contains("/tests/") || shown.ends_with("test_support.rs");
            if !test_code {
                found.extend(debug_quoted_matcher(&text));
            }
            broken.extend(found.into_iter().map(|f| format!("{shown}:{}: {}", f.line, f.rule)));
        }
        assert!(broken.is_empty(), "untidy:\n{}", broken.join("\n"));
    }
}
