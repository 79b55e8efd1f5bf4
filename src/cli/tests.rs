use super::*;

fn args(list: &[&str]) -> Vec<std::ffi::OsString> {
    std::iter::once("userstream")
        .chain(list.iter().copied())
        .map(Into::into)
        .collect()
}

#[test]
fn defaults_are_safe_for_each_source() {
    let cli = parse_from(args(&[])).unwrap();
    assert_eq!(cli.run.effective_rate(), Some(1000));
    assert_eq!(cli.run.effective_batch_size(), 25);
    let cli = parse_from(args(&["--source", "randomuser"])).unwrap();
    // 50 users/s is 15,000 per 5 minutes: under the API's 20,000.
    assert_eq!(cli.run.effective_rate(), Some(50));
    let cli = parse_from(args(&["--rate", "max"])).unwrap();
    assert_eq!(cli.run.effective_rate(), None);
    assert_eq!(cli.run.effective_batch_size(), 1000);
}

#[test]
fn bad_flags_are_refused_with_a_reason() {
    let err = |a: &[&str]| parse_from(args(a)).err().unwrap().to_string();
    assert!(err(&["--rate", "fast"]).contains("not a rate"));
    assert!(err(&["--rate", "0"]).contains("not a rate"));
    assert!(err(&["--duration", "5 parsecs"]).contains("unknown unit"));
    assert!(err(&["--drain"]).contains("--drain needs --role process"));
    assert!(err(&["--nat", "XX"]).contains("--nat XX is not a nationality"));
    assert!(err(&["--source", "randomuser", "--batch-size", "6000"]).contains("5000"));
    assert!(err(&["--batch-size", "0"]).contains("above 0"));
}

#[test]
fn config_file_sets_defaults_and_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("userstream.toml");
    std::fs::write(
        &path,
        "rate = 250\nbatch-size = 25\nnat = [\"GB\", \"FR\"]\nheadless = true\n",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let cli = parse_from(args(&["--config", p])).unwrap();
    assert_eq!(cli.run.effective_rate(), Some(250));
    assert_eq!(cli.run.batch_size, Some(25));
    assert_eq!(cli.run.nat, vec!["GB", "FR"]);
    assert!(cli.run.headless);
    let cli = parse_from(args(&["--config", p, "--rate", "10"])).unwrap();
    assert_eq!(cli.run.effective_rate(), Some(10));

    std::fs::write(&path, "speed = 3\n").unwrap();
    let err = parse_from(args(&["--config", p]))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("unknown key 'speed'"), "{err}");
}

#[test]
fn subcommands_parse() {
    let cli = parse_from(args(&["lag", "--json", "--data-dir", "/tmp/x"])).unwrap();
    assert!(matches!(cli.command, Some(Command::Lag { json: true, .. })));
    assert_eq!(cli.data_dir, PathBuf::from("/tmp/x"));
    let cli = parse_from(args(&["lag", "--watch", "--interval", "500ms"])).unwrap();
    assert!(matches!(cli.command, Some(Command::Lag { json: false })));
    assert_eq!(cli.run.watch.every(), Some(Duration::from_millis(500)));
    let cli = parse_from(args(&["lag", "--json"])).unwrap();
    assert_eq!(cli.run.watch.every(), None);
    let refused = parse_from(args(&["lag", "--interval", "1s"]))
        .err()
        .unwrap();
    assert!(refused.to_string().contains("--watch"), "{refused}");
    let refused = parse_from(args(&["--watch"])).err().unwrap();
    assert!(
        refused.to_string().contains("'userstream lag'"),
        "{refused}"
    );
    let refused = parse_from(args(&["dead-letters", "--watch"]))
        .err()
        .unwrap();
    assert!(
        refused.to_string().contains("does not take --watch"),
        "{refused}"
    );
    let cli = parse_from(args(&["dead-letters", "--limit", "5"])).unwrap();
    assert!(matches!(
        cli.command,
        Some(Command::DeadLetters {
            limit: 5,
            action: None
        })
    ));
}

#[test]
fn metrics_address_comes_from_a_flag_or_the_config_file() {
    assert_eq!(parse_from(args(&[])).unwrap().run.metrics_addr, None);
    let cli = parse_from(args(&["--metrics-addr", "0.0.0.0:9898"])).unwrap();
    assert_eq!(cli.run.metrics_addr.as_deref(), Some("0.0.0.0:9898"));
    let err = parse_from(args(&["--metrics-addr", "9898"])).err().unwrap();
    assert!(err.to_string().contains("not HOST:PORT"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("userstream.toml");
    std::fs::write(
        &path,
        "metrics-addr = \"127.0.0.1:9000\"\nmetrics-linger = \"3s\"\n",
    )
    .unwrap();
    let cli = parse_from(args(&["--config", path.to_str().unwrap()])).unwrap();
    assert_eq!(cli.run.metrics_addr.as_deref(), Some("127.0.0.1:9000"));
    assert_eq!(cli.run.metrics_linger, Duration::from_secs(3));
}

#[test]
fn flag_defaults_are_the_backends_defaults() {
    use crate::broker::embedded::EmbeddedConfig;
    use crate::store::cassandra::CassandraConfig;

    let run = parse_from(args(&[])).unwrap().run;
    let kafka = KafkaConfig::default();
    assert_eq!(run.brokers, kafka.brokers);
    assert_eq!((&run.topic, &run.group), (&kafka.topic, &kafka.group));
    assert_eq!(run.replication_factor, kafka.replication_factor);
    assert_eq!(run.compression, kafka.compression);
    let embedded = EmbeddedConfig::default();
    assert_eq!((&run.topic, &run.group), (&embedded.topic, &embedded.group));
    assert_eq!(Some(run.retention_age), embedded.retention.max_age);
    assert_eq!(Some(run.retention_bytes), embedded.retention.max_bytes);
    let pipeline = PipelineConfig::default();
    assert_eq!(run.topic, pipeline.topic);
    assert_eq!(run.role, pipeline.role);
    assert_eq!(run.poll_max, pipeline.poll_max);
    assert_eq!(Some(run.max_lead), pipeline.max_lead);
    let retry = RetryPolicy::default();
    assert_eq!(
        (run.retry_initial, run.retry_max),
        (retry.initial, retry.max)
    );
    assert_eq!(Some(run.circuit_threshold), retry.circuit_threshold);
    assert_eq!(run.circuit_cooldown, retry.circuit_cooldown);
    let cassandra = run.cassandra.config(&run.topic).unwrap();
    let want = CassandraConfig::default();
    assert_eq!(cassandra.contact_points, want.contact_points);
    assert_eq!(cassandra.keyspace, want.keyspace);
    assert_eq!(cassandra.consistency, want.consistency);
    assert_eq!(cassandra.max_in_flight, want.max_in_flight);
    assert_eq!(cassandra.batch_rows, want.batch_rows);
    assert_eq!(cassandra.request_timeout, want.request_timeout);
    assert_eq!(cassandra.replication, want.replication);
    assert_eq!(cassandra.topic, want.topic);
}

fn config_file(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("userstream.toml");
    std::fs::write(&path, text).unwrap();
    let p = path.to_str().unwrap().to_owned();
    (dir, p)
}

/// The text a parse prints: help, a clap error, or our own refusal.
fn printed(list: &[&str]) -> String {
    match parse_from(args(list)) {
        Ok(cli) => format!("{cli:?}"),
        Err(e) => match e.downcast_ref::<clap::Error>() {
            Some(clap_error) => clap_error.render().to_string(),
            None => format!("{e:#}"),
        },
    }
}

#[test]
fn file_values_are_applied_after_parsing_and_never_shown_in_help() {
    let (_dir, p) = config_file(
        "cassandra-password = \"hunter2-from-file\"\ncassandra-user = \"app\"\n\
         kafka-property = [\"sasl.password=hunter2-x\", \"linger.ms=5\"]\n\
         cassandra = \"10.0.0.9:9042\"\nrate = 250\n",
    );
    let help = printed(&["--config", &p, "--help"]);
    assert!(help.contains("--cassandra-password"), "{help}");
    for secret in ["hunter2", "10.0.0.9", "250"] {
        assert!(!help.contains(secret), "{secret} in {help}");
    }
    let cli = parse_from(args(&["--config", &p])).unwrap();
    let password = cli.run.cassandra.cassandra_password.as_ref().unwrap();
    assert_eq!(password.expose(), "hunter2-from-file");
    assert_eq!(cli.run.cassandra.contact_points, vec!["10.0.0.9:9042"]);
    assert_eq!(cli.run.kafka_property.len(), 2);
    assert_eq!(cli.run.kafka_property[0].value, "hunter2-x");
    assert!(!format!("{cli:?}").contains("hunter2"));
    // The command line wins, also for repeatable flags.
    let cli = parse_from(args(&["--config", &p, "-X", "acks=all", "--rate", "9"])).unwrap();
    assert_eq!(cli.run.effective_rate(), Some(9));
    assert_eq!(cli.run.kafka_property.len(), 1);
    // A subcommand's help and a global flag from the file.
    let (_dir2, p2) = config_file("data-dir = \"/srv/us\"\ncassandra-password = \"hunter2\"\n");
    assert!(!printed(&["--config", &p2, "lag", "--help"]).contains("hunter2"));
    let cli = parse_from(args(&["--config", &p2, "lag"])).unwrap();
    assert_eq!(cli.data_dir, PathBuf::from("/srv/us"));
}

#[test]
fn errors_never_repeat_a_secret() {
    let typo = printed(&["-X", "sasl.password hunter3"]);
    assert!(typo.contains("key=value"), "{typo}");
    assert!(!typo.contains("hunter3"), "{typo}");
    let (_d1, bad_item) = config_file("kafka-property = [\"sasl.password hunter4\"]\n");
    let (_d2, bad_toml) = config_file("cassandra-password = \"hunter5\nrate = 1\n");
    let (_d3, bad_rate) =
        config_file("cassandra-password = \"hunter6\"\ncassandra-user = \"a\"\nrate = \"fast\"\n");
    for (file, secret) in [
        (&bad_item, "hunter4"),
        (&bad_toml, "hunter5"),
        (&bad_rate, "hunter6"),
    ] {
        let shown = printed(&["--config", file]);
        assert!(shown.contains("config file"), "{shown}");
        assert!(!shown.contains(secret), "{shown}");
    }
    // The file's fault is named with the flag and, when not secret, the value.
    let shown = printed(&["--config", &bad_rate]);
    assert!(
        shown.contains("'fast'") && shown.contains("--rate"),
        "{shown}"
    );
    let (_d4, switch) = config_file("headless = \"yes\"\n");
    assert!(printed(&["--config", &switch]).contains("is a switch"));
}

#[test]
fn flags_come_before_or_after_the_subcommand() {
    let kafka = ["--broker", "kafka", "--brokers", "k1:9092", "--topic", "t"];
    let after: Vec<&str> = ["lag", "--json"].iter().chain(&kafka).copied().collect();
    let before: Vec<&str> = kafka.iter().chain(&["lag", "--json"]).copied().collect();
    for list in [after, before] {
        let cli = parse_from(args(&list)).unwrap();
        assert!(matches!(cli.command, Some(Command::Lag { json: true, .. })));
        assert_eq!(cli.run.broker, BrokerKind::Kafka);
        assert_eq!(
            (cli.run.brokers.as_str(), cli.run.topic.as_str()),
            ("k1:9092", "t")
        );
    }
    let cli = parse_from(args(&[
        "dead-letters",
        "--limit",
        "3",
        "--store",
        "cassandra",
        "--cassandra",
        "10.0.0.1:9042",
        "--keyspace",
        "ks",
        "--log",
        "debug",
    ]))
    .unwrap();
    assert_eq!(cli.run.store, StoreKind::Cassandra);
    assert_eq!(cli.run.cassandra.contact_points, vec!["10.0.0.1:9042"]);
    assert_eq!(cli.run.cassandra.keyspace, "ks");
    assert_eq!(cli.run.log.as_deref(), Some("debug"));
    let cli = parse_from(args(&[
        "schema",
        "--keyspace",
        "ks2",
        "--replication",
        "dc1:3",
    ]))
    .unwrap();
    assert_eq!(cli.run.cassandra.keyspace, "ks2");
}

#[test]
fn a_flag_the_subcommand_does_not_read_is_refused_naming_it() {
    let err = |a: &[&str]| parse_from(args(a)).err().unwrap().to_string();
    for list in [&["lag", "--rate", "5"][..], &["--rate", "5", "lag"]] {
        let shown = err(list);
        assert!(
            shown.starts_with("'userstream lag' does not take --rate: "),
            "{shown}"
        );
        assert!(!shown.contains('\n'), "{shown}");
    }
    let shown = err(&["dead-letters", "--brokers", "k:9092"]);
    assert!(
        shown.contains("'userstream dead-letters' does not take --brokers"),
        "{shown}"
    );
    let shown = err(&["lag", "--retention-age", "1h"]);
    assert!(shown.contains("does not take --retention-age"), "{shown}");
    assert!(err(&["schema", "--data-dir", "/tmp/x"]).contains("does not take --data-dir"));
    assert!(err(&["lag", "--headless"]).contains("does not take --headless"));
    // The config file holds settings for every command: what it gives is not refused.
    let (_dir, p) = config_file("rate = 5\nbrokers = \"k2:9092\"\n");
    let cli = parse_from(args(&["lag", "--config", &p])).unwrap();
    assert_eq!(cli.run.brokers, "k2:9092");
}
