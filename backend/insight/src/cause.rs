//! Candidate causes of a symptom, ranked: each finding (a saturation, a change, a new or spiking
//! log pattern, a restart, a target down, a deploy) becomes a cause with a weight for its kind and
//! strength, scaled by when it began against the symptom's onset: shortly before is most telling,
//! long before or after much less.

use lookout_types::insight::{Cause, CauseKind, Change, ChangeKind, LogPattern, Saturation, SaturationKind};

/// A cause that began within this long before the symptom counts fully.
const CLOSE_MS: i64 = 10 * 60_000;
/// Beginning this soon after the symptom still counts nearly fully (scrapes and log lines are
/// seconds apart).
const GRACE_MS: i64 = 60_000;

/// How much a cause's timing speaks for it, 0 to 1.
fn timing(onset: Option<i64>, symptom: i64) -> f64 {
    let Some(onset) = onset else { return 0.6 };
    let lead = symptom - onset;
    if (0..=CLOSE_MS).contains(&lead) {
        1.0
    } else if lead > CLOSE_MS {
        (CLOSE_MS as f64 / lead as f64).max(0.3)
    } else if -lead <= GRACE_MS {
        0.9
    } else {
        0.4
    }
}

fn cause(kind: CauseKind, strength: f64, title: String, detail: String, onset: Option<i64>, symptom: i64) -> Cause {
    Cause {
        kind,
        title,
        detail,
        onset,
        lead_ms: onset.map(|o| symptom - o),
        score: (strength * timing(onset, symptom)).clamp(0.0, 1.0),
        query: None,
        examples: Vec::new(),
    }
}

fn figure(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{v:.0}") } else { format!("{v:.3}") }
}

pub fn from_saturation(s: &Saturation, symptom: i64) -> Cause {
    let (strength, title) = match (s.kind, s.limit) {
        (SaturationKind::Limit, Some(limit)) => (
            (s.used / limit).min(1.0),
            format!("{}: {} of {} {} used", s.subject, figure(s.used), figure(limit), s.what),
        ),
        (SaturationKind::Waiting, _) => (0.8, format!("{}: {} waiting ({})", s.subject, figure(s.used), s.what)),
        _ => (0.9, format!("{}: {} stuck at {}", s.subject, s.what, figure(s.used))),
    };
    Cause {
        query: Some(s.query.clone()),
        ..cause(CauseKind::Saturation, strength, title, format!("{} ({})", s.series, s.rule), s.since, symptom)
    }
}

pub fn from_change(c: &Change, symptom: i64) -> Cause {
    let (kind, strength, title) = match c.kind {
        ChangeKind::Down => (CauseKind::Down, 0.9, format!("{} is down", c.series)),
        ChangeKind::Flapping => (CauseKind::Down, 0.7, format!("{} went down {} times", c.series, c.now)),
        ChangeKind::Restart => (CauseKind::Restart, 0.6, format!("{} restarted", c.series)),
        ChangeKind::ErrorRatio => (
            CauseKind::Change,
            0.5 * (c.score / 10.0).min(1.0),
            format!("{}: {:.1} % → {:.1} %", c.series, c.before * 100.0, c.now * 100.0),
        ),
        ChangeKind::Rate => (
            CauseKind::Change,
            0.5 * (c.score / 10.0).min(1.0),
            format!("{}: {}/s → {}/s", c.series, figure(c.before), figure(c.now)),
        ),
        ChangeKind::Level => (
            CauseKind::Change,
            0.5 * (c.score / 10.0).min(1.0),
            format!("{}: {} → {}", c.series, figure(c.before), figure(c.now)),
        ),
    };
    let more = if c.more > 0 { format!(", and {} more series", c.more) } else { String::new() };
    Cause {
        query: Some(c.query.clone()),
        ..cause(kind, strength, title, format!("changed against its own noise{more}"), c.onset, symptom)
    }
}

pub fn from_pattern(p: &LogPattern, symptom: i64) -> Cause {
    let strength = if p.new {
        0.8
    } else if p.spiking {
        0.6
    } else {
        0.2
    };
    let badge = if p.new {
        ", new"
    } else if p.spiking {
        ", spiking"
    } else {
        ""
    };
    Cause {
        examples: p.examples.clone(),
        ..cause(
            CauseKind::Pattern,
            strength,
            format!("{} ×{}{badge}", p.pattern, p.count),
            format!("{} {} lines", p.service, p.level),
            Some(p.first_seen),
            symptom,
        )
    }
}

/// A deploy (or any annotation) at `time` with its text and tags.
pub fn from_annotation(time: i64, text: &str, tags: &[String], symptom: i64) -> Cause {
    let detail = if tags.is_empty() { "annotation".to_string() } else { format!("annotation: {}", tags.join(", ")) };
    cause(CauseKind::Deploy, 0.7, text.to_string(), detail, Some(time), symptom)
}

/// The causes, most probable first.
pub fn rank(mut causes: Vec<Cause>) -> Vec<Cause> {
    causes.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.title.cmp(&b.title)));
    causes
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYMPTOM: i64 = 10_000_000;

    fn saturation(used: f64, since: i64) -> Saturation {
        Saturation {
            subject: "orders-db".into(),
            what: "connections".into(),
            kind: SaturationKind::Limit,
            rule: "opentelemetry_db_pool".into(),
            used,
            limit: Some(20.0),
            since: Some(since),
            series: "db_client_connections_usage{pool_name=\"orders-db\",state=\"used\"}".into(),
            query: "sum(db_client_connections_usage{pool_name=\"orders-db\",state=\"used\"})".into(),
            limit_query: None,
        }
    }

    fn pattern(new: bool, first_seen: i64) -> LogPattern {
        LogPattern {
            pattern: "couldn't get a connection after <_> sec".into(),
            service: "checkout".into(),
            level: "error".into(),
            count: 264,
            first_seen,
            last_seen: SYMPTOM,
            new,
            spiking: false,
            samples: vec![],
            examples: vec![],
        }
    }

    #[test]
    fn the_full_pool_just_before_the_symptom_leads() {
        let change = Change {
            series: "http_requests_total{code=\"200\"}".into(),
            kind: ChangeKind::Rate,
            before: 10.0,
            now: 5.0,
            score: 30.0,
            onset: Some(SYMPTOM + 30_000),
            more: 0,
            query: "rate(x[5m])".into(),
        };
        let ranked = rank(vec![
            from_change(&change, SYMPTOM),
            from_pattern(&pattern(true, SYMPTOM - 1_000), SYMPTOM),
            from_saturation(&saturation(20.0, SYMPTOM - 1_000), SYMPTOM),
            from_annotation(SYMPTOM - 3 * 3_600_000, "deploy v1", &["deploy".into()], SYMPTOM),
        ]);
        let titles: Vec<&str> = ranked.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "orders-db: 20 of 20 connections used",
                "couldn't get a connection after <_> sec ×264, new",
                "http_requests_total{code=\"200\"}: 10/s → 5/s",
                "deploy v1",
            ]
        );
        assert_eq!(ranked[0].lead_ms, Some(1_000));
        assert_eq!(ranked[0].score, 1.0);
    }

    #[test]
    fn timing_weighs_in() {
        assert_eq!(timing(Some(SYMPTOM - 60_000), SYMPTOM), 1.0);
        assert_eq!(timing(Some(SYMPTOM + 30_000), SYMPTOM), 0.9);
        assert_eq!(timing(Some(SYMPTOM + 3_600_000), SYMPTOM), 0.4);
        assert!((timing(Some(SYMPTOM - 20 * 60_000), SYMPTOM) - 0.5).abs() < 1e-9);
        assert_eq!(timing(Some(SYMPTOM - 10 * 3_600_000), SYMPTOM), 0.3);
        assert_eq!(timing(None, SYMPTOM), 0.6);
        // A recent deploy outranks an old one.
        let recent = from_annotation(SYMPTOM - 120_000, "deploy v2", &[], SYMPTOM);
        let old = from_annotation(SYMPTOM - 7_200_000, "deploy v1", &[], SYMPTOM);
        assert!(recent.score > old.score);
    }
}
