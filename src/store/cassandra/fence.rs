//! Owner epochs of topic partitions: taking one (a lightweight transaction on the partition's
//! owner row), and the conditional batch that changes a partition's counts only under the
//! epoch this process holds and only from the `counted_upto` it read. See the parent module for
//! why this keeps the aggregates exact when ownership moves.
//!
//! The conditional statements are sent as text with literal values (every value in them is
//! this process's own: topic, partition, epochs, offsets, its owner name), so the in-memory
//! test peer can evaluate their conditions; the count rows beside them are prepared.

use std::collections::HashMap;
use std::sync::Mutex;

use scylla::statement::Statement;
use scylla::statement::batch::{Batch, BatchType};
use scylla::value::{CqlValue, Row};
use tracing::{info, warn};

use super::statements::{COUNT_ROW_KEY, OWNER_COLUMNS};
use super::values::{Cells, Values};
use super::{Inner, classify};
use crate::model::Dimension;
use crate::store::StoreError;

/// Tries at taking an epoch when other processes take it at the same moment.
const TAKE_TRIES: usize = 8;

/// The owner row of a topic partition, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerRow {
    pub epoch: i64,
    pub owner: String,
    pub log: String,
    pub counted_upto: i64,
}

/// What this process knows about a partition's ownership, and under which claim of the
/// broker ([`crate::store::PendingRow::claim`]) it learnt it.
#[derive(Debug, Clone)]
enum Held {
    Epoch {
        epoch: i64,
        claim: u64,
    },
    /// Taken over by another writer while this process held it under `claim`: every later
    /// write of it under that claim is refused with `message`; a later claim (the broker
    /// assigned the partition again) takes a new epoch.
    Lost {
        claim: u64,
        message: String,
    },
}

/// The end of a fenced step on one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step<T> {
    Done(T),
    /// Another writer holds the partition: this process writes nothing more of it under the
    /// claim it had. The message says who holds it.
    Lost(String),
}

/// This process's name as an owner, its log, and the epochs it holds.
#[derive(Debug)]
pub struct Fence {
    pub owner: String,
    pub log: String,
    held: Mutex<HashMap<u32, Held>>,
}

impl Fence {
    /// A fence for a new process reading `log`'s offsets.
    pub fn new(log: &str) -> Fence {
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".to_owned());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        Fence {
            owner: format!("{host} pid {} #{nanos:08x}", std::process::id()),
            log: log.to_owned(),
            held: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, partition: u32) -> Result<Option<Held>, StoreError> {
        Ok(self
            .held
            .lock()
            .map_err(|e| StoreError::Fatal(e.to_string()))?
            .get(&partition)
            .cloned())
    }

    fn set(&self, partition: u32, held: Held) -> Result<(), StoreError> {
        self.held
            .lock()
            .map_err(|e| StoreError::Fatal(e.to_string()))?
            .insert(partition, held);
        Ok(())
    }
}

/// A CQL string literal.
fn text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `WHERE` of the owner row of `partition`.
fn owner_row_key(inner: &Inner, partition: u32) -> String {
    let values = [
        text(&inner.config.topic),
        partition.to_string(),
        text(""),
        text(""),
    ];
    COUNT_ROW_KEY
        .iter()
        .zip(values)
        .map(|((column, _), value)| format!("{column} = {value}"))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The owner row of `partition`, read at serial consistency (so a conditional write still in
/// flight is finished first).
pub async fn owner_row(inner: &Inner, partition: u32) -> Result<Option<OwnerRow>, StoreError> {
    let values = (inner.config.topic.as_str(), partition as i32, "", "");
    let result = inner
        .execute(
            "read a partition's owner",
            &inner.prepared.select_owner,
            values,
        )
        .await?;
    let rows = result
        .into_rows_result()
        .map_err(|e| StoreError::Unavailable(format!("cannot read a partition's owner: {e}")))?;
    let mut rows = rows
        .rows::<Row>()
        .map_err(|e| StoreError::Unavailable(format!("cannot read a partition's owner: {e}")))?;
    let Some(row) = rows.next() else {
        return Ok(None);
    };
    let row = row.map_err(|e| StoreError::Unavailable(format!("bad owner row: {e}")))?;
    let mut c = Cells::new(row);
    Ok(Some(OwnerRow {
        epoch: c.bigint(),
        owner: c.text(),
        log: c.text(),
        counted_upto: c.bigint(),
    }))
}

/// Whether a conditional statement or batch applied (`[applied]`, its first column).
fn applied(result: scylla::response::query_result::QueryResult) -> Result<bool, StoreError> {
    let bad = |e: &dyn std::fmt::Display| {
        StoreError::Unavailable(format!("cannot read a conditional write's answer: {e}"))
    };
    let rows = result.into_rows_result().map_err(|e| bad(&e))?;
    let mut rows = rows.rows::<Row>().map_err(|e| bad(&e))?;
    match rows.next() {
        Some(Ok(row)) => Ok(matches!(
            row.columns.first(),
            Some(Some(CqlValue::Boolean(true)))
        )),
        Some(Err(e)) => Err(bad(&e)),
        None => Err(bad(&"no row")),
    }
}

/// The error of a write to a partition another log counts.
fn other_log(inner: &Inner, partition: u32, row: &OwnerRow) -> StoreError {
    StoreError::Fatal(format!(
        "keyspace {} already counts partition {partition} of topic {} from another log ({}, \
         last written by {}): two embedded-log pipelines cannot write one keyspace; give this \
         one its own --keyspace, or share one Kafka topic",
        inner.config.keyspace, inner.config.topic, row.log, row.owner
    ))
}

/// Takes the next epoch of `partition` for this process under the broker's `claim`: `INSERT …
/// IF NOT EXISTS` for a new partition, `UPDATE … IF epoch = (the one read)` for a known one.
/// Refuses a partition whose counts follow another log's offsets.
pub async fn take(inner: &Inner, partition: u32, claim: u64) -> Result<i64, StoreError> {
    let fence = &inner.fence;
    let ks = &inner.config.keyspace;
    inner
        .execute(
            "list a counted partition",
            &inner.prepared.insert_count_partition,
            (inner.config.topic.as_str(), partition as i32),
        )
        .await?;
    for _ in 0..TAKE_TRIES {
        let current = owner_row(inner, partition).await?;
        let (cql, epoch) = match &current {
            None => {
                let columns: Vec<&str> = COUNT_ROW_KEY
                    .iter()
                    .chain(OWNER_COLUMNS)
                    .map(|(c, _)| *c)
                    .collect();
                let values = [
                    text(&inner.config.topic),
                    partition.to_string(),
                    text(""),
                    text(""),
                    "1".to_owned(),
                    text(&fence.owner),
                    text(&fence.log),
                    "0".to_owned(),
                ];
                let cql = format!(
                    "INSERT INTO {ks}.partition_counts ({}) VALUES ({}) IF NOT EXISTS",
                    columns.join(", "),
                    values.join(", ")
                );
                (cql, 1)
            }
            Some(row) if row.log != fence.log => return Err(other_log(inner, partition, row)),
            Some(row) => {
                let epoch = row.epoch + 1;
                let cql = format!(
                    "UPDATE {ks}.partition_counts SET epoch = {epoch}, owner = {} WHERE {} \
                     IF epoch = {}",
                    text(&fence.owner),
                    owner_row_key(inner, partition),
                    row.epoch
                );
                (cql, epoch)
            }
        };
        let result = inner
            .session
            .query_unpaged(Statement::new(cql), ())
            .await
            .map_err(|e| classify("take a partition's epoch", e))?;
        if applied(result)? {
            if let Some(row) = &current {
                info!(
                    partition,
                    epoch,
                    previous = %row.owner,
                    "Took over the counts of a partition."
                );
            }
            fence.set(partition, Held::Epoch { epoch, claim })?;
            return Ok(epoch);
        }
    }
    Err(StoreError::Unavailable(format!(
        "cannot take partition {partition}'s epoch: other writers keep taking it"
    )))
}

/// The epoch this process holds for `partition` under `claim`, taken now if it holds none or
/// the broker assigned the partition again since (a later claim); `Lost` if another writer
/// took it over while this process held it under `claim`.
pub async fn epoch(inner: &Inner, partition: u32, claim: u64) -> Result<Step<i64>, StoreError> {
    match inner.fence.get(partition)? {
        Some(Held::Epoch { epoch, claim: held }) if claim <= held => Ok(Step::Done(epoch)),
        Some(Held::Lost {
            claim: held,
            message,
        }) if claim <= held => Ok(Step::Lost(message)),
        _ => take(inner, partition, claim).await.map(Step::Done),
    }
}

/// Records that `partition`, held under `claim` at epoch `mine`, was taken over, and returns
/// the message that says so (logged once, here).
pub fn lost(
    inner: &Inner,
    partition: u32,
    claim: u64,
    mine: i64,
    now: &OwnerRow,
) -> Result<String, StoreError> {
    let message = format!(
        "partition {partition} of topic {} is now written by {} (epoch {}; this process held \
         epoch {mine}): this process stopped writing it; its records are stored and counted by \
         the new owner",
        inner.config.topic, now.owner, now.epoch
    );
    warn!(
        partition,
        epoch = now.epoch,
        mine,
        owner = %now.owner,
        "Lost a partition to another writer; its records are left to it."
    );
    inner.fence.set(
        partition,
        Held::Lost {
            claim,
            message: message.clone(),
        },
    )?;
    Ok(message)
}

/// Sets `partition`'s counts to `counts` and its `counted_upto` from `from` to `to`, only if
/// this process still holds `epoch` (taken under `claim`) and nobody moved `counted_upto`
/// since it was read. `Done` once applied, by this call or by an earlier attempt whose answer
/// was lost; `Lost` when another writer took the partition over.
pub async fn commit_counts(
    inner: &Inner,
    partition: u32,
    claim: u64,
    epoch: i64,
    from: i64,
    to: i64,
    counts: Vec<((Dimension, String), i64)>,
) -> Result<Step<()>, StoreError> {
    let ks = &inner.config.keyspace;
    let condition = format!(
        "UPDATE {ks}.partition_counts SET counted_upto = {to} WHERE {} IF epoch = {epoch} AND \
         counted_upto = {from}",
        owner_row_key(inner, partition)
    );
    let mut batch = Batch::new(BatchType::Logged);
    // A resend is harmless: once applied, the condition no longer holds.
    batch.set_is_idempotent(true);
    batch.append_statement(Statement::new(condition));
    let mut values: Vec<Values> = vec![Vec::new()];
    for ((dimension, value), count) in counts {
        batch.append_statement(inner.prepared.insert_count.clone());
        values.push(vec![
            Some(CqlValue::Text(inner.config.topic.clone())),
            Some(CqlValue::Int(partition as i32)),
            Some(CqlValue::Text(dimension.as_str().to_owned())),
            Some(CqlValue::Text(value)),
            Some(CqlValue::BigInt(count)),
        ]);
    }
    let result = inner
        .batch("write a partition's counts", &batch, values)
        .await?;
    if applied(result)? {
        return Ok(Step::Done(()));
    }
    match owner_row(inner, partition).await? {
        Some(row) if row.epoch == epoch && row.counted_upto == to => Ok(Step::Done(())),
        Some(row) if row.epoch != epoch => {
            lost(inner, partition, claim, epoch, &row).map(Step::Lost)
        }
        _ => Err(StoreError::Unavailable(format!(
            "the counts of partition {partition} moved under this process; the batch is retried"
        ))),
    }
}
