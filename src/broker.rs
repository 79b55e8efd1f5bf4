//! The topic between ingest and processing. `Broker` is the contract both backends keep; it is
//! shaped after Kafka's semantics so the embedded log can stand in for a cluster:
//!
//! - `produce` returns only once every record is acknowledged (durable, `acks=all`);
//! - `poll` hands out records of the partitions this member currently owns, in offset order per
//!   partition; after a rebalance a member may see records another member already processed,
//!   which is why stores upsert;
//! - `commit` takes "next offset to read" per partition (Kafka's convention) and is called only
//!   after the store durably wrote everything below it;
//! - `lag` compares committed offsets with high watermarks;
//! - `plan_reset` and `apply_reset` move the group's offsets (`reset.rs`).

pub mod embedded;
pub mod kafka;
pub mod reset;

use std::future::Future;
use std::sync::Arc;

use thiserror::Error;
use tokio_util::sync::CancellationToken;

use crate::describe::Description;
use crate::model::DeadLetter;
use crate::stats::PartitionLag;
use reset::{ResetRow, ResetTarget};

pub use embedded::EmbeddedBroker;
pub use kafka::KafkaBroker;

/// Default name of the topic users are published to.
pub const DEFAULT_TOPIC: &str = "users_created";
/// Default consumer group of the processors.
pub const DEFAULT_GROUP: &str = "userstream";
/// Partitions of a topic (or embedded log) created without `--partitions`.
pub const DEFAULT_PARTITIONS: u32 = 3;

/// Name of the dead-letter topic of `topic`.
pub fn dlq_topic(topic: &str) -> String {
    format!("{topic}.dlq")
}

/// A partition number.
pub type Partition = u32;
/// An offset inside a partition.
pub type Offset = u64;

/// A record to publish: the key picks the partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutRecord {
    pub key: String,
    pub payload: Vec<u8>,
}

/// A record read from the topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub partition: Partition,
    pub offset: Offset,
    pub payload: Vec<u8>,
    /// Which assignment of its partition to this process the record was read under: Kafka
    /// counts the member's assignments (a later one is a new ownership), the embedded log,
    /// whose partitions are this process's from the start, is always 0.
    pub claim: u64,
}

/// Failures at the broker boundary.
#[derive(Debug, Error)]
pub enum BrokerError {
    /// The broker cannot be reached; the caller reconnects with backoff.
    #[error("broker not connected: {0}")]
    NotConnected(String),
    /// A produce was not acknowledged in time; the batch may be retried (ids dedupe).
    #[error("delivery not acknowledged: {0}")]
    Delivery(String),
    /// The local log's storage failed.
    #[error("log storage failed: {0}")]
    Storage(String),
    /// A record that cannot be encoded: the same record fails the same way on every try.
    #[error("cannot encode a record: {0}")]
    Encode(String),
    /// A configuration or setup problem that retrying cannot fix.
    #[error("{0}")]
    Fatal(String),
    /// The consumer group moved on without this member's current generation (a rebalance,
    /// an eviction, a fenced instance): a commit was refused. The partitions it covered are
    /// read again by whoever owns them now; the same commit is not worth repeating.
    #[error("the consumer group moved on: {0}")]
    Fenced(String),
}

impl BrokerError {
    /// Whether retrying the same call can succeed. The one classification of every backend:
    /// an outage or a storage error can pass, a bad setup or an unencodable record cannot.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, BrokerError::Fatal(_) | BrokerError::Encode(_))
    }
}

/// The dead-letter topic's payloads: each letter as JSON. Both backends encode through this, so
/// a letter that cannot be encoded fails the same way ([`BrokerError::Encode`]) on either.
pub fn encode_dead_letters(letters: &[DeadLetter]) -> Result<Vec<Vec<u8>>, BrokerError> {
    letters
        .iter()
        .map(|l| {
            serde_json::to_vec(l).map_err(|e| BrokerError::Encode(format!("dead letter: {e}")))
        })
        .collect()
}

/// The contract of a topic backend; see the module docs for the semantics.
pub trait Broker: Clone + Send + Sync + 'static {
    /// Publishes a batch; returns once every record is durably acknowledged.
    fn produce(
        &self,
        batch: Arc<[OutRecord]>,
    ) -> impl Future<Output = Result<(), BrokerError>> + Send;

    /// Up to `max` records from the owned partitions; empty after `wait` with nothing new.
    fn poll(
        &self,
        max: usize,
        wait: std::time::Duration,
    ) -> impl Future<Output = Result<Vec<Delivery>, BrokerError>> + Send;

    /// Marks everything below `next` as processed, per partition. Only after the store wrote it.
    /// [`BrokerError::Fenced`]: the group took the partitions away meanwhile; nothing to retry.
    fn commit(
        &self,
        next: Vec<(Partition, Offset)>,
    ) -> impl Future<Output = Result<(), BrokerError>> + Send;

    /// Publishes records that failed validation to the dead-letter topic, durably.
    fn dead_letter(
        &self,
        letters: Vec<DeadLetter>,
    ) -> impl Future<Output = Result<(), BrokerError>> + Send;

    /// Per partition committed offset, high watermark and lag.
    fn lag(&self) -> impl Future<Output = Result<Vec<PartitionLag>, BrokerError>> + Send;

    /// Up to `limit` dead letters from the start of the dead-letter topic: the published copy,
    /// for consumers of the topic and the tests of the contract. The console and
    /// `userstream dead-letters` read the store's copy (`Store::dead_letters`).
    fn read_dead_letters(
        &self,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<DeadLetter>, BrokerError>> + Send;

    /// Where a reset to `target` would move the group's offsets of `partitions` (all when
    /// empty). Reads only.
    fn plan_reset(
        &self,
        target: ResetTarget,
        partitions: Vec<Partition>,
    ) -> impl Future<Output = Result<Vec<ResetRow>, BrokerError>> + Send;

    /// Moves the group's offsets to the plan's `new` ones, durably, and returns the plan as
    /// applied: a row whose `new` offset retention deleted since the plan was made lands on the
    /// first offset still kept, and its `new` and `lag_after` say so. The caller makes sure no
    /// batch of this process is in flight (the console pauses processing first); Kafka refuses
    /// while other members are active.
    fn apply_reset(
        &self,
        plan: Vec<ResetRow>,
    ) -> impl Future<Output = Result<Vec<ResetRow>, BrokerError>> + Send;
    /// The pipeline has no room for more records now: stop fetching, but stay a live member of
    /// the consumer group (Kafka evicts a member that stops polling). Called again every poll
    /// wait while there is no room; the next `poll` resumes. The embedded log has no group
    /// membership to keep: nothing to do.
    fn hold(&self) -> impl Future<Output = Result<(), BrokerError>> + Send {
        std::future::ready(Ok(()))
    }

    /// What this backend is and where, for the console header and the logs.
    fn describe(&self) -> Description;

    /// Starts the backend's own background upkeep until `stop` (the embedded log's
    /// retention); Kafka keeps its topics itself.
    fn start_upkeep(&self, stop: CancellationToken) {
        let _ = stop;
    }
}

/// The closed set of broker backends; only `main` picks one.
#[derive(Clone)]
pub enum AnyBroker {
    Embedded(EmbeddedBroker),
    Kafka(KafkaBroker),
}

macro_rules! dispatch {
    ($self:ident, $b:ident => $call:expr) => {
        match $self {
            AnyBroker::Embedded($b) => $call,
            AnyBroker::Kafka($b) => $call,
        }
    };
}

impl Broker for AnyBroker {
    async fn produce(&self, batch: Arc<[OutRecord]>) -> Result<(), BrokerError> {
        dispatch!(self, b => b.produce(batch).await)
    }
    async fn poll(
        &self,
        max: usize,
        wait: std::time::Duration,
    ) -> Result<Vec<Delivery>, BrokerError> {
        dispatch!(self, b => b.poll(max, wait).await)
    }
    async fn commit(&self, next: Vec<(Partition, Offset)>) -> Result<(), BrokerError> {
        dispatch!(self, b => b.commit(next).await)
    }
    async fn dead_letter(&self, letters: Vec<DeadLetter>) -> Result<(), BrokerError> {
        dispatch!(self, b => b.dead_letter(letters).await)
    }
    async fn lag(&self) -> Result<Vec<PartitionLag>, BrokerError> {
        dispatch!(self, b => b.lag().await)
    }
    async fn hold(&self) -> Result<(), BrokerError> {
        dispatch!(self, b => b.hold().await)
    }
    async fn read_dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, BrokerError> {
        dispatch!(self, b => b.read_dead_letters(limit).await)
    }
    async fn plan_reset(
        &self,
        target: ResetTarget,
        partitions: Vec<Partition>,
    ) -> Result<Vec<ResetRow>, BrokerError> {
        dispatch!(self, b => b.plan_reset(target, partitions).await)
    }
    async fn apply_reset(&self, plan: Vec<ResetRow>) -> Result<Vec<ResetRow>, BrokerError> {
        dispatch!(self, b => b.apply_reset(plan).await)
    }
    fn describe(&self) -> Description {
        dispatch!(self, b => b.describe())
    }
    fn start_upkeep(&self, stop: CancellationToken) {
        dispatch!(self, b => b.start_upkeep(stop))
    }
}

/// The partition of `key` among `partitions`: FNV-1a, stable across runs and builds.
pub fn partition_of(key: &str, partitions: u32) -> Partition {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in key.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash % partitions.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitioning_is_stable_and_spreads() {
        assert_eq!(partition_of("abc", 3), partition_of("abc", 3));
        let mut seen = [0u32; 3];
        for i in 0..3000 {
            seen[partition_of(&format!("key-{i}"), 3) as usize] += 1;
        }
        assert!(seen.iter().all(|&n| n > 800), "{seen:?}");
    }

    #[test]
    fn outages_are_retried_and_bad_setups_and_records_are_not() {
        let retryable = |e: BrokerError| e.is_retryable();
        assert!(retryable(BrokerError::NotConnected("down".into())));
        assert!(retryable(BrokerError::Delivery("stalled".into())));
        assert!(retryable(BrokerError::Storage("disk".into())));
        // The group gives the member a new generation; the caller drops that one commit.
        assert!(retryable(BrokerError::Fenced("rebalanced".into())));
        assert!(!retryable(BrokerError::Encode("bad".into())));
        assert!(!retryable(BrokerError::Fatal("setup".into())));
    }
}
