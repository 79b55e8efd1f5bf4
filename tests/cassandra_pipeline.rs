//! End to end: the real binary with `--store cassandra` against the in-process CQL peer stores
//! 20,000 users with exact aggregates, and a replay of the same records changes nothing. The
//! ignored test runs the same on a real cluster at `USERSTREAM_CASSANDRA` (`-- --ignored`).

mod support;

use std::path::Path;
use std::process::Output;

use support::cassandra::{as_map, assert_exact, peer_config, real_cluster};
use support::cql_peer::CqlPeer;
use support::run::{success, summary};
use userstream::store::Store;
use userstream::store::cassandra::CassandraConfig;
use userstream::store::cassandra::CassandraStore;

/// Flags that point the binary at the in-process peer.
fn on_peer(peer: &CqlPeer) -> Vec<String> {
    [
        "--cassandra",
        &peer.contact_point(),
        "--consistency",
        "one",
        "--no-schema-metadata",
        "--no-schema-agreement",
    ]
    .map(String::from)
    .to_vec()
}

/// A run with `--store cassandra` at `target`; asserts that it exited 0.
fn userstream(dir: &Path, target: &[String], args: &[&str]) -> Output {
    let mut cmd = support::run::userstream(dir, args);
    cmd.args(["--store", "cassandra"]).args(target);
    success(cmd)
}

const RUN: &[&str] = &[
    "--headless",
    "--max-records",
    "20000",
    "--rate",
    "max",
    "--seed",
    "7",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipeline_stores_20000_users_with_exact_aggregates_and_replays_change_nothing() {
    let peer = CqlPeer::start();
    let dir = tempfile::tempdir().unwrap();
    let first = summary(&userstream(dir.path(), &on_peer(&peer), RUN));
    assert_eq!(first["fetched"], 20000);
    assert_eq!(first["stored"], 20000);
    assert_eq!(first["lag"], 0);
    eprintln!(
        "first run: {} stored in {} s ({} records/s)",
        first["stored"], first["elapsed_s"], first["records_per_s"]
    );

    let store = CassandraStore::connect(peer_config(&peer.contact_point()))
        .await
        .unwrap();
    assert_eq!(assert_exact(&store, "spark_streams").await, 20000);
    let counts = as_map(&store.counts().await.unwrap());
    let genders: u64 = counts
        .iter()
        .filter(|((d, _), _)| d == "gender")
        .map(|(_, n)| n)
        .sum();
    assert_eq!(genders, 20000);
    assert_eq!(store.latest(200).await.unwrap().len(), 200);

    // The same seeded records again, as new offsets of the same log: every id is stored.
    let again = summary(&userstream(dir.path(), &on_peer(&peer), RUN));
    assert_eq!(again["stored"], 0);
    assert_eq!(again["duplicates"], 20000);
    assert_eq!(assert_exact(&store, "spark_streams").await, 20000);
    assert_eq!(as_map(&store.counts().await.unwrap()), counts);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real cluster: USERSTREAM_CASSANDRA=host:port cargo test --test cassandra_pipeline -- --ignored"]
async fn pipeline_on_a_real_cluster_is_exact_through_a_replay() {
    let Some(addr) = real_cluster("pipeline_on_a_real_cluster_is_exact_through_a_replay") else {
        return;
    };
    let keyspace = format!("userstream_e2e_{}", std::process::id());
    let target = ["--cassandra", &addr, "--keyspace", &keyspace].map(String::from);
    let dir = tempfile::tempdir().unwrap();
    let first = summary(&userstream(dir.path(), &target, RUN));
    assert_eq!(first["stored"], 20000);
    let config = CassandraConfig {
        keyspace: keyspace.clone(),
        ..CassandraConfig::local(&addr)
    };
    let store = CassandraStore::connect(config).await.unwrap();
    assert_eq!(assert_exact(&store, &keyspace).await, 20000);
    let again = summary(&userstream(dir.path(), &target, RUN));
    assert_eq!(again["duplicates"], 20000);
    assert_eq!(assert_exact(&store, &keyspace).await, 20000);
    store
        .session()
        .query_unpaged(format!("DROP KEYSPACE IF EXISTS {keyspace}"), ())
        .await
        .unwrap();
}

/// A record of the old pipelines: random id, numeric `post_code`, no `country`, and no
/// `ingested_at` — which must never stop the Cassandra store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_legacy_record_without_ingested_at_is_stored() {
    use userstream::broker::{Broker, OutRecord};

    let peer = CqlPeer::start();
    let dir = tempfile::tempdir().unwrap();
    let legacy = serde_json::json!({
        "id": "0b8f7c2e-1d2a-4e4b-9c1f-3a5b6c7d8e9f", "first_name": "Ann", "last_name": "Lee",
        "gender": "female", "address": "5 Elm Street, Leeds, West Yorkshire, United Kingdom",
        "post_code": 12345, "email": "ann@example.com", "username": "ann",
        "dob": "1990-01-01T00:00:00.000Z", "registered_date": "2016-03-04T05:06:07.000Z",
        "phone": "0113 496 0000", "picture": "https://example.com/a.jpg"
    });
    let log = support::run::open_log(dir.path());
    let record = OutRecord {
        key: "legacy".into(),
        payload: serde_json::to_vec(&legacy).unwrap(),
    };
    log.produce(vec![record].into()).await.unwrap();
    drop(log);
    let out = userstream(
        dir.path(),
        &on_peer(&peer),
        &["--headless", "--role", "process", "--drain"],
    );
    let s = summary(&out);
    assert_eq!(s["stored"], 1, "{s}");
    assert_eq!(s["dead_lettered"], 0, "{s}");
    let store = CassandraStore::connect(peer_config(&peer.contact_point()))
        .await
        .unwrap();
    let latest = store.latest(10).await.unwrap();
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].country, "United Kingdom");
    assert_eq!(latest[0].source, "legacy");
    assert!(!latest[0].ingested_at.is_empty());
}

#[test]
fn schema_subcommand_prints_the_schema_for_the_flags() {
    let out = support::run::success(support::run::bare(&[
        "schema",
        "--keyspace",
        "demo",
        "--replication",
        "dc1:3",
    ]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("CREATE KEYSPACE IF NOT EXISTS demo\n"));
    assert!(text.contains("'class': 'NetworkTopologyStrategy', 'dc1': '3'"));
    assert!(text.contains("CREATE TABLE IF NOT EXISTS demo.created_users"));
    assert!(!text.contains("spark_streams"));
}
