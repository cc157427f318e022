//! Split-block Bloom filters (the layout Parquet specifies): each key sets eight bits inside one
//! 256-bit block, so a lookup touches a single cache line. One filter per page holds the page's
//! field values, so a lookup for one `request_id` skips every page that cannot hold it.

/// Bits spent per distinct key: about 0.2 % false positives for split-block filters.
const BITS_PER_KEY: usize = 16;
/// Odd constants that spread a key's eight bits over the block's eight words.
const SALT: [u32; 8] = [0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d, 0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31];

#[derive(Debug, Clone, PartialEq)]
pub struct Bloom {
    blocks: Vec<[u32; 8]>,
}

/// The 64-bit hash under which a field value is filed.
pub fn field_key(name: &str, value: &str) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(name.as_bytes());
    h.update(&[0]);
    h.update(value.as_bytes());
    h.digest()
}

impl Bloom {
    /// A filter sized for `keys` distinct keys.
    pub fn with_capacity(keys: usize) -> Bloom {
        Bloom { blocks: vec![[0; 8]; (keys * BITS_PER_KEY).div_ceil(256).max(1)] }
    }

    fn locate(&self, key: u64) -> (usize, [u32; 8]) {
        let block = (((key >> 32) * self.blocks.len() as u64) >> 32) as usize;
        let low = key as u32;
        (block, std::array::from_fn(|i| 1u32 << (low.wrapping_mul(SALT[i]) >> 27)))
    }

    pub fn insert(&mut self, key: u64) {
        let (block, mask) = self.locate(key);
        for (word, bit) in self.blocks[block].iter_mut().zip(mask) {
            *word |= bit;
        }
    }

    /// Whether the key may have been inserted (never false for one that was).
    pub fn may_contain(&self, key: u64) -> bool {
        let (block, mask) = self.locate(key);
        self.blocks[block].iter().zip(mask).all(|(word, bit)| word & bit != 0)
    }

    pub fn write(&self, out: &mut Vec<u8>) {
        lookout_wal::bytes::put_varint(out, self.blocks.len() as u64);
        for block in &self.blocks {
            for word in block {
                out.extend_from_slice(&word.to_le_bytes());
            }
        }
    }

    pub fn read(r: &mut lookout_wal::Reader) -> Option<Bloom> {
        let n = usize::try_from(r.varint()?).ok().filter(|&n| n >= 1)?;
        let bytes = r.take(n.checked_mul(32)?)?;
        let blocks = bytes
            .chunks_exact(32)
            .map(|b| std::array::from_fn(|i| u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]])))
            .collect();
        Some(Bloom { blocks })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_false_negatives_and_few_false_positives() {
        let mut bloom = Bloom::with_capacity(1000);
        for i in 0..1000 {
            bloom.insert(field_key("request_id", &format!("req-{i}")));
        }
        assert!((0..1000).all(|i| bloom.may_contain(field_key("request_id", &format!("req-{i}")))));
        let false_positives =
            (0..100_000).filter(|i| bloom.may_contain(field_key("request_id", &format!("other-{i}")))).count();
        assert!(false_positives < 1_000, "{false_positives} false positives in 100000");
        let mut bytes = Vec::new();
        bloom.write(&mut bytes);
        assert_eq!(Bloom::read(&mut lookout_wal::Reader::new(&bytes, 0)), Some(bloom));
    }
}
