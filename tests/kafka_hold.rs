//! A Kafka member under a store slower than `max.poll.interval.ms`, on librdkafka's mock
//! cluster: the store is held under an EXCLUSIVE SQLite lock by the test for longer than the
//! poll interval. The member must stay in its group (its partitions paused, polling on), and a
//! member whose commits the group refuses must drop them instead of retrying for ever; both
//! runs end with every record stored once, exact aggregates and no lag.

mod support;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
use rusqlite::Connection;
use support::run::assert_aggregates_exact;
use userstream::broker::kafka::KafkaConfig;
use userstream::broker::{Broker, KafkaBroker};
use userstream::pipeline::{Control, Pipeline, PipelineConfig, Role};
use userstream::retry::RetryPolicy;
use userstream::source::SyntheticSource;
use userstream::stats::{Stage, Stats};
use userstream::store::EmbeddedStore;

/// The poll interval of the members; every store stall below is longer. The mock cluster
/// answers a first join after 3 s, so the session timeout (at most the poll interval) cannot
/// be much shorter than this.
const MAX_POLL: Duration = Duration::from_millis(4000);

use support::mock_kafka::{Cluster, TOPIC, cluster};

/// A member that librdkafka evicts after `MAX_POLL` without a poll.
fn config(cluster: &Cluster, group: &str) -> KafkaConfig {
    let properties = [
        format!("max.poll.interval.ms={}", MAX_POLL.as_millis()),
        format!("session.timeout.ms={}", MAX_POLL.as_millis()),
        "heartbeat.interval.ms=500".to_owned(),
    ];
    KafkaConfig {
        ack_stall: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        properties: properties.iter().map(|p| p.parse().unwrap()).collect(),
        ..KafkaConfig::new(&cluster.bootstrap_servers(), TOPIC, group)
    }
}

fn pipeline_config(role: Role, max_records: Option<u64>) -> PipelineConfig {
    PipelineConfig {
        role,
        topic: TOPIC.into(),
        batch_size: 250,
        max_records,
        poll_max: 500,
        max_lead: None,
        retry: RetryPolicy {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(500),
            circuit_threshold: None,
            circuit_cooldown: Duration::from_secs(1),
        },
        ..PipelineConfig::default()
    }
}

fn start(dir: &Path, broker: &KafkaBroker, role: Role, records: Option<u64>) -> Pipeline {
    let store = EmbeddedStore::open(&dir.join("store.db")).unwrap();
    Pipeline::start(
        pipeline_config(role, records),
        SyntheticSource::new(7, Vec::new()),
        broker.clone(),
        store,
        Arc::new(Control::new(Some(2000))),
    )
}

/// Shows the pipeline's warnings (an eviction, a refused commit) with a failing test's output.
fn log_warnings() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("warn")
        .with_test_writer()
        .try_init();
}

async fn until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Holds the store's write lock, as a slow or stuck store would, until dropped.
fn lock_store(dir: &Path) -> Connection {
    let conn = Connection::open(dir.join("store.db")).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn.execute_batch("BEGIN EXCLUSIVE").unwrap();
    conn
}

fn assert_stored_once(dir: &Path, records: u64) {
    let conn = Connection::open(dir.join("store.db")).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT COUNT(*) FROM created_users"), records as i64);
    assert_eq!(
        count("SELECT COUNT(DISTINCT id) FROM created_users"),
        records as i64
    );
    assert_aggregates_exact(dir);
}

/// Waits until `broker`'s view of the group shows no lag. A view is up to a second old, so a
/// member sees the other's last commits a moment after they land.
async fn until_no_lag(broker: &KafkaBroker) {
    let started = Instant::now();
    loop {
        let lag: u64 = broker.lag().await.unwrap().iter().map(|p| p.lag).sum();
        if lag == 0 {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "lag never reached zero: {lag} left"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn stored(stats: &Stats) -> u64 {
    stats.stage(Stage::Store).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_slower_than_the_poll_interval_keeps_the_member_in_its_group() {
    const RECORDS: u64 = 6000;
    log_warnings();
    let cluster = cluster(3);
    let dir = tempfile::tempdir().unwrap();
    let broker = KafkaBroker::connect(config(&cluster, "slow"))
        .await
        .unwrap();
    let pipeline = start(dir.path(), &broker, Role::All, Some(RECORDS));
    let stats = pipeline.stats.clone();
    // Locked before the first write: however fast the store, nothing is stored before the
    // member is in its group and the pipeline is full.
    let lock = lock_store(dir.path());
    until(
        "the member owns partitions",
        Duration::from_secs(30),
        || !broker.assigned().is_empty(),
    )
    .await;
    // Half as long again as the poll interval with no store write getting through.
    tokio::time::sleep(MAX_POLL * 3 / 2).await;
    let assigned = broker.assigned();
    assert_eq!(assigned, [0, 1, 2]);
    assert_eq!(stored(&stats), 0, "the lock did not hold the store");
    assert_eq!(broker.revocations(), 0, "evicted while the store was slow");
    assert!(
        stats.consumer_holds.load(Relaxed) >= 1,
        "the consumer was never held"
    );
    drop(lock);

    let joined = tokio::time::timeout(Duration::from_secs(60), pipeline.join()).await;
    joined.expect("the pipeline did not finish").unwrap();
    // Never out of the group: no rebalance, no refused commit, the same partitions.
    assert_eq!(broker.revocations(), 0);
    assert_eq!(stats.commits_refused.load(Relaxed), 0);
    assert_eq!(broker.assigned(), assigned);
    assert_eq!(stored(&stats), RECORDS);
    assert_stored_once(dir.path(), RECORDS);
    until_no_lag(&broker).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_fenced_during_a_slow_write_drops_its_commits_and_ends_exact() {
    const RECORDS: u64 = 6000;
    log_warnings();
    let cluster = cluster(4);
    let dir = tempfile::tempdir().unwrap();
    let a = KafkaBroker::connect(config(&cluster, "fenced"))
        .await
        .unwrap();
    // Opened before the lock: opening a store writes its schema.
    let second_store = EmbeddedStore::open(&dir.path().join("store.db")).unwrap();
    let first = start(dir.path(), &a, Role::All, Some(RECORDS));
    let first_stats = first.stats.clone();
    // Locked before the first write, so the first member is still writing (and polling)
    // when the second joins, however fast the store.
    let lock = lock_store(dir.path());
    until(
        "the first member owns every partition",
        Duration::from_secs(30),
        || a.assigned().len() == 4,
    )
    .await;
    until(
        "the first member's write is stuck",
        Duration::from_secs(30),
        || first_stats.stage(Stage::Process).count() > 0,
    )
    .await;
    // A second member joins and takes partitions while the first one's write is stuck.
    let b = KafkaBroker::connect(config(&cluster, "fenced"))
        .await
        .unwrap();
    let second = Pipeline::start(
        pipeline_config(Role::Process, None),
        SyntheticSource::new(8, Vec::new()),
        b.clone(),
        second_store,
        Arc::new(Control::new(None)),
    );
    let second_stats = second.stats.clone();
    until(
        "the second member owns partitions",
        Duration::from_secs(30),
        || !b.assigned().is_empty() && a.assigned().len() < 4,
    )
    .await;
    // The group answers the next commits as a broker answers a member whose generation is
    // over: the members must drop them and go on, not retry them for ever.
    cluster.request_errors(
        RDKafkaApiKey::OffsetCommit,
        &[
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION,
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID,
        ],
    );
    tokio::time::sleep(MAX_POLL).await;
    drop(lock);

    let joined = tokio::time::timeout(Duration::from_secs(60), first.join()).await;
    joined.expect("the first pipeline did not finish").unwrap();
    let refused =
        first_stats.commits_refused.load(Relaxed) + second_stats.commits_refused.load(Relaxed);
    assert!(refused >= 1, "no commit was refused");
    assert!(
        a.revocations() >= 1,
        "the first member kept every partition"
    );
    until_no_lag(&a).await;
    second.shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(30), second.join())
        .await
        .expect("the second pipeline did not stop")
        .unwrap();
    assert_stored_once(dir.path(), RECORDS);
    until_no_lag(&b).await;
}

/// An offset reset asked while the store worker is stuck on a write: the reset's barrier waits
/// for that write as long as the store takes, and the member is held meanwhile (paused,
/// polling), so it stays in its group; once the store is back the reset applies and every
/// record is read again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_waiting_on_a_slow_store_keeps_the_member_in_its_group() {
    const RECORDS: u64 = 2000;
    log_warnings();
    let cluster = cluster(3);
    let dir = tempfile::tempdir().unwrap();
    support::kafka_replay::fill(config(&cluster, "fill"), dir.path(), RECORDS).await;

    let broker = KafkaBroker::connect(config(&cluster, "slow-reset"))
        .await
        .unwrap();
    let store = EmbeddedStore::open(&dir.path().join("store.db")).unwrap();
    let control = Arc::new(Control::new(None));
    let pipeline = Pipeline::start(
        pipeline_config(Role::Process, None),
        SyntheticSource::new(0, Vec::new()),
        broker.clone(),
        store,
        control.clone(),
    );
    let stats = pipeline.stats.clone();
    // Its group starts at the beginning: every record is a duplicate of the filled store.
    until("the first pass is read", Duration::from_secs(60), || {
        stats.duplicates.load(Relaxed) == RECORDS
    })
    .await;
    let assigned = broker.assigned();
    assert_eq!(assigned, [0, 1, 2]);
    let plan = control
        .plan_reset(userstream::broker::reset::ResetTarget::Earliest)
        .await
        .unwrap();

    // The store stalls under a last small batch (not JSON: dead letters), which the worker
    // takes and cannot write; the poller has nothing more to read.
    let lock = lock_store(dir.path());
    let processed = stats.stage(Stage::Process).count();
    let junk: Arc<[userstream::broker::OutRecord]> = (0..10)
        .map(|i| userstream::broker::OutRecord {
            key: format!("junk-{i}"),
            payload: b"not json".to_vec(),
        })
        .collect();
    broker.produce(junk).await.unwrap();
    until(
        "the last batch is handed to the store",
        Duration::from_secs(30),
        || stats.stage(Stage::Process).count() == processed + 10,
    )
    .await;
    let reset = tokio::spawn({
        let control = control.clone();
        async move { control.apply_reset(plan).await }
    });
    tokio::time::sleep(MAX_POLL * 3 / 2).await;
    assert!(!reset.is_finished(), "the reset did not wait for the store");
    assert_eq!(broker.revocations(), 0, "evicted while the reset waited");
    assert!(
        stats.consumer_holds.load(Relaxed) >= 1,
        "the consumer was never held"
    );
    drop(lock);

    tokio::time::timeout(Duration::from_secs(30), reset)
        .await
        .expect("the reset never applied")
        .unwrap()
        .unwrap();
    until("the replay is read", Duration::from_secs(60), || {
        stats.duplicates.load(Relaxed) == 2 * RECORDS
    })
    .await;
    until_no_lag(&broker).await;
    pipeline.shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(30), pipeline.join())
        .await
        .expect("the pipeline did not stop")
        .unwrap();
    assert_eq!(broker.revocations(), 0);
    assert_eq!(stats.commits_refused.load(Relaxed), 0);
    assert_eq!(broker.assigned(), assigned);
    assert_eq!(stored(&stats), 0);
    assert_stored_once(dir.path(), RECORDS);
}
