//! The backends a run opens from its flags: the log (embedded or Kafka), the store (embedded
//! or Cassandra) and the source (synthetic or randomuser).

use anyhow::Context;

use crate::broker::embedded::{EmbeddedConfig, Retention};
use crate::broker::kafka::KafkaConfig;
use crate::broker::{AnyBroker, EmbeddedBroker, KafkaBroker};
use crate::cli::{BrokerKind, RunArgs, SourceKind, StoreKind};
use crate::datadir::DataDir;
use crate::pipeline::Role;
use crate::source::randomuser::RandomUserConfig;
use crate::source::{AnySource, RandomUserSource, SyntheticSource};
use crate::store::{AnyStore, CassandraStore, EmbeddedStore};
use crate::util::seed_of;

/// The embedded log in the data dir, or the Kafka topic.
pub(super) async fn open_broker(dir: &DataDir, args: &RunArgs) -> anyhow::Result<AnyBroker> {
    if args.broker == BrokerKind::Kafka {
        return open_kafka(args).await;
    }
    let broker = EmbeddedBroker::open(&dir.log_dir(), embedded_config(args))
        .context("cannot open the log")?;
    Ok(AnyBroker::Embedded(broker))
}

/// The Kafka topic and group of `args`, connected and checked.
pub(super) async fn open_kafka(args: &RunArgs) -> anyhow::Result<AnyBroker> {
    let config = KafkaConfig {
        partitions: args.partitions,
        replication_factor: args.replication_factor,
        compression: args.compression,
        properties: args.kafka_property.clone(),
        security: args.kafka_security.security(),
        ..KafkaConfig::new(&args.brokers, &args.topic, &args.group)
    };
    let broker = KafkaBroker::connect(config)
        .await
        .context("cannot start the Kafka backend")?;
    Ok(AnyBroker::Kafka(broker))
}

/// The embedded log's topic, group, partitions and retention from the flags.
pub(super) fn embedded_config(args: &RunArgs) -> EmbeddedConfig {
    EmbeddedConfig {
        topic: args.topic.clone(),
        group: args.group.clone(),
        partitions: args.partitions,
        retention: Retention {
            max_age: Some(args.retention_age),
            max_bytes: (args.retention_bytes > 0).then_some(args.retention_bytes),
            interval: args.retention_interval,
            ..Retention::default()
        },
    }
}

/// Which log a processing pipeline's store counts offsets of, and the partitions it holds from
/// the start (`None`: a process that writes no rows).
pub(super) struct Counting {
    log: String,
    claim: Vec<u32>,
}

/// The log the pipeline about to start will count, named before the embedded log is opened
/// (a new log gets a new name); Kafka's offsets are the topic's, whichever member reads them.
pub(super) fn counted_log(dir: &DataDir, args: &RunArgs) -> anyhow::Result<Option<String>> {
    if args.store != StoreKind::Cassandra || args.role == Role::Ingest {
        return Ok(None);
    }
    Ok(Some(match args.broker {
        BrokerKind::Kafka => "kafka".to_owned(),
        BrokerKind::Embedded => format!("embedded:{}", dir.log_id()?),
    }))
}

/// The embedded log's partitions are all this process's from the start; Kafka's come with the
/// group's assignments.
pub(super) fn counting(log: Option<String>, broker: &AnyBroker) -> Option<Counting> {
    let claim = match broker {
        AnyBroker::Embedded(b) => (0..b.partition_count()).collect(),
        AnyBroker::Kafka(_) => Vec::new(),
    };
    log.map(|log| Counting { log, claim })
}

/// The embedded store in the data dir, or the Cassandra keyspace.
pub(super) async fn open_store(
    dir: &DataDir,
    args: &RunArgs,
    counting: Option<Counting>,
) -> anyhow::Result<AnyStore> {
    if args.store == StoreKind::Cassandra {
        return Ok(AnyStore::Cassandra(open_cassandra(args, counting).await?));
    }
    let store = EmbeddedStore::open(&dir.store_path()).context("cannot open the store")?;
    Ok(AnyStore::Embedded(store))
}

/// The Cassandra store of `args`, counting the offsets of `counting`'s log when it processes.
pub(super) async fn open_cassandra(
    args: &RunArgs,
    counting: Option<Counting>,
) -> anyhow::Result<CassandraStore> {
    let mut config = args.cassandra.config(&args.topic)?;
    if let Some(Counting { log, claim }) = counting {
        config.log = log;
        config.claim = claim;
    }
    CassandraStore::connect(config)
        .await
        .context("cannot open the Cassandra store")
}

/// The synthetic generator (seeded by `--seed`, else by the clock and pid), or the API.
pub(super) fn open_source(args: &RunArgs) -> anyhow::Result<AnySource> {
    Ok(match args.source {
        SourceKind::Synthetic => AnySource::Synthetic(SyntheticSource::new(
            args.seed.as_deref().map_or_else(rand_seed, seed_of),
            args.nat.clone(),
        )),
        SourceKind::Randomuser => AnySource::RandomUser(
            RandomUserSource::new(RandomUserConfig {
                api_url: args.api_url.clone(),
                nats: args.nat.clone(),
                seed: args.seed.clone(),
                timeout: args.http_timeout,
            })
            .context("cannot set up the HTTP client")?,
        ),
    })
}

fn rand_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    nanos ^ u64::from(std::process::id()).rotate_left(32)
}
