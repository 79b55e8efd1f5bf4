//! Flags of Kafka's TLS and SASL (`--broker kafka`): shortcuts for the librdkafka properties
//! that `-X` can also set; `broker::kafka::security` says what `security.protocol` follows.

use std::path::PathBuf;

use clap::Args;

use super::heading;
use crate::broker::kafka::{KafkaSecurity, Password, SaslMechanism};

/// How the Kafka clients secure their connections.
#[derive(Debug, Clone, Args)]
pub struct KafkaSecurityArgs {
    /// Kafka: TLS to the brokers, their certificates verified against the system's CA store
    /// (security.protocol SSL, or SASL_SSL with a SASL mechanism).
    #[arg(long, env = "USERSTREAM_KAFKA_TLS", help_heading = heading::BROKER)]
    pub kafka_tls: bool,
    /// Kafka: PEM file of the CA that signed the brokers' certificates; implies --kafka-tls.
    #[arg(long, env = "USERSTREAM_KAFKA_CA", value_name = "FILE", help_heading = heading::BROKER)]
    pub kafka_ca: Option<PathBuf>,
    /// Kafka: SASL mechanism (security.protocol SASL_PLAINTEXT, or SASL_SSL with TLS); needs
    /// --kafka-username and the password.
    #[arg(
        long,
        env = "USERSTREAM_KAFKA_SASL_MECHANISM",
        value_enum,
        ignore_case = true,
        help_heading = heading::BROKER
    )]
    pub kafka_sasl_mechanism: Option<SaslMechanism>,
    /// Kafka: SASL user name.
    #[arg(long, env = "USERSTREAM_KAFKA_USERNAME", help_heading = heading::BROKER)]
    pub kafka_username: Option<String>,
    /// Kafka: SASL password (prefer the environment variable or the config file: a command
    /// line is visible to other users).
    #[arg(long, env = "USERSTREAM_KAFKA_PASSWORD", hide_env_values = true,
          help_heading = heading::BROKER)]
    pub kafka_password: Option<Password>,
}

impl KafkaSecurityArgs {
    /// The settings of the Kafka backend these flags give.
    pub fn security(&self) -> KafkaSecurity {
        KafkaSecurity {
            tls: self.kafka_tls,
            ca: self.kafka_ca.clone(),
            sasl_mechanism: self.kafka_sasl_mechanism,
            username: self.kafka_username.clone(),
            password: self.kafka_password.clone(),
        }
    }
}
