//! The functions Prometheus (v2.42, `template/template.go`) gives alerting-rule templates, with
//! its exact output formats: the `humanize` family, `title`, `toUpper`, `toLower`, `match`,
//! `reReplaceAll`, `stripPort`, `stripDomain`, `parseDuration`, `toTime`, `safeHtml`, `args`.
//! Those that need the server (`query`, `first`, `label`, `value`, `strvalue`, `sortByLabel`,
//! `externalURL`, `pathPrefix`, `graphLink`, `tableLink`) are in [`crate::rule`].

use std::net::IpAddr;

use super::{Arity, FuncMap, Function, map_case, one, regex_match, regex_replace_all, string, string_fn};
use crate::Value;
use crate::gofmt::format_float;
use crate::time::Time;

/// Prometheus's template functions, to pass to [`crate::Template::funcs`].
pub fn functions() -> FuncMap {
    super::map([
        ("humanize", number_fn(humanize)),
        ("humanize1024", number_fn(humanize_1024)),
        ("humanizeDuration", number_fn(humanize_duration)),
        ("humanizePercentage", number_fn(|v| Ok(format!("{}%", g4(v * 100.0)).into()))),
        ("humanizeTimestamp", number_fn(humanize_timestamp)),
        ("toTime", number_fn(|v| float_to_time(v).map(Value::from))),
        ("title", string_fn(|s| title(s).into())),
        ("toUpper", string_fn(|s| map_case(s, true).into())),
        ("toLower", string_fn(|s| map_case(s, false).into())),
        ("match", regex_match()),
        ("reReplaceAll", regex_replace_all()),
        ("stripPort", string_fn(|s| strip_port(s).into())),
        ("stripDomain", string_fn(|s| strip_domain(s).into())),
        ("safeHtml", string_fn(|s| s.into())),
        (
            "parseDuration",
            Function::new(Arity::Exactly(1), |args| parse_duration(string(one(args)?)?).map(Value::from)),
        ),
        (
            "args",
            Function::new(Arity::AtLeast(0), |args| {
                Ok(Value::map(args.iter().enumerate().map(|(i, arg)| (format!("arg{i}"), arg.clone()))))
            }),
        ),
    ])
}

/// A function of one number, which may also come as a numeric string (label values are strings).
fn number_fn(f: fn(f64) -> Result<Value, String>) -> Function {
    Function::new(Arity::Exactly(1), move |args| f(to_float(one(args)?)?))
}

/// Prometheus's `convertToFloat`.
pub(crate) fn to_float(v: &Value) -> Result<f64, String> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(f) => Ok(*f),
        Value::String(s) => s
            .parse::<f64>()
            .map_err(|_| format!("strconv.ParseFloat: parsing {}: invalid syntax", crate::gofmt::quote(s))),
        other => Err(format!("can't convert {} to float", other.type_name())),
    }
}

/// Go's `%.4g`.
fn g4(v: f64) -> String {
    format_float(v, 'g', Some(4))
}

/// Scales `v` by `step` until it is below `step`, naming the scale by the prefix.
fn scale_down(mut v: f64, step: f64, prefixes: &[&'static str]) -> (f64, &'static str) {
    let mut prefix = "";
    for p in prefixes {
        if v.abs() < step {
            break;
        }
        prefix = p;
        v /= step;
    }
    (v, prefix)
}

/// Scales `v` up by 1000 until it is at least 1, naming the scale by the SI prefix.
fn scale_up(mut v: f64) -> (f64, &'static str) {
    let mut prefix = "";
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
        if v.abs() >= 1.0 {
            break;
        }
        prefix = p;
        v *= 1000.0;
    }
    (v, prefix)
}

fn humanize(v: f64) -> Result<Value, String> {
    if v == 0.0 || !v.is_finite() {
        return Ok(g4(v).into());
    }
    let (v, prefix) =
        if v.abs() >= 1.0 { scale_down(v, 1000.0, &["k", "M", "G", "T", "P", "E", "Z", "Y"]) } else { scale_up(v) };
    Ok(format!("{}{prefix}", g4(v)).into())
}

fn humanize_1024(v: f64) -> Result<Value, String> {
    if v.abs() <= 1.0 || !v.is_finite() {
        return Ok(g4(v).into());
    }
    let (v, prefix) = scale_down(v, 1024.0, &["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"]);
    Ok(format!("{}{prefix}", g4(v)).into())
}

fn humanize_duration(v: f64) -> Result<Value, String> {
    if !v.is_finite() {
        return Ok(g4(v).into());
    }
    if v == 0.0 {
        return Ok(format!("{}s", g4(v)).into());
    }
    if v.abs() >= 1.0 {
        let sign = if v < 0.0 { "-" } else { "" };
        let v = v.abs();
        // Above a minute, seconds show as a whole number; the cast saturates as Go's does not
        // need to, durations beyond i64 seconds being meaningless anyway.
        let total = v as i64;
        let (days, hours, minutes, seconds) = (total / 86_400, total / 3600 % 24, total / 60 % 60, total % 60);
        let text = if days != 0 {
            format!("{sign}{days}d {hours}h {minutes}m {seconds}s")
        } else if hours != 0 {
            format!("{sign}{hours}h {minutes}m {seconds}s")
        } else if minutes != 0 {
            format!("{sign}{minutes}m {seconds}s")
        } else {
            format!("{sign}{}s", g4(v))
        };
        return Ok(text.into());
    }
    let (v, prefix) = scale_up(v);
    Ok(format!("{}{prefix}s", g4(v)).into())
}

fn humanize_timestamp(v: f64) -> Result<Value, String> {
    if !v.is_finite() {
        return Ok(g4(v).into());
    }
    Ok(float_to_time(v)?.to_string().into())
}

/// Prometheus's `floatToTime`: seconds since the epoch, kept to the millisecond (it passes through
/// `model.Time`), refusing what does not fit int64 nanoseconds.
fn float_to_time(v: f64) -> Result<Time, String> {
    if !v.is_finite() {
        return Err("value is NaN or Inf".into());
    }
    let nanos = v * 1e9;
    if nanos > i64::MAX as f64 || nanos < i64::MIN as f64 {
        return Err(format!(
            "{} cannot be represented as a nanoseconds timestamp since it overflows int64",
            format_float(v, 'g', None)
        ));
    }
    let millis = nanos as i64 / 1_000_000;
    Ok(Time::from_unix(millis / 1000, millis % 1000 * 1_000_000))
}

/// Go's deprecated `strings.Title`, which Prometheus uses: the first letter of each word upper
/// case, the rest untouched.
fn title(s: &str) -> String {
    let is_separator = |c: char| match c {
        c if c.is_ascii_alphanumeric() || c == '_' => false,
        c if c.is_ascii() => true,
        c if c.is_alphanumeric() => false,
        c => c.is_whitespace(),
    };
    let mut previous = ' ';
    s.chars()
        .map(|c| {
            let mapped = if is_separator(previous) { map_case(&c.to_string(), true) } else { c.to_string() };
            previous = c;
            mapped
        })
        .collect()
}

/// Go's `net.SplitHostPort`: `None` where Go returns an error.
pub(crate) fn split_host_port(s: &str) -> Option<(&str, &str)> {
    let colon = s.rfind(':')?;
    let (host, start) = if s.starts_with('[') {
        let end = s.find(']')?;
        // The `]` must be followed by the last colon.
        if end + 1 != colon {
            return None;
        }
        (&s[1..end], end + 1)
    } else {
        let host = &s[..colon];
        if host.contains(':') {
            return None;
        }
        (host, 0)
    };
    if s[usize::from(s.starts_with('['))..].contains('[') || s[start..].contains(']') {
        return None;
    }
    Some((host, &s[colon + 1..]))
}

fn strip_port(s: &str) -> String {
    split_host_port(s).map_or(s, |(host, _)| host).to_string()
}

/// The host's first label (its port kept); addresses are left alone.
fn strip_domain(s: &str) -> String {
    let (host, port) = split_host_port(s).unwrap_or((s, ""));
    if host.parse::<IpAddr>().is_ok() {
        return s.to_string();
    }
    let host = host.split('.').next().unwrap_or(host);
    match port {
        "" => host.to_string(),
        port if host.contains(':') => format!("[{host}]:{port}"),
        port => format!("{host}:{port}"),
    }
}

/// Prometheus's duration syntax (`1h30m`, `2d`, `1y`, `500ms`), in seconds, within what Go's
/// `time.Duration` (int64 nanoseconds) holds.
pub(crate) fn parse_duration(s: &str) -> Result<f64, String> {
    let ms = lookout_tsdb::duration::parse_duration(s).map_err(|e| e.to_string())?;
    if ms > i64::MAX / 1_000_000 {
        return Err("duration out of range".into());
    }
    Ok(ms as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port_split_as_go_does() {
        assert_eq!(split_host_port("a.b:80"), Some(("a.b", "80")));
        assert_eq!(split_host_port("[::1]:80"), Some(("::1", "80")));
        assert_eq!(split_host_port(":80"), Some(("", "80")));
        assert_eq!(split_host_port("a.b"), None);
        assert_eq!(split_host_port("::1"), None);
        assert_eq!(split_host_port("[::1]"), None);
        assert_eq!(split_host_port("[::1]::80"), None);
        assert_eq!(split_host_port("[a]b]:80"), None);
        assert_eq!(split_host_port("a[b:80"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h2m10ms"), Ok(3720.01));
        assert_eq!(parse_duration("1y1w1d"), Ok((365.0 + 8.0) * 86_400.0));
        assert_eq!(parse_duration("90s"), Ok(90.0));
        assert_eq!(parse_duration("0"), Ok(0.0));
        assert_eq!(parse_duration(""), Err("empty duration string".into()));
        for bad in ["1", "1m1h", "1h1h", "1.5h", "-1s", "h", "1hx"] {
            assert_eq!(parse_duration(bad), Err(format!("not a valid duration string: \"{bad}\"")), "{bad}");
        }
        // More than Go's time.Duration holds (about 292 years), as prometheus/common says it.
        for big in ["99999999999999999999s", "300y"] {
            assert_eq!(parse_duration(big), Err("duration out of range".into()), "{big}");
        }
    }

    #[test]
    fn title_keeps_the_rest_of_each_word() {
        assert_eq!(title("aa bb CC"), "Aa Bb CC");
        assert_eq!(title("hello-world foo_bar ünï"), "Hello-World Foo_bar Ünï");
    }
}
