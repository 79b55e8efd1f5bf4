//! Where users come from: the randomuser.me API or the built-in generator of the same shape.
//! A source only fetches; retry, backoff and the circuit breaker live in the ingest stage, so
//! every source gets the same resilience.

pub mod randomuser;
pub mod synthetic;

use std::future::Future;

use thiserror::Error;

use crate::model::RawUser;
use crate::stats::FetchErrorKind;

pub use randomuser::RandomUserSource;
pub use synthetic::SyntheticSource;

/// The 21 nationalities of the randomuser API v1.4.
pub const NATIONALITIES: [&str; 21] = [
    "AU", "BR", "CA", "CH", "DE", "DK", "ES", "FI", "FR", "GB", "IE", "IN", "IR", "MX", "NL", "NO",
    "NZ", "RS", "TR", "UA", "US",
];

/// Why a fetch failed. Every variant is retried by ingest.
#[derive(Debug, Error)]
pub enum SourceError {
    /// The API said to slow down (HTTP 429).
    #[error("rate limited (HTTP 429): {0}")]
    RateLimited(String),
    /// A non-success status, with a short, single-line excerpt of the body.
    #[error("HTTP {status}: {excerpt}")]
    Status { status: u16, excerpt: String },
    /// A `{"error": ...}` body.
    #[error("API error: {0}")]
    Api(String),
    /// HTTP 200 with `"results": []`, as seen during outages.
    #[error("API returned no results")]
    Empty,
    /// A body that is not the expected JSON (HTML page, truncated JSON, wrong shape).
    #[error("undecodable answer: {0}")]
    Decode(String),
    /// Connection refused, reset or timed out.
    #[error("request failed: {0}")]
    Transport(String),
}

impl SourceError {
    /// The HTTP status behind this failure, if one arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            SourceError::RateLimited(_) => Some(429),
            SourceError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The kind the metrics count this failure under.
    pub fn kind(&self) -> FetchErrorKind {
        match self {
            SourceError::RateLimited(_) => FetchErrorKind::RateLimited,
            SourceError::Status { .. } => FetchErrorKind::Status,
            SourceError::Api(_) => FetchErrorKind::Api,
            SourceError::Empty => FetchErrorKind::Empty,
            SourceError::Decode(_) => FetchErrorKind::Decode,
            SourceError::Transport(_) => FetchErrorKind::Transport,
        }
    }
}

/// A producer of user batches.
pub trait Source: Send + 'static {
    /// Fetches `n` users (the API may cap a request; ingest asks for what remains).
    fn fetch(&mut self, n: usize)
    -> impl Future<Output = Result<Vec<RawUser>, SourceError>> + Send;

    /// The `source` field of the wire record: `synthetic` or `randomuser`.
    fn name(&self) -> &'static str;
}

/// The closed set of sources; only `main` picks one.
pub enum AnySource {
    Synthetic(SyntheticSource),
    RandomUser(RandomUserSource),
}

impl Source for AnySource {
    async fn fetch(&mut self, n: usize) -> Result<Vec<RawUser>, SourceError> {
        match self {
            AnySource::Synthetic(s) => s.fetch(n).await,
            AnySource::RandomUser(s) => s.fetch(n).await,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            AnySource::Synthetic(s) => s.name(),
            AnySource::RandomUser(s) => s.name(),
        }
    }
}
