//! The producer side: publish a batch and return once every record is acknowledged.
//!
//! Records are handed to librdkafka, which batches, compresses and retries them itself (the
//! producer is idempotent, so its retries neither duplicate nor reorder). While acknowledgements
//! stall for longer than `stall`, `produce` returns `NotConnected` so the ingest stage shows the
//! outage and backs off; the records stay queued and their futures are kept, so the retry of the
//! same batch waits for them instead of publishing it twice. Records whose delivery failed for
//! good are published again by that retry.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};
use tokio::sync::Mutex;

use super::consume::{Context, classify};
use crate::broker::{BrokerError, OutRecord};

/// A batch whose acknowledgement is still outstanding.
struct Unfinished {
    batch: Arc<[OutRecord]>,
    waiting: VecDeque<(usize, DeliveryFuture)>,
    resend: VecDeque<usize>,
}

/// A producer of one topic that remembers the batch it could not finish.
pub struct Outbox {
    producer: FutureProducer<Context>,
    /// The producer's context, for the last error librdkafka reported.
    context: Context,
    topic: String,
    stall: Duration,
    unfinished: Mutex<Option<Unfinished>>,
}

/// Where an acknowledged record landed.
pub type Landed = (i32, i64);

impl Outbox {
    /// An outbox publishing to `topic` through `producer`.
    pub fn new(
        producer: FutureProducer<Context>,
        context: Context,
        topic: String,
        stall: Duration,
    ) -> Outbox {
        Outbox {
            producer,
            context,
            topic,
            stall,
            unfinished: Mutex::new(None),
        }
    }

    /// Publishes `batch`; `landed` sees each acknowledged record's partition and offset.
    pub async fn produce(
        &self,
        batch: Arc<[OutRecord]>,
        mut landed: impl FnMut(Landed),
    ) -> Result<(), BrokerError> {
        let mut slot = self.unfinished.lock().await;
        let mut job = match slot.take() {
            Some(u) if Arc::ptr_eq(&u.batch, &batch) => u,
            _ => Unfinished {
                resend: (0..batch.len()).collect(),
                batch,
                waiting: VecDeque::new(),
            },
        };
        let mut failed = VecDeque::new();
        let mut last_failure = None;
        loop {
            if let Err(error) = self.enqueue(&mut job) {
                *slot = Some(job);
                return Err(error);
            }
            let Some((i, mut future)) = job.waiting.pop_front() else {
                if job.resend.is_empty() {
                    break;
                }
                // The local queue is full of other records (dead letters); let it drain.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            match tokio::time::timeout(self.stall, &mut future).await {
                Err(_) => {
                    job.waiting.push_front((i, future));
                    job.resend.extend(failed);
                    *slot = Some(job);
                    return Err(self.stalled());
                }
                Ok(Ok(Ok(delivery))) => landed((delivery.partition, delivery.offset)),
                Ok(Ok(Err((error, _)))) => {
                    failed.push_back(i);
                    last_failure = Some(error.to_string());
                }
                Ok(Err(_)) => {
                    failed.push_back(i);
                    last_failure = Some("the producer dropped the record".to_owned());
                }
            }
        }
        if failed.is_empty() {
            return Ok(());
        }
        let n = failed.len();
        let total = job.batch.len();
        job.resend = failed;
        *slot = Some(job);
        Err(BrokerError::Delivery(format!(
            "{n} of {total} records not acknowledged: {}",
            last_failure.unwrap_or_default()
        )))
    }

    /// Hands queued records to librdkafka until its local queue is full.
    fn enqueue(&self, job: &mut Unfinished) -> Result<(), BrokerError> {
        while let Some(&i) = job.resend.front() {
            let record = &job.batch[i];
            let message = FutureRecord::to(&self.topic)
                .key(record.key.as_str())
                .payload(record.payload.as_slice());
            match self.producer.send_result(message) {
                Ok(future) => {
                    job.waiting.push_back((i, future));
                    job.resend.pop_front();
                }
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => break,
                Err((error, _)) => return Err(classify(error)),
            }
        }
        Ok(())
    }

    fn stalled(&self) -> BrokerError {
        let cause = self
            .context
            .shared
            .last_error()
            .map(|e| format!(" (last error: {e})"))
            .unwrap_or_default();
        BrokerError::NotConnected(format!(
            "no acknowledgement from the brokers for {:?}{cause}",
            self.stall
        ))
    }

    /// Publishes unkeyed payloads and waits for all of them (dead letters). A retry may
    /// publish some twice; dead letters are rare and carry their origin, so that is harmless.
    pub async fn produce_plain(&self, payloads: &[Vec<u8>]) -> Result<(), BrokerError> {
        let deadline = tokio::time::Instant::now() + self.stall;
        let mut waiting = Vec::with_capacity(payloads.len());
        for payload in payloads {
            loop {
                let message = FutureRecord::<(), _>::to(&self.topic).payload(payload.as_slice());
                match self.producer.send_result(message) {
                    Ok(future) => {
                        waiting.push(future);
                        break;
                    }
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _))
                        if tokio::time::Instant::now() < deadline =>
                    {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                    Err((error, _)) => return Err(classify(error)),
                }
            }
        }
        for future in waiting {
            match tokio::time::timeout(self.stall, future).await {
                Err(_) => return Err(self.stalled()),
                Ok(Ok(Ok(_))) => {}
                Ok(Ok(Err((error, _)))) => return Err(classify(error)),
                Ok(Err(_)) => {
                    return Err(BrokerError::Delivery(
                        "the producer dropped a dead letter".to_owned(),
                    ));
                }
            }
        }
        Ok(())
    }
}
