//! Cluster-side chores: creating the topics if missing, reading lag, reading dead letters,
//! planning and committing offset resets.

use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::message::Message;
use rdkafka::{ClientConfig, Offset as KafkaOffset, TopicPartitionList};
use tracing::info;

use super::consume::{Context, GroupConsumer, classify};
use crate::broker::reset::{self, PartitionBounds, ResetRow, ResetTarget};
use crate::broker::{BrokerError, Partition};
use crate::model::DeadLetter;
use crate::stats::PartitionLag;

/// Partition counts of `topics` as the cluster knows them (`None`: missing).
pub fn partition_counts(
    consumer: &GroupConsumer,
    topics: &[&str],
    timeout: Duration,
) -> Result<Vec<Option<u32>>, BrokerError> {
    // Listing every topic never asks a broker to auto-create one.
    let metadata = consumer.fetch_metadata(None, timeout).map_err(classify)?;
    Ok(topics
        .iter()
        .map(|name| {
            metadata
                .topics()
                .iter()
                .find(|t| t.name() == *name && t.error().is_none())
                .map(|t| t.partitions().len() as u32)
                .filter(|n| *n > 0)
        })
        .collect())
}

/// Creates the missing ones among `(topic, partitions)` with `replication` replicas.
pub async fn create_topics(
    config: &ClientConfig,
    missing: &[(String, u32)],
    replication: i32,
    timeout: Duration,
) -> Result<(), BrokerError> {
    if missing.is_empty() {
        return Ok(());
    }
    let admin: AdminClient<DefaultClientContext> = config
        .create()
        .map_err(|e| super::settings::creation_error("admin client", e))?;
    let new: Vec<NewTopic<'_>> = missing
        .iter()
        .map(|(name, n)| NewTopic::new(name, *n as i32, TopicReplication::Fixed(replication)))
        .collect();
    let options = AdminOptions::new()
        .request_timeout(Some(timeout))
        .operation_timeout(Some(timeout));
    let results = admin
        .create_topics(&new, &options)
        .await
        .map_err(|e| BrokerError::Fatal(format!("cannot create the topics: {e}")))?;
    for result in results {
        match result {
            Ok(name) => info!(topic = %name, replication, "Created topic."),
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((name, code)) => {
                return Err(BrokerError::Fatal(format!(
                    "the broker refused to create topic '{name}' ({code}); create it yourself \
                     or check --partitions and --replication-factor"
                )));
            }
        }
    }
    Ok(())
}

/// Committed offset, high watermark and lag per partition of `topic`, for the group of
/// `consumer`. A partition the group never committed counts from its low watermark.
pub fn fetch_lag(
    consumer: &GroupConsumer,
    topic: &str,
    partitions: u32,
    timeout: Duration,
) -> Result<Vec<PartitionLag>, BrokerError> {
    let mut list = TopicPartitionList::new();
    list.add_partition_range(topic, 0, partitions as i32 - 1);
    let committed = consumer
        .committed_offsets(list, timeout)
        .map_err(classify)?;
    let mut out = Vec::with_capacity(partitions as usize);
    for p in 0..partitions as i32 {
        let (low, high) = consumer
            .fetch_watermarks(topic, p, timeout)
            .map_err(classify)?;
        let done = committed
            .find_partition(topic, p)
            .and_then(|e| e.offset().to_raw())
            .filter(|o| *o >= 0)
            .unwrap_or(low);
        let high = high.max(0) as u64;
        let done = (done.max(0) as u64).min(high);
        out.push(PartitionLag {
            partition: p as u32,
            committed: done,
            high_watermark: high,
            lag: high - done,
        });
    }
    Ok(out)
}

/// Up to `limit` dead letters from the start of `dlq`, read without joining any group.
pub fn read_dead_letters(
    config: &ClientConfig,
    dlq: &str,
    limit: usize,
    timeout: Duration,
) -> Result<Vec<DeadLetter>, BrokerError> {
    let mut config = config.clone();
    config
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "false");
    let reader: BaseConsumer<Context> = config
        .create_with_context(Context::new(dlq))
        .map_err(|e| super::settings::creation_error("consumer", e))?;
    let Some(count) = partition_counts(&reader, &[dlq], timeout)?[0] else {
        return Ok(Vec::new());
    };
    let mut list = TopicPartitionList::new();
    let mut remaining = 0u64;
    for p in 0..count as i32 {
        let (low, high) = reader.fetch_watermarks(dlq, p, timeout).map_err(classify)?;
        remaining += (high - low).max(0) as u64;
        list.add_partition_offset(dlq, p, KafkaOffset::Beginning)
            .map_err(classify)?;
    }
    reader.assign(&list).map_err(classify)?;
    let wanted = remaining.min(limit as u64) as usize;
    let deadline = Instant::now() + timeout;
    let mut letters = Vec::new();
    while letters.len() < wanted && Instant::now() < deadline {
        match reader.poll(Duration::from_millis(200)) {
            Some(Ok(message)) => {
                let payload = message.payload().unwrap_or_default();
                let letter = serde_json::from_slice(payload)
                    .map_err(|e| BrokerError::Storage(format!("unreadable dead letter: {e}")))?;
                letters.push(letter);
            }
            Some(Err(error)) => return Err(classify(error)),
            None => {}
        }
    }
    Ok(letters)
}

/// The offsets a reset to `target` would give `partitions` of `topic`, for the group of
/// `consumer`: its committed offsets (a partition never committed starts at its low watermark,
/// as `auto.offset.reset=earliest` does), the watermarks and, for a time, ListOffsets by
/// timestamp.
pub fn plan_reset(
    consumer: &GroupConsumer,
    topic: &str,
    partitions: &[Partition],
    target: ResetTarget,
    timeout: Duration,
) -> Result<Vec<ResetRow>, BrokerError> {
    let mut list = TopicPartitionList::new();
    for &p in partitions {
        list.add_partition(topic, p as i32);
    }
    let committed = consumer
        .committed_offsets(list, timeout)
        .map_err(classify)?;
    let at_times = match target {
        ResetTarget::Datetime(ms) => {
            let mut wanted = TopicPartitionList::new();
            for &p in partitions {
                wanted
                    .add_partition_offset(topic, p as i32, KafkaOffset::Offset(ms))
                    .map_err(classify)?;
            }
            Some(
                consumer
                    .offsets_for_times(wanted, timeout)
                    .map_err(classify)?,
            )
        }
        _ => None,
    };
    let mut bounds = Vec::with_capacity(partitions.len());
    for &p in partitions {
        let (low, high) = consumer
            .fetch_watermarks(topic, p as i32, timeout)
            .map_err(classify)?;
        let (low, high) = (low.max(0) as u64, high.max(0) as u64);
        let current = committed
            .find_partition(topic, p as i32)
            .and_then(|e| e.offset().to_raw())
            .filter(|o| *o >= 0)
            .map_or(low, |o| o as u64)
            .min(high);
        let at_time = at_times.as_ref().and_then(|found| {
            found
                .find_partition(topic, p as i32)
                .and_then(|e| e.offset().to_raw())
                .filter(|o| *o >= 0)
                .map(|o| o as u64)
        });
        bounds.push(PartitionBounds {
            partition: p,
            low,
            high,
            committed: current,
            at_time,
        });
    }
    Ok(reset::plan(target, &bounds))
}

/// `plan` with each new offset inside the partition's records as kept now: retention may have
/// deleted the start of a partition since the plan was made (a console dialog waits for a
/// key). A moved row is logged; its `new`, `high_watermark` and `lag_after` say where it lands.
pub fn within_watermarks(
    consumer: &GroupConsumer,
    topic: &str,
    plan: Vec<ResetRow>,
    timeout: Duration,
) -> Result<Vec<ResetRow>, BrokerError> {
    let mut out = Vec::with_capacity(plan.len());
    for row in plan {
        let (low, high) = consumer
            .fetch_watermarks(topic, row.partition as i32, timeout)
            .map_err(classify)?;
        out.push(reset::land(&row, low.max(0) as u64, high.max(0) as u64));
    }
    Ok(out)
}

/// Kafka's reason to refuse resetting `group`: it has active members. `None` when it has none,
/// or when the broker does not implement listing groups (the commit is then refused by the
/// broker itself, as Kafka and librdkafka's mock cluster do). A broker that implements it but
/// fails to answer (tansu 0.6 drops the connection on DescribeGroups, and then accepts a
/// commit from a non-member while the group is active) is a refusal too: an unverified reset
/// could move the offsets under a running member.
pub fn active_group_refusal(
    consumer: &GroupConsumer,
    group: &str,
    timeout: Duration,
) -> Result<Option<String>, BrokerError> {
    let list = match consumer.fetch_group_list(Some(group), timeout) {
        Ok(list) => list,
        Err(error) => {
            return match classify(error) {
                BrokerError::NotConnected(why) => Ok(Some(format!(
                    "cannot tell whether the group '{group}' has active members: the broker \
                     did not describe it ({why}); Kafka resets only an inactive group"
                ))),
                _ => Ok(None),
            };
        }
    };
    Ok(list
        .groups()
        .iter()
        .find(|g| g.name() == group && !g.members().is_empty())
        .map(|g| {
            format!(
                "Assignments can only be reset if the group '{group}' is inactive, but the \
                 current state is {} ({} active members): stop its consumers first",
                g.state(),
                g.members().len()
            )
        }))
}

/// Commits the plan's offsets for the group of `consumer`, which is not a member. A broker
/// that refuses because the group has members says so in Kafka's words.
pub fn commit_plan(
    consumer: &GroupConsumer,
    group: &str,
    topic: &str,
    plan: &[ResetRow],
) -> Result<(), BrokerError> {
    let mut list = TopicPartitionList::new();
    for row in plan {
        list.add_partition_offset(
            topic,
            row.partition as i32,
            KafkaOffset::Offset(row.new as i64),
        )
        .map_err(classify)?;
    }
    match consumer.commit(&list, CommitMode::Sync) {
        Ok(()) => Ok(()),
        Err(error) => match error.rdkafka_error_code() {
            Some(
                RDKafkaErrorCode::UnknownMemberId
                | RDKafkaErrorCode::IllegalGeneration
                | RDKafkaErrorCode::RebalanceInProgress,
            ) => Err(BrokerError::Fatal(format!(
                "the broker refused to move the offsets of group '{group}' ({error}): \
                 offsets can only be reset while the group is inactive; stop its consumers first"
            ))),
            _ => Err(classify(error)),
        },
    }
}
