//! Go's text conventions that the peers' formats inherit, in one place: `strconv.Quote`, as
//! PromQL and LogQL string literals, Prometheus's and Alertmanager's label sets, and Go
//! templates' `%q` write strings. Both query lexers read every escape written here back.

use std::fmt::Write;

/// Go's `strconv.Quote`: a double-quoted string, printable characters kept, `"` and `\` escaped,
/// the rest as Go escapes (`\n`, `\x7f`, `\u00a0`, `\U0001f5ff`).
pub fn quote(s: &str) -> String {
    quote_with(s, '"')
}

/// Go's `strconv.QuoteRune`: one character between single quotes.
pub fn quote_rune(c: char) -> String {
    let mut buf = [0; 4];
    quote_with(c.encode_utf8(&mut buf), '\'')
}

fn quote_with(s: &str, delim: char) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(delim);
    for c in s.chars() {
        match c {
            c if c == delim || c == '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if is_print(c) => out.push(c),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push(delim);
    out
}

/// Go's `unicode.IsPrint`, near enough without Unicode's tables: letters, marks, numbers,
/// punctuation, symbols and the ASCII space; not controls, other spaces, the common format
/// characters (soft hyphen, zero-width and direction marks, the byte order mark) or private use.
pub fn is_print(c: char) -> bool {
    let format = matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}');
    let private = matches!(c, '\u{e000}'..='\u{f8ff}' | '\u{f0000}'..='\u{10ffff}');
    c == ' ' || !(c.is_control() || c.is_whitespace() || format || private)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go's answers (`fmt.Println(strconv.Quote(…))`).
    #[test]
    fn quotes_as_go_does() {
        for (text, quoted) in [
            ("", r#""""#),
            ("plain", r#""plain""#),
            ("a\"b\\c\td\u{7f}é\u{a0}", r#""a\"b\\c\td\x7fé\u00a0""#),
            ("\u{1}", r#""\x01""#),
            ("😀", r#""😀""#),
            ("\u{e000}\u{f0000}", r#""\ue000\U000f0000""#),
            ("bell\u{7}", r#""bell\a""#),
            ("it's", r#""it's""#),
            ("soft\u{ad}hyphen", r#""soft\u00adhyphen""#),
        ] {
            assert_eq!(quote(text), quoted, "{text:?}");
        }
        assert_eq!(quote_rune('\''), r"'\''");
        assert_eq!(quote_rune('x'), "'x'");
    }
}
