//! Parses the real expositions in `shared/conformance/exposition/`: every line must be understood,
//! no sample may be lost, and one corrupted line must cost only that line. Expected counts are
//! worked out from the files themselves, not hard-coded, so new sample files are checked as well.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use lookout_exposition::{Format, MetricKind, Parsed, Sample, parse};

/// The shared conformance samples live beside the workspace, not inside it.
fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/exposition")
}

/// Every exposition in the folder, sorted by name; the folder must be there (it always is beside
/// the workspace, so its absence is a failure, not a skip). The folder also holds its licence,
/// which is not an exposition; hence the `.txt` filter.
fn expositions() -> Vec<PathBuf> {
    let dir = conformance_dir();
    let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("{} is missing: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .txt expositions in {}", dir.display());
    files
}

fn format_for(path: &Path) -> Format {
    let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
    if name.contains("openmetrics") || name.ends_with(".om.txt") { Format::OpenMetrics } else { Format::Text }
}

/// Parses one named exposition, which must be there.
fn load(name: &str) -> Parsed {
    let path = conformance_dir().join(name);
    let body = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{} is missing: {e}", path.display()));
    parse(&body, format_for(&path))
}

/// Whether a line holds a sample, judged without the parser: neither blank nor a `#` line.
fn is_sample_line(line: &str) -> bool {
    let line = line.trim();
    !line.is_empty() && !line.starts_with('#')
}

/// The number of distinct families named by descriptor lines, judged without the parser. The
/// text format has no `# UNIT` line; there it is a plain comment.
fn family_count(body: &str, format: Format) -> usize {
    let keywords: &[&str] = match format {
        Format::Text => &["HELP", "TYPE"],
        Format::OpenMetrics => &["HELP", "TYPE", "UNIT"],
    };
    let families: HashSet<&str> = body
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            match (words.next(), words.next(), words.next()) {
                (Some("#"), Some(keyword), Some(family)) if keywords.contains(&keyword) => Some(family),
                _ => None,
            }
        })
        .collect();
    families.len()
}

fn find<'a>(parsed: &'a Parsed, name: &str, labels: &[(&str, &str)]) -> &'a Sample {
    parsed
        .samples
        .iter()
        .find(|sample| {
            sample.name == name
                && sample.labels.len() == labels.len()
                && sample.labels.iter().zip(labels).all(|((n, v), (en, ev))| n == en && v == ev)
        })
        .unwrap_or_else(|| panic!("no sample {name}{labels:?}"))
}

/// Samples as comparable strings; values go by their bits, so NaN equals itself.
fn keys(samples: &[Sample]) -> Vec<String> {
    samples.iter().map(|s| format!("{} {:?} {:x} {:?}", s.name, s.labels, s.value.to_bits(), s.timestamp_ms)).collect()
}

#[test]
fn every_exposition_parses_cleanly() {
    let files = expositions();
    for path in &files {
        let body = fs::read_to_string(path).expect("a readable exposition");
        let format = format_for(path);
        let parsed = parse(&body, format);
        let name = path.display();
        assert!(parsed.errors.is_empty(), "{name} ({format:?}): {:#?}", parsed.errors);
        let sample_lines = body.lines().filter(|line| is_sample_line(line)).count();
        assert_eq!(parsed.samples.len(), sample_lines, "{name}: samples");
        assert_eq!(parsed.metadata.len(), family_count(&body, format), "{name}: families");
    }
}

#[test]
fn text_exposition_samples() {
    let parsed = load("alltypes.237mfs.prom.txt");

    let pause = find(&parsed, "go_gc_duration_seconds", &[("quantile", "0.5")]);
    assert_eq!(pause.value, 0.000135819);
    assert_eq!(pause.timestamp_ms, None);

    let requests = find(&parsed, "prometheus_http_requests_total", &[("code", "200"), ("handler", "/metrics")]);
    assert_eq!(requests.value, 4.059092e6);

    let bucket = find(&parsed, "go_gc_heap_allocs_by_size_bytes_bucket", &[("le", "+Inf")]);
    assert_eq!(bucket.value, 4.4046288803e10);

    // A label value with spaces and a semicolon in it.
    let rules = find(
        &parsed,
        "prometheus_rule_group_rules",
        &[("rule_group", "/etc/prometheus/rules/ansible_managed.rules;ansible managed alert rules")],
    );
    assert_eq!(rules.value, 2.0);

    let nan = find(
        &parsed,
        "prometheus_sd_consul_rpc_duration_seconds",
        &[("call", "service"), ("endpoint", "catalog"), ("quantile", "0.5")],
    );
    assert!(nan.value.is_nan());

    assert!(parsed.samples.iter().all(|sample| sample.timestamp_ms.is_none()));
    let summary = parsed
        .metadata
        .iter()
        .find(|metadata| metadata.family == "go_gc_duration_seconds")
        .expect("metadata for go_gc_duration_seconds");
    assert_eq!(summary.kind, MetricKind::Summary);
    assert_eq!(
        summary.help,
        "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles."
    );
}

#[test]
fn openmetrics_exposition_samples() {
    let parsed = load("alltypes.5mfs.om.txt");

    let info = find(&parsed, "go_build_info", &[("checksum", ""), ("path", ""), ("version", "")]);
    assert_eq!(info.value, 1.0);

    let total = find(&parsed, "promhttp_metric_handler_errors_total", &[("cause", "encoding")]);
    assert_eq!(total.value, 0.0);

    let created = find(&parsed, "promhttp_metric_handler_errors_created", &[("cause", "gathering")]);
    assert_eq!(created.value, 1.726839813016395e9);

    // The exemplar, timestamp included, is dropped; the sample itself has no timestamp.
    let bucket = find(&parsed, "rpc_durations_histogram_seconds_bucket", &[("le", "-0.0002899999999999998")]);
    assert_eq!(bucket.value, 3.0);
    assert_eq!(bucket.timestamp_ms, None);

    let families: Vec<(&str, MetricKind)> =
        parsed.metadata.iter().map(|metadata| (metadata.family.as_str(), metadata.kind)).collect();
    assert_eq!(
        families,
        [
            ("go_build_info", MetricKind::Gauge),
            ("promhttp_metric_handler_errors", MetricKind::Counter),
            ("rpc_durations_histogram_seconds", MetricKind::Histogram),
            ("rpc_durations_seconds", MetricKind::Summary),
            ("rpc_requests", MetricKind::Counter),
        ]
    );
    assert_eq!(
        parsed.metadata.last().map(|metadata| metadata.help.as_str()),
        Some("Total number of RPC requests received.")
    );
}

/// Corrupts the middle sample line of each exposition in two ways and checks that exactly that
/// line is reported while every other sample and all metadata come through unchanged.
#[test]
fn one_corrupt_line_costs_only_that_line() {
    let files = expositions();
    let corruptions: [fn(&str) -> String; 2] = [
        // Junk where a timestamp, or the end of an exemplar, should be.
        |line: &str| format!("{line} trailing garbage"),
        // The value cut off, or, where a label value holds a space, the label set left open.
        |line: &str| line.split_once(' ').map_or(line, |(head, _)| head).to_owned(),
    ];
    for path in &files {
        let body = fs::read_to_string(path).expect("a readable exposition");
        let format = format_for(path);
        let clean = parse(&body, format);
        let lines: Vec<&str> = body.lines().collect();
        let sample_lines: Vec<usize> =
            lines.iter().enumerate().filter(|(_, line)| is_sample_line(line)).map(|(index, _)| index).collect();
        assert_eq!(clean.samples.len(), sample_lines.len(), "{}", path.display());
        let victim = sample_lines.len() / 2;
        let line_index = sample_lines[victim];

        for corrupt in corruptions {
            let broken = corrupt(lines[line_index]);
            let mut mutated = lines.clone();
            mutated[line_index] = broken.as_str();
            let parsed = parse(&mutated.join("\n"), format);

            let reported: Vec<usize> = parsed.errors.iter().map(|error| error.line).collect();
            assert_eq!(
                reported,
                [line_index + 1],
                "{}: corrupted line {broken:?}: {:?}",
                path.display(),
                parsed.errors
            );
            let mut expected = keys(&clean.samples);
            expected.remove(victim);
            assert_eq!(keys(&parsed.samples), expected, "{}", path.display());
            assert_eq!(parsed.metadata, clean.metadata, "{}", path.display());
        }
    }
}
