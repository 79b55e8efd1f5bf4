//! Drives the real binary's console in tmux on a fresh data dir with the synthetic source: data
//! shows up in Metrics, `4` opens the Lag tab, `p` pauses (the fetched count stops), `f` fetches
//! exactly one batch, and `q` drains, exits 0 and leaves the alternate screen; on the Lag tab `R`,
//! Enter and `y` reset the group to earliest and every record is read again as a duplicate;
//! `userstream lag --watch` redraws its table in place beside a running pipeline and after it.
//!
//! Needs tmux (`scripts/install-deps.sh` installs it): without it the test fails under `CI=true`
//! and says that it skipped otherwise.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Users per fetch, passed explicitly so that `f` has a known effect.
const BATCH: u64 = 25;

/// A tmux server on a socket of its own, killed when dropped (also when the test fails).
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(command: &str) -> Tmux {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let tmux = Tmux {
            socket: format!("userstream-test-{}-{nanos}", std::process::id()),
        };
        let out = tmux.run(&[
            "new-session",
            "-d",
            "-x",
            "120",
            "-y",
            "40",
            "sh",
            "-c",
            command,
        ]);
        assert!(out.status.success(), "tmux new-session failed: {out:?}");
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn send(&self, key: &str) {
        let out = self.run(&["send-keys", "-t", "0", key]);
        assert!(out.status.success(), "send-keys {key}: {out:?}");
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-J", "-t", "0"]).stdout)
            .into_owned()
    }

    /// Polls the screen until `ok` holds, or fails with the last screen after `timeout`.
    fn wait_for(&self, what: &str, timeout: Duration, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; the screen was:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits for the line `echo EXIT=$? > FILE` writes after the program in the pane ends and
    /// returns it; the file exists a moment before the shell wrote the line.
    fn exit_line(&self, file: &Path, after: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(text) = std::fs::read_to_string(file)
                .ok()
                .filter(|t| t.ends_with('\n'))
            {
                return text.trim().to_owned();
            }
            assert!(
                Instant::now() < deadline,
                "no exit after {after}: {}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// The "fetched N" total of the Metrics tab.
fn fetched(screen: &str) -> Option<u64> {
    let at = screen.find("fetched ")? + "fetched ".len();
    let digits: String = screen[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Waits until the fetched count holds still for a second, and returns it.
fn settled(tmux: &Tmux) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(6);
    let mut last = fetched(&tmux.screen());
    loop {
        std::thread::sleep(Duration::from_millis(1000));
        let now = fetched(&tmux.screen());
        if now.is_some() && now == last {
            return now.unwrap_or(0);
        }
        assert!(
            Instant::now() < deadline,
            "fetched never settled: {last:?} → {now:?}"
        );
        last = now;
    }
}

fn quoted(path: &Path) -> String {
    format!("'{}'", path.display())
}

#[test]
fn console_shows_pauses_fetches_and_quits_cleanly() {
    if Command::new("tmux").arg("-V").output().is_err() {
        support::missing("console_tmux", "tmux");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let exit_file = dir.path().join("exit");
    let command = format!(
        "{} --data-dir {} --source synthetic --seed 7 --rate 200 --batch-size {BATCH}; \
         echo EXIT=$? > {}; sleep 60",
        quoted(Path::new(env!("CARGO_BIN_EXE_userstream"))),
        quoted(&data_dir),
        quoted(&exit_file),
    );
    let tmux = Tmux::start(&command);
    let timeout = Duration::from_secs(10);

    let screen = tmux.wait_for("data in Metrics", timeout, |s| {
        s.contains("RUNNING") && fetched(s).is_some_and(|n| n > 0)
    });
    assert!(screen.contains("Pipeline: source"), "{screen}");

    tmux.send("4");
    tmux.wait_for("the Lag tab", timeout, |s| {
        s.contains("Partitions") && s.contains("drain time") && s.contains("Total lag over time")
    });

    tmux.send("1");
    tmux.send("p");
    tmux.wait_for("PAUSED in the header", timeout, |s| {
        s.contains("PAUSED") && fetched(s).is_some()
    });
    let paused_at = settled(&tmux);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        fetched(&tmux.screen()),
        Some(paused_at),
        "fetching went on while paused"
    );

    tmux.send("f");
    tmux.wait_for("one more batch", timeout, |s| {
        fetched(s) == Some(paused_at + BATCH)
    });
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(
        fetched(&tmux.screen()),
        Some(paused_at + BATCH),
        "`f` fetched more than one batch"
    );

    tmux.send("q");
    assert_eq!(tmux.exit_line(&exit_file, "q", timeout), "EXIT=0");
    let alternate = tmux.run(&["display-message", "-p", "-t", "0", "#{alternate_on}"]);
    assert_eq!(
        String::from_utf8_lossy(&alternate.stdout).trim(),
        "0",
        "still on the alternate screen"
    );
    let screen = tmux.screen();
    assert!(
        screen.contains(r#""event":"summary""#),
        "no summary after quit:\n{screen}"
    );
    assert!(
        !screen.contains("Pipeline: source"),
        "the console is still drawn:\n{screen}"
    );
}

/// The number after `label` on the screen (digits and thousands separators).
fn number_after(screen: &str, label: &str) -> Option<u64> {
    let at = screen.find(label)? + label.len();
    let digits: String = screen[at..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[test]
fn console_resets_the_group_to_earliest_through_keys() {
    if Command::new("tmux").arg("-V").output().is_err() {
        support::missing("console_tmux", "tmux");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let exit_file = dir.path().join("exit");
    let command = format!(
        "{} --data-dir {} --source synthetic --seed 9 --rate 500 --batch-size {BATCH}; \
         echo EXIT=$? > {}; sleep 60",
        quoted(Path::new(env!("CARGO_BIN_EXE_userstream"))),
        quoted(&data_dir),
        quoted(&exit_file),
    );
    let tmux = Tmux::start(&command);
    let timeout = Duration::from_secs(15);
    tmux.wait_for("data in Metrics", timeout, |s| {
        s.contains("RUNNING") && fetched(s).is_some_and(|n| n > 0)
    });
    // Ingest paused: the topic holds a fixed number of records, all processed.
    tmux.send("p");
    tmux.wait_for("PAUSED in the header", timeout, |s| s.contains("PAUSED"));
    let produced = settled(&tmux);
    tmux.send("4");
    tmux.wait_for("lag drained", timeout, |s| {
        number_after(s, "total lag") == Some(0)
    });

    tmux.send("R");
    tmux.wait_for("the reset dialog", timeout, |s| s.contains("Reset offsets"));
    tmux.send("Enter");
    let plan = tmux.wait_for("the plan", timeout, |s| {
        s.contains("records to read after it")
    });
    let to_read = plan.find(" records to read after it").and_then(|end| {
        let digits: String = plan[..end]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit() || *c == ',')
            .filter(char::is_ascii_digit)
            .collect();
        digits.chars().rev().collect::<String>().parse::<u64>().ok()
    });
    assert_eq!(to_read, Some(produced), "{plan}");
    tmux.send("y");
    tmux.wait_for("the reset applied", timeout, |s| {
        s.contains("Offsets reset on 3 partitions")
    });
    // Every record is read again and stored as a duplicate; the lag drains back to 0.
    tmux.send("1");
    tmux.wait_for(
        "the replay counted as duplicates",
        Duration::from_secs(30),
        |s| number_after(s, "duplicates").is_some_and(|n| n >= produced),
    );
    tmux.send("q");
    assert_eq!(tmux.exit_line(&exit_file, "q", timeout), "EXIT=0");
    support::run::assert_aggregates_exact(&data_dir);
}

/// The sum of the high watermarks in a `userstream lag` table on the screen.
fn table_high_watermarks(screen: &str) -> Option<u64> {
    let rows: Vec<u64> = screen
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split_whitespace().collect();
            match cells.as_slice() {
                [p, _, high, _] if p.parse::<u32>().is_ok() => high.parse().ok(),
                _ => None,
            }
        })
        .collect();
    (rows.len() == 3).then(|| rows.iter().sum())
}

#[test]
fn lag_watch_redraws_in_place_beside_a_running_pipeline() {
    if Command::new("tmux").arg("-V").output().is_err() {
        support::missing("console_tmux", "tmux");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let exit_file = dir.path().join("exit");
    let pipeline = support::run::userstream(&data_dir, &["--headless", "--rate", "300"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !data_dir.join("lag.json").exists() {
        assert!(Instant::now() < deadline, "the pipeline published no lag");
        std::thread::sleep(Duration::from_millis(50));
    }
    let command = format!(
        // The shell traps C-c (which tmux sends to the whole foreground group) to live on.
        "trap true INT; USERSTREAM_LOG=warn {} --data-dir {} lag --watch --interval 300ms; \
         echo EXIT=$? > {}; sleep 60",
        quoted(Path::new(env!("CARGO_BIN_EXE_userstream"))),
        quoted(&data_dir),
        quoted(&exit_file),
    );
    let tmux = Tmux::start(&command);
    let timeout = Duration::from_secs(15);
    let by = format!("running pipeline pid {}", pipeline.id());
    let first = tmux.wait_for("the first table", timeout, |s| {
        s.contains("every 300ms · userstream lag") && s.contains(&by) && s.contains("total")
    });
    let before = table_high_watermarks(&first).unwrap_or_else(|| panic!("{first}"));
    // Refreshed in place: the numbers move on, and the table is drawn once, not scrolled.
    let later = tmux.wait_for("a later table", timeout, |s| {
        table_high_watermarks(s).is_some_and(|h| h > before)
    });
    assert_eq!(later.matches("high_watermark").count(), 1, "{later}");
    assert_eq!(later.matches("userstream lag").count(), 1, "{later}");

    // The pipeline stops: the watch goes on, reading the log itself.
    let ok = Command::new("kill")
        .args(["-TERM", &pipeline.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -TERM failed");
    let out = pipeline.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let own = tmux.wait_for("the log read by the watch", timeout, |s| {
        !s.contains("running pipeline pid") && table_high_watermarks(s).is_some()
    });
    assert!(
        table_high_watermarks(&own) >= table_high_watermarks(&later),
        "{own}"
    );

    tmux.send("C-c");
    let status = tmux.exit_line(&exit_file, "C-c", timeout);
    assert_eq!(status, "EXIT=0", "{}", tmux.screen());
}
