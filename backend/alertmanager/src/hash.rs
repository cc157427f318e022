//! The label hashes Alertmanager uses: FNV-1a 64 (fingerprints, group identity) here, and XXH64
//! (notification-log dedup) from `lookout_tsdb`, both over the same bytes.

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The bytes both hashes run over: for each label in sorted order `name 0xff value 0xff`.
pub(crate) fn label_bytes<'a>(labels: impl IntoIterator<Item = (&'a String, &'a String)>) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in labels {
        out.extend_from_slice(name.as_bytes());
        out.push(0xff);
        out.extend_from_slice(value.as_bytes());
        out.push(0xff);
    }
    out
}

/// FNV-1a 64 as `prometheus/common` computes label-set fingerprints.
pub fn fnv1a64(data: &[u8]) -> u64 {
    data.iter().fold(FNV_OFFSET, |h, b| (h ^ u64::from(*b)).wrapping_mul(FNV_PRIME))
}
