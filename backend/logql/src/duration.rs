//! Durations and byte sizes as LogQL writes them (`1h30m`, `250ms`, `1.5s`, `20MB`, `1KiB`):
//! parsing, and printing in a canonical form that parses back to the same value.

use std::time::Duration;

const NS: u128 = 1;
const US: u128 = 1_000;
const MS: u128 = 1_000_000;
const S: u128 = 1_000_000_000;
const M: u128 = 60 * S;
const H: u128 = 60 * M;
const D: u128 = 24 * H;
const W: u128 = 7 * D;
const Y: u128 = 365 * D;

/// Units longest first, so `ms` is tried before `m` and `µs` before nothing.
const DURATION_UNITS: &[(&str, u128)] = &[
    ("ns", NS),
    ("us", US),
    ("µs", US),
    ("μs", US),
    ("ms", MS),
    ("s", S),
    ("m", M),
    ("h", H),
    ("d", D),
    ("w", W),
    ("y", Y),
];

/// Go's `time.Duration` tops out here; Loki stores durations in one, so larger ones are errors.
const MAX_NANOS: u128 = i64::MAX as u128;

/// Parses one or more `<number><unit>` terms: Go's units (ns, us/µs, ms, s, m, h) and Prometheus's
/// (d, w, y), with optional fractions, as Loki accepts both. `"0"` alone is zero, as in Go.
pub fn parse_duration(text: &str) -> Option<Duration> {
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let mut rest = text;
    let mut total: u128 = 0;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let (whole, frac, after) = split_number(rest)?;
        let (unit, after) = DURATION_UNITS
            .iter()
            .filter(|(name, _)| after.starts_with(name))
            .max_by_key(|(name, _)| name.len())
            .map(|&(name, unit)| (unit, &after[name.len()..]))?;
        total = total.checked_add(scale(whole, frac, unit)?)?;
        rest = after;
    }
    if total > MAX_NANOS {
        return None;
    }
    Some(Duration::from_nanos(u64::try_from(total).ok()?))
}

/// Prints a duration as the largest units that sum to it exactly (`1h30m`, `1s500ms`), the way
/// Prometheus prints its own, extended down to `us` and `ns`.
pub fn format_duration(d: Duration) -> String {
    let mut nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    for (name, unit) in [("y", Y), ("w", W), ("d", D), ("h", H), ("m", M), ("s", S), ("ms", MS), ("us", US), ("ns", NS)]
    {
        if nanos >= unit {
            out += &format!("{}{name}", nanos / unit);
            nanos %= unit;
        }
    }
    out
}

/// Byte-size units, matched case-insensitively as go-humanize does.
const BYTE_UNITS: &[(&str, u128)] = &[
    ("b", 1),
    ("k", 1_000),
    ("kb", 1_000),
    ("ki", 1 << 10),
    ("kib", 1 << 10),
    ("m", 1_000_000),
    ("mb", 1_000_000),
    ("mi", 1 << 20),
    ("mib", 1 << 20),
    ("g", 1_000_000_000),
    ("gb", 1_000_000_000),
    ("gi", 1 << 30),
    ("gib", 1 << 30),
    ("t", 1_000_000_000_000),
    ("tb", 1_000_000_000_000),
    ("ti", 1 << 40),
    ("tib", 1 << 40),
    ("p", 1_000_000_000_000_000),
    ("pb", 1_000_000_000_000_000),
    ("pi", 1 << 50),
    ("pib", 1 << 50),
];

/// Parses a byte size such as `20MB`, `1KiB` or `1.5GB`. Only the letters Loki's lexer takes as
/// part of a size (B, i, k, K, M, G, T, P) may appear, so `5m` stays a duration.
pub fn parse_bytes(text: &str) -> Option<u64> {
    let (whole, frac, unit) = split_number(text)?;
    if unit.is_empty() || !unit.chars().all(|c| matches!(c, 'B' | 'i' | 'k' | 'K' | 'M' | 'G' | 'T' | 'P')) {
        return None;
    }
    let unit = unit.to_ascii_lowercase();
    let &(_, mult) = BYTE_UNITS.iter().find(|(name, _)| *name == unit)?;
    u64::try_from(scale(whole, frac, mult)?).ok()
}

/// Prints a byte size in the unit that gives the smallest whole number (`20MB`, `1KiB`, `3B`).
pub fn format_bytes(n: u64) -> String {
    let n = u128::from(n);
    let best = [("PiB", 1u128 << 50), ("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        .into_iter()
        .chain([("PB", 1_000_000_000_000_000), ("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000)])
        .chain([("kB", 1_000)])
        .filter(|&(_, unit)| n > 0 && n % unit == 0)
        .min_by_key(|&(_, unit)| n / unit);
    match best {
        Some((name, unit)) => format!("{}{name}", n / unit),
        None => format!("{n}B"),
    }
}

/// Splits a leading decimal number (`12`, `1.5`, `.5`) off `text`: its whole part, its fraction
/// digits, and what follows.
fn split_number(text: &str) -> Option<(u128, &str, &str)> {
    let digits_end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let whole_digits = &text[..digits_end];
    let mut rest = &text[digits_end..];
    let mut frac = "";
    if let Some(after_dot) = rest.strip_prefix('.') {
        let frac_end = after_dot.find(|c: char| !c.is_ascii_digit()).unwrap_or(after_dot.len());
        frac = &after_dot[..frac_end];
        rest = &after_dot[frac_end..];
    }
    if whole_digits.is_empty() && frac.is_empty() {
        return None;
    }
    let whole = if whole_digits.is_empty() { 0 } else { whole_digits.parse::<u128>().ok()? };
    Some((whole, frac, rest))
}

/// `whole.frac * unit`, exactly for the whole part and truncating below one unit of the result
/// (nanosecond or byte), as Go does.
fn scale(whole: u128, frac: &str, unit: u128) -> Option<u128> {
    let mut value = whole.checked_mul(unit)?;
    // 18 digits keep numerator * unit below 2^120 (units are below 2^56); later digits are worth
    // less than one nanosecond or byte.
    let frac = &frac[..frac.len().min(18)];
    if !frac.is_empty() {
        let numerator: u128 = frac.parse().ok()?;
        value = value.checked_add(numerator * unit / 10u128.pow(frac.len() as u32))?;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Option<Duration> {
        Some(Duration::from_millis(n))
    }

    #[test]
    fn durations_in_go_and_prometheus_units() {
        assert_eq!(parse_duration("5m"), ms(300_000));
        assert_eq!(parse_duration("1h30m"), ms(5_400_000));
        assert_eq!(parse_duration("1m30s"), ms(90_000));
        assert_eq!(parse_duration("250ms"), ms(250));
        assert_eq!(parse_duration("1.5s"), ms(1_500));
        assert_eq!(parse_duration("2d"), ms(2 * 86_400_000));
        assert_eq!(parse_duration("1w"), ms(7 * 86_400_000));
        assert_eq!(parse_duration("1y"), ms(365 * 86_400_000));
        assert_eq!(parse_duration("10us"), Some(Duration::from_micros(10)));
        assert_eq!(parse_duration("10µs"), Some(Duration::from_micros(10)));
        assert_eq!(parse_duration("7ns"), Some(Duration::from_nanos(7)));
        assert_eq!(parse_duration("0"), Some(Duration::ZERO));
        for bad in ["", "5", "x", "5x", "m", "1.s5", "5mb", "1h-1m", "99999999999y", "1e3s"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations_print_canonically_and_parse_back() {
        for (text, canonical) in [
            ("90s", "1m30s"),
            ("1.5s", "1s500ms"),
            ("0s", "0s"),
            ("168h", "1w"),
            ("1h30m", "1h30m"),
            ("1001us", "1ms1us"),
        ] {
            let d = parse_duration(text).unwrap();
            assert_eq!(format_duration(d), canonical);
            assert_eq!(parse_duration(canonical), Some(d));
        }
    }

    #[test]
    fn byte_sizes() {
        assert_eq!(parse_bytes("20MB"), Some(20_000_000));
        assert_eq!(parse_bytes("1KiB"), Some(1024));
        assert_eq!(parse_bytes("1kB"), Some(1000));
        assert_eq!(parse_bytes("1.5KB"), Some(1500));
        assert_eq!(parse_bytes("3B"), Some(3));
        assert_eq!(parse_bytes("2M"), Some(2_000_000));
        assert_eq!(parse_bytes("1Gi"), Some(1 << 30));
        for bad in ["5", "5mb", "5b", "5m", "KB", "5XB", "99999999PB"] {
            assert_eq!(parse_bytes(bad), None, "{bad}");
        }
        for (n, text) in [(20_000_000, "20MB"), (1024, "1KiB"), (1000, "1kB"), (3, "3B"), (0, "0B"), (1536, "1536B")] {
            let printed = format_bytes(n);
            assert_eq!(printed, text);
            assert_eq!(parse_bytes(&printed), Some(n));
        }
    }
}
