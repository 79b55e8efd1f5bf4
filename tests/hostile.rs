//! Hostile payloads written straight into the embedded log, then processed by the real binary:
//! every bad record is dead-lettered with a reason, the good ones around it are stored, and
//! nothing crashes.

mod support;

use rusqlite::Connection;
use serde_json::{Value, json};
use support::run::{run_ok, success, summary, userstream};
use userstream::broker::embedded::{EmbeddedConfig, Retention};
use userstream::broker::{Broker, EmbeddedBroker, OutRecord};

fn good(i: u32) -> Value {
    json!({
        "id": format!("6f1c2a8e-0000-4000-8000-{i:012}"),
        "first_name": "Ада", "last_name": "Лавлейс", "gender": "female",
        "address": "12 Baker Street, London, Greater London, United Kingdom",
        "post_code": "NW1 6XE", "email": format!("ada{i}@example.com"), "username": "ada",
        "dob": "1990-12-10T08:00:00.000Z", "registered_date": "2015-06-01T10:00:00.000Z",
        "phone": "(0)20 7946 0018", "picture": "https://randomuser.me/api/portraits/med/women/1.jpg",
        "schema_version": 2, "nat": "GB", "city": "London", "state": "Greater London",
        "country": "United Kingdom", "ingested_at": "2026-11-21T10:00:00.000Z", "source": "test"
    })
}

#[test]
fn hostile_payloads_are_dead_lettered_and_good_ones_stored() {
    let dir = tempfile::tempdir().unwrap();
    let mut bad: Vec<(&str, Vec<u8>)> = vec![
        ("decode", b"{\"id\": \"6f1c2a8e-".to_vec()),
        ("decode", b"not json at all".to_vec()),
        ("decode", b"".to_vec()),
        ("decode", b"null".to_vec()),
        ("encoding", b"{\"id\": \"\xc3\x28\"}".to_vec()),
        (
            "payload_size",
            serde_json::to_vec(&json!({"blob": "x".repeat(1 << 20)})).unwrap(),
        ),
    ];
    let mut wrong_type = good(900);
    wrong_type["first_name"] = json!({"nested": true});
    bad.push(("decode", serde_json::to_vec(&wrong_type).unwrap()));
    let mut missing = good(901);
    missing.as_object_mut().unwrap().remove("email");
    bad.push(("email_format", serde_json::to_vec(&missing).unwrap()));
    let mut huge = good(902);
    huge["last_name"] = json!("ж".repeat(5000));
    bad.push(("field_size", serde_json::to_vec(&huge).unwrap()));
    let mut not_uuid = good(903);
    not_uuid["id"] = json!("'; DROP TABLE created_users; --");
    bad.push(("id_uuid", serde_json::to_vec(&not_uuid).unwrap()));

    // Good and bad interleaved, all on one key so they share a partition in this order.
    let mut records = Vec::new();
    for (i, (_, payload)) in bad.iter().enumerate() {
        records.push(OutRecord {
            key: "k".into(),
            payload: serde_json::to_vec(&good(i as u32)).unwrap(),
        });
        records.push(OutRecord {
            key: "k".into(),
            payload: payload.clone(),
        });
    }
    records.push(OutRecord {
        key: "k".into(),
        payload: serde_json::to_vec(&good(99)).unwrap(),
    });
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let log = EmbeddedBroker::open(
            &dir.path().join("log"),
            EmbeddedConfig {
                retention: Retention::default(),
                ..EmbeddedConfig::default()
            },
        )
        .unwrap();
        log.produce(records.into()).await.unwrap();
    });
    drop(runtime);

    let summary = summary(&run_ok(
        dir.path(),
        &["--headless", "--role", "process", "--drain"],
    ));
    assert_eq!(summary["dead_lettered"], bad.len());
    assert_eq!(summary["stored"], bad.len() + 1);
    assert_eq!(summary["lag"], 0);

    let conn = Connection::open(dir.path().join("store.db")).unwrap();
    let rows: i64 = conn
        .query_row("SELECT COUNT(*) FROM created_users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows as usize, bad.len() + 1);
    let first: String = conn
        .query_row("SELECT first_name FROM created_users LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(first, "Ада");

    let out = run_ok(dir.path(), &["dead-letters"]);
    let letters: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(letters.len(), bad.len());
    for (letter, (rule, payload)) in letters.iter().zip(&bad) {
        assert_eq!(letter["rule"], *rule, "{letter}");
        assert!(!letter["reason"].as_str().unwrap().is_empty());
        assert_eq!(letter["origin"]["topic"], "users_created");
        // Nothing is lost: the original bytes are kept, as text or base64.
        match std::str::from_utf8(payload) {
            Ok(text) => assert_eq!(letter["payload"], text),
            Err(_) => assert!(letter["payload_base64"].is_string()),
        }
    }
}

/// A foreign producer's record: its secret-named fields never reach the dead-letter topic, and
/// no reason or log line quotes its email or id.
#[test]
fn dead_letters_keep_payloads_without_secrets_and_reasons_without_values() {
    let dir = tempfile::tempdir().unwrap();
    let mut foreign = good(1);
    foreign["email"] = json!("grace.hopper@@navy.example");
    foreign["api_token"] = json!("tok-hunter2");
    foreign["login"] = json!({"username": "grace", "password": "hunter2", "sha256": "abc123"});
    let mut bad_id = good(2);
    // Letters beside the digits: the debug logs' timestamps hold every run of four digits.
    bad_id["id"] = json!("grace-hopper-dec1906");
    let mut wrong_type = good(3);
    wrong_type["last_name"] = json!({"hopper": "grace.hopper@navy.example"});
    let records: Vec<OutRecord> = [foreign, bad_id, wrong_type]
        .iter()
        .map(|v| OutRecord {
            key: "k".into(),
            payload: serde_json::to_vec(v).unwrap(),
        })
        .collect();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let log = EmbeddedBroker::open(
            &dir.path().join("log"),
            EmbeddedConfig {
                topic: "users_created".into(),
                group: "userstream".into(),
                partitions: None,
                retention: Retention::default(),
            },
        )
        .unwrap();
        log.produce(records.into()).await.unwrap();
    });
    drop(runtime);

    let mut process = userstream(dir.path(), &["--headless", "--role", "process", "--drain"]);
    process
        .env("USERSTREAM_LOG", "debug")
        .env_remove("RUST_LOG");
    let out = success(process);
    let logs = String::from_utf8_lossy(&out.stderr);
    let letters = run_ok(dir.path(), &["dead-letters"]);
    let text = String::from_utf8_lossy(&letters.stdout);
    let letters: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let rules: Vec<&str> = letters
        .iter()
        .map(|l| l["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["email_format", "id_uuid", "decode"]);
    for secret in ["hunter2", "abc123"] {
        assert!(!text.contains(secret), "{secret} kept: {text}");
        assert!(!logs.contains(secret), "{secret} logged: {logs}");
    }
    // The payload is still the record, minus the secrets.
    let payload: Value = serde_json::from_str(letters[0]["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["email"], "grace.hopper@@navy.example");
    assert_eq!(payload["login"]["username"], "grace");
    for letter in &letters {
        let reason = letter["reason"].as_str().unwrap();
        for value in ["grace", "hopper", "dec1906", "navy"] {
            assert!(!reason.contains(value), "{reason}");
            assert!(!logs.contains(value), "{logs}");
        }
    }
}
