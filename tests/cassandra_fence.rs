//! Exact aggregates when ownership of a topic partition moves, on the CQL test peer with its
//! lightweight transactions: a writer whose epoch was taken over is refused and stops writing
//! the partition; a batch whose counts applied but whose answer was lost (or whose rows land
//! late) does not count twice when the new owner replays it; Kafka members trading partitions
//! in rebalances (the mock cluster) keep the counts exact and take a partition back when the
//! group returns it; a second embedded log on the same keyspace is refused at start.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use support::cassandra::{as_map, assert_exact, group_by, peer_config, row, user};
use support::cql_peer::CqlPeer;
use support::mock_kafka::{TOPIC, cluster};
use support::run::{success, summary};
use userstream::broker::KafkaBroker;
use userstream::broker::kafka::KafkaConfig;
use userstream::pipeline::{Control, Pipeline, PipelineConfig, Role};
use userstream::source::SyntheticSource;
use userstream::stats::{Stage, Stats};
use userstream::store::cassandra::{CassandraConfig, CassandraStore, statements, values};
use userstream::store::{Store, WriteBatch};

const BASE_MS: i64 = 1_790_000_000_000;

async fn open(config: CassandraConfig) -> CassandraStore {
    CassandraStore::connect(config).await.unwrap()
}

/// Users `range` on partition 0, user `i` at offset `i`.
fn on_partition_0(range: std::ops::Range<u32>) -> Arc<WriteBatch> {
    Arc::new(WriteBatch {
        rows: range
            .map(|i| row(0, u64::from(i), user(i, BASE_MS)))
            .collect(),
        dead_letters: Vec::new(),
    })
}

/// `(epoch, counted_upto)` of the owner row of partition 0.
async fn owner(store: &CassandraStore) -> (i64, i64) {
    store
        .session()
        .query_unpaged(
            "SELECT epoch, counted_upto FROM spark_streams.partition_counts WHERE topic = \
             'users_created' AND topic_partition = 0 AND dimension = '' AND value = ''",
            (),
        )
        .await
        .unwrap()
        .into_rows_result()
        .unwrap()
        .first_row::<(i64, i64)>()
        .unwrap()
}

#[tokio::test]
async fn a_stale_epochs_count_update_is_refused_and_its_writer_stops() {
    let peer = CqlPeer::start();
    let config = peer_config(&peer.contact_point());
    let a = open(config.clone()).await;
    a.write(on_partition_0(0..100)).await.unwrap();
    let partition_1 = WriteBatch {
        rows: (0..10)
            .map(|i| row(1, u64::from(i), user(1000 + i, BASE_MS)))
            .collect(),
        dead_letters: Vec::new(),
    };
    a.write(Arc::new(partition_1)).await.unwrap();
    assert_eq!(owner(&a).await, (1, 100));

    // A rebalance gives partition 0 to b, which takes the next epoch at its first write.
    let b = open(config).await;
    b.write(on_partition_0(100..200)).await.unwrap();
    assert_eq!(owner(&b).await, (2, 200));

    // What a's late conditional batch would send: refused, nothing changes.
    let stale = a
        .session()
        .query_unpaged(
            "UPDATE spark_streams.partition_counts SET counted_upto = 300 WHERE topic = \
             'users_created' AND topic_partition = 0 AND dimension = '' AND value = '' IF \
             epoch = 1 AND counted_upto = 200",
            (),
        )
        .await
        .unwrap()
        .into_rows_result()
        .unwrap()
        .first_row::<(bool,)>()
        .unwrap();
    assert_eq!(stale, (false,));
    let before = as_map(&a.counts().await.unwrap());

    // a itself: its next batch of partition 0 is refused with who holds it now, and stores
    // nothing; so is every later one read under the same assignment. Its other partitions are
    // still its own, in the same batch too.
    let mut mixed = (*on_partition_0(200..300)).clone();
    mixed.rows.push(row(1, 10, user(1010, BASE_MS)));
    let out = a.write(Arc::new(mixed)).await.unwrap();
    assert_eq!((out.inserted, out.lost.len()), (1, 1), "{out:?}");
    let (partition, message) = &out.lost[0];
    assert_eq!(*partition, 0);
    assert!(
        message.contains("partition 0 of topic users_created is now written by"),
        "{message}"
    );
    assert!(
        message.contains("(epoch 2; this process held epoch 1)"),
        "{message}"
    );
    let again = a.write(on_partition_0(300..310)).await.unwrap();
    assert_eq!(again.lost.len(), 1);
    assert_eq!(again.inserted, 0);
    assert_eq!(owner(&a).await, (2, 200));
    assert_eq!(assert_exact(&a, "spark_streams").await, 211);
    let after = as_map(&a.counts().await.unwrap());
    assert_eq!(
        after.values().sum::<u64>(),
        before.values().sum::<u64>() + 5
    );

    // The broker assigns partition 0 to a again (a later claim): a takes the next epoch and
    // goes on exactly.
    let mut back = (*on_partition_0(200..300)).clone();
    for r in &mut back.rows {
        r.claim = 1;
    }
    let out = a.write(Arc::new(back)).await.unwrap();
    assert_eq!((out.inserted, out.lost.len()), (100, 0), "{out:?}");
    assert_eq!(owner(&a).await, (3, 300));
    assert_eq!(assert_exact(&a, "spark_streams").await, 311);

    // So does a restarted process, and b, refused in turn, gets its lost partition back only
    // with a new assignment.
    let a2 = open(peer_config(&peer.contact_point())).await;
    a2.write(on_partition_0(300..400)).await.unwrap();
    assert_eq!(owner(&a2).await, (4, 400));
    assert_eq!(
        b.write(on_partition_0(400..410)).await.unwrap().lost.len(),
        1
    );
    assert_eq!(assert_exact(&a2, "spark_streams").await, 411);
}

#[tokio::test]
async fn a_partition_claimed_at_start_and_taken_over_stops_the_writer() {
    let peer = CqlPeer::start();
    // Two processes of one embedded log (a data dir copied, say): the second takes the
    // partitions at start, the first's next write is a fatal error naming the new owner.
    let config = CassandraConfig {
        log: "embedded:0123456789abcdef".to_owned(),
        claim: vec![0],
        ..peer_config(&peer.contact_point())
    };
    let a = open(config.clone()).await;
    a.write(on_partition_0(0..10)).await.unwrap();
    let _b = open(config).await;
    let error = a.write(on_partition_0(10..20)).await.unwrap_err();
    assert!(!error.is_retryable(), "{error}");
    assert!(error.to_string().contains("is now written by"), "{error}");
    assert_eq!(owner(&a).await, (2, 10));
}

#[tokio::test]
async fn a_late_applying_batch_after_takeover_does_not_double_count() {
    let peer = CqlPeer::start();
    let config = peer_config(&peer.contact_point());
    let a = open(config.clone()).await;
    a.write(on_partition_0(0..50)).await.unwrap();
    // a's next batch applies, but a sees a timeout: it commits no offsets and loses the
    // partition. The batch's counts are in; pretend its rows have not landed yet.
    a.write(on_partition_0(50..150)).await.unwrap();
    let late: Vec<u32> = (50..150).step_by(3).collect();
    for i in &late {
        a.session()
            .query_unpaged(
                "DELETE FROM spark_streams.created_users WHERE id = ?",
                (uuid_of(*i),),
            )
            .await
            .unwrap();
    }
    let counted = as_map(&a.counts().await.unwrap());

    // b takes over and replays from the committed offset (50), then goes on.
    let b = open(config).await;
    let replay = b.write(on_partition_0(50..150)).await.unwrap();
    assert_eq!(replay.inserted, late.len() as u64);
    assert_eq!(as_map(&b.counts().await.unwrap()), counted);
    b.write(on_partition_0(150..250)).await.unwrap();
    // a's rows land at last (the batchlog finishing a's batch): the same rows, no counts.
    let insert = statements::INSERT_USER.cql("spark_streams");
    for i in &late {
        let values = values::user_values(&user(*i, BASE_MS)).unwrap();
        a.session()
            .query_unpaged(insert.as_str(), values)
            .await
            .unwrap();
    }
    // a replaying what is stored writes nothing, so it needs no epoch; anything new it would
    // write is refused: b holds the partition.
    assert_eq!(a.write(on_partition_0(50..150)).await.unwrap().inserted, 0);
    let refused = a.write(on_partition_0(250..260)).await.unwrap();
    assert_eq!(
        (refused.inserted, refused.lost.len()),
        (0, 1),
        "{refused:?}"
    );
    assert!(
        refused.lost[0].1.contains("is now written by"),
        "{refused:?}"
    );
    let users: Vec<_> = (0..250).map(|i| user(i, BASE_MS)).collect();
    assert_eq!(as_map(&b.counts().await.unwrap()), group_by(&users));
    assert_eq!(assert_exact(&b, "spark_streams").await, 250);
}

#[tokio::test]
async fn an_id_counted_below_counted_upto_and_delivered_again_above_counts_once() {
    let peer = CqlPeer::start();
    let store = open(peer_config(&peer.contact_point())).await;
    store.write(on_partition_0(0..10)).await.unwrap();
    // The row of user 5 was lost with a crash after its count was committed.
    store
        .session()
        .query_unpaged(
            "DELETE FROM spark_streams.created_users WHERE id = ?",
            (uuid_of(5),),
        )
        .await
        .unwrap();
    // The replay holds user 5 twice: at offset 5 (counted) and 12 (not yet).
    let mut again = userstream::store::PendingRow {
        first_offset: 5,
        ..row(0, 12, user(5, BASE_MS))
    };
    again.user.stored_at = "2030-01-01T00:00:00.000000Z".into();
    let replay = WriteBatch {
        rows: vec![row(0, 11, user(11, BASE_MS)), again],
        dead_letters: Vec::new(),
    };
    store.write(Arc::new(replay)).await.unwrap();
    assert_eq!(assert_exact(&store, "spark_streams").await, 11);
}

fn uuid_of(i: u32) -> uuid::Uuid {
    uuid::Uuid::parse_str(&user(i, 0).id).unwrap()
}

/// The binary on the peer with an embedded log in `dir`.
fn run_on(peer: &CqlPeer, dir: &std::path::Path, records: &str) -> std::process::Command {
    let mut cmd = support::run::userstream(
        dir,
        &["--headless", "--max-records", records, "--rate", "max"],
    );
    cmd.args(["--store", "cassandra", "--cassandra", &peer.contact_point()])
        .args([
            "--consistency",
            "one",
            "--no-schema-metadata",
            "--no-schema-agreement",
        ]);
    cmd
}

#[test]
fn two_embedded_log_pipelines_on_one_keyspace_are_refused_at_start() {
    let peer = CqlPeer::start();
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let s = summary(&success(run_on(&peer, first.path(), "500")));
    assert_eq!(s["stored"], 500, "{s}");

    let out = run_on(&peer, second.path(), "500").output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("userstream:"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].contains("two embedded-log pipelines cannot write one keyspace"),
        "{stderr}"
    );
    assert!(
        lines[0].contains("already counts partition 0 of topic users_created"),
        "{stderr}"
    );

    // The first data dir again: its own log, so it takes its partitions back.
    let again = summary(&success(run_on(&peer, first.path(), "500")));
    assert_eq!(again["fetched"], 500, "{again}");
}

/// Waits until `stats` stored at least `n` records.
async fn stored(stats: &Stats, n: u64, what: &str) {
    let started = Instant::now();
    while stats.stage(Stage::Store).count() < n {
        assert!(started.elapsed() < Duration::from_secs(60), "{what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafka_members_trading_partitions_keep_counts_exact_and_take_them_back() {
    const RECORDS: u64 = 12_000;
    let _ = tracing_subscriber::fmt()
        .with_env_filter("userstream=warn")
        .with_test_writer()
        .try_init();
    let cluster = cluster(3);
    let peer = CqlPeer::start();
    // Short sessions: the mock cluster's rebalances wait for them.
    let properties = [
        "session.timeout.ms=6000",
        "max.poll.interval.ms=6000",
        "heartbeat.interval.ms=500",
    ];
    let kafka = KafkaConfig {
        request_timeout: Duration::from_secs(5),
        properties: properties.iter().map(|p| p.parse().unwrap()).collect(),
        ..KafkaConfig::new(&cluster.bootstrap_servers(), TOPIC, "fence")
    };
    let member = || async {
        let broker = KafkaBroker::connect(kafka.clone()).await.unwrap();
        // Each member its own store, so its own epochs, as two processes.
        let store = open(peer_config(&peer.contact_point())).await;
        (broker, store)
    };
    let config = PipelineConfig {
        batch_size: 200,
        poll_max: 500,
        drain_timeout: Duration::from_secs(60),
        ..PipelineConfig::default()
    };

    // a produces and processes; it holds every partition, so takes every epoch.
    let (broker, store) = member().await;
    let a = Pipeline::start(
        PipelineConfig {
            max_records: Some(RECORDS),
            ..config.clone()
        },
        SyntheticSource::new(11, Vec::new()),
        broker,
        store,
        Arc::new(Control::new(Some(600))),
    );
    let a_stats = a.stats.clone();
    stored(&a_stats, 1000, "a stored nothing").await;

    // b joins the group, takes partitions from a and writes them under new epochs.
    let (broker, store) = member().await;
    let b = Pipeline::start(
        PipelineConfig {
            role: Role::Process,
            ..config
        },
        SyntheticSource::new(11, Vec::new()),
        broker.clone(),
        store,
        Arc::new(Control::default()),
    );
    stored(&b.stats, 1, "b never stored a record").await;
    assert!(!broker.assigned().is_empty());
    let b_stats = b.stats.clone();
    b.shutdown.cancel();
    b.join().await.unwrap();
    // The last handle: the member leaves the group now, not at its session timeout.
    drop(broker);

    // b left: the group gives its partitions back to a, which takes them again (a later claim)
    // instead of stopping at the epochs b took.
    tokio::time::timeout(Duration::from_secs(120), a.join())
        .await
        .expect("a did not finish")
        .unwrap();
    let check = open(peer_config(&peer.contact_point())).await;
    assert_eq!(
        assert_exact(&check, "spark_streams").await,
        RECORDS as usize
    );
    let mut epochs = Vec::new();
    for partition in 0..3 {
        let (epoch, _): (i64, i64) = check
            .session()
            .query_unpaged(
                format!(
                    "SELECT epoch, counted_upto FROM spark_streams.partition_counts WHERE topic \
                     = 'users_created' AND topic_partition = {partition} AND dimension = '' AND \
                     value = ''"
                ),
                (),
            )
            .await
            .unwrap()
            .into_rows_result()
            .unwrap()
            .first_row()
            .unwrap();
        epochs.push(epoch);
    }
    // a (1), b (2), a again (3) on b's partitions.
    assert!(epochs.iter().any(|e| *e >= 3), "{epochs:?}");
    let taken = |s: &Stats| {
        s.partitions_taken_over
            .load(std::sync::atomic::Ordering::Relaxed)
    };
    eprintln!(
        "epochs {epochs:?}; batches left to a new owner: a {}, b {}",
        taken(&a_stats),
        taken(&b_stats)
    );
}
