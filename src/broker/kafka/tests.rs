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
fn this_build_has_tls_sasl_and_the_codecs() {
    let builtin = builtin_features().unwrap();
    for feature in [
        "ssl",
        "sasl_plain",
        "sasl_scram",
        "gzip",
        "zstd",
        "lz4",
        "snappy",
    ] {
        assert!(
            builtin.iter().any(|f| f == feature),
            "{feature}: {builtin:?}"
        );
    }
    let props = [
        prop("security.protocol=SASL_SSL"),
        prop("sasl.mechanism=SCRAM-SHA-512"),
    ];
    for codec in [Compression::Gzip, Compression::Zstd, Compression::Lz4] {
        check_features(&required_features(&props, codec), &builtin).unwrap();
    }
    // Kerberos needs Cyrus SASL, which is not built in: refused at start with the reason.
    let needs = required_features(&[prop("sasl.mechanism=GSSAPI")], Compression::None);
    assert!(check_features(&needs, &builtin).is_err());
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

mod security {
    use super::prop;
    use crate::broker::kafka::security::{
        Cause, KafkaSecurity, Password, SaslMechanism, cause, message,
    };

    fn shown(props: &[crate::broker::kafka::KafkaProperty]) -> Vec<String> {
        props.iter().map(|p| format!("{p:?}")).collect()
    }

    fn scram(user: &str) -> KafkaSecurity {
        KafkaSecurity {
            sasl_mechanism: Some(SaslMechanism::ScramSha256),
            username: Some(user.to_owned()),
            password: Some(Password::new("hunter2")),
            ..KafkaSecurity::default()
        }
    }

    #[test]
    fn the_protocol_follows_from_the_shortcuts() {
        let ca = tempfile::NamedTempFile::new().unwrap();
        let ca_path = ca.path().to_path_buf();
        let tls = KafkaSecurity {
            tls: true,
            ..KafkaSecurity::default()
        };
        let with_ca = KafkaSecurity {
            ca: Some(ca_path.clone()),
            ..KafkaSecurity::default()
        };
        let sasl_ssl = KafkaSecurity {
            ca: Some(ca_path.clone()),
            ..scram("alice")
        };
        assert_eq!(KafkaSecurity::default().protocol(), None);
        assert_eq!(tls.protocol(), Some("SSL"));
        assert_eq!(with_ca.protocol(), Some("SSL"));
        assert_eq!(scram("alice").protocol(), Some("SASL_PLAINTEXT"));
        assert_eq!(sasl_ssl.protocol(), Some("SASL_SSL"));

        let merged = sasl_ssl.merge(&[prop("linger.ms=5")]).unwrap();
        let ca_shown = format!("ssl.ca.location={}", ca_path.display());
        assert_eq!(
            shown(&merged),
            [
                "security.protocol=SASL_SSL",
                ca_shown.as_str(),
                "sasl.mechanism=SCRAM-SHA-256",
                "sasl.username=alice",
                "sasl.password=[redacted]",
                "linger.ms=5",
            ]
        );
        let password = merged.iter().find(|p| p.key == "sasl.password").unwrap();
        assert_eq!(password.value, "hunter2");
        assert_eq!(format!("{:?}", sasl_ssl.password), "Some([redacted])");
        // Nothing set: the properties pass through unchanged.
        assert_eq!(
            shown(&KafkaSecurity::default().merge(&[prop("acks=all")]).unwrap()),
            ["acks=all"]
        );
    }

    #[test]
    fn contradictions_and_gaps_are_refused() {
        let err = |s: KafkaSecurity, x: &[&str]| {
            let props: Vec<_> = x.iter().map(|p| prop(p)).collect();
            s.merge(&props).unwrap_err().to_string()
        };
        let no_password = KafkaSecurity {
            password: None,
            ..scram("alice")
        };
        assert!(err(no_password, &[]).contains("USERSTREAM_KAFKA_PASSWORD"));
        let no_user = KafkaSecurity {
            username: None,
            ..scram("alice")
        };
        assert!(err(no_user, &[]).contains("needs --kafka-username"));
        let user_only = KafkaSecurity {
            username: Some("alice".into()),
            ..KafkaSecurity::default()
        };
        assert!(err(user_only, &[]).contains("needs --kafka-sasl-mechanism"));
        let e = err(scram("alice"), &["security.protocol=SSL"]);
        assert!(e.contains("contradicts"), "{e}");
        let e = err(scram("alice"), &["sasl.username=bob"]);
        assert!(e.contains("--kafka-username and -X sasl.username"), "{e}");
        let e = err(scram("alice"), &["sasl.password=other"]);
        assert!(!e.contains("hunter2") && !e.contains("other"), "{e}");
        let missing = KafkaSecurity {
            ca: Some("/no/such/ca.pem".into()),
            ..KafkaSecurity::default()
        };
        assert!(err(missing, &[]).contains("--kafka-ca /no/such/ca.pem: cannot read it"));
        // An explicit protocol that agrees is kept, and the user and password may come by -X.
        let agreeing = KafkaSecurity {
            sasl_mechanism: Some(SaslMechanism::Plain),
            tls: true,
            ..KafkaSecurity::default()
        };
        let merged = agreeing
            .merge(&[
                prop("security.protocol=sasl_ssl"),
                prop("sasl.username=u"),
                prop("sasl.password=p"),
            ])
            .unwrap();
        assert_eq!(
            shown(&merged),
            [
                "sasl.mechanism=PLAIN",
                "security.protocol=sasl_ssl",
                "sasl.username=u",
                "sasl.password=[redacted]",
            ]
        );
    }

    #[test]
    fn librdkafka_failures_are_told_by_cause() {
        // librdkafka 2.12's texts, as its broker threads log them.
        let cases = [
            (
                "ssl://127.0.0.1:9093/bootstrap: SSL handshake failed: error:0A000086:SSL \
                 routines::certificate verify failed: broker certificate could not be verified",
                Some(Cause::CertificateUntrusted),
            ),
            (
                "ssl://h:1/bootstrap: SSL handshake failed: Disconnected: connecting to a \
                 PLAINTEXT broker listener?",
                Some(Cause::NotTls),
            ),
            (
                "sasl_ssl://h:1/bootstrap: SASL authentication error: SaslAuthenticateRequest \
                 failed: Local: Broker transport failure",
                Some(Cause::BadCredentials),
            ),
            (
                "sasl_ssl://h:1/bootstrap: SASL PLAIN mechanism handshake failed: Broker: \
                 Unsupported SASL mechanism: broker's supported mechanisms: PLAIN",
                Some(Cause::MechanismRefused),
            ),
            ("1/1 brokers are down", None),
            (
                "Connect to ipv4#127.0.0.1:1 failed: Connection refused",
                None,
            ),
        ];
        for (text, want) in cases {
            assert_eq!(cause(text), want, "{text}");
        }
        let line = message(Cause::HostnameMismatch, "first\nsecond", "h:1");
        assert!(
            line.starts_with("Kafka at h:1: TLS hostname mismatch"),
            "{line}"
        );
        assert!(line.ends_with("librdkafka: first"), "{line}");
    }
}
