//! Ingest: fetch batches from the source on a schedule and publish them to the broker.
//!
//! Two tasks joined by a small bounded channel, so the next fetch overlaps the broker's
//! acknowledgement of the previous batch and a slow broker pushes back on fetching. Fetch
//! failures are retried with jittered doubling backoff; after `circuit_threshold` failures in a
//! row the circuit opens and only one trial request goes out per cool-down. A batch counts as
//! produced only once the broker acknowledged all of it; produce failures are retried, never
//! dropped.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::{Control, PipelineConfig, StageError};
use crate::broker::{Broker, OutRecord};
use crate::model::{RawUser, WireRecord};
use crate::source::{Source, SourceError};
use crate::stats::{ApiHealth, Stage, StageState, Stats};
use crate::util::{SplitMix64, backoff, rfc3339};

/// Runs fetch and produce until `stop`, or until the record or time budget is spent.
pub async fn run<S: Source, B: Broker>(
    config: PipelineConfig,
    source: S,
    broker: B,
    stats: Arc<Stats>,
    control: Arc<Control>,
    stop: CancellationToken,
) -> Result<(), StageError> {
    let (tx, rx) = mpsc::channel::<Arc<[OutRecord]>>(2);
    let producer = tokio::spawn(produce_loop(config.clone(), broker, stats.clone(), rx));
    fetch_loop(config, source, stats.clone(), control, stop, tx).await;
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

async fn fetch_loop<S: Source>(
    config: PipelineConfig,
    mut source: S,
    stats: Arc<Stats>,
    control: Arc<Control>,
    stop: CancellationToken,
    tx: mpsc::Sender<Arc<[OutRecord]>>,
) {
    let started = Instant::now();
    let stage = stats.stage(Stage::Source);
    let mut next_at = Instant::now();
    let mut fetched: u64 = 0;
    let mut rng = SplitMix64::new(Utc::now().timestamp_nanos_opt().unwrap_or(1) as u64);
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
        let paused = stats.paused.load(std::sync::atomic::Ordering::Relaxed);
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
            && !wait_for_store(&stats, limit, &stop).await
        {
            break;
        }
        let n = (config.batch_size as u64).min(remaining) as usize;
        let Some(users) = fetch_with_retry(&config, &mut source, &stats, &stop, &mut rng, n).await
        else {
            break;
        };
        let ingested_at = rfc3339(Utc::now());
        let count = users.len() as u64;
        let batch = encode(users, &ingested_at, source.name());
        fetched += count;
        stage.add(count);
        if let Some(rate) = control.rate() {
            let spacing = Duration::from_secs_f64(count as f64 / rate as f64);
            // A schedule that fell behind restarts from now instead of bursting to catch up.
            next_at = next_at.max(Instant::now() - spacing) + spacing;
        } else {
            next_at = Instant::now();
        }
        if tx.send(batch.into()).await.is_err() {
            break;
        }
    }
    stage.set_state(StageState::Done);
}

/// Waits while more than `limit` fetched records are not yet stored; `false` if stopped.
async fn wait_for_store(stats: &Stats, limit: u64, stop: &CancellationToken) -> bool {
    use std::sync::atomic::Ordering::Relaxed;
    loop {
        let done = stats.stage(Stage::Store).count()
            + stats.duplicates.load(Relaxed)
            + stats.dead_lettered.load(Relaxed);
        if stats.stage(Stage::Source).count().saturating_sub(done) <= limit {
            return true;
        }
        tokio::select! {
            _ = stop.cancelled() => return false,
            _ = tokio::time::sleep(Duration::from_millis(5)) => {}
        }
    }
}

/// Fetches `n` users, retrying until it succeeds or `stop` fires (`None`).
async fn fetch_with_retry<S: Source>(
    config: &PipelineConfig,
    source: &mut S,
    stats: &Stats,
    stop: &CancellationToken,
    rng: &mut SplitMix64,
    n: usize,
) -> Option<Vec<RawUser>> {
    let stage = stats.stage(Stage::Source);
    let policy = config.retry;
    let mut failures: u32 = 0;
    loop {
        let result = tokio::select! {
            _ = stop.cancelled() => return None,
            r = source.fetch(n) => r,
        };
        match result {
            Ok(users) => {
                if failures > 0 {
                    info!(failures, "Source recovered.");
                }
                stats.set_api(ApiHealth {
                    last_status: source_status(source.name(), None),
                    consecutive_failures: 0,
                    next_retry_at: None,
                });
                stage.set_state(StageState::Ok);
                return Some(users);
            }
            Err(error) => {
                failures += 1;
                stage.error(error.to_string());
                let open = failures >= policy.circuit_threshold;
                let wait = if open {
                    policy.circuit_cooldown
                } else {
                    backoff(policy.initial, policy.max, failures - 1, rng)
                };
                let state = if open {
                    StageState::CircuitOpen
                } else {
                    StageState::Backoff
                };
                if open {
                    warn!(%error, failures, ?wait, "Source failing; circuit open.");
                } else {
                    warn!(%error, failures, ?wait, "Fetch failed; retrying.");
                }
                stage.set_state(state);
                stats.set_api(ApiHealth {
                    last_status: source_status(source.name(), Some(&error)),
                    consecutive_failures: failures,
                    next_retry_at: chrono::Duration::from_std(wait)
                        .ok()
                        .map(|w| Utc::now() + w),
                });
                tokio::select! {
                    _ = stop.cancelled() => return None,
                    _ = tokio::time::sleep(wait) => {}
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

/// Maps API results to keyed wire payloads.
fn encode(users: Vec<RawUser>, ingested_at: &str, source: &str) -> Vec<OutRecord> {
    users
        .into_iter()
        .filter_map(|raw| {
            let wire = WireRecord::from_raw(raw, ingested_at, source);
            // Serialising plain strings cannot fail; skip defensively rather than panic.
            let payload = serde_json::to_vec(&wire).ok()?;
            Some(OutRecord {
                key: wire.id,
                payload,
            })
        })
        .collect()
}

async fn produce_loop<B: Broker>(
    config: PipelineConfig,
    broker: B,
    stats: Arc<Stats>,
    mut rx: mpsc::Receiver<Arc<[OutRecord]>>,
) -> Result<(), StageError> {
    let stage = stats.stage(Stage::Produce);
    let mut rng = SplitMix64::new(7);
    stage.set_state(StageState::Ok);
    while let Some(batch) = rx.recv().await {
        let n = batch.len() as u64;
        let mut attempt = 0;
        loop {
            match broker.produce(batch.clone()).await {
                Ok(()) => {
                    stage.add(n);
                    stage.set_state(StageState::Ok);
                    break;
                }
                Err(e) if e.is_retryable() => {
                    stage.error(e.to_string());
                    stage.set_state(StageState::Backoff);
                    let wait = backoff(config.retry.initial, config.retry.max, attempt, &mut rng);
                    warn!(error = %e, ?wait, "Produce failed; retrying.");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(e) => {
                    stage.error(e.to_string());
                    return Err(e.into());
                }
            }
        }
    }
    Ok(())
}
