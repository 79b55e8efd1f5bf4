//! Flags of the Cassandra / ScyllaDB store (`--store cassandra`).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;
use clap::Args;

use super::heading;
use crate::store::cassandra::schema::{DEFAULT_KEYSPACE, valid_keyspace};
use crate::store::cassandra::{
    CassandraConfig, DEFAULT_CONSISTENCY, Replication, Secret, parse_consistency,
};
use crate::util::{format_duration, parse_duration};

fn positive(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("'{s}' must be a whole number above 0")),
    }
}

/// How to reach Cassandra or ScyllaDB.
#[derive(Debug, Clone, Args)]
pub struct CassandraArgs {
    /// Cassandra contact points, host:port, comma-separated.
    #[arg(
        long = "cassandra",
        env = "USERSTREAM_CASSANDRA",
        value_delimiter = ',',
        default_values_t = CassandraConfig::default().contact_points,
        help_heading = heading::STORE,
    )]
    pub contact_points: Vec<String>,
    /// Keyspace of the tables.
    #[arg(long, env = "USERSTREAM_KEYSPACE", default_value = DEFAULT_KEYSPACE,
          help_heading = heading::SCHEMA)]
    pub keyspace: String,
    /// Datacenter whose nodes are preferred.
    #[arg(long, env = "USERSTREAM_LOCAL_DC", help_heading = heading::STORE)]
    pub local_dc: Option<String>,
    /// Username for password authentication.
    #[arg(long, env = "USERSTREAM_CASSANDRA_USER", help_heading = heading::STORE)]
    pub cassandra_user: Option<String>,
    /// Password for password authentication (prefer the environment variable).
    #[arg(long, env = "USERSTREAM_CASSANDRA_PASSWORD", hide_env_values = true,
          help_heading = heading::STORE)]
    pub cassandra_password: Option<Secret>,
    /// Connect with TLS; the nodes' certificates are verified.
    #[arg(long, env = "USERSTREAM_CASSANDRA_TLS", help_heading = heading::STORE)]
    pub cassandra_tls: bool,
    /// PEM file of the CA that signed the nodes' certificates [default: the system's].
    #[arg(long, env = "USERSTREAM_CASSANDRA_CA", help_heading = heading::STORE)]
    pub cassandra_ca: Option<PathBuf>,
    /// Consistency level of reads and writes.
    #[arg(long, env = "USERSTREAM_CONSISTENCY", default_value = DEFAULT_CONSISTENCY,
          help_heading = heading::STORE)]
    pub consistency: String,
    /// Most Cassandra requests in flight at once.
    #[arg(long, env = "USERSTREAM_MAX_IN_FLIGHT", value_parser = positive,
          default_value_t = CassandraConfig::default().max_in_flight,
          help_heading = heading::STORE)]
    pub max_in_flight: usize,
    /// Most users per logged batch (Cassandra refuses batches above 50 KiB by default).
    #[arg(long, env = "USERSTREAM_CASSANDRA_BATCH_ROWS", value_parser = positive,
          default_value_t = CassandraConfig::default().batch_rows, help_heading = heading::STORE)]
    pub cassandra_batch_rows: usize,
    /// Timeout of one Cassandra request.
    #[arg(long, env = "USERSTREAM_CASSANDRA_TIMEOUT", value_parser = parse_duration,
          default_value = format_duration(CassandraConfig::default().request_timeout),
          help_heading = heading::STORE)]
    pub cassandra_timeout: Duration,
    /// Do not apply cql/schema.cql at start (the tables exist already).
    #[arg(long, env = "USERSTREAM_NO_CREATE_SCHEMA", help_heading = heading::STORE)]
    pub no_create_schema: bool,
    /// Replication of a new keyspace: simple:N, or DC:N[,DC:N…] for NetworkTopologyStrategy.
    #[arg(
        long,
        env = "USERSTREAM_REPLICATION",
        default_value = CassandraConfig::default().replication.flag(),
        help_heading = heading::SCHEMA,
    )]
    pub replication: Replication,
    /// Do not read the cluster's schema metadata (for minimal CQL servers).
    #[arg(long, env = "USERSTREAM_NO_SCHEMA_METADATA", help_heading = heading::STORE)]
    pub no_schema_metadata: bool,
    /// Do not wait for schema agreement after DDL (for minimal CQL servers).
    #[arg(long, env = "USERSTREAM_NO_SCHEMA_AGREEMENT", help_heading = heading::STORE)]
    pub no_schema_agreement: bool,
}

impl CassandraArgs {
    /// The store configuration these flags describe; `topic` keys the per-partition counts.
    pub fn config(&self, topic: &str) -> anyhow::Result<CassandraConfig> {
        if !valid_keyspace(&self.keyspace) {
            bail!(
                "--keyspace {} is not a keyspace name (a letter, then letters, digits or _)",
                self.keyspace
            );
        }
        if self.contact_points.iter().any(|c| c.trim().is_empty()) {
            bail!("--cassandra needs host:port contact points, comma-separated");
        }
        if self.cassandra_password.is_some() && self.cassandra_user.is_none() {
            bail!("a Cassandra password needs --cassandra-user");
        }
        if self.cassandra_ca.is_some() && !self.cassandra_tls {
            bail!("--cassandra-ca needs --cassandra-tls");
        }
        let consistency = parse_consistency(&self.consistency)
            .map_err(|e| anyhow::anyhow!("--consistency: {e}"))?;
        Ok(CassandraConfig {
            contact_points: self.contact_points.clone(),
            keyspace: self.keyspace.clone(),
            local_dc: self.local_dc.clone(),
            user: self.cassandra_user.clone(),
            password: self.cassandra_password.clone(),
            tls: self.cassandra_tls,
            ca: self.cassandra_ca.clone(),
            consistency,
            max_in_flight: self.max_in_flight,
            create_schema: !self.no_create_schema,
            replication: self.replication.clone(),
            fetch_schema_metadata: !self.no_schema_metadata,
            await_schema_agreement: !self.no_schema_agreement,
            topic: topic.to_owned(),
            batch_rows: self.cassandra_batch_rows,
            request_timeout: self.cassandra_timeout,
            ..CassandraConfig::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::cli::{StoreKind, parse_from};

    fn parse(list: &[&str]) -> anyhow::Result<crate::cli::Cli> {
        parse_from(
            std::iter::once("userstream")
                .chain(list.iter().copied())
                .map(Into::into)
                .collect(),
        )
    }

    #[test]
    fn cassandra_flags_become_a_config_and_the_password_never_prints() {
        let cli = parse(&[
            "--store",
            "cassandra",
            "--cassandra",
            "10.0.0.1:9042,10.0.0.2:9042",
            "--local-dc",
            "dc1",
            "--cassandra-user",
            "app",
            "--cassandra-password",
            "hunter2",
            "--consistency",
            "quorum",
            "--replication",
            "dc1:3",
        ])
        .unwrap();
        assert_eq!(cli.run.store, StoreKind::Cassandra);
        let config = cli.run.cassandra.config("users_created").unwrap();
        assert_eq!(config.contact_points.len(), 2);
        assert_eq!(config.password.as_ref().unwrap().expose(), "hunter2");
        assert!(config.create_schema && config.fetch_schema_metadata);
        for shown in [format!("{cli:?}"), format!("{config:?}")] {
            assert!(!shown.contains("hunter2"), "{shown}");
        }
    }

    #[test]
    fn bad_cassandra_flags_are_refused_with_a_reason() {
        let config = |a: &[&str]| parse(a).unwrap().run.cassandra.config("t");
        let err = |a: &[&str]| config(a).err().unwrap().to_string();
        assert!(err(&["--keyspace", "9lives"]).contains("not a keyspace name"));
        assert!(err(&["--consistency", "most"]).contains("not a consistency level"));
        assert!(err(&["--cassandra-ca", "ca.pem"]).contains("needs --cassandra-tls"));
        assert!(err(&["--cassandra-password", "x"]).contains("needs --cassandra-user"));
        let refused = parse(&["--replication", "simple:0"])
            .err()
            .unwrap()
            .to_string();
        assert!(refused.contains("not a replication factor"), "{refused}");
    }
}
