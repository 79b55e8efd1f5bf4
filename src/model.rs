//! The three shapes a user takes on its way through the pipeline: the API result (`RawUser`),
//! the topic payload (`WireRecord`) and the stored row (`StoredUser`), plus the dead letter.
//!
//! `RawUser` declares only the fields the pipeline keeps: the password, salt and hashes under
//! `login` are never deserialised, so they cannot reach the topic.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// Version of the wire record this build writes.
pub const SCHEMA_VERSION: u32 = 2;

/// One result of the randomuser.me v1.4 API, as lenient as the API is inconsistent: every field
/// may be missing (`inc=` queries), and a missing field is a validation failure later, not a
/// decode failure here.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct RawUser {
    pub gender: Option<String>,
    pub name: Option<RawName>,
    pub location: Option<RawLocation>,
    pub email: Option<String>,
    pub login: Option<RawLogin>,
    pub dob: Option<RawDated>,
    pub registered: Option<RawDated>,
    pub phone: Option<String>,
    pub cell: Option<String>,
    pub id: Option<RawId>,
    pub picture: Option<RawPicture>,
    pub nat: Option<String>,
}

/// `name` of a [`RawUser`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct RawName {
    pub title: Option<String>,
    pub first: Option<String>,
    pub last: Option<String>,
}

/// `location` of a [`RawUser`]; coordinates and timezone are not kept.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct RawLocation {
    pub street: Option<RawStreet>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub country: Option<String>,
    pub postcode: Option<Postcode>,
}

/// `location.street` of a [`RawUser`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct RawStreet {
    pub number: Option<i64>,
    pub name: Option<String>,
}

/// A postcode is a JSON number for most nationalities and a string for GB, CA, NL, NO and others.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Postcode {
    Number(i64),
    Text(String),
}

impl Postcode {
    /// The postcode as the wire record carries it: always a string.
    pub fn to_text(&self) -> String {
        match self {
            Postcode::Number(n) => n.to_string(),
            Postcode::Text(s) => s.clone(),
        }
    }
}

/// `login` without its secrets: only the stable id and the username are read.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct RawLogin {
    pub uuid: Option<String>,
    pub username: Option<String>,
}

/// `dob` and `registered`: an RFC 3339 date and an age in years.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct RawDated {
    pub date: Option<String>,
    pub age: Option<i64>,
}

/// The national id; `value` is null for some nationalities.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct RawId {
    pub name: Option<String>,
    pub value: Option<String>,
}

/// Portrait URLs.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct RawPicture {
    pub large: Option<String>,
    pub medium: Option<String>,
    pub thumbnail: Option<String>,
}

/// The topic payload: the old pipelines' twelve keys, plus provenance. Keyed by `id`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct WireRecord {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub gender: String,
    pub address: String,
    pub post_code: String,
    pub email: String,
    pub username: String,
    pub dob: String,
    pub registered_date: String,
    pub phone: String,
    pub picture: String,
    pub schema_version: u32,
    pub nat: String,
    pub city: String,
    pub state: String,
    pub country: String,
    pub ingested_at: String,
    pub source: String,
}

impl WireRecord {
    /// Maps an API result to the wire record; absent fields become empty strings, which the
    /// processor's validation then dead-letters with a reason.
    pub fn from_raw(raw: RawUser, ingested_at: &str, source: &str) -> WireRecord {
        let name = raw.name.unwrap_or_default();
        let location = raw.location.unwrap_or_default();
        let street = location.street.unwrap_or_default();
        let login = raw.login.unwrap_or_default();
        let city = location.city.unwrap_or_default();
        let state = location.state.unwrap_or_default();
        let country = location.country.unwrap_or_default();
        let address = format!(
            "{} {}, {city}, {state}, {country}",
            street.number.map(|n| n.to_string()).unwrap_or_default(),
            street.name.unwrap_or_default(),
        );
        WireRecord {
            id: login.uuid.unwrap_or_default(),
            first_name: name.first.unwrap_or_default(),
            last_name: name.last.unwrap_or_default(),
            gender: raw.gender.unwrap_or_default(),
            address,
            post_code: location.postcode.map(|p| p.to_text()).unwrap_or_default(),
            email: raw.email.unwrap_or_default(),
            username: login.username.unwrap_or_default(),
            dob: raw.dob.and_then(|d| d.date).unwrap_or_default(),
            registered_date: raw.registered.and_then(|d| d.date).unwrap_or_default(),
            phone: raw.phone.unwrap_or_default(),
            picture: raw.picture.and_then(|p| p.medium).unwrap_or_default(),
            schema_version: SCHEMA_VERSION,
            nat: raw.nat.unwrap_or_default(),
            city,
            state,
            country,
            ingested_at: ingested_at.to_owned(),
            source: source.to_owned(),
        }
    }
}

/// A row of `created_users`: the wire fields plus what the processor derives.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoredUser {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub gender: String,
    pub address: String,
    pub post_code: String,
    pub email: String,
    pub username: String,
    pub dob: String,
    pub registered_date: String,
    pub phone: String,
    pub picture: String,
    pub nat: String,
    pub city: String,
    pub state: String,
    pub country: String,
    pub ingested_at: String,
    pub source: String,
    pub year: i32,
    pub month: i32,
    pub day: i32,
    pub email_domain: String,
    pub stored_at: String,
}

impl StoredUser {
    /// The aggregate dimensions this user counts under, borrowing where it can (hot path).
    pub fn dimension_values(&self) -> [(Dimension, Cow<'_, str>); 5] {
        [
            (Dimension::Gender, Cow::Borrowed(self.gender.as_str())),
            (Dimension::Country, Cow::Borrowed(self.country.as_str())),
            (
                Dimension::EmailDomain,
                Cow::Borrowed(self.email_domain.as_str()),
            ),
            (
                Dimension::RegisteredMonth,
                Cow::Owned(format!("{:04}-{:02}", self.year, self.month)),
            ),
            (Dimension::Nat, Cow::Borrowed(self.nat.as_str())),
        ]
    }

    /// The aggregate dimensions this user counts under, in `user_counts` order.
    pub fn dimensions(&self) -> [(Dimension, String); 5] {
        [
            (Dimension::Gender, self.gender.clone()),
            (Dimension::Country, self.country.clone()),
            (Dimension::EmailDomain, self.email_domain.clone()),
            (
                Dimension::RegisteredMonth,
                format!("{:04}-{:02}", self.year, self.month),
            ),
            (Dimension::Nat, self.nat.clone()),
        ]
    }
}

/// A dimension of the `user_counts` aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Gender,
    Country,
    EmailDomain,
    RegisteredMonth,
    Nat,
}

impl Dimension {
    /// Every dimension, in a fixed order.
    pub const ALL: [Dimension; 5] = [
        Dimension::Gender,
        Dimension::Country,
        Dimension::EmailDomain,
        Dimension::RegisteredMonth,
        Dimension::Nat,
    ];

    /// The name stored in `user_counts.dimension`.
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Gender => "gender",
            Dimension::Country => "country",
            Dimension::EmailDomain => "email_domain",
            Dimension::RegisteredMonth => "registered_month",
            Dimension::Nat => "nat",
        }
    }

    /// Parses a stored dimension name.
    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// One row of `user_counts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCount {
    pub dimension: Dimension,
    pub value: String,
    pub count: u64,
}

/// Where a record was read from: a topic partition and offset. A result the source could not
/// read never reached the topic: its origin is the source's name as `topic`, partition 0, and
/// the page of the answer as `offset`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Origin {
    pub topic: String,
    pub partition: u32,
    pub offset: u64,
}

/// A record that failed decoding or validation, with the rule that failed and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// Short machine name of the failed rule, e.g. `id_uuid`.
    pub rule: String,
    /// A sentence a person can act on.
    pub reason: String,
    /// The original payload, when it was valid UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// The original payload, base64, when it was not valid UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_base64: Option<String>,
    pub origin: Origin,
    pub failed_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_user_drops_login_secrets_and_keeps_the_uuid() {
        let json = r#"{"login":{"uuid":"71aceb8a-a3b6-4c9b-85b4-86ecd1b60e47","username":"u",
            "password":"point","salt":"s","md5":"m","sha1":"s1","sha256":"s2"}}"#;
        let raw: RawUser = serde_json::from_str(json).unwrap();
        let wire = WireRecord::from_raw(raw, "2026-01-01T00:00:00Z", "test");
        let out = serde_json::to_string(&wire).unwrap();
        assert!(out.contains("71aceb8a-a3b6-4c9b-85b4-86ecd1b60e47"));
        for secret in ["point", "salt", "md5", "sha1", "sha256", "password"] {
            assert!(!out.contains(secret), "{secret} leaked into {out}");
        }
    }

    #[test]
    fn postcode_is_always_text_on_the_wire() {
        let raw: RawUser =
            serde_json::from_str(r#"{"location":{"postcode":6394,"street":{"number":5}}}"#)
                .unwrap();
        assert_eq!(WireRecord::from_raw(raw, "", "").post_code, "6394");
        let raw: RawUser = serde_json::from_str(r#"{"location":{"postcode":"C4 3DF"}}"#).unwrap();
        assert_eq!(WireRecord::from_raw(raw, "", "").post_code, "C4 3DF");
    }
}
