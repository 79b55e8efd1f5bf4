//! The id index against its database: caught up when it lags, rebuilt when it is ahead, built
//! from the rows of a database that had a SQLite id index.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use rusqlite::Connection;

use super::super::EmbeddedStore;
use super::super::tests::{batch, scattered_user};
use super::*;
use crate::model::StoredUser;
use crate::store::{Store, WriteOutcome};

fn users(range: Range<u32>) -> Vec<StoredUser> {
    range.map(scattered_user).collect()
}

async fn write(store: &EmbeddedStore, range: Range<u32>) -> (u64, u64) {
    let WriteOutcome {
        inserted,
        duplicates,
        ..
    } = store.write(Arc::new(batch(users(range)))).await.unwrap();
    (inserted, duplicates)
}

/// (rows, distinct ids) in the database.
fn rows(path: &Path) -> (i64, i64) {
    Connection::open(path)
        .unwrap()
        .query_row(
            "SELECT COUNT(*), COUNT(DISTINCT id) FROM user_rows",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

#[tokio::test]
async fn an_index_missing_its_last_batches_catches_up_before_deduplicating() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let store = EmbeddedStore::open(&path).unwrap();
    assert_eq!(write(&store, 0..1000).await, (1000, 0));
    assert_eq!(write(&store, 1000..3000).await, (2000, 0));
    drop(store);
    // What a crash leaves when the unsynced record of the second batch never reached the disk.
    {
        let index = IdIndex::open_dir(&dir_of(&path)).unwrap();
        for n in 1000..3000 {
            index
                .ids
                .remove(super::super::rows::id_bytes(&scattered_user(n).id).unwrap())
                .unwrap();
        }
        index.meta.insert(UPTO, 1000u64.to_be_bytes()).unwrap();
        index.db.persist(PersistMode::SyncAll).unwrap();
    }
    let store = EmbeddedStore::open(&path).unwrap();
    assert_eq!(write(&store, 2000..4000).await, (1000, 1000));
    assert_eq!(rows(&path), (4000, 4000));
}

#[tokio::test]
async fn a_database_replaced_beside_its_index_gets_the_index_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.db"), dir.path().join("store.db"));
    let store = EmbeddedStore::open(&old).unwrap();
    assert_eq!(write(&store, 0..1000).await, (1000, 0));
    drop(store);
    drop(EmbeddedStore::open(&new).unwrap());
    // A new, empty store.db beside the index of the old one.
    std::fs::remove_dir_all(dir_of(&new)).unwrap();
    std::fs::rename(dir_of(&old), dir_of(&new)).unwrap();
    let store = EmbeddedStore::open(&new).unwrap();
    // Not one of them is taken for a duplicate of a row that is not in this database.
    assert_eq!(write(&store, 0..500).await, (500, 0));
    assert_eq!(rows(&new), (500, 500));
}

#[tokio::test]
async fn a_database_with_the_sqlite_id_index_drops_it_and_indexes_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let store = EmbeddedStore::open(&path).unwrap();
    assert_eq!(write(&store, 0..1000).await, (1000, 0));
    drop(store);
    // The earlier layout: a unique SQLite index on the ids and no index directory.
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE UNIQUE INDEX user_rows_by_id ON user_rows (id)")
        .unwrap();
    std::fs::remove_dir_all(dir_of(&path)).unwrap();

    let store = EmbeddedStore::open(&path).unwrap();
    let indexes: i64 = Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'user_rows'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexes, 0);
    assert_eq!(write(&store, 500..1500).await, (500, 500));
    assert_eq!(rows(&path), (1500, 1500));
}

/// Two pipeline members in one process writing one database: overlapping batches written at
/// once are each stored once, as with a single writer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_on_one_database_share_its_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let (a, b) = (
        EmbeddedStore::open(&path).unwrap(),
        EmbeddedStore::open(&path).unwrap(),
    );
    let mut writes = Vec::new();
    for i in 0..8u32 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        writes.push(tokio::spawn(async move {
            write(&store, i * 500..i * 500 + 1000).await
        }));
    }
    let mut inserted = 0;
    for w in writes {
        inserted += w.await.unwrap().0;
    }
    assert_eq!(inserted, 4500);
    assert_eq!(rows(&path), (4500, 4500));
}

/// Ids still pending in memory and ids already ingested as tables both deduplicate, and a
/// store closed cleanly leaves every id on disk with `upto` at its last row.
#[tokio::test]
async fn pending_and_ingested_ids_deduplicate_and_a_clean_close_writes_them_all() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let store = EmbeddedStore::open(&path).unwrap();
    // 1,500 ids reach PENDING_IDS and are ingested; the next 300 stay pending.
    assert_eq!(write(&store, 0..1500).await, (1500, 0));
    assert_eq!(write(&store, 1500..1800).await, (300, 0));
    // Duplicates of both kinds, and new ids, in one batch.
    assert_eq!(write(&store, 1400..2000).await, (200, 400));
    drop(store);
    assert_eq!(rows(&path), (2000, 2000));

    let index = IdIndex::open_dir(&dir_of(&path)).unwrap();
    assert_eq!(index.upto().unwrap(), 2000);
    for n in [0, 1499, 1500, 1999] {
        let id = super::super::rows::id_bytes(&scattered_user(n).id).unwrap();
        assert!(index.ids.get(id).unwrap().is_some(), "user {n} is on disk");
    }
}
