//! Log timestamps as applications write them, read into Unix nanoseconds: ISO-8601 with or
//! without a zone (naive means UTC), the `2024-12-24 21:05:09,123` form of Python's `asctime`,
//! and epoch numbers in s, ms, µs or ns.

use serde_json::Value;

/// A JSON `timestamp` value in Unix nanoseconds.
pub fn from_json(value: &Value) -> Result<i64, String> {
    match value {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(from_epoch_integer(i))
            } else if let Some(f) = n.as_f64() {
                from_epoch_float(f)
            } else {
                Err(format!("timestamp {n} is out of range"))
            }
        }
        Value::String(s) => parse(s),
        other => Err(format!("timestamp must be a string or a number, not {}", kind(other))),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An epoch integer's unit is read from its size: seconds until the year 5138, then
/// milliseconds, microseconds and nanoseconds.
fn from_epoch_integer(i: i64) -> i64 {
    let magnitude = i.unsigned_abs();
    if magnitude < 100_000_000_000 {
        i.saturating_mul(1_000_000_000)
    } else if magnitude < 100_000_000_000_000 {
        i.saturating_mul(1_000_000)
    } else if magnitude < 100_000_000_000_000_000 {
        i.saturating_mul(1_000)
    } else {
        i
    }
}

fn from_epoch_float(f: f64) -> Result<i64, String> {
    if !f.is_finite() {
        return Err(format!("timestamp {f} is not a time"));
    }
    let magnitude = f.abs();
    let unit = if magnitude < 1e11 {
        1e9
    } else if magnitude < 1e14 {
        1e6
    } else if magnitude < 1e17 {
        1e3
    } else {
        1.0
    };
    if (magnitude * unit) >= 9.2e18 {
        return Err(format!("timestamp {f} is out of range"));
    }
    // Whole and fractional parts apart: 1735074309.25 * 1e9 in one product loses the fraction.
    Ok((f.trunc() as i64) * (unit as i64) + (f.fract() * unit).round() as i64)
}

/// Parses a timestamp string: ISO-8601 / RFC 3339 (`T` or space, `.` or `,` before the
/// fraction, `Z`, `±hh:mm`, `±hhmm` or no zone) or an epoch number written as a string.
pub fn parse(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let invalid = || format!("cannot read timestamp {text:?}: expected ISO-8601 or epoch seconds/ms/ns");
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b'.') {
        if let Ok(i) = text.parse::<i64>() {
            return Ok(from_epoch_integer(i));
        }
        if let Ok(f) = text.parse::<f64>() {
            return from_epoch_float(f);
        }
    }
    let b = text.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(invalid());
    }
    let year = digits(&b[0..4]).ok_or_else(invalid)? as i64;
    let month = digits(&b[5..7]).ok_or_else(invalid)?;
    let day = digits(&b[8..10]).ok_or_else(invalid)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(invalid());
    }
    let (mut hour, mut minute, mut second, mut nanos) = (0, 0, 0, 0i64);
    let mut rest = &b[10..];
    if !rest.is_empty() {
        if !matches!(rest[0], b'T' | b't' | b' ') || rest.len() < 6 || rest[3] != b':' {
            return Err(invalid());
        }
        hour = digits(&rest[1..3]).ok_or_else(invalid)?;
        minute = digits(&rest[4..6]).ok_or_else(invalid)?;
        rest = &rest[6..];
        if rest.first() == Some(&b':') {
            second = digits(rest.get(1..3).ok_or_else(invalid)?).ok_or_else(invalid)?;
            rest = &rest[3..];
        }
        if matches!(rest.first(), Some(b'.' | b',')) {
            let frac_len = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if frac_len == 0 {
                return Err(invalid());
            }
            // Digits past nanoseconds are dropped, not rounded, as Go's time parsing does.
            for (i, c) in rest[1..=frac_len].iter().enumerate().take(9) {
                nanos += i64::from(c - b'0') * 10i64.pow(8 - i as u32);
            }
            rest = &rest[1 + frac_len..];
        }
        if hour > 23 || minute > 59 || second > 60 {
            return Err(invalid());
        }
    }
    let offset_s = match rest {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), zone @ ..] => {
            let (h, m) = match zone {
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                    (digits(&[*h1, *h2]).ok_or_else(invalid)?, digits(&[*m1, *m2]).ok_or_else(invalid)?)
                }
                [h1, h2] => (digits(&[*h1, *h2]).ok_or_else(invalid)?, 0),
                _ => return Err(invalid()),
            };
            let s = i64::from(h * 3600 + m * 60);
            if *sign == b'+' { s } else { -s }
        }
        _ => return Err(invalid()),
    };
    let days = lookout_tsdb::days_from_civil(year, i64::from(month), i64::from(day));
    let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_s;
    secs.checked_mul(1_000_000_000).and_then(|ns| ns.checked_add(nanos)).ok_or_else(invalid)
}

/// Formats Unix nanoseconds as RFC 3339 with nine fractional digits, as Go's `RFC3339Nano`
/// without trailing zeros (Loki's `__timestamp__`).
pub fn format_rfc3339_nanos(ns: i64) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let nanos = ns.rem_euclid(1_000_000_000);
    let (y, m, d) = lookout_tsdb::civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    let mut out = format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60);
    if nanos > 0 {
        let frac = format!("{nanos:09}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XMAS: i64 = 1_735_074_309_000_000_000; // 2024-12-24T21:05:09Z

    #[test]
    fn iso_forms_with_and_without_zone() {
        assert_eq!(parse("2024-12-24T21:05:09Z"), Ok(XMAS));
        assert_eq!(parse("2024-12-24T21:05:09"), Ok(XMAS), "naive means UTC");
        assert_eq!(parse("2024-12-24 21:05:09,123"), Ok(XMAS + 123_000_000), "Python asctime");
        assert_eq!(parse("2024-12-24T22:05:09.5+01:00"), Ok(XMAS + 500_000_000));
        assert_eq!(parse("2024-12-24T16:05:09.123456789-0500"), Ok(XMAS + 123_456_789));
        assert_eq!(parse("2024-12-24T21:05:09.1234567891Z"), Ok(XMAS + 123_456_789));
        assert_eq!(parse("2024-12-24"), Ok(XMAS - (21 * 3600 + 5 * 60 + 9) * 1_000_000_000));
    }

    #[test]
    fn formats_as_go_rfc3339_nano() {
        assert_eq!(format_rfc3339_nanos(XMAS), "2024-12-24T21:05:09Z");
        assert_eq!(format_rfc3339_nanos(XMAS + 120_000_000), "2024-12-24T21:05:09.12Z");
        assert_eq!(parse(&format_rfc3339_nanos(XMAS + 7)), Ok(XMAS + 7));
    }

    #[test]
    fn epoch_units_are_read_from_the_size() {
        assert_eq!(from_json(&serde_json::json!(1_735_074_309)), Ok(XMAS));
        assert_eq!(from_json(&serde_json::json!(1_735_074_309_123i64)), Ok(XMAS + 123_000_000));
        assert_eq!(from_json(&serde_json::json!(1_735_074_309_123_456i64)), Ok(XMAS + 123_456_000));
        assert_eq!(from_json(&serde_json::json!(XMAS + 7)), Ok(XMAS + 7));
        assert_eq!(from_json(&serde_json::json!(1_735_074_309.25)), Ok(XMAS + 250_000_000));
        assert_eq!(parse("1735074309123"), Ok(XMAS + 123_000_000));
    }

    #[test]
    fn nonsense_is_an_error_not_a_panic() {
        for bad in [
            "",
            "yesterday",
            "2024-13-01",
            "2024-02-30T00:00:00Z",
            "2024-12-24T25:00",
            "2024-12-24T21:05:09+1",
            "2024-12-24T21:05:09.Z",
            "9999999999999999999999",
            "2024-12-24T21:0",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert!(from_json(&serde_json::json!(true)).is_err());
        assert!(from_json(&serde_json::json!(1e300)).is_err());
    }
}
