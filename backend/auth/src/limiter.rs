//! Failed sign-ins counted per key (client address and user name): after [`MAX_FAILURES`] within
//! [`WINDOW_MS`], further attempts are refused until the oldest failure leaves the window.

use std::collections::{HashMap, VecDeque};

/// Failures allowed within the window before attempts are refused.
pub const MAX_FAILURES: usize = 5;
/// The window failures are counted in: five minutes, as Grafana's brute-force protection.
pub const WINDOW_MS: i64 = 5 * 60 * 1000;
/// Keys kept at most; the oldest are forgotten first, so a flood of addresses cannot grow it.
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Default)]
pub struct Limiter {
    failures: HashMap<String, VecDeque<i64>>,
}

impl Limiter {
    /// `Err(ms)` with how long to wait when `key` has used up its failures at `now_ms`.
    pub fn check(&mut self, key: &str, now_ms: i64) -> Result<(), i64> {
        let Some(times) = self.failures.get_mut(key) else { return Ok(()) };
        while times.front().is_some_and(|t| now_ms - t >= WINDOW_MS) {
            times.pop_front();
        }
        match times.front() {
            None => {
                self.failures.remove(key);
                Ok(())
            }
            Some(oldest) if times.len() >= MAX_FAILURES => Err(oldest + WINDOW_MS - now_ms),
            Some(_) => Ok(()),
        }
    }

    /// Counts a failure of `key` at `now_ms`.
    pub fn fail(&mut self, key: &str, now_ms: i64) {
        if self.failures.len() >= MAX_KEYS && !self.failures.contains_key(key) {
            self.forget_before(now_ms - WINDOW_MS);
            if self.failures.len() >= MAX_KEYS {
                self.failures.clear();
            }
        }
        let times = self.failures.entry(key.to_string()).or_default();
        times.push_back(now_ms);
        if times.len() > MAX_FAILURES {
            times.pop_front();
        }
    }

    fn forget_before(&mut self, cutoff_ms: i64) {
        self.failures.retain(|_, times| times.back().is_some_and(|t| *t > cutoff_ms));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_after_five_failures_until_the_window_moves_on() {
        let mut limiter = Limiter::default();
        for i in 0..MAX_FAILURES as i64 {
            assert_eq!(limiter.check("1.2.3.4 admin", i * 1000), Ok(()));
            limiter.fail("1.2.3.4 admin", i * 1000);
        }
        assert_eq!(limiter.check("1.2.3.4 admin", 10_000), Err(WINDOW_MS - 10_000));
        // Another key is not affected.
        assert_eq!(limiter.check("1.2.3.4 bob", 10_000), Ok(()));
        // Once the first failure is older than the window, one more attempt is allowed.
        assert_eq!(limiter.check("1.2.3.4 admin", WINDOW_MS), Ok(()));
        limiter.fail("1.2.3.4 admin", WINDOW_MS);
        assert_eq!(limiter.check("1.2.3.4 admin", WINDOW_MS + 1), Err(999));
    }
}
