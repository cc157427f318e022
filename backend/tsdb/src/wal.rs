//! What the time-series store writes to its write-ahead log (`lookout-wal` frames, fsyncs and
//! replays it): series creations and accepted samples. The byte layout is in `docs/format.md`.

use lookout_wal::{Reader, WalRecord};

use crate::Labels;

pub use lookout_wal::{ReplayReport, read_file, segment_name, segments, write_file};

/// The log of the time-series store.
pub type Wal = lookout_wal::Wal<Record>;

const TYPE_SERIES: u8 = 1;
const TYPE_SAMPLES: u8 = 2;

/// One logged event.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Series(Vec<(u32, Labels)>),
    Samples(Vec<(u32, i64, f64)>),
}

impl WalRecord for Record {
    fn encode_payload(&self, out: &mut Vec<u8>) {
        match self {
            Record::Series(series) => {
                out.push(TYPE_SERIES);
                out.extend_from_slice(&(series.len() as u32).to_le_bytes());
                for (id, labels) in series {
                    out.extend_from_slice(&id.to_le_bytes());
                    out.extend_from_slice(&(labels.len() as u16).to_le_bytes());
                    for l in labels.iter() {
                        for s in [&l.name, &l.value] {
                            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
                            out.extend_from_slice(s.as_bytes());
                        }
                    }
                }
            }
            Record::Samples(samples) => {
                out.push(TYPE_SAMPLES);
                out.extend_from_slice(&(samples.len() as u32).to_le_bytes());
                for (id, t, v) in samples {
                    out.extend_from_slice(&id.to_le_bytes());
                    out.extend_from_slice(&t.to_le_bytes());
                    out.extend_from_slice(&v.to_bits().to_le_bytes());
                }
            }
        }
    }

    fn decode_payload(payload: &[u8]) -> Option<Record> {
        let mut r = Reader::new(payload, 0);
        let kind = r.u8()?;
        let count = r.u32()? as usize;
        let record = match kind {
            TYPE_SERIES => {
                let mut series = Vec::with_capacity(count.min(1 << 16));
                for _ in 0..count {
                    let id = r.u32()?;
                    let n = r.u16()? as usize;
                    let mut pairs = Vec::with_capacity(n);
                    for _ in 0..n {
                        let name_len = r.u32()? as usize;
                        let name = r.string(name_len)?;
                        let value_len = r.u32()? as usize;
                        let value = r.string(value_len)?;
                        pairs.push((name, value));
                    }
                    series.push((id, Labels::from_pairs(pairs)));
                }
                Record::Series(series)
            }
            TYPE_SAMPLES => {
                let mut samples = Vec::with_capacity(count.min(1 << 20));
                for _ in 0..count {
                    samples.push((r.u32()?, r.u64()? as i64, f64::from_bits(r.u64()?)));
                }
                Record::Samples(samples)
            }
            _ => return None,
        };
        r.at_end().then_some(record)
    }
}
