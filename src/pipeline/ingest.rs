//! Ingest: fetch batches from the source on a schedule and publish them to the broker.
//!
//! Two tasks joined by a small bounded channel, so the next fetch overlaps the broker's
//! acknowledgement of the previous batch and a slow broker pushes back on fetching. Fetch
//! failures are retried with jittered doubling backoff; after `circuit_threshold` failures in a
//! row the circuit opens and only one trial request goes out per cool-down. A batch counts as
//! produced only once the broker acknowledged all of it; produce failures are retried, never
//! dropped. Results the source could not read as users are dead-lettered as the processor
//! dead-letters bad records: to the dead-letter topic, then to the store's copy that the console
//! and `userstream dead-letters` read.
//!
//! Stopping: fetching ends at once when `fetch_stop` fires (a stop request, `--duration`), also
//! in the middle of a backoff; what was fetched is still published, unless `abort` fires (the
//! drain timeout), which ends the produce retries too.

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::{Control, PipelineConfig, StageError};
use crate::broker::{Broker, OutRecord};
use crate::model::{DeadLetter, Origin, RawUser, WireRecord};
use crate::retry::{Failure, GaveUp, Retrier, sleep_or_stop};
use crate::source::{Fetched, Reject, Source, SourceError};
use crate::stats::{ApiHealth, Stage, StageState, Stats};
use crate::store::{Store, StoreError, WriteBatch};
use crate::util::rfc3339;

/// A fetched batch on its way to the broker.
struct Batch {
    records: Arc<[OutRecord]>,
    /// Results that were not users, for the dead-letter topic.
    rejects: Vec<DeadLetter>,
}

/// The stop signals of ingest.
pub struct Stops {
    /// Stop fetching (stop request, duration reached); what was fetched is still published.
    pub fetch: CancellationToken,
    /// Give up at once, also on publishing (the drain timeout).
    pub abort: CancellationToken,
}

/// Runs fetch and produce until stopped, or until the record or time budget is spent.
pub async fn run<S: Source, B: Broker, St: Store>(
    config: PipelineConfig,
    source: S,
    broker: B,
    store: St,
    stats: Arc<Stats>,
    control: Arc<Control>,
    stops: Stops,
) -> Result<(), StageError> {
    let (tx, rx) = mpsc::channel::<Batch>(2);
    let producer = tokio::spawn(produce_loop(
        config.clone(),
        broker.clone(),
        store,
        stats.clone(),
        rx,
        stops.abort.clone(),
    ));
    fetch_loop(&config, source, &broker, &stats, &control, &stops.fetch, tx).await;
    // The budget is spent or a stop was asked: either way fetching is over, draining begins.
    stops.fetch.cancel();
    let result = producer
        .await
        .map_err(|e| StageError::Internal(format!("producer panicked: {e}")))?;
    let state = if result.is_ok() {
        StageState::Done
    } else {
        StageState::Error
    };
    stats.stage(Stage::Produce).set_state(state);
    result
}

async fn fetch_loop<S: Source, B: Broker>(
    config: &PipelineConfig,
    mut source: S,
    broker: &B,
    stats: &Stats,
    control: &Control,
    stop: &CancellationToken,
    tx: mpsc::Sender<Batch>,
) {
    let started = Instant::now();
    let stage = stats.stage(Stage::Source);
    let mut next_at = Instant::now();
    let mut fetched: u64 = 0;
    let seed = Utc::now().timestamp_nanos_opt().unwrap_or(1) as u64;
    let mut retrier = Retrier::new(config.retry, seed);
    stage.set_state(StageState::Ok);
    loop {
        let remaining = config
            .max_records
            .map_or(u64::MAX, |m| m.saturating_sub(fetched));
        let out_of_time = config.duration.is_some_and(|d| started.elapsed() >= d);
        if remaining == 0 || out_of_time {
            info!(fetched, "Ingest finished its budget.");
            break;
        }
        // Wait for the schedule, a resume, or a "fetch now"; pausing waits indefinitely.
        let paused = stats.paused.load(Relaxed);
        stage.set_state(if paused {
            StageState::Paused
        } else {
            StageState::Ok
        });
        let wake_at = if paused {
            Instant::now() + Duration::from_millis(100)
        } else {
            next_at
        };
        let forced = tokio::select! {
            _ = stop.cancelled() => break,
            _ = control.fetch_requested() => true,
            _ = tokio::time::sleep_until(wake_at) => false,
        };
        if paused && !forced {
            next_at = Instant::now();
            continue;
        }
        if let Some(limit) = config.max_lead
            && !wait_for_store(broker, stats, limit, stop).await
        {
            break;
        }
        let n = (config.batch_size as u64).min(remaining) as usize;
        let Some(got) = fetch_with_retry(&mut source, stats, stop, &mut retrier, n).await else {
            break;
        };
        let count = got.len() as u64;
        let batch = encode(got, &rfc3339(Utc::now()), source.name());
        fetched += count;
        stage.add(count);
        if let Some(rate) = control.rate() {
            let spacing = Duration::from_secs_f64(count as f64 / rate as f64);
            // A schedule that fell behind restarts from now instead of bursting to catch up.
            next_at = next_at.max(Instant::now() - spacing) + spacing;
        } else {
            next_at = Instant::now();
        }
        if tx.send(batch).await.is_err() {
            break;
        }
    }
    stage.set_state(StageState::Done);
}

/// Waits while more than `limit` fetched records are not yet stored; `false` if stopped.
///
/// This process's own counters say how far its store is behind. When they say "too far", the
/// group's lag decides: a member that owns no partitions (or fewer than its share) never
/// stores what it fetches, and must not wait for itself for ever.
async fn wait_for_store<B: Broker>(
    broker: &B,
    stats: &Stats,
    limit: u64,
    stop: &CancellationToken,
) -> bool {
    let source = stats.stage(Stage::Source);
    let mut waiting = false;
    loop {
        let done = stats.stage(Stage::Store).count()
            + stats.duplicates.load(Relaxed)
            + stats.dead_lettered.load(Relaxed);
        let own_lead = source.count().saturating_sub(done);
        let group_lead = || async {
            let published = stats.stage(Stage::Produce).count() + stats.fetch_rejects.load(Relaxed);
            let unpublished = source.count().saturating_sub(published);
            match broker.lag().await {
                Ok(lag) => Some(unpublished + lag.iter().map(|p| p.lag).sum::<u64>()),
                Err(_) => None,
            }
        };
        if own_lead <= limit || group_lead().await.is_some_and(|lead| lead <= limit) {
            if waiting {
                source.set_state(StageState::Ok);
            }
            return true;
        }
        if !waiting {
            // A wait on purpose is a state of its own, never "ok".
            source.set_state(StageState::Waiting);
            waiting = true;
        }
        if !sleep_or_stop(Duration::from_millis(5), stop).await {
            return false;
        }
    }
}

/// Fetches `n` users, retrying until it succeeds or `stop` fires (`None`).
async fn fetch_with_retry<S: Source>(
    source: &mut S,
    stats: &Stats,
    stop: &CancellationToken,
    retrier: &mut Retrier,
    n: usize,
) -> Option<Fetched> {
    let stage = stats.stage(Stage::Source);
    let name = source.name();
    let on_failure = |error: &SourceError, f: Failure| {
        stage.error(error.to_string());
        let (failures, wait) = (f.failures, f.wait);
        if f.circuit_open {
            warn!(%error, failures, ?wait, "Source failing; circuit open.");
            stage.set_state(StageState::CircuitOpen);
        } else {
            warn!(%error, failures, ?wait, "Fetch failed; retrying.");
            stage.set_state(StageState::Backoff);
        }
        stats.set_api(ApiHealth {
            last_status: source_status(name, Some(error)),
            consecutive_failures: failures,
            next_retry_at: chrono::Duration::from_std(wait)
                .ok()
                .map(|w| Utc::now() + w),
        });
    };
    loop {
        // A source borrows itself mutably per fetch, so this loop drives the retrier by hand.
        let result = tokio::select! {
            biased;
            _ = stop.cancelled() => return None,
            r = source.fetch(n) => r,
        };
        match result {
            Ok(got) => {
                if retrier.failures() > 0 {
                    info!(failures = retrier.failures(), "Source recovered.");
                }
                retrier.succeed();
                stats.set_api(ApiHealth {
                    last_status: source_status(name, None),
                    consecutive_failures: 0,
                    next_retry_at: None,
                });
                stage.set_state(StageState::Ok);
                return Some(got);
            }
            Err(error) => {
                let failure = retrier.fail();
                on_failure(&error, failure);
                if !sleep_or_stop(failure.wait, stop).await {
                    return None;
                }
            }
        }
    }
}

/// The status to show for the last answer: 200 after a success of the HTTP source.
fn source_status(name: &str, error: Option<&SourceError>) -> Option<u16> {
    match error {
        Some(e) => e.status(),
        None => (name == "randomuser").then_some(200),
    }
}

/// Maps a fetch to keyed wire payloads and dead letters.
fn encode(got: Fetched, ingested_at: &str, source: &str) -> Batch {
    // Each record is written into one reused buffer and copied out at its exact length: grown
    // from empty, every payload was reallocated three or four times and kept up to twice its
    // length.
    let mut json = Vec::with_capacity(4096);
    let records = got
        .users
        .into_iter()
        .filter_map(|raw: RawUser| {
            let wire = WireRecord::from_raw(raw, ingested_at, source);
            json.clear();
            // Serialising plain strings cannot fail; skip defensively rather than panic.
            serde_json::to_writer(&mut json, &wire).ok()?;
            Some(OutRecord {
                key: wire.id,
                payload: json.clone(),
            })
        })
        .collect();
    let rejects = got
        .rejects
        .into_iter()
        .map(|r| reject_letter(r, source, ingested_at))
        .collect();
    Batch { records, rejects }
}

/// A result the source could not read, as a dead letter. It never reached the topic, so its
/// origin names the source (as `topic`) and the page of the answer (as `offset`).
fn reject_letter(r: Reject, source: &str, at: &str) -> DeadLetter {
    DeadLetter {
        rule: "decode".to_owned(),
        reason: r.reason,
        payload: Some(r.raw),
        payload_base64: None,
        origin: Origin {
            topic: source.to_owned(),
            partition: 0,
            offset: r.page,
        },
        failed_at: at.to_owned(),
    }
}

/// A give-up as the produce loop handles it: `None` when stopped, else the stage error.
fn gave_up<E: Into<StageError>>(g: GaveUp<E>) -> Option<StageError> {
    match g {
        GaveUp::Stopped => None,
        GaveUp::Fatal(e) => Some(e.into()),
    }
}

async fn produce_loop<B: Broker, St: Store>(
    config: PipelineConfig,
    broker: B,
    store: St,
    stats: Arc<Stats>,
    mut rx: mpsc::Receiver<Batch>,
    abort: CancellationToken,
) -> Result<(), StageError> {
    let stage = stats.stage(Stage::Produce);
    let mut retrier = Retrier::new(config.retry.without_circuit(), 7);
    stage.set_state(StageState::Ok);
    let on_failure = |error: &crate::broker::BrokerError, f: Failure| {
        stage.error(error.to_string());
        stage.set_state(StageState::Backoff);
        warn!(%error, wait = ?f.wait, "Produce failed; retrying.");
    };
    while let Some(Batch { records, rejects }) = rx.recv().await {
        if !rejects.is_empty() {
            let n = rejects.len() as u64;
            let on_store_failure = |error: &StoreError, f: Failure| {
                stage.error(error.to_string());
                stage.set_state(StageState::Backoff);
                warn!(%error, wait = ?f.wait, "Dead-letter write failed; retrying.");
            };
            let letters = Arc::new(WriteBatch {
                dead_letters: rejects.clone(),
                ..WriteBatch::default()
            });
            let published = retrier
                .run(&abort, || broker.dead_letter(rejects.clone()), on_failure)
                .await
                .map_err(gave_up);
            let kept = match published {
                Ok(()) => retrier
                    .run(&abort, || store.write(letters.clone()), on_store_failure)
                    .await
                    .map(|_| ())
                    .map_err(gave_up),
                Err(e) => Err(e),
            };
            match kept {
                Ok(()) => {
                    stats.dead_lettered.fetch_add(n, Relaxed);
                    stats.fetch_rejects.fetch_add(n, Relaxed);
                }
                Err(None) => return Ok(()),
                Err(Some(e)) => {
                    stage.error(e.to_string());
                    return Err(e);
                }
            }
        }
        let n = records.len() as u64;
        match retrier
            .run(&abort, || broker.produce(records.clone()), on_failure)
            .await
        {
            Ok(()) => {
                stage.add(n);
                stage.set_state(StageState::Ok);
            }
            // Not acknowledged: never counted as ingested.
            Err(GaveUp::Stopped) => return Ok(()),
            Err(GaveUp::Fatal(e)) => {
                stage.error(e.to_string());
                return Err(e.into());
            }
        }
    }
    Ok(())
}
