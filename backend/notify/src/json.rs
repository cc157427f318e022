//! JSON as Go's `json.Encoder` writes it, which is what receivers of Alertmanager see: `<`, `>`
//! and `&` escaped as `\u003c`, `\u003e`, `\u0026` (and U+2028, U+2029 likewise), a newline at the end.

use serde::Serialize;

use crate::error::DeliveryError;

/// Encodes `value` as Go's `json.NewEncoder(w).Encode(value)` does.
pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, DeliveryError> {
    let plain = serde_json::to_string(value).map_err(|e| DeliveryError::Config(format!("encode JSON: {e}")))?;
    let mut out = String::with_capacity(plain.len() + 16);
    // These characters can only occur inside JSON strings, so replacing them everywhere is exact.
    for c in plain.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('\n');
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_go() {
        let got = encode(&serde_json::json!({"a": "x<y>&z\u{2028}", "b": "\"\n"})).unwrap();
        assert_eq!(String::from_utf8(got).unwrap(), "{\"a\":\"x\\u003cy\\u003e\\u0026z\\u2028\",\"b\":\"\\\"\\n\"}\n");
    }
}
