//! Compressed sample chunks, after Facebook's Gorilla paper as Prometheus uses it: timestamps
//! as delta-of-delta in variable-width buckets, values as the XOR with the previous value,
//! storing only the meaningful bits. Regular scrapes of steady values cost a few bits a sample.
//!
//! When every value of a chunk is a decimal with few places (counters of events or bytes,
//! gauges like `35.2`), the values are coded instead as integers scaled by a power of ten, as
//! delta-of-delta like the timestamps: a counter growing by similar amounts then costs a few
//! bits a sample where XOR costs bytes. The encoder keeps whichever coding is smaller.

/// Samples per chunk; Prometheus's figure, which balances compression against decode cost.
pub const SAMPLES_PER_CHUNK: usize = 120;

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

const XOR: u8 = 0;
const DECIMAL: u8 = 1;
/// Decimal codings scale by 10^0 … 10^6.
const POWERS_OF_TEN: [f64; 7] = [1.0, 10.0, 100.0, 1_000.0, 10_000.0, 100_000.0, 1_000_000.0];
/// Integers beyond this are not exact in a double.
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

/// Encodes samples (in time order) into one chunk: `coding u8 | [scale u8] | count u16 | bits`.
pub fn encode(samples: &[(i64, f64)]) -> Vec<u8> {
    let xor = encode_xor(samples);
    match decimal_scale(samples) {
        Some(scale) => {
            let decimal = encode_decimal(samples, scale);
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

fn encode_decimal(samples: &[(i64, f64)], scale: u8) -> Vec<u8> {
    let f = POWERS_OF_TEN[scale as usize];
    let mut w = BitWriter::new();
    let (mut prev_t, mut prev_delta, mut prev_n, mut prev_step) = (0i64, 0i64, 0i64, 0i64);
    for (i, &(t, v)) in samples.iter().enumerate() {
        let n = (v * f).round() as i64;
        if i == 0 {
            w.bits(t as u64, 64);
            w.bits(n as u64, 64);
        } else {
            let delta = t - prev_t;
            write_dod(&mut w, delta - prev_delta);
            prev_delta = delta;
            let step = n - prev_n;
            write_small(&mut w, step - prev_step);
            prev_step = step;
        }
        prev_t = t;
        prev_n = n;
    }
    let mut out = Vec::with_capacity(4 + w.bytes.len());
    out.push(DECIMAL);
    out.push(scale);
    out.extend_from_slice(&(samples.len() as u16).to_le_bytes());
    out.extend_from_slice(&w.bytes);
    out
}

fn encode_xor(samples: &[(i64, f64)]) -> Vec<u8> {
    let mut w = BitWriter::new();
    let (mut prev_t, mut prev_delta, mut prev_v) = (0i64, 0i64, 0u64);
    let (mut leading, mut trailing) = (u32::MAX, 0u32);
    for (i, &(t, v)) in samples.iter().enumerate() {
        let bits = v.to_bits();
        match i {
            0 => {
                w.bits(t as u64, 64);
                w.bits(bits, 64);
            }
            _ => {
                let delta = t - prev_t;
                let dod = delta - prev_delta;
                write_dod(&mut w, dod);
                prev_delta = delta;
                write_value(&mut w, bits ^ prev_v, &mut leading, &mut trailing);
            }
        }
        prev_t = t;
        prev_v = bits;
    }
    let mut out = Vec::with_capacity(3 + w.bytes.len());
    out.push(XOR);
    out.extend_from_slice(&(samples.len() as u16).to_le_bytes());
    out.extend_from_slice(&w.bytes);
    out
}

/// Buckets for a decimal chunk's value delta-of-delta, which is usually tiny: `0` for none, then
/// 4, 8, 14 and 20 bits, else the full 64.
const SMALL_BUCKETS: [u32; 4] = [4, 8, 14, 20];

fn write_small(w: &mut BitWriter, v: i64) {
    if v == 0 {
        w.bit(false);
        return;
    }
    for (i, &bits) in SMALL_BUCKETS.iter().enumerate() {
        if v >= -(1 << (bits - 1)) && v < (1 << (bits - 1)) {
            // Prefix: i + 1 ones, then a zero.
            w.bits((1 << (i + 2)) - 2, i as u32 + 2);
            w.bits(v as u64 & ((1 << bits) - 1), bits);
            return;
        }
    }
    w.bits((1 << (SMALL_BUCKETS.len() + 1)) - 1, SMALL_BUCKETS.len() as u32 + 1);
    w.bits(v as u64, 64);
}

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

/// Delta-of-delta buckets: `0` for none, then 14, 17, 20 bits, else the full 64.
fn write_dod(w: &mut BitWriter, dod: i64) {
    let fits = |bits: u32| dod >= -(1 << (bits - 1)) && dod < (1 << (bits - 1));
    if dod == 0 {
        w.bit(false);
    } else if fits(14) {
        w.bits(0b10, 2);
        w.bits(dod as u64 & ((1 << 14) - 1), 14);
    } else if fits(17) {
        w.bits(0b110, 3);
        w.bits(dod as u64 & ((1 << 17) - 1), 17);
    } else if fits(20) {
        w.bits(0b1110, 4);
        w.bits(dod as u64 & ((1 << 20) - 1), 20);
    } else {
        w.bits(0b1111, 4);
        w.bits(dod as u64, 64);
    }
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

/// Decodes a chunk; `None` if it is damaged.
pub fn decode(bytes: &[u8]) -> Option<Vec<(i64, f64)>> {
    match *bytes.first()? {
        XOR => decode_xor(bytes.get(1..)?),
        DECIMAL => decode_decimal(*bytes.get(1)?, bytes.get(2..)?),
        _ => None,
    }
}

fn decode_decimal(scale: u8, bytes: &[u8]) -> Option<Vec<(i64, f64)>> {
    let f = *POWERS_OF_TEN.get(scale as usize)?;
    let count = u16::from_le_bytes([*bytes.first()?, *bytes.get(1)?]) as usize;
    let mut r = BitReader { bytes: &bytes[2..], pos: 0 };
    let mut out = Vec::with_capacity(count);
    let (mut t, mut delta, mut n, mut step) = (0i64, 0i64, 0i64, 0i64);
    for i in 0..count {
        if i == 0 {
            t = r.bits(64)? as i64;
            n = r.bits(64)? as i64;
        } else {
            delta = delta.checked_add(read_dod(&mut r)?)?;
            t = t.checked_add(delta)?;
            step = step.checked_add(read_small(&mut r)?)?;
            n = n.checked_add(step)?;
        }
        out.push((t, n as f64 / f));
    }
    Some(out)
}

fn decode_xor(bytes: &[u8]) -> Option<Vec<(i64, f64)>> {
    let count = u16::from_le_bytes([*bytes.first()?, *bytes.get(1)?]) as usize;
    let mut r = BitReader { bytes: bytes.get(2..)?, pos: 0 };
    let mut out = Vec::with_capacity(count);
    let (mut t, mut delta, mut v) = (0i64, 0i64, 0u64);
    let (mut leading, mut trailing) = (0u32, 0u32);
    for i in 0..count {
        match i {
            0 => {
                t = r.bits(64)? as i64;
                v = r.bits(64)?;
            }
            _ => {
                // The first delta is coded as a delta-of-delta from zero.
                let dod = read_dod(&mut r)?;
                delta = delta.checked_add(dod)?;
                t = t.checked_add(delta)?;
                if r.bit()? {
                    if r.bit()? {
                        leading = r.bits(5)? as u32;
                        let mut significant = r.bits(6)? as u32;
                        if significant == 0 {
                            significant = 64;
                        }
                        trailing = 64u32.checked_sub(leading + significant)?;
                    }
                    let significant = 64u32.checked_sub(leading + trailing)?;
                    let xor = r.bits(significant)?.checked_shl(trailing)?;
                    v ^= xor;
                }
            }
        }
        out.push((t, f64::from_bits(v)));
    }
    Some(out)
}

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
        // 20 bytes for the header and first sample, then about two bits a sample.
        assert!(size <= 54, "120 steady samples took {size} bytes");
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
