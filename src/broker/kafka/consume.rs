//! The consumer side: the client context shared by every client (logs, errors, rebalances), the
//! ownership of partitions, polling and committing.
//!
//! Offsets are committed only for partitions this member owns, only forward, and synchronously
//! (the store already wrote the records, and a commit that returns is the one `lag` and a new
//! owner will see). A revocation first commits, synchronously, every offset the store confirmed
//! for the revoked partitions; records polled from them but not yet stored are never committed
//! here: the new owner reads them again from the last commit, and stores upsert.
//!
//! A slow store never stops the polling: while the pipeline is full the partitions are paused
//! and the member keeps polling (see `hold`), so it is not evicted for exceeding
//! `max.poll.interval.ms`.
//!
//! Fencing: a commit the group refuses because this member's generation is over
//! (`UNKNOWN_MEMBER_ID`, `ILLEGAL_GENERATION`, `REBALANCE_IN_PROGRESS`, `FENCED_INSTANCE_ID`,
//! a lost assignment, an exceeded poll interval) is a rebalance, not an outage: it returns
//! [`BrokerError::Fenced`] at once instead of being retried. librdkafka rejoins the group on
//! its own; the partitions the member lost are read again by their new owner from the last
//! commit, and the confirmed offsets of the partitions it keeps go out with its next commit.
//! The stores are idempotent (upserts, first-seen counting), so rows and aggregates stay exact.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rdkafka::client::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{BorrowedMessage, Message};
use rdkafka::{Offset as KafkaOffset, TopicPartitionList};
use tracing::{debug, error, info, trace, warn};

use super::hold::{self, Hold};
use crate::broker::reset::ResetRow;
use crate::broker::{BrokerError, Delivery, Offset, Partition};

/// Commit state of one owned partition.
#[derive(Debug, Clone, Copy, Default)]
struct Owned {
    /// Next offset the store confirmed (everything below is stored).
    confirmed: Option<i64>,
    /// Next offset the broker acknowledged as committed.
    committed: Option<i64>,
    /// The assignment that gave this member the partition (see [`Delivery::claim`]).
    claim: u64,
}

/// State every client of one broker handle shares through its context.
#[derive(Debug, Default)]
pub struct Shared {
    /// The topic consumed; rebalances of other topics are ignored.
    topic: String,
    owned: Mutex<HashMap<i32, Owned>>,
    /// The last error librdkafka reported, for the "not connected" message.
    last_error: Mutex<Option<String>>,
    /// Pause state while the pipeline is full (never locked across a poll).
    hold: Mutex<Hold>,
    /// Revocations of this member's partitions so far (rebalances and evictions).
    revocations: AtomicU64,
    /// Assignments this member received so far; each one's number is the claim of the
    /// partitions it assigned.
    assignments: AtomicU64,
}

impl Shared {
    fn owned(&self) -> MutexGuard<'_, HashMap<i32, Owned>> {
        self.owned.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The claim under which this member holds `partition` now (0 if it holds it not).
    fn claim(&self, partition: i32) -> u64 {
        self.owned().get(&partition).map_or(0, |o| o.claim)
    }

    /// The hold state (see `hold`).
    pub fn hold(&self) -> MutexGuard<'_, Hold> {
        self.hold.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The topic consumed.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// How often partitions were taken from this member.
    pub fn revocations(&self) -> u64 {
        self.revocations.load(Relaxed)
    }

    /// The last error librdkafka reported, if any.
    pub fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Partitions this member owns now, sorted.
    pub fn owned_partitions(&self) -> Vec<i32> {
        let mut v: Vec<i32> = self.owned().keys().copied().collect();
        v.sort_unstable();
        v
    }
}

/// The context of every client: routes librdkafka's logs to `tracing`, remembers its errors,
/// and handles rebalances of the consumer.
#[derive(Clone, Debug)]
pub struct Context {
    pub shared: Arc<Shared>,
}

impl Context {
    /// A context for clients of `topic`.
    pub fn new(topic: &str) -> Context {
        Context {
            shared: Arc::new(Shared {
                topic: topic.to_owned(),
                ..Shared::default()
            }),
        }
    }
}

impl ClientContext for Context {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        match level {
            RDKafkaLogLevel::Emerg
            | RDKafkaLogLevel::Alert
            | RDKafkaLogLevel::Critical
            | RDKafkaLogLevel::Error => error!(facility = fac, "librdkafka: {log_message}"),
            // `-X` goes to every client, so a consumer property on the producer is expected.
            RDKafkaLogLevel::Warning if fac == "CONFWARN" => {
                debug!(facility = fac, "librdkafka: {log_message}")
            }
            RDKafkaLogLevel::Warning => warn!(facility = fac, "librdkafka: {log_message}"),
            RDKafkaLogLevel::Notice | RDKafkaLogLevel::Info => {
                debug!(facility = fac, "librdkafka: {log_message}")
            }
            RDKafkaLogLevel::Debug => trace!(facility = fac, "librdkafka: {log_message}"),
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        debug!(%error, reason, "librdkafka reported an error.");
        *self
            .shared
            .last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(reason.to_owned());
    }
}

impl ConsumerContext for Context {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let Rebalance::Revoke(list) = rebalance else {
            return;
        };
        let revoked: Vec<i32> = list
            .elements_for_topic(&self.shared.topic)
            .iter()
            .map(|e| e.partition())
            .collect();
        self.shared.revocations.fetch_add(1, Relaxed);
        hold::on_revoke(consumer, &revoked);
        let lost = consumer.assignment_lost();
        let mut owned = self.shared.owned();
        let mut flush = TopicPartitionList::new();
        for elem in list.elements_for_topic(&self.shared.topic) {
            if let Some(Owned {
                confirmed: Some(next),
                committed,
                ..
            }) = owned.remove(&elem.partition())
                && committed < Some(next)
            {
                let _ = flush.add_partition_offset(
                    &self.shared.topic,
                    elem.partition(),
                    KafkaOffset::Offset(next),
                );
            }
        }
        if lost {
            // The group already gave them away: a commit would be refused.
            warn!(
                partitions = ?revoked,
                "Partitions lost (this member was out of the group); their new owner replays them."
            );
            return;
        }
        if flush.count() > 0
            && let Err(error) = consumer.commit(&flush, CommitMode::Sync)
        {
            warn!(%error, "Commit of revoked partitions failed; their records will be replayed.");
        }
        info!(partitions = ?revoked, "Partitions revoked.");
    }

    fn post_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(list) => {
                hold::on_assign(consumer, list);
                let claim = self.shared.assignments.fetch_add(1, Relaxed) + 1;
                let mut owned = self.shared.owned();
                for elem in list.elements_for_topic(&self.shared.topic) {
                    owned.entry(elem.partition()).or_default().claim = claim;
                }
                let mut now: Vec<i32> = owned.keys().copied().collect();
                now.sort_unstable();
                info!(partitions = ?now, "Partitions assigned.");
            }
            Rebalance::Revoke(_) => {}
            Rebalance::Error(error) => warn!(%error, "Rebalance failed; the group retries."),
        }
    }
}

/// Maps a librdkafka error to the broker contract: connectivity and group churn are retryable;
/// a generation the group no longer accepts is [`BrokerError::Fenced`].
pub fn classify(error: KafkaError) -> BrokerError {
    use RDKafkaErrorCode as C;
    match error.rdkafka_error_code() {
        Some(
            C::UnknownMemberId
            | C::IllegalGeneration
            | C::RebalanceInProgress
            | C::FencedInstanceId
            | C::StaleMemberEpoch
            | C::AssignmentLost
            | C::PollExceeded,
        ) => BrokerError::Fenced(error.to_string()),
        Some(
            C::AllBrokersDown
            | C::BrokerTransportFailure
            | C::MessageTimedOut
            | C::OperationTimedOut
            | C::RequestTimedOut
            | C::NetworkException
            | C::CoordinatorNotAvailable
            | C::NotCoordinator
            | C::CoordinatorLoadInProgress
            | C::LeaderNotAvailable
            | C::NotLeaderForPartition
            | C::Resolve
            | C::WaitingForCoordinator
            | C::BrokerNotAvailable,
        ) => BrokerError::NotConnected(error.to_string()),
        Some(
            C::Authentication
            | C::SaslAuthenticationFailed
            | C::TopicAuthorizationFailed
            | C::GroupAuthorizationFailed
            | C::ClusterAuthorizationFailed
            | C::Fatal
            | C::UnknownTopic
            | C::UnknownTopicOrPartition,
        ) => BrokerError::Fatal(error.to_string()),
        _ => BrokerError::Delivery(error.to_string()),
    }
}

/// The group consumer of the topic.
pub type GroupConsumer = BaseConsumer<Context>;

/// A fetched message as the broker contract's record, under the assignment that holds its
/// partition now.
pub fn delivery(shared: &Shared, message: &BorrowedMessage<'_>) -> Delivery {
    Delivery {
        partition: message.partition().max(0) as Partition,
        offset: message.offset().max(0) as Offset,
        payload: message.payload().map(<[u8]>::to_vec).unwrap_or_default(),
        claim: shared.claim(message.partition()),
    }
}

/// Reads up to `max` records, waiting up to `wait` for the first: first resumes the partitions
/// a hold paused and hands out what it kept. Blocking: call off the runtime, under the poll lock.
pub fn poll(
    consumer: &GroupConsumer,
    max: usize,
    wait: Duration,
) -> Result<Vec<Delivery>, BrokerError> {
    hold::resume(consumer)?;
    let mut out = consumer.context().shared.hold().take_kept(max);
    let mut timeout = if out.is_empty() { wait } else { Duration::ZERO };
    while out.len() < max {
        match consumer.poll(timeout) {
            None => break,
            Some(Ok(message)) => {
                out.push(delivery(&consumer.context().shared, &message));
                timeout = Duration::ZERO;
            }
            Some(Err(error)) if out.is_empty() => return Err(classify(error)),
            Some(Err(error)) => {
                debug!(%error, "Poll error after records; returning what was read.");
                break;
            }
        }
    }
    Ok(out)
}

/// Commits `next` offsets of owned partitions, forward only, with any confirmed offset of an
/// owned partition an earlier refused commit left behind. Blocking: call off the runtime.
/// Returns the offsets actually committed.
pub fn commit(
    consumer: &GroupConsumer,
    topic: &str,
    next: &[(Partition, Offset)],
) -> Result<Vec<(Partition, Offset)>, BrokerError> {
    let shared = consumer.context().shared.clone();
    // Held across the commit, so a revocation waits for it instead of racing it.
    let mut owned = shared.owned();
    let mut list = TopicPartitionList::new();
    let mut sent = Vec::new();
    for &(p, offset) in next {
        let Some(state) = owned.get_mut(&(p as i32)) else {
            debug!(
                partition = p,
                "Not owned any more; its new owner replays from its commit."
            );
            continue;
        };
        state.confirmed = state.confirmed.max(Some(offset as i64));
    }
    let mut behind: Vec<(i32, i64)> = owned
        .iter()
        .filter(|(_, s)| s.committed < s.confirmed)
        .filter_map(|(&p, s)| s.confirmed.map(|c| (p, c)))
        .collect();
    behind.sort_unstable();
    for (p, target) in behind {
        list.add_partition_offset(topic, p, KafkaOffset::Offset(target))
            .map_err(classify)?;
        sent.push((p as Partition, target));
    }
    if sent.is_empty() {
        return Ok(Vec::new());
    }
    consumer.commit(&list, CommitMode::Sync).map_err(classify)?;
    for &(p, target) in &sent {
        if let Some(state) = owned.get_mut(&(p as i32)) {
            state.committed = state.committed.max(Some(target));
        }
    }
    Ok(sent
        .into_iter()
        .map(|(p, o)| (p, o.max(0) as Offset))
        .collect())
}

/// Moves this member's own partitions to the plan's offsets: seeks them (dropping what was
/// fetched ahead) and commits the new offsets, which may be behind the last commit. Refuses a
/// partition this member does not own: its owner would go on from its own position. Blocking.
pub fn reset_owned(
    consumer: &GroupConsumer,
    topic: &str,
    plan: &[ResetRow],
    timeout: Duration,
) -> Result<(), BrokerError> {
    let shared = consumer.context().shared.clone();
    let mut owned = shared.owned();
    if let Some(row) = plan
        .iter()
        .find(|r| !owned.contains_key(&(r.partition as i32)))
    {
        return Err(BrokerError::Fatal(format!(
            "partition {} is assigned to another member of the group; Kafka resets only the \
             offsets of an inactive group: stop the other consumers first",
            row.partition
        )));
    }
    let mut list = TopicPartitionList::new();
    for row in plan {
        let offset = KafkaOffset::Offset(row.new as i64);
        consumer
            .seek(topic, row.partition as i32, offset, timeout)
            .map_err(classify)?;
        list.add_partition_offset(topic, row.partition as i32, offset)
            .map_err(classify)?;
    }
    consumer.commit(&list, CommitMode::Sync).map_err(classify)?;
    // Records a hold kept from before the seek are not the partitions' next ones any more.
    let moved: Vec<i32> = plan.iter().map(|r| r.partition as i32).collect();
    shared.hold().forget(&moved);
    for row in plan {
        let next = Some(row.new as i64);
        // A seek keeps the assignment: the store keeps its epoch.
        let claim = owned.get(&(row.partition as i32)).map_or(0, |o| o.claim);
        owned.insert(
            row.partition as i32,
            Owned {
                confirmed: next,
                committed: next,
                claim,
            },
        );
    }
    Ok(())
}
