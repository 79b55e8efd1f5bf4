//! What the real binary prints, byte for byte: no secret from a config file, the environment or
//! `-X` in help, errors, logs or status lines; no escape byte in redirected stderr; no library
//! INFO line by default (in a run or any subcommand); JSON log lines that parse.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// The binary on `dir` with no `USERSTREAM_*` setting inherited, and none of the log settings
/// either (the shared helper quiets the logs; these tests look at them).
fn userstream(dir: &Path) -> Command {
    quiet(support::run::userstream(dir, &[]))
}

/// `command` with the default log filter and colour choice.
fn quiet(mut command: Command) -> Command {
    command
        .env_remove("RUST_LOG")
        .env_remove("USERSTREAM_LOG")
        .env_remove("NO_COLOR");
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("the binary starts")
}

fn printed(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn assert_hidden(out: &Output, secrets: &[&str]) {
    let text = printed(out);
    for secret in secrets {
        assert!(!text.contains(secret), "{secret} printed:\n{text}");
    }
}

/// A short headless run of the embedded pipeline.
fn short_run(command: &mut Command) -> &mut Command {
    command.args([
        "--headless",
        "--max-records",
        "300",
        "--status-interval",
        "50ms",
    ])
}

#[test]
fn secrets_from_a_file_the_environment_and_x_are_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("userstream.toml");
    std::fs::write(
        &config,
        "cassandra-user = \"app\"\ncassandra-password = \"hunter2-from-file\"\n\
         kafka-property = [\"sasl.password=hunter2-file-x\", \"linger.ms=5\"]\n",
    )
    .unwrap();
    let secrets = ["hunter2", "hunter3", "hunter4"];
    let with_secrets = |extra: &[&str]| {
        let mut c = userstream(dir.path());
        c.arg("--config")
            .arg(&config)
            .env("USERSTREAM_CASSANDRA_PASSWORD", "hunter4-from-env")
            .args(["-X", "sasl.oauthbearer.client.secret=hunter3-x"])
            .args(extra);
        c
    };

    let help = run(&mut with_secrets(&["--help"]));
    assert!(help.status.success());
    assert!(printed(&help).contains("--cassandra-password"));
    assert_hidden(&help, &secrets);
    for tool in ["lag", "dead-letters", "schema"] {
        assert_hidden(&run(&mut with_secrets(&[tool, "--help"])), &secrets);
    }

    let refused = run(&mut with_secrets(&["--rate", "fast"]));
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        printed(&refused).contains("not a rate"),
        "{}",
        printed(&refused)
    );
    assert_hidden(&refused, &secrets);

    // A mistyped property has no '=' to split a key from its secret: none of it is repeated.
    let typo = run(&mut with_secrets(&["-X", "sasl.password hunter3"]));
    assert_eq!(typo.status.code(), Some(2));
    assert!(printed(&typo).contains("key=value"), "{}", printed(&typo));
    assert_hidden(&typo, &secrets);

    // A run with every secret set prints none of them in its logs or status lines.
    let out = run(short_run(&mut with_secrets(&["--log", "debug"])));
    assert!(out.status.success(), "{}", printed(&out));
    assert!(printed(&out).contains("\"event\":\"summary\""));
    assert_hidden(&out, &secrets);

    // A bad value in the file is the file's fault, without the secret next to it.
    std::fs::write(
        &config,
        "cassandra-password = \"hunter2-from-file\"\nkafka-property = [\"sasl.password hunter2\"]\n",
    )
    .unwrap();
    // (-X on the command line would win over the file's list, so it is left out here.)
    let bad_file = run(userstream(dir.path()).arg("--config").arg(&config).args([
        "--headless",
        "--max-records",
        "10",
    ]));
    assert_eq!(bad_file.status.code(), Some(3));
    assert!(
        printed(&bad_file).contains("config file"),
        "{}",
        printed(&bad_file)
    );
    assert_hidden(&bad_file, &secrets);
}

#[test]
fn the_environment_wins_over_the_file_and_a_flag_over_both() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("userstream.toml");
    std::fs::write(&config, "max-records = 30\nheadless = true\n").unwrap();
    let stored = |env: Option<&str>, flag: Option<&str>| {
        let data = tempfile::tempdir().unwrap();
        let mut c = userstream(data.path());
        c.arg("--config")
            .arg(&config)
            .args(["--status-interval", "1h"]);
        if let Some(n) = env {
            c.env("USERSTREAM_MAX_RECORDS", n);
        }
        if let Some(n) = flag {
            c.args(["--max-records", n]);
        }
        let out = run(&mut c);
        assert!(out.status.success(), "{}", printed(&out));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let summary: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        summary["stored"].as_u64().unwrap()
    };
    assert_eq!(stored(None, None), 30);
    assert_eq!(stored(Some("40"), None), 40);
    assert_eq!(stored(Some("40"), Some("50")), 50);
}

#[test]
fn redirected_stderr_has_no_escape_byte_and_no_library_info_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(short_run(&mut userstream(dir.path())));
    assert!(out.status.success(), "{}", printed(&out));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.stderr.contains(&0x1b), "escape byte in:\n{err}");
    assert!(
        err.contains(" INFO userstream::runner: Starting pipeline."),
        "{err}"
    );
    assert_only_our_info(&err);

    // The data dir now has a log and a store: each tool opens them quietly.
    let in_dir = |args: &[&str]| {
        let mut command = userstream(dir.path());
        command.args(args);
        command
    };
    let tools = [
        ("lag", in_dir(&["lag"])),
        ("lag --json", in_dir(&["lag", "--json"])),
        ("dead-letters", in_dir(&["dead-letters"])),
        // `schema` reads no data dir and refuses `--data-dir`.
        ("schema", quiet(support::run::bare(&["schema"]))),
    ];
    for (tool, mut command) in tools {
        let out = run(&mut command);
        assert!(out.status.success(), "{tool:?}: {}", printed(&out));
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.stderr.contains(&0x1b), "{tool:?}: {err}");
        assert_only_our_info(&err);
        assert!(
            !err.contains(" INFO "),
            "{tool:?} printed INFO lines:\n{err}"
        );
    }

    // `--log` and `RUST_LOG` open the libraries' INFO lines again.
    let opened = run(userstream(dir.path()).args(["--log", "info", "lag"]));
    let err = String::from_utf8_lossy(&opened.stderr).into_owned();
    assert!(err.contains(" INFO fjall::"), "{err}");
    let opened = run(userstream(dir.path()).env("RUST_LOG", "info").arg("lag"));
    let err = String::from_utf8_lossy(&opened.stderr).into_owned();
    assert!(err.contains(" INFO lsm_tree::"), "{err}");
    assert!(!opened.stderr.contains(&0x1b), "{err}");
}

/// Every INFO line (`<time>  INFO <target>: …`) comes from userstream itself.
fn assert_only_our_info(stderr: &str) {
    for line in stderr.lines() {
        let mut words = line.split_whitespace();
        let (_time, level, target) = (words.next(), words.next(), words.next());
        if level == Some("INFO") {
            let target = target.unwrap_or_default();
            assert!(
                target.starts_with("userstream"),
                "library INFO line: {line}"
            );
        }
    }
}

#[test]
fn json_log_lines_parse_with_time_level_target_and_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(short_run(&mut userstream(dir.path())).args(["--log-format", "json"]));
    assert!(out.status.success(), "{}", printed(&out));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let start = lines
        .iter()
        .find(|l| l["message"] == "Starting pipeline.")
        .expect("the start is logged");
    assert_eq!(start["level"], "INFO");
    assert_eq!(start["target"], "userstream::runner");
    assert_eq!(start["batch_size"], 25, "fields keep their JSON type");
    assert!(start["timestamp"].as_str().unwrap().ends_with('Z'));

    // A library's record through the `log` crate: its own target, no `log.*` fields.
    let out = run(userstream(dir.path())
        .env("USERSTREAM_LOG_FORMAT", "json")
        .env("USERSTREAM_LOG", "info")
        .arg("lag"));
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    let fjall: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["target"].as_str().unwrap_or("").starts_with("fjall"))
        .collect();
    assert!(!fjall.is_empty(), "{text}");
    assert!(!text.contains("\"log."), "{text}");
}
