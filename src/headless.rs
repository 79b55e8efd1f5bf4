//! Headless mode: one JSON status line on stdout every `--status-interval`, and a final
//! `"event":"summary"` line with totals, throughput, latency percentiles and peak memory.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::stats::{LatencySummary, Stage, Stats, StatsSnapshot, peak_rss_bytes};
use crate::util::rfc3339;

/// The counters every line carries.
#[derive(Debug, Serialize)]
struct Totals {
    fetched: u64,
    produced: u64,
    consumed: u64,
    stored: u64,
    duplicates: u64,
    dead_lettered: u64,
    fetch_errors: u64,
    lag: u64,
    latency_ms: LatencySummary,
    source_state: &'static str,
    paused: bool,
}

impl Totals {
    fn of(s: &StatsSnapshot) -> Totals {
        Totals {
            fetched: s.stage(Stage::Source).count,
            produced: s.stage(Stage::Produce).count,
            consumed: s.stage(Stage::Log).count,
            stored: s.stage(Stage::Store).count,
            duplicates: s.duplicates,
            dead_lettered: s.dead_lettered,
            fetch_errors: s.stage(Stage::Source).errors,
            lag: s.total_lag(),
            latency_ms: s.latency,
            source_state: s.stage(Stage::Source).state.as_str(),
            paused: s.paused,
        }
    }
}

#[derive(Serialize)]
struct StatusLine {
    event: &'static str,
    ts: String,
    #[serde(flatten)]
    totals: Totals,
    stored_per_s: f64,
    fetched_per_s: f64,
}

#[derive(Serialize)]
struct SummaryLine<'a> {
    event: &'static str,
    ts: String,
    #[serde(flatten)]
    totals: Totals,
    elapsed_s: f64,
    /// Stored users per second over the whole run.
    records_per_s: f64,
    peak_rss_bytes: Option<u64>,
    peak_rss_mb: Option<f64>,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

fn print_line(line: &impl Serialize) {
    if let Ok(text) = serde_json::to_string(line) {
        let mut out = std::io::stdout().lock();
        // A closed stdout (e.g. `| head`) must not stop the pipeline.
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Prints a status line every `interval` until `done` is cancelled.
pub async fn report(stats: Arc<Stats>, interval: Duration, done: CancellationToken) {
    let mut tick = tokio::time::interval_at(Instant::now() + interval, interval);
    let mut last = stats.snapshot(Utc::now());
    let mut last_at = Instant::now();
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = done.cancelled() => return,
        }
        let now = stats.snapshot(Utc::now());
        let secs = last_at.elapsed().as_secs_f64().max(1e-3);
        let delta =
            |stage: Stage| round((now.stage(stage).count - last.stage(stage).count) as f64 / secs);
        print_line(&StatusLine {
            event: "status",
            ts: rfc3339(now.at),
            stored_per_s: delta(Stage::Store),
            fetched_per_s: delta(Stage::Source),
            totals: Totals::of(&now),
        });
        last = now;
        last_at = Instant::now();
    }
}

/// Prints the final summary line.
pub fn summary(stats: &Stats, elapsed: Duration, error: Option<&str>) {
    let snap = stats.snapshot(Utc::now());
    let secs = elapsed.as_secs_f64().max(1e-3);
    let rss = peak_rss_bytes();
    print_line(&SummaryLine {
        event: "summary",
        ts: rfc3339(snap.at),
        elapsed_s: (secs * 1000.0).round() / 1000.0,
        records_per_s: round(snap.stage(Stage::Store).count as f64 / secs),
        peak_rss_bytes: rss,
        peak_rss_mb: rss.map(|b| round(b as f64 / (1024.0 * 1024.0))),
        ok: error.is_none(),
        error,
        totals: Totals::of(&snap),
    });
}
