//! What may be printed. Which setting and field names hold secrets (as librdkafka and the
//! Cassandra driver name them), how a decode error is told without quoting the input, and how a
//! foreign payload loses its secret-named fields before it is kept as a dead letter.

use serde_json::Value;
use serde_json::error::Category;

/// Parts of a name that mark its value as secret: `sasl.password`, `ssl.key.password`,
/// `ssl.key.pem`, `sasl.oauthbearer.client.secret`, `sasl.jaas.config`, `api_token`, …
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "key",
    "credential",
    "jaas",
    "oauthbearer.config",
    ".pem",
];

/// Names of the hashes that travel with a password (randomuser's `login` object).
const HASH_NAMES: &[&str] = &["salt", "md5", "sha1", "sha256", "sha512", "hash"];

/// What is printed in place of a secret value.
pub const REDACTED: &str = "[redacted]";

/// Whether a property, flag or field called `name` holds a secret (case-insensitive).
pub fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|word| name.contains(word))
}

/// `value`, or [`REDACTED`] when `name` holds a secret.
pub fn shown<'a>(name: &str, value: &'a str) -> &'a str {
    if is_secret_name(name) {
        REDACTED
    } else {
        value
    }
}

/// A serde_json error told without any input text: what went wrong (the expected type, the
/// missing field), and where (line and column).
pub fn decode_error(error: &serde_json::Error) -> String {
    let full = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let bare = full.strip_suffix(&position).unwrap_or(&full);
    let what = match error.classify() {
        // serde_json's syntax and end-of-input messages are fixed texts ("expected value").
        Category::Syntax | Category::Eof => bare.to_owned(),
        Category::Io => "the input could not be read".to_owned(),
        Category::Data => data_error(bare),
    };
    if error.line() == 0 {
        what
    } else {
        format!("{what}{position}")
    }
}

/// Kinds of value serde names in "invalid type: <kind> <value>, expected …".
const KINDS: &[&str] = &[
    "boolean",
    "integer",
    "floating point",
    "character",
    "string",
    "byte array",
    "unit value",
    "Option value",
    "newtype struct",
    "sequence",
    "map",
    "enum",
    "unit variant",
    "newtype variant",
    "tuple variant",
    "struct variant",
    "null",
];

/// A type or value error, keeping only the parts that come from code (the field names and
/// types of the target), never the offending value.
fn data_error(message: &str) -> String {
    let expected = message
        .rfind(", expected ")
        .map(|at| &message[at + 2..])
        .unwrap_or("");
    let with_expected = |head: &str| {
        if expected.is_empty() {
            head.to_owned()
        } else {
            format!("{head}, {expected}")
        }
    };
    for label in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(label) {
            let kind = KINDS
                .iter()
                .find(|k| rest.starts_with(*k))
                .copied()
                .unwrap_or("a value");
            return with_expected(&format!("{label}{kind}"));
        }
    }
    for (prefix, head) in [
        ("unknown field ", "unknown field"),
        ("unknown variant ", "unknown variant"),
    ] {
        if message.starts_with(prefix) {
            return with_expected(head);
        }
    }
    // Field names and lengths come from the target type, not from the input's values.
    let from_code = [
        "missing field `",
        "duplicate field `",
        "invalid length ",
        "data did not match any variant of untagged enum ",
    ];
    if from_code.iter().any(|p| message.starts_with(p)) && !message.contains('"') {
        return message.to_owned();
    }
    "a value does not have the expected type".to_owned()
}

/// Drops, at any depth of a JSON payload, the fields whose names hold secrets (and password
/// hashes); returns the payload unchanged, byte for byte, when there is nothing to drop or it is
/// not JSON.
pub fn scrub_payload(payload: String) -> String {
    let Ok(mut value) = serde_json::from_str::<Value>(&payload) else {
        return payload;
    };
    if !scrub(&mut value) {
        return payload;
    }
    serde_json::to_string(&value).unwrap_or(payload)
}

/// Removes secret-named fields in place; true when one was removed.
fn scrub(value: &mut Value) -> bool {
    match value {
        Value::Object(map) => {
            let before = map.len();
            map.retain(|name, _| !is_secret_name(name) && !is_hash_name(name));
            let mut dropped = map.len() != before;
            for v in map.values_mut() {
                dropped |= scrub(v);
            }
            dropped
        }
        Value::Array(items) => items.iter_mut().fold(false, |d, v| scrub(v) | d),
        _ => false,
    }
}

fn is_hash_name(name: &str) -> bool {
    HASH_NAMES.iter().any(|h| name.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests;
