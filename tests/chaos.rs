//! The seeded chaos test: rounds of `kill -9` at random moments of ingest, processing and
//! committing, restarts in every role, retention pressure and a full disk, on one data dir.
//! After every round a drain run processes what is left, then the checks: every record the log
//! acknowledged is stored exactly once, `user_counts` equals a `GROUP BY`, and the lag is zero.
//!
//! Which records were acknowledged: each round ingests from a synthetic source seeded anew, and
//! a seeded source always yields the same users in the same order, while the log appends whole
//! batches in fetch order. So the `n` records a round added to the log (its growth in high
//! watermark) are exactly the first `n` users of that seed, which the test regenerates.
//!
//! `cargo test --test chaos -- --ignored --nocapture`; `CHAOS_ROUNDS` (default 20) and
//! `CHAOS_SEED` pick the run. The full-disk rounds mount a small tmpfs and need root: without
//! it they are left out with a note, and under `CI=true` that is a failure.

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use userstream::broker::Broker;
use userstream::source::{Source, SyntheticSource};
use userstream::util::SplitMix64;

fn userstream(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = support::run::userstream(dir, args);
    cmd.env("USERSTREAM_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Starts a run and `kill -9`s it after `after`, unless it ended first.
fn run_and_kill(dir: &Path, args: &[&str], after: Duration) -> bool {
    let mut child: Child = userstream(dir, args).spawn().unwrap();
    let deadline = Instant::now() + after;
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    true
}

fn output(dir: &Path, args: &[&str]) -> Output {
    userstream(dir, args)
        .stdout(Stdio::piped())
        .output()
        .unwrap()
}

/// Sum of the log's high watermarks, read with no process running.
fn high_watermark(dir: &Path) -> u64 {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let log = support::run::open_log(dir);
        log.lag()
            .await
            .unwrap()
            .iter()
            .map(|p| p.high_watermark)
            .sum()
    })
}

/// The ids of the first `n` users of the seed.
fn first_ids(seed: u64, n: u64) -> Vec<String> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut source = SyntheticSource::new(seed, Vec::new());
    let users = runtime.block_on(source.fetch(n as usize)).unwrap().users;
    users
        .into_iter()
        .map(|u| u.login.unwrap().uuid.unwrap())
        .collect()
}

/// A tmpfs for the full-disk rounds, unmounted when dropped.
struct SmallDisk {
    path: PathBuf,
}

impl SmallDisk {
    fn mount(size_mb: u64) -> Option<SmallDisk> {
        let path = std::env::temp_dir().join(format!("userstream-chaos-{}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size_mb}m"), "tmpfs"])
            .arg(&path)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk { path })
    }

    /// Fills the disk but for `spare` bytes with a file that `free` removes.
    fn fill(&self, spare: u64) {
        let free = Command::new("df")
            .args(["--output=avail", "-B1"])
            .arg(&self.path)
            .output()
            .unwrap();
        let avail: u64 = String::from_utf8_lossy(&free.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let file = std::fs::File::create(self.path.join("filler")).unwrap();
        file.set_len(0).unwrap();
        let mut left = avail.saturating_sub(spare);
        let chunk = vec![1u8; 1 << 20];
        let mut file = std::io::BufWriter::new(file);
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            if std::io::Write::write_all(&mut file, &chunk[..n]).is_err() {
                break;
            }
            left -= n as u64;
        }
        let _ = std::io::Write::flush(&mut file);
    }

    fn free(&self) {
        let _ = std::fs::remove_file(self.path.join("filler"));
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
        let _ = std::fs::remove_dir(&self.path);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Round {
    /// Both stages in one process, killed at a random moment.
    KillAll,
    /// Ingest alone, killed; then processing alone, killed while it works the backlog.
    KillIngestThenProcess,
    /// Like `KillAll`, with retention deleting committed records as fast as it can.
    Retention,
    /// A data dir on a small disk that fills up while the pipeline runs; space freed after.
    FullDisk,
}

/// Drains `dir` and checks it: the ids the log acknowledged are stored, once, with exact
/// aggregates and no lag. `expected` is every id acknowledged in `dir` so far.
fn drain_and_check(dir: &Path, what: &str, fresh: &[String], expected: u64, full: bool) {
    let drain = output(dir, &["--headless", "--role", "process", "--drain"]);
    assert!(
        drain.status.success(),
        "{what}: drain failed: {}",
        String::from_utf8_lossy(&drain.stderr)
    );
    let s = support::run::summary(&drain);
    assert_eq!(s["lag"], 0, "{what}: {s}");
    let conn = Connection::open(dir.join("store.db")).unwrap();
    // Every stored id with its number of rows, read in one scan: no id is indexed in SQLite.
    let stored: HashMap<String, i64> = conn
        .prepare("SELECT id, COUNT(*) FROM created_users GROUP BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let lost = fresh
        .iter()
        .filter(|id| stored.get(&id.to_lowercase()) != Some(&1))
        .count();
    assert_eq!(
        lost, 0,
        "{what}: {lost} acknowledged records are not stored"
    );
    let (rows, distinct): (i64, i64) = conn
        .query_row(
            "SELECT COUNT(*), COUNT(DISTINCT id) FROM created_users",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(rows, distinct, "{what}: duplicated rows");
    assert_eq!(
        rows as u64, expected,
        "{what}: rows that were never acknowledged"
    );
    // A round killed before its first acknowledgement leaves nothing to aggregate yet.
    if full && expected > 0 {
        support::run::assert_aggregates_exact(dir);
    }
}

/// Runs `args` (which carry `--seed seed`) and returns the ids the log acknowledged.
fn acknowledged_by(dir: &Path, seed: u64, before: u64) -> Vec<String> {
    let added = high_watermark(dir) - before;
    first_ids(seed, added)
}

#[test]
#[ignore = "long: run by .ci/run and scripts/chaos.sh"]
fn chaos() {
    let rounds: u64 = std::env::var("CHAOS_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20);
    let seed: u64 = std::env::var("CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261202);
    let disk = SmallDisk::mount(64);
    if disk.is_none() {
        support::missing("chaos full-disk rounds", "a tmpfs mount (needs root)");
    }
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let mut rng = SplitMix64::new(seed);
    let (mut total, mut kills, mut full_disk_rounds) = (0u64, 0u64, 0u64);
    let mut records = 0u64;
    let started = Instant::now();
    for round in 0..rounds {
        let kind = match rng.below(10) {
            0..=3 => Round::KillAll,
            4..=5 => Round::KillIngestThenProcess,
            6..=7 => Round::Retention,
            _ if disk.is_some() => Round::FullDisk,
            _ => Round::KillAll,
        };
        let what = format!("round {round} ({kind:?})");
        let round_seed = (seed << 16) ^ round;
        let seed_flag = round_seed.to_string();
        let budget = (500 + rng.below(9500)).to_string();
        let kill_after = Duration::from_millis(50 + rng.below(700));
        let rate = ["max", "20000", "5000"][rng.below(3) as usize];
        let common = [
            "--headless",
            "--seed",
            &seed_flag,
            "--rate",
            rate,
            "--max-records",
            &budget,
        ];
        let retention = ["--retention-bytes", "4KB", "--retention-interval", "10ms"];
        if kind == Round::FullDisk {
            let disk = disk.as_ref().unwrap();
            let dir = disk.path.join(format!("round-{round}"));
            // Some data first, then the disk fills up under a running pipeline.
            let out = output(&dir, &common);
            assert!(
                out.status.success(),
                "{what}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let mut fresh = acknowledged_by(&dir, round_seed, 0);
            let before = high_watermark(&dir);
            disk.fill(64 * 1024 + rng.below(2 << 20));
            let second_seed = (round_seed ^ 0xfeed).to_string();
            let mut args = common.to_vec();
            args[2] = &second_seed;
            args.extend(["--drain-timeout", "1s", "--duration", "1500ms"]);
            let out = output(&dir, &args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            // A full disk is an error a person can read, never a panic or a hang.
            assert!(!stderr.contains("panicked"), "{what}: {stderr}");
            disk.free();
            fresh.extend(acknowledged_by(&dir, round_seed ^ 0xfeed, before));
            records += fresh.len() as u64;
            drain_and_check(&dir, &what, &fresh, fresh.len() as u64, true);
            std::fs::remove_dir_all(&dir).unwrap();
            full_disk_rounds += 1;
            continue;
        }
        let before = if data.exists() {
            high_watermark(&data)
        } else {
            0
        };
        match kind {
            Round::KillAll => {
                kills += u64::from(run_and_kill(&data, &common, kill_after));
            }
            Round::KillIngestThenProcess => {
                let mut ingest = common.to_vec();
                ingest.extend(["--role", "ingest"]);
                kills += u64::from(run_and_kill(&data, &ingest, kill_after));
                let process = ["--headless", "--role", "process"];
                let after = Duration::from_millis(30 + rng.below(300));
                kills += u64::from(run_and_kill(&data, &process, after));
            }
            _ => {
                let mut args = common.to_vec();
                args.extend(retention);
                kills += u64::from(run_and_kill(&data, &args, kill_after));
            }
        }
        let fresh = acknowledged_by(&data, round_seed, before);
        total += fresh.len() as u64;
        records += fresh.len() as u64;
        // GROUP BY over every row is the slow check: every round while small, then every 10th.
        let full = total < 200_000 || round % 10 == 9 || round + 1 == rounds;
        drain_and_check(&data, &what, &fresh, total, full);
    }
    println!(
        "chaos: {rounds} rounds (seed {seed}), {kills} kills, {full_disk_rounds} full-disk \
         rounds, {records} records acknowledged, lost 0, duplicated rows 0, in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}
