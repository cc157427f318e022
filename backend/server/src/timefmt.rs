//! Time helpers: wall-clock milliseconds, RFC 3339 formatting and Prometheus-style durations.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Loki counts in nanoseconds, the rest of Lookout in milliseconds.
pub const NS_PER_MS: i64 = 1_000_000;

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Microseconds since the Unix epoch, now: the notifier's group timers run on it.
pub fn now_us() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as i64)
}

/// Formats Unix milliseconds as `2024-12-24T21:05:09.123Z`.
pub fn rfc3339_millis(ms: i64) -> String {
    format!("{}.{:03}Z", date_time(ms.div_euclid(1000)), ms.rem_euclid(1000))
}

/// Formats Unix nanoseconds as Go's RFC3339Nano does: `2024-12-24T21:05:09.1234Z`, trailing
/// zeros of the fraction dropped, and no fraction at all on a whole second.
pub fn rfc3339_nanos(ns: i64) -> String {
    let fraction = ns.rem_euclid(1_000_000_000);
    let mut text = date_time(ns.div_euclid(1_000_000_000));
    if fraction > 0 {
        text.push_str(format!(".{fraction:09}").trim_end_matches('0'));
    }
    text.push('Z');
    text
}

/// `YYYY-MM-DDTHH:MM:SS` of Unix seconds, in UTC.
fn date_time(secs: i64) -> String {
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = lookout_tsdb::civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Parses an RFC 3339 time (`2024-12-24T21:05:09.123Z`, `…+01:00`) into Unix milliseconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(range)?;
        s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse().ok())?
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let frac = text.get(start..i)?;
        if frac.is_empty() {
            return None;
        }
        let padded: String = frac.chars().chain(std::iter::repeat('0')).take(3).collect();
        millis = padded.parse().ok()?;
    }
    let offset_minutes = match text.get(i..)? {
        "Z" | "z" => 0,
        zone if zone.len() == 6 && matches!(zone.as_bytes()[0], b'+' | b'-') && zone.as_bytes()[3] == b':' => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            sign * (num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?)
        }
        _ => return None,
    };
    let days = lookout_tsdb::days_from_civil(year, month, day);
    Some(((days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60) * 1000) + millis)
}

/// Parses a Prometheus API time: Unix seconds (with a fraction) or RFC 3339. Returns milliseconds.
pub fn parse_api_time(text: &str) -> Option<i64> {
    // Times beyond about ±146 million years are refused, so time arithmetic cannot overflow.
    const LIMIT_MS: i64 = 1 << 62;
    if let Ok(seconds) = text.parse::<f64>() {
        let ms = seconds * 1000.0;
        return (ms.is_finite() && ms.abs() < LIMIT_MS as f64).then(|| ms.round() as i64);
    }
    parse_rfc3339(text).filter(|ms| ms.abs() < LIMIT_MS)
}

/// Parses a Prometheus API duration: seconds (with a fraction) or a duration like `5m`.
pub fn parse_api_duration(text: &str) -> Option<Duration> {
    if let Ok(seconds) = text.parse::<f64>() {
        return ((0.0..1e12).contains(&seconds)).then(|| Duration::from_secs_f64(seconds));
    }
    parse_duration(text).ok()
}

/// Formats a duration as Prometheus does (`1h30m`, `15s`, `500ms`, `0s`; years and weeks only
/// when exact): `lookout_tsdb::duration`'s rule, for a `std` duration.
pub fn format_duration(d: Duration) -> String {
    lookout_tsdb::duration::format_duration(i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A setting's duration (`30s`, `10m`, `1h30m`) in Prometheus's syntax, whose one parser is
/// `lookout_tsdb::duration` (units largest first, each once), and more than zero: every duration
/// Lookout is given is an interval, a timeout or a lifetime.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    match lookout_tsdb::duration::parse_duration(text) {
        Ok(0) => Err(format!("duration {text:?} must be more than zero")),
        Ok(ms) => Ok(Duration::from_millis(ms.unsigned_abs())),
        Err(err) => Err(err.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The server once had a parser of its own that took `1m1h` and refused `0` for another
    /// reason than Prometheus's; now both go through the one Prometheus rule.
    #[test]
    fn durations_as_prometheus_reads_them() {
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1m1h").unwrap_err(), r#"not a valid duration string: "1m1h""#);
        assert_eq!(parse_duration("0").unwrap_err(), r#"duration "0" must be more than zero"#);
        assert!(parse_duration("1.5h").is_err() && parse_duration("").is_err() && parse_duration("5").is_err());
        assert_eq!(format_duration(Duration::from_secs(90 * 86_400)), "90d", "weeks only when exact");
        assert_eq!(format_duration(Duration::from_secs(14 * 86_400)), "2w");
        assert_eq!(format_duration(Duration::ZERO), "0s");
    }

    #[test]
    fn formats_rfc3339() {
        assert_eq!(rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_millis(1_735_074_309_123), "2024-12-24T21:05:09.123Z");
        assert_eq!(rfc3339_nanos(1_735_074_309_000_000_000), "2024-12-24T21:05:09Z");
        assert_eq!(rfc3339_nanos(1_735_074_309_012_345_600), "2024-12-24T21:05:09.0123456Z");
        assert_eq!(rfc3339_millis(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(rfc3339_millis(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn parses_api_times() {
        assert_eq!(parse_api_time("1735074309.123"), Some(1_735_074_309_123));
        assert_eq!(parse_api_time("2024-12-24T21:05:09.123Z"), Some(1_735_074_309_123));
        assert_eq!(parse_api_time("2024-12-24T22:05:09.1+01:00"), Some(1_735_074_309_100));
        assert_eq!(parse_api_time("2000-02-29T00:00:00Z"), Some(951_782_400_000));
        for bad in ["", "yesterday", "2024-13-01T00:00:00Z", "2024-12-24T21:05:09", "NaN", "inf"] {
            assert_eq!(parse_api_time(bad), None, "{bad}");
        }
        assert_eq!(parse_api_duration("15"), Some(Duration::from_secs(15)));
        assert_eq!(parse_api_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_api_duration("-1"), None);
    }

    #[test]
    fn formats_durations_like_prometheus() {
        for (ms, text) in
            [(0, "0s"), (500, "500ms"), (15_000, "15s"), (90_000, "1m30s"), (3_600_000, "1h"), (86_400_000, "1d")]
        {
            assert_eq!(format_duration(Duration::from_millis(ms)), text);
        }
    }

    #[test]
    fn parses_durations() {
        let check = |text: &str, ms: u64| assert_eq!(parse_duration(text), Ok(Duration::from_millis(ms)), "{text}");
        check("30s", 30_000);
        check("10m", 600_000);
        check("1h30m", 5_400_000);
        check("250ms", 250);
        check("15d", 15 * 86_400_000);
        for bad in ["", "10", "m", "5x", "1.5h", "99999999999999999999y"] {
            assert!(parse_duration(bad).is_err(), "{bad} should fail");
        }
    }
}
