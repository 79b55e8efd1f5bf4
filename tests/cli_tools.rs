//! The command line as an operator meets it, through the real binary: exit statuses, flags after
//! the subcommand, completions and the man page, `config example` read back by `config check`,
//! and `lag` (once and `--watch --json`) beside a running pipeline, which owns the data dir.
//! The second-signal status (130) is tested in `faults.rs`.

mod support;

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::run::{bare, run_ok, success, userstream};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn output(mut cmd: Command) -> Output {
    cmd.output().unwrap()
}

/// Asserts the exit status and that stderr is one line holding `says`.
fn refused(out: &Output, status: i32, says: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(status), "{err}");
    assert!(err.contains(says), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

fn json_lines(out: &Output) -> Vec<Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn signal(child: &Child, name: &str) {
    let ok = Command::new("kill")
        .args([name, &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {name} failed");
}

fn wait_exit(mut child: Child, limit: Duration) -> Output {
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("the process did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn exit_statuses_0_1_2_3() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // 0: done.
    assert_eq!(output(bare(&["--version"])).status.code(), Some(0));
    assert_eq!(output(userstream(d, &["lag"])).status.code(), Some(0));

    // 2: usage.
    refused(
        &output(userstream(d, &["lag", "--rate", "5"])),
        2,
        "does not take --rate",
    );
    let out = output(userstream(d, &["--no-such-flag"]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    refused(&output(userstream(d, &["--log", "[bad"])), 2, "--log");
    let out = output(userstream(
        d,
        &["reset-offsets", "--to-earliest", "--to-latest"],
    ));
    refused(&out, 2, "only one of");
    refused(&output(bare(&["config", "check"])), 2, "needs the file");

    // 3: the config file's fault, whatever the subcommand.
    let config = d.join("bad.toml");
    std::fs::write(&config, "rate = 5\nspeed = 3\n").unwrap();
    let c = config.to_str().unwrap();
    for args in [
        &["--config", c, "--headless", "--max-records", "10"][..],
        &["lag", "--config", c],
    ] {
        refused(&output(userstream(d, args)), 3, "unknown key 'speed'");
    }
    std::fs::write(&config, "rate = \n").unwrap();
    refused(
        &output(userstream(d, &["--config", c])),
        3,
        "not valid TOML",
    );
    let out = output(bare(&["config", "check", "--config", c]));
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let missing = d.join("nowhere.toml");
    let out = output(userstream(d, &["--config", missing.to_str().unwrap()]));
    refused(&out, 3, "cannot read config file");

    // 3: the data dir is locked by another process.
    let held = userstream::datadir::DataDir::open(d).unwrap();
    for args in [
        &["--headless", "--max-records", "10"][..],
        &["dead-letters", "replay"],
    ] {
        refused(
            &output(userstream(d, args)),
            3,
            "in use by another userstream process",
        );
    }
    // lag reads beside a pipeline, but this holder is not one: it publishes no lag.
    refused(&output(userstream(d, &["lag"])), 3, "publishes no lag");
    // dead-letters reads beside it as well, and says when nothing was ever stored here.
    refused(&output(userstream(d, &["dead-letters"])), 1, "no store at");
    drop(held);

    // 1: a failure (the data dir cannot be created: a file is in the way).
    let file = d.join("a-file");
    std::fs::write(&file, "").unwrap();
    let out = output(userstream(&file, &["--headless", "--max-records", "10"]));
    refused(&out, 1, "cannot create data dir");
}

#[test]
fn flags_come_after_the_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    run_ok(dir.path(), &["--headless", "--max-records", "300"]);

    let lag = success(bare(&[
        "lag",
        "--json",
        "--data-dir",
        d,
        "--topic",
        "users_created",
    ]));
    let lag = json_lines(&lag);
    assert_eq!(lag.len(), 3, "{lag:?}");
    let high: u64 = lag
        .iter()
        .map(|p| p["high_watermark"].as_u64().unwrap())
        .sum();
    assert_eq!(high, 300);

    let letters = success(bare(&["dead-letters", "--limit", "5", "--data-dir", d]));
    assert_eq!(stdout(&letters), "");

    let plan = success(bare(&[
        "reset-offsets",
        "--to-earliest",
        "--json",
        "--data-dir",
        d,
        "--partition",
        "1",
    ]));
    let plan = json_lines(&plan);
    assert_eq!(plan.len(), 1, "{plan:?}");
    assert_eq!(plan[0]["partition"], 1, "{plan:?}");

    // After the subcommand too, a flag it does not read is refused, naming it.
    let out = output(bare(&[
        "reset-offsets",
        "--to-earliest",
        "--data-dir",
        d,
        "--rate",
        "5",
    ]));
    refused(&out, 2, "'userstream reset-offsets' does not take --rate");
    let out = output(bare(&["dead-letters", "--data-dir", d, "--watch"]));
    refused(&out, 2, "'userstream dead-letters' does not take --watch");
}

#[test]
fn completions_man_and_the_example_config_come_from_the_binary() {
    for shell in ["bash", "zsh", "fish"] {
        let out = success(bare(&["completions", shell]));
        let text = stdout(&out);
        for word in ["reset-offsets", "dead-letters", "--watch", "--brokers"] {
            assert!(text.contains(word), "{shell}: {word} missing");
        }
    }
    let out = output(bare(&["completions", "tcsh"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid value 'tcsh'"),
        "{}",
        stderr(&out)
    );

    let page = stdout(&success(bare(&["man"])));
    assert!(page.contains(".TH userstream 1"), "{page}");
    for word in [
        "USERSTREAM_WATCH_INTERVAL",
        "USERSTREAM_DATA_DIR",
        "reset\\-offsets",
    ] {
        assert!(page.contains(word), "{word} missing from the man page");
    }

    // The example, as printed, is a valid file that changes nothing.
    let dir = tempfile::tempdir().unwrap();
    let example = stdout(&success(bare(&["config", "example"])));
    assert!(example.contains("# env: USERSTREAM_RATE"), "{example}");
    let path = dir.path().join("userstream.toml");
    std::fs::write(&path, &example).unwrap();
    let p = path.to_str().unwrap();
    let checked = success(bare(&["config", "check", "--config", p]));
    assert!(
        stdout(&checked).contains(": ok (0 warning(s))"),
        "{}",
        stdout(&checked)
    );
    let data = dir.path().join("data");
    let run = success(userstream(
        &data,
        &["--config", p, "--headless", "--max-records", "50"],
    ));
    assert!(stdout(&run).contains("\"event\":\"summary\""));

    // A secret set in the file: a warning, never the value.
    std::fs::write(
        &path,
        "cassandra-user = \"app\"\ncassandra-password = \"hunter2\"\n",
    )
    .unwrap();
    let checked = success(bare(&["config", "check", "--config", p]));
    let text = stdout(&checked);
    assert!(
        text.contains("warning:") && text.contains("USERSTREAM_CASSANDRA_PASSWORD"),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
}

/// The partitions' high watermarks, summed, of `lag --json` lines.
fn high_watermarks(lines: &[Value]) -> u64 {
    lines
        .iter()
        .map(|p| p["high_watermark"].as_u64().unwrap())
        .sum()
}

#[test]
fn lag_reads_beside_a_running_pipeline_and_never_blocks_its_start() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // A watch started first, with no pipeline yet: it opens the log for each reading only.
    let mut watch = userstream(d, &["lag", "--watch", "--json"]);
    watch
        .env("USERSTREAM_WATCH_INTERVAL", "100ms")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let watch = watch.spawn().unwrap();

    // Addresses over 60 characters are dead-lettered, so there are some to read beside it.
    let pipeline = userstream(
        d,
        &["--headless", "--rate", "2000", "--max-field-chars", "60"],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    wait_until("the published lag", Duration::from_secs(20), || {
        d.join("lag.json").exists()
    });

    // Once and again beside it: the numbers move on, and nothing waits for the lock.
    let first = high_watermarks(&json_lines(&run_ok(d, &["lag", "--json"])));
    wait_until(
        "the high watermark to grow",
        Duration::from_secs(20),
        || high_watermarks(&json_lines(&run_ok(d, &["lag", "--json"]))) > first,
    );
    let table = stdout(&run_ok(d, &["lag"]));
    assert!(
        table.contains("high_watermark") && table.contains("total"),
        "{table}"
    );
    // Another group than the pipeline's: said so, not shown as the pipeline's.
    let other = output(userstream(d, &["lag", "--group", "other"]));
    refused(&other, 1, "publishes the lag of that group only");
    // Its dead letters read beside it too; replaying them waits for the data dir.
    wait_until(
        "dead letters beside the pipeline",
        Duration::from_secs(20),
        || {
            let letters = json_lines(&run_ok(d, &["dead-letters", "--limit", "3"]));
            !letters.is_empty() && letters.iter().all(|l| l["rule"] == "field_size")
        },
    );
    refused(
        &output(userstream(d, &["dead-letters", "replay"])),
        3,
        "in use",
    );

    signal(&pipeline, "-TERM");
    let out = wait_exit(pipeline, Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // With the pipeline gone the log is read itself; a second pipeline starts beside the watch.
    let after = high_watermarks(&json_lines(&run_ok(d, &["lag", "--json"])));
    assert!(after > first, "{after} <= {first}");
    for _ in 0..3 {
        run_ok(d, &["--headless", "--max-records", "100"]);
    }
    let last = high_watermarks(&json_lines(&run_ok(d, &["lag", "--json"])));
    assert_eq!(last, after + 300);
    // A few more ticks of the watch, which read the last runs' records.
    std::thread::sleep(Duration::from_millis(500));

    signal(&watch, "-INT");
    let out = wait_exit(watch, Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines = json_lines(&out);
    // One object per partition per tick, in partition order.
    assert!(
        lines.len() >= 6 && lines.len().is_multiple_of(3),
        "{} lines",
        lines.len()
    );
    for tick in lines.chunks(3) {
        let partitions: Vec<u64> = tick
            .iter()
            .map(|p| p["partition"].as_u64().unwrap())
            .collect();
        assert_eq!(partitions, [0, 1, 2]);
    }
    let ticks: Vec<u64> = lines.chunks(3).map(high_watermarks).collect();
    assert!(ticks.windows(2).all(|w| w[0] <= w[1]), "{ticks:?}");
    assert_eq!(ticks.last(), Some(&last), "{ticks:?}");
    assert!(ticks.iter().any(|&t| t > 0 && t < last), "{ticks:?}");
}
