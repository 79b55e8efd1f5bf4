//! The randomuser.me API over HTTP: one GET per fetch, and every kind of bad answer told apart
//! as a [`SourceError`] variant. Nothing is retried here; ingest owns backoff and the circuit
//! breaker, and reads [`SourceError::status`].
//!
//! A seeded source pages through the API's deterministic sequence (`seed` plus a `page` that
//! advances after each successful fetch), so a seeded run never repeats page 1.
//!
//! An answer is read in two steps: the envelope (`results` or `error`), then each result on its
//! own, so one result of the wrong shape (a number for a name, `null` in the list) becomes a
//! reject of its own, dead-lettered by ingest, and its neighbours go on. An answer bigger than
//! [`MAX_BODY_BYTES`] or with more results than asked is a failure of the whole answer.

#[cfg(test)]
mod tests;

use std::time::Duration;

use reqwest::{Client, Url};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;
use serde_json::value::RawValue;
use tracing::{debug, trace};

use crate::model::RawUser;
use crate::source::{Fetched, Reject, Source, SourceError};

/// The most users the API returns for one request.
pub const MAX_RESULTS: usize = 5000;

/// The largest answer body read: 5,000 users take about 6 MiB, so this bounds memory against a
/// hostile or broken server without ever refusing a real page.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// How many characters of a body an error keeps.
const EXCERPT_CHARS: usize = 80;

/// Settings of the HTTP source.
#[derive(Debug, Clone)]
pub struct RandomUserConfig {
    /// The endpoint, e.g. `https://randomuser.me/api/1.4/`; `http://` works too.
    pub api_url: String,
    /// Nationality codes for `nat=`; all when empty.
    pub nats: Vec<String>,
    /// The API's `seed`: the same seed and page always give the same users.
    pub seed: Option<String>,
    /// Limit on a whole request, connection and body included.
    pub timeout: Duration,
}

/// A client of the randomuser.me API.
pub struct RandomUserSource {
    client: Client,
    url: Url,
    /// `nat=` value, percent-encoded; empty for all nationalities.
    nats: String,
    /// `seed=` value, percent-encoded.
    seed: Option<String>,
    /// The next page of a seeded run, from 1; unseeded runs count requests with it.
    page: u64,
    last_status: Option<u16>,
}

/// The envelope of an answer body; each result is decoded on its own, `info` is ignored.
#[derive(Deserialize)]
struct Answer<'a> {
    #[serde(default, borrow)]
    results: Option<Vec<&'a RawValue>>,
    #[serde(default)]
    error: Option<Value>,
}

impl RandomUserSource {
    /// A client for `config.api_url`. Fails if the URL is not an `http(s)` URL or no HTTP client
    /// can be built; both are reported as [`SourceError::Transport`].
    pub fn new(config: RandomUserConfig) -> Result<RandomUserSource, SourceError> {
        let url = Url::parse(&config.api_url).map_err(|e| {
            SourceError::Transport(format!("bad API URL {:?}: {e}", config.api_url))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(SourceError::Transport(format!(
                "bad API URL {:?}: only http and https are supported",
                config.api_url
            )));
        }
        // reqwest takes the process-wide rustls provider; an error only means one is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .user_agent(concat!("userstream/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SourceError::Transport(describe(&e)))?;
        let nats = config
            .nats
            .iter()
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
            .map(percent_encode)
            .collect::<Vec<_>>()
            .join(",");
        Ok(RandomUserSource {
            client,
            url,
            nats,
            seed: config.seed.as_deref().map(percent_encode),
            page: 1,
            last_status: None,
        })
    }

    /// The HTTP status of the latest request; `None` before the first one and when the latest
    /// got no answer (connection refused, timeout).
    pub fn last_status(&self) -> Option<u16> {
        self.last_status
    }

    /// The URL of a request for `results` users from the current page.
    fn request_url(&self, results: usize) -> Url {
        let mut query = self
            .url
            .query()
            .map(|q| format!("{q}&"))
            .unwrap_or_default();
        query.push_str(&format!("results={results}"));
        if !self.nats.is_empty() {
            query.push_str(&format!("&nat={}", self.nats));
        }
        if let Some(seed) = &self.seed {
            query.push_str(&format!("&seed={seed}&page={}", self.page));
        }
        let mut url = self.url.clone();
        url.set_query(Some(&query));
        url
    }

    async fn request(&mut self, url: Url, asked: usize) -> Result<Fetched, SourceError> {
        self.last_status = None;
        let mut response = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|e| transport(&e))?;
        let status = response.status().as_u16();
        self.last_status = Some(status);
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BODY_BYTES as u64)
        {
            return Err(too_large());
        }
        // Sized once from the announced length, checked against the limit above, so a page is
        // not copied as it grows; a body without a length still grows as it arrives.
        let mut body = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
        while let Some(chunk) = response.chunk().await.map_err(|e| transport(&e))? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        debug!(status, bytes = body.len(), "randomuser answered.");
        trace!(body = %excerpt(&body), "randomuser answer body.");
        classify(status, &body, asked, self.page)
    }
}

impl Source for RandomUserSource {
    async fn fetch(&mut self, n: usize) -> Result<Fetched, SourceError> {
        if n == 0 {
            return Ok(Fetched::default());
        }
        let asked = n.min(MAX_RESULTS);
        let url = self.request_url(asked);
        let fetched = self.request(url, asked).await?;
        self.page += 1;
        Ok(fetched)
    }

    fn name(&self) -> &'static str {
        "randomuser"
    }
}

fn too_large() -> SourceError {
    SourceError::Decode(format!(
        "the answer is larger than {} MiB",
        MAX_BODY_BYTES / (1024 * 1024)
    ))
}

/// Sorts an answer to a request for `asked` users of `page` into users and rejects, or the
/// [`SourceError`] that describes it.
fn classify(status: u16, body: &[u8], asked: usize, page: u64) -> Result<Fetched, SourceError> {
    match status {
        200..=299 => decode(body, asked, page),
        429 => Err(SourceError::RateLimited(
            api_error(body).unwrap_or_else(|| excerpt(body)),
        )),
        _ => Err(SourceError::Status {
            status,
            excerpt: excerpt(body),
        }),
    }
}

/// An answer whose results are all users, read in one pass.
#[derive(Deserialize)]
struct Users {
    results: Vec<RawUser>,
    #[serde(default)]
    error: Option<IgnoredAny>,
}

/// The users of a success body, each result decoded on its own; `{"error": ...}`,
/// `"results": []` and more results than asked are failures of the whole answer.
fn decode(body: &[u8], asked: usize, page: u64) -> Result<Fetched, SourceError> {
    // The common answer, every result a user, is read once. Any other is read again below,
    // result by result, and what is wrong with it decides the error or the rejects.
    if let Ok(Users {
        results,
        error: None,
    }) = serde_json::from_slice(body)
        && !results.is_empty()
        && results.len() <= asked
    {
        return Ok(Fetched {
            users: results,
            rejects: Vec::new(),
        });
    }
    let answer: Answer = serde_json::from_slice(body)
        .map_err(|e| SourceError::Decode(crate::redact::decode_error(&e)))?;
    if let Some(error) = answer.error {
        return Err(SourceError::Api(error_text(error)));
    }
    let results = match answer.results {
        None => {
            return Err(SourceError::Decode(
                "the answer has neither results nor error".into(),
            ));
        }
        Some(results) if results.is_empty() => return Err(SourceError::Empty),
        Some(results) if results.len() > asked => {
            return Err(SourceError::Decode(format!(
                "the answer has {} results; {asked} were asked for",
                results.len()
            )));
        }
        Some(results) => results,
    };
    let mut fetched = Fetched {
        users: Vec::with_capacity(results.len()),
        rejects: Vec::new(),
    };
    for (index, raw) in results.into_iter().enumerate() {
        match RawUser::deserialize(raw) {
            Ok(user) => fetched.users.push(user),
            Err(e) => fetched.rejects.push(Reject {
                reason: format!(
                    "result {index} of page {page} is not a user: {}",
                    crate::redact::decode_error(&e)
                ),
                raw: crate::redact::scrub_payload(raw.get().to_owned()),
                page,
            }),
        }
    }
    Ok(fetched)
}

/// The message of an `{"error": ...}` body, if that is what the body is.
fn api_error(body: &[u8]) -> Option<String> {
    let answer: Answer = serde_json::from_slice(body).ok()?;
    answer.error.map(error_text)
}

fn error_text(error: Value) -> String {
    match error {
        Value::String(message) => message,
        other => other.to_string(),
    }
}

/// The start of a body on one line: whitespace runs become one space, at most
/// [`EXCERPT_CHARS`] characters, `…` when cut.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::with_capacity(EXCERPT_CHARS + 4);
    let mut kept = 0;
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
            continue;
        }
        if kept + usize::from(space) >= EXCERPT_CHARS {
            out.push('…');
            break;
        }
        if space {
            out.push(' ');
            kept += 1;
            space = false;
        }
        out.push(c);
        kept += 1;
    }
    if out.is_empty() {
        out.push_str("(empty body)");
    }
    out
}

fn transport(error: &reqwest::Error) -> SourceError {
    let reason = describe(error);
    if error.is_timeout() {
        SourceError::Transport(format!("timed out: {reason}"))
    } else {
        SourceError::Transport(reason)
    }
}

/// An error with its causes, `outer: inner: root`, since reqwest's own message rarely says why.
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let inner_text = inner.to_string();
        if !text.ends_with(&inner_text) {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        cause = inner.source();
    }
    text
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
    }
    out
}
