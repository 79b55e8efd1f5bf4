//! The embedded store: `DATA_DIR/store.db`, SQLite with the tables of `cql/schema.cql`, so
//! `sqlite3 store.db` answers the same questions as `cqlsh`.
//!
//! One writer connection does every write in one `IMMEDIATE` transaction per batch (rows,
//! aggregates and dead letters together), with `synchronous=FULL` so a batch is on disk before
//! the broker offsets that cover it are committed. A second connection serves the console's
//! reads, which WAL lets run beside the writer.
//!
//! Exact aggregates: a row counts in `user_counts` only when its `INSERT ... ON CONFLICT DO
//! NOTHING` inserted it. A duplicate whose dimensions changed (a source re-issuing an id with
//! other data) moves its counts from the old values to the new ones, so `user_counts` always
//! equals `GROUP BY` over `created_users`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};

use super::{PendingRow, Store, StoreError, WriteBatch, WriteOutcome};
use crate::model::{DeadLetter, Dimension, Origin, StoredUser, UserCount};

/// The schema of `store.db`, mirroring `cql/schema.cql`.
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS created_users (
    id TEXT PRIMARY KEY NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    gender TEXT NOT NULL,
    address TEXT NOT NULL,
    post_code TEXT NOT NULL,
    email TEXT NOT NULL,
    username TEXT NOT NULL,
    dob TEXT NOT NULL,
    registered_date TEXT NOT NULL,
    phone TEXT NOT NULL,
    picture TEXT NOT NULL,
    nat TEXT NOT NULL,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    country TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    source TEXT NOT NULL,
    year INTEGER NOT NULL,
    month INTEGER NOT NULL,
    day INTEGER NOT NULL,
    email_domain TEXT NOT NULL,
    stored_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS created_users_by_stored_at ON created_users (stored_at);
CREATE TABLE IF NOT EXISTS user_counts (
    dimension TEXT NOT NULL,
    value TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (dimension, value)
);
CREATE TABLE IF NOT EXISTS dead_letters (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    rule TEXT NOT NULL,
    reason TEXT NOT NULL,
    payload TEXT,
    payload_base64 TEXT,
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    offset INTEGER NOT NULL,
    failed_at TEXT NOT NULL
);
";

const COLUMNS: &str = "id, first_name, last_name, gender, address, post_code, email, username, \
    dob, registered_date, phone, picture, nat, city, state, country, ingested_at, source, year, \
    month, day, email_domain, stored_at";

const PLACEHOLDERS: &str = "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, \
    ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23";

/// A handle to `store.db`; clones share the connections.
#[derive(Clone)]
pub struct EmbeddedStore {
    path: PathBuf,
    writer: Arc<Mutex<Connection>>,
    reader: Arc<Mutex<Connection>>,
}

fn fatal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Fatal(e.to_string())
}

fn sql(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Fatal(e.to_string()),
    }
}

impl EmbeddedStore {
    /// Opens (or creates) the database at `path` and applies the schema.
    pub fn open(path: &Path) -> Result<EmbeddedStore, StoreError> {
        let writer = Connection::open(path).map_err(sql)?;
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                 PRAGMA busy_timeout = 5000; PRAGMA cache_size = -8000;",
            )
            .map_err(sql)?;
        writer.execute_batch(SCHEMA).map_err(sql)?;
        // Checkpoints run on their own thread, so a batch never waits for one.
        writer
            .execute_batch("PRAGMA wal_autocheckpoint = 0;")
            .map_err(sql)?;
        let reader = Connection::open(path).map_err(sql)?;
        reader
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(sql)?;
        let store = EmbeddedStore {
            path: path.to_owned(),
            writer: Arc::new(Mutex::new(writer)),
            reader: Arc::new(Mutex::new(reader)),
        };
        store.spawn_checkpointer()?;
        Ok(store)
    }

    /// Copies the WAL back into the database every 250 ms with a PASSIVE checkpoint, which
    /// never blocks the writer; stops when the last handle to the store is dropped.
    fn spawn_checkpointer(&self) -> Result<(), StoreError> {
        let conn = Connection::open(&self.path).map_err(sql)?;
        let alive = Arc::downgrade(&self.writer);
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while alive.strong_count() > 0 {
                    std::thread::sleep(std::time::Duration::from_millis(250));
                    if let Err(error) = conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE);") {
                        tracing::debug!(%error, "Checkpoint skipped.");
                    }
                }
            })
            .map_err(fatal)?;
        Ok(())
    }

    /// Runs `f` on one of the connections on a blocking thread.
    async fn with<T: Send + 'static>(
        &self,
        write: bool,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = if write { &self.writer } else { &self.reader }.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().map_err(fatal)?;
            f(&mut conn)
        })
        .await
        .map_err(fatal)?
    }

    /// Number of stored users.
    pub async fn user_total(&self) -> Result<u64, StoreError> {
        self.with(false, |c| {
            c.query_row("SELECT COUNT(*) FROM created_users", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(sql)
        })
        .await
    }
}

fn write_batch(conn: &mut Connection, batch: &WriteBatch) -> Result<WriteOutcome, StoreError> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(sql)?;
    let mut outcome = WriteOutcome::default();
    let mut deltas: HashMap<(Dimension, Cow<'_, str>), i64> = HashMap::new();
    {
        let mut insert = tx
            .prepare_cached(&format!(
                "INSERT INTO created_users ({COLUMNS}) VALUES ({PLACEHOLDERS}) \
                 ON CONFLICT (id) DO NOTHING"
            ))
            .map_err(sql)?;
        for PendingRow { user: u, .. } in &batch.rows {
            let inserted = insert.execute(&row_params(u)[..]).map_err(sql)?;
            if inserted == 1 {
                outcome.inserted += 1;
                for key in u.dimension_values() {
                    *deltas.entry(key).or_default() += 1;
                }
            } else {
                outcome.duplicates += 1;
                update_duplicate(&tx, u, &mut deltas)?;
            }
        }
        let mut count = tx
            .prepare_cached(
                "INSERT INTO user_counts (dimension, value, count) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (dimension, value) DO UPDATE SET count = count + excluded.count",
            )
            .map_err(sql)?;
        for ((dimension, value), delta) in &deltas {
            if *delta != 0 {
                count
                    .execute(params![dimension.as_str(), value, delta])
                    .map_err(sql)?;
            }
        }
        if deltas.values().any(|d| *d < 0) {
            tx.execute("DELETE FROM user_counts WHERE count <= 0", [])
                .map_err(sql)?;
        }
        let mut dead = tx
            .prepare_cached(
                "INSERT INTO dead_letters (rule, reason, payload, payload_base64, topic, \
                 partition, offset, failed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(sql)?;
        for l in &batch.dead_letters {
            dead.execute(params![
                l.rule,
                l.reason,
                l.payload,
                l.payload_base64,
                l.origin.topic,
                l.origin.partition,
                l.origin.offset as i64,
                l.failed_at
            ])
            .map_err(sql)?;
        }
    }
    tx.commit().map_err(sql)?;
    Ok(outcome)
}

/// Refreshes an already stored user; moves its counts if a dimension changed.
fn update_duplicate<'a>(
    tx: &rusqlite::Transaction<'_>,
    u: &'a StoredUser,
    deltas: &mut HashMap<(Dimension, Cow<'a, str>), i64>,
) -> Result<(), StoreError> {
    let old = tx
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM created_users WHERE id = ?1"
        ))
        .map_err(sql)?
        .query_row([&u.id], row_to_user)
        .optional()
        .map_err(sql)?;
    let Some(old) = old else { return Ok(()) };
    let same = StoredUser {
        stored_at: u.stored_at.clone(),
        ingested_at: u.ingested_at.clone(),
        ..old.clone()
    } == *u;
    if same {
        return Ok(());
    }
    for (dimension, value) in old.dimensions() {
        *deltas.entry((dimension, Cow::Owned(value))).or_default() -= 1;
    }
    for key in u.dimension_values() {
        *deltas.entry(key).or_default() += 1;
    }
    // The id is the same user with other data: replace the row whole.
    tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO created_users ({COLUMNS}) VALUES ({PLACEHOLDERS})"
    ))
    .map_err(sql)?
    .execute(&row_params(u)[..])
    .map_err(sql)?;
    Ok(())
}

/// The values of a row in `COLUMNS` order.
fn row_params(u: &StoredUser) -> [&dyn rusqlite::ToSql; 23] {
    [
        &u.id,
        &u.first_name,
        &u.last_name,
        &u.gender,
        &u.address,
        &u.post_code,
        &u.email,
        &u.username,
        &u.dob,
        &u.registered_date,
        &u.phone,
        &u.picture,
        &u.nat,
        &u.city,
        &u.state,
        &u.country,
        &u.ingested_at,
        &u.source,
        &u.year,
        &u.month,
        &u.day,
        &u.email_domain,
        &u.stored_at,
    ]
}

fn row_to_user(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredUser> {
    Ok(StoredUser {
        id: r.get(0)?,
        first_name: r.get(1)?,
        last_name: r.get(2)?,
        gender: r.get(3)?,
        address: r.get(4)?,
        post_code: r.get(5)?,
        email: r.get(6)?,
        username: r.get(7)?,
        dob: r.get(8)?,
        registered_date: r.get(9)?,
        phone: r.get(10)?,
        picture: r.get(11)?,
        nat: r.get(12)?,
        city: r.get(13)?,
        state: r.get(14)?,
        country: r.get(15)?,
        ingested_at: r.get(16)?,
        source: r.get(17)?,
        year: r.get(18)?,
        month: r.get(19)?,
        day: r.get(20)?,
        email_domain: r.get(21)?,
        stored_at: r.get(22)?,
    })
}

impl Store for EmbeddedStore {
    async fn write(&self, batch: Arc<WriteBatch>) -> Result<WriteOutcome, StoreError> {
        self.with(true, move |c| write_batch(c, &batch)).await
    }

    async fn latest(&self, limit: usize) -> Result<Vec<StoredUser>, StoreError> {
        self.with(false, move |c| {
            c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM created_users ORDER BY stored_at DESC LIMIT ?1"
            ))
            .map_err(sql)?
            .query_map([limit as i64], row_to_user)
            .map_err(sql)?
            .collect::<Result<_, _>>()
            .map_err(sql)
        })
        .await
    }

    async fn counts(&self) -> Result<Vec<UserCount>, StoreError> {
        self.with(false, |c| {
            let mut stmt = c
                .prepare_cached("SELECT dimension, value, count FROM user_counts")
                .map_err(sql)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                })
                .map_err(sql)?;
            let mut out = Vec::new();
            for row in rows {
                let (dimension, value, count) = row.map_err(sql)?;
                if let Some(dimension) = Dimension::parse(&dimension) {
                    out.push(UserCount {
                        dimension,
                        value,
                        count: count.max(0) as u64,
                    });
                }
            }
            Ok(out)
        })
        .await
    }

    async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
        self.with(false, move |c| {
            c.prepare_cached(
                "SELECT rule, reason, payload, payload_base64, topic, partition, offset, \
                 failed_at FROM dead_letters ORDER BY seq DESC LIMIT ?1",
            )
            .map_err(sql)?
            .query_map([limit as i64], |r| {
                Ok(DeadLetter {
                    rule: r.get(0)?,
                    reason: r.get(1)?,
                    payload: r.get(2)?,
                    payload_base64: r.get(3)?,
                    origin: Origin {
                        topic: r.get(4)?,
                        partition: r.get(5)?,
                        offset: r.get::<_, i64>(6)? as u64,
                    },
                    failed_at: r.get(7)?,
                })
            })
            .map_err(sql)?
            .collect::<Result<_, _>>()
            .map_err(sql)
        })
        .await
    }

    fn describe(&self) -> crate::describe::Description {
        crate::describe::Description {
            place: Some(self.path.display().to_string()),
            ..crate::describe::Description::new("sqlite", "sqlite")
        }
    }
}

#[cfg(test)]
mod tests;
