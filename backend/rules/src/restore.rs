//! Restoring alerts' `for` state after a restart from the `ALERTS_FOR_STATE` series, as
//! Prometheus's `RestoreForState`: run once after the group's first two evaluations, so that an
//! alert pending when the process stopped does not wait its whole `for` again, and one already
//! due fires after at most the grace period.

use lookout_tsdb::{Labels, METRIC_NAME, is_stale_nan};

use crate::group::{Group, Kind};
use crate::querier::RuleQuerier;

impl Group {
    /// Whether [`Group::restore_for_state`] should run now: after the second evaluation of a
    /// group loaded with `restore`, once.
    pub fn restore_due(&self) -> bool {
        self.evaluations >= 2 && self.rules.iter().any(|r| matches!(&r.kind, Kind::Alerting(a) if !a.restored))
    }

    /// Moves the `activeAt` of the current alerts by what `ALERTS_FOR_STATE` recorded before
    /// `now_ms`, then lets the rules write `ALERTS`. A failed read leaves that alert as it is.
    pub fn restore_for_state(&mut self, now_ms: i64, querier: &dyn RuleQuerier) {
        let mint = now_ms - self.options.outage_tolerance_ms;
        let grace = self.options.grace_period_ms;
        for rule in &mut self.rules {
            let Kind::Alerting(alerting) = &mut rule.kind else { continue };
            if alerting.for_ms < grace {
                alerting.restored = true;
                continue;
            }
            for alert in alerting.active.values_mut() {
                let mut pairs: Vec<(&str, &str)> =
                    alert.labels.iter().map(|l| (l.name.as_str(), l.value.as_str())).collect();
                pairs.push((METRIC_NAME, "ALERTS_FOR_STATE"));
                let series = Labels::from_pairs(pairs);
                let Ok(samples) = querier.samples(&series, mint, now_ms) else { continue };
                let Some(&(t, v)) = samples.last() else { continue };
                if is_stale_nan(v) {
                    continue;
                }
                // Prometheus works in whole seconds here.
                let down_at = t.div_euclid(1000) * 1000;
                let mut active_at = (v as i64).saturating_mul(1000);
                let remaining = alerting.for_ms - (down_at - active_at);
                if remaining <= 0 {
                    // Already due: it fires again at the next evaluation.
                } else if remaining < grace {
                    active_at = now_ms + grace - alerting.for_ms;
                } else {
                    active_at += now_ms - down_at;
                }
                alert.active_at = active_at;
            }
            alerting.restored = true;
        }
    }
}
