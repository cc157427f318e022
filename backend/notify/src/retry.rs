//! The retry loop: Alertmanager's exponential backoff (cenkalti/backoff v4 defaults: first
//! attempt at once, then 500 ms growing ×1.5 with ±50 % jitter up to 60 s) until success, a
//! permanent failure or the deadline, reporting every attempt.

use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

use crate::attempt::{Attempt, Outcome};
use crate::error::{DeliveryError, Failure, Sent};

const INITIAL: Duration = Duration::from_millis(500);
const MULTIPLIER: f64 = 1.5;
const JITTER: f64 = 0.5;
const MAX_INTERVAL: Duration = Duration::from_secs(60);

/// The waits between attempts, as `backoff.ExponentialBackOff` computes them.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    current: Duration,
}

impl Backoff {
    pub(crate) fn new() -> Backoff {
        Backoff { current: INITIAL }
    }

    /// The next wait, given a uniform `random` in [0, 1): the current interval ± 50 %, after which
    /// the interval grows by half, up to the maximum.
    pub(crate) fn next(&mut self, random: f64) -> Duration {
        let current = self.current.as_secs_f64();
        let delta = JITTER * current;
        let wait = (current - delta) + random.clamp(0.0, 1.0) * (2.0 * delta);
        self.current = Duration::from_secs_f64((current * MULTIPLIER).min(MAX_INTERVAL.as_secs_f64()));
        Duration::from_secs_f64(wait)
    }
}

/// A uniform number in [0, 1) from the standard library's per-process random keys: jitter needs
/// no more than that.
fn random_unit() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0);
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Runs `send` until it succeeds, fails permanently or the deadline comes. Each attempt is cut
/// off at the deadline; a wait that would end past it is not started.
pub(crate) async fn with_retries<F, Fut>(
    integration: &'static str,
    deadline: Instant,
    on_attempt: &mut (dyn FnMut(Attempt) + Send),
    mut send: F,
) -> Result<(), DeliveryError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Sent, Failure>>,
{
    let mut backoff = Backoff::new();
    let mut number = 0u32;
    loop {
        number = number.saturating_add(1);
        let at_ms = now_ms();
        let started = Instant::now();
        let result = match tokio::time::timeout_at(deadline, send()).await {
            Ok(result) => result,
            Err(_) => Err(Failure::retryable("context deadline exceeded")),
        };
        let report = |outcome, http_status, smtp_reply, error| Attempt {
            at_ms,
            attempt: number,
            integration,
            outcome,
            http_status,
            smtp_reply,
            error,
            duration: started.elapsed(),
        };
        let failure = match result {
            Ok(sent) => {
                on_attempt(report(Outcome::Success, sent.http_status, sent.smtp_reply, None));
                return Ok(());
            }
            Err(failure) => failure,
        };
        let outcome = if failure.retryable { Outcome::Retryable } else { Outcome::Failed };
        on_attempt(report(outcome, failure.http_status, failure.smtp_reply, Some(failure.message.clone())));
        if !failure.retryable {
            return Err(DeliveryError::Rejected(failure.message));
        }
        let wait = backoff.next(random_unit());
        if Instant::now() + wait >= deadline {
            return Err(DeliveryError::DeadlineExceeded { attempts: number, last: failure.message });
        }
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_by_half_within_jitter_and_caps() {
        let mut low = Backoff::new();
        let mut high = Backoff::new();
        let mut expected = 0.5f64;
        for _ in 0..20 {
            let (lo, hi) = (low.next(0.0).as_secs_f64(), high.next(0.999_999).as_secs_f64());
            assert!((lo - expected * 0.5).abs() < 1e-6, "{lo} vs {expected}");
            assert!((hi - expected * 1.5).abs() < 1e-3, "{hi} vs {expected}");
            expected = (expected * 1.5).min(60.0);
        }
        assert_eq!(expected, 60.0);
    }

    #[test]
    fn random_unit_stays_in_range() {
        for _ in 0..100 {
            let r = random_unit();
            assert!((0.0..1.0).contains(&r));
        }
    }
}
