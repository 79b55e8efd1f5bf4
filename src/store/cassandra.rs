//! The distributed store: Apache Cassandra 4/5 or ScyllaDB through the `scylla` driver, with
//! the tables of `cql/schema.cql`.
//!
//! # Exact aggregates under at-least-once delivery, when ownership moves
//!
//! Counter columns would double-count on every replay, so `partition_counts` holds, per topic
//! partition, one *absolute* count per dimension value, and readers sum the partitions listed
//! in `count_partitions`. The same partition holds the *owner row*: the `epoch` of the process
//! that writes the partition, its name, the `log` whose offsets it counts, and `counted_upto`,
//! the first offset whose records are not counted yet. Counts change only in a conditional
//! batch on that one partition, `IF epoch = E AND counted_upto = W` (`fence.rs`); Cassandra
//! evaluates it with Paxos, so it applies once or not at all, in one order with every other
//! conditional write of the partition.
//!
//! A process takes an epoch (`INSERT … IF NOT EXISTS`, then `UPDATE … SET epoch = E + 1 IF
//! epoch = E`) when a partition becomes its own: at start for every partition of the embedded
//! log, at the first write of a partition for Kafka (and at the first
//! write after each new assignment of it, see below). A partition whose owner row names another
//! log is refused (two embedded logs have unrelated offsets: two embedded-log pipelines cannot
//! share a keyspace), at start for the embedded log. For each [`WriteBatch`](super::WriteBatch),
//! per partition, `write`:
//!
//! 1. reads the stored version of every id (point reads, `--max-in-flight` at a time), and the
//!    partition's counts, epoch and `counted_upto` W (at every batch: a rebalance may have
//!    moved the partition, and another process may have counted more);
//! 2. counts only the rows at offsets ≥ W: a new id +1, a changed one moves its counts from the
//!    old values to the new ones, a replayed identical one nothing. Rows below W are already
//!    counted: they are only written. An id absent from the store whose earliest delivery in
//!    the batch lies below W was counted there (its row was lost in a crash): not counted again;
//! 3. commits the new absolute counts and W := (last offset + 1) in one conditional batch under
//!    its epoch (skipped when nothing changes the counts);
//! 4. then writes the rows (with their `latest_users` entries) in LOGGED batches of
//!    `--cassandra-batch-rows`. Partitions go in parallel.
//!
//! Counts before rows, and the offsets committed to the broker only after both: at each point
//! where a process can die or a request can time out,
//!
//! - before the counts: nothing is counted and the offsets are not committed; the records are
//!   redelivered (to this process after a restart, or to the partition's new owner) and
//!   counted then;
//! - the conditional batch times out: it applied or it did not (Paxos may finish it later, but
//!   once). The batch is retried as a whole: a re-read W tells which; if it applied, its
//!   records are now below W and only their rows are written. A retry of an applied batch
//!   finds its condition false and the owner row at its own W and epoch: done;
//! - after the counts, before or during the rows: the records are redelivered below W, so the
//!   rows are written and nothing is counted; a LOGGED row batch that timed out but lands late
//!   writes the same rows again (upserts; last-write-wins by the client's monotonic timestamps);
//! - after the rows, before the offsets are committed: redelivered below W (or found stored
//!   and identical): nothing is counted twice.
//!
//! Two writers of one partition (a rebalance with batches in flight, a member that the group
//! evicted but that still runs, a late conditional batch of the old owner): the new owner's
//! epoch makes every later count batch of the old one fail its condition, and Paxos orders a
//! late batch of the old owner before or after the takeover, never across it. The old owner
//! then records the partition as lost (logged once, with who holds it now) and writes nothing
//! more of it: the batch's other partitions are written, the lost one is returned in
//! [`WriteOutcome::lost`](super::WriteOutcome), and the process stage commits none of its
//! offsets, counts it (`userstream_consumer_events_total{event="taken_over"}`) and shows the
//! reason as the store's last error. Nothing is lost: the old owner committed no offset past
//! what it counted and stored, so the new owner reads the rest. Nothing counts twice: a record
//! counts only at an offset ≥ W, and W only grows, under the epoch that holds the partition.
//!
//! Ownership comes from the broker: every record carries the *claim* it was read under
//! ([`Delivery::claim`](crate::broker::Delivery), Kafka's count of the member's assignments).
//! A partition lost under claim C stays lost for records of claim C (an evicted member's
//! leftovers); a record of a later claim (the group gave the partition back) takes a new
//! epoch. The embedded log's partitions are claimed at start and belong to no one else: losing
//! one of those (a second process on a copy of the data dir) is a fatal error.
//!
//! Residual limits: an id delivered twice in one batch, counted at the earlier delivery, whose
//! row was lost in a crash, and whose data changed between the two deliveries, is counted with
//! the later values but not moved from the earlier ones (both deliveries must straddle W after
//! a crash); likewise a *changed* id whose count moved but whose row write is still in flight
//! (or was lost) when a later version of it arrives at an offset ≥ W: the stored version read
//! is the one before. Ids must map to one topic partition (key = `id`). Row batches are not
//! fenced: a late LOGGED row batch of an old owner rewrites rows it read from the topic
//! (upserts; client timestamps decide between versions of one id, so hosts' clocks must agree
//! to within the time between two versions). The conditional batch holds one count row per
//! value a batch touches: keep `--batch-size` such that it stays under Cassandra's
//! `batch_size_fail_threshold` (50 KiB by default; about 60 bytes a value).
//!
//! The existence and count reads must see the writes of earlier batches: reads and writes at
//! `LOCAL_QUORUM` (the default) overlap; `ONE` does only with a replication factor of 1. The
//! owner row is read at `LOCAL_SERIAL` when a conditional batch was refused.
//!
//! # Retries
//! Every statement is marked idempotent, so the driver's retry policy may resend it after a
//! timeout; a write that still fails with a timeout, an overload or an unavailable replica is
//! `StoreError::Unavailable`, and the process stage retries the whole batch with jittered,
//! doubling backoff before committing anything. `--max-in-flight` bounds the requests in flight.
//!
//! # Reads for the console
//! `latest_users` and `dead_letters` are partitioned by minute with a newest-first clustering
//! key; `buckets` lists the non-empty minutes, newest first. `counts` reads `user_counts` one
//! dimension (one partition) at a time, paged. None of them scans a table.

mod connect;
mod fence;
mod read;
mod replay;
pub mod schema;
pub mod statements;
pub mod values;
mod write;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use scylla::client::session::Session;
use scylla::errors::{DbError, ExecutionError, RequestAttemptError};
use scylla::response::query_result::QueryResult;
use scylla::serialize::batch::BatchValues;
use scylla::serialize::row::SerializeRow;
use scylla::statement::Consistency;
use scylla::statement::batch::Batch;
use scylla::statement::prepared::PreparedStatement;
use tokio::sync::{Semaphore, SemaphorePermit};
use tracing::info;

pub use connect::{PAGE_SIZE, parse_consistency};
pub use schema::Replication;

use super::{ReplayFilter, Store, StoreError, WriteBatch, WriteOutcome};
use crate::model::{DeadLetter, Origin, StoredUser, UserCount};

/// A password that never shows in logs, `Debug` output or errors.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::str::FromStr for Secret {
    type Err = String;
    fn from_str(s: &str) -> Result<Secret, String> {
        Ok(Secret(s.to_owned()))
    }
}

/// How to reach the cluster and how to write to it.
#[derive(Debug, Clone)]
pub struct CassandraConfig {
    /// `host:port` contact points.
    pub contact_points: Vec<String>,
    pub keyspace: String,
    /// Datacenter whose nodes are preferred.
    pub local_dc: Option<String>,
    pub user: Option<String>,
    pub password: Option<Secret>,
    pub tls: bool,
    /// PEM file of the CA that signed the nodes' certificates (else the system trust store).
    pub ca: Option<PathBuf>,
    pub consistency: Consistency,
    /// Most requests in flight at once.
    pub max_in_flight: usize,
    /// Apply `cql/schema.cql` at start.
    pub create_schema: bool,
    pub replication: Replication,
    /// Let the driver read the cluster's schema metadata (off for minimal CQL peers).
    pub fetch_schema_metadata: bool,
    /// Wait for schema agreement after DDL (off for minimal CQL peers).
    pub await_schema_agreement: bool,
    /// Topic the rows come from; counts are kept per (topic, partition).
    pub topic: String,
    /// Most users per logged batch (Cassandra refuses batches above 50 KiB by default).
    pub batch_rows: usize,
    pub request_timeout: Duration,
    /// The log whose offsets the counts follow (`embedded:ID` of a data dir, `kafka`): a
    /// partition counted from one log is refused to another.
    pub log: String,
    /// Partitions whose epochs are taken at connect (the embedded log's, all of them); others
    /// are taken at their first write.
    pub claim: Vec<u32>,
}

/// The default consistency level as `--consistency` spells it; [`CassandraConfig::default`]
/// holds the same level (a test checks that they agree).
pub const DEFAULT_CONSISTENCY: &str = "local_quorum";

impl Default for CassandraConfig {
    /// One node on this machine's default port, the default keyspace and topic.
    fn default() -> CassandraConfig {
        CassandraConfig {
            contact_points: vec!["127.0.0.1:9042".to_owned()],
            keyspace: schema::DEFAULT_KEYSPACE.to_owned(),
            local_dc: None,
            user: None,
            password: None,
            tls: false,
            ca: None,
            consistency: Consistency::LocalQuorum,
            max_in_flight: 64,
            create_schema: true,
            replication: Replication::default(),
            fetch_schema_metadata: true,
            await_schema_agreement: true,
            topic: crate::broker::DEFAULT_TOPIC.to_owned(),
            batch_rows: 16,
            request_timeout: Duration::from_secs(12),
            log: "kafka".to_owned(),
            claim: Vec::new(),
        }
    }
}

impl CassandraConfig {
    /// Defaults for one local node at `contact_point`.
    pub fn local(contact_point: &str) -> CassandraConfig {
        CassandraConfig {
            contact_points: vec![contact_point.to_owned()],
            ..CassandraConfig::default()
        }
    }
}

/// The prepared statements, one per [`statements::ALL`] entry.
struct Prepared {
    insert_user: PreparedStatement,
    select_user: PreparedStatement,
    insert_latest: PreparedStatement,
    select_latest: PreparedStatement,
    insert_bucket: PreparedStatement,
    select_buckets: PreparedStatement,
    insert_count: PreparedStatement,
    select_partition: PreparedStatement,
    select_owner: PreparedStatement,
    insert_count_partition: PreparedStatement,
    select_count_partitions: PreparedStatement,
    insert_dead_letter: PreparedStatement,
    select_dead_letters: PreparedStatement,
}

struct Inner {
    session: Session,
    prepared: Prepared,
    config: CassandraConfig,
    /// Bounds the requests in flight: unbounded writes have brought real clusters down.
    permits: Semaphore,
    /// Buckets already listed in `buckets` by this process: (kind, bucket ms).
    listed: Mutex<std::collections::HashSet<(&'static str, i64)>>,
    /// The epochs this process holds.
    fence: fence::Fence,
}

impl Inner {
    /// Sends `batch` once a permit is free; `what` names it in an error ([`classify`]).
    async fn batch(
        &self,
        what: &str,
        batch: &Batch,
        values: impl BatchValues,
    ) -> Result<QueryResult, StoreError> {
        let _permit = self.permit().await?;
        self.session
            .batch(batch, values)
            .await
            .map_err(|e| classify(what, e))
    }

    /// Runs `statement`, unpaged, once a permit is free; `what` names it in an error.
    async fn execute(
        &self,
        what: &str,
        statement: &PreparedStatement,
        values: impl SerializeRow,
    ) -> Result<QueryResult, StoreError> {
        let _permit = self.permit().await?;
        self.session
            .execute_unpaged(statement, values)
            .await
            .map_err(|e| classify(what, e))
    }

    /// One of the [`Inner::permits`], held for one request.
    async fn permit(&self) -> Result<SemaphorePermit<'_>, StoreError> {
        self.permits
            .acquire()
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }
}

/// A handle to the cluster; clones share the session.
#[derive(Clone)]
pub struct CassandraStore {
    inner: Arc<Inner>,
}

impl CassandraStore {
    /// Connects, applies the schema unless told not to, and prepares the statements.
    pub async fn connect(config: CassandraConfig) -> Result<CassandraStore, StoreError> {
        if !schema::valid_keyspace(&config.keyspace) {
            return Err(StoreError::Fatal(format!(
                "'{}' is not a keyspace name",
                config.keyspace
            )));
        }
        let session = connect::session(&config).await?;
        if config.create_schema {
            connect::apply_schema(&session, &config).await?;
        }
        let ks = config.keyspace.as_str();
        let p = |spec| connect::prepare(&session, ks, spec);
        let prepared = Prepared {
            insert_user: p(&statements::INSERT_USER).await?,
            select_user: p(&statements::SELECT_USER).await?,
            insert_latest: p(&statements::INSERT_LATEST).await?,
            select_latest: p(&statements::SELECT_LATEST).await?,
            insert_bucket: p(&statements::INSERT_BUCKET).await?,
            select_buckets: p(&statements::SELECT_BUCKETS).await?,
            insert_count: p(&statements::INSERT_COUNT).await?,
            select_partition: p(&statements::SELECT_PARTITION).await?,
            select_owner: connect::serial(p(&statements::SELECT_OWNER).await?),
            insert_count_partition: p(&statements::INSERT_COUNT_PARTITION).await?,
            select_count_partitions: p(&statements::SELECT_COUNT_PARTITIONS).await?,
            insert_dead_letter: p(&statements::INSERT_DEAD_LETTER).await?,
            select_dead_letters: p(&statements::SELECT_DEAD_LETTERS).await?,
        };
        info!(
            contact_points = %config.contact_points.join(","),
            keyspace = %config.keyspace,
            consistency = ?config.consistency,
            tls = config.tls,
            "Connected to Cassandra."
        );
        let store = CassandraStore {
            inner: Arc::new(Inner {
                session,
                prepared,
                permits: Semaphore::new(config.max_in_flight.max(1)),
                fence: fence::Fence::new(&config.log),
                config,
                listed: Mutex::new(Default::default()),
            }),
        };
        // The embedded log assigns every partition to this process at start: take them now,
        // so a second log writing this keyspace is refused before it stores anything.
        for partition in store.inner.config.claim.clone() {
            fence::take(&store.inner, partition, 0).await?;
        }
        Ok(store)
    }

    /// The driver session, for tools and tests.
    pub fn session(&self) -> &Session {
        &self.inner.session
    }
}

/// Sorts a driver error into retryable or not.
fn classify(what: &str, e: ExecutionError) -> StoreError {
    let fatal = match &e {
        ExecutionError::BadQuery(_) | ExecutionError::PrepareError(_) => true,
        ExecutionError::LastAttemptError(RequestAttemptError::DbError(db, _)) => matches!(
            db,
            DbError::SyntaxError
                | DbError::Invalid
                | DbError::Unauthorized
                | DbError::AuthenticationError
                | DbError::ConfigError
                | DbError::AlreadyExists { .. }
        ),
        _ => false,
    };
    let message = format!("cannot {what}: {e}");
    if fatal {
        StoreError::Fatal(message)
    } else {
        StoreError::Unavailable(message)
    }
}

impl Store for CassandraStore {
    async fn write(&self, batch: Arc<WriteBatch>) -> Result<WriteOutcome, StoreError> {
        write::write(&self.inner, &batch).await
    }

    async fn latest(&self, limit: usize) -> Result<Vec<StoredUser>, StoreError> {
        read::latest(&self.inner, limit).await
    }

    async fn counts(&self) -> Result<Vec<UserCount>, StoreError> {
        read::counts(&self.inner).await
    }

    async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
        read::dead_letters(&self.inner, limit).await
    }

    async fn replayable(&self, filter: ReplayFilter) -> Result<Vec<DeadLetter>, StoreError> {
        replay::replayable(&self.inner, filter).await
    }

    async fn mark_replayed(&self, origins: Vec<Origin>, at: String) -> Result<(), StoreError> {
        replay::mark_replayed(&self.inner, origins, at).await
    }

    fn describe(&self) -> crate::describe::Description {
        let c = &self.inner.config;
        crate::describe::Description {
            endpoint: Some(c.contact_points.join(",")),
            place: Some(c.keyspace.clone()),
            ..crate::describe::Description::new("cassandra", "cassandra")
        }
    }
}

#[cfg(test)]
mod tests;
