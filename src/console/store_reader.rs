//! The store reader: a background task that reads the store about once a second and publishes
//! each read as the latest [`StoreView`], so drawing never waits on the store. A failed read
//! keeps the previous data and says why.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::view::{Aggregates, StoreView};
use crate::store::Store;

/// Users the Records tab holds.
pub const LATEST_USERS: usize = 200;
/// Dead letters the Records tab holds.
pub const LATEST_DEAD_LETTERS: usize = 100;

/// Reads the store every `every` until `stop`, publishing each read as the latest copy.
pub fn spawn<S: Store>(
    store: S,
    every: Duration,
    stop: CancellationToken,
) -> watch::Receiver<Arc<StoreView>> {
    let (tx, rx) = watch::channel(Arc::new(StoreView::default()));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.cancelled() => return,
            }
            let previous = Arc::clone(&tx.borrow());
            let view = read(&store, &previous).await;
            if tx.send(Arc::new(view)).is_err() {
                return;
            }
        }
    });
    rx
}

async fn read<S: Store>(store: &S, previous: &StoreView) -> StoreView {
    let (users, counts, dead) = tokio::join!(
        store.latest(LATEST_USERS),
        store.counts(),
        store.dead_letters(LATEST_DEAD_LETTERS)
    );
    match (users, counts, dead) {
        (Ok(users), Ok(counts), Ok(dead_letters)) => StoreView {
            users,
            aggregates: Aggregates::from_counts(&counts),
            dead_letters,
            read_at: Some(Utc::now()),
            error: None,
        },
        (users, counts, dead) => {
            let error = [users.err(), counts.err(), dead.err()]
                .into_iter()
                .flatten()
                .map(|e| e.to_string())
                .next();
            StoreView {
                error,
                ..previous.clone()
            }
        }
    }
}
