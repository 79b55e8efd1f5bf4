//! The running pipeline: ingest (fetch → produce) and process (poll → transform → store →
//! commit) as tokio tasks joined by bounded channels, a monitor that samples lag, and the
//! controls the console steers them with.
//!
//! Stopping: `shutdown` (quit, Ctrl-C, SIGTERM) stops ingest and lets process finish the batch
//! it holds, store it and commit it. When ingest ends by itself (`--max-records`,
//! `--duration`), process keeps going until the lag is zero, then stops. Either way draining
//! has `drain_timeout`: past it every retry gives up, the stages return, and `join` says what
//! was left uncommitted (safe: it is processed again at the next start).

pub mod ingest;
pub mod measured;
pub mod process;
pub mod transform;

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use thiserror::Error;
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use crate::broker::reset::{ResetRow, ResetTarget};
use crate::broker::{Broker, BrokerError, DEFAULT_TOPIC};
use crate::retry::RetryPolicy;
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
    /// Longest a stop or the end of a bounded run may take to drain before giving up.
    pub drain_timeout: Duration,
    /// What a record must keep to be stored rather than dead-lettered.
    pub limits: transform::Limits,
}

impl Default for PipelineConfig {
    /// Both stages on the default topic, unbounded, with the store-write and lead sizes that
    /// measured best for memory at the rate (README.md, Performance: "Memory").
    fn default() -> PipelineConfig {
        PipelineConfig {
            role: Role::All,
            topic: DEFAULT_TOPIC.to_owned(),
            batch_size: crate::source::MAX_RATE_BATCH,
            max_records: None,
            duration: None,
            drain: false,
            poll_max: 4000,
            max_lead: Some(16_000),
            retry: RetryPolicy::default(),
            drain_timeout: Duration::from_secs(30),
            limits: transform::Limits::default(),
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
    /// Draining took longer than `--drain-timeout`; what it left is processed again next time.
    #[error("{0}")]
    DrainTimeout(String),
    #[error("{0}")]
    Internal(String),
}

/// Knobs the console turns while the pipeline runs. `rate` is users per second, 0 = no limit.
#[derive(Debug)]
pub struct Control {
    rate: AtomicU64,
    fetch_now: Notify,
    resets: mpsc::Sender<ResetRequest>,
    /// The receiving end, taken by the process stage when it starts.
    reset_rx: Mutex<Option<mpsc::Receiver<ResetRequest>>>,
}

/// An offset reset asked of the running pipeline; the process stage carries it out between
/// two batches (see [`process`]).
#[derive(Debug)]
pub enum ResetRequest {
    /// Where `target` would move the group's offsets; moves nothing.
    Plan {
        target: ResetTarget,
        reply: oneshot::Sender<Result<Vec<ResetRow>, BrokerError>>,
    },
    /// Pause processing, store and commit what is in flight, move the offsets, resume.
    Apply {
        plan: Vec<ResetRow>,
        reply: oneshot::Sender<Result<Vec<ResetRow>, BrokerError>>,
    },
}

impl Default for Control {
    fn default() -> Control {
        Control::new(None)
    }
}

impl Control {
    /// Controls starting at `rate` users per second (`None` = as fast as possible).
    pub fn new(rate: Option<u64>) -> Control {
        let (resets, reset_rx) = mpsc::channel(1);
        Control {
            rate: AtomicU64::new(rate.unwrap_or(0)),
            fetch_now: Notify::new(),
            resets,
            reset_rx: Mutex::new(Some(reset_rx)),
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

    /// The plan of a reset to `target` for every partition, from the running process stage.
    pub async fn plan_reset(&self, target: ResetTarget) -> Result<Vec<ResetRow>, String> {
        let (reply, answer) = oneshot::channel();
        self.ask(ResetRequest::Plan { target, reply }, answer).await
    }

    /// Applies `plan` between two batches: processing pauses, what is in flight is stored and
    /// committed, the group seeks, processing resumes.
    pub async fn apply_reset(&self, plan: Vec<ResetRow>) -> Result<Vec<ResetRow>, String> {
        let (reply, answer) = oneshot::channel();
        self.ask(ResetRequest::Apply { plan, reply }, answer).await
    }

    async fn ask<T>(
        &self,
        request: ResetRequest,
        answer: oneshot::Receiver<Result<T, BrokerError>>,
    ) -> Result<T, String> {
        const NOT_RUNNING: &str = "processing is not running in this process (--role ingest, \
                                   or the pipeline stopped)";
        self.resets
            .send(request)
            .await
            .map_err(|_| NOT_RUNNING.to_owned())?;
        match answer.await {
            Ok(result) => result.map_err(|e| e.to_string()),
            Err(_) => Err(NOT_RUNNING.to_owned()),
        }
    }

    /// The reset requests, for the one process stage that serves them.
    fn take_resets(&self) -> Option<mpsc::Receiver<ResetRequest>> {
        self.reset_rx
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }
}

/// A started pipeline.
pub struct Pipeline {
    pub stats: Arc<Stats>,
    pub control: Arc<Control>,
    /// Cancel to stop: ingest stops, process finishes its batch and commits.
    pub shutdown: CancellationToken,
    /// Fired `drain_timeout` after draining began: every retry gives up.
    abort: CancellationToken,
    drain_timeout: Duration,
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
        // Fetching stops on a stop request, at the end of `--duration`, or when its budget is
        // spent; any of these starts the drain clock.
        let fetch_stop = shutdown.child_token();
        let abort = CancellationToken::new();
        // Cancelled when ingest is over (or never runs): process then drains and stops.
        let ingest_over = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let runs_ingest = config.role != Role::Process;
        let runs_process = config.role != Role::Ingest;

        if runs_ingest {
            let (s, b, c) = (stats.clone(), broker.clone(), control.clone());
            let (cfg, st) = (config.clone(), store.clone());
            let stops = ingest::Stops {
                fetch: fetch_stop.clone(),
                abort: abort.clone(),
            };
            let over = ingest_over.clone();
            tasks.spawn(async move {
                let result = ingest::run(cfg, source, b, st, s, c, stops).await;
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
            let stops = process::Stops {
                poll: shutdown.clone(),
                ingest_over: ingest_over.clone(),
                abort: abort.clone(),
                resets: control.take_resets(),
            };
            let cfg = config.clone();
            tasks.spawn(async move { process::run(cfg, b, store, s, stops).await });
        }
        if let Some(limit) = config.duration {
            let (stop, fetch) = (shutdown.clone(), fetch_stop.clone());
            let only_process = !runs_ingest;
            tokio::spawn(async move {
                tokio::select! {
                    _ = tokio::time::sleep(limit) => {
                        info!(?limit, "Duration reached; stopping.");
                        if only_process { stop.cancel() } else { fetch.cancel() }
                    }
                    _ = fetch.cancelled() => {}
                }
            });
        }
        {
            // A process-only run drains from its stop request; one that ingests, from the end
            // of fetching.
            let draining = if runs_ingest {
                fetch_stop.clone()
            } else {
                shutdown.clone()
            };
            let (abort, limit) = (abort.clone(), config.drain_timeout);
            tokio::spawn(async move {
                draining.cancelled().await;
                if !crate::retry::sleep_or_stop(limit, &abort).await {
                    return;
                }
                warn!(
                    ?limit,
                    "Draining took longer than the drain timeout; giving up."
                );
                abort.cancel();
            });
        }
        let (s, b, stop) = (stats.clone(), broker, shutdown.clone());
        tokio::spawn(monitor(b, s, stop));

        Pipeline {
            stats,
            control,
            shutdown,
            abort,
            drain_timeout: config.drain_timeout,
            tasks,
        }
    }

    /// Waits for every stage to finish; the first stage error stops the others. Past the
    /// drain timeout, stages still running get a moment to return, then are dropped, and the
    /// result says what was left uncommitted.
    pub async fn join(mut self) -> Result<(), StageError> {
        let mut first_error = None;
        loop {
            let next = tokio::select! {
                next = self.tasks.join_next() => next,
                _ = self.abort.cancelled() => {
                    let grace = tokio::time::sleep(ABORT_GRACE);
                    tokio::pin!(grace);
                    tokio::select! {
                        next = self.tasks.join_next() => next,
                        _ = &mut grace => {
                            self.tasks.abort_all();
                            None
                        }
                    }
                }
            };
            let Some(result) = next else { break };
            let result = result.map_err(|e| StageError::Internal(format!("stage panicked: {e}")));
            if let Err(e) | Ok(Err(e)) = result {
                error!(error = %e, "A stage stopped; shutting the pipeline down.");
                self.shutdown.cancel();
                first_error.get_or_insert(e);
            }
        }
        self.shutdown.cancel();
        if let Some(e) = first_error {
            return Err(e);
        }
        if self.abort.is_cancelled()
            && let Some(left) = left_over(&self.stats, self.drain_timeout)
        {
            return Err(StageError::DrainTimeout(left));
        }
        // Stops the drain clock.
        self.abort.cancel();
        Ok(())
    }

    /// Whether every stage has finished.
    pub fn is_finished(&self) -> bool {
        self.tasks.is_empty()
    }
}

/// How long stages get to return once the drain timeout fired.
const ABORT_GRACE: Duration = Duration::from_secs(2);

/// What a run that did not drain in time leaves behind, for its last error line; `None` when
/// it left nothing (it finished just as the clock ran out).
fn left_over(stats: &Stats, limit: Duration) -> Option<String> {
    let consumed = stats.stage(Stage::Log).count();
    let uncommitted = consumed.saturating_sub(stats.committed.load(Relaxed));
    let fetched = stats.stage(Stage::Source).count();
    let published = stats.stage(Stage::Produce).count() + stats.fetch_rejects.load(Relaxed);
    let unpublished = fetched.saturating_sub(published);
    if uncommitted == 0 && unpublished == 0 {
        return None;
    }
    Some(format!(
        "draining took longer than the drain timeout ({limit:?}): {uncommitted} polled \
         records were not committed (they are processed again at the next start) and \
         {unpublished} fetched records were not acknowledged by the broker"
    ))
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
