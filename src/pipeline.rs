//! The running pipeline: ingest (fetch → produce) and process (poll → transform → store →
//! commit) as tokio tasks joined by bounded channels, a monitor that samples lag, and the
//! controls the console steers them with.
//!
//! Stopping: `shutdown` (quit, Ctrl-C, SIGTERM) stops ingest and lets process finish the batch
//! it holds, store it and commit it. When ingest ends by itself (`--max-records`,
//! `--duration`), process keeps going until the lag is zero, then stops.

pub mod ingest;
pub mod measured;
pub mod process;
pub mod transform;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use thiserror::Error;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{error, info};

use crate::broker::{Broker, BrokerError, DEFAULT_TOPIC};
use crate::source::Source;
use crate::stats::{Stage, StageState, Stats};
use crate::store::{Store, StoreError};

/// Which stages this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    All,
    Ingest,
    Process,
}

/// Retry and circuit-breaker settings shared by the stages.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub initial: Duration,
    pub max: Duration,
    /// Consecutive source failures that open the circuit.
    pub circuit_threshold: u32,
    /// How long an open circuit waits before one trial request.
    pub circuit_cooldown: Duration,
}

impl Default for RetryPolicy {
    /// From half a second up to 30 s; five failures in a row open the circuit for 30 s.
    fn default() -> RetryPolicy {
        RetryPolicy {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(30),
            circuit_threshold: 5,
            circuit_cooldown: Duration::from_secs(30),
        }
    }
}

/// Everything the stages need to know, fixed at start.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    pub role: Role,
    pub topic: String,
    /// Users per fetch.
    pub batch_size: usize,
    /// Stop fetching after this many users.
    pub max_records: Option<u64>,
    /// Stop fetching after this long.
    pub duration: Option<Duration>,
    /// Process-only: stop once the lag is zero.
    pub drain: bool,
    /// Most records handed to one store write.
    pub poll_max: usize,
    /// With both stages in this process: most records fetched but not yet stored. Ingest waits
    /// above it, so on two cores the store gets the CPU instead of a growing backlog, and
    /// memory stays bounded however fast the source is.
    pub max_lead: Option<u64>,
    pub retry: RetryPolicy,
}

impl Default for PipelineConfig {
    /// Both stages on the default topic, unbounded, with the store-write and lead sizes that
    /// keep a 1,000,000-record run under 200 MB (README.md, Performance).
    fn default() -> PipelineConfig {
        PipelineConfig {
            role: Role::All,
            topic: DEFAULT_TOPIC.to_owned(),
            batch_size: crate::source::MAX_RATE_BATCH,
            max_records: None,
            duration: None,
            drain: false,
            poll_max: 8000,
            max_lead: Some(40_000),
            retry: RetryPolicy::default(),
        }
    }
}

/// A failure that stopped a stage for good.
#[derive(Debug, Error)]
pub enum StageError {
    #[error("broker: {0}")]
    Broker(#[from] BrokerError),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

/// Knobs the console turns while the pipeline runs. `rate` is users per second, 0 = no limit.
#[derive(Debug, Default)]
pub struct Control {
    rate: AtomicU64,
    fetch_now: Notify,
}

impl Control {
    /// Controls starting at `rate` users per second (`None` = as fast as possible).
    pub fn new(rate: Option<u64>) -> Control {
        Control {
            rate: AtomicU64::new(rate.unwrap_or(0)),
            fetch_now: Notify::new(),
        }
    }

    /// Users per second, `None` when unlimited.
    pub fn rate(&self) -> Option<u64> {
        Some(self.rate.load(Relaxed)).filter(|r| *r > 0)
    }

    /// Sets the rate; `None` removes the limit.
    pub fn set_rate(&self, rate: Option<u64>) {
        self.rate.store(rate.unwrap_or(0), Relaxed);
    }

    /// Asks ingest to fetch one batch now, even while paused.
    pub fn fetch_now(&self) {
        self.fetch_now.notify_one();
    }

    pub(crate) fn fetch_requested(&self) -> tokio::sync::futures::Notified<'_> {
        self.fetch_now.notified()
    }
}

/// A started pipeline.
pub struct Pipeline {
    pub stats: Arc<Stats>,
    pub control: Arc<Control>,
    /// Cancel to stop: ingest stops, process finishes its batch and commits.
    pub shutdown: CancellationToken,
    tasks: JoinSet<Result<(), StageError>>,
}

impl Pipeline {
    /// Starts the stages of `config.role` on the runtime.
    pub fn start<S: Source, B: Broker, St: Store>(
        config: PipelineConfig,
        source: S,
        broker: B,
        store: St,
        control: Arc<Control>,
    ) -> Pipeline {
        let stats = Arc::new(Stats::default());
        let source = measured::Measured::new(source, stats.clone());
        let broker = measured::Measured::new(broker, stats.clone());
        let store = measured::Measured::new(store, stats.clone());
        let shutdown = CancellationToken::new();
        // Cancelled when ingest is over (or never runs): process then drains and stops.
        let ingest_over = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let runs_ingest = config.role != Role::Process;
        let runs_process = config.role != Role::Ingest;

        if runs_ingest {
            let (s, b, c) = (stats.clone(), broker.clone(), control.clone());
            let (cfg, stop, over) = (config.clone(), shutdown.clone(), ingest_over.clone());
            tasks.spawn(async move {
                let result = ingest::run(cfg, source, b, s, c, stop).await;
                over.cancel();
                result
            });
        } else {
            for stage in [Stage::Source, Stage::Produce] {
                stats.stage(stage).set_state(StageState::Idle);
            }
            if config.drain {
                ingest_over.cancel();
            }
        }
        if runs_process {
            let (s, b) = (stats.clone(), broker.clone());
            let (cfg, stop, over) = (config.clone(), shutdown.clone(), ingest_over.clone());
            tasks.spawn(async move { process::run(cfg, b, store, s, stop, over).await });
        }
        if let Some(limit) = config.duration {
            let (stop, over) = (shutdown.clone(), ingest_over.clone());
            let only_process = !runs_ingest;
            tokio::spawn(async move {
                tokio::select! {
                    _ = tokio::time::sleep(limit) => {
                        info!(?limit, "Duration reached; stopping.");
                        if only_process { stop.cancel() } else { over.cancel() }
                    }
                    _ = stop.cancelled() => {}
                }
            });
        }
        let (s, b, stop) = (stats.clone(), broker, shutdown.clone());
        tokio::spawn(monitor(b, s, stop));

        Pipeline {
            stats,
            control,
            shutdown,
            tasks,
        }
    }

    /// Waits for every stage to finish; the first stage error stops the others.
    pub async fn join(mut self) -> Result<(), StageError> {
        let mut first_error = None;
        while let Some(result) = self.tasks.join_next().await {
            let result = result.map_err(|e| StageError::Internal(format!("stage panicked: {e}")));
            if let Err(e) | Ok(Err(e)) = result {
                error!(error = %e, "A stage stopped; shutting the pipeline down.");
                self.shutdown.cancel();
                first_error.get_or_insert(e);
            }
        }
        self.shutdown.cancel();
        first_error.map_or(Ok(()), Err)
    }

    /// Whether every stage has finished.
    pub fn is_finished(&self) -> bool {
        self.tasks.is_empty()
    }
}

/// Samples per-partition lag into the stats a few times a second.
async fn monitor<B: Broker>(broker: B, stats: Arc<Stats>, stop: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.cancelled() => break,
        }
        match broker.lag().await {
            Ok(lag) => stats.set_lag(lag),
            Err(e) => stats.stage(Stage::Log).error(e.to_string()),
        }
    }
    // One last sample so the final report sees the final offsets.
    if let Ok(lag) = broker.lag().await {
        stats.set_lag(lag);
    }
}
