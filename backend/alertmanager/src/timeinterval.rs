//! Time intervals (`timeinterval/timeinterval.go`): parsing with Alertmanager's messages, and `contains(now)`.
//! A `location` is any zone of the system's tz database, loaded once at config load (`crate::tz`);
//! `Local` is the machine's `/etc/localtime`, or UTC where that is missing.

use std::fmt;

use serde::Deserialize;

use crate::tz::{self, Zone, days_in_month};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTimeInterval {
    pub times: Option<Vec<RawTimeRange>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_vec")]
    pub weekdays: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_vec")]
    pub days_of_month: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_vec")]
    pub months: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_vec")]
    pub years: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub location: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTimeRange {
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub start_time: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub end_time: Option<String>,
}

/// Why a time interval was refused; each variant carries Alertmanager's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeIntervalError {
    Times(String),
    Weekdays(String),
    DaysOfMonth(String),
    Months(String),
    Years(String),
    Location(String),
}

impl fmt::Display for TimeIntervalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (TimeIntervalError::Times(s)
        | TimeIntervalError::Weekdays(s)
        | TimeIntervalError::DaysOfMonth(s)
        | TimeIntervalError::Months(s)
        | TimeIntervalError::Years(s)
        | TimeIntervalError::Location(s)) = self;
        f.write_str(s)
    }
}

impl std::error::Error for TimeIntervalError {}

/// One entry of a named interval: every field present must hold, any range inside a field may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeInterval {
    /// `[start, end)` in minutes of the day.
    pub times: Option<Vec<(i64, i64)>>,
    /// Inclusive, Sunday = 0.
    pub weekdays: Option<Vec<(i64, i64)>>,
    /// Inclusive, negative counts from the month's end.
    pub days_of_month: Option<Vec<(i64, i64)>>,
    pub months: Option<Vec<(i64, i64)>>,
    pub years: Option<Vec<(i64, i64)>>,
    /// Where the wall clock is read, daylight saving included.
    pub location: Zone,
}

const WEEKDAYS: [&str; 7] = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn go_atoi(s: &str) -> Result<i64, String> {
    s.parse::<i64>().map_err(|_| format!("strconv.Atoi: parsing {}: invalid syntax", crate::labels::go_quote(s)))
}

/// `stringableRangeFromString`: `a:b` or `a`, lower-cased, each side through `member`.
fn parse_range(input: &str, member: impl Fn(&str) -> Result<i64, String>) -> Result<(i64, i64), String> {
    let lower = input.to_lowercase();
    let parts: Vec<&str> = lower.split(':').collect();
    match parts.as_slice() {
        [one] => member(one).map(|v| (v, v)),
        [a, b] => Ok((member(a)?, member(b)?)),
        _ => Err(format!("couldn't parse range {lower}, invalid format")),
    }
}

fn parse_clock(s: &str) -> Result<i64, String> {
    let bad = || format!("couldn't parse timestamp {s}, invalid format");
    if s == "24:00" {
        return Ok(24 * 60);
    }
    let b = s.as_bytes();
    let ok = b.len() == 5
        && b[2] == b':'
        && b.iter().enumerate().all(|(i, c)| i == 2 || c.is_ascii_digit())
        && (b[0] < b'2' || (b[0] == b'2' && b[1] <= b'3'))
        && b[3] <= b'5';
    if !ok {
        return Err(bad());
    }
    let h = i64::from(b[0] - b'0') * 10 + i64::from(b[1] - b'0');
    let m = i64::from(b[3] - b'0') * 10 + i64::from(b[4] - b'0');
    Ok(h * 60 + m)
}

impl TimeInterval {
    /// Validates one raw entry with Alertmanager's checks and messages.
    pub fn from_raw(raw: &RawTimeInterval) -> Result<Self, TimeIntervalError> {
        let times = raw
            .times
            .as_ref()
            .map(|ts| {
                ts.iter()
                    .map(|t| {
                        let (Some(start), Some(end)) = (
                            t.start_time.as_deref().filter(|s| !s.is_empty()),
                            t.end_time.as_deref().filter(|s| !s.is_empty()),
                        ) else {
                            return Err("both start and end times must be provided".to_string());
                        };
                        let (start, end) = (parse_clock(start)?, parse_clock(end)?);
                        if start >= end {
                            return Err("start time cannot be equal or greater than end time".to_string());
                        }
                        Ok((start, end))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()
            .map_err(TimeIntervalError::Times)?;
        let weekdays = map_ranges(&raw.weekdays, |s| {
            let r = parse_range(s, |d| {
                WEEKDAYS.iter().position(|w| *w == d).map(|p| p as i64).ok_or(format!("{d} is not a valid weekday"))
            })?;
            if r.0 > r.1 {
                return Err("start day cannot be before end day".to_string());
            }
            Ok(r)
        })
        .map_err(TimeIntervalError::Weekdays)?;
        let days_of_month = map_ranges(&raw.days_of_month, |s| {
            let (b, e) = parse_range(s, go_atoi)?;
            for v in [b, e] {
                if v == 0 || !(-31..=31).contains(&v) {
                    return Err(format!("{v} is not a valid day of the month: out of range"));
                }
            }
            if b < 0 && e > 0 {
                return Err("end day must be negative if start day is negative".to_string());
            }
            let norm = |v: i64| if v < 0 { 28 + v } else { v };
            if norm(b) > norm(e) {
                return Err(format!("end day {e} is always before start day {b}"));
            }
            Ok((b, e))
        })
        .map_err(TimeIntervalError::DaysOfMonth)?;
        let months = map_ranges(&raw.months, |s| {
            let (b, e) = parse_range(s, |m| match MONTHS.iter().position(|n| *n == m) {
                Some(p) => Ok(p as i64 + 1),
                None => m.parse::<i64>().map_err(|_| format!("{m} is not a valid month")),
            })?;
            if b > e {
                let name = |v: i64| {
                    usize::try_from(v - 1).ok().and_then(|i| MONTHS.get(i)).map_or(String::new(), |n| title(n))
                };
                return Err(format!("end month {} is before start month {}", name(e), name(b)));
            }
            Ok((b, e))
        })
        .map_err(TimeIntervalError::Months)?;
        let years = map_ranges(&raw.years, |s| {
            let (b, e) = parse_range(s, go_atoi)?;
            if b > e {
                return Err(format!("end year {e} is before start year {b}"));
            }
            Ok((b, e))
        })
        .map_err(TimeIntervalError::Years)?;
        let location =
            tz::load(raw.location.as_deref().unwrap_or("")).map_err(|e| TimeIntervalError::Location(e.to_string()))?;
        Ok(TimeInterval { times, weekdays, days_of_month, months, years, location })
    }

    /// `ContainsTime`: whether the instant (Unix ms) falls in this entry, read in its location.
    pub fn contains(&self, unix_ms: i64) -> bool {
        let utc_secs = unix_ms.div_euclid(1000);
        let secs = utc_secs + self.location.offset_at(utc_secs);
        let days = secs.div_euclid(86_400);
        let minute_of_day = secs.rem_euclid(86_400) / 60;
        let (year, month, day) = lookout_tsdb::civil_from_days(days);
        let (month, day) = (i64::from(month), i64::from(day));
        let weekday = (days + 4).rem_euclid(7);
        let within = |ranges: &Option<Vec<(i64, i64)>>, v: i64| {
            ranges.as_ref().is_none_or(|rs| rs.iter().any(|(b, e)| v >= *b && v <= *e))
        };
        if let Some(times) = &self.times
            && !times.iter().any(|(s, e)| minute_of_day >= *s && minute_of_day < *e)
        {
            return false;
        }
        if let Some(doms) = &self.days_of_month {
            let dim = days_in_month(year, month);
            let hit = doms.iter().any(|(b, e)| {
                let begin = if *b < 0 { dim + b + 1 } else { *b };
                let end = if *e < 0 { dim + e + 1 } else { *e };
                begin <= dim && day >= begin.clamp(-dim, dim) && day <= end.clamp(-dim, dim)
            });
            if !hit {
                return false;
            }
        }
        within(&self.months, month) && within(&self.weekdays, weekday) && within(&self.years, year)
    }
}

/// Whether any entry of a named interval contains the instant.
pub fn any_contains(intervals: &[TimeInterval], unix_ms: i64) -> bool {
    intervals.iter().any(|ti| ti.contains(unix_ms))
}

fn map_ranges(
    raw: &Option<Vec<String>>,
    f: impl Fn(&str) -> Result<(i64, i64), String>,
) -> Result<Option<Vec<(i64, i64)>>, String> {
    raw.as_ref().map(|v| v.iter().map(|s| f(s)).collect()).transpose()
}

fn title(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<TimeInterval, String> {
        let raw: RawTimeInterval = serde_norway::from_str(yaml).map_err(|e| e.to_string())?;
        TimeInterval::from_raw(&raw).map_err(|e| e.to_string())
    }

    /// Loads `yaml` and checks the error text, or (for Ok) the instants given in and out.
    fn check(yaml: &str, expected: Result<(&[&str], &[&str]), &str>) {
        match (parse(yaml), expected) {
            (Ok(ti), Ok((inside, outside))) => {
                for t in inside {
                    assert!(ti.contains(ms(t)), "{yaml}: {t} should be inside");
                }
                for t in outside {
                    assert!(!ti.contains(ms(t)), "{yaml}: {t} should be outside");
                }
            }
            (got, want) => {
                assert_eq!(got.map(|_| ()), want.map(|_| ()).map_err(str::to_string), "{yaml}")
            }
        }
    }

    /// `YYYY-MM-DDTHH:MM` in UTC to Unix ms.
    fn ms(s: &str) -> i64 {
        let n = |r: std::ops::Range<usize>| s[r].parse::<i64>().unwrap();
        let days = lookout_tsdb::days_from_civil(n(0..4), n(5..7), n(8..10));
        ((days * 24 + n(11..13)) * 60 + n(14..16)) * 60_000
    }

    #[test]
    fn matching() {
        // 2024-03-04 is a Monday.
        check(
            "times: [{start_time: '09:00', end_time: '17:00'}]\nweekdays: ['monday:friday']",
            Ok((&["2024-03-04T09:00", "2024-03-08T16:59"], &["2024-03-04T17:00", "2024-03-09T10:00"])),
        );
        check("days_of_month: ['-1']", Ok((&["2024-02-29T12:00", "2023-02-28T00:00"], &["2024-02-28T12:00"])));
        check("days_of_month: ['30:31']", Ok((&["2024-01-31T00:00"], &["2024-02-29T00:00"])));
        check("months: ['december:12', 'jan']", Err("jan is not a valid month"));
        check(
            "months: ['February']\nyears: ['2024']",
            Ok((&["2024-02-10T00:00"], &["2025-02-10T00:00", "2024-03-01T00:00"])),
        );
        check(
            "times: [{start_time: '22:00', end_time: '24:00'}]\nlocation: Etc/GMT-2",
            Ok((&["2024-01-01T20:00"], &["2024-01-01T22:00"])),
        );
    }

    #[test]
    fn named_zones() {
        tz::tests::require_zoneinfo();
        // July in Berlin is CEST (+2): 08:30 UTC is 10:30 there, 16:30 UTC is 18:30.
        check(
            "location: Europe/Berlin\ntimes: [{start_time: '09:00', end_time: '17:00'}]",
            Ok((
                &["2024-07-15T08:30", "2024-07-15T07:00", "2024-01-15T08:00"],
                &["2024-07-15T16:30", "2024-01-15T07:30"],
            )),
        );
        // The weekday is Berlin's too: 23:30 UTC on Sunday 2024-03-31 is Monday there.
        check("location: Europe/Berlin\nweekdays: ['monday']", Ok((&["2024-03-31T23:30"], &["2024-03-31T21:30"])));
        check(
            "location: America/New_York\ndays_of_month: ['1']",
            Ok((&["2024-07-02T03:59"], &["2024-07-01T03:59", "2024-07-02T04:00"])),
        );
        check(
            "location: Etc/GMT+5\ntimes: [{start_time: '00:00', end_time: '01:00'}]",
            Ok((&["2024-01-01T05:30"], &["2024-01-01T00:30"])),
        );
        check("location: Local", Ok((&["2024-01-01T00:00"], &[])));
        check("location: Europe/Berln", Err("unknown time zone Europe/Berln"));
        check("location: ../etc/passwd", Err("time: invalid location name"));
    }

    #[test]
    fn validation_messages() {
        check("times: [{start_time: '09:00'}]", Err("both start and end times must be provided"));
        check("times: [{start_time: '9:00', end_time: '10:00'}]", Err("couldn't parse timestamp 9:00, invalid format"));
        check(
            "times: [{start_time: '10:00', end_time: '10:00'}]",
            Err("start time cannot be equal or greater than end time"),
        );
        check("weekdays: ['mon']", Err("mon is not a valid weekday"));
        check("weekdays: ['friday:monday']", Err("start day cannot be before end day"));
        check("weekdays: ['a:b:c']", Err("couldn't parse range a:b:c, invalid format"));
        check("days_of_month: ['0']", Err("0 is not a valid day of the month: out of range"));
        check("days_of_month: ['-3:5']", Err("end day must be negative if start day is negative"));
        check("days_of_month: ['10:2']", Err("end day 2 is always before start day 10"));
        check("days_of_month: ['x']", Err("strconv.Atoi: parsing \"x\": invalid syntax"));
        check("months: ['march:january']", Err("end month January is before start month March"));
        check("years: ['2025:2020']", Err("end year 2020 is before start year 2025"));
    }
}
