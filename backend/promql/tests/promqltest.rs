//! Runs Prometheus's own PromQL test scripts (v2.42, in `../shared/conformance/promqltest/`)
//! through Lookout's engine, and our own scripts in `tests/testdata/` written in the same format.
//! Prints passed/failed/skipped per file with the reason of each failure.

use std::path::{Path, PathBuf};

use lookout_promql::{Options, QueryValue, eval_instant, parse, series};
use lookout_tsdb::{Head, Labels};

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: Vec<String>,
}

#[test]
fn prometheus_conformance_scripts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/promqltest");
    // The material always stands beside the workspace: without it the test fails, never skips.
    assert!(dir.is_dir(), "{} is missing: Prometheus's scripts cannot run without ../shared", dir.display());
    let (passed, failed) = run_dir(&dir);
    println!("promqltest total: {passed} passed, {failed} failed, 0 skipped");
    assert_eq!(failed, 0, "every case of Prometheus's scripts must pass");
}

#[test]
fn lookout_scripts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata");
    let (_, failed) = run_dir(&dir);
    assert_eq!(failed, 0, "our own PromQL scripts must all pass");
}

fn run_dir(dir: &Path) -> (usize, usize) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "test"))
        .collect();
    files.sort();
    let (mut passed, mut failed) = (0, 0);
    for file in files {
        let tally = run_file(&file);
        println!(
            "{}: {} passed, {} failed, 0 skipped",
            file.file_name().unwrap().to_string_lossy(),
            tally.passed,
            tally.failed.len()
        );
        for failure in &tally.failed {
            println!("  FAILED {failure}");
        }
        passed += tally.passed;
        failed += tally.failed.len();
    }
    (passed, failed)
}

fn run_file(path: &Path) -> Tally {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<(usize, &str)> = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).collect();
    let mut head = Head::new();
    let mut tally = Tally::default();
    let mut i = 0;
    while i < lines.len() {
        let (number, line) = lines[i];
        i += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let block_end = lines[i..].iter().position(|(_, l)| l.is_empty()).map_or(lines.len(), |p| i + p);
        let body: Vec<&str> = lines[i..block_end].iter().map(|(_, l)| *l).filter(|l| !l.starts_with('#')).collect();
        if line == "clear" {
            head = Head::new();
            continue;
        }
        if let Some(step) = line.strip_prefix("load ") {
            let step = duration_ms(step.trim()).unwrap_or_else(|| panic!("line {number}: bad load step"));
            // A later line for the same series replaces the earlier one, as in Prometheus's loader.
            let mut defs: Vec<(Labels, Vec<Option<f64>>)> = Vec::new();
            for series in &body {
                let (labels, values) =
                    parse_load_line(series).unwrap_or_else(|e| panic!("{}:{number}: {e}", path.display()));
                defs.retain(|(l, _)| *l != labels);
                defs.push((labels, values));
            }
            for (labels, values) in defs {
                for (k, v) in values.into_iter().enumerate() {
                    if let Some(v) = v {
                        head.append(&labels, k as i64 * step, v)
                            .unwrap_or_else(|e| panic!("{}:{number}: {e}", path.display()));
                    }
                }
            }
            i = block_end;
            continue;
        }
        let (kind, rest) = line.split_once(' ').unwrap_or((line, ""));
        if !matches!(kind, "eval" | "eval_ordered" | "eval_fail") {
            panic!("{}:{number}: unknown command {line:?}", path.display());
        }
        let rest = rest
            .strip_prefix("instant at ")
            .unwrap_or_else(|| panic!("line {number}: only instant evals are supported"));
        let (at, query) = rest.split_once(' ').unwrap();
        let at = duration_ms(at).unwrap_or_else(|| panic!("line {number}: bad time"));
        let outcome = run_eval(&head, kind, query, at, &body);
        match outcome {
            Ok(()) => tally.passed += 1,
            Err(why) => tally.failed.push(format!("line {number}: {query}: {why}")),
        }
        i = block_end;
    }
    tally
}

fn run_eval(head: &Head, kind: &str, query: &str, at: i64, expected: &[&str]) -> Result<(), String> {
    let opts = Options::default();
    let result = parse(query)
        .map_err(|e| e.to_string())
        .and_then(|expr| eval_instant(head, &expr, at, &opts).map_err(|e| e.to_string()));
    if kind == "eval_fail" {
        return match result {
            Err(_) => Ok(()),
            Ok(v) => Err(format!("expected an error, got {v:?}")),
        };
    }
    let value = result?;
    match value {
        QueryValue::Scalar(v) => {
            let [line] = expected else {
                return Err(format!("got scalar {v}, expected {expected:?}"));
            };
            let want = series::value(line).ok_or_else(|| format!("bad expected scalar {line:?}"))?;
            if close(v, want) { Ok(()) } else { Err(format!("got scalar {v}, expected {want}")) }
        }
        QueryValue::Vector(got) => {
            let want: Vec<(Labels, f64)> = expected.iter().map(|l| parse_expected(l)).collect::<Result<_, _>>()?;
            if got.len() != want.len() {
                return Err(format!("got {} series {}, expected {}", got.len(), show(&got), want.len()));
            }
            if kind == "eval_ordered" {
                for ((gl, gv), (wl, wv)) in got.iter().zip(&want) {
                    if gl != wl || !close(*gv, *wv) {
                        return Err(format!("order or value differs: got {}, expected {}", show(&got), show(&want)));
                    }
                }
                return Ok(());
            }
            for (wl, wv) in &want {
                match got.iter().find(|(gl, _)| gl == wl) {
                    None => return Err(format!("missing {wl}; got {}", show(&got))),
                    Some((_, gv)) if !close(*gv, *wv) => {
                        return Err(format!("{wl}: got {gv}, expected {wv}"));
                    }
                    Some(_) => {}
                }
            }
            Ok(())
        }
        QueryValue::String(s) => {
            let [line] = expected else {
                return Err(format!("got string {s:?}"));
            };
            if line.trim_matches('"') == s { Ok(()) } else { Err(format!("got string {s:?}, expected {line}")) }
        }
        QueryValue::Matrix(m) => {
            Err(format!("got a matrix of {} series; the script format here expects vectors", m.len()))
        }
    }
}

fn show(samples: &[(Labels, f64)]) -> String {
    let parts: Vec<String> = samples.iter().take(6).map(|(l, v)| format!("{l} {v}")).collect();
    format!("[{}{}]", parts.join(", "), if samples.len() > 6 { ", …" } else { "" })
}

/// Values are equal within relative error 1e-6, and NaN equals NaN.
fn close(got: f64, want: f64) -> bool {
    if got.is_nan() || want.is_nan() {
        return got.is_nan() && want.is_nan();
    }
    if got == want {
        return true;
    }
    let diff = (got - want).abs();
    diff <= 1e-6 * want.abs().max(got.abs()) || diff < 1e-300
}

fn duration_ms(text: &str) -> Option<i64> {
    let mut total = 0i64;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        let n: i64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        total += n * match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 604_800_000,
            "y" => 31_536_000_000,
            _ => return None,
        };
        rest = &rest[unit_len..];
    }
    Some(total)
}

/// Splits `metric{a="b"} 1` into the series description and the value text.
fn split_series(line: &str) -> Result<(&str, &str), String> {
    let brace_end = line.rfind('}');
    let split_from = brace_end.map_or(0, |b| b + 1);
    let gap = line[split_from..]
        .find(char::is_whitespace)
        .map(|g| split_from + g)
        .ok_or_else(|| format!("no value in {line:?}"))?;
    Ok((line[..gap].trim(), line[gap..].trim()))
}

fn parse_expected(line: &str) -> Result<(Labels, f64), String> {
    let (desc, value) = split_series(line)?;
    let value = series::value(value).ok_or_else(|| format!("bad value in {line:?}"))?;
    Ok((series::labels(desc).map_err(|e| e.to_string())?, value))
}

/// One series line of a `load` block: its labels and its values (the i-th at i × step).
fn parse_load_line(line: &str) -> Result<(Labels, Vec<Option<f64>>), String> {
    let (desc, values) = split_series(line)?;
    let labels = series::labels(desc).map_err(|e| e.to_string())?;
    Ok((labels, series::values(values).map_err(|e| e.to_string())?))
}
