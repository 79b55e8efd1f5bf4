//! The subcommands that replay: `userstream reset-offsets` (move the consumer group's offsets;
//! a dry run prints the plan, `--execute` applies it) and `userstream dead-letters replay`
//! (re-publish dead letters to the topic after the rule that rejected them was fixed). Both
//! print what they would do and change nothing without `--execute`.
//!
//! A replayed dead letter is marked in the store after the broker acknowledged it, so it is
//! never replayed twice by accident; a crash between the two re-publishes that batch once more
//! at the next replay, which the store's upserts absorb.

use std::collections::HashSet;
use std::sync::Arc;

use serde::Serialize;

use crate::broker::reset::{self, ResetRow, ResetTarget};
use crate::broker::{Broker, OutRecord, Partition};
use crate::model::{DeadLetter, Origin};
use crate::store::{ReplayFilter, Store};

/// Dead letters published per broker call (and marked per store call).
const REPLAY_BATCH: usize = 500;

/// `userstream reset-offsets`: prints the plan (a table, or JSON lines) and applies it when
/// `execute`.
pub async fn reset_offsets<B: Broker>(
    broker: &B,
    target: ResetTarget,
    partitions: Vec<Partition>,
    execute: bool,
    json: bool,
) -> anyhow::Result<()> {
    let plan = broker.plan_reset(target, partitions).await?;
    if json {
        print!("{}", json_lines(&plan)?);
    } else {
        println!("reset to {}", target.describe());
        print!("{}", reset::table(&plan));
    }
    if !execute {
        eprintln!("dry run: nothing changed; add --execute to apply this plan");
        return Ok(());
    }
    let applied = broker.apply_reset(plan.clone()).await?;
    for line in moved_by_retention(&plan, &applied) {
        eprintln!("{line}");
    }
    let moved = applied.iter().filter(|r| r.new != r.current).count();
    eprintln!(
        "applied: {moved} of {} partitions moved; {} records left to read",
        applied.len(),
        applied.iter().map(|r| r.lag_after).sum::<u64>()
    );
    Ok(())
}

/// One line per partition whose planned offset retention deleted before the reset applied.
fn moved_by_retention(plan: &[ResetRow], applied: &[ResetRow]) -> Vec<String> {
    plan.iter()
        .zip(applied)
        .filter(|(p, a)| p.new != a.new)
        .map(|(p, a)| {
            format!(
                "partition {}: offset {} was deleted by retention meanwhile; the reset landed on \
                 {}, the first offset still kept",
                p.partition, p.new, a.new
            )
        })
        .collect()
}

/// One line of the dry run of `dead-letters replay`: what would be published, without the
/// payload (it holds names and emails).
#[derive(Debug, Serialize)]
struct Planned<'a> {
    rule: &'a str,
    reason: &'a str,
    origin: &'a Origin,
    failed_at: &'a str,
}

/// What `dead-letters replay` found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ReplayOutcome {
    /// Published to the topic (or, in a dry run, to be).
    pub published: usize,
    /// Kept back: not valid UTF-8 (the same rule would reject them again), or rejected by the
    /// source before they reached the topic.
    pub skipped: usize,
}

/// `userstream dead-letters replay`: the dead letters never replayed that pass `filter`,
/// printed as JSON lines; with `execute` published to the topic and marked.
pub async fn dead_letters<B: Broker, S: Store>(
    broker: &B,
    store: &S,
    topic: &str,
    filter: ReplayFilter,
    execute: bool,
) -> anyhow::Result<ReplayOutcome> {
    let letters = store.replayable(filter).await?;
    let mut seen = HashSet::new();
    let mut outcome = ReplayOutcome::default();
    let mut records = Vec::new();
    let mut lines = String::new();
    for letter in &letters {
        if !seen.insert(letter.origin.clone()) {
            continue;
        }
        // A result the source could not read never was a topic record: it cannot go back.
        let from_topic = letter.origin.topic == topic;
        let Some(record) = out_record(letter).filter(|_| from_topic) else {
            outcome.skipped += 1;
            continue;
        };
        lines.push_str(&serde_json::to_string(&Planned {
            rule: &letter.rule,
            reason: &letter.reason,
            origin: &letter.origin,
            failed_at: &letter.failed_at,
        })?);
        lines.push('\n');
        records.push((letter.origin.clone(), record));
    }
    print!("{lines}");
    outcome.published = records.len();
    let skipped = if outcome.skipped > 0 {
        format!(
            " ({} kept back: not valid UTF-8, or rejected before reaching the topic)",
            outcome.skipped
        )
    } else {
        String::new()
    };
    if !execute {
        eprintln!(
            "dry run: {} dead letters would be re-published{skipped}; add --execute to publish",
            outcome.published
        );
        return Ok(outcome);
    }
    for chunk in records.chunks(REPLAY_BATCH) {
        let batch: Arc<[OutRecord]> = chunk.iter().map(|(_, r)| r.clone()).collect();
        broker.produce(batch).await?;
        let origins = chunk.iter().map(|(o, _)| o.clone()).collect();
        store
            .mark_replayed(origins, crate::util::rfc3339(chrono::Utc::now()))
            .await?;
    }
    eprintln!(
        "re-published {} dead letters to the topic{skipped}; the pipeline processes them next",
        outcome.published
    );
    Ok(outcome)
}

/// The topic record of a dead letter: its payload, keyed by the record's id so it lands on the
/// partition its id hashes to (the origin when it has none). `None` without a UTF-8 payload.
fn out_record(letter: &DeadLetter) -> Option<OutRecord> {
    let payload = letter.payload.as_ref()?;
    let key = serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| v.get("id").and_then(|id| id.as_str().map(str::to_owned)))
        .unwrap_or_else(|| {
            let o = &letter.origin;
            format!("{}-{}-{}", o.topic, o.partition, o.offset)
        });
    Some(OutRecord {
        key,
        payload: payload.clone().into_bytes(),
    })
}

fn json_lines(rows: &[ResetRow]) -> serde_json::Result<String> {
    let mut out = String::new();
    for row in rows {
        out.push_str(&serde_json::to_string(row)?);
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(payload: Option<&str>) -> DeadLetter {
        DeadLetter {
            rule: "field_size".into(),
            reason: "address is 90 characters; the limit is 40".into(),
            payload: payload.map(str::to_owned),
            payload_base64: None,
            origin: Origin {
                topic: "t".into(),
                partition: 2,
                offset: 7,
            },
            failed_at: "2026-01-01T00:00:00.000000Z".into(),
        }
    }

    #[test]
    fn a_reset_that_retention_moved_says_where_it_landed() {
        let row = |partition, new| ResetRow {
            partition,
            current: 90,
            new,
            high_watermark: 90,
            lag_after: 90 - new,
        };
        let plan = [row(0, 0), row(1, 0)];
        let applied = [row(0, 80), row(1, 0)];
        let lines = moved_by_retention(&plan, &applied);
        assert_eq!(
            lines,
            [
                "partition 0: offset 0 was deleted by retention meanwhile; the reset landed on 80, \
              the first offset still kept"
            ]
        );
        assert!(moved_by_retention(&plan, &plan).is_empty());
    }

    #[test]
    fn a_dead_letter_goes_back_keyed_by_its_id() {
        let r = out_record(&letter(Some(r#"{"id":"abc","x":1}"#))).unwrap();
        assert_eq!(r.key, "abc");
        assert_eq!(r.payload, br#"{"id":"abc","x":1}"#);
        assert_eq!(out_record(&letter(Some("not json"))).unwrap().key, "t-2-7");
        assert!(out_record(&letter(None)).is_none());
    }
}
