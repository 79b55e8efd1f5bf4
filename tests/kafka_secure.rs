//! Kafka over TLS and SASL against real servers on loopback: tansu (a Kafka-protocol broker)
//! behind stunnel (Debian's `stunnel4`, an OpenSSL TLS server), both started by each test and
//! stopped by their PID. tansu's advertised listener is the stunnel address, so every
//! connection the clients make goes through TLS.
//!
//! SASL: tansu 0.6 offers SCRAM-SHA-256 and SCRAM-SHA-512 (and OAUTHBEARER); its SASL library is
//! built without PLAIN, so PLAIN can only be shown refused here. Users are created with
//! `tansu user create` on a first start without `--authentication`, then tansu is restarted on
//! the same storage with it.
//!
//! `#[ignore]`d: `scripts/kafka-tests.sh` runs them with `--ignored` and sets `USERSTREAM_TANSU`
//! to the tansu it installed. Without tansu, stunnel4 or openssl a test fails under `CI=true`
//! and says that it skipped otherwise.

mod support;

use std::collections::HashSet;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use support::run::{assert_aggregates_exact, summary};
use support::tls::{Certs, Stunnel, certs};

/// The certificate of the good listener names the address the clients use.
const SAN: &str = "IP:127.0.0.1,DNS:localhost";

/// The tansu binary: `USERSTREAM_TANSU`, else `tansu` on the PATH or in cargo's bin dir.
fn tansu_bin(test: &str) -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("USERSTREAM_TANSU").map(PathBuf::from),
        Some(PathBuf::from("tansu")),
        std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin/tansu")),
    ];
    let found = candidates.into_iter().flatten().find(|bin| {
        Command::new(bin)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if found.is_none() {
        support::missing(test, "tansu (scripts/kafka-tests.sh installs it)");
    }
    found
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A tansu broker on `port`, with its data in `dir`; killed by its PID when dropped.
struct Tansu {
    child: Child,
}

impl Tansu {
    fn start(bin: &Path, dir: &Path, port: u16, advertised: SocketAddr, auth: bool) -> Tansu {
        let mut cmd = Command::new(bin);
        cmd.current_dir(dir)
            .arg("broker")
            .arg("--listener-url")
            .arg(format!("tcp://127.0.0.1:{port}"))
            .arg("--advertised-listener-url")
            .arg(format!("tcp://{advertised}"))
            .args(["--storage-engine", "sqlite://tansu.db", "--silent"])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("tansu.log")).unwrap());
        if auth {
            cmd.arg("--authentication");
        }
        let mut child = cmd.spawn().unwrap();
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                let log = std::fs::read_to_string(dir.join("tansu.log")).unwrap_or_default();
                panic!("tansu exited ({status}): {log}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "tansu did not listen"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Tansu { child }
    }
}

impl Drop for Tansu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// tansu behind stunnel: clients reach it only through TLS.
struct Secured {
    certs: Certs,
    tls: Stunnel,
    _tansu: Tansu,
    _data: tempfile::TempDir,
}

impl Secured {
    /// Starts both; with `users`, tansu requires SASL and knows these `(name, password,
    /// mechanism)` (`scram256` or `scram512`).
    fn start(test: &str, users: &[(&str, &str, &str)]) -> Option<Secured> {
        let bin = tansu_bin(test)?;
        let certs = certs(test, SAN)?;
        let port = free_port();
        let tls = Stunnel::start(test, &certs, ([127, 0, 0, 1], port).into())?;
        let data = tempfile::tempdir().unwrap();
        if !users.is_empty() {
            let open = Tansu::start(&bin, data.path(), port, tls.addr, false);
            for (name, password, mechanism) in users {
                let out = Command::new(&bin)
                    .args(["user", "create", "--broker"])
                    .arg(format!("tcp://127.0.0.1:{port}"))
                    .args(["--mechanism", mechanism, name, password])
                    .output()
                    .unwrap();
                assert!(out.status.success(), "{out:?}");
            }
            drop(open);
        }
        let tansu = Tansu::start(&bin, data.path(), port, tls.addr, !users.is_empty());
        Some(Secured {
            certs,
            tls,
            _tansu: tansu,
            _data: data,
        })
    }

    fn brokers(&self) -> String {
        self.tls.addr.to_string()
    }
}

/// A topic and group no other run uses.
fn unique(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{name}-{}-{nanos}", std::process::id())
}

/// A bounded headless run on a fresh data dir; the password, if any, through the environment.
fn run(dir: &Path, brokers: &str, args: &[&str], password: Option<&str>) -> Output {
    let topic = unique("secure");
    let group = unique("g");
    let mut all = vec![
        "--headless",
        "--broker",
        "kafka",
        "--brokers",
        brokers,
        "--topic",
        &topic,
        "--group",
        &group,
        "--rate",
        "max",
        "--seed",
        "7",
    ];
    all.extend(args);
    let mut cmd = support::run::userstream(dir, &all);
    if let Some(password) = password {
        cmd.env("USERSTREAM_KAFKA_PASSWORD", password);
    }
    cmd.output().unwrap()
}

/// Asserts a run stored exactly `n` distinct users with exact aggregates and no lag.
fn assert_stored_exactly(dir: &Path, out: Output, n: u64) {
    let out = success_output(out);
    let s = summary(&out);
    assert_eq!(s["stored"], n, "{s}");
    assert_eq!(s["lag"], 0, "{s}");
    let conn = Connection::open(dir.join("store.db")).unwrap();
    let ids: Vec<String> = conn
        .prepare("SELECT id FROM created_users")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ids.len() as u64, n);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len() as u64, n);
    assert_aggregates_exact(dir);
}

fn success_output(out: Output) -> Output {
    assert!(
        out.status.success(),
        "failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The one line a refused start prints: non-zero exit, one `userstream:` error line.
fn refusal(out: &Output) -> String {
    assert!(!out.status.success(), "expected a refusal");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("userstream:"))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        !errors[0].contains("cannot reach"),
        "a TLS/SASL failure is not an outage: {stderr}"
    );
    errors[0].to_owned()
}

#[test]
#[ignore = "needs tansu, stunnel4 and openssl: scripts/kafka-tests.sh runs it"]
fn tls_run_stores_every_record_exactly() {
    let Some(k) = Secured::start("tls_run_stores_every_record_exactly", &[]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ca = k.certs.ca();
    let args = ["--kafka-ca", ca.to_str().unwrap(), "--max-records", "5000"];
    let out = run(dir.path(), &k.brokers(), &args, None);
    assert_stored_exactly(dir.path(), out, 5000);
}

#[test]
#[ignore = "needs stunnel4 and openssl: scripts/kafka-tests.sh runs it"]
fn tls_refuses_a_wrong_ca_and_a_hostname_mismatch() {
    let test = "tls_refuses_a_wrong_ca_and_a_hostname_mismatch";
    // Both refusals happen in the handshake, before any Kafka request: no broker needed.
    let Some(good) = certs(test, SAN) else {
        return;
    };
    let Some(elsewhere) = certs(test, "DNS:elsewhere.example") else {
        return;
    };
    let nowhere: SocketAddr = ([127, 0, 0, 1], free_port()).into();
    let Some(tls) = Stunnel::start(test, &good, nowhere) else {
        return;
    };
    let Some(misnamed) = Stunnel::start(test, &elsewhere, nowhere) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();

    let wrong_ca = good.other_ca();
    let args = [
        "--kafka-ca",
        wrong_ca.to_str().unwrap(),
        "--max-records",
        "10",
    ];
    let line = refusal(&run(dir.path(), &tls.addr.to_string(), &args, None));
    assert!(line.contains("TLS certificate verify failed"), "{line}");
    assert!(line.contains("check --kafka-ca"), "{line}");

    let ca = elsewhere.ca();
    let args = ["--kafka-ca", ca.to_str().unwrap(), "--max-records", "10"];
    let line = refusal(&run(dir.path(), &misnamed.addr.to_string(), &args, None));
    assert!(line.contains("TLS hostname mismatch"), "{line}");

    // The same through -X, the librdkafka properties the shortcuts stand for.
    let ca_prop = format!("ssl.ca.location={}", wrong_ca.display());
    let args = [
        "-X",
        "security.protocol=SSL",
        "-X",
        &ca_prop,
        "--max-records",
        "10",
    ];
    let line = refusal(&run(dir.path(), &tls.addr.to_string(), &args, None));
    assert!(line.contains("TLS certificate verify failed"), "{line}");
}

#[test]
#[ignore = "needs tansu, stunnel4 and openssl: scripts/kafka-tests.sh runs it"]
fn scram_over_tls_with_good_and_bad_credentials() {
    let users = [
        ("alice", "alice-s3cret", "scram256"),
        ("bob", "bob-s3cret", "scram512"),
    ];
    let Some(k) = Secured::start("scram_over_tls_with_good_and_bad_credentials", &users) else {
        return;
    };
    let ca = k.certs.ca();
    let ca = ca.to_str().unwrap();
    let brokers = k.brokers();
    let sasl = |mechanism: &'static str, user: &'static str| {
        vec![
            "--kafka-ca",
            ca,
            "--kafka-sasl-mechanism",
            mechanism,
            "--kafka-username",
            user,
        ]
    };

    for (mechanism, user, password) in [
        ("SCRAM-SHA-256", "alice", "alice-s3cret"),
        ("SCRAM-SHA-512", "bob", "bob-s3cret"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut args = sasl(mechanism, user);
        args.extend(["--max-records", "2000"]);
        let out = run(dir.path(), &brokers, &args, Some(password));
        assert_stored_exactly(dir.path(), out, 2000);
    }

    let dir = tempfile::tempdir().unwrap();
    for (mechanism, user, password) in [
        ("SCRAM-SHA-256", "alice", "wrong-hunter2"),
        ("SCRAM-SHA-512", "alice", "alice-s3cret"),
        ("SCRAM-SHA-512", "mallory", "wrong-hunter2"),
    ] {
        let mut args = sasl(mechanism, user);
        args.extend(["--max-records", "10"]);
        let out = run(dir.path(), &brokers, &args, Some(password));
        let line = refusal(&out);
        assert!(
            line.contains("SASL authentication failed: bad credentials"),
            "{mechanism} {user}: {line}"
        );
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains(password), "the password leaked: {all}");
    }

    let mut args = sasl("PLAIN", "alice");
    args.extend(["--max-records", "10"]);
    let line = refusal(&run(dir.path(), &brokers, &args, Some("alice-s3cret")));
    assert!(line.contains("SASL mechanism refused"), "{line}");
}
