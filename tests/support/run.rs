//! The tests that spawn the real binary: the command (with a clean environment), its summary
//! line, and the exactness of the aggregates it stored.

use std::path::Path;
use std::process::{Command, Output};

use rusqlite::Connection;
use serde_json::Value;

/// The binary the tests run.
pub const BIN: &str = env!("CARGO_BIN_EXE_userstream");

/// `userstream --data-dir dir args...` with no `USERSTREAM_*` setting inherited from the
/// environment (so a developer's settings never leak into a test) and warnings-only logs.
/// Callers add flags, `env` or `stdout` on the returned command.
pub fn userstream(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = bare(&["--data-dir"]);
    cmd.arg(dir).args(args);
    cmd
}

/// `userstream args...` in the same clean environment, for the subcommands that take no data
/// dir (and refuse `--data-dir`).
pub fn bare(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("USERSTREAM_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("USERSTREAM_LOG", "warn");
    cmd
}

/// Runs `cmd` to the end and asserts that it exited 0, showing its stderr otherwise.
pub fn success(mut cmd: Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `userstream --data-dir dir args...` run to the end; asserts that it exited 0.
pub fn run_ok(dir: &Path, args: &[&str]) -> Output {
    success(userstream(dir, args))
}

/// The final `"event":"summary"` line of a headless run.
pub fn summary(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().expect("no output");
    let v: Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["event"], "summary", "{line}");
    v
}

/// Every dimension's `user_counts` in `dir/store.db` equals a `GROUP BY` over `created_users`.
pub fn assert_aggregates_exact(dir: &Path) {
    let conn = Connection::open(dir.join("store.db")).unwrap();
    let query = |sql: &str| -> Vec<(String, String, i64)> {
        let mut v: Vec<_> = conn
            .prepare(sql)
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        v.sort();
        v
    };
    let counts = query("SELECT dimension, value, count FROM user_counts");
    let grouped = query(
        "SELECT 'gender', gender, COUNT(*) FROM created_users GROUP BY gender
         UNION ALL SELECT 'country', country, COUNT(*) FROM created_users GROUP BY country
         UNION ALL SELECT 'email_domain', email_domain, COUNT(*) FROM created_users
            GROUP BY email_domain
         UNION ALL SELECT 'registered_month', printf('%04d-%02d', year, month), COUNT(*)
            FROM created_users GROUP BY year, month
         UNION ALL SELECT 'nat', nat, COUNT(*) FROM created_users GROUP BY nat",
    );
    assert!(!counts.is_empty());
    assert_eq!(counts, grouped);
}

/// The embedded log of the data dir `dir`, opened as the binary opens it (default topic and
/// group), for tests that write records into it or read its watermarks with no process running.
pub fn open_log(dir: &Path) -> userstream::broker::EmbeddedBroker {
    let config = userstream::broker::embedded::EmbeddedConfig::default();
    userstream::broker::EmbeddedBroker::open(&dir.join("log"), config).unwrap()
}

/// Runs `cmd` to its end, failing the test if it is still running after `limit` (a process
/// that retries a refused handshake for ever would never end).
pub fn bounded(mut cmd: Command, limit: std::time::Duration) -> Output {
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("{cmd:?} was still running after {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}
