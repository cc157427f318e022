//! gzip request bodies (`Content-Encoding: gzip`), inflated with a cap so a small bomb cannot
//! exhaust memory.

use std::io::Read;

/// Inflates `body`; `Err` says why (damaged, or larger than `max` once inflated).
pub fn inflate(body: &[u8], max: usize) -> Result<Vec<u8>, InflateError> {
    let mut out = Vec::with_capacity(body.len().saturating_mul(4).min(max));
    let read = flate2::read::MultiGzDecoder::new(body)
        .take(max as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| InflateError::Damaged(e.to_string()))?;
    if read > max {
        return Err(InflateError::TooLarge { max });
    }
    Ok(out)
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum InflateError {
    #[error("gzip body is damaged: {0}")]
    Damaged(String),
    #[error("gzip body inflates to more than the limit of {max} bytes")]
    TooLarge { max: usize },
}

/// Whether the request's `Content-Encoding` is gzip.
pub fn is_gzip(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("gzip"))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn inflates_within_the_cap_and_refuses_past_it() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&[b'x'; 10_000]).unwrap();
        let gz = encoder.finish().unwrap();
        assert_eq!(inflate(&gz, 10_000).unwrap().len(), 10_000);
        assert_eq!(inflate(&gz, 9_999), Err(InflateError::TooLarge { max: 9_999 }));
        assert!(matches!(inflate(b"not gzip", 100), Err(InflateError::Damaged(_))));
    }
}
