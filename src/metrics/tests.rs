//! The endpoint served for real on 127.0.0.1 over the embedded backends, asked by an HTTP client.

use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::broker::EmbeddedBroker;
use crate::broker::embedded::{EmbeddedConfig, Retention};
use crate::stats::{FetchErrorKind, PartitionLag, Stage, StageState};
use crate::store::EmbeddedStore;

struct Running {
    server: MetricsServer<EmbeddedBroker, EmbeddedStore>,
    stats: Arc<Stats>,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn running() -> Running {
    let dir = tempfile::tempdir().unwrap();
    let config = EmbeddedConfig {
        topic: "users_created".into(),
        group: "g".into(),
        partitions: Some(2),
        retention: Retention::default(),
    };
    let broker = EmbeddedBroker::open(&dir.path().join("log"), config).unwrap();
    let store = EmbeddedStore::open(&dir.path().join("store.db")).unwrap();
    let stats = Arc::new(Stats::default());
    let build = BuildInfo {
        version: "9.9.9".into(),
        source: "synthetic".into(),
        broker: "embedded".into(),
        store: "embedded".into(),
        role: "all".into(),
    };
    let server = bind("127.0.0.1:0")
        .await
        .unwrap()
        .serve(stats.clone(), broker, store, build);
    let _ = rustls::crypto::ring::default_provider().install_default();
    Running {
        server,
        stats,
        client: reqwest::Client::new(),
        _dir: dir,
    }
}

impl Running {
    async fn get(&self, path: &str, accept: &str) -> (u16, String, String) {
        let url = format!("http://{}{path}", self.server.addr());
        let response = self
            .client
            .get(url)
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        (status, content_type, response.text().await.unwrap())
    }
}

fn line_value(body: &str, series: &str) -> Option<f64> {
    body.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_read_the_stats_at_scrape_time() {
    let r = running().await;
    let s = &r.stats;
    s.stage(Stage::Source).add(12);
    s.stage(Stage::Store).add(9);
    s.duplicates
        .fetch_add(2, std::sync::atomic::Ordering::Relaxed);
    s.fetch_error(FetchErrorKind::RateLimited);
    s.stage(Stage::Source).set_state(StageState::Backoff);
    s.set_lag(vec![
        PartitionLag {
            partition: 0,
            committed: 4,
            high_watermark: 10,
            lag: 6,
        },
        PartitionLag {
            partition: 1,
            committed: 7,
            high_watermark: 8,
            lag: 1,
        },
    ]);
    s.latency.record(1_500);
    s.latency.record(80_000);
    s.store_batch.record(40);

    let (status, content_type, body) = r.get("/metrics", "*/*").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    for (series, want) in [
        (r#"userstream_records_total{stage="fetched"}"#, 12.0),
        (r#"userstream_records_total{stage="stored"}"#, 9.0),
        (r#"userstream_records_total{stage="duplicates"}"#, 2.0),
        (r#"userstream_records_total{stage="produced"}"#, 0.0),
        (r#"userstream_fetch_errors_total{kind="rate_limited"}"#, 1.0),
        (r#"userstream_fetch_errors_total{kind="transport"}"#, 0.0),
        (r#"userstream_source_state{state="backoff"}"#, 1.0),
        (r#"userstream_source_state{state="ok"}"#, 0.0),
        (r#"userstream_consumer_lag{partition="0"}"#, 6.0),
        (r#"userstream_committed_offset{partition="1"}"#, 7.0),
        (r#"userstream_high_watermark{partition="0"}"#, 10.0),
        ("userstream_consumer_group_lag", 7.0),
        (
            r#"userstream_fetch_to_stored_seconds_bucket{le="0.0025"}"#,
            1.0,
        ),
        (
            r#"userstream_fetch_to_stored_seconds_bucket{le="0.1"}"#,
            2.0,
        ),
        ("userstream_fetch_to_stored_seconds_count", 2.0),
        ("userstream_fetch_to_stored_seconds_sum", 0.0815),
        (
            r#"userstream_batch_size_bucket{stage="store",le="50"}"#,
            1.0,
        ),
        (r#"userstream_batch_size_count{stage="fetch"}"#, 0.0),
        (
            r#"userstream_build_info{version="9.9.9",source="synthetic",broker="embedded",store="embedded",role="all"}"#,
            1.0,
        ),
    ] {
        assert_eq!(line_value(&body, series), Some(want), "{series} in\n{body}");
    }
    assert!(line_value(&body, "userstream_process_resident_memory_bytes").unwrap() > 0.0);
    assert!(body.contains("# TYPE userstream_store_write_duration_seconds histogram"));
    assert!(body.contains("# TYPE userstream_records_total counter"));

    // The stages move on; the next scrape sees it.
    s.stage(Stage::Store).add(1);
    let (_, _, body) = r.get("/metrics", "*/*").await;
    assert_eq!(
        line_value(&body, r#"userstream_records_total{stage="stored"}"#),
        Some(10.0)
    );
}

#[tokio::test]
async fn a_scraper_that_asks_gets_openmetrics() {
    let r = running().await;
    let accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";
    let (status, content_type, body) = r.get("/metrics", accept).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("application/openmetrics-text"));
    assert!(body.ends_with("# EOF\n"), "{body}");
    assert!(body.contains("# UNIT userstream_fetch_to_stored_seconds seconds"));
    assert!(body.contains(r#"userstream_records_total{stage="stored"} 0"#));
}

#[tokio::test]
async fn health_readiness_and_unknown_paths() {
    let r = running().await;
    assert_eq!(r.get("/healthz", "*/*").await.0, 200);
    let (status, content_type, body) = r.get("/ready", "*/*").await;
    assert_eq!((status, content_type.as_str()), (200, "application/json"));
    assert_eq!(body, "{\"ready\":true}\n");

    r.stats
        .stage(Stage::Source)
        .set_state(StageState::CircuitOpen);
    let (status, _, body) = r.get("/ready", "*/*").await;
    assert_eq!(status, 503);
    assert_eq!(body.lines().count(), 1);
    let reason: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(reason["ready"], false);
    assert!(reason["reason"].as_str().unwrap().contains("circuit open"));

    assert_eq!(r.get("/nope", "*/*").await.0, 404);
    let url = format!("http://{}/metrics", r.server.addr());
    let post = r.client.post(url).send().await.unwrap();
    assert_eq!(post.status().as_u16(), 405);
}

#[tokio::test]
async fn finish_waits_for_one_scrape_of_the_final_numbers_then_closes() {
    let r = running().await;
    let addr = r.server.addr();
    let finished = tokio::spawn(r.server.finish(Duration::from_secs(600)));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!finished.is_finished(), "closed before the final scrape");
    let url = format!("http://{addr}");
    let ready = r.client.get(format!("{url}/ready")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 503);
    let scrape = r.client.get(format!("{url}/metrics")).send().await.unwrap();
    assert_eq!(scrape.status().as_u16(), 200);
    assert!(
        scrape
            .text()
            .await
            .unwrap()
            .contains("userstream_records_total")
    );
    tokio::time::timeout(Duration::from_secs(30), finished)
        .await
        .expect("finish returns after the final scrape")
        .unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[test]
fn addresses_need_a_host_and_a_port() {
    assert!(parse_addr("127.0.0.1:9898").is_ok());
    assert!(parse_addr("[::1]:9898").is_ok());
    assert!(parse_addr("localhost:0").is_ok());
    assert!(parse_addr("9898").is_err());
    assert!(parse_addr(":9898").is_err());
    assert!(parse_addr("host:http").is_err());
}
