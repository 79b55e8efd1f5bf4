//! Process: poll the topic, transform and validate, store, then commit.
//!
//! A poll task reads and transforms batches and feeds a store worker through a bounded channel,
//! so reading and transforming the next batch overlaps storing this one, and a slow store backs the poller up (lag grows; nothing is dropped). For
//! each batch the worker publishes rejected records to the dead-letter topic and writes rows and
//! dead letters to the store, and only then commits the offsets past the batch
//! (at-least-once). Store and broker failures are retried with backoff; the batch is never
//! skipped.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::transform::transform;
use super::{PipelineConfig, StageError};
use crate::broker::{Broker, BrokerError, Delivery};
use crate::model::{DeadLetter, Origin};
use crate::stats::{Stage, StageState, Stats};
use crate::store::{PendingRow, Store, StoreError, WriteBatch};
use crate::util::{SplitMix64, backoff, base64, rfc3339};

/// How long one poll waits for new records before checking whether to stop.
const POLL_WAIT: Duration = Duration::from_millis(100);

/// Runs until `stop` (finishing the batch in hand), or until `ingest_over` and the lag is zero.
pub async fn run<B: Broker, S: Store>(
    config: PipelineConfig,
    broker: B,
    store: S,
    stats: Arc<Stats>,
    stop: CancellationToken,
    ingest_over: CancellationToken,
) -> Result<(), StageError> {
    let (tx, rx) = mpsc::channel::<Prepared>(2);
    let worker = tokio::spawn(work_loop(
        config.clone(),
        broker.clone(),
        store,
        stats.clone(),
        rx,
    ));
    let polled = poll_loop(&config, &broker, &stats, &stop, &ingest_over, tx).await;
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
    stop: &CancellationToken,
    ingest_over: &CancellationToken,
    tx: mpsc::Sender<Prepared>,
) -> Result<(), StageError> {
    let stage = stats.stage(Stage::Log);
    stats.stage(Stage::Process).set_state(StageState::Ok);
    let mut rng = SplitMix64::new(11);
    let mut failures = 0;
    stage.set_state(StageState::Ok);
    loop {
        if stop.is_cancelled() {
            return Ok(());
        }
        let polled = tokio::select! {
            _ = stop.cancelled() => return Ok(()),
            r = broker.poll(config.poll_max, POLL_WAIT) => r,
        };
        match polled {
            Ok(batch) if batch.is_empty() => {
                if ingest_over.is_cancelled() && tx.capacity() == tx.max_capacity() {
                    // Nothing queued here; done once the worker committed everything.
                    if drained(broker, &tx).await? {
                        info!("Lag is zero; processing finished.");
                        return Ok(());
                    }
                }
            }
            Ok(batch) => {
                failures = 0;
                stage.add(batch.len() as u64);
                stage.set_state(StageState::Ok);
                let prepared = prepare(&config.topic, batch);
                let processed = prepared.write.rows.len() + prepared.write.dead_letters.len();
                stats.stage(Stage::Process).add(processed as u64);
                if tx.send(prepared).await.is_err() {
                    return Ok(());
                }
            }
            Err(e) if e.is_retryable() => {
                stage.error(e.to_string());
                stage.set_state(StageState::Backoff);
                let wait = backoff(config.retry.initial, config.retry.max, failures, &mut rng);
                failures += 1;
                warn!(error = %e, ?wait, "Poll failed; retrying.");
                tokio::time::sleep(wait).await;
            }
            Err(e) => {
                stage.error(e.to_string());
                return Err(e.into());
            }
        }
    }
}

/// Whether the worker has committed everything: total lag is zero.
async fn drained<B: Broker>(broker: &B, tx: &mpsc::Sender<Prepared>) -> Result<bool, StageError> {
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
}

/// Transforms a polled batch: rows to store, rejections to dead-letter, offsets to commit.
fn prepare(topic: &str, batch: Vec<Delivery>) -> Prepared {
    let now = Utc::now();
    let stored_at = rfc3339(now);
    let mut next: BTreeMap<u32, u64> = BTreeMap::new();
    let mut write = WriteBatch::default();
    for delivery in batch {
        let slot = next.entry(delivery.partition).or_default();
        *slot = (*slot).max(delivery.offset + 1);
        match transform(&delivery.payload, &stored_at) {
            Ok(user) => write.rows.push(PendingRow {
                partition: delivery.partition,
                user,
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
    // Inserting in key order walks the id index once instead of jumping around it.
    write
        .rows
        .sort_unstable_by(|a, b| a.user.id.cmp(&b.user.id));
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
    }
}

async fn work_loop<B: Broker, S: Store>(
    config: PipelineConfig,
    broker: B,
    store: S,
    stats: Arc<Stats>,
    mut rx: mpsc::Receiver<Prepared>,
) -> Result<(), StageError> {
    let mut rng = SplitMix64::new(13);
    stats.stage(Stage::Store).set_state(StageState::Ok);
    while let Some(Prepared {
        write,
        commit,
        latencies,
        prepared_at,
    }) = rx.recv().await
    {
        let dead = write.dead_letters.len() as u64;
        if dead > 0 {
            let letters = write.dead_letters.clone();
            retry(&config, &mut rng, &stats, Stage::Process, || {
                broker.dead_letter(letters.clone())
            })
            .await?;
        }
        let write = Arc::new(write);
        let outcome = retry(&config, &mut rng, &stats, Stage::Store, || {
            store.write(write.clone())
        })
        .await?;
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
        retry(&config, &mut rng, &stats, Stage::Log, || {
            broker.commit(commit.clone())
        })
        .await?;
    }
    Ok(())
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

/// A failure the worker may retry.
trait Retryable: std::fmt::Display {
    fn retryable(&self) -> bool;
}

impl Retryable for BrokerError {
    fn retryable(&self) -> bool {
        self.is_retryable()
    }
}

impl Retryable for StoreError {
    fn retryable(&self) -> bool {
        self.is_retryable()
    }
}

/// Calls `op` until it succeeds, backing off between retryable failures.
async fn retry<T, E, F, Fut>(
    config: &PipelineConfig,
    rng: &mut SplitMix64,
    stats: &Stats,
    stage: Stage,
    mut op: F,
) -> Result<T, StageError>
where
    E: Retryable + Into<StageError>,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let counters = stats.stage(stage);
    let mut attempt = 0;
    loop {
        match op().await {
            Ok(v) => {
                if attempt > 0 {
                    counters.set_state(StageState::Ok);
                }
                return Ok(v);
            }
            Err(e) if e.retryable() => {
                counters.error(e.to_string());
                counters.set_state(StageState::Backoff);
                let wait = backoff(config.retry.initial, config.retry.max, attempt, rng);
                warn!(error = %e, stage = stage.as_str(), ?wait, "Write failed; retrying.");
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            Err(e) => {
                counters.error(e.to_string());
                counters.set_state(StageState::Error);
                return Err(e.into());
            }
        }
    }
}
