//! The distributed store: Apache Cassandra 4/5 or ScyllaDB through the `scylla` driver, with
//! the tables of `cql/schema.cql`.
//!
//! # Exact aggregates under at-least-once delivery
//!
//! Counter columns would double-count on every replay, so `user_counts` holds, per dimension
//! value, one *absolute* count per topic partition, and readers sum the partitions. A topic
//! partition is consumed by one process at a time (the embedded log has one process per data
//! dir; a Kafka consumer group assigns each partition to one member), and ids are routed to
//! partitions by key, so one process alone decides whether an id is new and alone writes the
//! counts of its partition. For each [`WriteBatch`](super::WriteBatch), `write`:
//!
//! 1. reads the stored version of every id in the batch (point reads, `--max-in-flight` at a
//!    time): absent → new; identical → a replay, nothing to write; changed → an update;
//! 2. reads the current counts of the batch's partitions from the database (at every batch, not
//!    once: a rebalance may have moved a partition here from a process that kept counting);
//! 3. per partition, in chunks of a few rows, sends one LOGGED batch holding the chunk's rows,
//!    their `latest_users` entries and the partition's new absolute counts for the values the
//!    chunk touched. Chunks of a partition go one after another; partitions in parallel.
//!
//! Every statement is an idempotent upsert of absolute values, so a retry, a batchlog replay or
//! a redelivery writes nothing new. What happens at each crash point:
//!
//! - before a chunk's batch: neither its rows nor its counts are stored; the offsets are not
//!   committed, so the records are redelivered, found absent, and counted then;
//! - during a chunk's batch: a logged batch is applied entirely or not at all (the batchlog
//!   finishes it), so the rows and the counts that include them land together or not at all;
//! - after the batches, before the broker commits the offsets: the records are redelivered,
//!   their ids are found stored and identical, and nothing is counted twice.
//!
//! A chunk whose batch timed out may still be applied later by the batchlog; it carries the
//! same rows and an older write timestamp (client-side, monotonic) than the retry's, so
//! last-write-wins keeps the newer counts. A changed duplicate moves its counts from the old
//! values to the new ones within the partition that sees it; per-partition counts may then go
//! below zero, their sum stays exact. Residual limit: two processes writing the same partition
//! at once (a Kafka rebalance while the old owner still finishes a batch) could overwrite each
//! other's counts; keep `session.timeout.ms` above a batch's write time.
//!
//! The existence and count reads must see the writes of earlier batches: reads and writes at
//! `LOCAL_QUORUM` (the default) overlap; `ONE` does only with a replication factor of 1.
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
mod read;
pub mod schema;
pub mod statements;
pub mod values;
mod write;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use scylla::client::session::Session;
use scylla::errors::{DbError, ExecutionError, RequestAttemptError};
use scylla::statement::Consistency;
use scylla::statement::prepared::PreparedStatement;
use tokio::sync::Semaphore;
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
    select_counts: PreparedStatement,
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
            select_counts: p(&statements::SELECT_COUNTS).await?,
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
        Ok(CassandraStore {
            inner: Arc::new(Inner {
                session,
                prepared,
                permits: Semaphore::new(config.max_in_flight.max(1)),
                config,
                listed: Mutex::new(Default::default()),
            }),
        })
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

/// Why `dead-letters replay` refuses the Cassandra store.
const REPLAY_UNSUPPORTED: &str = "dead-letters replay needs the embedded store (--store embedded): \
     the Cassandra keyspace keeps no record of which dead letters were replayed";

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

    /// The keyspace of `cql/schema.cql` keeps no record of replays, and a replay that cannot
    /// be recorded could be repeated by accident: refused.
    async fn replayable(&self, _filter: ReplayFilter) -> Result<Vec<DeadLetter>, StoreError> {
        Err(StoreError::Fatal(REPLAY_UNSUPPORTED.to_owned()))
    }

    async fn mark_replayed(&self, _origins: Vec<Origin>, _at: String) -> Result<(), StoreError> {
        Err(StoreError::Fatal(REPLAY_UNSUPPORTED.to_owned()))
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
