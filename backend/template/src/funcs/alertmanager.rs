//! The functions Alertmanager (v0.25, `template/template.go`) gives notification templates:
//! `toUpper`, `toLower`, `title`, `join`, `match`, `safeHtml`, `reReplaceAll`, `stringSlice`, and
//! `trimSpace` from later versions.

use super::{Arity, FuncMap, Function, map_case, regex_match, regex_replace_all, string, string_fn, two, wrong_type};
use crate::Value;

/// Alertmanager's template functions, to pass to [`crate::Template::funcs`].
pub fn functions() -> FuncMap {
    super::map([
        ("toUpper", string_fn(|s| map_case(s, true).into())),
        ("toLower", string_fn(|s| map_case(s, false).into())),
        ("title", string_fn(|s| title(s).into())),
        ("join", Function::new(Arity::Exactly(2), join)),
        ("match", regex_match()),
        ("safeHtml", string_fn(|s| s.into())),
        ("reReplaceAll", regex_replace_all()),
        (
            "stringSlice",
            Function::new(Arity::AtLeast(0), |args| {
                args.iter().map(|arg| string(arg).map(Value::from)).collect::<Result<Vec<_>, _>>().map(Value::from)
            }),
        ),
        ("trimSpace", string_fn(|s| s.trim().into())),
    ])
}

/// `join sep list`: the separator first, so `{{ .Values | join ", " }}` reads naturally.
fn join(args: &[Value]) -> Result<Value, String> {
    let (separator, list) = two(args)?;
    let separator = string(separator)?;
    let Value::List(items) = list.plain() else {
        return Err(wrong_type("[]string", list));
    };
    let parts = items
        .iter()
        .map(|item| item.as_str().ok_or_else(|| wrong_type("[]string", list)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(parts.join(separator).into())
}

/// Characters that sit inside a word without ending it (Unicode's case-ignorable ones that occur
/// in practice): `don't` titles as `Don't`, `v1.2` as `V1.2`.
fn is_case_ignorable(c: char) -> bool {
    matches!(c, '\'' | '.' | ':' | '^' | '`' | '\u{00ad}' | '\u{00b7}' | '\u{2018}' | '\u{2019}' | '\u{2024}')
        || ('\u{0300}'..='\u{036f}').contains(&c)
}

/// `cases.Title(language.AmericanEnglish)`, which Alertmanager uses: each word's first letter upper
/// case and the rest lower case; a word is a run of letters, broken by anything that is neither a
/// letter nor case-ignorable (so `foo_bar` gives `Foo_Bar`, unlike Prometheus's `title`).
fn title(s: &str) -> String {
    let mut in_word = false;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_lowercase() || c.is_uppercase() {
            if in_word {
                out.extend(c.to_lowercase());
            } else {
                out.push_str(&map_case(&c.to_string(), true));
            }
            in_word = true;
        } else {
            out.push(c);
            in_word &= is_case_ignorable(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn title_lowers_the_rest_of_each_word() {
        assert_eq!(super::title("aa bb CC"), "Aa Bb Cc");
        assert_eq!(super::title("don't foo_bar HIGH-cpu 2nd v1.2"), "Don't Foo_Bar High-Cpu 2Nd V1.2");
    }
}
