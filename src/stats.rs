//! The pipeline's live numbers: atomic counters per stage, a latency histogram and a few rarely
//! written fields behind short locks. Stages update them on every batch; the console and the
//! headless reporter only sample them, so neither can slow the pipeline down.

pub mod histogram;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU8, AtomicU64, Ordering::Relaxed};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use histogram::{Histogram, LatencySummary};

/// The five stages as the console draws them, left to right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Source,
    Produce,
    Log,
    Process,
    Store,
}

impl Stage {
    /// Every stage in flow order.
    pub const ALL: [Stage; 5] = [
        Stage::Source,
        Stage::Produce,
        Stage::Log,
        Stage::Process,
        Stage::Store,
    ];

    /// Lower-case name used in logs, JSON and the console.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Source => "source",
            Stage::Produce => "produce",
            Stage::Log => "log",
            Stage::Process => "process",
            Stage::Store => "store",
        }
    }
}

/// What a stage is doing right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageState {
    /// Not started, or the role does not run this stage.
    Idle,
    Ok,
    Paused,
    /// The last attempt failed; waiting to retry.
    Backoff,
    /// Too many failures in a row; no attempt until the cool-down ends.
    CircuitOpen,
    /// Stopped for good.
    Error,
    /// Finished its bounded work (`--max-records`, `--duration`).
    Done,
    /// Holding back on purpose: ingest waits for the store to catch up (`--max-lead`).
    Waiting,
}

impl StageState {
    /// Every state, in the order of their numbers.
    pub const ALL: [StageState; 8] = [
        StageState::Idle,
        StageState::Ok,
        StageState::Paused,
        StageState::Backoff,
        StageState::CircuitOpen,
        StageState::Error,
        StageState::Done,
        StageState::Waiting,
    ];

    fn from_u8(v: u8) -> StageState {
        match v {
            1 => StageState::Ok,
            2 => StageState::Paused,
            3 => StageState::Backoff,
            4 => StageState::CircuitOpen,
            5 => StageState::Error,
            6 => StageState::Done,
            7 => StageState::Waiting,
            _ => StageState::Idle,
        }
    }

    /// Lower-case name used in JSON and the console.
    pub fn as_str(self) -> &'static str {
        match self {
            StageState::Idle => "idle",
            StageState::Ok => "ok",
            StageState::Paused => "paused",
            StageState::Backoff => "backoff",
            StageState::CircuitOpen => "circuit_open",
            StageState::Error => "error",
            StageState::Done => "done",
            StageState::Waiting => "waiting",
        }
    }
}

/// Why a fetch failed, as the metrics count it (`userstream_fetch_errors_total{kind}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchErrorKind {
    /// HTTP 429.
    RateLimited,
    /// Another non-success HTTP status.
    Status,
    /// A `{"error": ...}` body.
    Api,
    /// HTTP 200 without results.
    Empty,
    /// A body that is not the expected JSON.
    Decode,
    /// Connection refused, reset or timed out.
    Transport,
}

impl FetchErrorKind {
    /// Every kind, in the order of the counters.
    pub const ALL: [FetchErrorKind; 6] = [
        FetchErrorKind::RateLimited,
        FetchErrorKind::Status,
        FetchErrorKind::Api,
        FetchErrorKind::Empty,
        FetchErrorKind::Decode,
        FetchErrorKind::Transport,
    ];

    /// The `kind` label value.
    pub fn as_str(self) -> &'static str {
        match self {
            FetchErrorKind::RateLimited => "rate_limited",
            FetchErrorKind::Status => "http_status",
            FetchErrorKind::Api => "api_error",
            FetchErrorKind::Empty => "empty",
            FetchErrorKind::Decode => "decode",
            FetchErrorKind::Transport => "transport",
        }
    }
}

/// Counters of one stage.
#[derive(Debug, Default)]
pub struct StageStats {
    count: AtomicU64,
    errors: AtomicU64,
    state: AtomicU8,
    last_record_ms: AtomicI64,
    last_error: Mutex<Option<(DateTime<Utc>, String)>>,
}

impl StageStats {
    /// Counts `n` records through this stage now.
    pub fn add(&self, n: u64) {
        if n > 0 {
            self.count.fetch_add(n, Relaxed);
            self.last_record_ms
                .store(Utc::now().timestamp_millis(), Relaxed);
        }
    }

    /// Counts a failed attempt and remembers its message for the console.
    pub fn error(&self, message: impl Into<String>) {
        self.errors.fetch_add(1, Relaxed);
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some((Utc::now(), message.into()));
        }
    }

    /// Sets the state the console shows.
    pub fn set_state(&self, state: StageState) {
        self.state.store(state as u8, Relaxed);
    }

    /// The current state.
    pub fn state(&self) -> StageState {
        StageState::from_u8(self.state.load(Relaxed))
    }

    /// Records through this stage so far.
    pub fn count(&self) -> u64 {
        self.count.load(Relaxed)
    }

    /// Failed attempts so far.
    pub fn errors(&self) -> u64 {
        self.errors.load(Relaxed)
    }

    fn snapshot(&self, stage: Stage) -> StageSnapshot {
        let last_ms = self.last_record_ms.load(Relaxed);
        StageSnapshot {
            stage,
            count: self.count(),
            errors: self.errors(),
            state: self.state(),
            last_record_at: (last_ms > 0)
                .then(|| DateTime::from_timestamp_millis(last_ms))
                .flatten(),
            last_error: self.last_error.lock().ok().and_then(|e| e.clone()),
        }
    }
}

/// Health of the HTTP source, for the console's API panel.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ApiHealth {
    /// HTTP status of the last answer, if any arrived.
    pub last_status: Option<u16>,
    /// Failures since the last good answer.
    pub consecutive_failures: u32,
    /// When the next attempt is due while backing off or while the circuit is open.
    pub next_retry_at: Option<DateTime<Utc>>,
}

/// Committed offset, high watermark and lag of one partition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionLag {
    pub partition: u32,
    /// Next offset the group will read; 0 when nothing was committed.
    pub committed: u64,
    /// Offset the next produced record will get.
    pub high_watermark: u64,
    pub lag: u64,
}

/// Everything the pipeline measures, shared by its tasks and its observers.
#[derive(Debug, Default)]
pub struct Stats {
    stages: [StageStats; 5],
    /// Records skipped by the store because their id was already stored.
    pub duplicates: AtomicU64,
    /// Records sent to the dead-letter topic.
    pub dead_lettered: AtomicU64,
    /// Results of good answers that were not users, dead-lettered at ingest (also counted in
    /// `dead_lettered`).
    pub fetch_rejects: AtomicU64,
    /// Polled records whose offsets are committed (stored or dead-lettered, then committed).
    pub committed: AtomicU64,
    /// Times processing paused its partitions because the store was behind (kept polling).
    pub consumer_holds: AtomicU64,
    /// Commits the consumer group refused because it had moved on (rebalance, eviction,
    /// fencing); the records are read again by the partitions' owner.
    pub commits_refused: AtomicU64,
    /// Partitions of a batch the store did not write because another writer had taken them
    /// over (Cassandra's owner epochs); not committed, their new owner stores them.
    pub partitions_taken_over: AtomicU64,
    /// Fetch to stored, microseconds.
    pub latency: Histogram,
    api: Mutex<ApiHealth>,
    lag: Mutex<Vec<PartitionLag>>,
    /// Whether ingest is paused (set by the console, read by ingest).
    pub paused: AtomicBool,
    fetch_errors: [AtomicU64; FetchErrorKind::ALL.len()],
    /// Users per successful fetch.
    pub fetch_batch: Histogram,
    /// Records (rows and dead letters) per store write.
    pub store_batch: Histogram,
    /// Each store write attempt, microseconds.
    pub store_write: Histogram,
    /// Each offset commit attempt, microseconds.
    pub commit: Histogram,
}

impl Stats {
    /// The counters of one stage.
    pub fn stage(&self, stage: Stage) -> &StageStats {
        &self.stages[stage as usize]
    }

    /// The API health as last set by ingest.
    pub fn api(&self) -> ApiHealth {
        self.api.lock().map(|a| a.clone()).unwrap_or_default()
    }

    /// Replaces the API health.
    pub fn set_api(&self, health: ApiHealth) {
        if let Ok(mut api) = self.api.lock() {
            *api = health;
        }
    }

    /// Replaces the per-partition lag, sampled by the monitor task.
    pub fn set_lag(&self, lag: Vec<PartitionLag>) {
        if let Ok(mut l) = self.lag.lock() {
            *l = lag;
        }
    }

    /// Counts one failed fetch of `kind`.
    pub fn fetch_error(&self, kind: FetchErrorKind) {
        self.fetch_errors[kind as usize].fetch_add(1, Relaxed);
    }

    /// Failed fetches of `kind` so far.
    pub fn fetch_errors(&self, kind: FetchErrorKind) -> u64 {
        self.fetch_errors[kind as usize].load(Relaxed)
    }

    /// The per-partition lag as last sampled.
    pub fn lag(&self) -> Vec<PartitionLag> {
        self.lag.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Total lag over the partitions as last sampled.
    pub fn total_lag(&self) -> u64 {
        self.lag
            .lock()
            .map(|l| l.iter().map(|p| p.lag).sum())
            .unwrap_or(0)
    }

    /// A consistent-enough copy of every number, taken at `now`.
    pub fn snapshot(&self, now: DateTime<Utc>) -> StatsSnapshot {
        StatsSnapshot {
            at: now,
            stages: Stage::ALL.map(|s| self.stage(s).snapshot(s)),
            duplicates: self.duplicates.load(Relaxed),
            dead_lettered: self.dead_lettered.load(Relaxed),
            latency: self.latency.summary(),
            api: self.api(),
            lag: self.lag(),
            paused: self.paused.load(Relaxed),
        }
    }
}

/// One stage in a [`StatsSnapshot`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageSnapshot {
    pub stage: Stage,
    pub count: u64,
    pub errors: u64,
    pub state: StageState,
    pub last_record_at: Option<DateTime<Utc>>,
    pub last_error: Option<(DateTime<Utc>, String)>,
}

/// A plain copy of [`Stats`] that views and reporters read without touching atomics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsSnapshot {
    pub at: DateTime<Utc>,
    pub stages: [StageSnapshot; 5],
    pub duplicates: u64,
    pub dead_lettered: u64,
    pub latency: LatencySummary,
    pub api: ApiHealth,
    pub lag: Vec<PartitionLag>,
    pub paused: bool,
}

impl StatsSnapshot {
    /// The snapshot of one stage.
    pub fn stage(&self, stage: Stage) -> &StageSnapshot {
        &self.stages[stage as usize]
    }

    /// Total lag over every partition.
    pub fn total_lag(&self) -> u64 {
        self.lag.iter().map(|p| p.lag).sum()
    }
}

/// Resident set size high-water mark of this process in bytes, where the OS tells it.
pub fn peak_rss_bytes() -> Option<u64> {
    proc_status_bytes("VmHWM:")
}

/// Resident set size of this process now, in bytes, where the OS tells it.
pub fn rss_bytes() -> Option<u64> {
    proc_status_bytes("VmRSS:")
}

fn proc_status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_copies_stage_counts_and_states() {
        let stats = Stats::default();
        stats.stage(Stage::Store).add(5);
        stats
            .stage(Stage::Source)
            .set_state(StageState::CircuitOpen);
        stats.stage(Stage::Source).error("HTTP 503");
        let snap = stats.snapshot(Utc::now());
        assert_eq!(snap.stage(Stage::Store).count, 5);
        assert!(snap.stage(Stage::Store).last_record_at.is_some());
        assert_eq!(snap.stage(Stage::Source).state, StageState::CircuitOpen);
        assert_eq!(snap.stage(Stage::Source).errors, 1);
        assert_eq!(
            snap.stage(Stage::Source).last_error.as_ref().unwrap().1,
            "HTTP 503"
        );
        assert_eq!(snap.stage(Stage::Produce).state, StageState::Idle);
    }

    #[test]
    fn peak_rss_is_read_on_linux() {
        assert!(peak_rss_bytes().unwrap() > 0);
        assert!(rss_bytes().unwrap() <= peak_rss_bytes().unwrap());
    }

    #[test]
    fn states_round_trip_through_their_numbers() {
        for state in StageState::ALL {
            assert_eq!(StageState::from_u8(state as u8), state);
        }
    }

    #[test]
    fn fetch_errors_count_per_kind() {
        let stats = Stats::default();
        stats.fetch_error(FetchErrorKind::RateLimited);
        stats.fetch_error(FetchErrorKind::RateLimited);
        stats.fetch_error(FetchErrorKind::Transport);
        assert_eq!(stats.fetch_errors(FetchErrorKind::RateLimited), 2);
        assert_eq!(stats.fetch_errors(FetchErrorKind::Transport), 1);
        assert_eq!(stats.fetch_errors(FetchErrorKind::Empty), 0);
    }
}
