//! Wrappers that measure what the stages ask of their backends, once per call and never per
//! record: the size of each fetched batch and of each store write, how long each store write and
//! each offset commit takes, and failed fetches by kind. [`super::Pipeline::start`] wraps the
//! source, broker and store in them, so the stage loops carry no metric code.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::broker::reset::{ResetRow, ResetTarget};
use crate::broker::{Broker, BrokerError, Delivery, Offset, OutRecord, Partition};
use crate::model::{DeadLetter, Origin, StoredUser, UserCount};
use crate::source::{Fetched, Source, SourceError};
use crate::stats::{PartitionLag, Stats};
use crate::store::{ReplayFilter, Store, StoreError, WriteBatch, WriteOutcome};

/// A backend whose calls are recorded in `stats`.
#[derive(Clone)]
pub struct Measured<T> {
    inner: T,
    stats: Arc<Stats>,
}

impl<T> Measured<T> {
    /// Wraps `inner`.
    pub fn new(inner: T, stats: Arc<Stats>) -> Measured<T> {
        Measured { inner, stats }
    }
}

fn micros(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)
}

impl<S: Source> Source for Measured<S> {
    async fn fetch(&mut self, n: usize) -> Result<Fetched, SourceError> {
        let result = self.inner.fetch(n).await;
        match &result {
            Ok(got) => self.stats.fetch_batch.record(got.len() as u64),
            Err(error) => self.stats.fetch_error(error.kind()),
        }
        result
    }

    fn name(&self) -> &'static str {
        self.inner.name()
    }
}

impl<B: Broker> Broker for Measured<B> {
    async fn produce(&self, batch: Arc<[OutRecord]>) -> Result<(), BrokerError> {
        self.inner.produce(batch).await
    }

    async fn poll(&self, max: usize, wait: Duration) -> Result<Vec<Delivery>, BrokerError> {
        self.inner.poll(max, wait).await
    }

    async fn commit(&self, next: Vec<(Partition, Offset)>) -> Result<(), BrokerError> {
        let started = Instant::now();
        let result = self.inner.commit(next).await;
        self.stats.commit.record(micros(started.elapsed()));
        result
    }

    async fn dead_letter(&self, letters: Vec<DeadLetter>) -> Result<(), BrokerError> {
        self.inner.dead_letter(letters).await
    }

    async fn lag(&self) -> Result<Vec<PartitionLag>, BrokerError> {
        self.inner.lag().await
    }

    async fn hold(&self) -> Result<(), BrokerError> {
        self.inner.hold().await
    }

    async fn read_dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, BrokerError> {
        self.inner.read_dead_letters(limit).await
    }

    async fn plan_reset(
        &self,
        target: ResetTarget,
        partitions: Vec<Partition>,
    ) -> Result<Vec<ResetRow>, BrokerError> {
        self.inner.plan_reset(target, partitions).await
    }

    async fn apply_reset(&self, plan: Vec<ResetRow>) -> Result<Vec<ResetRow>, BrokerError> {
        self.inner.apply_reset(plan).await
    }

    fn describe(&self) -> crate::describe::Description {
        self.inner.describe()
    }

    fn start_upkeep(&self, stop: tokio_util::sync::CancellationToken) {
        self.inner.start_upkeep(stop)
    }
}

impl<S: Store> Store for Measured<S> {
    async fn write(&self, batch: Arc<WriteBatch>) -> Result<WriteOutcome, StoreError> {
        let records = (batch.rows.len() + batch.dead_letters.len()) as u64;
        let started = Instant::now();
        let result = self.inner.write(batch).await;
        self.stats.store_write.record(micros(started.elapsed()));
        self.stats.store_batch.record(records);
        result
    }

    async fn latest(&self, limit: usize) -> Result<Vec<StoredUser>, StoreError> {
        self.inner.latest(limit).await
    }

    async fn counts(&self) -> Result<Vec<UserCount>, StoreError> {
        self.inner.counts().await
    }

    async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
        self.inner.dead_letters(limit).await
    }

    async fn replayable(&self, filter: ReplayFilter) -> Result<Vec<DeadLetter>, StoreError> {
        self.inner.replayable(filter).await
    }

    async fn mark_replayed(&self, origins: Vec<Origin>, at: String) -> Result<(), StoreError> {
        self.inner.mark_replayed(origins, at).await
    }

    fn describe(&self) -> crate::describe::Description {
        self.inner.describe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SyntheticSource;
    use crate::stats::FetchErrorKind;
    use crate::store::EmbeddedStore;

    /// A source whose every fetch fails with HTTP 429.
    struct Refusing;

    impl Source for Refusing {
        async fn fetch(&mut self, _n: usize) -> Result<Fetched, SourceError> {
            Err(SourceError::RateLimited("slow down".into()))
        }
        fn name(&self) -> &'static str {
            "refusing"
        }
    }

    #[tokio::test]
    async fn fetches_count_batch_sizes_and_failures_by_kind() {
        let stats = Arc::new(Stats::default());
        let mut source = Measured::new(SyntheticSource::new(1, Vec::new()), stats.clone());
        source.fetch(7).await.unwrap();
        source.fetch(3).await.unwrap();
        let mut refusing = Measured::new(Refusing, stats.clone());
        assert!(refusing.fetch(5).await.is_err());
        let sizes = stats.fetch_batch.export(&[3, 7]);
        assert_eq!((sizes.buckets, sizes.count, sizes.sum), (vec![1, 1], 2, 10));
        assert_eq!(stats.fetch_errors(FetchErrorKind::RateLimited), 1);
        assert_eq!(stats.fetch_errors(FetchErrorKind::Transport), 0);
    }

    #[tokio::test]
    async fn store_writes_record_their_size_and_duration() {
        let dir = tempfile::tempdir().unwrap();
        let stats = Arc::new(Stats::default());
        let store = Measured::new(
            EmbeddedStore::open(&dir.path().join("store.db")).unwrap(),
            stats.clone(),
        );
        store.write(Arc::new(WriteBatch::default())).await.unwrap();
        assert_eq!(stats.store_write.export(&[]).count, 1);
        assert_eq!(stats.store_batch.export(&[0]).buckets, vec![1]);
    }
}
