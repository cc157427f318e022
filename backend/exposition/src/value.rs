//! Numbers: sample values in both formats, integer-millisecond timestamps in the text format and
//! float-second timestamps in OpenMetrics. Callers turn a [`NumberError`] into a message that
//! names the token and the metric.

use std::num::IntErrorKind;

/// Why a number token was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberError {
    /// Not a number in the format's syntax.
    Invalid,
    /// A well-formed number that does not fit.
    OutOfRange,
}

/// Parses a sample value the way Go's `strconv.ParseFloat`, which defines both formats, reads the
/// decimal forms: `1`, `-2.5`, `.5`, `1e3`, and `Inf`, `+Inf`, `-Inf`, `NaN` in any letter case.
pub(crate) fn parse_value(token: &str) -> Result<f64, NumberError> {
    let value: f64 = token.parse().map_err(|_| NumberError::Invalid)?;
    // Rust rounds an overflowing literal such as `1e400` to infinity. Go rejects it, and a silent
    // infinity would hide a broken exporter, so only a spelled-out infinity may be infinite.
    if value.is_infinite() && !spells_infinity(token) {
        return Err(NumberError::OutOfRange);
    }
    Ok(value)
}

fn spells_infinity(token: &str) -> bool {
    let unsigned = token.strip_prefix(['+', '-']).unwrap_or(token);
    unsigned.get(..3).is_some_and(|word| word.eq_ignore_ascii_case("inf"))
}

/// Parses a text-format timestamp: integer milliseconds since the epoch, possibly negative.
pub(crate) fn parse_millis(token: &str) -> Result<i64, NumberError> {
    token.parse::<i64>().map_err(|error| match error.kind() {
        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => NumberError::OutOfRange,
        _ => NumberError::Invalid,
    })
}

/// Parses an OpenMetrics timestamp, seconds since the epoch as a real number, into milliseconds
/// rounded to the nearest one.
pub(crate) fn parse_seconds_as_millis(token: &str) -> Result<i64, NumberError> {
    let seconds = parse_value(token)?;
    // OpenMetrics timestamps are real numbers; NaN and the infinities name no instant.
    if !seconds.is_finite() {
        return Err(NumberError::Invalid);
    }
    let millis = (seconds * 1000.0).round();
    // 2^63 is exactly representable, so this bound is exact and the cast below never saturates.
    let limit = 2f64.powi(63);
    if !(-limit..limit).contains(&millis) {
        return Err(NumberError::OutOfRange);
    }
    Ok(millis as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compares through `Debug`, so NaN, infinities and errors read naturally in the tables.
    fn check(token: &str, actual: impl std::fmt::Debug, expected: &str) {
        assert_eq!(format!("{actual:?}"), expected, "token {token:?}");
    }

    #[test]
    fn values() {
        for (token, expected) in [
            ("1", "Ok(1.0)"),
            ("-2.5", "Ok(-2.5)"),
            ("+3", "Ok(3.0)"),
            (".5", "Ok(0.5)"),
            ("5.", "Ok(5.0)"),
            ("1e3", "Ok(1000.0)"),
            ("1.5E-3", "Ok(0.0015)"),
            ("4.059092e+06", "Ok(4059092.0)"),
            ("+Inf", "Ok(inf)"),
            ("-Inf", "Ok(-inf)"),
            ("Inf", "Ok(inf)"),
            ("inf", "Ok(inf)"),
            ("+infinity", "Ok(inf)"),
            ("NaN", "Ok(NaN)"),
            ("nan", "Ok(NaN)"),
            ("1e400", "Err(OutOfRange)"),
            ("-1e400", "Err(OutOfRange)"),
            ("abc", "Err(Invalid)"),
            ("", "Err(Invalid)"),
            ("1,5", "Err(Invalid)"),
            ("0x10", "Err(Invalid)"),
            ("1_000", "Err(Invalid)"),
            ("in", "Err(Invalid)"),
            ("ä", "Err(Invalid)"),
        ] {
            check(token, parse_value(token), expected);
        }
    }

    #[test]
    fn millisecond_timestamps() {
        for (token, expected) in [
            ("1500", "Ok(1500)"),
            ("-1500", "Ok(-1500)"),
            ("+7", "Ok(7)"),
            ("1.5", "Err(Invalid)"),
            ("1e3", "Err(Invalid)"),
            ("", "Err(Invalid)"),
            ("9223372036854775808", "Err(OutOfRange)"),
            ("-9223372036854775809", "Err(OutOfRange)"),
        ] {
            check(token, parse_millis(token), expected);
        }
    }

    #[test]
    fn second_timestamps() {
        for (token, expected) in [
            ("1520430000.123", "Ok(1520430000123)"),
            ("1520430000", "Ok(1520430000000)"),
            ("1.7268398142239082e+09", "Ok(1726839814224)"),
            ("-1.5", "Ok(-1500)"),
            ("0.0004", "Ok(0)"),
            ("0.0006", "Ok(1)"),
            ("NaN", "Err(Invalid)"),
            ("+Inf", "Err(Invalid)"),
            ("abc", "Err(Invalid)"),
            ("1e17", "Err(OutOfRange)"),
            ("1e400", "Err(OutOfRange)"),
        ] {
            check(token, parse_seconds_as_millis(token), expected);
        }
    }
}
