//! End-to-end headless benchmark on the embedded defaults: runs the release binary on fresh data
//! dirs and reports medians of several runs.
//!
//! `cargo bench --bench pipeline` (set `USERSTREAM_BENCH_RECORDS` and `USERSTREAM_BENCH_RUNS`
//! to change the size of the throughput runs, 1,000,000 and 3 by default).

use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_userstream");

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs the binary headless with `args` on a fresh data dir and returns its summary line.
fn summary(args: &[&str]) -> Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.path())
        .arg("--headless")
        .args(args)
        .env("USERSTREAM_LOG", "warn")
        .output()
        .expect("run userstream");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.lines().last().expect("summary line")).expect("JSON summary")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; nothing here takes arguments.
    let records = env_or("USERSTREAM_BENCH_RECORDS", 1_000_000);
    let runs = env_or("USERSTREAM_BENCH_RUNS", 3) as usize;
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("userstream pipeline benchmark: {cores} cores, {runs} runs each, medians");

    let n = records.to_string();
    let throughput: Vec<Value> = (0..runs)
        .map(|_| summary(&["--max-records", &n, "--rate", "max"]))
        .collect();
    let per_s = median(
        throughput
            .iter()
            .map(|s| s["records_per_s"].as_f64().unwrap_or(0.0))
            .collect(),
    );
    let rss = median(
        throughput
            .iter()
            .map(|s| s["peak_rss_mb"].as_f64().unwrap_or(0.0))
            .collect(),
    );
    for s in &throughput {
        assert_eq!(
            s["stored"].as_u64(),
            Some(records),
            "a run lost records: {s}"
        );
    }
    println!(
        "throughput  {records} records, --rate max: {per_s:.0} records/s stored, peak RSS {rss:.0} MB"
    );

    let latency: Vec<Value> = (0..runs)
        .map(|_| summary(&["--rate", "10000", "--duration", "10s"]))
        .collect();
    let p50 = median(
        latency
            .iter()
            .map(|s| s["latency_ms"]["p50"].as_f64().unwrap_or(0.0))
            .collect(),
    );
    let p99 = median(
        latency
            .iter()
            .map(|s| s["latency_ms"]["p99"].as_f64().unwrap_or(0.0))
            .collect(),
    );
    let stored = median(
        latency
            .iter()
            .map(|s| s["records_per_s"].as_f64().unwrap_or(0.0))
            .collect(),
    );
    println!(
        "latency     10,000 records/s offered for 10 s: fetch-to-stored p50 {p50:.1} ms, p99 {p99:.1} ms ({stored:.0} records/s stored)"
    );
}
