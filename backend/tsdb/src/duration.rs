//! Durations as Prometheus's `model.Duration` reads and prints them (rule files, Alertmanager
//! configs): `1y2w3d4h5m6s7ms`, units in
//! that order and each at most once, `0` without a unit; y = 365d, w = 7d. Milliseconds.

use std::fmt;

/// Why a duration did not parse; the texts are Prometheus's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationError {
    Empty,
    Invalid(String),
    OutOfRange,
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DurationError::Empty => f.write_str("empty duration string"),
            DurationError::Invalid(text) => write!(f, "not a valid duration string: {text:?}"),
            DurationError::OutOfRange => f.write_str("duration out of range"),
        }
    }
}

impl std::error::Error for DurationError {}

const UNITS: [(&str, i64); 7] = [
    ("y", 365 * 86_400_000),
    ("w", 7 * 86_400_000),
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1000),
    ("ms", 1),
];

/// Parses a duration into milliseconds.
pub fn parse_duration(text: &str) -> Result<i64, DurationError> {
    match text {
        "0" => return Ok(0),
        "" => return Err(DurationError::Empty),
        _ => {}
    }
    let invalid = || DurationError::Invalid(text.to_string());
    let mut rest = text;
    let mut next_unit = 0;
    let mut total: i64 = 0;
    let mut overflow = false;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return Err(invalid());
        }
        let number = &rest[..digits];
        rest = &rest[digits..];
        // `ms` must be tried before `m`.
        let (index, unit_len, mult) = UNITS
            .iter()
            .enumerate()
            .skip(next_unit)
            .filter(|(_, (unit, _))| rest.starts_with(unit))
            .max_by_key(|(_, (unit, _))| unit.len())
            .map(|(i, (unit, mult))| (i, unit.len(), *mult))
            .ok_or_else(invalid)?;
        if rest[unit_len..].starts_with(|c: char| !c.is_ascii_digit()) {
            return Err(invalid());
        }
        rest = &rest[unit_len..];
        next_unit = index + 1;
        match number.parse::<i64>().ok().and_then(|n| n.checked_mul(mult)).and_then(|v| total.checked_add(v)) {
            // Go counts in nanoseconds, so the limit is i64::MAX ns.
            Some(v) if v <= i64::MAX / 1_000_000 => total = v,
            _ => overflow = true,
        }
    }
    if overflow { Err(DurationError::OutOfRange) } else { Ok(total) }
}

/// Prints milliseconds as Prometheus does: `1h30m`, `0s`, years and weeks only when exact.
pub fn format_duration(ms: i64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut rest = ms;
    let mut out = String::new();
    for (unit, mult) in UNITS {
        let exact_only = matches!(unit, "y" | "w");
        if exact_only && rest % mult != 0 {
            continue;
        }
        let n = rest / mult;
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
            rest -= n * mult;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_like_prometheus() {
        for (text, ms, printed) in [
            ("0", 0, "0s"),
            ("5m", 300_000, "5m"),
            ("1h30m", 5_400_000, "1h30m"),
            ("90m", 5_400_000, "1h30m"),
            ("1y", 31_536_000_000, "1y"),
            ("2w", 1_209_600_000, "2w"),
            ("8d", 691_200_000, "8d"),
            ("14d", 1_209_600_000, "2w"),
            ("1s500ms", 1500, "1s500ms"),
            ("0s", 0, "0s"),
        ] {
            assert_eq!(parse_duration(text), Ok(ms), "{text}");
            assert_eq!(format_duration(ms), printed, "{text}");
        }
        for bad in ["5", "1m1h", "1.5h", "5 m", "m", "1mm", "-1m", "1h1h"] {
            assert_eq!(parse_duration(bad), Err(DurationError::Invalid(bad.into())), "{bad}");
        }
        assert_eq!(parse_duration("").unwrap_err().to_string(), "empty duration string");
        assert_eq!(parse_duration("999999y"), Err(DurationError::OutOfRange));
    }
}
