//! Silences: states, validation messages, update-or-replace, expiry, muting, listing, retention.

use lookout_alertmanager::labels::label_set;
use lookout_alertmanager::matchers::{MatchType, parse_matcher};
use lookout_alertmanager::silence::{Silence, SilenceError, SilenceMatcher, SilenceState, Silences, uuid_v4};

const S: i64 = 1000;
const NOW: i64 = 1_700_000_000_000;

fn m(name: &str, op: MatchType, value: &str) -> SilenceMatcher {
    SilenceMatcher { name: name.into(), value: value.into(), op }
}

fn silence(matchers: Vec<SilenceMatcher>, starts: i64, ends: i64) -> Silence {
    Silence {
        id: String::new(),
        matchers,
        starts_at: starts,
        ends_at: ends,
        updated_at: 0,
        created_by: "me".into(),
        comment: "c".into(),
    }
}

/// A counter-based random source, so ids are predictable.
fn rng(n: u8) -> impl FnOnce() -> [u8; 16] {
    move || [n; 16]
}

/// Sets `sil` into a fresh store at NOW and compares the error text (or "ok").
fn check(sil: Silence, expected: &str) {
    let got = match Silences::new().set(sil, NOW, rng(1)) {
        Ok(_) => "ok".to_string(),
        Err(e) => e.to_string(),
    };
    assert_eq!(got, expected);
}

#[test]
fn validation_messages() {
    let eq = || vec![m("a", MatchType::Equal, "1")];
    check(silence(eq(), NOW, NOW + 60 * S), "ok");
    check(silence(eq(), NOW, NOW), "Failed to create silence: start time must be before end time");
    check(silence(eq(), NOW - 120 * S, NOW - 60 * S), "Failed to create silence: end time can't be in the past");
    check(silence(vec![], NOW, NOW + S), "silence invalid: at least one matcher required");
    check(
        silence(vec![m("a-b", MatchType::Equal, "1")], NOW, NOW + S),
        "silence invalid: invalid label matcher 0: invalid label name \"a-b\"",
    );
    check(
        silence(vec![m("a", MatchType::Equal, "1"), m("b", MatchType::Regexp, "(")], NOW, NOW + S),
        "silence invalid: invalid label matcher 1: invalid regular expression \"(\": error parsing regexp: unclosed group",
    );
    check(
        silence(vec![m("a", MatchType::Equal, "")], NOW, NOW + S),
        "silence invalid: at least one matcher must not match the empty string",
    );
    // The empty-string test is unanchored: `x*` matches "" (and `b` does not count as matching it).
    check(
        silence(vec![m("a", MatchType::Regexp, "x*")], NOW, NOW + S),
        "silence invalid: at least one matcher must not match the empty string",
    );
    check(
        silence(vec![m("a", MatchType::Regexp, "b|")], NOW, NOW + S),
        "silence invalid: at least one matcher must not match the empty string",
    );
    check(silence(vec![m("a", MatchType::NotEqual, "")], NOW, NOW + S), "ok");
    let mut unknown = silence(eq(), NOW, NOW + S);
    unknown.id = "nope".into();
    assert_eq!(Silences::new().set(unknown, NOW, rng(1)), Err(SilenceError::NotFound));
}

#[test]
fn states_and_api_states() {
    let s = silence(vec![], NOW, NOW + 10 * S);
    assert_eq!(s.state(NOW - 1), SilenceState::Pending);
    assert_eq!(s.state(NOW), SilenceState::Active);
    assert_eq!(s.state(NOW + 10 * S), SilenceState::Active);
    assert_eq!(s.api_state(NOW + 10 * S), SilenceState::Expired);
    assert_eq!(s.state(NOW + 10 * S + 1), SilenceState::Expired);
}

#[test]
fn update_in_place_or_replace() {
    let mut store = Silences::new();
    let eq = || vec![m("a", MatchType::Equal, "1")];
    // New silences starting in the past start now.
    let id = store.set(silence(eq(), NOW - 5 * S, NOW + 60 * S), NOW, rng(1)).unwrap();
    assert_eq!(id, "01010101-0101-4101-8101-010101010101");
    assert_eq!(store.get(&id).unwrap().starts_at, NOW);
    // Active: same start (to the second) and a later end update in place.
    let mut upd = silence(eq(), NOW + 500, NOW + 120 * S);
    upd.id = id.clone();
    assert_eq!(store.set(upd, NOW + S, rng(2)).unwrap(), id);
    assert_eq!(store.get(&id).unwrap().ends_at, NOW + 120 * S);
    // Different matchers: the old one is expired and a new id returned.
    let mut other = silence(vec![m("a", MatchType::Equal, "2")], NOW, NOW + 60 * S);
    other.id = id.clone();
    let new_id = store.set(other, NOW + 2 * S, rng(3)).unwrap();
    assert_ne!(new_id, id);
    assert_eq!(store.get(&id).unwrap().ends_at, NOW + 2 * S);
    // Pending: a start not before now is an in-place update.
    let pending = store.set(silence(eq(), NOW + 100 * S, NOW + 200 * S), NOW + 3 * S, rng(4)).unwrap();
    let mut upd = silence(eq(), NOW + 50 * S, NOW + 200 * S);
    upd.id = pending.clone();
    assert_eq!(store.set(upd, NOW + 4 * S, rng(5)).unwrap(), pending);
    // Expire: pending starts and ends now; expired stays; unknown is not found.
    store.expire(&pending, NOW + 5 * S).unwrap();
    let p = store.get(&pending).unwrap();
    assert_eq!((p.starts_at, p.ends_at), (NOW + 5 * S, NOW + 5 * S));
    assert_eq!(store.expire(&pending, NOW + 6 * S), Ok(()));
    assert_eq!(store.expire("nope", NOW), Err(SilenceError::NotFound));
    // Expired ones are never updated: a new id.
    let mut upd = silence(eq(), NOW + 10 * S, NOW + 20 * S);
    upd.id = pending.clone();
    assert_ne!(store.set(upd, NOW + 7 * S, rng(6)).unwrap(), pending);
}

#[test]
fn muting_listing_and_retention() {
    let mut store = Silences::new();
    let a = store
        .set(silence(vec![m("alertname", MatchType::Regexp, "Disk.*")], NOW, NOW + 60 * S), NOW, rng(0xaa))
        .unwrap();
    let b = store
        .set(silence(vec![m("alertname", MatchType::Equal, "DiskFull")], NOW, NOW + 30 * S), NOW, rng(0x11))
        .unwrap();
    let c = store
        .set(silence(vec![m("alertname", MatchType::Equal, "DiskFull")], NOW + 10 * S, NOW + 90 * S), NOW, rng(0x22))
        .unwrap();
    let labels = label_set([("alertname", "DiskFull")]);
    assert_eq!(store.silenced_by(&labels, NOW + S), vec![b.clone(), a.clone()]);
    assert!(store.silenced_by(&label_set([("alertname", "xDisk")]), NOW + S).is_empty());
    store.expire(&b, NOW + 2 * S).unwrap();
    let order: Vec<&str> = store.list(&[], NOW + 3 * S).iter().map(|s| s.id.as_str()).collect();
    assert_eq!(order, [a.as_str(), c.as_str(), b.as_str()]);
    // The filter compares matchers exactly, it does not match labels.
    let f = parse_matcher("alertname=DiskFull").unwrap();
    assert_eq!(store.list(&[f], NOW + 3 * S).len(), 2);
    let copy = Silences::from_records(store.to_records());
    assert_eq!(copy, store);
    store.gc(NOW + 2 * S + 120 * 3_600_000);
    assert!(store.get(&b).is_none() && store.get(&a).is_some());
}

#[test]
fn uuid_shape() {
    let id = uuid_v4([0xff; 16]);
    assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
}
