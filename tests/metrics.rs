//! `--metrics-addr` end to end: the real binary runs headless against the fixture server
//! standing in for randomuser.me, a real Prometheus (Debian's `prometheus` package) scrapes it
//! every second, and the test checks
//!
//! - `/healthz` answers, `/ready` is 200, goes 503 with a one-line JSON reason while the API is
//!   down and the circuit is open, and back to 200 once the API answers again;
//! - `promtool check metrics` accepts the scrape;
//! - through Prometheus's HTTP query API, the last scraped `userstream_` series equal the
//!   headless summary line (the endpoint lingers until one scrape has read the final numbers).
//!
//! Without `prometheus` and `promtool` it fails under `CI=true` and prints that it skipped
//! otherwise (`scripts/install-deps.sh` installs them).

mod support;

use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::http::{FixtureServer, Response, users_handler};

/// Users the bounded run fetches: 20 s at `--rate 200`, time for the outage in the middle.
const RECORDS: u64 = 4000;

/// A child process killed by its PID when dropped, so a failed assertion leaves nothing behind.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// One HTTP/1.0 GET (so no chunked answer) on a fresh connection: the status and the body.
fn get(addr: SocketAddr, target: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(stream, "GET {target} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok()?;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body.to_owned()))
}

/// Polls `check` every 100 ms until it returns `Some`, or panics after `limit` naming `what`.
fn wait_for<T>(limit: Duration, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `/ready` once it answers `status`; the body.
fn ready_becomes(addr: SocketAddr, status: u16) -> String {
    wait_for(Duration::from_secs(30), &format!("/ready {status}"), || {
        get(addr, "/ready").and_then(|(s, body)| (s == status).then_some(body))
    })
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An instant query through Prometheus's HTTP API: each result's labels and value.
fn query(prometheus: SocketAddr, promql: &str) -> Vec<(Value, f64)> {
    let target = format!("/api/v1/query?query={}", percent_encode(promql));
    let Some((200, body)) = get(prometheus, &target) else {
        return Vec::new();
    };
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["status"], "success", "{promql}: {body}");
    answer["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let value = r["value"][1].as_str().unwrap().parse().unwrap();
            (r["metric"].clone(), value)
        })
        .collect()
}

/// The last scraped value of every series `selector` picks, keyed by `label`.
fn last_values(prometheus: SocketAddr, selector: &str, label: &str) -> Vec<(String, f64)> {
    let mut values: Vec<(String, f64)> =
        query(prometheus, &format!("last_over_time({selector}[10m])"))
            .into_iter()
            .map(|(metric, v)| (metric[label].as_str().unwrap_or("").to_owned(), v))
            .collect();
    values.sort_by(|a, b| a.0.cmp(&b.0));
    values
}

fn tools_installed() -> bool {
    ["prometheus", "promtool"].iter().all(|tool| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn start_prometheus(dir: &Path, target: SocketAddr) -> (Killed, SocketAddr) {
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  \
             - job_name: userstream\n    static_configs:\n      - targets: ['{target}']\n"
        ),
    )
    .unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let log = File::create(dir.join("prometheus.log")).unwrap();
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("tsdb").display()
        ))
        .arg(format!("--web.listen-address={addr}"))
        .arg("--log.level=warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("prometheus starts");
    let prometheus = Killed(child);
    wait_for(Duration::from_secs(60), "Prometheus to be ready", || {
        get(addr, "/-/ready").filter(|(s, _)| *s == 200)
    });
    (prometheus, addr)
}

fn start_userstream(dir: &Path, api_url: &str, metrics: SocketAddr) -> Killed {
    let records = RECORDS.to_string();
    let metrics = metrics.to_string();
    let mut cmd = support::run::userstream(
        &dir.join("data"),
        &["--headless", "--source", "randomuser", "--api-url", api_url],
    );
    cmd.args([
        "--rate",
        "300",
        "--batch-size",
        "20",
        "--max-records",
        &records,
    ])
    .args(["--circuit-threshold", "2", "--circuit-cooldown", "200ms"])
    .args(["--retry-initial", "20ms", "--retry-max", "50ms"])
    .args(["--status-interval", "1s", "--metrics-linger", "30s"])
    .env("USERSTREAM_METRICS_ADDR", &metrics)
    .env("USERSTREAM_LOG", "warn")
    .stdout(File::create(dir.join("stdout")).unwrap())
    .stderr(File::create(dir.join("stderr")).unwrap());
    Killed(cmd.spawn().expect("userstream starts"))
}

/// `promtool check metrics` on one scrape of `/metrics`.
fn promtool_check(scrape: &str) -> Output {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(scrape.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn prometheus_scrapes_what_the_summary_reports_and_ready_follows_the_circuit() {
    if !tools_installed() {
        support::missing(
            "metrics",
            "prometheus or promtool (scripts/install-deps.sh)",
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let api_down = Arc::new(AtomicBool::new(false));
    let server = {
        let (down, users) = (api_down.clone(), users_handler());
        FixtureServer::start_with(move |target| {
            if down.load(Ordering::SeqCst) {
                Response::fixture(503, "errors/503-cloudflare.html")
            } else {
                users(target)
            }
        })
    };
    let metrics: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let (_prometheus, prometheus) = start_prometheus(dir.path(), metrics);
    let mut userstream = start_userstream(dir.path(), &server.url(), metrics);

    assert_eq!(ready_becomes(metrics, 200), "{\"ready\":true}\n");
    assert_eq!(get(metrics, "/healthz").map(|(s, _)| s), Some(200));
    // Prometheus applies new targets every few seconds; the outage must come after its first
    // scrape so that a scrape sees the open circuit.
    wait_for(Duration::from_secs(30), "Prometheus's first scrape", || {
        query(prometheus, "up")
            .iter()
            .any(|(_, v)| *v == 1.0)
            .then_some(())
    });

    api_down.store(true, Ordering::SeqCst);
    let reason = ready_becomes(metrics, 503);
    assert_eq!(reason.lines().count(), 1, "{reason}");
    let reason: Value = serde_json::from_str(&reason).unwrap();
    assert_eq!(reason["ready"], false);
    assert!(
        reason["reason"].as_str().unwrap().contains("circuit open"),
        "{reason}"
    );
    // The API stays down until Prometheus has scraped the open circuit.
    wait_for(
        Duration::from_secs(30),
        "a scrape of the open circuit",
        || {
            query(
                prometheus,
                r#"userstream_source_state{state="circuit_open"}"#,
            )
            .iter()
            .any(|(_, v)| *v == 1.0)
            .then_some(())
        },
    );
    let (_, scrape) = get(metrics, "/metrics").unwrap();
    assert!(
        scrape.contains("userstream_source_state{state=\"circuit_open\"} 1"),
        "{scrape}"
    );
    let checked = promtool_check(&scrape);
    assert!(
        checked.status.success(),
        "promtool check metrics: {}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
    api_down.store(false, Ordering::SeqCst);
    assert_eq!(ready_becomes(metrics, 200), "{\"ready\":true}\n");

    let status = wait_for(Duration::from_secs(180), "userstream to exit", || {
        userstream.0.try_wait().unwrap()
    });
    let stdout = std::fs::read_to_string(dir.path().join("stdout")).unwrap();
    let stderr = std::fs::read_to_string(dir.path().join("stderr")).unwrap();
    assert!(status.success(), "userstream failed: {status}\n{stderr}");
    let summary: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(summary["event"], "summary", "{stdout}");
    assert_eq!(summary["fetched"].as_u64(), Some(RECORDS));
    assert!(summary["fetch_errors"].as_u64().unwrap() >= 2, "{summary}");

    let field = |name: &str| summary[name].as_f64().unwrap();
    let mut want_records: Vec<(String, f64)> = [
        "fetched",
        "produced",
        "consumed",
        "stored",
        "duplicates",
        "dead_lettered",
    ]
    .iter()
    .map(|stage| (stage.to_string(), field(stage)))
    .collect();
    want_records.sort_by(|a, b| a.0.cmp(&b.0));
    // The last scrape lands a moment after the exit; give Prometheus a few seconds.
    wait_for(
        Duration::from_secs(20),
        "Prometheus to hold the final numbers",
        || {
            (last_values(prometheus, "userstream_records_total", "stage") == want_records)
                .then_some(())
        },
    );
    let fetch_errors: f64 = last_values(prometheus, "userstream_fetch_errors_total", "kind")
        .iter()
        .map(|(_, v)| v)
        .sum();
    assert_eq!(fetch_errors, field("fetch_errors"));
    let by_kind = last_values(prometheus, "userstream_fetch_errors_total", "kind");
    assert!(
        by_kind.iter().any(|(k, v)| k == "http_status" && *v >= 2.0),
        "{by_kind:?}"
    );
    let one = |selector: &str| {
        let values = last_values(prometheus, selector, "");
        assert_eq!(values.len(), 1, "{selector}: {values:?}");
        values[0].1
    };
    assert_eq!(one("userstream_consumer_group_lag"), field("lag"));
    assert_eq!(
        one("userstream_fetch_to_stored_seconds_count"),
        summary["latency_ms"]["count"].as_f64().unwrap()
    );
    assert_eq!(one(r#"userstream_source_state{state="done"}"#), 1.0);
    let open = query(
        prometheus,
        r#"max_over_time(userstream_source_state{state="circuit_open"}[10m])"#,
    );
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].1, 1.0, "no scrape saw the open circuit");
    assert_eq!(
        one(r#"userstream_build_info{source="randomuser",broker="embedded"}"#),
        1.0
    );
    check_dashboard(prometheus, &scrape);
}

/// Every query of the Grafana dashboard in `compose/` parses in Prometheus and names only metric
/// families the endpoint exposes.
fn check_dashboard(prometheus: SocketAddr, scrape: &str) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/compose/grafana/dashboards/userstream.json"
    );
    let dashboard: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut checked = 0;
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"]
                .as_str()
                .unwrap()
                .replace("$__rate_interval", "1m")
                .replace("$job", "userstream");
            let answer = get(
                prometheus,
                &format!("/api/v1/query?query={}", percent_encode(&expr)),
            );
            assert_eq!(answer.map(|(s, _)| s), Some(200), "{expr}");
            let names = expr
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|word| word.starts_with("userstream_"));
            for name in names {
                let family = ["_bucket", "_sum", "_count"]
                    .iter()
                    .find_map(|suffix| name.strip_suffix(suffix))
                    .filter(|f| scrape.contains(&format!("# TYPE {f} histogram")))
                    .unwrap_or(name);
                assert!(
                    scrape.contains(&format!("# TYPE {family} ")),
                    "{name} in {expr} is not exposed"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} queries");
}

#[test]
fn the_compose_prometheus_config_is_valid() {
    if !tools_installed() {
        support::missing(
            "compose prometheus.yml",
            "promtool (scripts/install-deps.sh)",
        );
        return;
    }
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/compose/prometheus.yml");
    let out = Command::new("promtool")
        .args(["check", "config", config])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
