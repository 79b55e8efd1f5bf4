//! A replay on a Kafka-protocol broker (librdkafka's mock cluster or a real one): fill a store
//! through the pipeline, then reset the group to earliest through the running pipeline's
//! `Control` (the console's path: the member seeks its own partitions) and check that every
//! record came back as a duplicate with rows and aggregates unchanged.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use userstream::broker::kafka::KafkaConfig;
use userstream::broker::reset::ResetTarget;
use userstream::broker::{Broker, KafkaBroker};
use userstream::pipeline::{Control, Pipeline, PipelineConfig, Role};
use userstream::retry::RetryPolicy;
use userstream::source::SyntheticSource;
use userstream::stats::Stage;
use userstream::store::EmbeddedStore;

use super::run::assert_aggregates_exact;

/// A pipeline config for `topic` with short retries.
pub fn pipeline_config(topic: &str, role: Role, max_records: Option<u64>) -> PipelineConfig {
    PipelineConfig {
        role,
        topic: topic.into(),
        batch_size: 500,
        max_records,
        poll_max: 1000,
        max_lead: None,
        retry: RetryPolicy {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(1),
            circuit_threshold: None,
            circuit_cooldown: Duration::from_secs(1),
        },
        ..PipelineConfig::default()
    }
}

/// Rows in `dir/store.db`.
pub fn rows(dir: &Path) -> i64 {
    let conn = Connection::open(dir.join("store.db")).unwrap();
    conn.query_row("SELECT COUNT(*) FROM created_users", [], |r| r.get(0))
        .unwrap()
}

/// Total (committed, high watermark, lag) of the group.
pub async fn totals(broker: &KafkaBroker) -> (u64, u64, u64) {
    broker
        .lag()
        .await
        .unwrap()
        .iter()
        .fold((0, 0, 0), |(c, h, l), p| {
            (c + p.committed, h + p.high_watermark, l + p.lag)
        })
}

async fn until(what: &str, limit: Duration, mut done: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < limit, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs the whole pipeline until `records` are stored in `dir`; every handle of its member is
/// dropped on return, so it has left the group.
pub async fn fill(config: KafkaConfig, dir: &Path, records: u64) {
    let topic = config.topic.clone();
    let broker = KafkaBroker::connect(config).await.unwrap();
    let store = EmbeddedStore::open(&dir.join("store.db")).unwrap();
    let pipeline = Pipeline::start(
        pipeline_config(&topic, Role::All, Some(records)),
        SyntheticSource::new(21, Vec::new()),
        broker.clone(),
        store,
        Arc::new(Control::new(None)),
    );
    let stats = pipeline.stats.clone();
    tokio::time::timeout(Duration::from_secs(120), pipeline.join())
        .await
        .expect("the filling run did not finish")
        .unwrap();
    assert_eq!(stats.stage(Stage::Store).count(), records);
    assert_eq!(totals(&broker).await, (records, records, 0));
}

/// A processing pipeline over the stored `dir` resets its group to earliest: the plan moves
/// nothing, applying it reads every one of `records` again, counted as duplicates; rows,
/// aggregates and the committed offsets end as they were.
pub async fn reset_running_pipeline_to_earliest(config: KafkaConfig, dir: &Path, records: u64) {
    let topic = config.topic.clone();
    let broker = KafkaBroker::connect(config).await.unwrap();
    let partitions = broker.partition_count();
    let store = EmbeddedStore::open(&dir.join("store.db")).unwrap();
    let control = Arc::new(Control::new(None));
    let pipeline = Pipeline::start(
        pipeline_config(&topic, Role::Process, None),
        SyntheticSource::new(0, Vec::new()),
        broker.clone(),
        store,
        control.clone(),
    );
    let stats = pipeline.stats.clone();
    // The member resets only the partitions it owns: all of them, once it has joined.
    until(
        "the member owns every partition",
        Duration::from_secs(60),
        async || broker.assigned().len() == partitions as usize,
    )
    .await;

    let plan = control.plan_reset(ResetTarget::Earliest).await.unwrap();
    assert_eq!(plan.len(), partitions as usize);
    assert!(
        plan.iter()
            .all(|r| r.new == 0 && r.current == r.high_watermark),
        "{plan:?}"
    );
    assert_eq!(plan.iter().map(|r| r.lag_after).sum::<u64>(), records);
    // A plan is a dry run.
    assert_eq!(totals(&broker).await, (records, records, 0));

    control.apply_reset(plan).await.unwrap();
    until(
        "every record is read again",
        Duration::from_secs(120),
        async || stats.duplicates.load(Relaxed) >= records,
    )
    .await;
    until(
        "the replay is committed",
        Duration::from_secs(60),
        async || totals(&broker).await == (records, records, 0),
    )
    .await;
    pipeline.shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(60), pipeline.join())
        .await
        .expect("the pipeline did not stop")
        .unwrap();
    assert_eq!(stats.duplicates.load(Relaxed), records);
    assert_eq!(
        stats.stage(Stage::Store).count(),
        0,
        "a replay stored a new row"
    );
    assert_eq!(rows(dir), records as i64);
    assert_aggregates_exact(dir);
}
