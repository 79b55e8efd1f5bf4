use serde_json::{Value, json};

use super::*;
use crate::model::{RawUser, WireRecord};

const STORED_AT: &str = "2026-11-21T12:00:00.000000Z";

fn fixture_users(name: &str) -> Vec<RawUser> {
    let path = format!(
        "{}/tests/data/randomuser/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    serde_json::from_value(body["results"].clone()).unwrap()
}

fn wire_of(raw: RawUser) -> Vec<u8> {
    serde_json::to_vec(&WireRecord::from_raw(
        raw,
        "2026-11-21T11:59:59.000Z",
        "randomuser",
    ))
    .unwrap()
}

fn good() -> Value {
    serde_json::to_value(WireRecord::from_raw(
        fixture_users("one-user.json").remove(0),
        "2026-11-21T11:59:59.000Z",
        "randomuser",
    ))
    .unwrap()
}

fn rule_of(payload: &[u8]) -> &'static str {
    transform(payload, STORED_AT).unwrap_err().rule
}

#[test]
fn every_full_fixture_transforms() {
    let mut files: Vec<String> = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/randomuser"
    ))
    .unwrap()
    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
    .filter(|n| n.ends_with(".json") && !n.starts_with("inc-"))
    .collect();
    files.sort();
    assert!(files.len() >= 24, "fixtures missing: {files:?}");
    for file in files {
        for raw in fixture_users(&file) {
            let expected_country = raw.location.as_ref().unwrap().country.clone().unwrap();
            let user = transform(&wire_of(raw.clone()), STORED_AT)
                .unwrap_or_else(|r| panic!("{file}: {r:?}"));
            assert_eq!(user.country, expected_country, "{file}");
            assert!(is_uuid(&user.id));
            assert_eq!(user.email_domain, "example.com");
            assert!((1..=12).contains(&user.month) && (1..=31).contains(&user.day));
            assert!(user.year >= 1990, "{file}: {}", user.year);
            assert!(!user.post_code.is_empty());
            assert!(user.address.ends_with(&format!(", {expected_country}")));
        }
    }
}

#[test]
fn fixture_specifics_survive_the_transform() {
    let gb = transform(
        &wire_of(fixture_users("nat-GB-20.json").remove(0)),
        STORED_AT,
    )
    .unwrap();
    assert_eq!(gb.post_code, "C4 3DF");
    let au = transform(
        &wire_of(fixture_users("nat-AU-20.json").remove(0)),
        STORED_AT,
    )
    .unwrap();
    assert_eq!(au.post_code, "6394");
    assert_eq!((au.year, au.month, au.day), (2021, 12, 2));
    let ir = transform(
        &wire_of(fixture_users("nat-IR-20.json").remove(0)),
        STORED_AT,
    )
    .unwrap();
    assert_eq!(ir.first_name, "نازنین");
    assert_eq!(ir.address, "9686 17 شهریور, ایلام, ایلام, Iran");
}

#[test]
fn partial_records_are_rejected_with_the_missing_field() {
    for raw in fixture_users("inc-gender-name-nat-3.json") {
        let rejection = transform(&wire_of(raw), STORED_AT).unwrap_err();
        assert_eq!(rejection.rule, "id_uuid");
        assert_eq!(rejection.reason, "id is empty");
    }
}

#[test]
fn old_pipeline_format_is_accepted() {
    let old = json!({
        "id": "0b0f5d7c-7b79-4a1f-9a35-bf5e3a1e3c11",
        "first_name": "Lana", "last_name": "Blanchard", "gender": "female",
        "address": "8825 Rue des Jardins, Montpellier, Meurthe-et-Moselle, France",
        "post_code": 67389, "email": "lana.blanchard@example.com", "username": "crazylion473",
        "dob": "1997-06-30T14:00:19.280Z", "registered_date": "2018-01-25T16:45:34.105Z",
        "phone": "01-73-08-24-90", "picture": "https://randomuser.me/api/portraits/med/women/84.jpg"
    });
    let user = transform(old.to_string().as_bytes(), STORED_AT).unwrap();
    assert_eq!(user.country, "France");
    assert_eq!(user.city, "Montpellier");
    assert_eq!(user.state, "Meurthe-et-Moselle");
    assert_eq!(user.post_code, "67389");
    assert_eq!(user.source, "legacy");
    assert_eq!((user.year, user.month, user.day), (2018, 1, 25));
}

#[test]
fn each_rule_names_itself() {
    let with = |key: &str, value: Value| {
        let mut v = good();
        v[key] = value;
        serde_json::to_vec(&v).unwrap()
    };
    let without = |key: &str| {
        let mut v = good();
        v.as_object_mut().unwrap().remove(key);
        serde_json::to_vec(&v).unwrap()
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("not json", b"{\"id\": ".to_vec(), "decode"),
        ("array", b"[1,2,3]".to_vec(), "decode"),
        (
            "invalid utf-8",
            b"{\"id\": \"\xff\xfe\"}".to_vec(),
            "encoding",
        ),
        ("wrong type", with("first_name", json!(123)), "decode"),
        ("null name", with("last_name", Value::Null), "name_present"),
        ("id not uuid", with("id", json!("12345")), "id_uuid"),
        ("id missing", without("id"), "id_uuid"),
        (
            "empty first name",
            with("first_name", json!("  ")),
            "name_present",
        ),
        (
            "two @",
            with("email", json!("a@b@example.com")),
            "email_format",
        ),
        ("no @", with("email", json!("example.com")), "email_format"),
        (
            "no local part",
            with("email", json!("@example.com")),
            "email_format",
        ),
        (
            "bad registered",
            with("registered_date", json!("yesterday")),
            "registered_date",
        ),
        ("bad dob", with("dob", json!("1997-13-45")), "dob"),
        (
            "huge field",
            with("city", json!("x".repeat(MAX_FIELD + 1))),
            "field_size",
        ),
        (
            "huge payload",
            with("picture", json!("x".repeat(MAX_PAYLOAD))),
            "payload_size",
        ),
    ];
    for (name, payload, rule) in cases {
        assert_eq!(rule_of(&payload), rule, "{name}");
    }
    let mut no_country = good();
    no_country["country"] = json!("");
    no_country["address"] = json!("no commas here");
    assert_eq!(
        rule_of(&serde_json::to_vec(&no_country).unwrap()),
        "country_present"
    );
}

#[test]
fn the_field_limit_counts_characters_not_bytes() {
    let with = |city: String| {
        let mut v = good();
        v["city"] = json!(city);
        serde_json::to_vec(&v).unwrap()
    };
    // Two bytes each: the longest accepted city is twice the limit in bytes.
    let at_limit = with("é".repeat(MAX_FIELD));
    assert_eq!(
        transform(&at_limit, STORED_AT)
            .unwrap()
            .city
            .chars()
            .count(),
        MAX_FIELD
    );
    let over = with("é".repeat(MAX_FIELD + 1));
    let rejection = transform(&over, STORED_AT).unwrap_err();
    assert_eq!(rejection.rule, "field_size");
    assert!(
        rejection
            .reason
            .contains(&format!("{} characters", MAX_FIELD + 1)),
        "{}",
        rejection.reason
    );
}

#[test]
fn reasons_never_echo_huge_values() {
    let mut v = good();
    v["id"] = json!("z".repeat(10_000));
    let rejection = transform(&serde_json::to_vec(&v).unwrap(), STORED_AT).unwrap_err();
    assert!(rejection.reason.len() < 200, "{}", rejection.reason);
}

#[test]
fn reasons_never_quote_emails_ids_names_or_dates() {
    let email = "ann.smith+x@@example.com";
    let id = "ann-smith-1234";
    let mut cases = Vec::new();
    let mut bad_email = good();
    bad_email["email"] = json!(email);
    cases.push(bad_email);
    let mut bad_id = good();
    bad_id["id"] = json!(id);
    cases.push(bad_id);
    let mut bad_dob = good();
    bad_dob["dob"] = json!("born 1990 ann.smith");
    cases.push(bad_dob);
    let mut bad_date = good();
    bad_date["registered_date"] = json!("ann.smith joined");
    cases.push(bad_date);
    let mut wrong_type = good();
    wrong_type["last_name"] = json!(["ann.smith"]);
    cases.push(wrong_type);
    let mut not_text = good();
    not_text["first_name"] = json!(4_242_424);
    cases.push(not_text);
    for case in cases {
        let rejection = transform(&serde_json::to_vec(&case).unwrap(), STORED_AT).unwrap_err();
        for value in ["ann", "smith", "1234", "4242424", "1990"] {
            assert!(
                !rejection.reason.contains(value),
                "{}: {}",
                rejection.rule,
                rejection.reason
            );
        }
    }
    let rejection = transform(b"{\"id\": \"ann.smith@example.com", STORED_AT).unwrap_err();
    assert_eq!(rejection.rule, "decode");
    assert!(!rejection.reason.contains("ann"), "{}", rejection.reason);
}
