//! The write path of the design in the parent module: classify the batch's ids against what is
//! stored and each row's offset against its partition's `counted_upto`, commit each partition's
//! new counts in one conditional batch under the epoch this process holds, then write the rows
//! in logged batches, chunk by chunk.

use std::collections::HashMap;

use futures_util::future::try_join_all;
use futures_util::{StreamExt, TryStreamExt, stream};
use scylla::statement::batch::{Batch, BatchType};
use scylla::value::{CqlTimestamp, CqlValue};

use super::read::{self, DEAD_LETTERS, LATEST_USERS};
use super::values::{Values, bucket_of, dead_letter_values, millis, recency, user_values, uuid};
use super::{Inner, fence};
use crate::model::{DeadLetter, Dimension, StoredUser};
use crate::store::{PendingRow, StoreError, WriteBatch, WriteOutcome};

/// Entries of the listed-bucket cache before it starts over.
const LISTED_MAX: usize = 10_000;

/// A row that needs writing: a new id, or a stored id whose data changed.
struct Work<'a> {
    user: &'a StoredUser,
    /// The stored version of a changed id.
    old: Option<StoredUser>,
}

/// Whether `new` is `old` delivered again (the times of storing and ingesting aside).
fn same(old: &StoredUser, new: &StoredUser) -> bool {
    let old = StoredUser {
        id: new.id.clone(),
        stored_at: new.stored_at.clone(),
        ingested_at: new.ingested_at.clone(),
        ..old.clone()
    };
    old == *new
}

/// One id of a batch: its last delivery, the first offset it was delivered at, and the row the
/// store already holds for it, if any.
type Unique<'a> = (&'a PendingRow, u64, Option<StoredUser>);

/// Stores `batch` (see the parent module for why this keeps aggregates exact).
pub async fn write(inner: &Inner, batch: &WriteBatch) -> Result<WriteOutcome, StoreError> {
    write_dead_letters(inner, &batch.dead_letters).await?;
    let mut outcome = WriteOutcome::default();

    // The last delivery of an id within the batch wins; earlier ones are duplicates.
    let mut last: HashMap<&str, (usize, u64)> = HashMap::new();
    for (i, row) in batch.rows.iter().enumerate() {
        let first = last
            .get(row.user.id.as_str())
            .map_or(row.first_offset, |(_, f)| (*f).min(row.first_offset));
        if last.insert(row.user.id.as_str(), (i, first)).is_some() {
            outcome.duplicates += 1;
        }
    }
    let mut unique: Vec<(usize, u64)> = last.into_values().collect();
    unique.sort_unstable();

    let ids: Vec<uuid::Uuid> = unique
        .iter()
        .map(|(i, _)| uuid(&batch.rows[*i].user.id))
        .collect::<Result<_, _>>()?;
    let stored: Vec<Option<StoredUser>> = stream::iter(ids)
        .map(move |id| read::user(inner, id))
        .buffered(inner.config.max_in_flight.max(1))
        .try_collect()
        .await?;

    let mut by_partition: HashMap<u32, Vec<Unique<'_>>> = HashMap::new();
    for ((i, first), old) in unique.iter().zip(stored) {
        let row = &batch.rows[*i];
        by_partition
            .entry(row.partition)
            .or_default()
            .push((row, *first, old));
    }
    let written = try_join_all(
        by_partition
            .into_iter()
            .map(|(partition, rows)| write_partition(inner, partition, rows)),
    )
    .await?;
    for (partition, ids, step) in written {
        match step {
            fence::Step::Done(()) => {
                outcome.inserted += ids.inserted;
                outcome.duplicates += ids.duplicates;
            }
            fence::Step::Lost(reason) => outcome.lost.push((partition, reason)),
        }
    }
    outcome.lost.sort_unstable();
    Ok(outcome)
}

/// New and already stored ids of one partition's rows.
#[derive(Default)]
struct Ids {
    inserted: u64,
    duplicates: u64,
}

/// Commits one partition's counts under this process's epoch, then writes its rows. A
/// partition another writer took over writes nothing (`Lost`), unless this process claimed it
/// at start (the embedded log's, which nobody else may write): then the error is fatal.
async fn write_partition<'a>(
    inner: &Inner,
    partition: u32,
    rows: Vec<Unique<'a>>,
) -> Result<(u32, Ids, fence::Step<()>), StoreError> {
    let mut ids = Ids::default();
    for (_, _, old) in &rows {
        match old {
            None => ids.inserted += 1,
            Some(_) => ids.duplicates += 1,
        }
    }
    let step = match write_fenced(inner, partition, rows).await? {
        fence::Step::Lost(reason) if inner.config.claim.contains(&partition) => {
            return Err(StoreError::Fatal(reason));
        }
        step => step,
    };
    Ok((partition, ids, step))
}

async fn write_fenced(
    inner: &Inner,
    partition: u32,
    rows: Vec<Unique<'_>>,
) -> Result<fence::Step<()>, StoreError> {
    // A replay of stored records writes nothing: no state to read, no epoch to check.
    if rows
        .iter()
        .all(|(row, _, old)| old.as_ref().is_some_and(|o| same(o, &row.user)))
    {
        return Ok(fence::Step::Done(()));
    }
    // The latest assignment the rows were read under (a poll may straddle a rebalance).
    let claim = rows.iter().map(|(row, _, _)| row.claim).max().unwrap_or(0);
    let epoch = match fence::epoch(inner, partition, claim).await? {
        fence::Step::Done(epoch) => epoch,
        fence::Step::Lost(reason) => return Ok(fence::Step::Lost(reason)),
    };
    let state = read::partition(inner, partition).await?;
    if state.epoch != epoch {
        let now = fence::owner_row(inner, partition).await?;
        if let Some(now) = now.filter(|n| n.epoch != epoch) {
            return fence::lost(inner, partition, claim, epoch, &now).map(fence::Step::Lost);
        }
    }
    let upto = state.counted_upto;
    let mut deltas: HashMap<(Dimension, String), i64> = HashMap::new();
    let mut next = upto;
    let mut work = Vec::new();
    for (row, first, old) in rows {
        let offset = row.offset as i64;
        next = next.max(offset + 1);
        let changed = old.as_ref().is_none_or(|o| !same(o, &row.user));
        if offset >= upto && changed {
            // Not counted yet. An id absent here but delivered below `counted_upto` in this
            // batch was counted then (its row was not written before a crash).
            match &old {
                None if (first as i64) < upto => {}
                None => {
                    for key in row.user.dimensions() {
                        *deltas.entry(key).or_default() += 1;
                    }
                }
                Some(old) => {
                    for key in old.dimensions() {
                        *deltas.entry(key).or_default() -= 1;
                    }
                    for key in row.user.dimensions() {
                        *deltas.entry(key).or_default() += 1;
                    }
                }
            }
        }
        if changed {
            work.push(Work {
                user: &row.user,
                old,
            });
        }
    }
    deltas.retain(|_, d| *d != 0);
    if !deltas.is_empty() {
        let counts = deltas
            .into_iter()
            .map(|(key, delta)| {
                let count = state.counts.get(&key).copied().unwrap_or(0) + delta;
                (key, count)
            })
            .collect();
        if let lost @ fence::Step::Lost(_) =
            fence::commit_counts(inner, partition, claim, epoch, upto, next, counts).await?
        {
            return Ok(lost);
        }
    }
    write_rows(inner, work).await?;
    Ok(fence::Step::Done(()))
}

/// Writes rows with their `latest_users` entries, in logged batches of `batch_rows`.
async fn write_rows(inner: &Inner, items: Vec<Work<'_>>) -> Result<(), StoreError> {
    let p = &inner.prepared;
    for chunk in items.chunks(inner.config.batch_rows.max(1)) {
        let mut batch = Batch::new(BatchType::Logged);
        batch.set_is_idempotent(true);
        let mut values: Vec<Values> = Vec::new();
        let mut new_buckets = Vec::new();
        for Work { user, old } in chunk {
            let mut row = user_values(user)?;
            match old {
                None => {
                    let at = millis(&user.stored_at)?;
                    let bucket = bucket_of(at);
                    batch.append_statement(p.insert_latest.clone());
                    values.push(vec![
                        Some(CqlValue::Timestamp(CqlTimestamp(bucket))),
                        Some(CqlValue::BigInt(recency(at))),
                        row[0].clone(),
                    ]);
                    new_buckets.push(bucket);
                }
                Some(old) => {
                    // An update keeps when the user was first ingested and stored.
                    let first = user_values(old)?;
                    row[16] = first[16].clone();
                    row[22] = first[22].clone();
                }
            }
            batch.append_statement(p.insert_user.clone());
            values.push(row);
        }
        new_buckets.sort_unstable();
        new_buckets.dedup();
        let unlisted: Vec<i64> = {
            let listed = inner
                .listed
                .lock()
                .map_err(|e| StoreError::Fatal(e.to_string()))?;
            new_buckets
                .into_iter()
                .filter(|b| !listed.contains(&(LATEST_USERS, *b)))
                .collect()
        };
        for bucket in &unlisted {
            batch.append_statement(p.insert_bucket.clone());
            values.push(bucket_values(LATEST_USERS, *bucket));
        }
        inner
            .batch("write a batch of users", &batch, values)
            .await?;
        remember(inner, LATEST_USERS, &unlisted)?;
    }
    Ok(())
}

fn bucket_values(kind: &str, bucket: i64) -> Values {
    vec![
        Some(CqlValue::Text(kind.to_owned())),
        Some(CqlValue::BigInt(recency(bucket))),
        Some(CqlValue::Timestamp(CqlTimestamp(bucket))),
    ]
}

/// Notes buckets as listed in `buckets`, so later writes skip them.
fn remember(inner: &Inner, kind: &'static str, buckets: &[i64]) -> Result<(), StoreError> {
    if buckets.is_empty() {
        return Ok(());
    }
    let mut listed = inner
        .listed
        .lock()
        .map_err(|e| StoreError::Fatal(e.to_string()))?;
    if listed.len() > LISTED_MAX {
        listed.clear();
    }
    listed.extend(buckets.iter().map(|b| (kind, *b)));
    Ok(())
}

/// Lists the dead letters' buckets, then appends the letters (a replay appends them again, as
/// the embedded store does).
async fn write_dead_letters(inner: &Inner, letters: &[DeadLetter]) -> Result<(), StoreError> {
    if letters.is_empty() {
        return Ok(());
    }
    let rows: Vec<Values> = letters
        .iter()
        .map(dead_letter_values)
        .collect::<Result<_, _>>()?;
    let mut buckets: Vec<i64> = letters
        .iter()
        .map(|l| millis(&l.failed_at).map(bucket_of))
        .collect::<Result<_, _>>()?;
    buckets.sort_unstable();
    buckets.dedup();
    let p = &inner.prepared;
    let run = |statement: &scylla::statement::prepared::PreparedStatement, values: Values| {
        let statement = statement.clone();
        async move {
            inner
                .execute("write a dead letter", &statement, values)
                .await
                .map(|_| ())
        }
    };
    try_join_all(
        buckets
            .iter()
            .map(|b| run(&p.insert_bucket, bucket_values(DEAD_LETTERS, *b))),
    )
    .await?;
    try_join_all(rows.into_iter().map(|v| run(&p.insert_dead_letter, v))).await?;
    remember(inner, DEAD_LETTERS, &buckets)
}
