//! A batch of samples to append, each naming its series by the canonical bytes of its labels
//! ([`Labels::write_canonical`]). The head finds known series by those bytes, so an ingest path
//! that builds them straight from a request (remote_write) allocates no `Labels` for them; only
//! a series the head has not seen is turned into `Labels`.

use std::ops::Range;

use crate::Labels;
use crate::labels::CANONICAL_SEPARATOR;

#[derive(Debug, Default, Clone)]
pub struct Batch {
    /// Every series' canonical bytes, one after another.
    keys: Vec<u8>,
    series: Vec<Range<usize>>,
    /// (series index, timestamp, value), in the order given.
    samples: Vec<(u32, i64, f64)>,
}

impl Batch {
    /// One series per sample, as the samples come.
    pub fn from_samples(samples: &[(Labels, i64, f64)]) -> Batch {
        let mut batch = Batch::default();
        for (labels, t, v) in samples {
            let series = batch.add_series(labels);
            batch.add_sample(series, *t, *v);
        }
        batch
    }

    pub fn add_series(&mut self, labels: &Labels) -> u32 {
        let start = self.keys.len();
        labels.write_canonical(&mut self.keys);
        self.push_range(start)
    }

    /// A series from `(name, value)` byte pairs the caller has checked: names in strictly
    /// increasing order, values not empty. Pieces that are not UTF-8 or not in that order make
    /// the head refuse the series' samples, not misfile them.
    pub fn add_series_pairs<'a>(&mut self, pairs: impl IntoIterator<Item = (&'a [u8], &'a [u8])>) -> u32 {
        let start = self.keys.len();
        for (name, value) in pairs {
            self.keys.extend_from_slice(name);
            self.keys.push(CANONICAL_SEPARATOR);
            self.keys.extend_from_slice(value);
            self.keys.push(CANONICAL_SEPARATOR);
        }
        self.push_range(start)
    }

    fn push_range(&mut self, start: usize) -> u32 {
        self.series.push(start..self.keys.len());
        u32::try_from(self.series.len() - 1).expect("more than u32::MAX series in one batch")
    }

    pub fn add_sample(&mut self, series: u32, t: i64, v: f64) {
        self.samples.push((series, t, v));
    }

    /// The samples as (series index, timestamp, value); a refusal names a position in this list.
    pub fn samples(&self) -> &[(u32, i64, f64)] {
        &self.samples
    }

    pub fn series_count(&self) -> usize {
        self.series.len()
    }

    /// The labels of one of the batch's series, if its key is valid.
    pub fn labels(&self, series: u32) -> Option<Labels> {
        Labels::from_canonical(self.key(series))
    }

    /// The canonical bytes of one of the batch's series.
    pub fn key(&self, series: u32) -> &[u8] {
        &self.keys[self.series[series as usize].clone()]
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }
}
