//! Reads: the console's latest users, aggregates and dead letters, and the per-partition counts
//! the write path starts from. Every read names a partition and pages through it.

use std::collections::{BTreeMap, HashMap};

use futures_util::{StreamExt, TryStreamExt, stream};
use scylla::statement::prepared::PreparedStatement;
use scylla::value::{CqlTimestamp, Row};

use super::Inner;
use super::values::{Cells, dead_letter_from_row, user_from_row};
use crate::model::{DeadLetter, Dimension, StoredUser, UserCount};
use crate::store::StoreError;

/// Bucket kinds listed in `buckets`.
pub const LATEST_USERS: &str = "latest_users";
pub const DEAD_LETTERS: &str = "dead_letters";

/// How many non-empty minutes a "latest" read walks back at most.
const MAX_BUCKETS: usize = 240;

/// Counts of one topic partition: (dimension, value) → distinct users first stored through it.
pub type PartitionCounts = HashMap<(Dimension, String), i64>;

fn unavailable(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("cannot {what}: {e}"))
}

/// Up to `limit` rows of a paged query, in clustering order.
pub(super) async fn rows(
    inner: &Inner,
    statement: &PreparedStatement,
    values: impl scylla::serialize::row::SerializeRow,
    limit: usize,
    what: &str,
) -> Result<Vec<Row>, StoreError> {
    let _permit = inner.permit().await?;
    let pager = inner
        .session
        .execute_iter(statement.clone(), values)
        .await
        .map_err(|e| unavailable(what, e))?;
    pager
        .rows_stream::<Row>()
        .map_err(|e| unavailable(what, e))?
        .take(limit)
        .try_collect()
        .await
        .map_err(|e| unavailable(what, e))
}

/// A topic partition's row of `partition_counts` as one batch starts from.
#[derive(Debug, Default)]
pub struct PartitionState {
    /// The owner row's epoch (0: no owner row yet).
    pub epoch: i64,
    /// First offset whose records are not counted.
    pub counted_upto: i64,
    pub counts: PartitionCounts,
}

/// The counts and owner row of `partition` of this store's topic, as stored now.
pub async fn partition(inner: &Inner, partition: u32) -> Result<PartitionState, StoreError> {
    let values = (inner.config.topic.as_str(), partition as i32);
    let statement = &inner.prepared.select_partition;
    let found = rows(inner, statement, values, usize::MAX, "read counts").await?;
    let mut state = PartitionState::default();
    for row in found {
        let mut c = Cells::new(row);
        let (dimension, value, count) = (c.text(), c.text(), c.bigint());
        let (epoch, counted_upto) = (c.bigint(), c.bigint());
        match Dimension::parse(&dimension) {
            Some(dimension) => {
                state.counts.insert((dimension, value), count);
            }
            None if dimension.is_empty() => {
                state.epoch = epoch;
                state.counted_upto = counted_upto;
            }
            None => {}
        }
    }
    Ok(state)
}

/// Distinct users per dimension value: the sum over the topic's partitions.
pub async fn counts(inner: &Inner) -> Result<Vec<UserCount>, StoreError> {
    let statement = &inner.prepared.select_count_partitions;
    let values = (inner.config.topic.as_str(),);
    let listed = rows(
        inner,
        statement,
        values,
        usize::MAX,
        "list counted partitions",
    )
    .await?;
    let mut sums: BTreeMap<(Dimension, String), i64> = BTreeMap::new();
    for row in listed {
        let p = Cells::new(row).int();
        if p < 0 {
            continue;
        }
        for (key, count) in partition(inner, p as u32).await?.counts {
            *sums.entry(key).or_default() += count;
        }
    }
    Ok(sums
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|((dimension, value), n)| UserCount {
            dimension,
            value,
            count: n as u64,
        })
        .collect())
}

/// The newest non-empty buckets of `kind`, newest first.
async fn buckets(inner: &Inner, kind: &str) -> Result<Vec<i64>, StoreError> {
    let statement = &inner.prepared.select_buckets;
    let found = rows(inner, statement, (kind,), MAX_BUCKETS, "read buckets").await?;
    Ok(found.into_iter().map(|r| Cells::new(r).millis()).collect())
}

/// The `limit` most recently stored users, newest first.
pub async fn latest(inner: &Inner, limit: usize) -> Result<Vec<StoredUser>, StoreError> {
    let mut ids = Vec::new();
    for bucket in buckets(inner, LATEST_USERS).await? {
        if ids.len() >= limit {
            break;
        }
        let statement = &inner.prepared.select_latest;
        let values = (CqlTimestamp(bucket),);
        let found = rows(inner, statement, values, limit - ids.len(), "read latest").await?;
        ids.extend(found.into_iter().filter_map(|r| Cells::new(r).uuid()));
    }
    let users: Vec<Option<StoredUser>> = stream::iter(ids)
        .map(|id| user(inner, id))
        .buffered(inner.config.max_in_flight.max(1))
        .try_collect()
        .await?;
    Ok(users.into_iter().flatten().collect())
}

/// One stored user by id.
pub async fn user(inner: &Inner, id: uuid::Uuid) -> Result<Option<StoredUser>, StoreError> {
    let found = rows(inner, &inner.prepared.select_user, (id,), 1, "read a user").await?;
    Ok(found.into_iter().next().map(user_from_row))
}

/// The `limit` most recent dead letters, newest first.
pub async fn dead_letters(inner: &Inner, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
    let mut out = Vec::new();
    for bucket in buckets(inner, DEAD_LETTERS).await? {
        if out.len() >= limit {
            break;
        }
        let statement = &inner.prepared.select_dead_letters;
        let values = (CqlTimestamp(bucket),);
        let found = rows(
            inner,
            statement,
            values,
            limit - out.len(),
            "read dead letters",
        )
        .await?;
        out.extend(found.into_iter().map(dead_letter_from_row));
    }
    Ok(out)
}
