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
