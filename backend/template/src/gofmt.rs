//! Go's fmt and strconv for template values: how values print (`%v`), `print`, `println`,
//! `printf` with Go's verbs, flags and its `%!d(string=x)` complaints, Go-quoted strings, and
//! strconv's float formats (`%.4g` is what Prometheus's humanize functions print with).

use lookout_gotext::{is_print, quote_rune};

use crate::Value;

/// Go's `strconv.Quote`, for `%q` and Go's error texts.
pub(crate) use lookout_gotext::quote;

/// Flags, width and precision of one `printf` verb.
#[derive(Debug, Default, Clone, Copy)]
struct Spec {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// Go's fmt refuses widths and precisions above a million rather than allocate for them.
const MAX_WIDTH: usize = 1_000_000;

/// Go's `Sprint`: operands in `%v`, with a space between two operands when neither is a string.
pub(crate) fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    let mut previous_is_string = None;
    for arg in args {
        let is_string = matches!(arg, Value::String(_));
        if previous_is_string == Some(false) && !is_string {
            out.push(' ');
        }
        out.push_str(&format_value(arg, 'v', &Spec::default()));
        previous_is_string = Some(is_string);
    }
    out
}

/// Go's `Sprintln`: operands in `%v`, always separated by a space, and a newline.
pub(crate) fn sprintln(args: &[Value]) -> String {
    let mut parts: Vec<String> = args.iter().map(|arg| format_value(arg, 'v', &Spec::default())).collect();
    parts.push(String::new());
    let mut out = parts.join(" ");
    out.pop();
    out.push('\n');
    out
}

/// Go's `Sprintf`.
pub(crate) fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    let mut next_arg = 0;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&flag) = chars.peek() {
            match flag {
                '#' => spec.sharp = true,
                // Only left padding takes zeros.
                '0' => spec.zero = !spec.minus,
                '+' => spec.plus = true,
                '-' => {
                    spec.minus = true;
                    spec.zero = false;
                }
                ' ' => spec.space = true,
                _ => break,
            }
            chars.next();
        }
        if chars.next_if_eq(&'*').is_some() {
            match args.get(next_arg).and_then(Value::as_int) {
                Some(width) if width.unsigned_abs() <= MAX_WIDTH as u64 => {
                    if width < 0 {
                        spec.minus = true;
                        spec.zero = false;
                    }
                    spec.width = Some(width.unsigned_abs() as usize);
                }
                _ => out.push_str("%!(BADWIDTH)"),
            }
            next_arg += 1;
        } else {
            match number(&mut chars) {
                Ok(width) => spec.width = width,
                Err(()) => {
                    out.push_str("%!(NOVERB)");
                    break;
                }
            }
        }
        if chars.next_if_eq(&'.').is_some() {
            if chars.next_if_eq(&'*').is_some() {
                match args.get(next_arg).and_then(Value::as_int) {
                    Some(prec) if (0..=MAX_WIDTH as i64).contains(&prec) => spec.prec = Some(prec as usize),
                    _ => out.push_str("%!(BADPREC)"),
                }
                next_arg += 1;
            } else {
                match number(&mut chars) {
                    Ok(prec) => spec.prec = Some(prec.unwrap_or(0)),
                    Err(()) => {
                        out.push_str("%!(NOVERB)");
                        break;
                    }
                }
            }
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        match args.get(next_arg) {
            Some(arg) => out.push_str(&format_value(arg, verb, &spec)),
            None => out.push_str(&format!("%!{verb}(MISSING)")),
        }
        next_arg += 1;
    }
    if let Some(extra) = args.get(next_arg..).filter(|extra| !extra.is_empty()) {
        let described: Vec<String> = extra
            .iter()
            .map(|arg| match arg {
                Value::Nil => "<nil>".to_string(),
                _ => format!("{}={}", arg.type_name(), format_value(arg, 'v', &Spec::default())),
            })
            .collect();
        out.push_str(&format!("%!(EXTRA {})", described.join(", ")));
    }
    out
}

/// A run of digits, `Ok(None)` if there is none, `Err` if it is larger than Go accepts.
fn number(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<Option<usize>, ()> {
    let mut value: Option<usize> = None;
    while let Some(digit) = chars.peek().and_then(|c| c.to_digit(10)) {
        chars.next();
        let next = value.unwrap_or(0) * 10 + digit as usize;
        if next > MAX_WIDTH {
            return Err(());
        }
        value = Some(next);
    }
    Ok(value)
}

fn format_value(value: &Value, verb: char, spec: &Spec) -> String {
    if verb == 'T' {
        return pad(&value.type_name(), spec);
    }
    match value {
        Value::Nil if verb == 'v' => pad("<nil>", spec),
        Value::Bool(b) if matches!(verb, 'v' | 't') => pad(if *b { "true" } else { "false" }, spec),
        Value::Int(i) => format_int(*i, verb, spec).unwrap_or_else(|| bad_verb(verb, value)),
        Value::Float(f) => format_float_value(*f, verb, spec).unwrap_or_else(|| bad_verb(verb, value)),
        Value::String(s) => format_string(s, verb, spec).unwrap_or_else(|| bad_verb(verb, value)),
        Value::List(items) => {
            let parts: Vec<String> = items.iter().map(|item| format_value(item, verb, spec)).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::Map(entries) => {
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| {
                    let key = format_string(k, verb, spec).unwrap_or_else(|| bad_verb(verb, &Value::from(k.as_str())));
                    format!("{key}:{}", format_value(v, verb, spec))
                })
                .collect();
            format!("map[{}]", parts.join(" "))
        }
        Value::Object(object) => match object.collection() {
            Some(collection) => format_value(&collection, verb, spec),
            None if matches!(verb, 'v' | 's') => pad(&object.display(), spec),
            None => bad_verb(verb, value),
        },
        Value::Nil | Value::Bool(_) => bad_verb(verb, value),
    }
}

/// Go's complaint about a verb that does not fit the value: `%!d(string=hello)`.
fn bad_verb(verb: char, value: &Value) -> String {
    match value {
        Value::Nil => format!("%!{verb}(<nil>)"),
        _ => format!("%!{verb}({}={})", value.type_name(), format_value(value, 'v', &Spec::default())),
    }
}

fn pad(s: &str, spec: &Spec) -> String {
    let width = spec.width.unwrap_or(0);
    let len = s.chars().count();
    if len >= width {
        return s.to_string();
    }
    let fill = width - len;
    if spec.minus {
        format!("{s}{}", " ".repeat(fill))
    } else {
        format!("{}{s}", if spec.zero { "0" } else { " " }.repeat(fill))
    }
}

fn format_string(s: &str, verb: char, spec: &Spec) -> Option<String> {
    let s = match spec.prec {
        Some(prec) => s.chars().take(prec).collect(),
        None => s.to_string(),
    };
    Some(match verb {
        'v' | 's' => pad(&s, spec),
        'q' => pad(&quote(&s), spec),
        'x' => pad(&s.bytes().map(|b| format!("{b:02x}")).collect::<String>(), spec),
        'X' => pad(&s.bytes().map(|b| format!("{b:02X}")).collect::<String>(), spec),
        _ => return None,
    })
}

const INTEGER_VERBS: &[char] = &['d', 'b', 'o', 'O', 'x', 'X', 'c', 'q', 'U'];
const FLOAT_VERBS: &[char] = &['e', 'E', 'f', 'F', 'g', 'G'];

/// An int under `verb`. Float verbs format it as a float, which Go would refuse.
fn format_int(i: i64, verb: char, spec: &Spec) -> Option<String> {
    match verb {
        'v' => Some(format_integer(i, 'd', spec)),
        v if INTEGER_VERBS.contains(&v) => Some(format_integer(i, verb, spec)),
        v if FLOAT_VERBS.contains(&v) => format_float_value(i as f64, verb, spec),
        _ => None,
    }
}

/// A float under `verb`. Integer verbs take a float with no fraction, which Go would refuse.
fn format_float_value(f: f64, verb: char, spec: &Spec) -> Option<String> {
    match verb {
        'v' | 'g' | 'G' => Some(format_float_spec(f, if verb == 'G' { 'G' } else { 'g' }, spec.prec, spec)),
        'e' | 'E' | 'f' | 'F' => {
            let verb = if verb == 'F' { 'f' } else { verb };
            Some(format_float_spec(f, verb, Some(spec.prec.unwrap_or(6)), spec))
        }
        v if INTEGER_VERBS.contains(&v) => Value::Float(f).as_int().map(|i| format_integer(i, verb, spec)),
        _ => None,
    }
}

fn format_integer(i: i64, verb: char, spec: &Spec) -> String {
    let as_char = || u32::try_from(i).ok().and_then(char::from_u32).unwrap_or('\u{FFFD}');
    match verb {
        'c' => return pad(&as_char().to_string(), spec),
        'q' => return pad(&quote_rune(as_char()), spec),
        'U' => {
            let mut s = format!("U+{:04X}", i as u64);
            if spec.sharp && is_print(as_char()) {
                s.push_str(&format!(" '{}'", as_char()));
            }
            return pad(&s, spec);
        }
        _ => {}
    }
    let magnitude = i.unsigned_abs();
    let mut digits = match verb {
        'b' => format!("{magnitude:b}"),
        'o' | 'O' => format!("{magnitude:o}"),
        'x' => format!("{magnitude:x}"),
        'X' => format!("{magnitude:X}"),
        _ => magnitude.to_string(),
    };
    let sign = if i < 0 {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    // A precision is a minimum number of digits (and `%.0d` prints zero as nothing); without one,
    // the zero flag pads the digits to the width, after the sign.
    let min_digits = match (spec.prec, spec.width) {
        (Some(prec), _) => prec,
        (None, Some(width)) if spec.zero && !spec.minus => width.saturating_sub(sign.len()),
        _ => 0,
    };
    if spec.prec == Some(0) && magnitude == 0 {
        digits.clear();
    }
    if digits.len() < min_digits {
        digits = format!("{}{digits}", "0".repeat(min_digits - digits.len()));
    }
    let prefix = match verb {
        'b' if spec.sharp => "0b",
        'o' if spec.sharp && !digits.starts_with('0') => "0",
        'x' if spec.sharp => "0x",
        'X' if spec.sharp => "0X",
        'O' => "0o",
        _ => "",
    };
    pad(&format!("{sign}{prefix}{digits}"), &Spec { zero: false, ..*spec })
}

/// Go's fmt around strconv: the sign, `+`/space flags, and zero padding after the sign.
fn format_float_spec(n: f64, verb: char, prec: Option<usize>, spec: &Spec) -> String {
    let formatted = format_float(n, verb, prec);
    let mut num = if formatted.starts_with(['-', '+']) { formatted } else { format!("+{formatted}") };
    if spec.space && num.starts_with('+') && !spec.plus {
        num.replace_range(..1, " ");
    }
    // Infinities and NaN are not padded with zeros, and NaN shows a sign only when asked.
    if num[1..].starts_with(['I', 'N']) {
        if num[1..].starts_with('N') && !spec.space && !spec.plus {
            num.remove(0);
        }
        return pad(&num, &Spec { zero: false, ..*spec });
    }
    if spec.plus || !num.starts_with('+') {
        let width = spec.width.unwrap_or(0);
        if spec.zero && !spec.minus && width > num.len() {
            let (sign, digits) = num.split_at(1);
            return format!("{sign}{}{digits}", "0".repeat(width - num.len()));
        }
        return pad(&num, spec);
    }
    pad(&num[1..], spec)
}

/// Go's `strconv.FormatFloat(v, verb, prec, 64)` for `e`, `E`, `f`, `g` and `G`; `None` is the
/// shortest precision that reads back as the same number.
pub(crate) fn format_float(v: f64, verb: char, prec: Option<usize>) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let sign = if v.is_sign_negative() { "-" } else { "" };
    let a = v.abs();
    let body = match verb {
        'f' => match prec {
            Some(prec) => format!("{a:.prec$}"),
            None => {
                let (digits, dp) = decimal_digits(a, None);
                format_f(&digits, dp, (digits.len() as i64 - dp).max(0))
            }
        },
        'e' | 'E' => {
            let (digits, dp) = decimal_digits(a, prec.map(|p| p + 1));
            let prec = prec.map_or(digits.len() as i64 - 1, |p| p as i64);
            format_e(&digits, dp, prec, verb)
        }
        _ => {
            let upper = verb == 'G';
            let prec = prec.map(|p| p.max(1));
            let (digits, dp) = decimal_digits(a, prec);
            let nd = digits.len() as i64;
            let mut p = prec.map_or(nd, |p| p as i64);
            let mut eprec = p;
            if eprec > nd && nd >= dp {
                eprec = nd;
            }
            // %e is used when the exponent is below -4 or at least the precision; the shortest
            // form decides as if the precision were 6.
            if prec.is_none() {
                eprec = 6;
            }
            let exp = dp - 1;
            if exp < -4 || exp >= eprec {
                p = p.min(nd);
                format_e(&digits, dp, p - 1, if upper { 'E' } else { 'e' })
            } else {
                if p > dp {
                    p = nd;
                }
                format_f(&digits, dp, (p - dp).max(0))
            }
        }
    };
    format!("{sign}{body}")
}

/// The decimal digits of `a` (no trailing zeros; none for zero) and the position of the decimal
/// point relative to them, rounded to `significant` digits or as short as reads back exactly.
fn decimal_digits(a: f64, significant: Option<usize>) -> (Vec<u8>, i64) {
    if a == 0.0 {
        return (Vec::new(), 0);
    }
    // Rust's `{:e}` rounds correctly, ties to even, like Go's; only the layout differs.
    let scientific = match significant {
        Some(n) => format!("{a:.*e}", n.max(1) - 1),
        None => format!("{a:e}"),
    };
    let (mantissa, exp) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    (digits, exp.parse::<i64>().unwrap_or(0) + 1)
}

fn format_e(digits: &[u8], dp: i64, prec: i64, verb: char) -> String {
    let mut out = String::new();
    out.push(digits.first().map_or('0', |&d| d as char));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(digits.get(i as usize).map_or('0', |&d| d as char));
        }
    }
    out.push(verb);
    let exp = if digits.is_empty() { 0 } else { dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", exp.abs()));
    out
}

fn format_f(digits: &[u8], dp: i64, prec: i64) -> String {
    let digit = |i: i64| usize::try_from(i).ok().and_then(|i| digits.get(i)).map_or('0', |&d| d as char);
    let mut out = String::new();
    if dp > 0 {
        (0..dp).for_each(|i| out.push(digit(i)));
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        (0..prec).for_each(|i| out.push(digit(dp + i)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_float(v: f64, verb: char, prec: Option<usize>, expected: &str) {
        assert_eq!(format_float(v, verb, prec), expected, "{v} {verb} {prec:?}");
    }

    #[test]
    fn floats_format_as_strconv_does() {
        check_float(0.0, 'g', None, "0");
        check_float(-0.0, 'g', None, "-0");
        check_float(1.0, 'g', None, "1");
        check_float(0.5, 'g', None, "0.5");
        check_float(100000.0, 'g', None, "100000");
        check_float(1e6, 'g', None, "1e+06");
        check_float(1234567.0, 'g', None, "1.234567e+06");
        check_float(0.0001, 'g', None, "0.0001");
        check_float(0.00001, 'g', None, "1e-05");
        check_float(1e21, 'g', None, "1e+21");
        check_float(-9.223372036854776e18, 'g', None, "-9.223372036854776e+18");
        check_float(1234567.0, 'g', Some(4), "1.235e+06");
        check_float(1.0, 'g', Some(4), "1");
        check_float(0.0, 'g', Some(4), "0");
        check_float(1.2345, 'g', Some(4), "1.234");
        check_float(12.345, 'g', Some(4), "12.35");
        check_float(123.5, 'g', Some(4), "123.5");
        check_float(1234.5, 'g', Some(4), "1234");
        check_float(12345.0, 'g', Some(4), "1.234e+04");
        check_float(9.223372036854776, 'g', Some(4), "9.223");
        check_float(1.0, 'e', Some(6), "1.000000e+00");
        check_float(0.0, 'e', Some(2), "0.00e+00");
        check_float(123456.0, 'e', Some(2), "1.23e+05");
        check_float(1e-300, 'E', Some(1), "1.0E-300");
        check_float(3720.01, 'f', Some(2), "3720.01");
        check_float(0.1, 'f', None, "0.1");
        check_float(1e21, 'f', None, "1000000000000000000000");
        check_float(0.0, 'e', None, "0e+00");
        check_float(0.125, 'f', Some(2), "0.12");
        check_float(2.5, 'f', Some(0), "2");
        check_float(f64::INFINITY, 'f', Some(2), "+Inf");
        check_float(f64::NEG_INFINITY, 'g', None, "-Inf");
        check_float(f64::NAN, 'g', Some(4), "NaN");
    }

    fn check(format: &str, args: &[Value], expected: &str) {
        assert_eq!(sprintf(format, args), expected, "{format}");
    }

    #[test]
    fn printf_verbs() {
        let n = |n: f64| Value::Float(n);
        let s = |s: &str| Value::from(s);
        check("%s and %v", &[s("a"), n(1.5)], "a and 1.5");
        check(
            "%d|%5d|%-5d|%05d|%+d|%x|%X|%o|%b|%#x",
            &vec![n(42.0); 10],
            "42|   42|42   |00042|+42|2a|2A|52|101010|0x2a",
        );
        check("%05d|%.3d|%.0d", &[n(-42.0), n(7.0), n(0.0)], "-0042|007|");
        check(
            "%f|%.2f|%8.3f|%-8.1f|%08.2f|%+.1f",
            &vec![n(4.56789); 6],
            "4.567890|4.57|   4.568|4.6     |00004.57|+4.6",
        );
        check("%e|%.2E|%g|%.3g|%G", &vec![n(1234.5678); 5], "1.234568e+03|1.23E+03|1234.5678|1.23e+03|1234.5678");
        check(
            "%q|%x|%10s|%-4s|%.2s",
            &[s("hi\n"), s("hi"), s("right"), s("l"), s("trunc")],
            "\"hi\\n\"|6869|     right|l   |tr",
        );
        check("%c%c|%q|%U|%#U", &[n(72.0), n(105.0), n(97.0), n(0x1f600 as f64), n(65.0)], "Hi|'a'|U+1F600|U+0041 'A'");
        check("%t %v", &[Value::Bool(true), Value::Nil], "true <nil>");
        check(
            "%T %T %T %T %T",
            &[n(1.0), Value::Int(1), s("x"), Value::Nil, Value::list([1])],
            "float64 int string <nil> []interface {}",
        );
        check("100%%", &[], "100%");
        check(
            "%v %s %v",
            &[Value::list(["a", "b"]), Value::map([("k", 1)]), Value::map([("k", 1)])],
            "[a b] map[k:%!s(int=1)] map[k:1]",
        );
        check("%*d|%-*d|%.*f", &[n(4.0), n(7.0), n(3.0), n(7.0), n(1.0), n(2.25)], "   7|7  |2.2");
    }

    #[test]
    fn printf_complaints() {
        check("%d", &[Value::from("x")], "%!d(string=x)");
        check("%d", &[Value::Float(1.5)], "%!d(float64=1.5)");
        check("%s", &[Value::Float(3.0)], "%!s(float64=3)");
        check(
            "%s|%v|%.1f|%x",
            &[Value::Int(3), Value::Int(1_000_000), Value::Int(2), Value::Int(-255)],
            "%!s(int=3)|1000000|2.0|-ff",
        );
        check("%d", &[Value::Nil], "%!d(<nil>)");
        check("%d %d", &[Value::Int(1)], "1 %!d(MISSING)");
        check("%d", &[Value::Int(1), Value::from("x"), Value::Nil], "1%!(EXTRA string=x, <nil>)");
        check("abc%", &[], "abc%!(NOVERB)");
        check("%z", &[Value::Float(1.0)], "%!z(float64=1)");
        check("%9999999d", &[Value::Int(1)], "%!(NOVERB)%!(EXTRA int=1)");
    }

    #[test]
    fn print_and_println_space_like_go() {
        let args = [Value::Int(1), Value::Float(2.0), Value::from("a"), Value::Int(3), Value::from("b")];
        assert_eq!(sprint(&args), "1 2a3b");
        assert_eq!(sprintln(&args), "1 2 a 3 b\n");
        assert_eq!(sprint(&[]), "");
        assert_eq!(sprintln(&[]), "\n");
        assert_eq!(sprint(&[Value::from(""), Value::Int(1), Value::Nil]), "1 <nil>");
    }
}
