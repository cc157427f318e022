//! Random bytes for ids (silences, short links, dashboards), from the operating system.

use std::sync::atomic::{AtomicU64, Ordering};

/// `N` random bytes. `/dev/urandom` cannot run dry; should it be unreadable, the time and a
/// counter still make every call's bytes different on this machine.
pub fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    if std::fs::File::open("/dev/urandom").and_then(|mut f| std::io::Read::read_exact(&mut f, &mut out)).is_err() {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let seed = crate::timefmt::now_ms() as u64 ^ COUNTER.fetch_add(1, Ordering::Relaxed).rotate_left(32);
        for (i, b) in out.iter_mut().enumerate() {
            *b = (seed.rotate_left((i as u32 * 8) % 64) ^ i as u64) as u8;
        }
    }
    out
}

/// An id of `N` characters from `alphabet`, drawn from random bytes.
pub fn id<const N: usize>(alphabet: &[u8]) -> String {
    bytes::<N>().iter().map(|b| alphabet[usize::from(*b) % alphabet.len()] as char).collect()
}
