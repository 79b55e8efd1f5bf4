//! What the console knows about the store: the latest users and dead letters and the
//! aggregates, as one read of the store arranged for drawing. Plain data, shared by the store
//! reader that fills it, the state that holds it and the tabs that draw it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::model::{DeadLetter, Dimension, StoredUser, UserCount};

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
