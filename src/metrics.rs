//! `--metrics-addr HOST:PORT`: one small HTTP/1.1 server on the pipeline's tokio runtime that
//! serves
//!
//! - `GET /metrics`: the Prometheus exposition of [`crate::stats::Stats`], OpenMetrics text to a
//!   scraper that asks for it (Prometheus does), the Prometheus text format 0.0.4 otherwise;
//! - `GET /healthz`: 200 while the process runs (liveness);
//! - `GET /ready`: 200 when the broker and the store answer and the source's circuit is closed,
//!   else 503 with a one-line JSON reason (readiness).
//!
//! The exposition is built with `prometheus-client`, the Prometheus project's own Rust client:
//! its [`Collector`](prometheus_client::collector::Collector) hook lets a scrape read the atomic
//! counters the stages already keep, so nothing is recorded twice and the stages do no metric
//! work per record (the `metrics` facade would need every update mirrored into its registry);
//! it encodes both text formats and has four small dependencies. HTTP is hyper's server, already
//! in the tree under reqwest, with only its `server` and `http1` features.
//!
//! A bounded run (`--max-records`, `--duration`) ends by itself; `--metrics-linger` keeps the
//! endpoint up after the pipeline stopped until one scrape has read the final numbers.

pub mod collect;
mod http;
pub mod ready;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::time::Duration;

use prometheus_client::registry::Registry;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::broker::Broker;
use crate::stats::Stats;
use crate::store::Store;

pub use collect::BuildInfo;
use collect::PipelineCollector;
use ready::Readiness;

/// Failures of the metrics endpoint.
#[derive(Debug, Error)]
pub enum MetricsError {
    /// The address cannot be listened on (in use, not local, not resolvable).
    #[error("cannot listen on --metrics-addr {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
}

/// A listening socket, bound before the pipeline starts so a bad address stops nothing.
pub struct Listener {
    listener: TcpListener,
    addr: SocketAddr,
}

/// Binds `addr` (`HOST:PORT`; port 0 picks a free one).
pub async fn bind(addr: &str) -> Result<Listener, MetricsError> {
    let error = |source| MetricsError::Bind {
        addr: addr.to_owned(),
        source,
    };
    let listener = TcpListener::bind(addr).await.map_err(error)?;
    let addr = listener.local_addr().map_err(error)?;
    Ok(Listener { listener, addr })
}

impl Listener {
    /// The address actually bound.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Starts serving `stats`, probing `broker` and `store` for readiness.
    pub fn serve<B: Broker, S: Store>(
        self,
        stats: Arc<Stats>,
        broker: B,
        store: S,
        build: BuildInfo,
    ) -> MetricsServer<B, S> {
        let mut registry = Registry::with_prefix("userstream");
        registry.register_collector(Box::new(PipelineCollector::new(stats.clone(), build)));
        let shared = Arc::new(Shared {
            registry,
            readiness: Readiness::new(broker, store, stats),
            stopped: AtomicBool::new(false),
            final_scrape: Notify::new(),
        });
        let stop = CancellationToken::new();
        let task = tokio::spawn(http::serve(self.listener, shared.clone(), stop.clone()));
        info!(addr = %self.addr, "Serving /metrics, /healthz and /ready.");
        MetricsServer {
            addr: self.addr,
            shared,
            stop,
            task,
        }
    }
}

/// What the routes share.
struct Shared<B, S> {
    registry: Registry,
    readiness: Readiness<B, S>,
    /// Set once the pipeline stopped: a scrape that starts later reads the final numbers.
    stopped: AtomicBool,
    final_scrape: Notify,
}

/// A running endpoint; [`MetricsServer::finish`] stops it.
pub struct MetricsServer<B, S> {
    addr: SocketAddr,
    shared: Arc<Shared<B, S>>,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl<B: Broker, S: Store> MetricsServer<B, S> {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Call once the pipeline stopped and its numbers are final: `/ready` answers 503 from now
    /// on, and the endpoint keeps serving until one scrape has read the final numbers or
    /// `linger` has passed, then closes once open answers are written.
    pub async fn finish(self, linger: Duration) {
        self.shared.readiness.set_stopping();
        self.shared.stopped.store(true, SeqCst);
        if !linger.is_zero() {
            let scraped = tokio::time::timeout(linger, self.shared.final_scrape.notified()).await;
            info!(final_scrape = scraped.is_ok(), "Metrics endpoint closing.");
        }
        self.stop.cancel();
        let _ = self.task.await;
    }
}

/// Checks a `--metrics-addr` value: `HOST:PORT` with a port number.
pub fn parse_addr(s: &str) -> Result<String, String> {
    match s.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => Ok(s.to_owned()),
        _ => Err(format!(
            "'{s}' is not HOST:PORT (e.g. 127.0.0.1:9898, 0.0.0.0:9898, [::1]:9898)"
        )),
    }
}

#[cfg(test)]
mod tests;
