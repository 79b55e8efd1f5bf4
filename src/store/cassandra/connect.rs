//! Opening a session: contact points, local datacenter, credentials, TLS with certificate
//! verification, consistency, then the schema and the prepared statements.

use std::sync::Arc;

use scylla::client::execution_profile::ExecutionProfile;
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use scylla::policies::timestamp_generator::MonotonicTimestampGenerator;
use scylla::statement::Consistency;
use scylla::statement::prepared::PreparedStatement;
use tracing::info;

use super::schema::{render, statements};
use super::statements::Spec;
use super::{CassandraConfig, classify};
use crate::store::StoreError;

/// Rows per page of every paged read.
pub const PAGE_SIZE: i32 = 500;

/// Parses a consistency level name (`LOCAL_QUORUM`, `quorum`, `one`, …).
pub fn parse_consistency(s: &str) -> Result<Consistency, String> {
    Ok(match s.to_ascii_uppercase().replace('-', "_").as_str() {
        "ANY" => Consistency::Any,
        "ONE" => Consistency::One,
        "TWO" => Consistency::Two,
        "THREE" => Consistency::Three,
        "QUORUM" => Consistency::Quorum,
        "ALL" => Consistency::All,
        "LOCAL_QUORUM" => Consistency::LocalQuorum,
        "EACH_QUORUM" => Consistency::EachQuorum,
        "LOCAL_ONE" => Consistency::LocalOne,
        _ => {
            return Err(format!(
                "'{s}' is not a consistency level (one, quorum, local_quorum, all, …)"
            ));
        }
    })
}

/// Connects to the cluster with `config`.
pub async fn session(config: &CassandraConfig) -> Result<Session, StoreError> {
    let profile = ExecutionProfile::builder()
        .consistency(config.consistency)
        .request_timeout(Some(config.request_timeout))
        .build();
    let mut builder = SessionBuilder::new()
        .known_nodes(&config.contact_points)
        .default_execution_profile_handle(profile.into_handle())
        .fetch_schema_metadata(config.fetch_schema_metadata)
        .auto_await_schema_agreement(config.await_schema_agreement)
        // Absolute counts rely on last-write-wins: later writes of a process must win.
        .timestamp_generator(Arc::new(MonotonicTimestampGenerator::new()))
        .connection_timeout(config.request_timeout);
    if let Some(dc) = &config.local_dc {
        builder = builder.prefer_datacenter(dc.clone());
    }
    if let Some(user) = &config.user {
        let password = config
            .password
            .as_ref()
            .map(|p| p.expose().to_owned())
            .unwrap_or_default();
        builder = builder.user(user.clone(), password);
    }
    if config.tls {
        builder = with_tls(builder, config)?;
    }
    builder
        .build()
        .await
        .map_err(|e| connect_error(config, &e.to_string()))
}

/// A failed connection as one line: a refused certificate or bad credentials are fatal and
/// named (retrying cannot fix them); anything else is an outage, retryable.
fn connect_error(config: &CassandraConfig, error: &str) -> StoreError {
    let nodes = config.contact_points.join(",");
    let trust = match &config.ca {
        Some(ca) => format!("the CA in --cassandra-ca {}", ca.display()),
        None => "a CA of the system trust store".to_owned(),
    };
    let cause = if error.contains("UnknownIssuer") {
        Some(format!(
            "the certificate of {nodes} is not signed by {trust}"
        ))
    } else if error.contains("NotValidForName") {
        Some(format!(
            "the certificate of {nodes} is for another host (hostname mismatch; the driver \
             checks the node's IP address)"
        ))
    } else if error.contains("Expired") {
        Some(format!("the certificate of {nodes} has expired"))
    } else if error.contains("invalid peer certificate") {
        Some(format!("the certificate of {nodes} is refused"))
    } else if error.contains("corrupt message") || error.contains("InvalidContentType") {
        Some(format!("{nodes} does not speak TLS (a plain CQL port?)"))
    } else {
        None
    };
    if let Some(cause) = cause {
        return StoreError::Fatal(format!("TLS: {cause} ({})", last_part(error)));
    }
    if config.user.is_none() && error.contains("Authentication is required") {
        return StoreError::Fatal(format!(
            "{nodes} requires password authentication: give --cassandra-user, and the password \
             in USERSTREAM_CASSANDRA_PASSWORD"
        ));
    }
    if error.contains("Authentication") || error.contains("authentication") {
        return StoreError::Fatal(format!(
            "bad Cassandra credentials for user {} at {nodes} ({})",
            config.user.as_deref().unwrap_or("(none)"),
            last_part(error)
        ));
    }
    StoreError::Unavailable(format!("cannot connect to {nodes}: {error}"))
}

/// The innermost cause of a driver error chain (`a: b: c` → `c`).
fn last_part(error: &str) -> &str {
    error.rsplit(": ").next().unwrap_or(error).trim()
}

#[cfg(feature = "cassandra-tls")]
fn with_tls(
    builder: SessionBuilder,
    config: &CassandraConfig,
) -> Result<SessionBuilder, StoreError> {
    Ok(builder.tls_context(Some(Arc::new(tls_config(config.ca.as_deref())?))))
}

#[cfg(not(feature = "cassandra-tls"))]
fn with_tls(_: SessionBuilder, _: &CassandraConfig) -> Result<SessionBuilder, StoreError> {
    Err(StoreError::Fatal(
        "this build has no Cassandra TLS: build with the cassandra-tls feature".into(),
    ))
}

/// A rustls client configuration that verifies the nodes' certificates: against `ca` when
/// given, else against the platform's trust store. The driver checks the certificate against
/// the node's IP address.
#[cfg(feature = "cassandra-tls")]
fn tls_config(ca: Option<&std::path::Path>) -> Result<rustls::ClientConfig, StoreError> {
    // An error only means a provider is already installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Some(ca) = ca else {
        use rustls_platform_verifier::ConfigVerifierExt;
        return rustls::ClientConfig::with_platform_verifier()
            .map_err(|e| StoreError::Fatal(format!("cannot load the system trust store: {e}")));
    };
    let bad = |e: &dyn std::fmt::Display| {
        StoreError::Fatal(format!("cannot read CA certificates {}: {e}", ca.display()))
    };
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).map_err(|e| bad(&e))? {
        roots.add(cert.map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
    }
    if roots.is_empty() {
        return Err(bad(&"no certificate in the file"));
    }
    Ok(rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// Applies the schema (idempotent: every statement is `IF NOT EXISTS`).
pub async fn apply_schema(session: &Session, config: &CassandraConfig) -> Result<(), StoreError> {
    let cql = render(&config.keyspace, &config.replication);
    for statement in statements(&cql) {
        session
            .query_unpaged(statement, ())
            .await
            .map_err(|e| classify("apply the schema", e))?;
    }
    if config.await_schema_agreement {
        session
            .await_schema_agreement()
            .await
            .map_err(|e| StoreError::Unavailable(format!("schema agreement: {e}")))?;
    }
    info!(keyspace = %config.keyspace, "Cassandra schema applied.");
    Ok(())
}

/// `statement` at serial consistency: a read that first finishes any conditional write in
/// flight on its partition.
pub fn serial(mut statement: PreparedStatement) -> PreparedStatement {
    statement.set_consistency(Consistency::LocalSerial);
    statement
}

/// Prepares `spec`: idempotent (every write is an upsert of absolute values, so the driver
/// may retry it), paged.
pub async fn prepare(
    session: &Session,
    keyspace: &str,
    spec: &Spec,
) -> Result<PreparedStatement, StoreError> {
    let mut prepared = session
        .prepare(spec.cql(keyspace))
        .await
        .map_err(|e| StoreError::Fatal(format!("cannot prepare {}: {e}", spec.cql(keyspace))))?;
    prepared.set_is_idempotent(true);
    prepared.set_page_size(PAGE_SIZE);
    Ok(prepared)
}
