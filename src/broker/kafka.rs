//! The Kafka backend of `Broker`, on rdkafka (librdkafka).
//!
//! - produce: an idempotent `FutureProducer` with `acks=all`, key = user id; a batch is
//!   acknowledged only when every record is (see `produce`);
//! - poll/commit: a `BaseConsumer` in the consumer group, subscribed on the first poll (so an
//!   `--role ingest` process never joins the group), auto-commit and auto offset store off;
//!   offsets are committed synchronously after the store wrote the records, and a commit the
//!   group refuses after a rebalance is dropped, not retried (see `consume`);
//! - hold: while the pipeline is full the partitions are paused and the member keeps polling,
//!   so a slow store never gets it evicted from the group (see `hold`);
//! - topics: the topic and its dead-letter topic are created at start if missing;
//! - lag: committed offsets and watermarks fetched at most once per `LAG_REFRESH`, and kept
//!   current in between with what this process produced and committed itself (see `lag`).
//!
//! Every `-X key=value` property goes to every client, except the few the guarantees pin.

mod admin;
mod consume;
mod hold;
mod lag;
mod produce;
pub mod security;
pub mod settings;

use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rdkafka::ClientConfig;
use rdkafka::consumer::Consumer;
use rdkafka::producer::FutureProducer;
use tracing::{info, warn};

use super::reset::{self, ResetRow, ResetTarget};
use super::{
    Broker, BrokerError, DEFAULT_GROUP, DEFAULT_PARTITIONS, DEFAULT_TOPIC, Delivery, Offset,
    OutRecord, Partition, dlq_topic, encode_dead_letters,
};
use crate::describe::Description;
use crate::model::DeadLetter;
use crate::stats::PartitionLag;
use consume::{Context, GroupConsumer};
use lag::LagView;
use produce::Outbox;
pub use security::{KafkaSecurity, Password, SaslMechanism};
pub use settings::{Compression, KafkaProperty, KafkaPropertyParser};

/// Longest age of a lag sample before `lag` asks the brokers again.
const LAG_REFRESH: Duration = Duration::from_secs(1);

/// Settings of the Kafka backend.
#[derive(Debug, Clone)]
pub struct KafkaConfig {
    /// Bootstrap servers, `host:port[,host:port...]`.
    pub brokers: String,
    pub topic: String,
    pub group: String,
    /// Partitions of a topic created at start ([`DEFAULT_PARTITIONS`] when `None`).
    pub partitions: Option<u32>,
    /// Replicas of a topic created at start.
    pub replication_factor: i32,
    pub compression: Compression,
    /// `-X` properties, passed to every client.
    pub properties: Vec<KafkaProperty>,
    /// TLS and SASL shortcuts, merged with `properties` at connect.
    pub security: KafkaSecurity,
    /// How long `produce` waits without any acknowledgement before reporting the brokers down.
    pub ack_stall: Duration,
    /// Timeout of metadata, admin and lag requests.
    pub request_timeout: Duration,
}

impl Default for KafkaConfig {
    /// A broker on this machine's default port, the default topic and group.
    fn default() -> KafkaConfig {
        KafkaConfig {
            brokers: "127.0.0.1:9092".to_owned(),
            topic: DEFAULT_TOPIC.to_owned(),
            group: DEFAULT_GROUP.to_owned(),
            partitions: None,
            replication_factor: 1,
            compression: Compression::Lz4,
            properties: Vec::new(),
            security: KafkaSecurity::default(),
            ack_stall: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
        }
    }
}

impl KafkaConfig {
    /// Defaults for `topic` and `group` on `brokers`.
    pub fn new(brokers: &str, topic: &str, group: &str) -> KafkaConfig {
        KafkaConfig {
            brokers: brokers.to_owned(),
            topic: topic.to_owned(),
            group: group.to_owned(),
            ..KafkaConfig::default()
        }
    }
}

struct Inner {
    config: KafkaConfig,
    /// Settings shared by every client (bootstrap servers and `-X`), for short-lived readers.
    common: ClientConfig,
    records: Outbox,
    dead_letters: Outbox,
    consumer: Arc<GroupConsumer>,
    /// Held across every poll of the consumer, so a hold and a poll never interleave their
    /// records.
    polling: Mutex<()>,
    subscribed: AtomicBool,
    partitions: u32,
    lag: Mutex<LagView>,
    lag_refresh: tokio::sync::Mutex<()>,
}

/// A handle to the Kafka backend; clones share the clients.
#[derive(Clone)]
pub struct KafkaBroker {
    inner: Arc<Inner>,
}

/// Runs blocking librdkafka calls off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, BrokerError> + Send + 'static,
) -> Result<T, BrokerError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| BrokerError::Fatal(format!("Kafka task failed: {e}")))?
}

impl KafkaBroker {
    /// Checks the settings, connects (a TLS or SASL failure ends it with the cause), and
    /// creates the topics if missing.
    pub async fn connect(mut config: KafkaConfig) -> Result<KafkaBroker, BrokerError> {
        config.properties = config.security.merge(&config.properties)?;
        settings::check_pinned(&config.properties)?;
        let needs = settings::required_features(&config.properties, config.compression);
        settings::check_features(&needs, &settings::builtin_features()?)?;
        let shown: Vec<String> = config.properties.iter().map(|p| format!("{p:?}")).collect();
        info!(brokers = %config.brokers, properties = ?shown, "Connecting to Kafka.");

        let base = [("bootstrap.servers", config.brokers.clone())];
        let common = settings::client_config(&base, &config.properties);
        let (probe, brokers, timeout) = (
            common.clone(),
            config.brokers.clone(),
            config.request_timeout,
        );
        blocking(move || security::check_connection(&probe, &brokers, timeout))
            .await
            .map_err(|e| first_contact(&config.brokers, e))?;
        let producer_settings = [
            ("bootstrap.servers", config.brokers.clone()),
            ("enable.idempotence", "true".to_owned()),
            ("acks", "all".to_owned()),
            ("compression.codec", config.compression.as_str().to_owned()),
        ];
        let producer_context = Context::new(&config.topic);
        let producer: FutureProducer<Context> =
            settings::client_config(&producer_settings, &config.properties)
                .create_with_context(producer_context.clone())
                .map_err(|e| settings::creation_error("producer", e))?;
        let consumer_settings = [
            ("bootstrap.servers", config.brokers.clone()),
            ("group.id", config.group.clone()),
            ("enable.auto.commit", "false".to_owned()),
            ("enable.auto.offset.store", "false".to_owned()),
            ("auto.offset.reset", "earliest".to_owned()),
        ];
        let consumer: GroupConsumer =
            settings::client_config(&consumer_settings, &config.properties)
                .create_with_context(Context::new(&config.topic))
                .map_err(|e| settings::creation_error("consumer", e))?;
        let consumer = Arc::new(consumer);

        let partitions = ensure_topics(&config, &common, &consumer).await?;
        let dlq = dlq_topic(&config.topic);
        Ok(KafkaBroker {
            inner: Arc::new(Inner {
                records: Outbox::new(
                    producer.clone(),
                    producer_context.clone(),
                    config.topic.clone(),
                    config.ack_stall,
                ),
                dead_letters: Outbox::new(producer, producer_context, dlq, config.ack_stall),
                common,
                consumer,
                polling: Mutex::new(()),
                subscribed: AtomicBool::new(false),
                partitions,
                lag: Mutex::new(LagView::default()),
                lag_refresh: tokio::sync::Mutex::new(()),
                config,
            }),
        })
    }

    /// Number of partitions of the topic.
    pub fn partition_count(&self) -> u32 {
        self.inner.partitions
    }

    /// Partitions this member owns in the group now.
    pub fn assigned(&self) -> Vec<u32> {
        let shared = &self.inner.consumer.context().shared;
        shared
            .owned_partitions()
            .into_iter()
            .map(|p| p as u32)
            .collect()
    }

    /// How often the group took partitions away from this member (a rebalance or an eviction).
    pub fn revocations(&self) -> u64 {
        self.inner.consumer.context().shared.revocations()
    }

    fn lag_view(&self) -> std::sync::MutexGuard<'_, LagView> {
        self.inner.lag.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A connection failure at start: fatal, since nothing was ever reached.
fn first_contact(brokers: &str, error: BrokerError) -> BrokerError {
    match error {
        BrokerError::NotConnected(why) => BrokerError::Fatal(format!(
            "cannot reach the Kafka brokers at {brokers}: {why}"
        )),
        other => other,
    }
}

/// Creates the topic and its dead-letter topic if missing; returns the topic's partitions.
async fn ensure_topics(
    config: &KafkaConfig,
    common: &ClientConfig,
    consumer: &Arc<GroupConsumer>,
) -> Result<u32, BrokerError> {
    let dlq = dlq_topic(&config.topic);
    let names = [config.topic.clone(), dlq.clone()];
    let (c, timeout) = (consumer.clone(), config.request_timeout);
    let found = blocking(move || {
        admin::partition_counts(&c, &[names[0].as_str(), names[1].as_str()], timeout)
    })
    .await
    .map_err(|e| first_contact(&config.brokers, e))?;
    let wanted = config.partitions.unwrap_or(DEFAULT_PARTITIONS);
    if let (Some(have), Some(want)) = (found[0], config.partitions)
        && have != want
    {
        warn!(topic = %config.topic, have, want, "The topic exists with other partitions; using it.");
    }
    let mut missing = Vec::new();
    if found[0].is_none() {
        missing.push((config.topic.clone(), wanted));
    }
    if found[1].is_none() {
        missing.push((dlq, 1));
    }
    admin::create_topics(
        common,
        &missing,
        config.replication_factor,
        config.request_timeout,
    )
    .await?;
    Ok(found[0].unwrap_or(wanted))
}

impl Broker for KafkaBroker {
    async fn produce(&self, batch: Arc<[OutRecord]>) -> Result<(), BrokerError> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut landed: Vec<(i32, i64)> = Vec::new();
        let result = self
            .inner
            .records
            .produce(batch, |at| landed.push(at))
            .await;
        let mut view = self.lag_view();
        for &(p, offset) in &landed {
            view.produced(p as Partition, offset.max(0) as u64 + 1);
        }
        drop(view);
        result
    }

    async fn poll(&self, max: usize, wait: Duration) -> Result<Vec<Delivery>, BrokerError> {
        let inner = self.inner.clone();
        blocking(move || {
            if !inner.subscribed.swap(true, SeqCst) {
                let topic = inner.config.topic.as_str();
                if let Err(error) = inner.consumer.subscribe(&[topic]) {
                    inner.subscribed.store(false, SeqCst);
                    return Err(consume::classify(error));
                }
                info!(topic, group = %inner.config.group, "Joined the consumer group.");
            }
            let _one_poller = inner.polling.lock().unwrap_or_else(|e| e.into_inner());
            consume::poll(&inner.consumer, max, wait)
        })
        .await
    }

    async fn hold(&self) -> Result<(), BrokerError> {
        if !self.inner.subscribed.load(SeqCst) {
            return Ok(());
        }
        let inner = self.inner.clone();
        blocking(move || {
            let _one_poller = inner.polling.lock().unwrap_or_else(|e| e.into_inner());
            hold::hold(&inner.consumer)
        })
        .await
    }

    async fn commit(&self, next: Vec<(Partition, Offset)>) -> Result<(), BrokerError> {
        let inner = self.inner.clone();
        let done =
            blocking(move || consume::commit(&inner.consumer, &inner.config.topic, &next)).await?;
        let mut view = self.lag_view();
        for &(p, offset) in &done {
            view.committed(p, offset);
        }
        drop(view);
        Ok(())
    }

    async fn dead_letter(&self, letters: Vec<DeadLetter>) -> Result<(), BrokerError> {
        let payloads = encode_dead_letters(&letters)?;
        self.inner.dead_letters.produce_plain(&payloads).await
    }

    async fn lag(&self) -> Result<Vec<PartitionLag>, BrokerError> {
        if let Some(rows) = self.lag_view().fresh(LAG_REFRESH) {
            return Ok(rows);
        }
        let _one_at_a_time = self.inner.lag_refresh.lock().await;
        if let Some(rows) = self.lag_view().fresh(LAG_REFRESH) {
            return Ok(rows);
        }
        self.lag_view().asking();
        let inner = self.inner.clone();
        let sample = blocking(move || {
            let timeout = inner.config.request_timeout;
            admin::fetch_lag(
                &inner.consumer,
                &inner.config.topic,
                inner.partitions,
                timeout,
            )
        })
        .await;
        let mut view = self.lag_view();
        match sample {
            Ok(rows) => Ok(view.landed(rows)),
            Err(e) => {
                view.failed();
                Err(e)
            }
        }
    }

    async fn read_dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, BrokerError> {
        let common = self.inner.common.clone();
        let mut config = common;
        config.set(
            "group.id",
            format!("{}-dead-letter-reader", self.inner.config.group),
        );
        let dlq = dlq_topic(&self.inner.config.topic);
        let timeout = self.inner.config.request_timeout;
        blocking(move || admin::read_dead_letters(&config, &dlq, limit, timeout)).await
    }

    async fn plan_reset(
        &self,
        target: ResetTarget,
        partitions: Vec<Partition>,
    ) -> Result<Vec<ResetRow>, BrokerError> {
        let chosen = reset::select(&partitions, self.inner.partitions)?;
        let inner = self.inner.clone();
        blocking(move || {
            let timeout = inner.config.request_timeout;
            admin::plan_reset(
                &inner.consumer,
                &inner.config.topic,
                &chosen,
                target,
                timeout,
            )
        })
        .await
    }

    /// A member of the group (this process polls) moves its own partitions; otherwise the
    /// group must have no active member, as Kafka requires. A planned offset that retention
    /// deleted since the plan was made lands on the partition's low watermark (a later deletion
    /// is out of range at the next fetch, and `auto.offset.reset=earliest` does the same).
    async fn apply_reset(&self, plan: Vec<ResetRow>) -> Result<Vec<ResetRow>, BrokerError> {
        let inner = self.inner.clone();
        let rows = plan.len();
        let applied = blocking(move || {
            let (topic, group) = (&inner.config.topic, &inner.config.group);
            let timeout = inner.config.request_timeout;
            let plan = admin::within_watermarks(&inner.consumer, topic, plan, timeout)?;
            if inner.subscribed.load(SeqCst) {
                consume::reset_owned(&inner.consumer, topic, &plan, timeout)?;
                return Ok(plan);
            }
            if let Some(reason) = admin::active_group_refusal(&inner.consumer, group, timeout)? {
                return Err(BrokerError::Fatal(reason));
            }
            admin::commit_plan(&inner.consumer, group, topic, &plan)?;
            Ok(plan)
        })
        .await?;
        // The next lag sample asks the brokers: the committed offsets moved back or ahead.
        self.lag_view().forget();
        info!(partitions = rows, group = %self.inner.config.group, "Reset the group's offsets.");
        Ok(applied)
    }

    fn describe(&self) -> Description {
        Description {
            endpoint: Some(self.inner.config.brokers.clone()),
            partitions: Some(self.inner.partitions),
            ..Description::new("kafka", "kafka")
        }
    }
}

#[cfg(test)]
mod tests;
