//! TLS and SASL for the Kafka clients: the shortcut settings (`--kafka-tls`, `--kafka-ca`,
//! `--kafka-sasl-mechanism`, `--kafka-username`, the password from `USERSTREAM_KAFKA_PASSWORD`)
//! turned into librdkafka properties, and the check at start that turns a TLS or SASL failure
//! into one clear error instead of librdkafka's endless reconnects.
//!
//! `security.protocol` follows from the shortcuts: TLS (`--kafka-tls` or `--kafka-ca`) gives
//! `SSL`, a SASL mechanism gives `SASL_PLAINTEXT`, both give `SASL_SSL`. An explicit
//! `-X security.protocol` wins, but must agree with them; so must any `-X` that sets a key a
//! shortcut sets.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rdkafka::ClientConfig;
use rdkafka::client::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::error::KafkaError;
use rdkafka::producer::{BaseProducer, DeliveryResult, Producer, ProducerContext};
use tracing::{debug, trace, warn};

use super::settings::{KafkaProperty, creation_error};
use crate::broker::BrokerError;

/// A SASL mechanism librdkafka is built with here (GSSAPI and OAUTHBEARER go through `-X`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SaslMechanism {
    /// User name and password sent as they are: only over TLS.
    #[value(name = "PLAIN")]
    Plain,
    /// Salted challenge-response, SHA-256.
    #[value(name = "SCRAM-SHA-256")]
    ScramSha256,
    /// Salted challenge-response, SHA-512.
    #[value(name = "SCRAM-SHA-512")]
    ScramSha512,
}

impl SaslMechanism {
    /// The name librdkafka and the brokers use.
    pub fn as_str(self) -> &'static str {
        match self {
            SaslMechanism::Plain => "PLAIN",
            SaslMechanism::ScramSha256 => "SCRAM-SHA-256",
            SaslMechanism::ScramSha512 => "SCRAM-SHA-512",
        }
    }
}

/// A password: its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(text: impl Into<String>) -> Password {
        Password(text.into())
    }
}

impl std::str::FromStr for Password {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Password, Self::Err> {
        Ok(Password(s.to_owned()))
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(crate::redact::REDACTED)
    }
}

/// The TLS and SASL shortcuts; all off by default (a plaintext listener).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KafkaSecurity {
    /// TLS with the system's CA store (implied by `ca`).
    pub tls: bool,
    /// PEM file of the CA that signed the brokers' certificates.
    pub ca: Option<PathBuf>,
    pub sasl_mechanism: Option<SaslMechanism>,
    pub username: Option<String>,
    pub password: Option<Password>,
}

/// Where a property came from, for the messages.
fn flag_of(key: &str) -> &'static str {
    match key {
        "ssl.ca.location" => "--kafka-ca",
        "sasl.mechanism" => "--kafka-sasl-mechanism",
        "sasl.username" => "--kafka-username",
        "sasl.password" => "USERSTREAM_KAFKA_PASSWORD",
        _ => "--kafka-tls/--kafka-ca/--kafka-sasl-mechanism",
    }
}

impl KafkaSecurity {
    /// Whether the shortcuts ask for TLS.
    fn wants_tls(&self) -> bool {
        self.tls || self.ca.is_some()
    }

    /// The `security.protocol` the shortcuts imply (`None`: they say nothing).
    pub fn protocol(&self) -> Option<&'static str> {
        match (self.wants_tls(), self.sasl_mechanism.is_some()) {
            (false, false) => None,
            (true, false) => Some("SSL"),
            (false, true) => Some("SASL_PLAINTEXT"),
            (true, true) => Some("SASL_SSL"),
        }
    }

    /// `explicit` (`-X`) with the shortcuts' properties added; refuses shortcuts that
    /// contradict `-X` or each other, and a CA file that cannot be read.
    pub fn merge(&self, explicit: &[KafkaProperty]) -> Result<Vec<KafkaProperty>, BrokerError> {
        let given = |key: &str| {
            explicit
                .iter()
                .rev()
                .find(|p| p.key.eq_ignore_ascii_case(key))
                .map(|p| p.value.as_str())
        };
        let refuse = |message: String| Err(BrokerError::Fatal(message));
        if self.sasl_mechanism.is_none() {
            if self.username.is_some() {
                return refuse(
                    "--kafka-username needs --kafka-sasl-mechanism (PLAIN, SCRAM-SHA-256 or \
                     SCRAM-SHA-512)"
                        .to_owned(),
                );
            }
            if self.password.is_some() {
                return refuse(
                    "USERSTREAM_KAFKA_PASSWORD is set but no --kafka-sasl-mechanism is given"
                        .to_owned(),
                );
            }
        }
        if let Some(mechanism) = self.sasl_mechanism {
            if self.username.is_none() && given("sasl.username").is_none() {
                return refuse(format!(
                    "--kafka-sasl-mechanism {} needs --kafka-username",
                    mechanism.as_str()
                ));
            }
            if self.password.is_none() && given("sasl.password").is_none() {
                return refuse(format!(
                    "--kafka-sasl-mechanism {} needs the password in USERSTREAM_KAFKA_PASSWORD \
                     (or the config file's kafka-password)",
                    mechanism.as_str()
                ));
            }
        }
        if let Some(ca) = &self.ca
            && let Err(error) = std::fs::File::open(ca)
        {
            return refuse(format!(
                "--kafka-ca {}: cannot read it: {error}",
                ca.display()
            ));
        }

        let mut derived: Vec<(&str, String)> = Vec::new();
        if let Some(ca) = &self.ca {
            derived.push(("ssl.ca.location", ca.display().to_string()));
        }
        if let Some(mechanism) = self.sasl_mechanism {
            derived.push(("sasl.mechanism", mechanism.as_str().to_owned()));
        }
        if let Some(user) = &self.username {
            derived.push(("sasl.username", user.clone()));
        }
        if let Some(Password(password)) = &self.password {
            derived.push(("sasl.password", password.clone()));
        }

        let mut merged = Vec::with_capacity(explicit.len() + derived.len() + 1);
        match (self.protocol(), given("security.protocol")) {
            (Some(implied), None) => merged.push(property("security.protocol", implied)),
            (Some(implied), Some(set)) => {
                let set_upper = set.to_ascii_uppercase();
                let tls_ok = !self.wants_tls() || set_upper.ends_with("SSL");
                let sasl_ok = self.sasl_mechanism.is_none() || set_upper.starts_with("SASL");
                if !(tls_ok && sasl_ok) {
                    return refuse(format!(
                        "-X security.protocol={set} contradicts the TLS/SASL flags, which mean \
                         {implied}"
                    ));
                }
            }
            (None, _) => {}
        }
        for (key, value) in derived {
            match given(key) {
                None => merged.push(property(key, &value)),
                Some(set) if set == value => {}
                Some(_) => {
                    return refuse(format!(
                        "{} and -X {key} are both given, with different values; give one",
                        flag_of(key)
                    ));
                }
            }
        }
        merged.extend(explicit.iter().cloned());

        let protocol = merged
            .iter()
            .rev()
            .find(|p| p.key.eq_ignore_ascii_case("security.protocol"))
            .map(|p| p.value.to_ascii_uppercase());
        let mechanism = merged
            .iter()
            .rev()
            .find(|p| p.key == "sasl.mechanism" || p.key == "sasl.mechanisms")
            .map(|p| p.value.to_ascii_uppercase());
        if protocol.as_deref() == Some("SASL_PLAINTEXT") && mechanism.as_deref() == Some("PLAIN") {
            warn!(
                mechanism = "PLAIN",
                "SASL PLAIN without TLS sends the password in clear; add --kafka-tls or \
                 --kafka-ca."
            );
        }
        Ok(merged)
    }
}

fn property(key: &str, value: &str) -> KafkaProperty {
    KafkaProperty {
        key: key.to_owned(),
        value: value.to_owned(),
    }
}

/// Failures librdkafka reported while the check ran, as its text.
///
/// Both of librdkafka's channels are read: its error events (served by `poll`) and its log
/// lines of level ERROR, which its broker threads emit as the failure happens; under load the
/// events were seen to arrive late or not at all within the check.
#[derive(Default)]
struct Probe {
    failures: Mutex<Vec<String>>,
}

impl Probe {
    fn note(&self, text: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(text.to_owned());
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.failures.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl ClientContext for Probe {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        match level {
            RDKafkaLogLevel::Debug => trace!(facility = fac, "librdkafka: {log_message}"),
            RDKafkaLogLevel::Emerg
            | RDKafkaLogLevel::Alert
            | RDKafkaLogLevel::Critical
            | RDKafkaLogLevel::Error => {
                debug!(facility = fac, "librdkafka: {log_message}");
                // "[thrd:ssl://host:port/bootstrap]: ssl://host:port/bootstrap: SSL handshake…"
                let text = log_message
                    .split_once("]: ")
                    .map_or(log_message, |(_, rest)| rest);
                self.note(text);
            }
            _ => debug!(facility = fac, "librdkafka: {log_message}"),
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        debug!(%error, reason, "librdkafka reported an error during the connection check.");
        self.note(reason);
    }
}

impl ProducerContext for Probe {
    type DeliveryOpaque = ();
    // The check produces nothing.
    fn delivery(&self, _: &DeliveryResult<'_>, _: ()) {}
}

/// What one connection attempt found.
enum Outcome {
    /// The metadata came back: transport, TLS and SASL all work.
    Connected,
    /// librdkafka reported a TLS or SASL failure: its cause and text.
    Refused(Cause, String),
    /// No answer within the time, with the last error seen.
    Silent(String),
}

/// Fetches the cluster's metadata with `config` until `timeout`, stopping at the first TLS or
/// SASL failure librdkafka reports.
fn attempt(config: &ClientConfig, timeout: Duration) -> Result<Outcome, BrokerError> {
    let probe: BaseProducer<Probe> = config
        .create_with_context(Probe::default())
        .map_err(|e| creation_error("client", e))?;
    let deadline = Instant::now() + timeout;
    let step = Duration::from_millis(250);
    loop {
        let mut last = match probe.client().fetch_metadata(None, step) {
            Ok(_) => return Ok(Outcome::Connected),
            Err(error) => error.to_string(),
        };
        probe.poll(Duration::ZERO);
        for reason in probe.context().take() {
            if let Some(found) = cause(&reason) {
                return Ok(Outcome::Refused(found, reason));
            }
            last = reason;
        }
        if Instant::now() >= deadline {
            return Ok(Outcome::Silent(last));
        }
    }
}

/// How long the second look at a refused certificate may take.
const DIAGNOSIS_TIMEOUT: Duration = Duration::from_secs(3);

/// Connects to `brokers` with `config` (bootstrap servers and every property) and fetches the
/// cluster's metadata, within `timeout`. A TLS or SASL failure ends the check at once with the
/// cause (`Fatal`); no answer at all is `NotConnected`. Blocking: call off the runtime.
///
/// OpenSSL reports a wrong CA and a certificate for another host name alike ("certificate
/// verify failed"); a second attempt without the host-name check tells them apart.
pub fn check_connection(
    config: &ClientConfig,
    brokers: &str,
    timeout: Duration,
) -> Result<(), BrokerError> {
    let (mut found, reason) = match attempt(config, timeout)? {
        Outcome::Connected => return Ok(()),
        Outcome::Silent(last) => return Err(BrokerError::NotConnected(last)),
        Outcome::Refused(found, reason) => (found, reason),
    };
    let checks_name = config
        .get("ssl.endpoint.identification.algorithm")
        .is_none_or(|v| !v.eq_ignore_ascii_case("none"));
    if found == Cause::CertificateUntrusted && checks_name {
        let mut lenient = config.clone();
        lenient.set("ssl.endpoint.identification.algorithm", "none");
        let second = attempt(&lenient, DIAGNOSIS_TIMEOUT)?;
        let still_untrusted = matches!(second, Outcome::Refused(Cause::CertificateUntrusted, _));
        // The first attempt was refused within milliseconds; one that is not, even when it
        // gets no answer, passed the certificate check.
        if !still_untrusted {
            found = Cause::HostnameMismatch;
        }
    }
    Err(BrokerError::Fatal(message(found, &reason, brokers)))
}

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The certificate is not signed by a trusted CA.
    CertificateUntrusted,
    /// The certificate is trusted but names another host.
    HostnameMismatch,
    /// Another TLS failure.
    TlsHandshake,
    /// The listener is plaintext, the client speaks TLS.
    NotTls,
    /// The listener speaks TLS, the client plaintext.
    ExpectsTls,
    /// The broker does not accept the SASL mechanism.
    MechanismRefused,
    /// Wrong user name or password.
    BadCredentials,
}

/// The cause of a failure librdkafka reported, from its text (`None`: not a TLS or SASL
/// failure). The texts are librdkafka's (`rdkafka_ssl.c`, `rdkafka_broker.c`,
/// `rdkafka_request.c`, `rdkafka_sasl_scram.c`).
pub fn cause(reason: &str) -> Option<Cause> {
    let lower = reason.to_ascii_lowercase();
    let has = |words: &str| lower.contains(words);
    Some(if has("connecting to a plaintext broker listener") {
        Cause::NotTls
    } else if has("connecting to a ssl listener") {
        Cause::ExpectsTls
    } else if has("hostname mismatch") {
        Cause::HostnameMismatch
    } else if has("certificate verify failed") || has("failed to verify broker certificate") {
        Cause::CertificateUntrusted
    } else if has("ssl handshake failed") || has("did not provide a certificate") {
        Cause::TlsHandshake
    } else if has("mechanism handshake failed") || has("unsupported sasl mechanism") {
        Cause::MechanismRefused
    } else if has("sasl authentication error") || has("authentication failed") {
        Cause::BadCredentials
    } else {
        return None;
    })
}

/// The one-line error: where, the cause in words, and librdkafka's own text.
pub fn message(cause: Cause, reason: &str, brokers: &str) -> String {
    let said = match cause {
        Cause::CertificateUntrusted => {
            "TLS certificate verify failed: the broker's certificate is not signed by a CA this \
             client trusts (check --kafka-ca)"
        }
        Cause::HostnameMismatch => {
            "TLS hostname mismatch: the broker's certificate is signed by a trusted CA but does \
             not name the host it was reached at (connect by a name the certificate lists)"
        }
        Cause::TlsHandshake => "TLS handshake failed",
        Cause::NotTls => {
            "TLS handshake failed: the listener does not speak TLS (drop --kafka-tls and \
             --kafka-ca, or use the broker's TLS port)"
        }
        Cause::ExpectsTls => "the listener expects TLS (add --kafka-tls or --kafka-ca)",
        Cause::MechanismRefused => {
            "SASL mechanism refused: the broker does not accept the mechanism asked for \
             (check --kafka-sasl-mechanism)"
        }
        Cause::BadCredentials => {
            "SASL authentication failed: bad credentials (check --kafka-username and \
             USERSTREAM_KAFKA_PASSWORD)"
        }
    };
    format!(
        "Kafka at {brokers}: {said}; librdkafka: {}",
        reason.lines().next().unwrap_or_default().trim()
    )
}
