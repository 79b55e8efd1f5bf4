//! Replay: moving the consumer group's offsets while the pipeline runs (the console's path),
//! from the command line (`userstream reset-offsets`), and re-publishing dead letters
//! (`userstream dead-letters replay`). Every replay leaves rows and aggregates as they were.

mod support;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use support::run::{assert_aggregates_exact, open_log, run_ok};
use userstream::broker::Broker;
use userstream::broker::reset::ResetTarget;
use userstream::pipeline::{Control, Pipeline, PipelineConfig, Role};
use userstream::source::SyntheticSource;
use userstream::stats::Stage;
use userstream::store::EmbeddedStore;

fn rows(dir: &Path) -> i64 {
    let conn = Connection::open(dir.join("store.db")).unwrap();
    conn.query_row("SELECT COUNT(*) FROM created_users", [], |r| r.get(0))
        .unwrap()
}

/// A data dir holding `n` stored users, everything committed.
fn filled(n: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let max = n.to_string();
    run_ok(
        dir.path(),
        &[
            "--headless",
            "--max-records",
            &max,
            "--rate",
            "max",
            "--seed",
            "3",
        ],
    );
    assert_eq!(rows(dir.path()), i64::from(n));
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_while_running_replays_every_record_as_duplicates() {
    let dir = filled(2000);
    let broker = open_log(dir.path());
    let store = EmbeddedStore::open(&dir.path().join("store.db")).unwrap();
    let control = Arc::new(Control::new(None));
    let config = PipelineConfig {
        role: Role::Process,
        ..PipelineConfig::default()
    };
    let source = SyntheticSource::new(0, Vec::new());
    let pipeline = Pipeline::start(config, source, broker.clone(), store, control.clone());
    let stats = pipeline.stats.clone();

    let plan = control.plan_reset(ResetTarget::Earliest).await.unwrap();
    assert_eq!(plan.len(), 3);
    assert!(
        plan.iter()
            .all(|r| r.new == 0 && r.current == r.high_watermark)
    );
    assert_eq!(plan.iter().map(|r| r.lag_after).sum::<u64>(), 2000);
    // A plan moves nothing.
    assert!(broker.lag().await.unwrap().iter().all(|p| p.lag == 0));

    control.apply_reset(plan).await.unwrap();
    let started = Instant::now();
    while stats.duplicates.load(Relaxed) < 2000 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "only {} records replayed",
            stats.duplicates.load(Relaxed)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    pipeline.shutdown.cancel();
    pipeline.join().await.unwrap();
    assert_eq!(stats.duplicates.load(Relaxed), 2000);
    assert_eq!(stats.stage(Stage::Store).count(), 0);
    assert!(broker.lag().await.unwrap().iter().all(|p| p.lag == 0));
    assert_eq!(rows(dir.path()), 2000);
    assert_aggregates_exact(dir.path());
}

fn count(dir: &Path, sql: &str) -> i64 {
    let conn = Connection::open(dir.join("store.db")).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Total lag and high watermark from `userstream lag --json`.
fn lag_and_high(dir: &Path) -> (u64, u64) {
    let out = run_ok(dir, &["lag", "--json"]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .fold((0, 0), |(lag, high), p| {
            (
                lag + p["lag"].as_u64().unwrap(),
                high + p["high_watermark"].as_u64().unwrap(),
            )
        })
}

fn drain(dir: &Path) -> serde_json::Value {
    support::run::summary(&run_ok(
        dir,
        &["--headless", "--role", "process", "--drain"],
    ))
}

#[test]
fn reset_offsets_plans_by_default_and_replays_with_execute() {
    let dir = filled(3000);
    let d = dir.path();
    // A dry run prints the plan and moves nothing.
    let out = run_ok(d, &["reset-offsets", "--to-earliest"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("partition      current          new"),
        "{table}"
    );
    let total = table
        .lines()
        .find(|l| l.trim_start().starts_with("total"))
        .unwrap();
    assert!(total.ends_with(" 3000"), "{table}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("dry run"));
    assert_eq!(lag_and_high(d), (0, 3000));

    // JSON, one partition, a time an hour back: every record of it is newer.
    let out = run_ok(
        d,
        &[
            "reset-offsets",
            "--to-datetime",
            "-1h",
            "--partition",
            "1",
            "--json",
        ],
    );
    let plan: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(plan.len(), 1);
    assert_eq!(
        (plan[0]["partition"].as_u64(), plan[0]["new"].as_u64()),
        (Some(1), Some(0))
    );

    run_ok(d, &["reset-offsets", "--to-earliest", "--execute"]);
    assert_eq!(lag_and_high(d), (3000, 3000));
    let s = drain(d);
    assert_eq!(
        (s["stored"].as_u64(), s["duplicates"].as_u64()),
        (Some(0), Some(3000))
    );
    assert_eq!(lag_and_high(d), (0, 3000));
    assert_eq!(rows(d), 3000);
    assert_aggregates_exact(d);

    // Forward: --shift-by -100 on each partition, then latest again.
    run_ok(d, &["reset-offsets", "--shift-by", "-100", "--execute"]);
    assert_eq!(lag_and_high(d), (300, 3000));
    run_ok(d, &["reset-offsets", "--to-latest", "--execute"]);
    assert_eq!(lag_and_high(d), (0, 3000));

    // Bad input: one clear line, exit 2 (a usage error, not a panic).
    let out = support::run::userstream(d, &["reset-offsets", "--to-earliest", "--to-latest"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only one of"));
    let out = support::run::userstream(d, &["reset-offsets", "--to-earliest", "--partition", "9"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--partition 9 does not exist"));
}

#[test]
fn reset_offsets_says_a_running_pipeline_owns_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let held = userstream::datadir::DataDir::open(dir.path()).unwrap();
    let out = support::run::userstream(dir.path(), &["reset-offsets", "--to-earliest"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("a running pipeline owns it"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    drop(held);
}

#[test]
fn a_dead_letter_replayed_after_the_rule_is_relaxed_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Some addresses are longer than 60 characters: those are dead-lettered.
    run_ok(
        d,
        &[
            "--headless",
            "--max-records",
            "500",
            "--rate",
            "max",
            "--seed",
            "5",
            "--max-field-chars",
            "60",
        ],
    );
    let stored = rows(d);
    let dead = count(
        d,
        "SELECT COUNT(*) FROM dead_letters WHERE rule = 'field_size'",
    );
    assert!(dead > 0 && stored > 0, "{stored} stored, {dead} dead");
    assert_eq!(stored + dead, 500);

    // The dry run lists them and publishes nothing.
    let out = run_ok(d, &["dead-letters", "replay", "--rule", "field_size"]);
    let planned = String::from_utf8_lossy(&out.stdout).lines().count() as i64;
    assert_eq!(planned, dead);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("@example.com"));
    assert_eq!(lag_and_high(d), (0, 500));
    // A rule nothing failed takes nothing.
    let out = run_ok(
        d,
        &["dead-letters", "replay", "--rule", "id_uuid", "--execute"],
    );
    assert!(out.stdout.is_empty());

    run_ok(
        d,
        &[
            "dead-letters",
            "replay",
            "--rule",
            "field_size",
            "--since",
            "-1h",
            "--execute",
        ],
    );
    assert_eq!(lag_and_high(d), (dead as u64, 500 + dead as u64));
    // Marked: a second replay publishes nothing.
    let again = run_ok(d, &["dead-letters", "replay", "--execute"]);
    assert!(
        again.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    assert_eq!(lag_and_high(d).1, 500 + dead as u64);

    // The rule relaxed (the default limit): every user stored exactly once.
    let s = drain(d);
    assert_eq!(s["stored"].as_i64(), Some(dead));
    assert_eq!(rows(d), 500);
    assert_eq!(
        count(d, "SELECT COUNT(DISTINCT id) FROM created_users"),
        500
    );
    assert_eq!(count(d, "SELECT COUNT(*) FROM dead_letters"), dead);
    assert_aggregates_exact(d);
}
