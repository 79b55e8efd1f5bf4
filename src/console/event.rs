//! What feeds the console besides the stats: terminal input, read on its own thread, and the
//! store, read by a background task about once a second into a shared latest copy. Neither ever
//! runs inside a draw.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::Duration;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{self as term, KeyEvent, KeyEventKind};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::model::{DeadLetter, Dimension, StoredUser, UserCount};
use crate::store::Store;

/// Users the Records tab holds.
pub const LATEST_USERS: usize = 200;
/// Dead letters the Records tab holds.
pub const LATEST_DEAD_LETTERS: usize = 100;

/// Input from the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Key(KeyEvent),
    Resize(u16, u16),
    /// The terminal cannot be read any more.
    Failed(String),
}

/// The store's aggregates, arranged once per read so that drawing only iterates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aggregates {
    /// Distinct stored users (the sum over genders).
    pub users: u64,
    /// Value and count, largest first.
    pub gender: Vec<(String, u64)>,
    /// Value and count, largest first.
    pub countries: Vec<(String, u64)>,
    /// `YYYY-MM` and count, oldest month first.
    pub months: Vec<(String, u64)>,
    /// Value and count, largest first.
    pub email_domains: Vec<(String, u64)>,
    /// Value and count, largest first.
    pub nats: Vec<(String, u64)>,
}

impl Aggregates {
    /// Arranges the rows of `user_counts`.
    pub fn from_counts(counts: &[UserCount]) -> Aggregates {
        let mut by: BTreeMap<Dimension, Vec<(String, u64)>> = BTreeMap::new();
        for c in counts {
            by.entry(c.dimension)
                .or_default()
                .push((c.value.clone(), c.count));
        }
        let mut take = |d: Dimension| {
            let mut v = by.remove(&d).unwrap_or_default();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v
        };
        let gender = take(Dimension::Gender);
        let countries = take(Dimension::Country);
        let email_domains = take(Dimension::EmailDomain);
        let nats = take(Dimension::Nat);
        let mut months = take(Dimension::RegisteredMonth);
        months.sort();
        Aggregates {
            users: gender.iter().map(|(_, n)| n).sum(),
            gender,
            countries,
            months,
            email_domains,
            nats,
        }
    }
}

/// The latest read of the store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreView {
    /// The most recently stored users, newest first.
    pub users: Vec<StoredUser>,
    pub aggregates: Aggregates,
    /// The most recent dead letters, newest first.
    pub dead_letters: Vec<DeadLetter>,
    /// When this was read; `None` before the first read.
    pub read_at: Option<DateTime<Utc>>,
    /// Why the last read failed, if it did (the data is then the previous read's).
    pub error: Option<String>,
}

/// Reads the terminal on a thread of its own until `stop` is set or the receiver is dropped.
pub fn spawn_input(stop: Arc<AtomicBool>) -> mpsc::Receiver<Input> {
    let (tx, rx) = mpsc::channel(64);
    let spawned = std::thread::Builder::new()
        .name("console-input".into())
        .spawn(move || {
            while !stop.load(Relaxed) {
                let input = match term::poll(Duration::from_millis(50)) {
                    Ok(false) => continue,
                    Ok(true) => match term::read() {
                        Ok(term::Event::Key(key)) if key.kind != KeyEventKind::Release => {
                            Input::Key(key)
                        }
                        Ok(term::Event::Resize(w, h)) => Input::Resize(w, h),
                        Ok(_) => continue,
                        Err(e) => Input::Failed(e.to_string()),
                    },
                    Err(e) => Input::Failed(e.to_string()),
                };
                let failed = matches!(input, Input::Failed(_));
                if tx.blocking_send(input).is_err() || failed {
                    return;
                }
            }
        });
    if let Err(e) = spawned {
        let (tx, rx) = mpsc::channel(1);
        let _ = tx.try_send(Input::Failed(e.to_string()));
        return rx;
    }
    rx
}

/// Reads the store every `every` until `stop`, publishing each read as the latest copy.
pub fn spawn_store_reader<S: Store>(
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

#[cfg(test)]
mod tests {
    use super::*;

    fn count(dimension: Dimension, value: &str, count: u64) -> UserCount {
        UserCount {
            dimension,
            value: value.to_owned(),
            count,
        }
    }

    #[test]
    fn aggregates_sort_months_by_time_and_the_rest_by_count() {
        let agg = Aggregates::from_counts(&[
            count(Dimension::RegisteredMonth, "2019-03", 5),
            count(Dimension::RegisteredMonth, "2004-11", 9),
            count(Dimension::Country, "Norway", 2),
            count(Dimension::Country, "Iran", 7),
            count(Dimension::Gender, "female", 4),
            count(Dimension::Gender, "male", 5),
        ]);
        assert_eq!(agg.months[0].0, "2004-11");
        assert_eq!(agg.countries[0].0, "Iran");
        assert_eq!(agg.users, 9);
    }
}
