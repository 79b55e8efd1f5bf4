//! Password authentication against the CQL test peer, which asks for it as Cassandra's
//! `PasswordAuthenticator` does (SASL PLAIN): the right user and password (the password from
//! `USERSTREAM_CASSANDRA_PASSWORD`) store every record; a wrong password, or none, is refused
//! with one fatal line and a non-zero exit instead of a retry loop, and the password never
//! shows.

mod support;

use std::process::Command;
use std::time::Duration;

use support::cassandra::{assert_exact, peer_config};
use support::cql_peer::CqlPeer;
use support::run::{bounded, summary};
use userstream::store::Store;
use userstream::store::cassandra::{CassandraConfig, CassandraStore, Secret};

const USER: &str = "pipeline";
const PASSWORD: &str = "s3cret-Pa55";

/// `--store cassandra` on `peer` as `USER`, with `password` (if any) from the environment.
fn as_user(
    dir: &std::path::Path,
    peer: &CqlPeer,
    password: Option<&str>,
    args: &[&str],
) -> Command {
    let mut cmd = support::run::userstream(dir, args);
    cmd.args(["--store", "cassandra", "--cassandra", &peer.contact_point()])
        .args([
            "--consistency",
            "one",
            "--no-schema-metadata",
            "--no-schema-agreement",
            "--cassandra-user",
            USER,
        ]);
    if let Some(password) = password {
        cmd.env("USERSTREAM_CASSANDRA_PASSWORD", password);
    }
    cmd
}

const RUN: &[&str] = &[
    "--headless",
    "--max-records",
    "500",
    "--rate",
    "max",
    "--seed",
    "3",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_right_password_from_the_environment_stores_every_record() {
    let peer = CqlPeer::with_password(USER, PASSWORD);
    let dir = tempfile::tempdir().unwrap();
    let out = bounded(
        as_user(dir.path(), &peer, Some(PASSWORD), RUN),
        Duration::from_secs(120),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(summary(&out)["stored"], 500);
    assert!(!stderr.contains(PASSWORD), "{stderr}");

    let config = CassandraConfig {
        user: Some(USER.to_owned()),
        password: Some(Secret::new(PASSWORD)),
        ..peer_config(&peer.contact_point())
    };
    let store = CassandraStore::connect(config).await.unwrap();
    assert_eq!(assert_exact(&store, "spark_streams").await, 500);
    assert_eq!(store.latest(10).await.unwrap().len(), 10);
}

/// The one `userstream:` line of a refused run, after asserting it failed.
fn refused(out: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(!stderr.contains(PASSWORD), "{stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("userstream:"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    lines[0].to_owned()
}

#[test]
fn a_wrong_password_is_refused_with_one_line_and_no_retries() {
    let peer = CqlPeer::with_password(USER, PASSWORD);
    let dir = tempfile::tempdir().unwrap();
    let wrong = format!("{PASSWORD}-not");
    let out = bounded(
        as_user(dir.path(), &peer, Some(&wrong), RUN),
        Duration::from_secs(60),
    );
    let line = refused(&out);
    assert!(!line.contains(&wrong), "{line}");
    let expected = format!(
        "bad Cassandra credentials for user {USER} at {}",
        peer.contact_point()
    );
    assert!(line.contains(&expected), "{line}");
    assert!(
        line.contains("Provided username pipeline and/or password are incorrect"),
        "{line}"
    );
}

#[test]
fn no_password_for_a_cluster_that_asks_for_one_is_refused_with_one_line() {
    let peer = CqlPeer::with_password(USER, PASSWORD);
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = support::run::userstream(dir.path(), RUN);
    cmd.args(["--store", "cassandra", "--cassandra", &peer.contact_point()])
        .args([
            "--consistency",
            "one",
            "--no-schema-metadata",
            "--no-schema-agreement",
        ]);
    let line = refused(&bounded(cmd, Duration::from_secs(60)));
    let expected = format!(
        "{} requires password authentication: give --cassandra-user, and the password in \
         USERSTREAM_CASSANDRA_PASSWORD",
        peer.contact_point()
    );
    assert!(line.contains(&expected), "{line}");
}
