use super::settings::*;

fn prop(s: &str) -> KafkaProperty {
    s.parse().unwrap()
}

#[test]
fn properties_parse_as_key_value() {
    let p = prop("sasl.mechanism=PLAIN");
    assert_eq!(
        (p.key.as_str(), p.value.as_str()),
        ("sasl.mechanism", "PLAIN")
    );
    // Only the first '=' splits: values may hold '=' and ','.
    let p = prop("sasl.oauthbearer.config=a=b,c=d");
    assert_eq!(p.value, "a=b,c=d");
    assert!("no-equals".parse::<KafkaProperty>().is_err());
    assert!("=value".parse::<KafkaProperty>().is_err());
}

#[test]
fn secrets_never_show() {
    for key in [
        "sasl.password",
        "ssl.key.password",
        "ssl.keystore.password",
        "ssl.key.pem",
        "sasl.oauthbearer.client.secret",
        "sasl.oauthbearer.config",
    ] {
        let p = prop(&format!("{key}=hunter2"));
        assert!(!format!("{p:?}").contains("hunter2"), "{key}");
        assert_eq!(shown_value(key, "hunter2"), "[redacted]");
    }
    assert_eq!(format!("{:?}", prop("linger.ms=5")), "linger.ms=5");
    let err = "sasl.password".parse::<KafkaProperty>().unwrap_err();
    assert!(!err.contains("hunter2"));
    let err = "sasl.password hunter2"
        .parse::<KafkaProperty>()
        .unwrap_err();
    assert!(
        !err.contains("hunter2") && !err.contains("sasl.password"),
        "not a key=value, so none of it is repeated: {err}"
    );
}

#[test]
fn guarantees_cannot_be_overridden() {
    for bad in [
        "enable.idempotence=false",
        "acks=1",
        "enable.auto.commit=true",
    ] {
        let err = check_pinned(&[prop(bad)]).unwrap_err().to_string();
        assert!(err.contains("not allowed"), "{bad}: {err}");
    }
    check_pinned(&[prop("acks=all"), prop("acks=-1"), prop("linger.ms=20")]).unwrap();
}

#[test]
fn security_needs_are_found_and_checked() {
    let props = [
        prop("security.protocol=SASL_SSL"),
        prop("sasl.mechanism=SCRAM-SHA-512"),
        prop("sasl.password=hunter2"),
    ];
    let needs = required_features(&props, Compression::None);
    let names: Vec<&str> = needs.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(names, ["ssl", "sasl", "sasl_scram"]);
    let have = vec![
        "gzip".to_owned(),
        "snappy".to_owned(),
        "sasl_plain".to_owned(),
    ];
    let err = check_features(&needs, &have).unwrap_err().to_string();
    assert!(err.contains("security.protocol=SASL_SSL"), "{err}");
    assert!(err.contains("'ssl'"), "{err}");
    assert!(!err.contains("hunter2"));
}

#[test]
fn this_build_reports_its_features() {
    let builtin = builtin_features().unwrap();
    assert!(builtin.iter().any(|f| f == "lz4"), "{builtin:?}");
    check_features(&required_features(&[], Compression::Lz4), &builtin).unwrap();
    // Lean build: TLS is not compiled in, and asking for it fails at start with the reason.
    if !builtin.iter().any(|f| f == "ssl") {
        let needs = required_features(&[prop("security.protocol=SSL")], Compression::None);
        assert!(check_features(&needs, &builtin).is_err());
    }
}

#[test]
fn creation_errors_hide_secret_values() {
    let config = client_config(&[], &[prop("sasl.password=hunter2"), prop("no.such.key=x")]);
    let err = config
        .create::<rdkafka::producer::BaseProducer>()
        .err()
        .map(|e| creation_error("producer", e).to_string())
        .unwrap();
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn a_generation_the_group_refuses_is_fenced_not_an_outage() {
    use crate::broker::BrokerError;
    use rdkafka::error::{KafkaError, RDKafkaErrorCode as C};
    for code in [
        C::UnknownMemberId,
        C::IllegalGeneration,
        C::RebalanceInProgress,
        C::FencedInstanceId,
        C::AssignmentLost,
        C::PollExceeded,
    ] {
        let e = super::consume::classify(KafkaError::ConsumerCommit(code));
        assert!(matches!(e, BrokerError::Fenced(_)), "{code:?}: {e}");
    }
    let e = super::consume::classify(KafkaError::ConsumerCommit(C::AllBrokersDown));
    assert!(matches!(e, BrokerError::NotConnected(_)), "{e}");
    let e = super::consume::classify(KafkaError::ConsumerCommit(C::GroupAuthorizationFailed));
    assert!(matches!(e, BrokerError::Fatal(_)), "{e}");
}
