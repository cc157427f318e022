//! The Overview computed at most once per a few seconds, shared by every page that polls it:
//! reading every recent series is heavy on a large store, and each open browser asks every two
//! seconds. An answer is reused while it is younger than five times what it took to compute (at
//! least a second), and a request that finds another computing waits for its answer.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lookout_types::Overview;

/// The shortest time an answer is reused.
const MIN_REUSE: Duration = Duration::from_secs(1);
/// An answer is reused for this many times what it took.
const REUSE_FACTOR: u32 = 5;

#[derive(Default)]
pub struct Cache {
    last: Mutex<Option<(Instant, Duration, Arc<Overview>)>>,
    computing: tokio::sync::Mutex<()>,
}

impl Cache {
    fn fresh(&self) -> Option<Arc<Overview>> {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let (at, took, overview) = last.as_ref()?;
        (at.elapsed() < (*took * REUSE_FACTOR).max(MIN_REUSE)).then(|| overview.clone())
    }

    /// The cached Overview if it is fresh, else the one `compute` makes (once for all waiting).
    pub async fn get<E, F: Future<Output = Result<Overview, E>>>(
        &self,
        compute: impl FnOnce() -> F,
    ) -> Result<Arc<Overview>, E> {
        if let Some(overview) = self.fresh() {
            return Ok(overview);
        }
        let _turn = self.computing.lock().await;
        if let Some(overview) = self.fresh() {
            return Ok(overview);
        }
        let started = Instant::now();
        let overview = Arc::new(compute().await?);
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((Instant::now(), started.elapsed(), overview.clone()));
        Ok(overview)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overview(at: i64) -> Overview {
        Overview {
            generated_at: at,
            cards: vec![],
            error_groups: vec![],
            changes: vec![],
            at_capacity: vec![],
            services: vec![],
            patterns: vec![],
        }
    }

    #[tokio::test]
    async fn reused_while_fresh_then_computed_again() {
        let cache = Cache::default();
        let first = cache.get(|| async { Ok::<_, ()>(overview(1)) }).await.unwrap();
        let again = cache.get(|| async { Ok::<_, ()>(overview(2)) }).await.unwrap();
        assert_eq!((first.generated_at, again.generated_at), (1, 1), "reused within a second");
        *cache.last.lock().unwrap() = Some((Instant::now() - Duration::from_secs(2), Duration::ZERO, first));
        assert_eq!(cache.get(|| async { Ok::<_, ()>(overview(3)) }).await.unwrap().generated_at, 3);
        assert!(
            cache.get(|| async { Err::<Overview, _>("broken") }).await.is_ok(),
            "a fresh answer needs no computing"
        );
    }
}
