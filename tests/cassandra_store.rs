//! The Cassandra store against the in-process CQL peer: DDL, prepared upserts, logged batches,
//! paged reads, and exact aggregates through replays. The ignored test runs the same on a real
//! cluster: `USERSTREAM_CASSANDRA=host:port cargo test --test cassandra_store -- --ignored`.

mod support;

use std::sync::Arc;

use support::cassandra::{
    as_map, assert_exact, batch, group_by, peer_config, real_cluster, row, user,
};
use support::cql_peer::CqlPeer;
use userstream::model::{DeadLetter, Origin};
use userstream::store::cassandra::{CassandraConfig, CassandraStore};
use userstream::store::{PendingRow, Store, WriteBatch};

const BASE_MS: i64 = 1_790_000_000_000;

async fn open(config: CassandraConfig) -> CassandraStore {
    CassandraStore::connect(config).await.unwrap()
}

#[tokio::test]
async fn schema_applies_twice_and_every_statement_prepares() {
    let peer = CqlPeer::start();
    let config = peer_config(&peer.contact_point());
    let _first = open(config.clone()).await;
    // IF NOT EXISTS everywhere: a second start applies the schema again without error.
    let store = open(config).await;
    let tables: Vec<(String,)> = store
        .session()
        .query_unpaged(
            "SELECT table_name FROM system_schema.tables WHERE keyspace_name = 'spark_streams'",
            (),
        )
        .await
        .unwrap()
        .into_rows_result()
        .unwrap()
        .rows::<(String,)>()
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut names: Vec<String> = tables.into_iter().map(|(t,)| t).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "buckets",
            "count_partitions",
            "created_users",
            "dead_letter_replays",
            "dead_letters",
            "latest_users",
            "partition_counts",
        ]
    );
}

/// Writes, replays, and checks rows and aggregates, on any cluster.
async fn replay_changes_nothing(config: CassandraConfig) {
    let keyspace = config.keyspace.clone();
    let store = open(config).await;
    let first = Arc::new(batch(0..1500, 3, BASE_MS));
    let outcome = store.write(first.clone()).await.unwrap();
    assert_eq!((outcome.inserted, outcome.duplicates), (1500, 0));
    assert_eq!(assert_exact(&store, &keyspace).await, 1500);
    let before = as_map(&store.counts().await.unwrap());

    // The same records again, as after a crash before the offsets were committed.
    let again = store.write(first.clone()).await.unwrap();
    assert_eq!((again.inserted, again.duplicates), (0, 1500));
    assert_eq!(assert_exact(&store, &keyspace).await, 1500);
    assert_eq!(as_map(&store.counts().await.unwrap()), before);

    // A batch that half overlaps: only the new half counts.
    let overlap = store
        .write(Arc::new(batch(1000..2000, 3, BASE_MS)))
        .await
        .unwrap();
    assert_eq!((overlap.inserted, overlap.duplicates), (500, 500));
    assert_eq!(assert_exact(&store, &keyspace).await, 2000);
}

#[tokio::test]
async fn replays_change_neither_rows_nor_aggregates() {
    let peer = CqlPeer::start();
    replay_changes_nothing(peer_config(&peer.contact_point())).await;
}

#[tokio::test]
#[ignore = "needs a real cluster: USERSTREAM_CASSANDRA=host:port cargo test --test cassandra_store -- --ignored"]
async fn replays_change_nothing_on_a_real_cluster() {
    let Some(addr) = real_cluster("replays_change_nothing_on_a_real_cluster") else {
        return;
    };
    let config = CassandraConfig {
        keyspace: format!("userstream_test_{}", std::process::id()),
        ..CassandraConfig::local(&addr)
    };
    let keyspace = config.keyspace.clone();
    replay_changes_nothing(config.clone()).await;
    open(config)
        .await
        .session()
        .query_unpaged(format!("DROP KEYSPACE IF EXISTS {keyspace}"), ())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_changed_duplicate_moves_its_counts() {
    let peer = CqlPeer::start();
    let store = open(peer_config(&peer.contact_point())).await;
    store
        .write(Arc::new(batch(0..10, 2, BASE_MS)))
        .await
        .unwrap();
    let mut moved = user(4, BASE_MS);
    moved.country = "Iceland".into();
    moved.stored_at = "2030-01-01T00:00:00.000000Z".into();
    let outcome = store
        .write(Arc::new(WriteBatch {
            // Delivered through the other partition: per-partition counts go below zero there,
            // the sums stay exact.
            rows: vec![row(1, 100, moved)],
            dead_letters: Vec::new(),
        }))
        .await
        .unwrap();
    assert_eq!((outcome.inserted, outcome.duplicates), (0, 1));
    assert_eq!(assert_exact(&store, "spark_streams").await, 10);
    let counts = as_map(&store.counts().await.unwrap());
    assert_eq!(counts[&("country".into(), "Iceland".into())], 1);
}

#[tokio::test]
async fn latest_users_are_newest_first_across_pages_and_minutes() {
    let peer = CqlPeer::start();
    let mut config = peer_config(&peer.contact_point());
    config.batch_rows = 7;
    let store = open(config).await;
    // 1,800 users, one every 100 ms: three minute buckets, several pages each.
    let rows: Vec<PendingRow> = (0..1800)
        .map(|i| row(i % 3, u64::from(i), user(i, BASE_MS + i64::from(i) * 99)))
        .collect();
    let batch = WriteBatch {
        rows,
        dead_letters: Vec::new(),
    };
    store.write(Arc::new(batch)).await.unwrap();
    let latest = store.latest(1200).await.unwrap();
    assert_eq!(latest.len(), 1200);
    let ids: Vec<String> = latest.iter().map(|u| u.id.clone()).collect();
    let expected: Vec<String> = (600..1800).rev().map(|i| user(i, 0).id).collect();
    assert_eq!(ids, expected);
    assert_eq!(latest[0], user(1799, BASE_MS + 1799 * 99));
    assert_eq!(store.latest(5).await.unwrap().len(), 5);
}

#[tokio::test]
async fn counts_page_through_many_values() {
    let peer = CqlPeer::start();
    let store = open(peer_config(&peer.contact_point())).await;
    // 1,300 distinct email domains in 2 partitions: more count rows than one page holds.
    let rows: Vec<PendingRow> = (0..1300)
        .map(|i| {
            let mut u = user(i, BASE_MS);
            u.email_domain = format!("d{i}.example");
            row(i % 2, u64::from(i), u)
        })
        .collect();
    let users: Vec<_> = rows.iter().map(|r| (*r.user).clone()).collect();
    store
        .write(Arc::new(WriteBatch {
            rows,
            dead_letters: Vec::new(),
        }))
        .await
        .unwrap();
    assert_eq!(as_map(&store.counts().await.unwrap()), group_by(&users));
}

#[tokio::test]
async fn dead_letters_come_back_newest_first() {
    let peer = CqlPeer::start();
    let store = open(peer_config(&peer.contact_point())).await;
    let letter = |offset: u64, at: &str| DeadLetter {
        rule: "id_uuid".into(),
        reason: format!("record {offset} has no id"),
        payload: offset.is_multiple_of(2).then(|| "{\"id\":null}".into()),
        payload_base64: (!offset.is_multiple_of(2)).then(|| "/w==".into()),
        origin: Origin {
            topic: "users_created".into(),
            partition: 1,
            offset,
        },
        failed_at: at.into(),
    };
    let letters = vec![
        letter(1, "2026-03-01T10:00:00.000000Z"),
        letter(2, "2026-03-01T10:00:30.000000Z"),
        letter(3, "2026-03-01T10:05:00.000000Z"),
    ];
    store
        .write(Arc::new(WriteBatch {
            rows: Vec::new(),
            dead_letters: letters.clone(),
        }))
        .await
        .unwrap();
    let read = store.dead_letters(10).await.unwrap();
    let mut newest_first = letters.clone();
    newest_first.reverse();
    assert_eq!(read, newest_first);
    assert_eq!(store.dead_letters(2).await.unwrap(), newest_first[..2]);
}

#[tokio::test]
async fn a_lost_cluster_is_a_retryable_error() {
    let peer = CqlPeer::start();
    let mut config = peer_config(&peer.contact_point());
    config.request_timeout = std::time::Duration::from_secs(2);
    let store = open(config).await;
    drop(peer);
    let error = store
        .write(Arc::new(batch(0..10, 1, BASE_MS)))
        .await
        .expect_err("a write without a cluster cannot succeed");
    assert!(error.is_retryable(), "{error}");
    assert!(store.latest(10).await.err().unwrap().is_retryable());
}
