//! The words of a line, for the full-text index: maximal runs of ASCII letters, case kept.
//!
//! LogQL's `|= "needle"` is a substring match, so the index must never miss a line that
//! contains the needle. Every letter run inside the needle is a substring of some word of any
//! matching line; when the needle has a non-letter on both sides of the run, the line has that
//! exact word. So a page can be skipped when, for some run of the needle, none of the page's
//! words contains it (or equals it). Words longer than [`WINDOW`] are filed as overlapping
//! windows, so a run of up to [`WINDOW`]/2 letters inside them is still found, and one random
//! blob cannot flood the dictionary with huge words.

/// The longest word filed whole; longer ones are filed as windows of this size every half-window.
pub const WINDOW: usize = 64;

/// Calls `f` with each word (or window of a long word) of `text`.
pub fn for_each_word<'a>(text: &'a [u8], mut f: impl FnMut(&'a [u8])) {
    let mut i = 0;
    while i < text.len() {
        if !text[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < text.len() && text[i].is_ascii_alphabetic() {
            i += 1;
        }
        let word = &text[start..i];
        if word.len() <= WINDOW {
            f(word);
        } else {
            let mut at = 0;
            loop {
                let end = (at + WINDOW).min(word.len());
                f(&word[end - WINDOW..end]);
                if end == word.len() {
                    break;
                }
                at += WINDOW / 2;
            }
        }
    }
}

/// What a needle requires of a line's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Required<'a> {
    /// Some word equals this.
    Word(&'a [u8]),
    /// Some word contains this.
    Part(&'a [u8]),
}

/// The word requirements of a substring needle (empty when it has no letters).
pub fn required(needle: &[u8]) -> Vec<Required<'_>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < needle.len() {
        if !needle[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < needle.len() && needle[i].is_ascii_alphabetic() {
            i += 1;
        }
        let run = &needle[start..i];
        let bounded = start > 0 && i < needle.len();
        out.push(if bounded && run.len() <= WINDOW {
            Required::Word(run)
        } else {
            Required::Part(&run[..run.len().min(WINDOW / 2)])
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_word(text.as_bytes(), |w| out.push(String::from_utf8(w.to_vec()).unwrap()));
        out
    }

    #[test]
    fn words_are_letter_runs() {
        assert_eq!(words(r#"{"msg":"Pool exhausted! 20/20 req-8f3a"}"#), ["msg", "Pool", "exhausted", "req", "f", "a"]);
        let long = "a".repeat(100);
        let windows = words(&long);
        assert_eq!(windows.len(), 3);
        assert!(windows.iter().all(|w| w.len() == WINDOW));
    }

    #[test]
    fn needles_require_whole_words_only_where_bounded() {
        use Required::*;
        assert_eq!(required(b"exhausted"), [Part(b"exhausted".as_slice())]);
        assert_eq!(
            required(b"Connection pool exhausted"),
            [Part(b"Connection".as_slice()), Word(b"pool".as_slice()), Part(b"exhausted".as_slice())]
        );
        assert_eq!(required(b" pool "), [Word(b"pool".as_slice())]);
        assert!(required(b"20/20").is_empty());
    }

    /// The guarantee the index rests on: whenever a text contains a needle, every requirement of
    /// the needle is met by the text's words.
    #[test]
    fn a_containing_text_always_meets_the_requirements() {
        let text =
            format!(r#"{{"message":"Connection pool exhausted!","blob":"{}xyz{}"}}"#, "q".repeat(90), "w".repeat(70));
        let mut words: Vec<Vec<u8>> = Vec::new();
        for_each_word(text.as_bytes(), |w| words.push(w.to_vec()));
        let bytes = text.as_bytes();
        for start in 0..bytes.len() {
            for end in start + 1..=bytes.len().min(start + 80) {
                for req in required(&bytes[start..end]) {
                    let met = match req {
                        Required::Word(w) => words.iter().any(|x| x == w),
                        Required::Part(p) => words.iter().any(|x| memchr::memmem::find(x, p).is_some()),
                    };
                    assert!(met, "needle {:?} requirement {req:?}", String::from_utf8_lossy(&bytes[start..end]));
                }
            }
        }
    }
}
