//! Deterministic console states for the snapshot tests and the render benchmark: a pinned
//! clock, version and data, including names in Persian, Cyrillic and CJK scripts. Nothing here
//! runs in a real session.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

mod store;

pub use store::{counts, dead_letters, store_view, users};

use super::app::{App, RunInfo};
use super::theme::Theme;
use crate::describe::Description;
use crate::stats::{
    ApiHealth, LatencySummary, PartitionLag, Stage, StageSnapshot, StageState, StatsSnapshot,
};

/// The pinned clock: when the fixture session started.
pub fn started_at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_773_489_600, 0).unwrap_or_default() // 2026-03-14T12:00:00Z
}

/// The pinned clock: "now" in every fixture, 15m 42s after the start.
pub fn now() -> DateTime<Utc> {
    started_at() + TimeDelta::seconds(942)
}

/// The header of every fixture.
pub fn info() -> RunInfo {
    RunInfo {
        version: "9.9.9".to_owned(),
        source: "synthetic".to_owned(),
        broker: Description {
            partitions: Some(3),
            ..Description::new("embedded", "embedded log")
        },
        store: Description {
            place: Some("data/store.db".to_owned()),
            ..Description::new("sqlite", "sqlite")
        },
        batch_size: 100,
        data_dir: PathBuf::from("data"),
        metrics_addr: None,
    }
}

/// A console that has seen nothing: the pipeline just started.
pub fn empty(theme: Theme) -> App {
    let mut app = App::new(info(), theme, started_at(), Some(1000));
    let mut snap = snapshot(now(), [0; 5], 0, [None; 5]);
    for stage in &mut snap.stages {
        stage.state = StageState::Ok;
    }
    app.tick(snap, Some(1000));
    app.logs.time_format = None;
    app
}

/// A pipeline that has run for ten minutes at about 1,000 users/s.
pub fn typical(theme: Theme) -> App {
    let mut app = App::new(info(), theme, started_at(), Some(1000));
    app.logs.time_format = None;
    feed(&mut app, 600, 0);
    app.set_store(Arc::new(store_view()));
    app
}

/// The API has failed five times in a row: the circuit is open and nothing is fetched.
pub fn error(theme: Theme) -> App {
    let mut app = App::new(info(), theme, started_at(), Some(1000));
    app.logs.time_format = None;
    feed(&mut app, 600, 40);
    let at = now() - TimeDelta::seconds(3);
    let source = &mut app.stats.stages[Stage::Source as usize];
    source.state = StageState::CircuitOpen;
    source.errors = 5;
    source.last_error = Some((
        at,
        "HTTP 503: <html><body><h1>503 Service Unavailable</h1>".to_owned(),
    ));
    app.stats.api = ApiHealth {
        last_status: Some(503),
        consecutive_failures: 5,
        next_retry_at: Some(now() + TimeDelta::seconds(27)),
    };
    app.set_store(Arc::new(store_view()));
    app
}

/// Ingest paused 20 s ago; processing went on and drained the lag.
pub fn paused(theme: Theme) -> App {
    let mut app = App::new(info(), theme, started_at(), Some(1000));
    app.logs.time_format = None;
    feed(&mut app, 600, 20);
    app.stats.paused = true;
    app.stats.stages[Stage::Source as usize].state = StageState::Paused;
    app.set_store(Arc::new(store_view()));
    app
}

fn snapshot(
    at: DateTime<Utc>,
    counts: [u64; 5],
    lag: u64,
    last: [Option<DateTime<Utc>>; 5],
) -> StatsSnapshot {
    let stored = counts[Stage::Store as usize];
    let processed = counts[Stage::Process as usize];
    StatsSnapshot {
        at,
        stages: Stage::ALL.map(|stage| StageSnapshot {
            stage,
            count: counts[stage as usize],
            errors: 0,
            state: if counts[stage as usize] > 0 {
                StageState::Ok
            } else {
                StageState::Idle
            },
            last_record_at: last[stage as usize],
            last_error: None,
        }),
        duplicates: processed / 500,
        dead_lettered: processed / 2000,
        latency: LatencySummary {
            p50: if stored > 0 { 14.2 } else { 0.0 },
            p99: if stored > 0 { 61.8 } else { 0.0 },
            max: if stored > 0 { 212.5 } else { 0.0 },
            count: stored,
        },
        api: ApiHealth::default(),
        lag: (0..3u32)
            .map(|p| {
                let share = lag / 3 + u64::from(u64::from(p) < lag % 3);
                let committed = processed / 3 + 1_000 * u64::from(p);
                PartitionLag {
                    partition: p,
                    committed,
                    high_watermark: committed + share,
                    lag: share,
                }
            })
            .collect(),
        paused: false,
    }
}

/// Feeds `secs` seconds of 4 Hz samples ending at [`now`]; fetching stops `idle_tail` seconds
/// before the end. Production trails fetching by one sample and processing trails production
/// by two seconds, so there is a visible, steady lag.
fn feed(app: &mut App, secs: i64, idle_tail: i64) {
    let ticks = secs * 4;
    let mut fetched: Vec<u64> = Vec::with_capacity(ticks as usize + 1);
    let mut total = 0u64;
    let mut last = [None; 5];
    let mut previous = [0u64; 5];
    for k in 0..=ticks {
        let at = now() - TimeDelta::milliseconds((ticks - k) * 250);
        let second = k / 4;
        let fetching = k < ticks - idle_tail * 4;
        if k > 0 && fetching {
            // 800..1200 users/s, varying in a repeatable pattern.
            let per_s = 1000 + (second * 37 % 400) - 200 + (second % 60) * 3;
            total += (per_s / 4) as u64;
        }
        fetched.push(total);
        let at_tick = |back: i64| fetched[(k - back).max(0) as usize];
        let produced = at_tick(1);
        let processed = at_tick(9);
        let stored = processed - processed / 500 - processed / 2000;
        let counts = [
            total,
            produced,
            processed + 40.min(produced - processed),
            processed,
            stored,
        ];
        for (i, count) in counts.iter().enumerate() {
            if *count > previous[i] {
                last[i] = Some(at);
            }
        }
        previous = counts;
        app.tick(snapshot(at, counts, produced - processed, last), Some(1000));
    }
}
