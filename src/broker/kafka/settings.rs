//! Client settings: the `-X key=value` passthrough, the properties the delivery guarantees
//! depend on, secret redaction, and the check of what librdkafka was built with.

use std::fmt;
use std::str::FromStr;

use rdkafka::ClientConfig;
use rdkafka::error::KafkaError;

use crate::broker::BrokerError;

/// One librdkafka property given with `-X key=value`; its `Debug` hides secret values.
#[derive(Clone, PartialEq, Eq)]
pub struct KafkaProperty {
    pub key: String,
    pub value: String,
}

impl FromStr for KafkaProperty {
    type Err = String;
    fn from_str(s: &str) -> Result<KafkaProperty, String> {
        match s.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => Ok(KafkaProperty {
                key: key.trim().to_owned(),
                value: value.to_owned(),
            }),
            // Without an '=' there is no key to judge, so none of the text is repeated: a
            // mistyped `sasl.password hunter2` must not print its password.
            Some(_) => Err("a Kafka property needs a key before '=' (e.g. linger.ms=5)".to_owned()),
            None => Err(
                "a Kafka property is key=value with an '=' (e.g. security.protocol=SASL_SSL); \
                 the text given has none, and is not repeated in case it holds a secret"
                    .to_owned(),
            ),
        }
    }
}

/// Parses `-X` for clap without clap's usual quoting of the rejected text, which may hold a
/// secret.
#[derive(Debug, Clone, Copy)]
pub struct KafkaPropertyParser;

impl clap::builder::TypedValueParser for KafkaPropertyParser {
    type Value = KafkaProperty;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<KafkaProperty, clap::Error> {
        let refuse = |message: String| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("-X: {message}\n"),
            )
            .with_cmd(cmd)
        };
        value
            .to_str()
            .ok_or_else(|| refuse("a Kafka property must be UTF-8 text".to_owned()))?
            .parse()
            .map_err(refuse)
    }
}

impl fmt::Debug for KafkaProperty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.key, shown_value(&self.key, &self.value))
    }
}

/// Compression of produced batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Compression {
    None,
    Gzip,
    Snappy,
    Lz4,
    Zstd,
}

impl Compression {
    /// The librdkafka name of the codec.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Snappy => "snappy",
            Compression::Lz4 => "lz4",
            Compression::Zstd => "zstd",
        }
    }
}

/// Whether a property's value must never be shown (passwords, keys, tokens).
pub fn is_secret(key: &str) -> bool {
    crate::redact::is_secret_name(key)
}

/// The value as it may appear in logs and errors.
pub fn shown_value<'a>(key: &str, value: &'a str) -> &'a str {
    crate::redact::shown(key, value)
}

/// Properties the guarantees rest on; `-X` may not change them.
const PINNED: &[(&str, &str, &str)] = &[
    (
        "enable.idempotence",
        "true",
        "the producer must not duplicate or reorder on retries",
    ),
    (
        "acks",
        "all",
        "a batch counts as ingested only when every replica has it",
    ),
    (
        "request.required.acks",
        "all",
        "a batch counts as ingested only when every replica has it",
    ),
    (
        "enable.auto.commit",
        "false",
        "offsets are committed only after the store wrote them",
    ),
    (
        "enable.auto.offset.store",
        "false",
        "offsets are stored only after the store wrote them",
    ),
];

/// Refuses `-X` properties that would break the delivery guarantees.
pub fn check_pinned(properties: &[KafkaProperty]) -> Result<(), BrokerError> {
    for p in properties {
        for (key, wanted, why) in PINNED {
            let same =
                p.value.eq_ignore_ascii_case(wanted) || (*wanted == "all" && p.value == "-1");
            if p.key == *key && !same {
                return Err(BrokerError::Fatal(format!(
                    "-X {}={} is not allowed: {why} ({key} stays {wanted})",
                    p.key, p.value
                )));
            }
        }
    }
    Ok(())
}

/// Builds a client configuration: `base` first, then the user's `-X` properties.
pub fn client_config(base: &[(&str, String)], properties: &[KafkaProperty]) -> ClientConfig {
    let mut config = ClientConfig::new();
    for (key, value) in base {
        config.set(*key, value.as_str());
    }
    for p in properties {
        config.set(p.key.as_str(), p.value.as_str());
    }
    config
}

/// A client-creation failure as a `BrokerError` that never carries a secret value.
pub fn creation_error(what: &str, error: KafkaError) -> BrokerError {
    match error {
        KafkaError::ClientConfig(_, description, key, value) => BrokerError::Fatal(format!(
            "Kafka property {key}={}: {description}",
            shown_value(&key, &value)
        )),
        other => BrokerError::Fatal(format!("cannot create the Kafka {what}: {other}")),
    }
}

/// The librdkafka build features the given properties need, with the property that needs each.
pub fn required_features(
    properties: &[KafkaProperty],
    codec: Compression,
) -> Vec<(String, String)> {
    let mut needs = Vec::new();
    let mut need = |feature: &str, because: String| needs.push((feature.to_owned(), because));
    match codec {
        Compression::Gzip => need("gzip", "--compression gzip".into()),
        Compression::Zstd => need("zstd", "--compression zstd".into()),
        Compression::Snappy => need("snappy", "--compression snappy".into()),
        Compression::Lz4 => need("lz4", "--compression lz4".into()),
        Compression::None => {}
    }
    for p in properties {
        let key = p.key.to_ascii_lowercase();
        let value = p.value.to_ascii_uppercase();
        let because = format!("{}={}", p.key, shown_value(&p.key, &p.value));
        if key == "security.protocol" {
            if value.contains("SSL") {
                need("ssl", because.clone());
            }
            if value.starts_with("SASL") {
                need("sasl", because.clone());
            }
        } else if key.starts_with("ssl.") {
            need("ssl", because.clone());
        } else if key == "sasl.mechanism" || key == "sasl.mechanisms" {
            match value.as_str() {
                "PLAIN" => need("sasl_plain", because.clone()),
                "GSSAPI" => need("sasl_gssapi", because.clone()),
                "OAUTHBEARER" => need("sasl_oauthbearer", because.clone()),
                v if v.starts_with("SCRAM") => need("sasl_scram", because.clone()),
                _ => {}
            }
        } else if key == "compression.codec" || key == "compression.type" {
            let codec = value.to_ascii_lowercase();
            if codec != "none" && codec != "inherit" {
                need(&codec, because.clone());
            }
        }
    }
    needs
}

/// librdkafka's `builtin.features`: what this build can do.
pub fn builtin_features() -> Result<Vec<String>, BrokerError> {
    let native = ClientConfig::new()
        .create_native_config()
        .map_err(|e| creation_error("configuration", e))?;
    let features = native
        .get("builtin.features")
        .map_err(|e| creation_error("configuration", e))?;
    Ok(features.split(',').map(|f| f.trim().to_owned()).collect())
}

/// Fails with the reason when a requested feature is not compiled into librdkafka.
pub fn check_features(needs: &[(String, String)], builtin: &[String]) -> Result<(), BrokerError> {
    for (feature, because) in needs {
        if !builtin.iter().any(|f| f == feature) {
            return Err(BrokerError::Fatal(format!(
                "{because} needs librdkafka's '{feature}' feature, which this build of userstream \
                 does not include (built with: {}); rebuild with the rdkafka crate's `ssl`/`sasl`/\
                 `zstd`/`libz` features as needed",
                builtin.join(",")
            )));
        }
    }
    Ok(())
}
