//! Series sampled at different times made comparable: a value at each time of a common grid, as a
//! PromQL instant lookup takes it (the latest sample at or before the time, within a lookback).

/// The value of `samples` (sorted by time) at each time of `grid` (sorted): the latest sample at
/// or before it and not older than `lookback_ms`.
pub fn at(samples: &[(i64, f64)], grid: &[i64], lookback_ms: i64) -> Vec<Option<f64>> {
    samples_at(samples, grid, lookback_ms).into_iter().map(|s| s.map(|s| s.1)).collect()
}

/// [`at`] with each sample's own time, for rates over the time that really passed between two
/// samples (a thinned read keeps samples at other times than the grid's).
pub fn samples_at(samples: &[(i64, f64)], grid: &[i64], lookback_ms: i64) -> Vec<Option<(i64, f64)>> {
    let mut out = Vec::with_capacity(grid.len());
    let mut next = 0;
    for &t in grid {
        while next < samples.len() && samples[next].0 <= t {
            next += 1;
        }
        out.push(next.checked_sub(1).map(|i| samples[i]).filter(|s| t - s.0 <= lookback_ms));
    }
    out
}

/// The distinct sample times of several series, sorted.
pub fn grid<'a>(series: impl IntoIterator<Item = &'a [(i64, f64)]>) -> Vec<i64> {
    let mut times: Vec<i64> = series.into_iter().flat_map(|s| s.iter().map(|p| p.0)).collect();
    times.sort_unstable();
    times.dedup();
    times
}

/// The element-wise sum of aligned values; a time where any part is missing stays missing only
/// when every part is missing (a part that vanished counts as nothing, as `sum` in PromQL).
pub fn sum(parts: &[Vec<Option<f64>>], len: usize) -> Vec<Option<f64>> {
    (0..len)
        .map(|i| {
            let present: Vec<f64> = parts.iter().filter_map(|p| p.get(i).copied().flatten()).collect();
            (!present.is_empty()).then(|| present.iter().sum())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_sample_within_the_lookback() {
        let samples = [(10, 1.0), (20, 2.0), (50, 5.0)];
        let check =
            |grid: &[i64], lookback, expected: &[Option<f64>]| assert_eq!(at(&samples, grid, lookback), expected);
        check(&[5, 10, 15, 20, 45, 50, 100], 30, &[None, Some(1.0), Some(1.0), Some(2.0), Some(2.0), Some(5.0), None]);
        check(&[45], 10, &[None]);
        check(&[], 10, &[]);
    }

    #[test]
    fn grids_and_sums() {
        let a = [(10, 1.0), (30, 3.0)];
        let b = [(20, 2.0), (30, 3.0)];
        let g = grid([&a[..], &b[..]]);
        assert_eq!(g, [10, 20, 30]);
        let parts = [at(&a, &g, 100), at(&b, &g, 100)];
        assert_eq!(sum(&parts, g.len()), [Some(1.0), Some(3.0), Some(6.0)]);
        assert_eq!(sum(&[vec![None, Some(1.0)]], 2), [None, Some(1.0)]);
    }
}
