//! When a group evaluates: Prometheus spreads groups over their interval by an offset derived
//! from the XXH64 hash of the group's `file` and `name` labels, and evaluates at slotted
//! timestamps `base + offset`, not at the wall clock; the offset matches Prometheus's to the
//! nanosecond.

use lookout_tsdb::xxh64;

/// Prometheus's `labels.Hash()` of `{file=<file>, name=<name>}`: names and values each followed
/// by 0xff, labels in name order.
pub fn group_hash(file: &str, name: &str) -> u64 {
    let mut bytes = Vec::with_capacity(file.len() + name.len() + 12);
    for part in ["file", file, "name", name] {
        bytes.extend_from_slice(part.as_bytes());
        bytes.push(0xff);
    }
    xxh64(&bytes)
}

/// The group's offset within its interval, in nanoseconds.
pub fn eval_offset_ns(file: &str, name: &str, interval_ms: i64) -> i64 {
    let interval_ns = interval_ms.max(1) as u64 * 1_000_000;
    (group_hash(file, name) % interval_ns) as i64
}

/// The slot at or before `now_ns` at which the group evaluates (Prometheus's `EvalTimestamp`), in
/// nanoseconds. Evaluations happen at this plus whole intervals; the query time is the slot.
pub fn eval_timestamp_ns(file: &str, name: &str, interval_ms: i64, now_ns: i64) -> i64 {
    let interval_ns = interval_ms.max(1) * 1_000_000;
    let offset = eval_offset_ns(file, name, interval_ms);
    let adjusted = now_ns - offset;
    adjusted - adjusted.rem_euclid(interval_ns) + offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_offset_and_periodic() {
        let interval = 60_000;
        let offset = eval_offset_ns("rules.yml", "payments", interval);
        assert!((0..interval * 1_000_000).contains(&offset));
        let now = 1_700_000_000_123_456_789;
        let slot = eval_timestamp_ns("rules.yml", "payments", interval, now);
        assert!(slot <= now && now - slot < interval * 1_000_000);
        assert_eq!((slot - offset).rem_euclid(interval * 1_000_000), 0);
        assert_eq!(eval_timestamp_ns("rules.yml", "payments", interval, slot), slot);
    }
}
