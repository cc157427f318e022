//! Compressed sample chunks, after Facebook's Gorilla paper as Prometheus uses it: timestamps
//! as delta-of-delta in variable-width buckets, values as the XOR with the previous value,
//! storing only the meaningful bits. Regular scrapes of steady values cost a few bits a sample.
//!
//! When every value of a chunk is a decimal with few places (counters of events or bytes,
//! gauges like `35.2`), the values are coded instead as integers scaled by a power of ten: as
//! deltas (gauges that wander) or delta-of-deltas (counters growing by similar amounts), each
//! Rice-coded with the parameter that suits the chunk. A counter then costs a few bits a sample
//! where XOR costs bytes. The encoder keeps whichever coding is smallest.
//!
//! Codings 0 and 1 are the first format's (fixed headers, decimal values in fixed buckets);
//! they are still read, and no longer written.

use lookout_wal::Reader;
use lookout_wal::bytes::{put_varint, unzigzag, zigzag};

/// Samples per chunk: two hours of a series scraped every 15 s. Four times Prometheus's 120, so
/// headers and index entries cost a quarter as much a sample; decoding a chunk takes microseconds.
pub const SAMPLES_PER_CHUNK: usize = 480;

struct BitWriter {
    bytes: Vec<u8>,
    /// Bits used in the last byte (0 means a fresh byte is needed).
    used: u8,
}

impl BitWriter {
    fn new() -> Self {
        BitWriter { bytes: Vec::new(), used: 0 }
    }

    fn bit(&mut self, bit: bool) {
        if self.used == 0 {
            self.bytes.push(0);
        }
        if bit {
            let last = self.bytes.len() - 1;
            self.bytes[last] |= 0x80 >> self.used;
        }
        self.used = (self.used + 1) % 8;
    }

    fn bits(&mut self, value: u64, count: u32) {
        for i in (0..count).rev() {
            self.bit((value >> i) & 1 == 1);
        }
    }
}

struct BitReader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl BitReader<'_> {
    fn bit(&mut self) -> Option<bool> {
        let byte = *self.bytes.get(self.pos / 8)?;
        let bit = byte & (0x80 >> (self.pos % 8)) != 0;
        self.pos += 1;
        Some(bit)
    }

    fn bits(&mut self, count: u32) -> Option<u64> {
        let mut value = 0u64;
        for _ in 0..count {
            value = (value << 1) | u64::from(self.bit()?);
        }
        Some(value)
    }
}

const XOR_V1: u8 = 0;
const DECIMAL_V1: u8 = 1;
const XOR: u8 = 2;
const DECIMAL: u8 = 3;
/// A Rice quotient this large is not written in unary: the value follows in full instead.
const RICE_ESCAPE: u64 = 16;
/// Rice parameters go up to this many low bits.
const MAX_RICE_K: u32 = 56;
/// Decimal codings scale by 10^0 … 10^6.
const POWERS_OF_TEN: [f64; 7] = [1.0, 10.0, 100.0, 1_000.0, 10_000.0, 100_000.0, 1_000_000.0];
/// Integers beyond this are not exact in a double.
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

/// Encodes samples (in time order) into one chunk, in whichever coding is smaller: XOR, or
/// decimal when every value is a short decimal. Layouts are in `docs/format.md`.
pub fn encode(samples: &[(i64, f64)]) -> Vec<u8> {
    let times = TimeCoding::new(samples);
    let xor = encode_xor(samples, &times);
    match decimal_scale(samples) {
        Some(scale) => {
            let decimal = encode_decimal(samples, scale, &times);
            if decimal.len() < xor.len() { decimal } else { xor }
        }
        None => xor,
    }
}

/// The smallest power of ten that turns every value into an integer that converts back to
/// exactly the same bits, if there is one.
fn decimal_scale(samples: &[(i64, f64)]) -> Option<u8> {
    (0..POWERS_OF_TEN.len())
        .find(|&k| {
            let f = POWERS_OF_TEN[k];
            samples.iter().all(|&(_, v)| {
                let n = (v * f).round();
                v.is_finite() && n.abs() < MAX_EXACT && (n / f).to_bits() == v.to_bits()
            })
        })
        .map(|k| k as u8)
}

/// Timestamps after the first: the first delta in the header, then each later delta's change
/// Rice-coded, or nothing at all when every delta is the same (scrapes on schedule).
struct TimeCoding {
    first_delta: i64,
    /// The Rice parameter, or [`REGULAR`].
    k: u8,
    /// zigzag(delta-of-delta) from the third sample on.
    dods: Vec<u64>,
}

/// Every delta equals the first: no timestamp bits.
const REGULAR: u8 = u8::MAX;

impl TimeCoding {
    fn new(samples: &[(i64, f64)]) -> TimeCoding {
        let deltas: Vec<i64> = samples.windows(2).map(|w| w[1].0 - w[0].0).collect();
        let dods: Vec<u64> = deltas.windows(2).map(|d| zigzag(d[1] - d[0])).collect();
        let k = if dods.iter().all(|&d| d == 0) { REGULAR } else { best_rice_parameter(&dods) as u8 };
        TimeCoding { first_delta: deltas.first().copied().unwrap_or(0), k, dods }
    }

    fn write_header(&self, out: &mut Vec<u8>, samples: &[(i64, f64)]) {
        put_varint(out, zigzag(samples[0].0));
        put_varint(out, zigzag(self.first_delta));
        out.push(self.k);
    }

    /// The bits of sample `i`'s timestamp (none for the first two).
    fn write(&self, w: &mut BitWriter, i: usize) {
        if i >= 2 && self.k != REGULAR {
            write_rice(w, self.dods[i - 2], u32::from(self.k));
        }
    }
}

/// Rice codes: `u >> k` in unary (ones, then a zero) and the low `k` bits. A quotient of
/// [`RICE_ESCAPE`] or more is written as that many ones and the full 64 bits instead, so one
/// outlier does not cost a long run of ones.
fn rice_bits(u: u64, k: u32) -> u64 {
    match u >> k {
        q if q < RICE_ESCAPE => q + 1 + u64::from(k),
        _ => RICE_ESCAPE + 64,
    }
}

fn best_rice_parameter(values: &[u64]) -> u32 {
    (0..=MAX_RICE_K).min_by_key(|&k| values.iter().map(|&u| rice_bits(u, k)).sum::<u64>()).unwrap_or(0)
}

fn write_rice(w: &mut BitWriter, u: u64, k: u32) {
    let q = u >> k;
    if q >= RICE_ESCAPE {
        w.bits(u64::MAX, RICE_ESCAPE as u32);
        w.bits(u, 64);
        return;
    }
    for _ in 0..q {
        w.bit(true);
    }
    w.bit(false);
    w.bits(u & ((1u64 << k) - 1), k);
}

fn read_rice(r: &mut BitReader<'_>, k: u32) -> Option<u64> {
    let mut q = 0;
    while q < RICE_ESCAPE && r.bit()? {
        q += 1;
    }
    if q == RICE_ESCAPE {
        return r.bits(64);
    }
    Some((q << k) | r.bits(k)?)
}

/// Residuals of the scaled integers after the first: deltas (order 1) or delta-of-deltas
/// (order 2, the first delta taken from zero).
fn residuals(ints: &[i64], order: u8) -> Vec<u64> {
    let mut prev_step = 0;
    ints.windows(2)
        .map(|w| {
            let step = w[1] - w[0];
            let r = if order == 1 { step } else { step - prev_step };
            prev_step = step;
            zigzag(r)
        })
        .collect()
}

/// `3 | count | zigzag(t0) | zigzag(first delta) | time k | scale | order | value k | zigzag(n0) | bits`
fn encode_decimal(samples: &[(i64, f64)], scale: u8, times: &TimeCoding) -> Vec<u8> {
    let mut out = vec![DECIMAL];
    put_varint(&mut out, samples.len() as u64);
    if samples.is_empty() {
        return out;
    }
    let f = POWERS_OF_TEN[scale as usize];
    let ints: Vec<i64> = samples.iter().map(|&(_, v)| (v * f).round() as i64).collect();
    // Deltas suit gauges that wander, delta-of-deltas counters that grow steadily.
    let (order, k, values) = [1u8, 2]
        .into_iter()
        .map(|order| {
            let values = residuals(&ints, order);
            let k = best_rice_parameter(&values);
            let bits: u64 = values.iter().map(|&u| rice_bits(u, k)).sum();
            (bits, order, k, values)
        })
        .min_by_key(|(bits, ..)| *bits)
        .map(|(_, order, k, values)| (order, k, values))
        .unwrap_or_default();
    times.write_header(&mut out, samples);
    out.extend_from_slice(&[scale, order, k as u8]);
    put_varint(&mut out, zigzag(ints[0]));
    let mut w = BitWriter::new();
    for (i, &u) in values.iter().enumerate() {
        times.write(&mut w, i + 1);
        write_rice(&mut w, u, k);
    }
    out.extend_from_slice(&w.bytes);
    out
}

/// `2 | count | zigzag(t0) | zigzag(first delta) | time k | bits`, the first value's 64 bits
/// first among the bits.
fn encode_xor(samples: &[(i64, f64)], times: &TimeCoding) -> Vec<u8> {
    let mut out = vec![XOR];
    put_varint(&mut out, samples.len() as u64);
    let Some(&(_, v0)) = samples.first() else { return out };
    times.write_header(&mut out, samples);
    let mut w = BitWriter::new();
    w.bits(v0.to_bits(), 64);
    let mut prev = v0.to_bits();
    let (mut leading, mut trailing) = (u32::MAX, 0u32);
    for (i, &(_, v)) in samples.iter().enumerate().skip(1) {
        times.write(&mut w, i);
        write_value(&mut w, v.to_bits() ^ prev, &mut leading, &mut trailing);
        prev = v.to_bits();
    }
    out.extend_from_slice(&w.bytes);
    out
}

/// Buckets of the first format's decimal chunks, for their value delta-of-delta: `0` for none,
/// then 4, 8, 14 and 20 bits, else the full 64.
const SMALL_BUCKETS: [u32; 4] = [4, 8, 14, 20];

fn read_small(r: &mut BitReader<'_>) -> Option<i64> {
    let mut ones = 0;
    while ones <= SMALL_BUCKETS.len() && r.bit()? {
        ones += 1;
    }
    if ones == 0 {
        return Some(0);
    }
    let Some(&bits) = SMALL_BUCKETS.get(ones - 1) else { return Some(r.bits(64)? as i64) };
    let raw = r.bits(bits)?;
    let shift = 64 - bits;
    Some(((raw << shift) as i64) >> shift)
}

/// XOR value coding: `0` for equal; `10` reusing the previous window of meaningful bits; `11`
/// with a new window (5 bits of leading zeros, 6 bits of length).
fn write_value(w: &mut BitWriter, xor: u64, leading: &mut u32, trailing: &mut u32) {
    if xor == 0 {
        w.bit(false);
        return;
    }
    w.bit(true);
    let lz = xor.leading_zeros().min(31);
    let tz = xor.trailing_zeros();
    if *leading != u32::MAX && lz >= *leading && tz >= *trailing {
        w.bit(false);
        w.bits(xor >> *trailing, 64 - *leading - *trailing);
    } else {
        w.bit(true);
        let significant = 64 - lz - tz;
        w.bits(u64::from(lz), 5);
        // 64 significant bits are written as 0: six bits cannot hold 64, and 0 cannot occur.
        w.bits(u64::from(significant % 64), 6);
        w.bits(xor >> tz, significant);
        *leading = lz;
        *trailing = tz;
    }
}

fn read_xor_value(r: &mut BitReader<'_>, v: u64, leading: &mut u32, trailing: &mut u32) -> Option<u64> {
    if !r.bit()? {
        return Some(v);
    }
    if r.bit()? {
        *leading = r.bits(5)? as u32;
        let mut significant = r.bits(6)? as u32;
        if significant == 0 {
            significant = 64;
        }
        *trailing = 64u32.checked_sub(*leading + significant)?;
    }
    let significant = 64u32.checked_sub(*leading + *trailing)?;
    Some(v ^ r.bits(significant)?.checked_shl(*trailing)?)
}

/// How a chunk's timestamps after the first are read.
enum Times {
    /// The first format: every delta as a delta-of-delta in fixed buckets.
    Buckets,
    /// The first delta given; later ones change by Rice-coded amounts, or not at all.
    Coded { first_delta: i64, k: u8 },
}

impl Times {
    fn read(c: &mut Reader<'_>) -> Option<Times> {
        Some(Times::Coded { first_delta: unzigzag(c.varint()?), k: c.u8()? })
    }

    /// The delta from sample `i - 1` to sample `i`, given the previous one.
    fn next_delta(&self, r: &mut BitReader<'_>, i: usize, delta: i64) -> Option<i64> {
        match *self {
            Times::Buckets => delta.checked_add(read_dod(r)?),
            Times::Coded { first_delta, .. } if i == 1 => Some(first_delta),
            Times::Coded { k: REGULAR, .. } => Some(delta),
            Times::Coded { k, .. } if u32::from(k) <= MAX_RICE_K => {
                delta.checked_add(unzigzag(read_rice(r, u32::from(k))?))
            }
            Times::Coded { .. } => None,
        }
    }
}

/// How a decimal chunk codes the integers after the first.
#[derive(Clone, Copy)]
enum Residuals {
    /// The first format: delta-of-deltas in fixed buckets.
    Buckets,
    /// Deltas (order 1) or delta-of-deltas (order 2), Rice-coded with parameter `k`.
    Rice { order: u8, k: u32 },
}

/// Decodes a chunk; `None` if it is damaged.
pub fn decode(bytes: &[u8]) -> Option<Vec<(i64, f64)>> {
    let coding = *bytes.first()?;
    let mut c = Reader::new(bytes, 1);
    let (count, v1_scale) = match coding {
        XOR_V1 | DECIMAL_V1 => {
            let scale = if coding == DECIMAL_V1 { c.u8()? } else { 0 };
            (u16::from_le_bytes(c.take(2)?.try_into().ok()?) as usize, scale)
        }
        XOR | DECIMAL => (c.varint()? as usize, 0),
        _ => return None,
    };
    if count == 0 {
        return Some(Vec::new());
    }
    let mut out = Vec::with_capacity(count.min(1 << 13));
    match coding {
        XOR_V1 | DECIMAL_V1 => {
            let mut r = BitReader { bytes: bytes.get(c.pos()..)?, pos: 0 };
            let (t0, first) = (r.bits(64)? as i64, r.bits(64)?);
            if coding == XOR_V1 {
                decode_xor(count, t0, first, &Times::Buckets, r, &mut out)?;
            } else {
                decode_decimal(count, v1_scale, t0, first as i64, &Times::Buckets, Residuals::Buckets, r, &mut out)?;
            }
        }
        XOR => {
            let t0 = unzigzag(c.varint()?);
            let times = Times::read(&mut c)?;
            let mut r = BitReader { bytes: bytes.get(c.pos()..)?, pos: 0 };
            let v0 = r.bits(64)?;
            decode_xor(count, t0, v0, &times, r, &mut out)?;
        }
        _ => {
            let t0 = unzigzag(c.varint()?);
            let times = Times::read(&mut c)?;
            let (scale, order, k) = (c.u8()?, c.u8()?, u32::from(c.u8()?));
            if !(1..=2).contains(&order) || k > MAX_RICE_K {
                return None;
            }
            let n0 = unzigzag(c.varint()?);
            let r = BitReader { bytes: bytes.get(c.pos()..)?, pos: 0 };
            decode_decimal(count, scale, t0, n0, &times, Residuals::Rice { order, k }, r, &mut out)?;
        }
    }
    Some(out)
}

#[allow(clippy::too_many_arguments)]
fn decode_decimal(
    count: usize,
    scale: u8,
    t0: i64,
    n0: i64,
    times: &Times,
    residuals: Residuals,
    mut r: BitReader<'_>,
    out: &mut Vec<(i64, f64)>,
) -> Option<()> {
    let f = *POWERS_OF_TEN.get(scale as usize)?;
    let (mut t, mut delta, mut n, mut step) = (t0, 0i64, n0, 0i64);
    out.push((t, n as f64 / f));
    for i in 1..count {
        delta = times.next_delta(&mut r, i, delta)?;
        t = t.checked_add(delta)?;
        step = match residuals {
            Residuals::Buckets => step.checked_add(read_small(&mut r)?)?,
            Residuals::Rice { order: 1, k } => unzigzag(read_rice(&mut r, k)?),
            Residuals::Rice { k, .. } => step.checked_add(unzigzag(read_rice(&mut r, k)?))?,
        };
        n = n.checked_add(step)?;
        out.push((t, n as f64 / f));
    }
    Some(())
}

fn decode_xor(
    count: usize,
    t0: i64,
    v0: u64,
    times: &Times,
    mut r: BitReader<'_>,
    out: &mut Vec<(i64, f64)>,
) -> Option<()> {
    let (mut t, mut delta, mut v) = (t0, 0i64, v0);
    let (mut leading, mut trailing) = (0u32, 0u32);
    out.push((t, f64::from_bits(v)));
    for i in 1..count {
        delta = times.next_delta(&mut r, i, delta)?;
        t = t.checked_add(delta)?;
        v = read_xor_value(&mut r, v, &mut leading, &mut trailing)?;
        out.push((t, f64::from_bits(v)));
    }
    Some(())
}

/// The first format's timestamp delta-of-delta buckets: `0` for none, then 14, 17, 20 bits,
/// else the full 64.
fn read_dod(r: &mut BitReader<'_>) -> Option<i64> {
    let mut prefix = 0;
    while prefix < 4 && r.bit()? {
        prefix += 1;
    }
    let bits = match prefix {
        0 => return Some(0),
        1 => 14,
        2 => 17,
        3 => 20,
        _ => return Some(r.bits(64)? as i64),
    };
    let raw = r.bits(bits)?;
    // Sign-extend the bucket's two's complement value.
    let shift = 64 - bits;
    Some(((raw << shift) as i64) >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(samples: &[(i64, f64)]) -> usize {
        let bytes = encode(samples);
        let back = decode(&bytes).unwrap();
        assert_eq!(back.len(), samples.len());
        for (a, b) in back.iter().zip(samples) {
            assert_eq!(a.0, b.0);
            assert_eq!(a.1.to_bits(), b.1.to_bits(), "value at {}", a.0);
        }
        bytes.len()
    }

    #[test]
    fn regular_scrapes_compress_to_bits_per_sample() {
        let steady: Vec<(i64, f64)> = (0..120).map(|i| (1_700_000_000_000 + i * 15_000, 42.0)).collect();
        let size = round_trip(&steady);
        // 16 bytes for the header and first sample, then about two bits a sample.
        assert!(size <= 48, "120 steady samples took {size} bytes");
        // A counter of events growing irregularly: decimal coding, about one byte a sample.
        let counter: Vec<(i64, f64)> =
            (0..120).map(|i| (1_700_000_000_000 + i * 15_000, (i * 7 + i % 3) as f64)).collect();
        let size = round_trip(&counter);
        assert!((size as f64 / 120.0) < 1.0, "a counter took {size} bytes for 120 samples");
        // A counter with two decimal places, like CPU seconds as an exporter prints them.
        let seconds: Vec<(i64, f64)> = (0..120)
            .map(|i| {
                let cents = 1_234_500 + i * 37 + i % 5;
                (1_700_000_000_000 + i * 15_000, format!("{}.{:02}", cents / 100, cents % 100).parse().unwrap())
            })
            .collect();
        let size = round_trip(&seconds);
        assert!((size as f64 / 120.0) < 1.5, "CPU seconds took {size} bytes for 120 samples");
    }

    #[test]
    fn chunks_of_the_first_format_still_read() {
        // Written by the first format's encoder: XOR, then decimal with a jittered timestamp.
        let xor = [
            0, 5, 0, 0, 0, 1, 139, 207, 229, 104, 0, 63, 213, 85, 85, 85, 85, 85, 85, 195, 169, 141, 154, 119, 119,
            119, 119, 119, 119, 75, 86, 221, 85, 85, 85, 85, 85, 86, 161, 85, 85, 85, 85, 85, 85, 80, 102, 102, 102,
            102, 102, 103, 128,
        ];
        let expected: Vec<(i64, f64)> =
            (0..5).map(|i| (1_700_000_000_000 + i * 15_000, 0.1 * i as f64 + 1.0 / 3.0)).collect();
        assert_eq!(decode(&xor), Some(expected));
        let decimal = [
            1, 1, 5, 0, 0, 0, 1, 139, 207, 229, 104, 0, 0, 0, 0, 0, 0, 0, 0, 0, 195, 169, 156, 17, 127, 252, 128, 2,
            182, 255, 250, 48,
        ];
        let expected: Vec<(i64, f64)> =
            (0..5).map(|i| (1_700_000_000_000 + i * 15_000 + (i % 2), (i * 7 + i % 3) as f64 / 10.0)).collect();
        assert_eq!(decode(&decimal), Some(expected));
    }

    #[test]
    fn wandering_gauges_code_deltas_and_outliers_escape() {
        // A one-decimal gauge around 35 (CPU percent as psutil reports it): deltas, not
        // delta-of-deltas, are what stay small.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut noise = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 121) as f64 / 10.0 - 6.0
        };
        let gauge: Vec<(i64, f64)> =
            (0..120).map(|i| (i * 15_000, ((35.0 + noise()) * 10.0f64).round() / 10.0)).collect();
        let size = round_trip(&gauge);
        assert_eq!(encode(&gauge)[0], DECIMAL);
        assert!(size <= 120 + 24, "a one-decimal gauge took {size} bytes for 120 samples");
        // One huge jump among small steps takes the escape and does not widen the rest.
        let mut jumpy: Vec<(i64, f64)> = (0..120).map(|i| (i * 15_000, (i * 3) as f64)).collect();
        jumpy[60].1 = 4e15;
        // Three escapes (the jump's delta-of-deltas) of 80 bits; a bit a sample for the rest
        // of the values and for the timestamps.
        let size = round_trip(&jumpy);
        assert!(size <= 72, "{size} bytes");
    }

    #[test]
    fn jittered_timestamps_cost_a_few_bits() {
        // Pushed samples arrive a few milliseconds off schedule (remote_write from an agent).
        let jittered: Vec<(i64, f64)> =
            (0..480).map(|i| (1_700_000_000_000 + i * 15_000 + (i * 7919) % 9, 1.0)).collect();
        let size = round_trip(&jittered);
        // About six bits for each timestamp, one for each value.
        assert!(size <= 480 * 7 / 8 + 24, "{size} bytes for 480 jittered samples");
    }

    #[test]
    fn awkward_values_and_times_survive() {
        let samples = vec![
            (-5, f64::NAN),
            (0, f64::INFINITY),
            (1, -0.0),
            (1_000_000_000_000, f64::MIN_POSITIVE),
            (1_000_000_000_001, f64::from_bits(crate::STALE_NAN_BITS)),
            (1_000_000_100_001, 1e308),
            (1_000_000_100_002, -1e-308),
            (i64::MAX / 4, 0.1),
        ];
        round_trip(&samples);
        round_trip(&[]);
        round_trip(&[(7, 7.0)]);
    }

    #[test]
    fn damaged_chunks_do_not_panic() {
        let bytes = encode(&(0..50).map(|i| (i * 1000, i as f64 * 1.5)).collect::<Vec<_>>());
        for cut in 0..bytes.len() {
            let _ = decode(&bytes[..cut]);
        }
        let mut flipped = bytes.clone();
        for i in 0..flipped.len() {
            flipped[i] ^= 0x5a;
            let _ = decode(&flipped);
            flipped[i] ^= 0x5a;
        }
    }
}
