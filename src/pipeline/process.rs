//! Process: poll the topic, transform and validate, store, then commit.
//!
//! A poll task reads and transforms batches and feeds a store worker through a bounded channel,
//! so reading and transforming the next batch overlaps storing this one, and a slow store backs
//! the poller up (lag grows; nothing is dropped). While the channel stays full the poller calls
//! `Broker::hold` every poll wait instead of just waiting: a Kafka member pauses its partitions
//! and keeps polling, so a store slower than `max.poll.interval.ms` never gets it evicted. For
//! each batch the worker publishes rejected records to the dead-letter topic and writes rows and
//! dead letters to the store, and only then commits the offsets past the batch
//! (at-least-once). Store and broker failures are retried with backoff; the batch is never
//! skipped. A commit the consumer group refuses because it moved on (`BrokerError::Fenced`) is
//! not retried: it is logged and counted, and the records are read again by the partitions'
//! owner (the stores are idempotent). Past the drain timeout (`abort`) the retries give up:
//! what was not committed is processed again at the next start.
//!
//! An offset reset asked by the console (`Control::apply_reset`) is served by the poll task
//! between two batches: it stops polling, waits until the worker has stored and committed
//! every batch sent (a barrier through the same channel), moves the offsets, and polls again.
//! The barrier waits for room and for its answer through the same hold as a batch, so a slow
//! store during a reset cannot get the member evicted either. The records read again are
//! upserts the store counts as duplicates.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use super::transform::{Limits, transform_with};
use super::{PipelineConfig, ResetRequest, StageError};
use crate::broker::{Broker, BrokerError, Delivery};
use crate::model::{DeadLetter, Origin};
use crate::retry::{Failure, GaveUp, Retrier, Retryable, sleep_or_stop};
use crate::stats::{Stage, StageState, Stats};
use crate::store::{PendingRow, Store, WriteBatch};
use crate::util::{base64, rfc3339};

/// How long one poll waits for new records before checking whether to stop.
const POLL_WAIT: Duration = Duration::from_millis(100);
/// How long a polled batch waits for room before the broker is asked to hold. Short against
/// any sane `max.poll.interval.ms`, long against an ordinary store write, so a steady run does
/// not pause and resume at every batch.
const HOLD_AFTER: Duration = Duration::from_millis(500);

/// The stop signals of processing.
pub struct Stops {
    /// Stop polling; the batches in hand are still stored and committed.
    pub poll: CancellationToken,
    /// Ingest is over: stop once the lag is zero.
    pub ingest_over: CancellationToken,
    /// Give up at once, also on storing and committing (the drain timeout).
    pub abort: CancellationToken,
    /// Offset resets asked by the console, served between two batches.
    pub resets: Option<mpsc::Receiver<ResetRequest>>,
}

/// What the poll task hands the store worker.
enum Work {
    Batch(Prepared),
    /// Answered once every batch sent before it is stored and committed.
    Barrier(oneshot::Sender<()>),
}

/// Runs until `stops.poll` (finishing the batches in hand), or until `stops.ingest_over` and
/// the lag is zero, or until `stops.abort`.
pub async fn run<B: Broker, S: Store>(
    config: PipelineConfig,
    broker: B,
    store: S,
    stats: Arc<Stats>,
    mut stops: Stops,
) -> Result<(), StageError> {
    // One batch waits while the worker writes another and the next is prepared: enough to keep
    // the store busy. A second waiting batch held 12 MB more RSS at `--rate max`, no faster.
    let (tx, rx) = mpsc::channel::<Work>(1);
    let worker = tokio::spawn(work_loop(
        config.clone(),
        broker.clone(),
        store,
        stats.clone(),
        rx,
        stops.abort.clone(),
    ));
    let polled = poll_loop(&config, &broker, &stats, &mut stops, tx).await;
    let worked = worker
        .await
        .map_err(|e| StageError::Internal(format!("process worker panicked: {e}")))?;
    let state = if polled.is_ok() && worked.is_ok() {
        StageState::Done
    } else {
        StageState::Error
    };
    for stage in [Stage::Log, Stage::Process, Stage::Store] {
        stats.stage(stage).set_state(state);
    }
    polled.and(worked)
}

async fn poll_loop<B: Broker>(
    config: &PipelineConfig,
    broker: &B,
    stats: &Stats,
    stops: &mut Stops,
    tx: mpsc::Sender<Work>,
) -> Result<(), StageError> {
    let stage = stats.stage(Stage::Log);
    stats.stage(Stage::Process).set_state(StageState::Ok);
    let mut retrier = Retrier::new(config.retry.without_circuit(), 11);
    stage.set_state(StageState::Ok);
    loop {
        // `abort` also ends a bounded run whose store never recovers.
        let polled = tokio::select! {
            biased;
            _ = stops.poll.cancelled() => return Ok(()),
            _ = stops.abort.cancelled() => return Ok(()),
            Some(request) = next_reset(&mut stops.resets) => {
                if !serve_reset(broker, stats, &tx, request).await {
                    return Ok(());
                }
                continue;
            }
            r = broker.poll(config.poll_max, POLL_WAIT) => r,
        };
        match polled {
            Ok(batch) if batch.is_empty() => {
                retrier.succeed();
                if stops.ingest_over.is_cancelled() && tx.capacity() == tx.max_capacity() {
                    // Nothing queued here; done once the worker committed everything. Asking
                    // the broker for the lag can take a while: the member is held meanwhile.
                    if holding(broker, stats, drained(broker, &tx)).await? {
                        info!("Lag is zero; processing finished.");
                        return Ok(());
                    }
                }
            }
            Ok(batch) => {
                retrier.succeed();
                stage.add(batch.len() as u64);
                stage.set_state(StageState::Ok);
                let prepared = prepare(&config.topic, batch, config.limits);
                let processed = prepared.write.rows.len() + prepared.write.dead_letters.len();
                stats.stage(Stage::Process).add(processed as u64);
                stats.duplicates.fetch_add(prepared.superseded, Relaxed);
                if !hand_off(broker, stats, &tx, Work::Batch(prepared)).await {
                    return Ok(());
                }
            }
            Err(e) if e.is_retryable() => {
                stage.error(e.to_string());
                stage.set_state(StageState::Backoff);
                let wait = retrier.fail().wait;
                warn!(error = %e, ?wait, "Poll failed; retrying.");
                let waited = tokio::select! {
                    _ = stops.abort.cancelled() => false,
                    waited = sleep_or_stop(wait, &stops.poll) => waited,
                };
                if !waited {
                    return Ok(());
                }
            }
            Err(e) => {
                stage.error(e.to_string());
                return Err(e.into());
            }
        }
    }
}

/// The next reset request, or never when there are none to serve.
async fn next_reset(resets: &mut Option<mpsc::Receiver<ResetRequest>>) -> Option<ResetRequest> {
    match resets {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Serves one reset request. Applying one waits until the worker has stored and committed
/// every batch sent so far, so no commit of an older position lands after the seek. Returns
/// false when the worker is gone (the stage is stopping).
async fn serve_reset<B: Broker>(
    broker: &B,
    stats: &Stats,
    tx: &mpsc::Sender<Work>,
    request: ResetRequest,
) -> bool {
    match request {
        ResetRequest::Plan { target, reply } => {
            let _ = reply.send(broker.plan_reset(target, Vec::new()).await);
        }
        ResetRequest::Apply { plan, reply } => {
            let stage = stats.stage(Stage::Log);
            stage.set_state(StageState::Paused);
            info!(
                partitions = plan.len(),
                "Processing paused for an offset reset."
            );
            // The barrier waits for room, then for the batches ahead of it to be stored, as
            // long as the store takes: the member is held meanwhile, like any batch.
            let (done, stored) = oneshot::channel();
            if !hand_off(broker, stats, tx, Work::Barrier(done)).await
                || holding(broker, stats, stored).await.is_err()
            {
                return false;
            }
            let result = broker.apply_reset(plan).await;
            if let Err(error) = &result {
                warn!(%error, "Offset reset failed; processing resumes where it was.");
            }
            let _ = reply.send(result);
            stage.set_state(StageState::Ok);
            info!("Processing resumed after the offset reset.");
        }
    }
    true
}

/// Hands a batch (or a reset's barrier) to the store worker, holding the broker while the
/// worker has no room. `false` once the worker is gone (it stopped or gave up).
async fn hand_off<B: Broker>(
    broker: &B,
    stats: &Stats,
    tx: &mpsc::Sender<Work>,
    work: Work,
) -> bool {
    match holding(broker, stats, tx.reserve()).await {
        Ok(permit) => {
            permit.send(work);
            true
        }
        Err(_) => false,
    }
}

/// Awaits `until`, holding the broker while it takes long: after `HOLD_AFTER`, then every
/// `POLL_WAIT`, so a Kafka member stays in its group however slow the store.
async fn holding<B: Broker, T>(broker: &B, stats: &Stats, until: impl Future<Output = T>) -> T {
    tokio::pin!(until);
    let mut wait = HOLD_AFTER;
    let mut held = false;
    loop {
        tokio::select! {
            out = &mut until => return out,
            _ = tokio::time::sleep(wait) => {
                if !held {
                    held = true;
                    stats.consumer_holds.fetch_add(1, Relaxed);
                    debug!(waited = ?HOLD_AFTER, "Store behind; holding the consumer.");
                }
                if let Err(error) = broker.hold().await {
                    warn!(%error, "Holding the consumer failed; trying again.");
                }
                wait = POLL_WAIT;
            }
        }
    }
}

/// Whether the worker has committed everything: total lag is zero.
async fn drained<B: Broker>(broker: &B, tx: &mpsc::Sender<Work>) -> Result<bool, StageError> {
    if tx.is_closed() {
        return Ok(true);
    }
    match broker.lag().await {
        Ok(lag) => Ok(lag.iter().all(|p| p.lag == 0)),
        // A broker that cannot answer now is not drained yet.
        Err(e) if e.is_retryable() => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// A polled batch, transformed and ready for the store.
struct Prepared {
    write: WriteBatch,
    /// Next offset per partition once this batch is stored.
    commit: Vec<(u32, u64)>,
    /// Fetch-to-now latency of each row, in µs, measured when prepared.
    latencies: Vec<u64>,
    prepared_at: DateTime<Utc>,
    /// Rows dropped because a later offset of the batch carries the same id.
    superseded: u64,
    /// Records polled into this batch.
    polled: u64,
    /// Records polled per partition.
    per_partition: BTreeMap<u32, u64>,
}

/// Transforms a polled batch: rows to store, rejections to dead-letter, offsets to commit.
fn prepare(topic: &str, batch: Vec<Delivery>, limits: Limits) -> Prepared {
    let polled = batch.len() as u64;
    let now = Utc::now();
    let stored_at = rfc3339(now);
    let mut next: BTreeMap<u32, u64> = BTreeMap::new();
    let mut per_partition: BTreeMap<u32, u64> = BTreeMap::new();
    let mut write = WriteBatch {
        rows: Vec::with_capacity(batch.len()),
        ..WriteBatch::default()
    };
    for delivery in batch {
        *per_partition.entry(delivery.partition).or_default() += 1;
        let slot = next.entry(delivery.partition).or_default();
        *slot = (*slot).max(delivery.offset + 1);
        match transform_with(&delivery.payload, &stored_at, limits) {
            Ok(user) => write.rows.push(PendingRow {
                partition: delivery.partition,
                offset: delivery.offset,
                first_offset: delivery.offset,
                claim: delivery.claim,
                user: Box::new(user),
            }),
            Err(rejection) => write.dead_letters.push(dead_letter(
                topic,
                delivery,
                rejection.rule,
                rejection.reason,
                &stored_at,
            )),
        }
    }
    // In id order, inserting walks the id index once instead of jumping around it.
    let superseded = keep_latest_per_id(&mut write.rows);
    let latencies = write
        .rows
        .iter()
        .map(|r| micros_since(&r.user.ingested_at, now))
        .collect();
    Prepared {
        write,
        commit: next.into_iter().collect(),
        latencies,
        prepared_at: now,
        superseded,
        polled,
        per_partition,
    }
}

/// Keeps one row per id: the one of the later delivery, as a log replayed in order would leave
/// it, with the offset of the earliest delivery of the id in `first_offset`, and leaves the rows
/// in id order. `rows` come in delivery order, which is offset order within a partition (an id
/// always hashes to one partition), and the sort is stable, so an id's deliveries stay in that
/// order as neighbours. Returns how many rows were dropped.
fn keep_latest_per_id(rows: &mut Vec<PendingRow>) -> u64 {
    rows.sort_by(|a, b| a.user.id.cmp(&b.user.id));
    let before = rows.len();
    rows.dedup_by(|later, kept| {
        if later.user.id != kept.user.id {
            return false;
        }
        let first = kept.first_offset.min(later.first_offset);
        std::mem::swap(later, kept);
        kept.first_offset = first;
        true
    });
    (before - rows.len()) as u64
}

async fn work_loop<B: Broker, S: Store>(
    config: PipelineConfig,
    broker: B,
    store: S,
    stats: Arc<Stats>,
    mut rx: mpsc::Receiver<Work>,
    abort: CancellationToken,
) -> Result<(), StageError> {
    let mut retrier = Retrier::new(config.retry.without_circuit(), 13);
    stats.stage(Stage::Store).set_state(StageState::Ok);
    while let Some(work) = rx.recv().await {
        let Prepared {
            write,
            commit,
            latencies,
            prepared_at,
            mut polled,
            per_partition,
            ..
        } = match work {
            Work::Batch(prepared) => prepared,
            Work::Barrier(done) => {
                let _ = done.send(());
                continue;
            }
        };
        let dead = write.dead_letters.len() as u64;
        if dead > 0 {
            let letters = write.dead_letters.clone();
            let sent = persist(&mut retrier, &abort, &stats, Stage::Process, || {
                broker.dead_letter(letters.clone())
            })
            .await?;
            if sent.is_none() {
                return Ok(());
            }
        }
        let write = Arc::new(write);
        let Some(outcome) = persist(&mut retrier, &abort, &stats, Stage::Store, || {
            store.write(write.clone())
        })
        .await?
        else {
            return Ok(());
        };
        let waited = (Utc::now() - prepared_at)
            .num_microseconds()
            .unwrap_or(0)
            .max(0) as u64;
        for l in latencies {
            stats.latency.record(l + waited);
        }
        stats.stage(Stage::Store).add(outcome.inserted);
        stats.duplicates.fetch_add(outcome.duplicates, Relaxed);
        stats.dead_lettered.fetch_add(dead, Relaxed);
        let commit = without_taken_over(commit, &outcome.lost, &stats);
        for (partition, _) in &outcome.lost {
            polled = polled.saturating_sub(per_partition.get(partition).copied().unwrap_or(0));
        }
        let committed = persist(&mut retrier, &abort, &stats, Stage::Log, || async {
            // Refused because the group moved on: retrying cannot help, the owner replays.
            match broker.commit(commit.clone()).await {
                Err(BrokerError::Fenced(why)) => Ok(Some(why)),
                other => other.map(|()| None),
            }
        })
        .await?;
        match committed {
            None => return Ok(()),
            Some(Some(why)) => {
                stats.commits_refused.fetch_add(1, Relaxed);
                warn!(
                    reason = %why,
                    records = polled,
                    "Commit refused: the consumer group moved on; the records are read again."
                );
            }
            Some(None) => {
                stats.committed.fetch_add(polled, Relaxed);
            }
        }
    }
    Ok(())
}

/// The offsets to commit once the store refused the `lost` partitions (another writer took them
/// over): theirs are dropped, since their records are the new owner's to store; each one is
/// counted and shown as the store stage's last error.
fn without_taken_over(
    mut commit: Vec<(u32, u64)>,
    lost: &[(u32, String)],
    stats: &Stats,
) -> Vec<(u32, u64)> {
    for (partition, reason) in lost {
        stats.partitions_taken_over.fetch_add(1, Relaxed);
        stats.stage(Stage::Store).error(reason.clone());
        debug!(
            partition,
            "Records of a taken-over partition left to its new owner."
        );
    }
    commit.retain(|(p, _)| lost.iter().all(|(l, _)| l != p));
    commit
}

/// Runs a write of the worker through the retrier: `Some` once it succeeded, `None` when the
/// drain timeout gave up on it, an error when it cannot succeed.
async fn persist<T, E, Fut>(
    retrier: &mut Retrier,
    abort: &CancellationToken,
    stats: &Stats,
    stage: Stage,
    op: impl FnMut() -> Fut,
) -> Result<Option<T>, StageError>
where
    E: Retryable + Into<StageError>,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let counters = stats.stage(stage);
    let on_failure = |e: &E, f: Failure| {
        counters.error(e.to_string());
        counters.set_state(StageState::Backoff);
        warn!(error = %e, stage = stage.as_str(), wait = ?f.wait, "Write failed; retrying.");
    };
    let had_failed = retrier.failures() > 0;
    match retrier.run(abort, op, on_failure).await {
        Ok(v) => {
            if had_failed || counters.state() == StageState::Backoff {
                counters.set_state(StageState::Ok);
            }
            Ok(Some(v))
        }
        Err(GaveUp::Stopped) => Ok(None),
        Err(GaveUp::Fatal(e)) => {
            counters.error(e.to_string());
            counters.set_state(StageState::Error);
            Err(e.into())
        }
    }
}

fn micros_since(ingested_at: &str, now: DateTime<Utc>) -> u64 {
    DateTime::parse_from_rfc3339(ingested_at)
        .ok()
        .and_then(|t| (now - t.with_timezone(&Utc)).num_microseconds())
        .unwrap_or(0)
        .max(0) as u64
}

fn dead_letter(topic: &str, d: Delivery, rule: &str, reason: String, at: &str) -> DeadLetter {
    let (payload, payload_base64) = match String::from_utf8(d.payload) {
        // The payload is kept (the point of a dead letter) without a foreign producer's secrets.
        Ok(text) => (Some(crate::redact::scrub_payload(text)), None),
        Err(e) => (None, Some(base64(e.as_bytes()))),
    };
    DeadLetter {
        rule: rule.to_owned(),
        reason,
        payload,
        payload_base64,
        origin: Origin {
            topic: topic.to_owned(),
            partition: d.partition,
            offset: d.offset,
        },
        failed_at: at.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::StoredUser;

    fn row(offset: u64, id: &str, country: &str) -> PendingRow {
        PendingRow {
            partition: 0,
            offset,
            first_offset: offset,
            claim: 0,
            user: Box::new(StoredUser {
                id: id.into(),
                country: country.into(),
                ..StoredUser::default()
            }),
        }
    }

    #[test]
    fn the_latest_delivery_of_an_id_stays_with_the_offset_of_its_first() {
        let mut rows = vec![
            row(3, "a", "France"),
            row(4, "b", "Iran"),
            row(5, "a", "Norway"),
            row(9, "a", "Canada"),
        ];
        assert_eq!(keep_latest_per_id(&mut rows), 2);
        let kept: Vec<(u64, u64, &str)> = rows
            .iter()
            .map(|r| (r.offset, r.first_offset, r.user.country.as_str()))
            .collect();
        // In id order: "a" before "b".
        assert_eq!(kept, [(9, 3, "Canada"), (4, 4, "Iran")]);
    }

    #[test]
    fn a_taken_over_partition_is_not_committed_and_is_counted_and_shown() {
        let stats = Stats::default();
        let lost = vec![(1, "partition 1 of topic t is now written by b".to_owned())];
        let commit = without_taken_over(vec![(0, 10), (1, 20), (2, 30)], &lost, &stats);
        assert_eq!(commit, [(0, 10), (2, 30)]);
        assert_eq!(stats.partitions_taken_over.load(Relaxed), 1);
        // Shown as the store's last error; the stage goes on.
        let snap = stats.snapshot(Utc::now());
        let store = snap.stage(Stage::Store);
        assert_eq!(store.errors, 1);
        assert_eq!(store.last_error.as_ref().unwrap().1, lost[0].1);
        assert_ne!(store.state, StageState::Error);
    }
}
