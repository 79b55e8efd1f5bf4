//! The generator against the real API's answers in `tests/data/randomuser/`.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, NaiveDate};
use serde_json::Value;

use super::format::{self, Civil};
use super::*;

const ABSENT_IDS: [&str; 4] = ["IR", "NZ", "TR", "UA"];
const TEXT_POSTCODES: [&str; 3] = ["CA", "GB", "NO"];

fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn users(seed: u64, nats: &[&str], n: usize) -> Vec<RawUser> {
    let nats = nats.iter().map(|s| s.to_string()).collect();
    SyntheticSource::new(seed, nats).generate_on(n, day(2026, 6, 15))
}

fn nat_of(user: &RawUser) -> &str {
    user.nat.as_deref().unwrap()
}

/// Every user of every fixture with results, as JSON.
fn fixture_users() -> Vec<Value> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/randomuser");
    let mut users = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let page: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            users.extend(page["results"].as_array().unwrap().iter().cloned());
        }
    }
    assert!(users.len() > 900, "fixtures missing: {}", users.len());
    users
}

/// Digits as `9`, letters as `A`, the JSON type appended: how a value looks, not what it is.
fn shape(value: &Value) -> String {
    let (text, kind) = match value {
        Value::String(s) => (s.clone(), "str"),
        Value::Number(n) => (n.to_string(), "num"),
        other => (other.to_string(), "other"),
    };
    let body: String = text
        .chars()
        .map(|c| match c {
            '0'..='9' => '9',
            c if c.is_ascii_alphabetic() => 'A',
            c => c,
        })
        .collect();
    format!("{body}:{kind}")
}

/// The shapes of the fields whose format depends on the nationality.
fn shapes(user: &Value) -> [(&'static str, String); 5] {
    [
        ("postcode", shape(&user["location"]["postcode"])),
        ("phone", shape(&user["phone"])),
        ("cell", shape(&user["cell"])),
        (
            "id",
            format!("{}={}", user["id"]["name"], shape(&user["id"]["value"])),
        ),
        (
            "title",
            format!("{}/{}", user["gender"], user["name"]["title"]),
        ),
    ]
}

#[test]
fn the_same_seed_gives_the_same_users_and_another_seed_others() {
    let first = users(7, &[], 300);
    assert_eq!(first, users(7, &[], 300));
    let other = users(8, &[], 300);
    assert_ne!(first, other);
    let ids: HashSet<_> = first
        .iter()
        .map(|u| u.login.as_ref().unwrap().uuid.clone())
        .collect();
    assert!(
        other
            .iter()
            .all(|u| !ids.contains(&u.login.as_ref().unwrap().uuid))
    );

    // Batches continue the sequence: two fetches of 150 are one of 300.
    let mut source = SyntheticSource::new(7, Vec::new());
    let mut halves = source.generate_on(150, day(2026, 6, 15));
    halves.extend(source.generate_on(150, day(2026, 6, 15)));
    assert_eq!(first, halves);
}

#[test]
fn every_nationality_appears_with_the_postcode_type_of_the_api() {
    let generated = users(1, &[], 5000);
    let seen: BTreeSet<&str> = generated.iter().map(nat_of).collect();
    assert_eq!(seen, NATIONALITIES.into_iter().collect());
    for user in &generated {
        let json = serde_json::to_value(user).unwrap();
        let postcode = &json["location"]["postcode"];
        if TEXT_POSTCODES.contains(&nat_of(user)) {
            assert!(postcode.is_string(), "{}: {postcode}", nat_of(user));
        } else {
            assert!(postcode.is_i64(), "{}: {postcode}", nat_of(user));
        }
    }
    let gb = serde_json::to_string(&users(2, &["GB"], 1)[0]).unwrap();
    assert!(gb.contains(r#""postcode":""#), "{gb}");
    let fr = serde_json::to_string(&users(2, &["FR"], 1)[0]).unwrap();
    assert!(
        !fr.contains(r#""postcode":""#) && fr.contains(r#""postcode":"#),
        "{fr}"
    );
}

#[test]
fn formats_match_the_shapes_the_api_sends_for_each_nationality() {
    let mut known: BTreeMap<(String, &str), BTreeSet<String>> = BTreeMap::new();
    let mut countries = BTreeMap::new();
    for user in fixture_users()
        .iter()
        .filter(|u| u.get("location").is_some())
    {
        let nat = user["nat"].as_str().unwrap().to_string();
        countries.insert(nat.clone(), user["location"]["country"].clone());
        for (field, shape) in shapes(user) {
            known.entry((nat.clone(), field)).or_default().insert(shape);
        }
    }
    for user in users(3, &[], 20_000) {
        let json = serde_json::to_value(&user).unwrap();
        let nat = nat_of(&user).to_string();
        assert_eq!(json["location"]["country"], countries[&nat]);
        for (field, shape) in shapes(&json) {
            let allowed = &known[&(nat.clone(), field)];
            assert!(
                allowed.contains(&shape),
                "{nat} {field} {shape} not in {allowed:?}"
            );
        }
    }
}

#[test]
fn names_use_the_scripts_of_the_api_and_emails_their_ascii_form() {
    for user in users(4, &["IR"], 50) {
        let first = user.name.as_ref().unwrap().first.as_deref().unwrap();
        assert!(
            first.chars().any(|c| ('\u{600}'..='\u{6ff}').contains(&c)),
            "{first}"
        );
    }
    for user in users(4, &[], 3000) {
        let email = user.email.unwrap();
        assert!(
            email.ends_with("@example.com") && email.is_ascii(),
            "{email}"
        );
        assert_eq!(email, email.to_lowercase());
        assert!(!email.contains(' ') && !email.starts_with('.'), "{email}");
    }
}

#[test]
fn email_part_spells_names_as_the_api_does() {
    for user in fixture_users().iter().filter(|u| u.get("email").is_some()) {
        let name = &user["name"];
        let want = user["email"].as_str().unwrap();
        let got = format!(
            "{}.{}@example.com",
            format::email_part(name["first"].as_str().unwrap()),
            format::email_part(name["last"].as_str().unwrap())
        );
        assert_eq!(got, want);
    }
}

#[test]
fn uuids_are_distinct_version_4_uuids() {
    let generated = users(5, &[], 10_000);
    let mut seen = HashSet::new();
    for user in &generated {
        let uuid = user.login.as_ref().unwrap().uuid.clone().unwrap();
        let groups: Vec<&str> = uuid.split('-').collect();
        let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
        assert_eq!(lengths, [8, 4, 4, 4, 12], "{uuid}");
        assert!(
            groups
                .iter()
                .all(|g| g.chars().all(|c| c.is_ascii_hexdigit())),
            "{uuid}"
        );
        assert_eq!(uuid, uuid.to_lowercase());
        assert!(groups[2].starts_with('4'), "{uuid}");
        assert!(groups[3].starts_with(['8', '9', 'a', 'b']), "{uuid}");
        assert!(seen.insert(uuid));
    }
}

#[test]
fn ages_are_whole_years_from_the_dates() {
    for today in [
        day(2026, 6, 15),
        day(2031, 2, 28),
        chrono::Utc::now().date_naive(),
    ] {
        let mut source = SyntheticSource::new(6, Vec::new());
        for user in source.generate_on(2000, today) {
            for dated in [user.dob.unwrap(), user.registered.unwrap()] {
                let date = dated.date.unwrap();
                assert_eq!(date.len(), 24, "{date}");
                assert!(date.ends_with('Z') && date.as_bytes()[19] == b'.', "{date}");
                let born = DateTime::parse_from_rfc3339(&date).unwrap().date_naive();
                let want = i64::from(today.years_since(born).unwrap());
                assert_eq!(dated.age, Some(want), "{date} on {today}");
            }
        }
    }
    let today = chrono::Utc::now().date_naive();
    let user = SyntheticSource::new(6, Vec::new()).generate(1).remove(0);
    let dob = DateTime::parse_from_rfc3339(user.dob.as_ref().unwrap().date.as_deref().unwrap());
    let want = today.years_since(dob.unwrap().date_naive()).map(i64::from);
    assert_eq!(user.dob.unwrap().age, want);
}

#[test]
fn calendar_conversion_agrees_with_chrono() {
    let epoch = day(1970, 1, 1);
    for days in (-40_000..40_000).step_by(7) {
        let date = epoch + chrono::Duration::days(days);
        let civil = format::civil_from_days(days);
        let want = Civil {
            year: i64::from(date.year()),
            month: date.month(),
            day: date.day(),
        };
        assert_eq!(civil, want);
        assert_eq!(
            format::days_from_civil(civil.year, civil.month, civil.day),
            days
        );
    }
    assert_eq!(format::timestamp(-1).0, "1969-12-31T23:59:59.999Z");
    assert_eq!(
        format::timestamp(951_782_400_123).0,
        "2000-02-29T00:00:00.123Z"
    );
}

#[test]
fn users_round_trip_through_json_with_no_field_missing() {
    for user in users(9, &[], 3000) {
        let text = serde_json::to_string(&user).unwrap();
        let back: RawUser = serde_json::from_str(&text).unwrap();
        assert_eq!(back, user);

        let name = user.name.as_ref().unwrap();
        let location = user.location.as_ref().unwrap();
        let street = location.street.as_ref().unwrap();
        let login = user.login.as_ref().unwrap();
        let picture = user.picture.as_ref().unwrap();
        let id = user.id.as_ref().unwrap();
        let texts = [
            &user.gender,
            &name.title,
            &name.first,
            &name.last,
            &street.name,
            &location.city,
            &location.state,
            &location.country,
            &user.email,
            &login.uuid,
            &login.username,
            &user.dob.as_ref().unwrap().date,
            &user.registered.as_ref().unwrap().date,
            &user.phone,
            &user.cell,
            &picture.large,
            &picture.medium,
            &picture.thumbnail,
            &user.nat,
        ];
        assert!(
            texts
                .iter()
                .all(|t| t.as_ref().is_some_and(|t| !t.is_empty())),
            "{text}"
        );
        assert!(
            street.number.is_some_and(|n| (1..=9999).contains(&n)),
            "{text}"
        );
        assert!(location.postcode.is_some(), "{text}");

        let absent = ABSENT_IDS.contains(&nat_of(&user));
        assert_eq!(id.value.is_none(), absent, "{text}");
        assert_eq!(id.name.as_deref() == Some(""), absent, "{text}");
        if absent {
            assert!(text.contains(r#""id":{"name":"","value":null}"#), "{text}");
        }
    }
}

#[test]
fn titles_pictures_and_usernames_follow_the_api() {
    for user in users(10, &[], 3000) {
        let male = user.gender.as_deref() == Some("male");
        let title = user.name.as_ref().unwrap().title.as_deref().unwrap();
        assert_eq!(male, ["Mr", "Monsieur"].contains(&title), "{title}");

        let picture = user.picture.unwrap();
        let large = picture.large.unwrap();
        let folder = if male { "men" } else { "women" };
        let index = large
            .strip_prefix(&format!("https://randomuser.me/api/portraits/{folder}/"))
            .and_then(|rest| rest.strip_suffix(".jpg"))
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap();
        assert!(index < 100, "{large}");
        let sized =
            |size: &str| format!("https://randomuser.me/api/portraits/{size}/{folder}/{index}.jpg");
        assert_eq!(picture.medium.unwrap(), sized("med"));
        assert_eq!(picture.thumbnail.unwrap(), sized("thumb"));

        let username = user.login.unwrap().username.unwrap();
        let (word, number) = username.split_at(username.len() - 3);
        assert!(
            (100..=999).contains(&number.parse::<u32>().unwrap()),
            "{username}"
        );
        assert!(ADJECTIVES.iter().any(|a| {
            word.strip_prefix(a)
                .is_some_and(|animal| ANIMALS.contains(&animal))
        }));
    }
}

#[test]
fn ids_that_embed_the_birth_date_agree_with_it() {
    for user in users(11, &["DE", "DK", "NO", "FR"], 400) {
        let dob = &user.dob.as_ref().unwrap().date.as_deref().unwrap()[..10];
        let (year, month, day) = (&dob[2..4], &dob[5..7], &dob[8..10]);
        let value = user.id.clone().unwrap().value.unwrap();
        let ddmmyy = format!("{day}{month}{year}");
        match nat_of(&user) {
            "DE" => {
                assert_eq!(&value[3..9], ddmmyy, "{value}");
                let last = user.name.unwrap().last.unwrap();
                assert!(
                    last.to_uppercase().starts_with(&value[10..11]),
                    "{value} {last}"
                );
            }
            "DK" | "NO" => assert!(value.starts_with(&ddmmyy), "{value} {dob}"),
            _ => {
                let sex = if user.gender.as_deref() == Some("male") {
                    "1"
                } else {
                    "2"
                };
                assert_eq!(&value[..5], format!("{sex}{year}{month}"), "{value}");
            }
        }
    }
}

#[test]
fn nationalities_are_chosen_in_any_case_and_unknown_codes_fall_back_to_all() {
    let chosen: BTreeSet<String> = users(12, &["gb", " Ir "], 200)
        .iter()
        .map(|u| nat_of(u).to_string())
        .collect();
    assert_eq!(chosen, BTreeSet::from(["GB".to_string(), "IR".to_string()]));
    let all: BTreeSet<String> = users(12, &["XX"], 3000)
        .iter()
        .map(|u| nat_of(u).to_string())
        .collect();
    assert_eq!(all.len(), 21);
    for nat in &nats::NATS {
        let words = nat.words;
        for list in [
            words.male,
            words.female,
            words.last,
            words.streets,
            words.cities,
        ] {
            assert!(!list.is_empty(), "{}", nat.code);
        }
        assert!(!words.states.is_empty() && !nat.phone.is_empty() && !nat.cell.is_empty());
    }
}

#[tokio::test]
async fn fetch_returns_the_users_asked_for() {
    let mut source = SyntheticSource::new(13, Vec::new());
    assert_eq!(source.name(), "synthetic");
    assert_eq!(source.fetch(250).await.unwrap().len(), 250);
    assert!(source.fetch(0).await.unwrap().is_empty());
}
