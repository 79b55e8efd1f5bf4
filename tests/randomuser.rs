//! The real binary against a local HTTP server serving randomuser fixtures, with failures
//! injected between good answers.

mod support;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use rusqlite::Connection;
use serde_json::Value;
use support::http::{FixtureServer, Response, users_handler};

/// Answers request `n` (from 0) with `script[n]` when it says so, else with a page of users.
fn scripted(script: Vec<Option<Response>>) -> FixtureServer {
    let good = users_handler();
    let count = AtomicUsize::new(0);
    FixtureServer::start_with(move |target| {
        let n = count.fetch_add(1, Ordering::SeqCst);
        match script.get(n).cloned().flatten() {
            Some(failure) => failure,
            None => good(target),
        }
    })
}

fn run(dir: &Path, server: &FixtureServer, extra: &[&str]) -> (Vec<Value>, String) {
    let out = support::run::userstream(
        dir,
        &[
            "--headless",
            "--source",
            "randomuser",
            "--api-url",
            &server.url(),
        ],
    )
    .args([
        "--rate",
        "max",
        "--retry-initial",
        "10ms",
        "--retry-max",
        "40ms",
    ])
    .args(extra)
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (lines, stderr)
}

#[test]
fn survives_every_kind_of_bad_answer_and_stores_every_user() {
    let dir = tempfile::tempdir().unwrap();
    let failures = vec![
        None,
        Some(Response::fixture(429, "errors/429-rate-limited.json")),
        None,
        Some(Response::fixture(503, "errors/503-cloudflare.html")),
        Some(Response::fixture(200, "errors/200-empty-results.json")),
        None,
        Some(Response::fixture(200, "errors/200-truncated.json")),
        Some(Response::fixture(500, "errors/500-outage.json")),
        None,
        Some(Response::fixture(403, "errors/403-blocked.html")),
    ];
    let injected = failures.iter().filter(|f| f.is_some()).count();
    let server = scripted(failures);
    let (lines, stderr) = run(
        dir.path(),
        &server,
        &[
            "--max-records",
            "3000",
            "--batch-size",
            "500",
            "--seed",
            "abc",
        ],
    );
    let summary = lines.last().unwrap();
    assert_eq!(summary["event"], "summary");
    assert_eq!(summary["fetched"], 3000);
    assert_eq!(summary["stored"], 3000);
    assert_eq!(summary["fetch_errors"], injected as u64);
    assert_eq!(summary["dead_lettered"], 0);
    assert!(stderr.contains("Fetch failed; retrying."), "{stderr}");

    // Seeded requests page through the API; failed pages are asked for again.
    let pages: Vec<String> = server
        .requests()
        .iter()
        .map(|t| support::http::query_param(t, "page").unwrap())
        .collect();
    assert_eq!(pages.first().map(String::as_str), Some("1"));
    assert!(
        server
            .requests()
            .iter()
            .all(|t| t.contains("seed=abc") && t.contains("results=500"))
    );

    // Every user is stored as the API gave it (minus the secrets).
    let conn = Connection::open(dir.path().join("store.db")).unwrap();
    let rows: i64 = conn
        .query_row("SELECT COUNT(*) FROM created_users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 3000);
    let mixed: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}/mixed-500.json", support::http::DATA_DIR)).unwrap(),
    )
    .unwrap();
    let want = &mixed["results"][0];
    let (first, country, post_code, source): (String, String, String, String) = conn
        .query_row(
            "SELECT first_name, country, post_code, source FROM created_users WHERE id = ?1",
            [support::http::page_uuid(1, 0)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(first, want["name"]["first"].as_str().unwrap());
    assert_eq!(country, want["location"]["country"].as_str().unwrap());
    let pc = &want["location"]["postcode"];
    assert_eq!(
        post_code,
        pc.as_str().map_or_else(|| pc.to_string(), str::to_owned)
    );
    assert_eq!(source, "randomuser");
    let leaked: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM created_users WHERE picture LIKE '%sha%' OR username = ''",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(leaked, 0);
}

#[test]
fn repeated_failures_open_the_circuit_and_it_shows() {
    let dir = tempfile::tempdir().unwrap();
    let mut script = vec![None];
    script.extend((0..6).map(|_| Some(Response::fixture(503, "errors/503-cloudflare.html"))));
    let server = scripted(script);
    let (lines, _) = run(
        dir.path(),
        &server,
        &[
            "--max-records",
            "400",
            "--batch-size",
            "100",
            "--circuit-threshold",
            "3",
            "--circuit-cooldown",
            "400ms",
            "--status-interval",
            "50ms",
        ],
    );
    let states: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["source_state"].as_str())
        .collect();
    assert!(states.contains(&"circuit_open"), "{states:?}");
    let summary = lines.last().unwrap();
    assert_eq!(summary["stored"], 400);
    assert_eq!(summary["fetch_errors"], 6);
}
