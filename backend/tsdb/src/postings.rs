//! The inverted index from `name=value` label pairs to series ids, shared by the head and the
//! persisted blocks. Ids are added in ascending order, so every list stays sorted.

use std::collections::HashMap;

use crate::{Labels, MatchOp, Matcher};

#[derive(Debug, Default)]
pub struct Postings {
    map: HashMap<String, HashMap<String, Vec<u32>>>,
}

impl Postings {
    /// Indexes series `id`, keeping every list sorted (ids usually arrive in ascending order,
    /// which is a plain push).
    pub fn add(&mut self, id: u32, labels: &Labels) {
        for label in labels.iter() {
            let list = self.map.entry(label.name.clone()).or_default().entry(label.value.clone()).or_default();
            match list.last() {
                Some(&last) if last >= id => {
                    if let Err(pos) = list.binary_search(&id) {
                        list.insert(pos, id);
                    }
                }
                _ => list.push(id),
            }
        }
    }

    /// Ids that may match: the intersection of the lists of equality matchers that cannot match
    /// an absent label, or all `total` ids. Callers still check every matcher.
    pub fn candidates(&self, matchers: &[Matcher], total: usize) -> Vec<u32> {
        let mut result: Option<Vec<u32>> = None;
        for m in matchers {
            if !matches!(m.op, MatchOp::Equal) || m.matches_empty() {
                continue;
            }
            let list = self.map.get(&m.name).and_then(|values| values.get(&m.value)).map(Vec::as_slice).unwrap_or(&[]);
            result = Some(match result {
                None => list.to_vec(),
                Some(acc) => intersect(&acc, list),
            });
        }
        result.unwrap_or_else(|| (0..total as u32).collect())
    }

    pub fn count_with(&self, name: &str, value: &str) -> usize {
        self.map.get(name).and_then(|v| v.get(value)).map_or(0, Vec::len)
    }

    pub fn label_names(&self) -> impl Iterator<Item = &String> {
        self.map.keys()
    }

    pub fn label_values(&self, name: &str) -> impl Iterator<Item = &String> {
        self.map.get(name).into_iter().flat_map(|v| v.keys())
    }
}

fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}
