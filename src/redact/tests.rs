use serde::Deserialize;

use super::*;

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
struct Person {
    email: String,
    age: u8,
    kind: Kind,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Human,
}

fn message(json: &str) -> String {
    decode_error(&serde_json::from_str::<Person>(json).unwrap_err())
}

#[test]
fn secret_names_are_the_ones_librdkafka_and_the_driver_use() {
    for name in [
        "sasl.password",
        "ssl.key.password",
        "ssl.keystore.password",
        "ssl.key.pem",
        "ssl_key",
        "sasl.oauthbearer.client.secret",
        "sasl.oauthbearer.config",
        "sasl.jaas.config",
        "cassandra-password",
        "API_TOKEN",
        "Private-Key",
    ] {
        assert!(is_secret_name(name), "{name}");
        assert_eq!(shown(name, "hunter2"), REDACTED);
    }
    for name in [
        "linger.ms",
        "bootstrap.servers",
        "email",
        "security.protocol",
    ] {
        assert!(!is_secret_name(name), "{name}");
        assert_eq!(shown(name, "x"), "x");
    }
}

#[test]
fn decode_errors_never_quote_the_input() {
    let cases = [
        (
            r#"{"email": 5, "age": 1, "kind": "human"}"#,
            "invalid type: integer, expected a string at line 1 column 11",
            "5",
        ),
        (
            r#"{"email": "ann@example.com", "age": "ann@example.com, expected x", "kind": "human"}"#,
            "invalid type: string, expected u8 at line 1 column 65",
            "ann",
        ),
        (
            r#"{"email": "bob@example.com", "age": 300, "kind": "human"}"#,
            "invalid value: integer, expected u8 at line 1 column 39",
            "300",
        ),
        (
            r#"{"email": "bob@example.com", "age": 3, "kind": "Bob Smith"}"#,
            "unknown variant, expected `human` at line 1 column 58",
            "Bob",
        ),
        (
            r#"{"email": "bob@example.com", "age": 3, "kind": "human", "Bob": 1}"#,
            "unknown field, expected one of `email`, `age`, `kind` at line 1 column 61",
            "Bob",
        ),
        (
            r#"{"email": "bob@example.com"}"#,
            "missing field `age` at line 1 column 28",
            "bob",
        ),
        (
            r#"{"email": "bob@exam"#,
            "EOF while parsing a string at line 1 column 19",
            "bob",
        ),
        (
            r#"{"email" "bob@example.com"}"#,
            "expected `:` at line 1 column 10",
            "bob",
        ),
    ];
    for (json, want, secret) in cases {
        let got = message(json);
        assert_eq!(got, want, "{json}");
        assert!(!got.contains(secret), "{got}");
    }
}

#[test]
fn untagged_and_custom_errors_keep_only_what_code_wrote() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    #[serde(untagged)]
    enum Either {
        N(u8),
        S(Vec<u8>),
    }
    let e = serde_json::from_str::<Either>(r#""carol@example.com""#).unwrap_err();
    assert_eq!(
        decode_error(&e),
        "data did not match any variant of untagged enum Either"
    );
    let e = serde_json::from_str::<chrono::DateTime<chrono::Utc>>(r#""carol@example.com""#)
        .unwrap_err();
    let got = decode_error(&e);
    assert!(!got.contains("carol"), "{got}");
}

#[test]
fn payloads_lose_secret_fields_at_any_depth_and_keep_the_rest() {
    let payload = r#"{"id":"x","email":"a@example.com","api_token":"t0k",
        "login":{"username":"ann","password":"hunter2","salt":"s","sha256":"h"},
        "tags":[{"secret":"s3"},{"name":"ok"}]}"#;
    let kept: Value = serde_json::from_str(&scrub_payload(payload.to_owned())).unwrap();
    let text = kept.to_string();
    for gone in ["t0k", "hunter2", "\"s\"", "s3", "sha256"] {
        assert!(!text.contains(gone), "{gone} in {text}");
    }
    assert_eq!(kept["email"], "a@example.com");
    assert_eq!(kept["login"]["username"], "ann");
    assert_eq!(kept["tags"][1]["name"], "ok");

    // Nothing to drop, or not JSON: the bytes stay as they were.
    let clean = "{ \"id\" : \"x\",  \"email\": \"a@example.com\" }".to_owned();
    assert_eq!(scrub_payload(clean.clone()), clean);
    assert_eq!(scrub_payload("not json".into()), "not json");
}
