//! Helpers for the Cassandra store tests: a store on a CQL peer or on a real cluster, users to
//! write, and the checks that the aggregates equal a `GROUP BY` over the stored rows.

use std::collections::BTreeMap;

use futures_util::TryStreamExt;
use scylla::statement::Consistency;
use scylla::value::Row;
use userstream::model::{StoredUser, UserCount};
use userstream::store::cassandra::values::user_from_row;
use userstream::store::cassandra::{CassandraConfig, CassandraStore};
use userstream::store::{PendingRow, Store, WriteBatch};

/// Configuration for the in-process peer, which needs the driver's metadata features off.
pub fn peer_config(contact_point: &str) -> CassandraConfig {
    CassandraConfig {
        fetch_schema_metadata: false,
        await_schema_agreement: false,
        consistency: Consistency::One,
        ..CassandraConfig::local(contact_point)
    }
}

/// `USERSTREAM_CASSANDRA` when set; otherwise the test is reported as skipped (a failure under
/// `CI=true`, see [`super::missing`]).
pub fn real_cluster(test: &str) -> Option<String> {
    match std::env::var("USERSTREAM_CASSANDRA") {
        Ok(addr) if !addr.trim().is_empty() => Some(addr),
        _ => {
            super::missing(test, "a real cluster (USERSTREAM_CASSANDRA=host:port)");
            None
        }
    }
}

/// User `i` of a deterministic population, stored `i` milliseconds after `base_ms`.
pub fn user(i: u32, base_ms: i64) -> StoredUser {
    const COUNTRIES: [&str; 7] = [
        "France",
        "Brazil",
        "Iran",
        "Norway",
        "Türkiye",
        "New Zealand",
        "Canada",
    ];
    const NATS: [&str; 7] = ["FR", "BR", "IR", "NO", "TR", "NZ", "CA"];
    let at = userstream::util::rfc3339(
        chrono::DateTime::from_timestamp_millis(base_ms + i64::from(i)).unwrap(),
    );
    StoredUser {
        id: format!("00000000-0000-4000-8000-{i:012x}"),
        first_name: format!("First{i}"),
        last_name: "Ørsted".into(),
        gender: if i.is_multiple_of(3) {
            "male"
        } else {
            "female"
        }
        .into(),
        address: format!(
            "{i} Main Street, Town, State, {}",
            COUNTRIES[i as usize % 7]
        ),
        post_code: format!("{:05}", i % 99_999),
        email: format!("user{i}@example.com"),
        username: format!("user{i}"),
        dob: "1990-05-06T07:08:09.000Z".into(),
        registered_date: "2015-03-04T05:06:07.000Z".into(),
        phone: "(555) 123-4567".into(),
        picture: "https://randomuser.me/api/portraits/med/women/1.jpg".into(),
        nat: NATS[i as usize % 7].into(),
        city: "Town".into(),
        state: "State".into(),
        country: COUNTRIES[i as usize % 7].into(),
        ingested_at: at.clone(),
        source: "test".into(),
        year: 2000 + (i % 20) as i32,
        month: 1 + (i % 12) as i32,
        day: 1 + (i % 28) as i32,
        email_domain: "example.com".into(),
        stored_at: at,
    }
}

/// `user` delivered once, at `offset` of `partition`.
pub fn row(partition: u32, offset: u64, user: StoredUser) -> PendingRow {
    PendingRow {
        partition,
        offset,
        first_offset: offset,
        claim: 0,
        user: Box::new(user),
    }
}

/// A batch of users `range`, spread over `partitions` topic partitions; user `i` is at offset
/// `i` of its partition.
pub fn batch(range: std::ops::Range<u32>, partitions: u32, base_ms: i64) -> WriteBatch {
    WriteBatch {
        rows: range
            .map(|i| row(i % partitions, u64::from(i), user(i, base_ms)))
            .collect(),
        dead_letters: Vec::new(),
    }
}

/// Every stored user (a full scan: tests only).
pub async fn all_users(store: &CassandraStore, keyspace: &str) -> Vec<StoredUser> {
    let columns = userstream::store::cassandra::statements::USER_COLUMNS
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ");
    let mut statement = scylla::statement::Statement::new(format!(
        "SELECT {columns} FROM {keyspace}.created_users"
    ));
    statement.set_page_size(1000);
    store
        .session()
        .query_iter(statement, ())
        .await
        .unwrap()
        .rows_stream::<Row>()
        .unwrap()
        .map_ok(user_from_row)
        .try_collect()
        .await
        .unwrap()
}

/// `(dimension, value) → count` of `counts`, sorted.
pub fn as_map(counts: &[UserCount]) -> BTreeMap<(String, String), u64> {
    counts
        .iter()
        .map(|c| ((c.dimension.as_str().to_owned(), c.value.clone()), c.count))
        .collect()
}

/// The aggregates a `GROUP BY` over `users` gives.
pub fn group_by(users: &[StoredUser]) -> BTreeMap<(String, String), u64> {
    let mut out = BTreeMap::new();
    for u in users {
        for (dimension, value) in u.dimensions() {
            *out.entry((dimension.as_str().to_owned(), value))
                .or_default() += 1;
        }
    }
    out
}

/// Asserts the store's aggregates equal a `GROUP BY` over its rows; returns the row count.
pub async fn assert_exact(store: &CassandraStore, keyspace: &str) -> usize {
    let users = all_users(store, keyspace).await;
    let counts = store.counts().await.unwrap();
    assert!(!counts.is_empty());
    assert_eq!(as_map(&counts), group_by(&users));
    users.len()
}
