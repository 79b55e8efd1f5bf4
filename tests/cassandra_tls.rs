//! The Cassandra store over TLS on a real TLS server: the CQL test peer behind stunnel (OpenSSL),
//! with a CA and a server certificate made by the test. A run through TLS with CA verification
//! stores every record with exact aggregates; a CA that did not sign the server's certificate is
//! refused with a one-line error and a non-zero exit, without retrying.

mod support;

use std::process::Command;
use std::time::Duration;

use support::cassandra::{assert_exact, peer_config};
use support::cql_peer::CqlPeer;
use support::run::{bounded, summary};
use support::tls::{Certs, Stunnel, certs};
use userstream::store::cassandra::CassandraStore;

/// `--store cassandra` through the TLS port, trusting `ca`.
fn through_tls(
    dir: &std::path::Path,
    tls: &Stunnel,
    ca: &std::path::Path,
    args: &[&str],
) -> Command {
    let mut cmd = support::run::userstream(dir, args);
    cmd.args(["--store", "cassandra", "--cassandra"])
        .arg(tls.addr.to_string())
        .args([
            "--consistency",
            "one",
            "--no-schema-metadata",
            "--no-schema-agreement",
        ])
        .arg("--cassandra-tls")
        .arg("--cassandra-ca")
        .arg(ca);
    cmd
}

fn setup(test: &str) -> Option<(CqlPeer, Certs, Stunnel)> {
    let peer = CqlPeer::start();
    let certs = certs(test, "IP:127.0.0.1")?;
    let tls = Stunnel::start(test, &certs, peer.addr)?;
    Some((peer, certs, tls))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_through_tls_with_ca_verification_stores_every_record_exactly() {
    let Some((peer, certs, tls)) = setup("a_run_through_tls_stores_every_record_exactly") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let run = [
        "--headless",
        "--max-records",
        "3000",
        "--rate",
        "max",
        "--seed",
        "5",
    ];
    let out = bounded(
        through_tls(dir.path(), &tls, &certs.ca(), &run),
        Duration::from_secs(120),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = summary(&out);
    assert_eq!(s["stored"], 3000, "{s}");
    assert_eq!(s["lag"], 0, "{s}");
    // Read back on the plain port: what went through TLS is what the peer holds.
    let store = CassandraStore::connect(peer_config(&peer.contact_point()))
        .await
        .unwrap();
    assert_eq!(assert_exact(&store, "spark_streams").await, 3000);
}

#[test]
fn a_wrong_ca_is_refused_with_a_one_line_error() {
    let Some((peer, certs, tls)) = setup("a_wrong_ca_is_refused_with_a_one_line_error") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let run = ["--headless", "--max-records", "10", "--rate", "max"];
    let out = bounded(
        through_tls(dir.path(), &tls, &certs.other_ca(), &run),
        Duration::from_secs(60),
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The driver logs its attempt; the program's own error is one line naming the cause.
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("userstream:"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    let expected = format!(
        "TLS: the certificate of {} is not signed by the CA in --cassandra-ca {}",
        tls.addr,
        certs.other_ca().display()
    );
    assert!(lines[0].contains(&expected), "{stderr}");
    assert!(lines[0].contains("UnknownIssuer"), "{stderr}");
    drop(peer);
}
