//! Scanning one block page by page: the stream table, the word dictionary and the per-page Bloom
//! filters decide which pages are read at all; the rows of the rest are checked exactly.

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
}

/// Visits the matching rows of page `p`, in `order`.
pub fn page(
    block: &Block,
    plan: &BlockPlan,
    p: usize,
    selection: &Selection,
    order: Order,
    visitor: &mut dyn Visitor,
) -> io::Result<()> {
    let meta = &block.pages[p];
    if !plan.pages.contains(p) || !plan.keys.iter().all(|&k| meta.bloom.may_contain(k)) {
        return Ok(());
    }
    let Some((ts, streams)) = meta.columns() else {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "damaged columns"));
    };
    let wanted = |i: usize| {
        let t = ts[i];
        if t < selection.start || t > selection.end {
            return None;
        }
        plan.streams.get(streams[i] as usize).and_then(Option::as_ref)
    };
    let rows: Box<dyn Iterator<Item = usize>> = match order {
        Order::Forward => Box::new(0..ts.len()),
        Order::Backward => Box::new((0..ts.len()).rev()),
    };
    if !plan.reads_text {
        for i in rows {
            if wanted(i).is_some() {
                visitor.visit(Row { ts: ts[i], stream: &block.streams[streams[i] as usize], line: "" });
            }
        }
        return Ok(());
    }
    if !(0..ts.len()).any(|i| wanted(i).is_some()) {
        return Ok(());
    }
    let text = block.page_text(p)?;
    let lines = split_lines(&text).unwrap_or_default();
    if lines.len() != ts.len() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "page holds a different number of lines than its index",
        ));
    }
    for i in rows {
        let Some(stream_plan) = wanted(i) else { continue };
        if let Some(line) = selection.row_matches(stream_plan, lines[i]) {
            let line = if selection.needs_line { line } else { "" };
            visitor.visit(Row { ts: ts[i], stream: &block.streams[streams[i] as usize], line });
        }
    }
    Ok(())
}
