//! `userstream dead-letters replay` on the Cassandra store, against the in-process CQL peer:
//! records rejected by a field-size limit are listed by a dry run, re-published once the limit
//! is relaxed, marked in `dead_letter_replays` so a second replay publishes nothing, and
//! stored exactly once.

mod support;

use std::path::Path;
use std::process::Output;

use support::cassandra::{assert_exact, peer_config};
use support::cql_peer::CqlPeer;
use support::run::{success, summary};
use userstream::store::Store;
use userstream::store::cassandra::CassandraStore;

/// `userstream --store cassandra` on the peer (embedded log in `dir`); asserts exit 0.
fn userstream(dir: &Path, peer: &CqlPeer, args: &[&str]) -> Output {
    let mut cmd = support::run::userstream(dir, args);
    let contact = peer.contact_point();
    cmd.args(["--store", "cassandra", "--cassandra", &contact])
        .args([
            "--consistency",
            "one",
            "--no-schema-metadata",
            "--no-schema-agreement",
        ]);
    success(cmd)
}

/// Total lag and high watermark of the embedded log in `dir`.
fn lag_and_high(dir: &Path) -> (u64, u64) {
    let out = success(support::run::userstream(dir, &["lag", "--json"]));
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

fn lines(out: &Output) -> usize {
    String::from_utf8_lossy(&out.stdout).lines().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_letter_replayed_after_the_rule_is_relaxed_is_stored_once() {
    let peer = CqlPeer::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = [
        "--headless",
        "--max-records",
        "500",
        "--rate",
        "max",
        "--seed",
        "5",
        "--max-field-chars",
        "60",
    ];
    let first = summary(&userstream(d, &peer, &run));
    let dead = first["dead_lettered"].as_u64().unwrap();
    assert!(dead > 0, "{first}");
    assert_eq!(first["stored"].as_u64().unwrap() + dead, 500, "{first}");
    // Listed from Cassandra, not from the embedded store the data dir would hold.
    let listed = userstream(d, &peer, &["dead-letters", "--limit", "1000"]);
    assert_eq!(lines(&listed) as u64, dead);
    assert!(!d.join("store.db").exists());

    // The dry run lists them, without payloads, and publishes nothing.
    let out = userstream(
        d,
        &peer,
        &["dead-letters", "replay", "--rule", "field_size"],
    );
    assert_eq!(lines(&out) as u64, dead);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("@example.com"));
    assert_eq!(lag_and_high(d), (0, 500));
    // Filters that take nothing: another rule, a time after every letter.
    let other = ["dead-letters", "replay", "--rule", "id_uuid", "--execute"];
    assert_eq!(lines(&userstream(d, &peer, &other)), 0);
    let later = [
        "dead-letters",
        "replay",
        "--since",
        "2099-01-01T00:00:00Z",
        "--execute",
    ];
    assert_eq!(lines(&userstream(d, &peer, &later)), 0);
    assert_eq!(lag_and_high(d), (0, 500));

    let replay = [
        "dead-letters",
        "replay",
        "--rule",
        "field_size",
        "--since",
        "-1h",
        "--execute",
    ];
    assert_eq!(lines(&userstream(d, &peer, &replay)) as u64, dead);
    assert_eq!(lag_and_high(d), (dead, 500 + dead));
    // Marked: a second replay publishes nothing.
    let again = userstream(d, &peer, &["dead-letters", "replay", "--execute"]);
    assert_eq!(
        lines(&again),
        0,
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    assert_eq!(lag_and_high(d), (dead, 500 + dead));

    // The limit relaxed (the default): every user stored exactly once.
    let drain = summary(&userstream(
        d,
        &peer,
        &["--headless", "--role", "process", "--drain"],
    ));
    assert_eq!(drain["stored"].as_u64(), Some(dead), "{drain}");
    assert_eq!(drain["dead_lettered"].as_u64(), Some(0), "{drain}");
    assert_eq!(lag_and_high(d), (0, 500 + dead));
    let store = CassandraStore::connect(peer_config(&peer.contact_point()))
        .await
        .unwrap();
    assert_eq!(assert_exact(&store, "spark_streams").await, 500);
    assert_eq!(store.dead_letters(10_000).await.unwrap().len() as u64, dead);
}
