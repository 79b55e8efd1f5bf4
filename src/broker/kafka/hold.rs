//! Holding the group member while the pipeline is full.
//!
//! Kafka evicts a member that does not poll for `max.poll.interval.ms`: its partitions go to
//! another member and its later commits are refused. A slow store must therefore never stop
//! the polling, only the fetching. While the process stage has no room for another batch it
//! calls [`hold`] every poll wait: the first call pauses every assigned partition of the
//! topic (librdkafka stops fetching them, drops what it had prefetched, and remembers the
//! position after the last record it handed out); every call polls once without waiting, which
//! keeps the member alive and serves rebalances. The next ordinary poll calls [`resume`].
//!
//! Nothing is lost or reordered: a record librdkafka still hands out after the pause is kept
//! here, in order, and given out first after the resume; the partition is then sought to just
//! past the last kept record, so the restarted fetch neither repeats nor skips it. A rebalance
//! while paused pauses the newly assigned partitions ([`on_assign`]) and drops what was kept of
//! the revoked ones ([`on_revoke`]): their new owner reads them again from the last commit.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use rdkafka::consumer::Consumer;
use rdkafka::{Offset as KafkaOffset, TopicPartitionList};
use tracing::{debug, warn};

use super::consume::{GroupConsumer, classify, delivery};
use crate::broker::{BrokerError, Delivery};

/// How long the seek past the kept records may take before it is given up (the records then
/// come again: a duplicate, never a gap).
const SEEK_TIMEOUT: Duration = Duration::from_secs(1);

/// The hold state of one consumer, kept in its context so rebalance callbacks see it.
#[derive(Debug, Default)]
pub struct Hold {
    /// Whether the assigned partitions are paused because the pipeline is full.
    paused: bool,
    /// Records handed out by librdkafka after the pause, in delivery order.
    kept: VecDeque<Delivery>,
}

impl Hold {
    /// Drops the kept records of `partitions` (revoked, or moved by an offset reset).
    pub fn forget(&mut self, partitions: &[i32]) {
        self.kept
            .retain(|d| !partitions.contains(&(d.partition as i32)));
    }

    /// Takes up to `max` kept records, oldest first.
    pub fn take_kept(&mut self, max: usize) -> Vec<Delivery> {
        let n = self.kept.len().min(max);
        self.kept.drain(..n).collect()
    }
}

/// The partitions of `topic` in `list`.
fn of_topic(list: &TopicPartitionList, topic: &str) -> TopicPartitionList {
    let mut out = TopicPartitionList::new();
    for elem in list.elements_for_topic(topic) {
        out.add_partition(topic, elem.partition());
    }
    out
}

/// Pauses the assigned partitions if not yet paused, then serves the member's events without
/// waiting. Blocking; the caller holds the poll lock.
pub fn hold(consumer: &GroupConsumer) -> Result<(), BrokerError> {
    let shared = consumer.context().shared.clone();
    if !shared.hold().paused {
        let assigned = consumer.assignment().map_err(classify)?;
        let list = of_topic(&assigned, shared.topic());
        match consumer.pause(&list) {
            Ok(()) => {
                shared.hold().paused = true;
                debug!(
                    partitions = list.count(),
                    "Pipeline full; partitions paused, the member keeps polling."
                );
            }
            // Polling matters more than pausing: what comes meanwhile is kept below.
            Err(error) => warn!(%error, "Pausing the partitions failed; polling on."),
        }
    }
    // Paused partitions deliver nothing new, so this ends; the bound is for safety only.
    for _ in 0..10_000 {
        match consumer.poll(Duration::ZERO) {
            None => break,
            Some(Ok(message)) => {
                let d = delivery(&shared, &message);
                shared.hold().kept.push_back(d);
            }
            Some(Err(error)) => debug!(%error, "Event while paused."),
        }
    }
    Ok(())
}

/// Resumes the partitions if paused, seeking each one with kept records to just past them.
/// Blocking; the caller holds the poll lock.
pub fn resume(consumer: &GroupConsumer) -> Result<(), BrokerError> {
    let shared = consumer.context().shared.clone();
    if !shared.hold().paused {
        return Ok(());
    }
    let assigned = consumer.assignment().map_err(classify)?;
    let list = of_topic(&assigned, shared.topic());
    consumer.resume(&list).map_err(classify)?;
    let past_kept: BTreeMap<i32, i64> = {
        let mut hold = shared.hold();
        hold.paused = false;
        hold.kept
            .iter()
            .map(|d| (d.partition as i32, d.offset as i64 + 1))
            .collect()
    };
    debug!(partitions = list.count(), kept = ?past_kept, "Room again; partitions resumed.");
    for (partition, next) in past_kept {
        let seek = consumer.seek(
            shared.topic(),
            partition,
            KafkaOffset::Offset(next),
            SEEK_TIMEOUT,
        );
        if let Err(error) = seek {
            warn!(%error, partition, "Seek past the kept records failed; they come again.");
        }
    }
    Ok(())
}

/// After an assignment: new partitions are paused too while the pipeline is full.
pub fn on_assign(consumer: &GroupConsumer, assigned: &TopicPartitionList) {
    let shared = consumer.context().shared.clone();
    if !shared.hold().paused {
        return;
    }
    let list = of_topic(assigned, shared.topic());
    if let Err(error) = consumer.pause(&list) {
        warn!(%error, "Pausing newly assigned partitions failed; they fetch meanwhile.");
    }
}

/// Before a revocation: what was kept of the revoked partitions is dropped (their new owner
/// reads it from the last commit), and they are unpaused so a later assignment fetches.
pub fn on_revoke(consumer: &GroupConsumer, revoked: &[i32]) {
    let shared = consumer.context().shared.clone();
    let paused = {
        let mut hold = shared.hold();
        hold.forget(revoked);
        hold.paused
    };
    if paused {
        let mut list = TopicPartitionList::new();
        for &p in revoked {
            list.add_partition(shared.topic(), p);
        }
        if let Err(error) = consumer.resume(&list) {
            debug!(%error, "Unpausing revoked partitions failed.");
        }
    }
}
