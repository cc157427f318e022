//! Scrape timestamps aligned to the schedule, so a steady interval costs one bit per sample.
//!
//! The delta-of-delta timestamp coding stores a sample whose spacing equals the previous one in
//! a single bit, but wall-clock readings taken when a timer fires wobble by a millisecond or two,
//! and each wobble costs nine bits or more. Like Prometheus (which aligns within 2 ms), a scrape
//! that starts within [`TOLERANCE_MS`] of its slot (the previous timestamp plus the interval) is
//! stamped with the slot; anything later is stamped with the clock, so a stall is never hidden.

/// How far a scrape may start from its slot and still be stamped with it. Small against any
/// interval worth scraping at (0.1 % of 5 s), so `rate()` moves by no more than that.
pub const TOLERANCE_MS: i64 = 5;

/// Timestamps for one target's scrapes, in Unix milliseconds.
#[derive(Debug, Clone)]
pub struct ScrapeClock {
    interval_ms: i64,
    last: Option<i64>,
}

impl ScrapeClock {
    pub fn new(interval_ms: i64) -> ScrapeClock {
        ScrapeClock { interval_ms, last: None }
    }

    /// The timestamp for a scrape starting at wall-clock time `now`.
    pub fn stamp(&mut self, now: i64) -> i64 {
        let stamp = match self.last {
            // Intervals under 100 × the tolerance are left alone, as Prometheus does: the slot
            // would be a visible fraction of the interval.
            Some(last) if self.interval_ms >= 100 * TOLERANCE_MS => {
                let slot = last + self.interval_ms;
                if (now - slot).abs() <= TOLERANCE_MS { slot } else { now }
            }
            _ => now,
        };
        self.last = Some(stamp);
        stamp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scrape_near_its_slot_takes_the_slot_and_a_late_one_keeps_its_time() {
        let mut clock = ScrapeClock::new(15_000);
        assert_eq!(clock.stamp(1_000_003), 1_000_003);
        assert_eq!(clock.stamp(1_015_004), 1_015_003);
        assert_eq!(clock.stamp(1_029_999), 1_030_003);
        // Late by more than the tolerance: the real time, and the next slot counts from it.
        assert_eq!(clock.stamp(1_045_100), 1_045_100);
        assert_eq!(clock.stamp(1_060_098), 1_060_100);
    }

    #[test]
    fn short_intervals_are_never_aligned() {
        let mut clock = ScrapeClock::new(100);
        assert_eq!(clock.stamp(1_000), 1_000);
        assert_eq!(clock.stamp(1_101), 1_101);
    }
}
