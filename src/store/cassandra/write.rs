//! The write path of the design in the parent module: classify the batch's ids against what is
//! stored, start from the stored counts of each partition, and write rows plus absolute counts
//! in logged batches, chunk by chunk.

use std::collections::{HashMap, HashSet};

use futures_util::future::try_join_all;
use futures_util::{StreamExt, TryStreamExt, stream};
use scylla::statement::batch::{Batch, BatchType};
use scylla::value::{CqlTimestamp, CqlValue};

use super::read::{self, DEAD_LETTERS, LATEST_USERS, PartitionCounts};
use super::values::{Values, bucket_of, dead_letter_values, millis, recency, user_values, uuid};
use super::{Inner, classify};
use crate::model::{DeadLetter, Dimension, StoredUser};
use crate::store::{StoreError, WriteBatch, WriteOutcome};

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

/// Stores `batch` (see the parent module for why this keeps aggregates exact).
pub async fn write(inner: &Inner, batch: &WriteBatch) -> Result<WriteOutcome, StoreError> {
    write_dead_letters(inner, &batch.dead_letters).await?;
    let mut outcome = WriteOutcome::default();

    // The last delivery of an id within the batch wins; earlier ones are duplicates.
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (i, row) in batch.rows.iter().enumerate() {
        if last.insert(row.user.id.as_str(), i).is_some() {
            outcome.duplicates += 1;
        }
    }
    let mut unique: Vec<usize> = last.into_values().collect();
    unique.sort_unstable();

    let ids: Vec<uuid::Uuid> = unique
        .iter()
        .map(|i| uuid(&batch.rows[*i].user.id))
        .collect::<Result<_, _>>()?;
    let stored: Vec<Option<StoredUser>> = stream::iter(ids)
        .map(move |id| read::user(inner, id))
        .buffered(inner.config.max_in_flight.max(1))
        .try_collect()
        .await?;

    let mut work: HashMap<u32, Vec<Work<'_>>> = HashMap::new();
    for (i, old) in unique.iter().zip(stored) {
        let row = &batch.rows[*i];
        match old {
            None => outcome.inserted += 1,
            Some(old) if same(&old, &row.user) => {
                outcome.duplicates += 1;
                continue;
            }
            Some(_) => outcome.duplicates += 1,
        }
        let old = old.filter(|o| !same(o, &row.user));
        work.entry(row.partition).or_default().push(Work {
            user: &row.user,
            old,
        });
    }
    if work.is_empty() {
        return Ok(outcome);
    }

    let partitions: HashSet<u32> = work.keys().copied().collect();
    let mut counts = read::partition_counts(inner, &partitions).await?;
    try_join_all(work.into_iter().map(|(partition, items)| {
        let start = counts.remove(&partition).unwrap_or_default();
        write_partition(inner, partition, items, start)
    }))
    .await?;
    Ok(outcome)
}

/// Writes one partition's rows chunk by chunk, each chunk with the partition's new counts.
async fn write_partition(
    inner: &Inner,
    partition: u32,
    items: Vec<Work<'_>>,
    mut counts: PartitionCounts,
) -> Result<(), StoreError> {
    let p = &inner.prepared;
    for chunk in items.chunks(inner.config.batch_rows.max(1)) {
        let mut batch = Batch::new(BatchType::Logged);
        batch.set_is_idempotent(true);
        let mut values: Vec<Values> = Vec::new();
        let mut deltas: HashMap<(Dimension, String), i64> = HashMap::new();
        let mut new_buckets = Vec::new();
        for Work { user, old } in chunk {
            let mut row = user_values(user)?;
            match old {
                None => {
                    for key in user.dimensions() {
                        *deltas.entry(key).or_default() += 1;
                    }
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
                    for key in old.dimensions() {
                        *deltas.entry(key).or_default() -= 1;
                    }
                    for key in user.dimensions() {
                        *deltas.entry(key).or_default() += 1;
                    }
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
        for (key, delta) in deltas {
            if delta == 0 {
                continue;
            }
            let count = counts.entry(key.clone()).or_default();
            *count += delta;
            batch.append_statement(p.insert_count.clone());
            values.push(vec![
                Some(CqlValue::Text(key.0.as_str().to_owned())),
                Some(CqlValue::Text(key.1)),
                Some(CqlValue::Text(inner.config.topic.clone())),
                Some(CqlValue::Int(partition as i32)),
                Some(CqlValue::BigInt(*count)),
            ]);
        }
        {
            let _permit = inner
                .permits
                .acquire()
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            inner
                .session
                .batch(&batch, values)
                .await
                .map_err(|e| classify("write a batch of users", e))?;
        }
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
            let _permit = inner
                .permits
                .acquire()
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            inner
                .session
                .execute_unpaged(&statement, values)
                .await
                .map(|_| ())
                .map_err(|e| classify("write a dead letter", e))
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
