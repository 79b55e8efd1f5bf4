//! Decode, validate and transform one topic payload into a stored row: a pure function, so every
//! rule is table-tested. A payload that fails becomes a [`Rejection`] naming the rule and the
//! reason, which the process stage dead-letters. A reason describes the shape of what is wrong,
//! never the value: reasons reach logs and the console, and values are names, emails and ids.
//!
//! Two payload formats are accepted: the current wire record, and the old pipelines' record
//! (random `id`, numeric `post_code`, no `country`, whose country is the last comma-separated part
//! of `address`).

use chrono::{DateTime, Datelike, Utc};
use serde::Deserialize;

use crate::model::StoredUser;
use crate::redact::decode_error;

/// Largest payload accepted, in bytes.
pub const MAX_PAYLOAD: usize = 16 * 1024;
/// Largest text field accepted by default, in characters (`--max-field-chars`).
pub const MAX_FIELD: usize = 1024;

/// The limits a record must keep, set at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest text field, in characters.
    pub max_field_chars: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_field_chars: MAX_FIELD,
        }
    }
}

/// Why a payload was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Short machine name of the rule, e.g. `id_uuid`.
    pub rule: &'static str,
    /// A sentence a person can act on.
    pub reason: String,
}

fn reject(rule: &'static str, reason: impl Into<String>) -> Rejection {
    Rejection {
        rule,
        reason: reason.into(),
    }
}

/// A JSON string or number (old payloads carry numeric post codes).
#[derive(Deserialize)]
#[serde(untagged)]
enum TextOrNumber {
    Text(String),
    Integer(i64),
    Float(f64),
}

impl TextOrNumber {
    fn into_text(self) -> String {
        match self {
            TextOrNumber::Text(s) => s,
            TextOrNumber::Integer(n) => n.to_string(),
            TextOrNumber::Float(f) => f.to_string(),
        }
    }
}

/// The payload as received: every field optional so that each missing one gets its own reason.
#[derive(Deserialize)]
struct Incoming {
    id: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    gender: Option<String>,
    address: Option<String>,
    post_code: Option<TextOrNumber>,
    email: Option<String>,
    username: Option<String>,
    dob: Option<String>,
    registered_date: Option<String>,
    phone: Option<String>,
    picture: Option<String>,
    nat: Option<String>,
    city: Option<String>,
    state: Option<String>,
    country: Option<String>,
    ingested_at: Option<String>,
    source: Option<String>,
}

/// Turns a payload into the row to store, or says which rule it broke, with the default limits.
pub fn transform(payload: &[u8], stored_at: &str) -> Result<StoredUser, Rejection> {
    transform_with(payload, stored_at, Limits::default())
}

/// [`transform`] with the given limits.
pub fn transform_with(
    payload: &[u8],
    stored_at: &str,
    limits: Limits,
) -> Result<StoredUser, Rejection> {
    if payload.len() > MAX_PAYLOAD {
        return Err(reject(
            "payload_size",
            format!(
                "payload is {} bytes; the limit is {MAX_PAYLOAD}",
                payload.len()
            ),
        ));
    }
    let text = std::str::from_utf8(payload)
        .map_err(|e| reject("encoding", format!("payload is not valid UTF-8 ({e})")))?;
    let r: Incoming = serde_json::from_str(text).map_err(|e| {
        reject(
            "decode",
            format!("payload is not a user record: {}", decode_error(&e)),
        )
    })?;

    let id = required("id", r.id)?;
    if !is_uuid(&id) {
        return Err(reject(
            "id_uuid",
            format!(
                "id is not a UUID: {} characters, want 36 in the 8-4-4-4-12 hex form",
                id.chars().count()
            ),
        ));
    }
    let first_name = required("first_name", r.first_name)?;
    let last_name = required("last_name", r.last_name)?;
    let email = required("email", r.email)?;
    let email_domain = match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@') =>
        {
            domain.to_lowercase()
        }
        _ => {
            return Err(reject(
                "email_format",
                format!(
                    "email must have exactly one @ between a name and a domain (it has {})",
                    email.matches('@').count()
                ),
            ));
        }
    };
    let registered_date = required("registered_date", r.registered_date)?;
    let registered = parse_date(&registered_date)
        .ok_or_else(|| reject("registered_date", "registered_date is not an RFC 3339 date"))?;
    let dob = required("dob", r.dob)?;
    if parse_date(&dob).is_none() {
        return Err(reject("dob", "dob is not an RFC 3339 date"));
    }
    let address = r.address.unwrap_or_default();
    let parts: Vec<&str> = address.split(',').map(str::trim).collect();
    let from_address = |back: usize| {
        (parts.len() >= 4)
            .then(|| parts[parts.len() - back].to_owned())
            .filter(|s| !s.is_empty())
    };
    let country = r
        .country
        .filter(|c| !c.trim().is_empty())
        .or_else(|| from_address(1))
        .ok_or_else(|| {
            reject(
                "country_present",
                "no country, and none at the end of the address",
            )
        })?;
    // The old pipelines' records carry no `ingested_at`: they enter this pipeline when stored.
    let ingested_at = match r.ingested_at.filter(|t| !t.trim().is_empty()) {
        None => stored_at.to_owned(),
        Some(t) if parse_date(&t).is_some() => t,
        Some(_) => return Err(reject("ingested_at", "ingested_at is not an RFC 3339 time")),
    };
    let user = StoredUser {
        id: id.to_lowercase(),
        first_name,
        last_name,
        gender: r.gender.unwrap_or_default(),
        post_code: r.post_code.map(TextOrNumber::into_text).unwrap_or_default(),
        email,
        username: r.username.unwrap_or_default(),
        dob,
        registered_date,
        phone: r.phone.unwrap_or_default(),
        picture: r.picture.unwrap_or_default(),
        nat: r.nat.unwrap_or_default(),
        city: r.city.or_else(|| from_address(3)).unwrap_or_default(),
        state: r.state.or_else(|| from_address(2)).unwrap_or_default(),
        country,
        ingested_at,
        source: r.source.unwrap_or_else(|| "legacy".to_owned()),
        year: registered.year(),
        month: registered.month() as i32,
        day: registered.day() as i32,
        email_domain,
        stored_at: stored_at.to_owned(),
        address,
    };
    check_sizes(&user, limits.max_field_chars)?;
    Ok(user)
}

fn required(field: &'static str, value: Option<String>) -> Result<String, Rejection> {
    match value {
        Some(v) if !v.trim().is_empty() => Ok(v),
        Some(_) => Err(reject(rule_for(field), format!("{field} is empty"))),
        None => Err(reject(rule_for(field), format!("{field} is missing"))),
    }
}

fn rule_for(field: &'static str) -> &'static str {
    match field {
        "id" => "id_uuid",
        "first_name" | "last_name" => "name_present",
        "email" => "email_format",
        other => other,
    }
}

fn check_sizes(u: &StoredUser, max_chars: usize) -> Result<(), Rejection> {
    let fields = [
        ("first_name", &u.first_name),
        ("last_name", &u.last_name),
        ("gender", &u.gender),
        ("address", &u.address),
        ("post_code", &u.post_code),
        ("email", &u.email),
        ("username", &u.username),
        ("phone", &u.phone),
        ("picture", &u.picture),
        ("nat", &u.nat),
        ("city", &u.city),
        ("state", &u.state),
        ("country", &u.country),
        ("source", &u.source),
        ("ingested_at", &u.ingested_at),
    ];
    for (name, value) in fields {
        // A string has at most as many characters as bytes: most fields need no count.
        if value.len() <= max_chars {
            continue;
        }
        let chars = value.chars().count();
        if chars > max_chars {
            return Err(reject(
                "field_size",
                format!("{name} is {chars} characters; the limit is {max_chars}"),
            ));
        }
    }
    Ok(())
}

/// Whether `s` is a UUID in the 8-4-4-4-12 hex form.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

#[cfg(test)]
mod tests;
