use super::*;
use crate::model::Origin;
use crate::store::PendingRow;
use crate::store::cassandra::schema::{SCHEMA_CQL, tables};
use crate::store::columns::{self, USER};

pub(super) fn user(id: u32, gender: &str, country: &str, stored_at: &str) -> StoredUser {
    StoredUser {
        id: format!("00000000-0000-4000-8000-{id:012}"),
        first_name: "Ann".into(),
        last_name: "Lee".into(),
        gender: gender.into(),
        email: format!("ann{id}@example.com"),
        email_domain: "example.com".into(),
        nat: "GB".into(),
        country: country.into(),
        registered_date: "2018-01-25T16:45:34.105Z".into(),
        year: 2018,
        month: 1,
        day: 25,
        stored_at: stored_at.into(),
        ..StoredUser::default()
    }
}

pub(super) fn batch(users: Vec<StoredUser>) -> WriteBatch {
    WriteBatch {
        rows: users
            .into_iter()
            .enumerate()
            .map(|(i, user)| PendingRow {
                partition: 0,
                offset: i as u64,
                first_offset: i as u64,
                claim: 0,
                user: Box::new(user),
            })
            .collect(),
        dead_letters: Vec::new(),
    }
}

/// `user_counts` recomputed from the rows, to compare with what the store maintains.
fn group_by(path: &Path) -> Vec<(String, String, i64)> {
    let conn = Connection::open(path).unwrap();
    let mut out: Vec<(String, String, i64)> = conn
        .prepare(
            "SELECT 'gender', gender, COUNT(*) FROM created_users GROUP BY gender
             UNION ALL SELECT 'country', country, COUNT(*) FROM created_users GROUP BY country
             UNION ALL SELECT 'email_domain', email_domain, COUNT(*) FROM created_users
                GROUP BY email_domain
             UNION ALL SELECT 'registered_month', printf('%04d-%02d', year, month), COUNT(*)
                FROM created_users GROUP BY year, month
             UNION ALL SELECT 'nat', nat, COUNT(*) FROM created_users GROUP BY nat",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    out.sort();
    out
}

async fn counts_of(store: &EmbeddedStore) -> Vec<(String, String, i64)> {
    let mut out: Vec<_> = store
        .counts()
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.dimension.as_str().to_owned(), c.value, c.count as i64))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn replays_change_neither_rows_nor_aggregates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let store = EmbeddedStore::open(&path).unwrap();
    let first: Vec<_> = (0..50)
        .map(|i| {
            user(
                i,
                ["female", "male"][i as usize % 2],
                "France",
                "2026-01-01T00:00:00Z",
            )
        })
        .collect();
    let out = store.write(batch(first.clone()).into()).await.unwrap();
    assert_eq!(
        out,
        WriteOutcome {
            inserted: 50,
            duplicates: 0,
            lost: Vec::new(),
        }
    );
    let before = counts_of(&store).await;
    assert_eq!(before, group_by(&path));

    // The same users again, plus five new ones, as after a crash before the commit.
    let mut replay = first;
    replay.extend((50..55).map(|i| user(i, "female", "Spain", "2026-01-01T00:00:01Z")));
    let out = store.write(batch(replay).into()).await.unwrap();
    assert_eq!(
        out,
        WriteOutcome {
            inserted: 5,
            duplicates: 50,
            lost: Vec::new(),
        }
    );
    assert_eq!(store.user_total().await.unwrap(), 55);
    assert_eq!(counts_of(&store).await, group_by(&path));
    assert!(
        counts_of(&store)
            .await
            .contains(&("country".into(), "Spain".into(), 5))
    );
}

#[tokio::test]
async fn a_changed_duplicate_moves_its_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let store = EmbeddedStore::open(&path).unwrap();
    store
        .write(batch(vec![user(1, "female", "France", "t1")]).into())
        .await
        .unwrap();
    store
        .write(batch(vec![user(1, "female", "Spain", "t2")]).into())
        .await
        .unwrap();
    let counts = counts_of(&store).await;
    assert_eq!(counts, group_by(&path));
    assert!(!counts.iter().any(|(_, v, _)| v == "France"), "{counts:?}");
}

#[tokio::test]
async fn latest_and_dead_letters_come_back_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(&dir.path().join("store.db")).unwrap();
    for i in 0..5 {
        let mut b = batch(vec![user(
            i,
            "male",
            "Norway",
            &format!("2026-01-01T00:00:0{i}Z"),
        )]);
        b.dead_letters.push(DeadLetter {
            rule: "id_uuid".into(),
            reason: format!("bad {i}"),
            payload: Some("{}".into()),
            payload_base64: None,
            origin: Origin {
                topic: "users_created".into(),
                partition: 1,
                offset: i.into(),
            },
            failed_at: "2026-01-01T00:00:00Z".into(),
        });
        store.write(b.into()).await.unwrap();
    }
    let latest = store.latest(2).await.unwrap();
    assert_eq!(latest.len(), 2);
    assert!(latest[0].id.ends_with("000000000004"));
    let dead = store.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 5);
    assert_eq!(dead[0].reason, "bad 4");
    assert_eq!(dead[0].origin.offset, 4);
}

#[test]
fn schema_is_readable_by_plain_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    drop(EmbeddedStore::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for t in ["created_users", "dead_letters", "user_counts"] {
        assert!(tables.iter().any(|n| n == t), "{tables:?}");
    }
}

/// `(name, declared type, not null)` of every column SQLite reports for `table`.
fn table_info(conn: &Connection, table: &str) -> Vec<(String, String, bool)> {
    conn.prepare(&format!("PRAGMA table_info({table})"))
        .unwrap()
        .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn sqlite_and_cql_tables_match_the_column_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    drop(EmbeddedStore::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();

    let rows = table_info(&conn, schema::ROWS);
    let mut expected = vec![("seq".to_owned(), "INTEGER".to_owned(), false)];
    expected.extend(
        USER.iter()
            .map(|c| (c.name.to_owned(), c.kind.sql().to_owned(), true)),
    );
    assert_eq!(rows, expected);

    let view: Vec<String> = table_info(&conn, schema::VIEW)
        .into_iter()
        .map(|(name, ..)| name)
        .collect();
    let names: Vec<&str> = USER.iter().map(|c| c.name).collect();
    assert_eq!(view, names);

    let cql = tables(SCHEMA_CQL);
    let cql_users: Vec<(&str, &str)> = cql["created_users"]
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let mut ours: Vec<(&str, &str)> = USER.iter().map(|c| (c.name, c.kind.cql())).collect();
    ours.sort_unstable();
    assert_eq!(cql_users, ours);
}

#[tokio::test]
async fn the_view_shows_text_ids_and_the_rows_keep_16_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let store = EmbeddedStore::open(&path).unwrap();
    let u = user(7, "female", "Chile", "2026-01-01T00:00:00Z");
    store.write(batch(vec![u.clone()]).into()).await.unwrap();
    let conn = Connection::open(&path).unwrap();
    let (id, len): (String, i64) = conn
        .query_row(
            "SELECT v.id, length(r.id) FROM created_users v JOIN user_rows r ON r.seq = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((id.as_str(), len), (u.id.as_str(), 16));
    assert_eq!(store.latest(1).await.unwrap(), vec![u]);
}

#[tokio::test]
async fn a_store_of_the_text_id_layout_is_converted_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    {
        let conn = Connection::open(&path).unwrap();
        let columns: Vec<String> = USER
            .iter()
            .map(|c| {
                let ty = if c.kind == columns::Kind::Int {
                    "INTEGER"
                } else {
                    "TEXT"
                };
                let key = if c.name == "id" { " PRIMARY KEY" } else { "" };
                format!("{} {ty}{key} NOT NULL", c.name)
            })
            .collect();
        conn.execute_batch(&format!(
            "CREATE TABLE created_users ({});
             CREATE INDEX created_users_by_stored_at ON created_users (stored_at);",
            columns.join(", ")
        ))
        .unwrap();
        for (i, stored_at) in [(1, "2026-01-01T00:00:02Z"), (2, "2026-01-01T00:00:01Z")] {
            let u = user(i, "male", "Peru", stored_at);
            let mut insert = conn
                .prepare(&format!(
                    "INSERT INTO created_users ({}) VALUES ({})",
                    columns::names(),
                    vec!["?"; USER.len()].join(", ")
                ))
                .unwrap();
            for (n, column) in USER.iter().enumerate() {
                match column.get(&u) {
                    columns::Value::Text(s) => insert.raw_bind_parameter(n + 1, s).unwrap(),
                    columns::Value::Int(v) => insert.raw_bind_parameter(n + 1, v).unwrap(),
                }
            }
            insert.raw_execute().unwrap();
        }
    }
    let store = EmbeddedStore::open(&path).unwrap();
    let latest = store.latest(5).await.unwrap();
    let ids: Vec<&str> = latest.iter().map(|u| u.id.as_str()).collect();
    // Newest stored first, as before the conversion.
    assert_eq!(ids, [user(1, "", "", "").id, user(2, "", "", "").id]);
    // The converted ids are known: a replay is a duplicate.
    let out = store
        .write(batch(vec![latest[0].clone()]).into())
        .await
        .unwrap();
    assert_eq!(out.duplicates, 1);
    drop(store);
    let conn = Connection::open(&path).unwrap();
    let kind: String = conn
        .query_row(
            "SELECT type FROM sqlite_master WHERE name = 'created_users'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kind, "view");
}

/// A user whose id is spread over the id space the way random UUIDs are, so each insert lands on
/// its own page of the id index.
pub(super) fn scattered_user(n: u32) -> StoredUser {
    StoredUser {
        id: format!(
            "{:08x}-0000-4000-8000-{n:012x}",
            n.wrapping_mul(2_654_435_761)
        ),
        ..user(n, "female", "Norway", "2024-05-01T00:00:00Z")
    }
}

/// The WAL starts over once past its restart size even while the background checkpointer copies
/// it and a reader (the console) queries beside the writer: it never holds more than the restart
/// size plus one batch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wal_stays_bounded_beside_checkpoints_and_readers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let store = EmbeddedStore::open(&path).unwrap();
    let reading = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let reader = {
        let (store, reading) = (store.clone(), reading.clone());
        tokio::spawn(async move {
            while reading.load(Relaxed) {
                store.latest(50).await.unwrap();
                store.counts().await.unwrap();
            }
        })
    };
    let wal = dir.path().join("store.db-wal");
    let (mut peak, mut largest_batch, mut before) = (0, 0, 0);
    for b in 0..60 {
        let users = (0..1000).map(|i| scattered_user(b * 1000 + i)).collect();
        store.write(Arc::new(batch(users))).await.unwrap();
        let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        largest_batch = largest_batch.max(size.saturating_sub(before));
        (peak, before) = (peak.max(size), size);
    }
    reading.store(false, Relaxed);
    reader.await.unwrap();
    assert_eq!(store.user_total().await.unwrap(), 60_000);
    assert!(
        peak <= WAL_RESTART_BYTES + largest_batch,
        "the WAL reached {peak} bytes (restart at {WAL_RESTART_BYTES}, largest batch \
         {largest_batch})"
    );
}
