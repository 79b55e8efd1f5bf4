//! Helpers shared by the integration tests. Every test file brings them in the same way, with
//! `mod support;`. A `mod.rs` here, not `tests/support.rs`, because Cargo would build the latter
//! as a test of its own.

// Each test crate uses a different part of these helpers.
#![allow(dead_code)]

pub mod cassandra;
pub mod cql_lwt;
pub mod cql_peer;
pub mod http;
pub mod kafka_replay;
pub mod mock_kafka;
pub mod run;
pub mod tls;

/// Whether the tests run under CI (`CI=true`), where a missing dependency is a failure.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Ends a test whose dependency is missing: under `CI=true` by failing it, otherwise by printing
/// that it skipped. The caller returns right after.
pub fn missing(test: &str, dependency: &str) {
    assert!(
        !under_ci(),
        "{test}: {dependency} is missing, and CI=true requires every test to run"
    );
    eprintln!("SKIPPED {test}: {dependency} is missing");
}
