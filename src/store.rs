//! Where processed users end up. `Store` is the contract both backends keep:
//!
//! - `write` stores a batch of rows and dead letters durably before it returns; rows are upserts
//!   keyed by `id`, and a user counts in the aggregates only the first time its id is stored, so
//!   replays after a crash change nothing;
//! - the read methods serve the console and never scan every row.

pub mod cassandra;
pub mod columns;
pub mod embedded;

use std::future::Future;
use std::sync::Arc;

use thiserror::Error;

use crate::describe::Description;
use crate::model::{DeadLetter, Origin, StoredUser, UserCount};

pub use cassandra::CassandraStore;
pub use embedded::EmbeddedStore;

/// A row with the topic partition and offset it was read from (distributed stores keep
/// per-partition aggregates, counted up to an offset).
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRow {
    pub partition: u32,
    /// Offset of the delivery this row is.
    pub offset: u64,
    /// Offset of the earliest delivery of the same id in the batch (`offset` when it came once).
    pub first_offset: u64,
    /// The assignment of the partition it was read under ([`crate::broker::Delivery::claim`]).
    pub claim: u64,
    /// Boxed: a batch's rows are then one small allocation each and a vector of pointers,
    /// where unboxed they were one 4 MB vector per batch of 8,000, which the allocator keeps
    /// resident a while after it is freed (about 45 MB of RSS at `--rate max`).
    pub user: Box<StoredUser>,
}

/// One unit of work for the store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriteBatch {
    pub rows: Vec<PendingRow>,
    pub dead_letters: Vec<DeadLetter>,
}

/// What a write did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteOutcome {
    /// Rows whose id was new.
    pub inserted: u64,
    /// Rows whose id was already stored (replays, duplicate deliveries).
    pub duplicates: u64,
    /// Partitions whose rows this write did not store because another writer took them over
    /// (Cassandra's owner epochs), with the reason: their offsets must not be committed; the
    /// new owner stores them. Sorted by partition.
    pub lost: Vec<(u32, String)>,
}

/// Failures at the store boundary.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database is busy or overloaded; the write may be retried as a whole.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A failure that retrying cannot fix.
    #[error("store failed: {0}")]
    Fatal(String),
}

impl StoreError {
    /// Whether retrying the same write can succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

/// The contract of a storage backend; see the module docs.
pub trait Store: Clone + Send + Sync + 'static {
    /// Upserts rows and appends dead letters, durably, in one unit where the backend allows.
    fn write(
        &self,
        batch: Arc<WriteBatch>,
    ) -> impl Future<Output = Result<WriteOutcome, StoreError>> + Send;

    /// The `limit` most recently stored users, newest first.
    fn latest(
        &self,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<StoredUser>, StoreError>> + Send;

    /// Every row of the aggregates.
    fn counts(&self) -> impl Future<Output = Result<Vec<UserCount>, StoreError>> + Send;

    /// The `limit` most recent dead letters, newest first.
    fn dead_letters(
        &self,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<DeadLetter>, StoreError>> + Send;

    /// Dead letters never replayed, oldest first, that pass `filter`; at most `filter.limit`.
    fn replayable(
        &self,
        filter: ReplayFilter,
    ) -> impl Future<Output = Result<Vec<DeadLetter>, StoreError>> + Send;

    /// Marks the dead letters of these origins as replayed at `at`, so they are never
    /// replayed again.
    fn mark_replayed(
        &self,
        origins: Vec<Origin>,
        at: String,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// What this backend is and where, for the console header and the logs.
    fn describe(&self) -> Description;
}

/// Which dead letters `userstream dead-letters replay` takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayFilter {
    /// Only letters of this rule.
    pub rule: Option<String>,
    /// Only letters that failed at or after this RFC 3339 UTC time (as `rfc3339` writes it).
    pub since: Option<String>,
    pub limit: usize,
}

/// The closed set of store backends; only `main` picks one.
#[derive(Clone)]
pub enum AnyStore {
    Embedded(EmbeddedStore),
    Cassandra(CassandraStore),
}

macro_rules! dispatch {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            AnyStore::Embedded($s) => $call,
            AnyStore::Cassandra($s) => $call,
        }
    };
}

impl Store for AnyStore {
    async fn write(&self, batch: Arc<WriteBatch>) -> Result<WriteOutcome, StoreError> {
        dispatch!(self, s => s.write(batch).await)
    }
    async fn latest(&self, limit: usize) -> Result<Vec<StoredUser>, StoreError> {
        dispatch!(self, s => s.latest(limit).await)
    }
    async fn counts(&self) -> Result<Vec<UserCount>, StoreError> {
        dispatch!(self, s => s.counts().await)
    }
    async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
        dispatch!(self, s => s.dead_letters(limit).await)
    }
    async fn replayable(&self, filter: ReplayFilter) -> Result<Vec<DeadLetter>, StoreError> {
        dispatch!(self, s => s.replayable(filter).await)
    }
    async fn mark_replayed(&self, origins: Vec<Origin>, at: String) -> Result<(), StoreError> {
        dispatch!(self, s => s.mark_replayed(origins, at).await)
    }
    fn describe(&self) -> Description {
        dispatch!(self, s => s.describe())
    }
}
