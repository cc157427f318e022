//! Scanning one block page by page: the stream table, the word dictionary and the per-page Bloom
//! filters decide which pages are read at all ([`candidate`]); the rows of the rest are checked
//! exactly ([`Candidate::read`], which may run on any thread) and then visited in order.

use std::io;

use crate::block::{Block, split_lines};
use crate::pages::PageSet;
use crate::select::{Order, Row, Selection, StreamPlan, Visitor};

/// What a selection needs from one block, worked out once per scan.
pub struct BlockPlan {
    /// Per stream of the block: how its rows are checked, `None` if none can match.
    streams: Vec<Option<StreamPlan>>,
    /// Pages the word dictionary leaves.
    pages: PageSet,
    /// Bloom keys every candidate row must have (exact field values asked for).
    keys: Vec<u64>,
    reads_text: bool,
}

impl BlockPlan {
    pub fn new(block: &Block, selection: &Selection) -> BlockPlan {
        let streams: Vec<Option<StreamPlan>> = block.streams.iter().map(|s| selection.plan(s)).collect();
        let reads_text = selection.reads_text(&streams);
        let pages = if streams.iter().all(Option::is_none) {
            PageSet::empty(block.pages.len())
        } else {
            block.pages_with_words(&selection.requirements())
        };
        // A key can skip a page only if rows of every stream that can match must have it.
        let mut keys: Option<Vec<u64>> = None;
        for plan in streams.iter().flatten() {
            let mine = selection.field_keys(plan);
            keys = Some(match keys {
                None => mine,
                Some(common) => common.into_iter().filter(|k| mine.contains(k)).collect(),
            });
        }
        BlockPlan { streams, pages, keys: keys.unwrap_or_default(), reads_text }
    }

    /// Whether rows are picked by their text, so a candidate page must be decompressed.
    pub fn reads_text(&self) -> bool {
        self.reads_text
    }
}

/// The index columns of a page that may hold matching rows: each row's time and stream.
pub struct Candidate {
    ts: Vec<i64>,
    streams: Vec<u32>,
}

/// Whether page `p` can hold a row the selection picks (its words, Bloom filter, times and
/// streams allow one), with its columns read; `None` when it cannot.
pub fn candidate(block: &Block, plan: &BlockPlan, p: usize, selection: &Selection) -> io::Result<Option<Candidate>> {
    let meta = &block.pages[p];
    if !plan.pages.contains(p) || !plan.keys.iter().all(|&k| meta.bloom.may_contain(k)) {
        return Ok(None);
    }
    let Some((ts, streams)) = meta.columns() else {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "damaged columns"));
    };
    let candidate = Candidate { ts, streams };
    Ok((0..candidate.ts.len()).any(|i| candidate.wanted(plan, selection, i).is_some()).then_some(candidate))
}

impl Candidate {
    /// The plan of row `i`'s stream if the row is in range and its stream can match.
    fn wanted<'p>(&self, plan: &'p BlockPlan, selection: &Selection, i: usize) -> Option<&'p StreamPlan> {
        let t = self.ts[i];
        if t < selection.start || t > selection.end {
            return None;
        }
        plan.streams.get(self.streams[i] as usize).and_then(Option::as_ref)
    }

    fn rows(&self, order: Order) -> Box<dyn Iterator<Item = usize>> {
        match order {
            Order::Forward => Box::new(0..self.ts.len()),
            Order::Backward => Box::new((0..self.ts.len()).rev()),
        }
    }

    /// Finds the matching rows, in `order`: decompresses and filters the page's text when the
    /// selection reads text. Touches nothing shared, so pages can be read on several threads.
    pub fn read(
        self,
        block: &Block,
        plan: &BlockPlan,
        p: usize,
        selection: &Selection,
        order: Order,
    ) -> io::Result<ReadPage> {
        let mut matches = Vec::new();
        if !plan.reads_text {
            matches.extend(self.rows(order).filter(|&i| self.wanted(plan, selection, i).is_some()).map(|i| (i, 0..0)));
            return Ok(ReadPage { candidate: self, text: Vec::new(), matches });
        }
        let text = block.page_text(p)?;
        let lines = split_lines(&text).unwrap_or_default();
        if lines.len() != self.ts.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "page holds a different number of lines than its index",
            ));
        }
        for i in self.rows(order) {
            let Some(stream_plan) = self.wanted(plan, selection, i) else { continue };
            if selection.row_matches(stream_plan, lines[i]).is_some() {
                let start = lines[i].as_ptr() as usize - text.as_ptr() as usize;
                let range = if selection.needs_line { start..start + lines[i].len() } else { 0..0 };
                matches.push((i, range));
            }
        }
        Ok(ReadPage { candidate: self, text, matches })
    }
}

/// A page's matching rows, found by [`Candidate::read`], to be visited in order.
pub struct ReadPage {
    candidate: Candidate,
    text: Vec<u8>,
    /// Row numbers in visiting order, with each line's bytes in `text` (empty when the
    /// selection needs no text).
    matches: Vec<(usize, std::ops::Range<usize>)>,
}

impl ReadPage {
    pub fn visit(&self, block: &Block, visitor: &mut dyn Visitor) {
        for (i, range) in &self.matches {
            // Checked as UTF-8 when it was matched; a failure here would be a bug, so the
            // line is dropped rather than the scan.
            let Ok(line) = std::str::from_utf8(&self.text[range.clone()]) else { continue };
            let stream = &block.streams[self.candidate.streams[*i] as usize];
            visitor.visit(Row { ts: self.candidate.ts[*i], stream, line });
        }
    }
}
