//! Readiness, as a Kubernetes readiness probe asks it: the broker and the store answer a cheap
//! call each (cached for a second, so a busy prober costs the backends at most one call per
//! second), and the source's circuit is not open. Liveness needs none of this: a process that
//! answers `/healthz` runs its loops.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::{Instant, timeout};

use crate::broker::Broker;
use crate::stats::{Stage, StageState, Stats};
use crate::store::Store;

/// How long a probe result is reused.
const CACHE_FOR: Duration = Duration::from_secs(1);
/// How long one backend may take to answer before it counts as unreachable.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Answers "is this process ready for work?".
pub struct Readiness<B, S> {
    broker: B,
    store: S,
    stats: Arc<Stats>,
    stopping: AtomicBool,
    cached: Mutex<Option<(Instant, Result<(), String>)>>,
}

impl<B: Broker, S: Store> Readiness<B, S> {
    /// Probes `broker` and `store` and reads the source state from `stats`.
    pub fn new(broker: B, store: S, stats: Arc<Stats>) -> Readiness<B, S> {
        Readiness {
            broker,
            store,
            stats,
            stopping: AtomicBool::new(false),
            cached: Mutex::new(None),
        }
    }

    /// From now on the process is not ready: the pipeline has stopped.
    pub fn set_stopping(&self) {
        self.stopping.store(true, Relaxed);
    }

    /// `Ok` when ready, else the reason in one line.
    pub async fn check(&self) -> Result<(), String> {
        if self.stopping.load(Relaxed) {
            return Err("the pipeline has stopped".to_owned());
        }
        // Read live, not cached: the source state is an atomic load.
        if self.stats.stage(Stage::Source).state() == StageState::CircuitOpen {
            let failures = self.stats.api().consecutive_failures;
            return Err(format!(
                "source circuit open after {failures} failed fetches in a row"
            ));
        }
        let mut cached = self.cached.lock().await;
        if let Some((at, result)) = cached.as_ref()
            && at.elapsed() < CACHE_FOR
        {
            return result.clone();
        }
        let result = self.probe().await;
        *cached = Some((Instant::now(), result.clone()));
        result
    }

    async fn probe(&self) -> Result<(), String> {
        match timeout(PROBE_TIMEOUT, self.broker.lag()).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => return Err(format!("broker unreachable: {error}")),
            Err(_) => return Err(format!("broker did not answer within {PROBE_TIMEOUT:?}")),
        }
        match timeout(PROBE_TIMEOUT, self.store.latest(1)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => Err(format!("store unreachable: {error}")),
            Err(_) => Err(format!("store did not answer within {PROBE_TIMEOUT:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::EmbeddedBroker;
    use crate::broker::embedded::{EmbeddedConfig, Retention};
    use crate::stats::ApiHealth;
    use crate::store::EmbeddedStore;

    #[tokio::test]
    async fn ready_until_the_circuit_opens_and_again_when_it_closes() {
        let dir = tempfile::tempdir().unwrap();
        let config = EmbeddedConfig {
            topic: "users_created".into(),
            group: "g".into(),
            partitions: Some(1),
            retention: Retention::default(),
        };
        let broker = EmbeddedBroker::open(&dir.path().join("log"), config);
        let store = EmbeddedStore::open(&dir.path().join("store.db")).unwrap();
        let stats = Arc::new(Stats::default());
        let ready = Readiness::new(broker.unwrap(), store, stats.clone());
        assert_eq!(ready.check().await, Ok(()));

        stats
            .stage(Stage::Source)
            .set_state(StageState::CircuitOpen);
        stats.set_api(ApiHealth {
            consecutive_failures: 3,
            ..ApiHealth::default()
        });
        let reason = ready.check().await.unwrap_err();
        assert!(reason.contains("circuit open after 3"), "{reason}");

        stats.stage(Stage::Source).set_state(StageState::Ok);
        assert_eq!(ready.check().await, Ok(()));
        ready.set_stopping();
        assert!(ready.check().await.unwrap_err().contains("stopped"));
    }
}
