//! Go's `time.Time` for templates, in UTC only: its `String()` form (what `humanizeTimestamp`
//! prints and `{{ .StartsAt }}` shows), `Format` with Go's reference-time layouts
//! (`"2006-01-02 15:04:05"`), and the methods templates call on it.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::value::{Object, Value};

/// An instant, kept as seconds and nanoseconds since the Unix epoch and always shown in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time {
    secs: i64,
    nanos: u32,
}

/// Go's layout for `Time.String()`.
const STRING_LAYOUT: &str = "2006-01-02 15:04:05.999999999 -0700 MST";

impl Time {
    /// Go's zero time, 0001-01-01 00:00:00 UTC: what Alertmanager shows as `EndsAt` of an alert
    /// with no end.
    pub const ZERO: Time = Time { secs: -62_135_596_800, nanos: 0 };

    /// Seconds and nanoseconds since the Unix epoch; nanoseconds outside a second carry over.
    pub fn from_unix(secs: i64, nanos: i64) -> Time {
        let secs = secs.saturating_add(nanos.div_euclid(1_000_000_000));
        Time { secs, nanos: nanos.rem_euclid(1_000_000_000) as u32 }
    }

    pub fn from_unix_millis(millis: i64) -> Time {
        Time::from_unix(millis.div_euclid(1000), millis.rem_euclid(1000) * 1_000_000)
    }

    pub fn from_system_time(t: SystemTime) -> Time {
        match t.duration_since(UNIX_EPOCH) {
            Ok(after) => Time::from_unix(after.as_secs() as i64, after.subsec_nanos().into()),
            Err(before) => {
                let before = before.duration();
                Time::from_unix(-(before.as_secs() as i64), -i64::from(before.subsec_nanos()))
            }
        }
    }

    pub fn unix(&self) -> i64 {
        self.secs
    }

    pub fn unix_millis(&self) -> i64 {
        self.secs.saturating_mul(1000).saturating_add(i64::from(self.nanos / 1_000_000))
    }

    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    pub fn is_zero(&self) -> bool {
        *self == Time::ZERO
    }

    /// Go's `Time.Format`: `layout` shows the reference time, Mon Jan 2 15:04:05 MST 2006, the
    /// way this time should look.
    pub fn format(&self, layout: &str) -> String {
        let c = Civil::of(self);
        let mut out = String::new();
        let mut rest = layout;
        while let Some(ch) = rest.chars().next() {
            match chunk(rest) {
                Some((element, len)) => {
                    element.write(&c, &mut out);
                    rest = &rest[len..];
                }
                None => {
                    out.push(ch);
                    rest = &rest[ch.len_utf8()..];
                }
            }
        }
        out
    }
}

/// Go's `Time.String()`: `2015-06-23 13:19:44.128 +0000 UTC`.
impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(STRING_LAYOUT))
    }
}

/// The calendar fields of a time, in UTC.
struct Civil {
    year: i64,
    month: usize,
    day: i64,
    year_day: i64,
    weekday: usize,
    hour: i64,
    minute: i64,
    second: i64,
    nanos: u32,
}

impl Civil {
    /// Howard Hinnant's days-to-civil algorithm, proleptic Gregorian, valid for any i64 day.
    fn of(t: &Time) -> Civil {
        let days = t.secs.div_euclid(86_400);
        let secs_of_day = t.secs.rem_euclid(86_400);
        let (year, month, day) = lookout_tsdb::civil_from_days(days);
        let (month, day) = (i64::from(month), i64::from(day));
        Civil {
            year,
            month: month as usize,
            day,
            year_day: days - lookout_tsdb::days_from_civil(year, 1, 1) + 1,
            // 1970-01-01 was a Thursday.
            weekday: (days + 4).rem_euclid(7) as usize,
            hour: secs_of_day / 3600,
            minute: secs_of_day / 60 % 60,
            second: secs_of_day % 60,
            nanos: t.nanos,
        }
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// One element of a layout, with what it prints for the reference time.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Element {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    Pm {
        upper: bool,
    },
    ZoneName,
    /// `-0700` and its kin: the offset, `+0000` and so on in UTC.
    NumZone(&'static str),
    /// `Z07:00` and its kin: `Z` in UTC.
    IsoZone,
    /// `.000` (`zeros`) or `.999` (trailing zeros dropped), with its separator.
    Fraction {
        separator: char,
        digits: usize,
        zeros: bool,
    },
    /// The `_` of `_2006`, which Go keeps as text.
    Underscore,
}

fn starts_with_lower(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
}

/// The layout element at the start of `s`, by Go's `nextStdChunk` rules, and its length.
fn chunk(s: &str) -> Option<(Element, usize)> {
    use Element::*;
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    Some(match at(0) {
        b'J' if s.starts_with("January") => (LongMonth, 7),
        b'J' if s.starts_with("Jan") && !starts_with_lower(&s[3..]) => (Month, 3),
        b'M' if s.starts_with("Monday") => (LongWeekDay, 6),
        b'M' if s.starts_with("Mon") && !starts_with_lower(&s[3..]) => (WeekDay, 3),
        b'M' if s.starts_with("MST") => (ZoneName, 3),
        b'0' if (b'1'..=b'6').contains(&at(1)) => {
            ([ZeroMonth, ZeroDay, ZeroHour12, ZeroMinute, ZeroSecond, Year][usize::from(at(1) - b'1')], 2)
        }
        b'0' if s.starts_with("002") => (ZeroYearDay, 3),
        b'1' if s.starts_with("15") => (Hour, 2),
        b'1' => (NumMonth, 1),
        b'2' if s.starts_with("2006") => (LongYear, 4),
        b'2' => (Day, 1),
        b'_' if s.starts_with("_2006") => (Underscore, 1),
        b'_' if s.starts_with("_2") => (UnderDay, 2),
        b'_' if s.starts_with("__2") => (UnderYearDay, 3),
        b'3' => (Hour12, 1),
        b'4' => (Minute, 1),
        b'5' => (Second, 1),
        b'P' if s.starts_with("PM") => (Pm { upper: true }, 2),
        b'p' if s.starts_with("pm") => (Pm { upper: false }, 2),
        b'-' | b'Z' => {
            let sign = at(0);
            let forms = [
                ("070000", "+000000"),
                ("07:00:00", "+00:00:00"),
                ("0700", "+0000"),
                ("07:00", "+00:00"),
                ("07", "+00"),
            ];
            let (form, utc) = forms.into_iter().find(|(form, _)| s[1..].starts_with(form))?;
            (if sign == b'Z' { IsoZone } else { NumZone(utc) }, form.len() + 1)
        }
        separator @ (b'.' | b',') if matches!(at(1), b'0' | b'9') => {
            let digit = at(1);
            let digits = b[1..].iter().take_while(|&&c| c == digit).count();
            // A run followed by more digits is not a fraction: Go keeps `.0001` as text.
            if at(1 + digits).is_ascii_digit() {
                return None;
            }
            (Fraction { separator: char::from(separator), digits, zeros: digit == b'0' }, 1 + digits)
        }
        _ => return None,
    })
}

impl Element {
    fn write(self, c: &Civil, out: &mut String) {
        use Element::*;
        let hour12 = if c.hour % 12 == 0 { 12 } else { c.hour % 12 };
        let text = match self {
            LongMonth => MONTHS[c.month - 1].to_string(),
            Month => MONTHS[c.month - 1][..3].to_string(),
            NumMonth => c.month.to_string(),
            ZeroMonth => format!("{:02}", c.month),
            LongWeekDay => DAYS[c.weekday].to_string(),
            WeekDay => DAYS[c.weekday][..3].to_string(),
            Day => c.day.to_string(),
            UnderDay => format!("{:2}", c.day),
            ZeroDay => format!("{:02}", c.day),
            UnderYearDay => format!("{:3}", c.year_day),
            ZeroYearDay => format!("{:03}", c.year_day),
            Hour => format!("{:02}", c.hour),
            Hour12 => hour12.to_string(),
            ZeroHour12 => format!("{hour12:02}"),
            Minute => c.minute.to_string(),
            ZeroMinute => format!("{:02}", c.minute),
            Second => c.second.to_string(),
            ZeroSecond => format!("{:02}", c.second),
            LongYear => format!("{:04}", c.year),
            Year => format!("{:02}", c.year.rem_euclid(100)),
            Pm { upper } => match (c.hour >= 12, upper) {
                (true, true) => "PM",
                (true, false) => "pm",
                (false, true) => "AM",
                (false, false) => "am",
            }
            .to_string(),
            ZoneName => "UTC".to_string(),
            NumZone(utc) => utc.to_string(),
            IsoZone => "Z".to_string(),
            Fraction { separator, digits, zeros } => {
                let all = format!("{:09}", c.nanos);
                let mut shown = &all[..digits.min(9)];
                if !zeros {
                    shown = shown.trim_end_matches('0');
                    if shown.is_empty() {
                        return;
                    }
                }
                format!("{separator}{shown}")
            }
            Underscore => "_".to_string(),
        };
        out.push_str(&text);
    }
}

/// Methods templates call: `.Format "2006-01-02"`, `.Unix`, `.UnixMilli`, `.UTC`, `.Local`,
/// `.String`, `.IsZero`. `.Local` is UTC too: Lookout shows times in UTC.
impl Object for Time {
    fn type_name(&self) -> &str {
        "time.Time"
    }

    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let no_args = |value: Value| match args {
            [] => Ok(value),
            _ => Err(format!("wrong number of args for {name}: want 0 got {}", args.len())),
        };
        Some(match name {
            "Format" => match args {
                [Value::String(layout)] => Ok(self.format(layout).into()),
                [other] => Err(format!("wrong type for value; expected string; got {}", other.type_name())),
                _ => Err(format!("wrong number of args for Format: want 1 got {}", args.len())),
            },
            "Unix" => no_args(self.unix().into()),
            "UnixMilli" => no_args(self.unix_millis().into()),
            "UTC" | "Local" => no_args(Value::object(*self)),
            "String" => no_args(self.to_string().into()),
            "IsZero" => no_args(self.is_zero().into()),
            _ => return None,
        })
    }

    fn display(&self) -> String {
        self.to_string()
    }
}

impl From<Time> for Value {
    fn from(t: Time) -> Self {
        Value::object(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2015-06-23 13:19:44.128 UTC, a Tuesday.
    const T: Time = Time { secs: 1_435_065_584, nanos: 128_000_000 };

    fn check(t: Time, layout: &str, expected: &str) {
        assert_eq!(t.format(layout), expected, "{layout}");
    }

    #[test]
    fn strings_as_go_prints_them() {
        assert_eq!(T.to_string(), "2015-06-23 13:19:44.128 +0000 UTC");
        assert_eq!(Time::from_unix(0, 0).to_string(), "1970-01-01 00:00:00 +0000 UTC");
        assert_eq!(Time::from_unix(-1, 0).to_string(), "1969-12-31 23:59:59 +0000 UTC");
        assert_eq!(Time::from_unix_millis(-500).to_string(), "1969-12-31 23:59:59.5 +0000 UTC");
        assert_eq!(Time::ZERO.to_string(), "0001-01-01 00:00:00 +0000 UTC");
        assert_eq!(Time::from_unix(9_223_372_036, 0).to_string(), "2262-04-11 23:47:16 +0000 UTC");
        assert_eq!(Time::from_unix(951_782_400, 1).to_string(), "2000-02-29 00:00:00.000000001 +0000 UTC");
    }

    #[test]
    fn layouts() {
        check(T, "2006-01-02T15:04:05Z07:00", "2015-06-23T13:19:44Z");
        check(T, "Mon Jan _2 15:04:05 MST 2006", "Tue Jun 23 13:19:44 UTC 2015");
        check(T, "Monday, January 2, 2006 3:4:5 PM", "Tuesday, June 23, 2015 1:19:44 PM");
        check(T, "02/01/06 03:04pm -0700 -07:00 -07", "23/06/15 01:19pm +0000 +00:00 +00");
        check(T, "15:04:05.000 .999999 ,00 .9", "13:19:44.128 .128 ,12 .1");
        check(Time::from_unix(T.secs, 0), "05.999|05.000", "44|44.000");
        check(T, "002 __2 _2006 Month 1.0001", "174 174 _2015 Month 6.0006");
        check(Time::from_unix(3 * 86_400, 0), "_2 Jan", " 4 Jan");
        check(T, "", "");
        check(T, "héllo ☃", "héllo ☃");
    }

    #[test]
    fn system_times_convert() {
        assert_eq!(
            Time::from_system_time(UNIX_EPOCH + std::time::Duration::from_millis(1500)),
            Time::from_unix_millis(1500)
        );
        assert_eq!(
            Time::from_system_time(UNIX_EPOCH - std::time::Duration::from_millis(1500)),
            Time::from_unix_millis(-1500)
        );
        assert_eq!(Time::from_unix_millis(-1500).unix_millis(), -1500);
        assert!(Time::ZERO.is_zero() && !T.is_zero());
    }
}
