//! The guarantees at the edges, each against the real binary: bad results inside good API
//! answers, oversize answers, retention under an uncommitted backlog, offsets after retention
//! emptied the log, one id twice in a batch, a dead API with `--duration`, and stops while the
//! store is locked.

mod support;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use serde_json::{Value, json};
use support::http::{FixtureServer, Response, users_page};
use support::run::{assert_aggregates_exact, run_ok, summary, userstream};
use userstream::broker::{Broker, OutRecord};

fn rows(dir: &Path) -> i64 {
    let conn = Connection::open(dir.join("store.db")).unwrap();
    conn.query_row("SELECT COUNT(*) FROM created_users", [], |r| r.get(0))
        .unwrap()
}

fn dead_letters(dir: &Path) -> Vec<Value> {
    let out = run_ok(dir, &["dead-letters"]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn lag_total(dir: &Path) -> (u64, u64) {
    let out = run_ok(dir, &["lag", "--json"]);
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let sum = |field: &str| lines.iter().map(|p| p[field].as_u64().unwrap()).sum();
    (sum("lag"), sum("high_watermark"))
}

/// A page of `results` fixture users with every fourth result broken in its own way.
fn page_with_bad_results(results: usize, page: u64) -> (Vec<u8>, usize) {
    let body: Value = serde_json::from_slice(&users_page(results, page)).unwrap();
    let mut users = body["results"].as_array().unwrap().clone();
    let mut bad = 0;
    for (i, user) in users.iter_mut().enumerate() {
        match i % 16 {
            3 => user["name"] = json!(12345),
            7 => user["location"]["street"]["number"] = json!("12B"),
            11 => user["location"]["postcode"] = json!(true),
            15 => *user = Value::Null,
            _ => continue,
        }
        bad += 1;
    }
    let body = json!({"results": users, "info": body["info"]});
    (serde_json::to_vec(&body).unwrap(), bad)
}

#[test]
fn bad_results_inside_good_answers_are_dead_lettered_and_the_rest_stored() {
    let dir = tempfile::tempdir().unwrap();
    let pages = AtomicUsize::new(0);
    let server = FixtureServer::start_with(move |_| {
        let page = pages.fetch_add(1, Ordering::SeqCst) as u64 + 1;
        Response::json(200, page_with_bad_results(64, page).0)
    });
    let (_, bad_per_page) = page_with_bad_results(64, 1);
    let out = run_ok(
        dir.path(),
        &[
            "--headless",
            "--source",
            "randomuser",
            "--api-url",
            &server.url(),
            "--rate",
            "max",
            "--batch-size",
            "64",
            "--max-records",
            "640",
        ],
    );
    let s = summary(&out);
    let bad = 10 * bad_per_page;
    assert_eq!(s["fetched"], 640, "{s}");
    assert_eq!(s["dead_lettered"], bad, "{s}");
    assert_eq!(s["stored"], 640 - bad, "{s}");
    assert_eq!(s["fetch_errors"], 0, "{s}");
    // Every page was asked for once: no answer was thrown away and fetched again.
    assert_eq!(server.requests().len(), 10);
    assert_eq!(rows(dir.path()), (640 - bad) as i64);
    assert_aggregates_exact(dir.path());
    let letters = dead_letters(dir.path());
    assert_eq!(letters.len(), bad);
    for letter in &letters {
        assert_eq!(letter["rule"], "decode", "{letter}");
        assert_eq!(letter["origin"]["topic"], "randomuser", "{letter}");
        let reason = letter["reason"].as_str().unwrap();
        assert!(reason.contains("is not a user"), "{reason}");
        assert!(!reason.contains("12B") && !reason.contains("@"), "{reason}");
        let payload = letter["payload"].as_str().unwrap();
        assert!(!payload.contains("password"), "{payload}");
    }
}

#[test]
fn oversize_and_overfull_answers_are_retried_and_never_overshoot_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let answers = AtomicUsize::new(0);
    let server = FixtureServer::start_with(move |target| {
        let asked: usize = support::http::query_param(target, "results")
            .and_then(|r| r.parse().ok())
            .unwrap_or(1);
        let n = answers.fetch_add(1, Ordering::SeqCst);
        match n {
            // More users than asked for.
            0 => Response::json(200, users_page(asked + 50, 1)),
            // A body past the 64 MiB limit.
            1 => {
                let mut body = b"{\"results\": [".to_vec();
                body.resize(65 * 1024 * 1024, b' ');
                Response::json(200, body)
            }
            _ => Response::json(200, users_page(asked, n as u64)),
        }
    });
    let out = run_ok(
        dir.path(),
        &[
            "--headless",
            "--source",
            "randomuser",
            "--api-url",
            &server.url(),
            "--rate",
            "max",
            "--batch-size",
            "100",
            "--max-records",
            "250",
            "--retry-initial",
            "10ms",
            "--retry-max",
            "20ms",
        ],
    );
    let s = summary(&out);
    assert_eq!(s["fetch_errors"], 2, "{s}");
    assert_eq!(s["fetched"], 250, "{s}");
    assert_eq!(s["stored"], 250, "{s}");
    assert_eq!(rows(dir.path()), 250);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("150 results; 100 were asked"), "{stderr}");
    assert!(stderr.contains("larger than 64 MiB"), "{stderr}");
}

#[test]
fn retention_never_deletes_what_was_not_processed_and_offsets_are_never_reused() {
    let dir = tempfile::tempdir().unwrap();
    let tight = [
        "--retention-bytes",
        "1",
        "--retention-interval",
        "20ms",
        "--retention-age",
        "1ms",
    ];
    // Ingest alone: nothing is committed while retention runs many times.
    let mut ingest = vec!["--headless", "--role", "ingest", "--rate", "5000"];
    ingest.extend(["--max-records", "3000", "--seed", "1"]);
    ingest.extend(tight);
    run_ok(dir.path(), &ingest);
    assert_eq!(lag_total(dir.path()), (3000, 3000));

    let mut drain = vec!["--headless", "--role", "process", "--drain"];
    drain.extend(tight);
    let s = summary(&run_ok(dir.path(), &drain));
    assert_eq!(s["stored"], 3000, "{s}");
    assert_eq!(rows(dir.path()), 3000);

    // Let retention empty the committed log, then restart and add more: new offsets only.
    let mut idle = vec!["--headless", "--role", "process", "--duration", "300ms"];
    idle.extend(tight);
    run_ok(dir.path(), &idle);
    let mut more = vec!["--headless", "--role", "ingest", "--rate", "max"];
    more.extend(["--max-records", "1000", "--seed", "2"]);
    run_ok(dir.path(), &more);
    assert_eq!(lag_total(dir.path()), (1000, 4000));
    let s = summary(&run_ok(dir.path(), &drain));
    assert_eq!(s["stored"], 1000, "{s}");
    assert_eq!(rows(dir.path()), 4000);
    assert_eq!(lag_total(dir.path()), (0, 4000));
    assert_aggregates_exact(dir.path());
}

#[test]
fn a_retention_size_that_overflows_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = userstream(
        dir.path(),
        &["--headless", "--retention-bytes", "99999999999999GB"],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("too large"), "{stderr}");
}

fn user(id: &str, first_name: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": id, "first_name": first_name, "last_name": "Lovelace", "gender": "female",
        "address": "12 Baker Street, London, Greater London, United Kingdom",
        "post_code": "NW1 6XE", "email": "ada@example.com", "username": "ada",
        "dob": "1990-12-10T08:00:00.000Z", "registered_date": "2015-06-01T10:00:00.000Z",
        "phone": "(0)20 7946 0018", "picture": "https://example.com/1.jpg",
        "schema_version": 2, "nat": "GB", "city": "London", "state": "Greater London",
        "country": "United Kingdom", "ingested_at": "2026-11-21T10:00:00.000Z", "source": "test"
    }))
    .unwrap()
}

/// Writes records straight into the data dir's log, as another producer would.
fn write_log(dir: &Path, records: Vec<OutRecord>) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let log = support::run::open_log(dir);
        log.produce(records.into()).await.unwrap();
    });
}

#[test]
fn the_later_of_two_versions_in_one_batch_wins() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (0..300)
        .map(|i| format!("6f1c2a8e-0000-4000-8000-{i:012}"))
        .collect();
    let mut records = Vec::new();
    for version in ["first", "second", "third"] {
        for id in &ids {
            records.push(OutRecord {
                key: id.clone(),
                payload: user(id, version),
            });
        }
    }
    write_log(dir.path(), records);
    let s = summary(&run_ok(
        dir.path(),
        &["--headless", "--role", "process", "--drain"],
    ));
    assert_eq!(s["stored"], 300, "{s}");
    assert_eq!(s["duplicates"], 600, "{s}");
    let conn = Connection::open(dir.path().join("store.db")).unwrap();
    let names: Vec<String> = conn
        .prepare("SELECT DISTINCT first_name FROM created_users")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(names, ["third"]);
    assert_aggregates_exact(dir.path());
}

#[test]
fn a_duration_ends_a_run_whose_api_is_dead() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let out = run_ok(
        dir.path(),
        &[
            "--headless",
            "--source",
            "randomuser",
            "--api-url",
            &format!("http://127.0.0.1:{port}/api/"),
            "--duration",
            "1500ms",
            "--retry-initial",
            "10ms",
            "--retry-max",
            "20ms",
            "--circuit-threshold",
            "2",
            "--circuit-cooldown",
            "30s",
        ],
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    let s = summary(&out);
    assert_eq!(s["fetched"], 0, "{s}");
    assert!(s["fetch_errors"].as_u64().unwrap() >= 2, "{s}");
}

fn spawn(dir: &Path, args: &[&str]) -> Child {
    userstream(dir, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn signal(child: &Child, name: &str) {
    let ok = Command::new("kill")
        .args([name, &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {name} failed");
}

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits for `child` to exit, at most `limit`; returns its output.
fn wait_exit(mut child: Child, limit: Duration) -> (Output, Duration) {
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return (child.wait_with_output().unwrap(), started.elapsed());
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("the process did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Takes SQLite's write lock on `store.db` once the running pipeline stored something.
fn lock_store(dir: &Path) -> Connection {
    wait_until("the first stored rows", Duration::from_secs(30), || {
        dir.join("store.db").exists()
            && Connection::open(dir.join("store.db"))
                .and_then(|c| {
                    c.query_row("SELECT COUNT(*) FROM created_users", [], |r| {
                        r.get::<_, i64>(0)
                    })
                })
                .is_ok_and(|n| n > 0)
    });
    let conn = Connection::open(dir.join("store.db")).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn.execute_batch("BEGIN EXCLUSIVE").unwrap();
    conn
}

#[test]
fn sigterm_with_the_store_locked_ends_within_the_drain_timeout_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let child = spawn(
        dir.path(),
        &[
            "--headless",
            "--rate",
            "2000",
            "--drain-timeout",
            "2s",
            "--retry-initial",
            "50ms",
            "--retry-max",
            "200ms",
        ],
    );
    let lock = lock_store(dir.path());
    std::thread::sleep(Duration::from_millis(500));
    signal(&child, "-TERM");
    let (out, took) = wait_exit(child, Duration::from_secs(20));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("drain timeout"), "{stderr}");
    assert!(
        stderr.contains("processed again at the next start"),
        "{stderr}"
    );
    // The drain timeout, plus at most one SQLite busy wait that was already under way.
    assert!(took < Duration::from_secs(12), "took {took:?}");
    drop(lock);

    // What was acknowledged but not committed is stored by the next run.
    run_ok(dir.path(), &["--headless", "--role", "process", "--drain"]);
    let (lag, high) = lag_total(dir.path());
    assert_eq!(lag, 0);
    assert_eq!(rows(dir.path()) as u64, high);
    assert_aggregates_exact(dir.path());
}

#[test]
fn a_second_signal_exits_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let child = spawn(
        dir.path(),
        &["--headless", "--rate", "2000", "--drain-timeout", "60s"],
    );
    let lock = lock_store(dir.path());
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, "-TERM");
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, "-INT");
    let (out, took) = wait_exit(child, Duration::from_secs(20));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("second signal"), "{stderr}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    drop(lock);
    run_ok(dir.path(), &["--headless", "--role", "process", "--drain"]);
    let (lag, high) = lag_total(dir.path());
    assert_eq!(lag, 0);
    assert_eq!(rows(dir.path()) as u64, high);
}
