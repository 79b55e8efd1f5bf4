//! End to end: the real binary on a temp data dir, checked through `store.db` and its own tools.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use serde_json::Value;
use support::run::{assert_aggregates_exact, run_ok, summary, userstream};

fn rows(dir: &Path) -> i64 {
    let conn = Connection::open(dir.join("store.db")).unwrap();
    conn.query_row("SELECT COUNT(*) FROM created_users", [], |r| r.get(0))
        .unwrap()
}

fn lag(dir: &Path) -> Vec<Value> {
    let out = run_ok(dir, &["lag", "--json"]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn total(lag: &[Value], field: &str) -> u64 {
    lag.iter().map(|p| p[field].as_u64().unwrap()).sum()
}

#[test]
fn bounded_run_stores_every_record_with_exact_aggregates() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(
        dir.path(),
        &[
            "--headless",
            "--max-records",
            "20000",
            "--rate",
            "max",
            "--seed",
            "7",
        ],
    );
    let s = summary(&out);
    assert_eq!(s["fetched"], 20000);
    assert_eq!(s["stored"], 20000);
    assert_eq!(s["lag"], 0);
    assert!(s["latency_ms"]["p99"].as_f64().unwrap() > 0.0);
    assert!(s["peak_rss_bytes"].as_u64().unwrap() > 0);
    assert_eq!(rows(dir.path()), 20000);
    assert_aggregates_exact(dir.path());
    let lag = lag(dir.path());
    assert_eq!(lag.len(), 3);
    assert_eq!(total(&lag, "high_watermark"), 20000);
    assert_eq!(total(&lag, "lag"), 0);

    // The same seeded source again: every id is already stored.
    let again = summary(&run_ok(
        dir.path(),
        &[
            "--headless",
            "--max-records",
            "20000",
            "--rate",
            "max",
            "--seed",
            "7",
        ],
    ));
    assert_eq!(again["stored"], 0);
    assert_eq!(again["duplicates"], 20000);
    assert_eq!(rows(dir.path()), 20000);
    assert_aggregates_exact(dir.path());
}

#[test]
fn status_lines_carry_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(
        dir.path(),
        &[
            "--headless",
            "--duration",
            "1500ms",
            "--rate",
            "2000",
            "--status-interval",
            "300ms",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let status: Value = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["event"] == "status")
        .expect("no status line");
    for field in [
        "ts",
        "fetched",
        "produced",
        "consumed",
        "stored",
        "duplicates",
        "dead_lettered",
        "fetch_errors",
        "lag",
        "stored_per_s",
        "latency_ms",
        "source_state",
    ] {
        assert!(
            status.get(field).is_some(),
            "status line lacks {field}: {status}"
        );
    }
    for field in ["p50", "p99", "max"] {
        assert!(status["latency_ms"].get(field).is_some());
    }
    let s = summary(&out);
    assert!(s["elapsed_s"].as_f64().unwrap() >= 1.5);
    assert_eq!(s["stored"], s["fetched"]);
}

/// Reads status lines until `stored` reaches `at_least`.
fn wait_for_stored(child: &mut Child, at_least: u64) {
    let stdout = child.stdout.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    for line in BufReader::new(stdout).lines() {
        let v: Value = serde_json::from_str(&line.unwrap()).unwrap();
        if v["stored"].as_u64().unwrap_or(0) >= at_least {
            return;
        }
        assert!(Instant::now() < deadline, "never stored {at_least}");
    }
    panic!("the pipeline exited before storing {at_least}");
}

#[test]
fn kill_9_mid_run_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = userstream(
        dir.path(),
        &[
            "--headless",
            "--rate",
            "20000",
            "--status-interval",
            "100ms",
            "--seed",
            "9",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    wait_for_stored(&mut child, 5000);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let before = lag(dir.path());
    let in_log = total(&before, "high_watermark");
    assert!(in_log >= 5000);
    let s = summary(&run_ok(
        dir.path(),
        &["--headless", "--role", "process", "--drain"],
    ));
    assert_eq!(s["fetched"], 0);
    assert_eq!(total(&lag(dir.path()), "lag"), 0);
    // Every acknowledged record is stored exactly once (synthetic ids are distinct).
    assert_eq!(rows(dir.path()) as u64, in_log);
    assert_aggregates_exact(dir.path());
}

#[test]
fn sigterm_drains_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = userstream(
        dir.path(),
        &["--headless", "--rate", "5000", "--status-interval", "100ms"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    wait_for_stored(&mut child, 1000);
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    let committed = total(&lag(dir.path()), "committed");
    assert_eq!(rows(dir.path()) as u64, committed);
    run_ok(dir.path(), &["--headless", "--role", "process", "--drain"]);
    assert_eq!(
        rows(dir.path()) as u64,
        total(&lag(dir.path()), "high_watermark")
    );
}

#[test]
fn a_locked_data_dir_and_bad_flags_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut holder = userstream(
        dir.path(),
        &["--headless", "--rate", "10", "--status-interval", "50ms"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    // A status line means the holder has the lock.
    let mut first = String::new();
    BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("\"event\":\"status\""), "{first}");
    let out = userstream(dir.path(), &["--headless", "--max-records", "1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    holder.kill().unwrap();
    holder.wait().unwrap();
    assert!(
        err.contains("is in use by another userstream process"),
        "{err}"
    );

    let out = userstream(dir.path(), &["--rate", "fast"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a rate"), "{err}");
    assert_eq!(
        err.trim()
            .lines()
            .filter(|l| l.contains("not a rate"))
            .count(),
        1
    );
}
