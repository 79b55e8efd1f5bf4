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

/// How many users a source gives per request, and how fast it is asked when no flag says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceLimits {
    /// Users per second without `--rate`.
    pub default_rate: u64,
    /// Users per fetch without `--batch-size`; `None`: the size follows the rate
    /// ([`FETCHES_PER_SECOND`]).
    pub default_batch: Option<usize>,
    /// Most users one fetch asks for.
    pub max_batch: usize,
}

/// randomuser.me: 50 users/s is 15,000 per 5 minutes, under the API's 20,000 per IP; the API
/// gives at most 5,000 users per request.
pub const RANDOMUSER_LIMITS: SourceLimits = SourceLimits {
    default_rate: 50,
    default_batch: Some(100),
    max_batch: 5000,
};

/// The built-in generator.
pub const SYNTHETIC_LIMITS: SourceLimits = SourceLimits {
    default_rate: 1000,
    default_batch: None,
    max_batch: 100_000,
};

/// Fetches per second that a batch size following the rate aims at: small batches keep the
/// fetch-to-stored latency low.
pub const FETCHES_PER_SECOND: u64 = 40;

/// Largest batch size that follows the rate, and the batch size at `--rate max`.
pub const MAX_RATE_BATCH: usize = 1000;

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

/// What one fetch brought: the users, and the results that could not be read as users.
#[derive(Debug, Default)]
pub struct Fetched {
    pub users: Vec<RawUser>,
    pub rejects: Vec<Reject>,
}

impl Fetched {
    /// Users and rejects together: what the fetch budget counts.
    pub fn len(&self) -> usize {
        self.users.len() + self.rejects.len()
    }

    /// Whether nothing came back.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A result of a good answer that is not a user (a number for a name, `null` in the list);
/// ingest dead-letters it with the rule `decode`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// Why, without quoting any value of the result.
    pub reason: String,
    /// The result as received, secrets removed.
    pub raw: String,
    /// The page of the answer (a seeded run's `page`, else the request's number).
    pub page: u64,
}

/// A producer of user batches.
pub trait Source: Send + 'static {
    /// Fetches `n` users (the API may cap a request; ingest asks for what remains).
    fn fetch(&mut self, n: usize) -> impl Future<Output = Result<Fetched, SourceError>> + Send;

    /// The `source` field of the wire record: `synthetic` or `randomuser`.
    fn name(&self) -> &'static str;
}

/// The closed set of sources; only `main` picks one.
pub enum AnySource {
    Synthetic(SyntheticSource),
    RandomUser(RandomUserSource),
}

impl Source for AnySource {
    async fn fetch(&mut self, n: usize) -> Result<Fetched, SourceError> {
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
