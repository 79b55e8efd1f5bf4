//! Broker throughput: the same 200,000 wire records (synthetic users, about 600 bytes each) in
//! batches of 1,000, through the embedded log and through Kafka at `USERSTREAM_KAFKA` (tansu
//! under `scripts/kafka-tests.sh --bench`), produce and then consume-and-commit; and our
//! producer against a plain rdkafka `FutureProducer` with the same settings writing the same
//! records, as a ratio. Without `USERSTREAM_KAFKA` only the embedded log is measured;
//! `USERSTREAM_KAFKA=mock` measures against librdkafka's in-process mock cluster.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::ClientConfig;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{FutureProducer, FutureRecord};
use userstream::broker::embedded::{EmbeddedConfig, Retention};
use userstream::broker::kafka::KafkaConfig;
use userstream::broker::{Broker, EmbeddedBroker, KafkaBroker, OutRecord};
use userstream::model::WireRecord;
use userstream::source::SyntheticSource;

const RECORDS: usize = 200_000;
const BATCH: usize = 1_000;

fn unique(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("bench-{name}-{nanos}")
}

fn batches() -> Vec<Arc<[OutRecord]>> {
    let mut source = SyntheticSource::new(5, Vec::new());
    (0..RECORDS / BATCH)
        .map(|_| {
            source
                .generate(BATCH)
                .into_iter()
                .map(|raw| {
                    let wire = WireRecord::from_raw(raw, "2026-01-01T00:00:00Z", "synthetic");
                    let payload = serde_json::to_vec(&wire).unwrap_or_default();
                    OutRecord {
                        key: wire.id,
                        payload,
                    }
                })
                .collect()
        })
        .collect()
}

/// Records per second to produce every batch, then to poll and commit them all.
async fn measure<B: Broker>(broker: &B, batches: &[Arc<[OutRecord]>]) -> (f64, f64) {
    let started = Instant::now();
    for batch in batches {
        broker.produce(batch.clone()).await.expect("produce");
    }
    let produced = RECORDS as f64 / started.elapsed().as_secs_f64();
    // Timed from the first record, so joining the group is not counted.
    let mut started = None;
    let mut read = 0;
    while read < RECORDS {
        let got = broker
            .poll(5_000, Duration::from_millis(500))
            .await
            .expect("poll");
        if !got.is_empty() {
            started.get_or_insert_with(Instant::now);
        } else if started.is_some() {
            // The mock cluster keeps only the newest few MB of each partition: stop at lag 0.
            let lag = broker.lag().await.expect("lag");
            if lag.iter().all(|p| p.lag == 0) {
                eprintln!("read {read} of {RECORDS}: the broker no longer holds the rest");
                break;
            }
        }
        let mut next = std::collections::BTreeMap::new();
        for d in &got {
            next.insert(d.partition, d.offset + 1);
        }
        broker
            .commit(next.into_iter().collect())
            .await
            .expect("commit");
        read += got.len();
    }
    let seconds = started.map_or(f64::NAN, |s| s.elapsed().as_secs_f64());
    (produced, read as f64 / seconds)
}

/// A plain producer with our producer's settings, writing the same records the same way.
async fn plain_producer(addr: &str, topic: &str, batches: &[Arc<[OutRecord]>]) -> f64 {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", addr)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("compression.codec", "lz4")
        .create()
        .expect("producer");
    let started = Instant::now();
    for batch in batches {
        let mut futures = Vec::with_capacity(batch.len());
        for r in batch.iter() {
            let record = FutureRecord::to(topic)
                .key(r.key.as_str())
                .payload(&r.payload);
            futures.push(
                producer
                    .send_result(record)
                    .map_err(|(e, _)| e)
                    .expect("enqueue"),
            );
        }
        for f in futures {
            f.await
                .expect("dropped")
                .map_err(|(e, _)| e)
                .expect("delivery");
        }
    }
    RECORDS as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let batches = batches();
    let dir = tempfile::tempdir().expect("tempdir");
    let embedded = EmbeddedBroker::open(
        dir.path(),
        EmbeddedConfig {
            topic: userstream::broker::DEFAULT_TOPIC.into(),
            group: "bench".into(),
            partitions: Some(3),
            retention: Retention::default(),
        },
    )
    .expect("embedded log");
    let (e_produce, e_consume) = measure(&embedded, &batches).await;
    println!("| broker | produce (records/s) | consume + commit (records/s) |");
    println!("| --- | ---: | ---: |");
    println!("| embedded log (fjall) | {e_produce:.0} | {e_consume:.0} |");

    let Some(target) = std::env::var("USERSTREAM_KAFKA")
        .ok()
        .filter(|a| !a.is_empty())
    else {
        println!("USERSTREAM_KAFKA is not set: Kafka skipped (run scripts/kafka-tests.sh --bench)");
        return;
    };
    let (topic, plain_topic) = (unique("ours"), unique("plain"));
    // `mock`: librdkafka's in-process mock cluster, which needs its topics made up front.
    let mock = (target == "mock").then(|| MockCluster::new(1).expect("mock cluster"));
    if let Some(cluster) = &mock {
        for name in [&topic, &plain_topic] {
            cluster.create_topic(name, 3, 1).expect("topic");
            cluster
                .create_topic(&format!("{name}.dlq"), 1, 1)
                .expect("topic");
        }
    }
    let addr = mock
        .as_ref()
        .map_or(target.clone(), MockCluster::bootstrap_servers);
    let name = if mock.is_some() {
        "mock cluster"
    } else {
        "tansu"
    };
    let config = KafkaConfig {
        partitions: Some(3),
        ..KafkaConfig::new(&addr, &topic, &unique("group"))
    };
    let kafka = KafkaBroker::connect(config).await.expect("kafka");
    let (k_produce, k_consume) = measure(&kafka, &batches).await;
    println!("| kafka ({name} at {addr}) | {k_produce:.0} | {k_consume:.0} |");

    // The plain producer writes to a second topic of the same shape, created the same way.
    let plain_config = KafkaConfig {
        partitions: Some(3),
        ..KafkaConfig::new(&addr, &plain_topic, &unique("group"))
    };
    drop(
        KafkaBroker::connect(plain_config)
            .await
            .expect("plain topic"),
    );
    let plain = plain_producer(&addr, &plain_topic, &batches).await;
    println!();
    println!(
        "producer: ours {k_produce:.0} records/s, plain FutureProducer {plain:.0} records/s, \
         ratio {:.2}",
        k_produce / plain
    );
}
