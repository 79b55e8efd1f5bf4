//! The HTTP side of the endpoint: accept loop, one hyper HTTP/1.1 connection task per client,
//! and the three routes.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering::SeqCst;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{ACCEPT, ALLOW, CONTENT_TYPE, HeaderMap, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use prometheus_client::encoding::{prometheus_text, text};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

use super::Shared;
use crate::broker::Broker;
use crate::store::Store;

/// OpenMetrics text, for scrapers that ask for it.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// How long open connections get to finish their answer once the endpoint closes.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Accepts connections until `stop`, then lets open ones finish the answer they are writing.
pub(super) async fn serve<B: Broker, S: Store>(
    listener: TcpListener,
    shared: Arc<Shared<B, S>>,
    stop: CancellationToken,
) {
    let mut connections = JoinSet::new();
    loop {
        // Reap finished connections so the set stays as small as the open ones.
        while connections.try_join_next().is_some() {}
        let stream = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors and the like: wait, then go on serving.
                    warn!(%error, "Metrics endpoint cannot accept; retrying.");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let (shared, stop) = (shared.clone(), stop.clone());
        connections.spawn(async move {
            let service = service_fn(move |request| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(route(&shared, &request).await) }
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                _ = stop.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = result {
                debug!(%error, "Metrics connection ended with an error.");
            }
        });
    }
    let closed = tokio::time::timeout(CLOSE_GRACE, async {
        while connections.join_next().await.is_some() {}
    });
    if closed.await.is_err() {
        debug!("Metrics connections still open at close; dropping them.");
    }
}

fn respond(status: StatusCode, content_type: &'static str, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

async fn route<B: Broker, S: Store>(
    shared: &Shared<B, S>,
    request: &Request<Incoming>,
) -> Response<Full<Bytes>> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = respond(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            "only GET and HEAD\n".to_owned(),
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    match request.uri().path() {
        "/metrics" => metrics(shared, request.headers()),
        "/healthz" => respond(StatusCode::OK, "text/plain; charset=utf-8", "ok\n".into()),
        "/ready" => {
            let (status, body) = match shared.readiness.check().await {
                Ok(()) => (StatusCode::OK, serde_json::json!({ "ready": true })),
                Err(reason) => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    serde_json::json!({ "ready": false, "reason": reason }),
                ),
            };
            respond(status, "application/json", format!("{body}\n"))
        }
        _ => respond(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "not found; try /metrics, /healthz or /ready\n".into(),
        ),
    }
}

/// Whether the client asks for OpenMetrics (Prometheus does; curl and promtool do not).
fn wants_openmetrics(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/openmetrics-text"))
}

fn metrics<B, S>(shared: &Shared<B, S>, headers: &HeaderMap) -> Response<Full<Bytes>> {
    let after_stop = shared.stopped.load(SeqCst);
    let mut body = String::with_capacity(8 * 1024);
    let (encoded, content_type) = if wants_openmetrics(headers) {
        (text::encode(&mut body, &shared.registry), OPENMETRICS)
    } else {
        (
            prometheus_text::encode(&mut body, &shared.registry),
            prometheus_text::CONTENT_TYPE,
        )
    };
    if encoded.is_err() {
        return respond(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain; charset=utf-8",
            "cannot encode the metrics\n".into(),
        );
    }
    if after_stop {
        shared.final_scrape.notify_one();
    }
    respond(StatusCode::OK, content_type, body)
}
