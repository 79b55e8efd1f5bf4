//! The Kafka flags: `-X` passthrough from the command line and from the config file, and the
//! refusals that need no broker.

mod support;

use userstream::broker::kafka::Compression;
use userstream::cli::{BrokerKind, parse_from};

fn args(list: &[&str]) -> Vec<std::ffi::OsString> {
    std::iter::once("userstream")
        .chain(list.iter().copied())
        .map(Into::into)
        .collect()
}

#[test]
fn kafka_flags_parse() {
    let cli = parse_from(args(&[
        "--broker",
        "kafka",
        "--brokers",
        "10.0.0.1:9092,10.0.0.2:9092",
        "--replication-factor",
        "3",
        "--compression",
        "zstd",
        "-X",
        "linger.ms=20",
        "-X",
        "sasl.jaas.config=a=b,c=d",
    ]))
    .unwrap();
    let run = cli.run;
    assert_eq!(run.broker, BrokerKind::Kafka);
    assert_eq!(run.brokers, "10.0.0.1:9092,10.0.0.2:9092");
    assert_eq!(run.replication_factor, 3);
    assert_eq!(run.compression, Compression::Zstd);
    let props: Vec<(&str, &str)> = run
        .kafka_property
        .iter()
        .map(|p| (p.key.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(
        props,
        [("linger.ms", "20"), ("sasl.jaas.config", "a=b,c=d")]
    );
    // The parsed flags can be debug-printed without the secret.
    assert!(!format!("{:?}", run.kafka_property).contains("a=b,c=d"));

    let err = parse_from(args(&["--replication-factor", "0"]))
        .err()
        .unwrap();
    assert!(err.to_string().contains("0"), "{err}");
    assert!(parse_from(args(&["-X", "novalue"])).is_err());
}

#[test]
fn config_file_takes_a_property_list() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("userstream.toml");
    std::fs::write(
        &path,
        "broker = \"kafka\"\nkafka-property = [\"security.protocol=SASL_PLAINTEXT\", \
         \"sasl.jaas.config=x=1,y=2\"]\n",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let cli = parse_from(args(&["--config", p])).unwrap();
    assert_eq!(cli.run.broker, BrokerKind::Kafka);
    let values: Vec<&str> = cli
        .run
        .kafka_property
        .iter()
        .map(|p| p.value.as_str())
        .collect();
    assert_eq!(values, ["SASL_PLAINTEXT", "x=1,y=2"]);
}

/// A run on a fresh data dir, expected to fail.
fn userstream(args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    support::run::userstream(dir.path(), args).output().unwrap()
}

#[test]
fn a_feature_not_built_in_is_refused_at_start_without_leaking_secrets() {
    // TLS, PLAIN and SCRAM are built in; Kerberos (GSSAPI, through Cyrus SASL) is not.
    let out = userstream(&[
        "--headless",
        "--broker",
        "kafka",
        "--brokers",
        "127.0.0.1:1",
        "-X",
        "security.protocol=SASL_SSL",
        "-X",
        "sasl.mechanism=GSSAPI",
        "-X",
        "sasl.password=hunter2",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("sasl.mechanism=GSSAPI"), "{stderr}");
    assert!(stderr.contains("'sasl_gssapi'"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn guarantees_cannot_be_turned_off() {
    let out = userstream(&[
        "--headless",
        "--broker",
        "kafka",
        "-X",
        "enable.auto.commit=true",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("not allowed"), "{stderr}");
}

#[test]
fn unreachable_brokers_fail_clearly() {
    let out = userstream(&[
        "--headless",
        "--broker",
        "kafka",
        "--brokers",
        "127.0.0.1:1",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("cannot reach the Kafka brokers at 127.0.0.1:1"),
        "{stderr}"
    );
}

#[test]
fn security_shortcuts_come_from_flags_and_the_config_file() {
    use userstream::broker::kafka::SaslMechanism;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("userstream.toml");
    std::fs::write(
        &path,
        "kafka-sasl-mechanism = \"SCRAM-SHA-512\"\nkafka-username = \"svc\"\n\
         kafka-password = \"hunter2\"\nkafka-ca = \"/etc/ssl/kafka-ca.pem\"\n",
    )
    .unwrap();
    let cli = parse_from(args(&["--config", path.to_str().unwrap()])).unwrap();
    let security = cli.run.kafka_security.security();
    assert_eq!(security.sasl_mechanism, Some(SaslMechanism::ScramSha512));
    assert_eq!(security.username.as_deref(), Some("svc"));
    assert_eq!(security.protocol(), Some("SASL_SSL"));
    assert!(!format!("{cli:?}").contains("hunter2"));

    let cli = parse_from(args(&["--kafka-tls", "--kafka-sasl-mechanism", "plain"])).unwrap();
    let security = cli.run.kafka_security.security();
    assert_eq!(security.sasl_mechanism, Some(SaslMechanism::Plain));
    assert_eq!(security.protocol(), Some("SASL_SSL"));
    assert!(parse_from(args(&["--kafka-sasl-mechanism", "GSSAPI"])).is_err());
}

#[test]
fn incomplete_sasl_settings_are_refused_at_start() {
    let out = userstream(&[
        "--headless",
        "--broker",
        "kafka",
        "--brokers",
        "127.0.0.1:1",
        "--kafka-sasl-mechanism",
        "SCRAM-SHA-256",
        "--kafka-username",
        "svc",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("USERSTREAM_KAFKA_PASSWORD"), "{stderr}");
}
