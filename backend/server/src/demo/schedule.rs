//! When the demo's incidents happen and how bad they are at any moment.
//!
//! An incident ramps up (the pool fills), holds (the pool is exhausted) and recovers. Its
//! severity goes 0 → 1 → 0; the simulation turns severity into pool usage and failure rates.

use std::time::Duration;

use crate::config::DemoConfig;

const RAMP_MS: i64 = 40_000;
const RECOVER_MS: i64 = 40_000;

#[derive(Debug, Clone)]
pub struct Schedule {
    first_ms: i64,
    every_ms: i64,
    hold_ms: i64,
}

impl Schedule {
    pub fn new(config: &DemoConfig) -> Self {
        let ms = |d: Duration| d.as_millis() as i64;
        Schedule {
            first_ms: ms(config.first_incident_after),
            every_ms: ms(config.incident_every).max(RAMP_MS + RECOVER_MS + 1),
            hold_ms: ms(config.incident_duration),
        }
    }

    /// Severity in `[0, 1]` at `elapsed_ms` after the demo started.
    pub fn severity(&self, elapsed_ms: i64) -> f64 {
        if elapsed_ms < self.first_ms {
            return 0.0;
        }
        let into = (elapsed_ms - self.first_ms) % self.every_ms;
        if into < RAMP_MS {
            into as f64 / RAMP_MS as f64
        } else if into < RAMP_MS + self.hold_ms {
            1.0
        } else if into < RAMP_MS + self.hold_ms + RECOVER_MS {
            1.0 - (into - RAMP_MS - self.hold_ms) as f64 / RECOVER_MS as f64
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramps_holds_recovers_and_repeats() {
        let schedule = Schedule::new(&DemoConfig {
            incident_every: Duration::from_secs(600),
            first_incident_after: Duration::from_secs(60),
            incident_duration: Duration::from_secs(120),
        });
        let at = |s: i64| schedule.severity(s * 1000);
        assert_eq!(at(0), 0.0);
        assert_eq!(at(59), 0.0);
        assert!((at(80) - 0.5).abs() < 1e-9);
        assert_eq!(at(100), 1.0);
        assert_eq!(at(219), 1.0);
        assert!((at(240) - 0.5).abs() < 1e-9);
        assert_eq!(at(300), 0.0);
        assert_eq!(at(700), 1.0); // the next incident, ten minutes after the first
    }
}
