//! `userstream dead-letters replay` on Cassandra: the dead letters not yet replayed, oldest
//! first, and the marks of the replayed ones in `dead_letter_replays` (one partition per topic
//! partition, a row per offset). A mark is an idempotent insert, so marking twice (a retry, a
//! crash between publishing and marking followed by a second replay) changes nothing.
//!
//! The two statements are prepared when a replay asks, not at connect: a keyspace made before
//! the table existed (with `--no-create-schema`) still serves the pipeline, and only a replay
//! says that the table is missing.

use std::collections::{BTreeMap, HashSet};

use scylla::statement::prepared::PreparedStatement;
use scylla::value::CqlTimestamp;

use super::read::{DEAD_LETTERS, rows};
use super::statements::{INSERT_REPLAY, SELECT_REPLAYS, Spec};
use super::values::{BUCKET_MS, Cells, dead_letter_from_row, millis};
use super::{Inner, connect};
use crate::model::{DeadLetter, Origin};
use crate::store::{ReplayFilter, StoreError};

async fn prepare(inner: &Inner, spec: &Spec) -> Result<PreparedStatement, StoreError> {
    connect::prepare(&inner.session, &inner.config.keyspace, spec)
        .await
        .map_err(|e| match e {
            StoreError::Fatal(why) => StoreError::Fatal(format!(
                "{why} (the keyspace may predate dead-letter replays: apply `userstream \
                 schema`, or start once without --no-create-schema)"
            )),
            other => other,
        })
}

/// Dead letters never replayed that pass `filter`, oldest first, at most `filter.limit`.
pub async fn replayable(
    inner: &Inner,
    filter: ReplayFilter,
) -> Result<Vec<DeadLetter>, StoreError> {
    let select_replays = prepare(inner, &SELECT_REPLAYS).await?;
    let since = filter.since.as_deref().map(millis).transpose()?;
    let kind = (DEAD_LETTERS,);
    let buckets = rows(
        inner,
        &inner.prepared.select_buckets,
        kind,
        usize::MAX,
        "read buckets",
    )
    .await?
    .into_iter()
    .map(|r| Cells::new(r).millis());
    let mut letters = Vec::new();
    for bucket in buckets {
        // Newest bucket first: the rest are older than `since`.
        if since.is_some_and(|s| bucket + BUCKET_MS <= s) {
            break;
        }
        let statement = &inner.prepared.select_dead_letters;
        let found = rows(
            inner,
            statement,
            (CqlTimestamp(bucket),),
            usize::MAX,
            "read dead letters",
        )
        .await?;
        for letter in found.into_iter().map(dead_letter_from_row) {
            let rule_ok = filter.rule.as_ref().is_none_or(|r| *r == letter.rule);
            let time_ok = since.is_none_or(|s| millis(&letter.failed_at).is_ok_and(|t| t >= s));
            if rule_ok && time_ok {
                letters.push(letter);
            }
        }
    }
    // The marks of every topic partition the letters came from.
    let mut marked: HashSet<(String, u32, u64)> = HashSet::new();
    let partitions: BTreeMap<(String, u32), ()> = letters
        .iter()
        .map(|l| ((l.origin.topic.clone(), l.origin.partition), ()))
        .collect();
    for (topic, partition) in partitions.into_keys() {
        let values = (topic.as_str(), partition as i32);
        let found = rows(
            inner,
            &select_replays,
            values,
            usize::MAX,
            "read replay marks",
        )
        .await?;
        for row in found {
            let offset = Cells::new(row).bigint().max(0) as u64;
            marked.insert((topic.clone(), partition, offset));
        }
    }
    letters.retain(|l| {
        let o = &l.origin;
        !marked.contains(&(o.topic.clone(), o.partition, o.offset))
    });
    // Oldest first, as they failed; then by origin, so equal times keep the log's order.
    letters.sort_by_cached_key(|l| {
        let o = &l.origin;
        (
            millis(&l.failed_at).unwrap_or(0),
            o.topic.clone(),
            o.partition,
            o.offset,
        )
    });
    letters.truncate(filter.limit);
    Ok(letters)
}

/// Marks the dead letters of `origins` as replayed at `at` (RFC 3339).
pub async fn mark_replayed(
    inner: &Inner,
    origins: Vec<Origin>,
    at: String,
) -> Result<(), StoreError> {
    let insert = prepare(inner, &INSERT_REPLAY).await?;
    let at = CqlTimestamp(millis(&at)?);
    for o in origins {
        let values = (o.topic.as_str(), o.partition as i32, o.offset as i64, at);
        inner.execute("mark a replay", &insert, values).await?;
    }
    Ok(())
}
