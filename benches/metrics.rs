//! What `--metrics-addr` costs: the release binary stores the same bounded run headless, without
//! the endpoint and with it while a scraper reads `/metrics` (and `/ready`) every second, the two
//! kinds of run interleaved (A B A B ...) so that the noise of a shared machine falls on both.
//! Reports the median records/s of each, their ratio, the median of the ratios of each pair, and
//! the median time of one scrape.
//!
//! `cargo bench --bench metrics` (`USERSTREAM_BENCH_RECORDS`, default 1,000,000, and
//! `USERSTREAM_BENCH_RUNS`, default 5 of each kind).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_userstream");

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn free_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address")
}

/// One HTTP/1.0 GET; whether a 200 came back.
fn get_ok(addr: SocketAddr, target: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    if write!(stream, "GET {target} HTTP/1.0\r\nHost: {addr}\r\n\r\n").is_err() {
        return false;
    }
    let mut answer = Vec::new();
    // The server answers an HTTP/1.0 request as HTTP/1.0.
    stream.read_to_end(&mut answer).is_ok() && answer.get(8..13) == Some(b" 200 ".as_slice())
}

/// Scrapes `/metrics` and asks `/ready` once a second until stopped; the time of each good
/// scrape.
struct Scraper {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Vec<Duration>>,
}

impl Scraper {
    fn start(addr: SocketAddr) -> Scraper {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut times = Vec::new();
            let mut next = Instant::now();
            while !flag.load(Ordering::SeqCst) {
                if Instant::now() >= next {
                    next += Duration::from_secs(1);
                    let started = Instant::now();
                    if get_ok(addr, "/metrics") {
                        times.push(started.elapsed());
                    }
                    get_ok(addr, "/ready");
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            times
        });
        Scraper { stop, thread }
    }

    fn stop(self) -> Vec<Duration> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().expect("scraper thread")
    }
}

/// One headless run of `records` at `--rate max`, with the endpoint scraped when `scraped`;
/// its records/s and the scrape times.
fn run(records: u64, scraped: bool) -> (f64, Vec<Duration>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let n = records.to_string();
    let mut cmd = Command::new(BIN);
    cmd.arg("--data-dir")
        .arg(dir.path())
        .args(["--headless", "--max-records", &n, "--rate", "max"])
        .env("USERSTREAM_LOG", "warn");
    let addr = free_addr();
    if scraped {
        cmd.args(["--metrics-addr", &addr.to_string()]);
    }
    let scraper = scraped.then(|| Scraper::start(addr));
    let out = cmd.output().expect("run userstream");
    let times = scraper.map(Scraper::stop).unwrap_or_default();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let summary: Value =
        serde_json::from_str(text.lines().last().expect("summary")).expect("JSON summary");
    assert_eq!(summary["stored"].as_u64(), Some(records), "{summary}");
    (summary["records_per_s"].as_f64().unwrap_or(0.0), times)
}

fn main() {
    let records = env_or("USERSTREAM_BENCH_RECORDS", 1_000_000);
    let runs = env_or("USERSTREAM_BENCH_RUNS", 5) as usize;
    println!("metrics endpoint benchmark: {records} records, --rate max, {runs} runs of each");
    let (mut plain, mut scraped, mut scrape_times) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..runs {
        // Alternate which kind goes first, so neither always runs on a warmer machine.
        for with_endpoint in [i % 2 == 1, i % 2 == 0] {
            let (per_s, times) = run(records, with_endpoint);
            println!(
                "  run {}: {:<28} {per_s:>9.0} records/s",
                i + 1,
                if with_endpoint {
                    "scraped every second"
                } else {
                    "no endpoint"
                }
            );
            if with_endpoint {
                assert!(!times.is_empty(), "no scrape answered");
                scraped.push(per_s);
                scrape_times.extend(times);
            } else {
                plain.push(per_s);
            }
        }
    }
    let pair_ratio = median(scraped.iter().zip(&plain).map(|(s, p)| s / p).collect());
    let (plain, scraped) = (median(plain), median(scraped));
    let scrape_ms = median(
        scrape_times
            .iter()
            .map(|t| t.as_secs_f64() * 1000.0)
            .collect(),
    );
    println!("no endpoint            median {plain:.0} records/s");
    println!("scraped every second   median {scraped:.0} records/s");
    println!(
        "ratio scraped / none   {:.3} (cost {:.1} %); one scrape median {scrape_ms:.2} ms over {} scrapes",
        scraped / plain,
        (1.0 - scraped / plain) * 100.0,
        scrape_times.len()
    );
    println!("median of the per-pair ratios {pair_ratio:.3}");
}
