//! The Kafka backend against librdkafka's in-process mock cluster: produce, consume, commit,
//! watermarks and lag, a group of two splitting the partitions, and a broker outage under the
//! real pipeline.

mod support;

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use support::run::assert_aggregates_exact;
use userstream::broker::kafka::KafkaConfig;
use userstream::broker::reset::ResetTarget;
use userstream::broker::{Broker, KafkaBroker, OutRecord};
use userstream::model::{DeadLetter, Origin};
use userstream::pipeline::{Control, Pipeline, PipelineConfig, Role};
use userstream::retry::RetryPolicy;
use userstream::source::SyntheticSource;
use userstream::stats::{Stage, StageState};
use userstream::store::EmbeddedStore;

use support::mock_kafka::{Cluster, TOPIC, cluster};

fn config(cluster: &Cluster, group: &str) -> KafkaConfig {
    KafkaConfig {
        ack_stall: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        ..KafkaConfig::new(&cluster.bootstrap_servers(), TOPIC, group)
    }
}

fn records(range: std::ops::Range<u32>) -> Arc<[OutRecord]> {
    range
        .map(|i| OutRecord {
            key: format!("user-{i}"),
            payload: format!("payload-{i}").into_bytes(),
        })
        .collect()
}

fn totals(lag: &[userstream::stats::PartitionLag]) -> (u64, u64, u64) {
    lag.iter().fold((0, 0, 0), |(c, h, l), p| {
        (c + p.committed, h + p.high_watermark, l + p.lag)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn produce_poll_commit_and_lag() {
    let cluster = cluster(3);
    let broker = KafkaBroker::connect(config(&cluster, "g1")).await.unwrap();
    assert_eq!(broker.partition_count(), 3);
    let described = broker.describe();
    assert_eq!(described.name, "kafka");
    assert_eq!(described.partitions, Some(3));
    assert_eq!(
        described.endpoint.as_deref(),
        Some(cluster.bootstrap_servers().as_str())
    );
    broker.produce(records(0..300)).await.unwrap();
    let (committed, high, lag) = totals(&broker.lag().await.unwrap());
    assert_eq!((committed, high, lag), (0, 300, 300));

    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen.len() < 300 && Instant::now() < deadline {
        let batch = broker.poll(100, Duration::from_millis(500)).await.unwrap();
        assert!(batch.len() <= 100);
        let mut next = std::collections::BTreeMap::new();
        for d in &batch {
            // Offsets arrive in order within a partition.
            let slot = next.entry(d.partition).or_insert(d.offset);
            assert!(d.offset >= *slot);
            *slot = d.offset + 1;
        }
        broker.commit(next.into_iter().collect()).await.unwrap();
        seen.extend(batch);
    }
    let payloads: HashSet<Vec<u8>> = seen.iter().map(|d| d.payload.clone()).collect();
    assert_eq!((seen.len(), payloads.len()), (300, 300));
    // Same key, same partition.
    for d in &seen {
        let i = String::from_utf8_lossy(&d.payload).replace("payload-", "");
        let again = seen.iter().filter(|e| e.payload == d.payload).count();
        assert_eq!(again, 1, "user-{i} delivered twice");
    }
    let (committed, high, lag) = totals(&broker.lag().await.unwrap());
    assert_eq!((committed, high, lag), (300, 300, 0));

    // A fresh handle of the same group sees the committed offsets from the cluster.
    let other = KafkaBroker::connect(config(&cluster, "g1")).await.unwrap();
    assert_eq!(totals(&other.lag().await.unwrap()), (300, 300, 0));
    let fresh_group = KafkaBroker::connect(config(&cluster, "g2")).await.unwrap();
    assert_eq!(totals(&fresh_group.lag().await.unwrap()), (0, 300, 300));

    let letter = DeadLetter {
        rule: "schema".into(),
        reason: "not JSON".into(),
        payload: Some("{".into()),
        payload_base64: None,
        origin: Origin {
            topic: TOPIC.into(),
            partition: 1,
            offset: 7,
        },
        failed_at: "2026-01-01T00:00:00Z".into(),
    };
    broker
        .dead_letter(vec![letter.clone(), letter])
        .await
        .unwrap();
    let letters = broker.read_dead_letters(10).await.unwrap();
    assert_eq!(letters.len(), 2);
    assert_eq!(letters[0].origin.offset, 7);
}

/// Polls and commits as a pipeline would, until `stop`; returns the payloads read.
async fn member_loop(member: KafkaBroker, stop: Arc<AtomicBool>) -> Vec<Vec<u8>> {
    let mut seen = Vec::new();
    let mut uncommitted = std::collections::BTreeMap::new();
    while !stop.load(Relaxed) {
        let batch = member.poll(50, Duration::from_millis(100)).await.unwrap();
        for d in &batch {
            uncommitted.insert(d.partition, d.offset + 1);
        }
        // During a rebalance a commit may be refused. The partitions this member still owns
        // are committed again on the next turn (their records are not read again, so nothing
        // else would move their offsets); those it lost are the new owner's to read again.
        if !uncommitted.is_empty() {
            match member
                .commit(uncommitted.clone().into_iter().collect())
                .await
            {
                Ok(()) => uncommitted.clear(),
                Err(e) => {
                    assert!(e.is_retryable(), "{e}");
                    let owned = member.assigned();
                    uncommitted.retain(|p, _| owned.contains(p));
                }
            }
        }
        seen.extend(batch.into_iter().map(|d| d.payload));
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_members_split_the_partitions() {
    let cluster = cluster(4);
    let a = KafkaBroker::connect(config(&cluster, "pair"))
        .await
        .unwrap();
    let b = KafkaBroker::connect(config(&cluster, "pair"))
        .await
        .unwrap();
    a.produce(records(0..800)).await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let runs = [a.clone(), b.clone()].map(|m| tokio::spawn(member_loop(m, stop.clone())));

    let deadline = Instant::now() + Duration::from_secs(60);
    let mut split = None;
    while Instant::now() < deadline && split.is_none() {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let (pa, pb) = (a.assigned(), b.assigned());
        // Lag may time out while the group rebalances; that only means "not yet".
        let lag = a.lag().await.map(|l| totals(&l).2);
        if !pa.is_empty() && !pb.is_empty() && lag.is_ok_and(|l| l == 0) {
            split = Some((pa, pb));
        }
    }
    stop.store(true, Relaxed);
    let mut seen = Vec::new();
    for run in runs {
        seen.extend(run.await.unwrap());
    }
    let (pa, pb) = split.expect("the two members never both owned partitions with lag 0");
    let (sa, sb): (BTreeSet<u32>, BTreeSet<u32>) =
        (pa.into_iter().collect(), pb.into_iter().collect());
    assert!(sa.is_disjoint(&sb), "{sa:?} {sb:?}");
    assert_eq!(sa.union(&sb).count(), 4);
    // At least once: every record was read; a rebalance may replay a few.
    let distinct: HashSet<&Vec<u8>> = seen.iter().collect();
    assert_eq!(distinct.len(), 800);
}

fn pipeline_config(max_records: u64) -> PipelineConfig {
    PipelineConfig {
        role: Role::All,
        topic: TOPIC.into(),
        batch_size: 500,
        max_records: Some(max_records),
        poll_max: 2000,
        max_lead: None,
        retry: RetryPolicy {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(1),
            circuit_threshold: Some(5),
            circuit_cooldown: Duration::from_secs(1),
        },
        ..PipelineConfig::default()
    }
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_outage_mid_run_loses_and_duplicates_nothing() {
    const RECORDS: u64 = 20_000;
    let cluster = cluster(3);
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(&dir.path().join("store.db")).unwrap();
    let broker = KafkaBroker::connect(config(&cluster, "outage"))
        .await
        .unwrap();
    let control = Arc::new(Control::new(Some(2000)));
    let source = SyntheticSource::new(42, Vec::new());
    let pipeline = Pipeline::start(
        pipeline_config(RECORDS),
        source,
        broker.clone(),
        store,
        control,
    );
    let stats = pipeline.stats.clone();

    // Mid-stream: the consumer has joined the group and stored records.
    let started = Instant::now();
    while stats.stage(Stage::Store).count() == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "nothing stored before the outage"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    cluster.broker_down(1).unwrap();
    let down_at = Instant::now();
    let mut saw_outage = false;
    while down_at.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let produce = stats.stage(Stage::Produce);
        saw_outage |= produce.state() == StageState::Backoff && produce.errors() > 0;
    }
    assert!(saw_outage, "the produce stage never showed the outage");
    // Acknowledged records before the outage, and not much more during it.
    let during = stats.stage(Stage::Produce).count();
    assert!(
        during < RECORDS,
        "everything was acknowledged while the broker was down"
    );
    cluster.broker_up(1).unwrap();
    let joined = tokio::time::timeout(Duration::from_secs(120), pipeline.join()).await;
    joined.expect("the pipeline did not finish").unwrap();
    assert_eq!(stats.stage(Stage::Store).count(), RECORDS);
    let replayed = stats.duplicates.load(Relaxed);
    eprintln!("records delivered again after the outage (absorbed by the store): {replayed}");
    assert_eq!(stats.stage(Stage::Produce).state(), StageState::Done);

    let conn = Connection::open(dir.path().join("store.db")).unwrap();
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM created_users"),
        RECORDS as i64
    );
    assert_eq!(
        count(&conn, "SELECT COUNT(DISTINCT id) FROM created_users"),
        RECORDS as i64
    );
    assert_aggregates_exact(dir.path());
    assert_eq!(totals(&broker.lag().await.unwrap()).2, 0);
}

/// Polls and commits `member` until it has read `want` records (or 30 s); returns them.
async fn read_records(member: &KafkaBroker, want: usize) -> Vec<Vec<u8>> {
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen.len() < want && Instant::now() < deadline {
        let batch = member.poll(100, Duration::from_millis(200)).await.unwrap();
        let mut next = std::collections::BTreeMap::new();
        for d in &batch {
            next.insert(d.partition, d.offset + 1);
        }
        member.commit(next.into_iter().collect()).await.unwrap();
        seen.extend(batch.into_iter().map(|d| d.payload));
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_resets_its_group_and_a_stranger_is_refused_while_it_is_active() {
    let cluster = cluster(2);
    let member = KafkaBroker::connect(config(&cluster, "reset"))
        .await
        .unwrap();
    member.produce(records(0..200)).await.unwrap();
    let first = read_records(&member, 200).await;
    assert_eq!(first.len(), 200);

    // A second handle of the group that never polls: a `userstream reset-offsets` process.
    let stranger = KafkaBroker::connect(config(&cluster, "reset"))
        .await
        .unwrap();
    let plan = stranger
        .plan_reset(ResetTarget::Earliest, vec![])
        .await
        .unwrap();
    assert_eq!(plan.len(), 2);
    assert!(
        plan.iter()
            .all(|r| r.new == 0 && r.current == r.high_watermark)
    );
    assert_eq!(plan.iter().map(|r| r.lag_after).sum::<u64>(), 200);
    // Planning moved nothing.
    assert_eq!(totals(&stranger.lag().await.unwrap()), (200, 200, 0));
    let refused = stranger.apply_reset(plan.clone()).await.unwrap_err();
    assert!(
        refused.to_string().contains("stop its consumers"),
        "{refused}"
    );
    assert_eq!(totals(&stranger.lag().await.unwrap()), (200, 200, 0));

    // The member itself seeks back: every record is read again.
    member.apply_reset(plan).await.unwrap();
    assert_eq!(totals(&member.lag().await.unwrap()), (0, 200, 200));
    let again = read_records(&member, 200).await;
    let (a, b): (HashSet<_>, HashSet<_>) =
        (first.into_iter().collect(), again.into_iter().collect());
    assert_eq!(a, b);
    assert_eq!(totals(&member.lag().await.unwrap()), (200, 200, 0));
}
