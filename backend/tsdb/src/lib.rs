//! Lookout's time-series store.
//!
//! [`Db`] is the durable store: the in-memory [`Head`] (series identified by their label sets, an
//! inverted index from label pairs to series, each series' samples in time order) behind a
//! write-ahead log with group commit and checkpoints. Queries go through [`Head::select`] with
//! Prometheus-style label matchers, so engines built on top can be tested against in-memory data.
//! The store knows nothing about HTTP or JSON.

mod batch;
pub mod block;
pub mod chunk;
mod db;
pub mod duration;
mod hash;
mod head;
mod labels;
mod matcher;
mod postings;
pub mod wal;

pub use batch::Batch;
pub use db::{AppendResult, BLOCK_RANGE_MS, Db, Limits, MERGED_RANGES_MS, OpenReport, SampleError};
pub use hash::xxh64;
pub use head::{AppendError, BatchOutcome, Head, Series, Thin};
pub use labels::{CANONICAL_SEPARATOR, Label, Labels, METRIC_NAME, is_valid_label_name};
pub use matcher::{MatchOp, Matcher, MatcherError};

/// A sample: Unix time in milliseconds and a float value.
pub type Sample = (i64, f64);

/// The bit pattern Prometheus writes as a staleness marker: a NaN that no arithmetic produces.
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

/// A staleness marker as a value.
pub fn stale_nan() -> f64 {
    f64::from_bits(STALE_NAN_BITS)
}

/// Formats a sample value as Prometheus writes it in its text format and JSON: the shortest
/// decimal that reads back the same, `NaN`, `+Inf`, `-Inf`.
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf".into() } else { "-Inf".into() }
    } else {
        format!("{v}")
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1–12), the inverse of
/// [`civil_from_days`] (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let (y, m) = if month <= 2 { (year - 1, month + 9) } else { (year, month - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// Converts days since 1970-01-01 to a proleptic Gregorian (year, month, day), using Howard
/// Hinnant's `civil_from_days`.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Whether a value is a staleness marker (and not any other NaN).
pub fn is_stale_nan(v: f64) -> bool {
    v.to_bits() == STALE_NAN_BITS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_dates_convert_both_ways() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        for days in [-800_000, -1, 0, 59, 60, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, i64::from(m), i64::from(d)), days);
        }
    }
}
