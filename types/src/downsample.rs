//! Largest-Triangle-Three-Buckets (Steinarsson, 2013): fewer points for a line that looks the
//! same. The first and last points stay; every bucket between keeps the point that makes the
//! largest triangle with the point kept before it and the average of the next bucket, so a
//! lone spike, which makes a tall triangle, is kept. Charts draw no more points than they have
//! pixels for.

/// At most `threshold` points of `points` (sorted by time); all of them if there are no more,
/// or if `threshold` is below 3.
pub fn lttb(points: &[(i64, f64)], threshold: usize) -> Vec<(i64, f64)> {
    if threshold < 3 || points.len() <= threshold {
        return points.to_vec();
    }
    let mut out = Vec::with_capacity(threshold);
    out.push(points[0]);
    // The points between the first and the last, in threshold - 2 buckets.
    let every = (points.len() - 2) as f64 / (threshold - 2) as f64;
    let bucket = |i: usize| {
        let start = (i as f64 * every) as usize + 1;
        let end = (((i + 1) as f64 * every) as usize + 1).min(points.len() - 1);
        start..end.max(start + 1)
    };
    let mut kept = points[0];
    for i in 0..threshold - 2 {
        let next = if i + 1 < threshold - 2 { bucket(i + 1) } else { points.len() - 1..points.len() };
        let n = next.len() as f64;
        let (avg_t, avg_v) = points[next].iter().fold((0.0, 0.0), |(t, v), p| (t + p.0 as f64 / n, v + p.1 / n));
        let (t0, v0) = (kept.0 as f64, kept.1);
        let area = |p: &(i64, f64)| ((t0 - avg_t) * (p.1 - v0) - (t0 - p.0 as f64) * (avg_v - v0)).abs();
        let best = points[bucket(i)].iter().copied().max_by(|a, b| area(a).total_cmp(&area(b))).unwrap_or(kept);
        out.push(best);
        kept = best;
    }
    out.push(points[points.len() - 1]);
    out
}

#[cfg(test)]
mod tests {
    use super::lttb;

    #[test]
    fn short_lines_are_kept_whole() {
        let points: Vec<(i64, f64)> = (0..10).map(|i| (i, i as f64)).collect();
        assert_eq!(lttb(&points, 10), points);
        assert_eq!(lttb(&points, 2), points);
    }

    #[test]
    fn a_hundred_thousand_points_keep_their_ends_order_and_spikes() {
        let mut points: Vec<(i64, f64)> = (0..100_000).map(|i| (i * 1000, (i as f64 / 500.0).sin())).collect();
        points[31_337].1 = 50.0;
        points[77_777].1 = -40.0;
        let out = lttb(&points, 1000);
        assert_eq!(out.len(), 1000);
        assert_eq!((out[0], out[999]), (points[0], points[99_999]));
        assert!(out.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(out.contains(&points[31_337]) && out.contains(&points[77_777]));
        // The wave's shape survives: its extremes are still there.
        let max = out.iter().filter(|p| p.1 < 2.0).map(|p| p.1).fold(f64::MIN, f64::max);
        assert!(max > 0.99, "{max}");
    }
}
