//! Prometheus durations (`model.ParseDuration`): `1y2w3d4h5m6s7ms`, units in that order, or `0`.

use std::fmt;

/// Why a duration string was refused; the texts are `prometheus/common`'s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationError {
    Empty,
    Invalid(String),
    OutOfRange,
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DurationError::Empty => write!(f, "empty duration string"),
            DurationError::Invalid(s) => write!(f, "not a valid duration string: {}", crate::labels::go_quote(s)),
            DurationError::OutOfRange => write!(f, "duration out of range"),
        }
    }
}

impl std::error::Error for DurationError {}

const UNITS: [(&str, i64); 7] = [
    ("y", 365 * 24 * 3_600_000),
    ("w", 7 * 24 * 3_600_000),
    ("d", 24 * 3_600_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1_000),
    ("ms", 1),
];

/// Parses a duration into milliseconds.
pub fn parse_duration(s: &str) -> Result<i64, DurationError> {
    match s {
        "0" => return Ok(0),
        "" => return Err(DurationError::Empty),
        _ => {}
    }
    let invalid = || DurationError::Invalid(s.to_string());
    let (mut rest, mut next_unit, mut total) = (s, 0usize, 0i64);
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(invalid());
        }
        let n: i64 = rest[..digits].parse().map_err(|_| DurationError::OutOfRange)?;
        rest = &rest[digits..];
        // `m` must not swallow the `m` of `ms`, so try the longer unit first at each position.
        let found = UNITS[next_unit..]
            .iter()
            .enumerate()
            .filter(|(_, (u, _))| rest.starts_with(u))
            .max_by_key(|(_, (u, _))| u.len());
        let Some((offset, (unit, ms))) = found else { return Err(invalid()) };
        rest = &rest[unit.len()..];
        next_unit += offset + 1;
        total = n.checked_mul(*ms).and_then(|v| total.checked_add(v)).ok_or(DurationError::OutOfRange)?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<i64, &str>) {
        assert_eq!(parse_duration(input).map_err(|e| e.to_string()), expected.map_err(str::to_string), "{input:?}");
    }

    #[test]
    fn durations() {
        check("0", Ok(0));
        check("30s", Ok(30_000));
        check("5m", Ok(300_000));
        check("1h30m", Ok(5_400_000));
        check("1d2h", Ok(93_600_000));
        check("100ms", Ok(100));
        check("1m5ms", Ok(60_005));
        check("", Err("empty duration string"));
        check("5", Err("not a valid duration string: \"5\""));
        check("1m1h", Err("not a valid duration string: \"1m1h\""));
        check("1s1s", Err("not a valid duration string: \"1s1s\""));
        check("-1s", Err("not a valid duration string: \"-1s\""));
        check("1.5h", Err("not a valid duration string: \"1.5h\""));
        check("99999999999999999999y", Err("duration out of range"));
    }
}
