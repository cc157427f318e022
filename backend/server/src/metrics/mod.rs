//! The metrics pillar as the API sees it: PromQL queries with limits and deadlines, series and
//! label look-ups, and the metadata of known metric families. With a metrics backend configured
//! (`crate::remote`), writes are forwarded to it and queries read from it.

mod query;
mod reader;

pub use query::{QueryError, QueryLimits, parse_selector};
pub use reader::{Lookup, Reader, metric};

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use lookout_tsdb::{AppendResult, Batch, Db, Head, Labels, Matcher};

/// A metric family's type, help and unit, as scraped or exposed.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyMetadata {
    pub kind: String,
    pub help: String,
    pub unit: String,
}

/// Cheap to clone; shares the store.
#[derive(Clone)]
pub struct Metrics {
    db: Arc<Db>,
    /// The store's head, which queries read.
    pub head: Arc<Head>,
    metadata: Arc<RwLock<BTreeMap<String, FamilyMetadata>>>,
    pub limits: QueryLimits,
    /// The engine that stores and answers, when one is configured.
    pub remote: Option<crate::remote::Prometheus>,
}

impl Metrics {
    pub fn new(db: Arc<Db>) -> Self {
        Metrics { head: db.head().clone(), db, metadata: Arc::default(), limits: QueryLimits::default(), remote: None }
    }

    pub fn db(&self) -> &Arc<Db> {
        &self.db
    }

    /// What answers the pillar's queries: the configured engine, else this store.
    pub fn reader(&self) -> Reader<'_> {
        match &self.remote {
            Some(engine) => Reader::Engine(engine),
            None => Reader::Store(self),
        }
    }

    /// Stores samples durably (fsynced in the log) before returning; runs off the async runtime.
    /// With a metrics backend, the batch is first queued (on disk) for it: a batch the queue
    /// refuses is not stored either, so the writer's retry finds neither copy.
    pub async fn append(&self, batch: Batch) -> std::io::Result<AppendResult> {
        let (db, remote) = (self.db.clone(), self.remote.clone());
        let forward = remote.map(|engine| move |batch: &Batch| engine.forward(batch));
        crate::remote::forward_then_store(batch, forward, move |batch| db.append_batch(&batch)).await
    }

    /// Records (or replaces) a family's metadata.
    pub fn set_metadata(&self, family: &str, metadata: FamilyMetadata) {
        let mut map = self.metadata.write().unwrap_or_else(|e| e.into_inner());
        if map.get(family) != Some(&metadata) {
            map.insert(family.to_string(), metadata);
        }
    }

    /// Metadata of every family, or of one, at most `limit` families.
    pub fn metadata(&self, metric: Option<&str>, limit: Option<usize>) -> BTreeMap<String, FamilyMetadata> {
        let map = self.metadata.read().unwrap_or_else(|e| e.into_inner());
        map.iter()
            .filter(|(name, _)| metric.is_none_or(|m| m == name.as_str()))
            .take(limit.unwrap_or(usize::MAX))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Series matching any of the selectors (each a PromQL series selector) within the range.
    pub fn series(&self, selectors: &[Vec<Matcher>], start: i64, end: i64) -> Vec<Labels> {
        let mut found: Vec<Labels> = selectors.iter().flat_map(|m| self.db.series(m, start, end)).collect();
        found.sort();
        found.dedup();
        found
    }

    /// Label names, of all series or of those matching the selectors within the range.
    pub fn label_names(&self, selectors: &[Vec<Matcher>], start: i64, end: i64) -> Vec<String> {
        if selectors.is_empty() {
            return self.db.label_names();
        }
        let mut names: Vec<String> =
            self.series(selectors, start, end).iter().flat_map(|l| l.iter().map(|l| l.name.clone())).collect();
        names.sort();
        names.dedup();
        names
    }

    /// Values of one label, of all series or of those matching the selectors within the range.
    pub fn label_values(&self, name: &str, selectors: &[Vec<Matcher>], start: i64, end: i64) -> Vec<String> {
        if selectors.is_empty() {
            return self.db.label_values(name);
        }
        let mut values: Vec<String> =
            self.series(selectors, start, end).iter().filter_map(|l| l.get(name).map(str::to_string)).collect();
        values.sort();
        values.dedup();
        values
    }
}
