//! Sets of page numbers within one block, as bitsets: what the indexes narrow a scan down to.

#[derive(Debug, Clone, PartialEq)]
pub struct PageSet {
    bits: Vec<u64>,
    len: usize,
}

impl PageSet {
    pub fn empty(len: usize) -> PageSet {
        PageSet { bits: vec![0; len.div_ceil(64)], len }
    }

    pub fn full(len: usize) -> PageSet {
        let mut set = PageSet { bits: vec![u64::MAX; len.div_ceil(64)], len };
        if !len.is_multiple_of(64)
            && let Some(last) = set.bits.last_mut()
        {
            *last = (1u64 << (len % 64)) - 1;
        }
        set
    }

    pub fn insert(&mut self, page: u32) {
        let page = page as usize;
        if page < self.len {
            self.bits[page / 64] |= 1 << (page % 64);
        }
    }

    pub fn insert_all(&mut self, pages: &[u32]) {
        pages.iter().for_each(|&p| self.insert(p));
    }

    pub fn contains(&self, page: usize) -> bool {
        page < self.len && self.bits[page / 64] & (1 << (page % 64)) != 0
    }

    pub fn intersect(&mut self, other: &PageSet) {
        for (a, b) in self.bits.iter_mut().zip(&other.bits) {
            *a &= b;
        }
    }

    #[cfg(test)]
    pub fn count(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_sets_stop_at_their_length() {
        let mut set = PageSet::full(70);
        assert_eq!(set.count(), 70);
        assert!(set.contains(69) && !set.contains(70));
        let mut other = PageSet::empty(70);
        other.insert_all(&[1, 65, 99]);
        set.intersect(&other);
        assert_eq!(set.count(), 2);
    }
}
