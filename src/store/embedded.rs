//! The embedded store: `DATA_DIR/store.db`, SQLite with the tables of `cql/schema.cql`, so
//! `sqlite3 store.db` answers the same questions as `cqlsh`.
//!
//! One writer connection does every write in one `IMMEDIATE` transaction per batch (rows,
//! aggregates and dead letters together), with `synchronous=FULL` so a batch is on disk before
//! the broker offsets that cover it are committed. A second connection serves the console's
//! reads, which WAL lets run beside the writer. The layout (rows by arrival, 16-byte ids, a
//! readable view) is in [`schema`], which row holds an id in [`ids`]; the WAL is bounded as
//! [`WAL_RESTART_BYTES`] says.
//!
//! Exact aggregates: a row is inserted, and counts in `user_counts`, only when neither the id
//! index nor an earlier row of the same batch holds its id. A duplicate whose dimensions
//! changed (a source re-issuing an id with other data) moves its counts from the old values to
//! the new ones, so `user_counts` always equals `GROUP BY` over `created_users`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use super::{ReplayFilter, Store, StoreError, WriteBatch, WriteOutcome};
use crate::model::{DeadLetter, Dimension, Origin, StoredUser, UserCount};
use crate::store::columns::USER;

mod ids;
mod rows;
pub mod schema;

use ids::IdIndex;

/// Bytes of a database page. A duplicate rewrites the page of its old row, so a page larger
/// than this costs more WAL per duplicate than it saves.
const PAGE_SIZE: u64 = 4096;
/// The writer's page cache, in KiB: rows are appended, so it holds the table's right edge,
/// `user_counts` and the pages duplicates touch.
const WRITER_CACHE_KIB: u64 = 4 * 1024;
/// Once the WAL holds this many bytes, the writer finishes the checkpoint itself before its
/// next batch, so the WAL starts over: it never grows past this plus one batch.
const WAL_RESTART_BYTES: u64 = 24 * 1024 * 1024;
/// The WAL file is truncated back to this size when it starts over.
pub const WAL_LIMIT_BYTES: u64 = 64 * 1024 * 1024;
/// How often the background thread copies the WAL into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// A handle to `store.db`; clones share the connections.
#[derive(Clone)]
pub struct EmbeddedStore {
    path: PathBuf,
    writer: Arc<Mutex<Connection>>,
    reader: Arc<Mutex<Connection>>,
    /// Which row holds each id (see [`ids`]); used by the writer only.
    ids: Arc<IdIndex>,
    /// Frames in the WAL after the writer's last commit.
    wal_frames: Arc<AtomicU64>,
    /// Held by whoever runs a checkpoint: SQLite refuses a RESTART outright (it does not wait)
    /// while another connection's checkpoint is copying, so the writer waits here instead.
    checkpointing: Arc<Mutex<()>>,
}

fn fatal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Fatal(e.to_string())
}

fn sql(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        // A full disk passes once space is freed: retried like a lock, never fatal.
        Some(
            rusqlite::ErrorCode::DatabaseBusy
            | rusqlite::ErrorCode::DatabaseLocked
            | rusqlite::ErrorCode::DiskFull,
        ) => StoreError::Unavailable(e.to_string()),
        _ => StoreError::Fatal(e.to_string()),
    }
}

/// Runs a `wal_checkpoint` pragma: (busy, frames in the WAL, frames copied).
fn checkpoint(conn: &Connection, mode: &str) -> rusqlite::Result<(i64, i64, i64)> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
}

/// The `limit` most recent dead letters, newest first.
fn recent_dead_letters(c: &Connection, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
    c.prepare_cached(&format!(
        "SELECT {DEAD_LETTER_COLUMNS} FROM dead_letters ORDER BY seq DESC LIMIT ?1"
    ))
    .map_err(sql)?
    .query_map([limit as i64], dead_letter_of)
    .map_err(sql)?
    .collect::<Result<_, _>>()
    .map_err(sql)
}

/// The `limit` most recent dead letters of the database at `path`, newest first, read on a
/// read-only connection: beside a running pipeline, whose writer it neither locks nor waits
/// for (WAL readers see the last commit). Neither creates the database nor opens its id index.
pub fn read_dead_letters(path: &Path, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
    if !path.exists() {
        return Err(StoreError::Fatal(format!(
            "no store at {} (nothing was stored with this data dir)",
            path.display()
        )));
    }
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(sql)?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(sql)?;
    recent_dead_letters(&conn, limit)
}

impl EmbeddedStore {
    /// Opens (or creates) the database at `path` and applies the schema.
    pub fn open(path: &Path) -> Result<EmbeddedStore, StoreError> {
        let mut writer = Connection::open(path).map_err(sql)?;
        // The page size only takes effect on a new database, before WAL mode is set.
        writer
            .execute_batch(&format!(
                "PRAGMA page_size = {PAGE_SIZE}; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; \
                 PRAGMA cache_size = -{WRITER_CACHE_KIB}; \
                 PRAGMA journal_size_limit = {WAL_LIMIT_BYTES};"
            ))
            .map_err(sql)?;
        schema::apply(&mut writer).map_err(sql)?;
        // Checkpoints run on their own thread, so a batch does not wait for one (see `write`).
        writer
            .execute_batch("PRAGMA wal_autocheckpoint = 0;")
            .map_err(sql)?;
        // After each commit SQLite says how many frames the WAL holds; set after the pragma
        // above, which would replace it.
        let wal_frames = Arc::new(AtomicU64::new(0));
        let frames = wal_frames.clone();
        writer
            .wal_hook(Some(
                move |_: &mut rusqlite::hooks::Wal, pages: std::ffi::c_int| {
                    frames.store(pages.max(0) as u64, Relaxed);
                    Ok(())
                },
            ))
            .map_err(sql)?;
        let ids = IdIndex::shared(&ids::dir_of(path), &writer)?;
        let reader = Connection::open(path).map_err(sql)?;
        reader.busy_timeout(Duration::from_secs(5)).map_err(sql)?;
        let store = EmbeddedStore {
            path: path.to_owned(),
            writer: Arc::new(Mutex::new(writer)),
            reader: Arc::new(Mutex::new(reader)),
            ids,
            wal_frames,
            checkpointing: Arc::new(Mutex::new(())),
        };
        store.spawn_checkpointer()?;
        Ok(store)
    }

    /// Copies the WAL back into the database every [`CHECKPOINT_EVERY`] with a PASSIVE
    /// checkpoint, which never blocks the writer; stops when the last handle to the store is
    /// dropped.
    fn spawn_checkpointer(&self) -> Result<(), StoreError> {
        let conn = Connection::open(&self.path).map_err(sql)?;
        let alive = Arc::downgrade(&self.writer);
        let checkpointing = self.checkpointing.clone();
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while alive.strong_count() > 0 {
                    std::thread::sleep(CHECKPOINT_EVERY);
                    let Ok(_alone) = checkpointing.lock() else {
                        return;
                    };
                    if let Err(error) = checkpoint(&conn, "PASSIVE") {
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
            c.query_row(&format!("SELECT COUNT(*) FROM {}", schema::ROWS), [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(sql)
        })
        .await
    }
}

/// Lets the WAL start over when it has grown past [`WAL_RESTART_BYTES`]: once the background
/// checkpoint in progress is done, a RESTART checkpoint copies what it has not, and waits (the
/// busy timeout) until no reader needs the WAL.
fn bound_wal(
    conn: &Connection,
    frames: &AtomicU64,
    checkpointing: &Mutex<()>,
) -> Result<(), StoreError> {
    if frames.load(Relaxed) * PAGE_SIZE < WAL_RESTART_BYTES {
        return Ok(());
    }
    let _alone = checkpointing.lock().map_err(fatal)?;
    let (busy, log, copied) = checkpoint(conn, "RESTART").map_err(sql)?;
    if busy != 0 {
        tracing::debug!(log, copied, "WAL restart postponed: a reader holds it.");
    } else {
        frames.store(0, Relaxed);
    }
    Ok(())
}

fn write_batch(
    conn: &mut Connection,
    ids: &IdIndex,
    batch: &WriteBatch,
) -> Result<WriteOutcome, StoreError> {
    let mut ids = ids.writing()?;
    // In id order, two deliveries of one id are neighbours; the sort is stable, so the later
    // is written last and wins.
    let mut order: Vec<([u8; 16], &StoredUser)> = Vec::with_capacity(batch.rows.len());
    for r in &batch.rows {
        order.push((rows::id_bytes(&r.user.id)?, &*r.user));
    }
    order.sort_by_key(|(id, _)| *id);

    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(sql)?;
    let mut outcome = WriteOutcome::default();
    let mut deltas: HashMap<(Dimension, Cow<'_, str>), i64> = HashMap::new();
    // Ids this transaction inserted with their rows' `seq`, ascending.
    let mut inserted: Vec<([u8; 16], i64)> = Vec::with_capacity(order.len());
    {
        let mut insert = tx.prepare_cached(&schema::insert(false)).map_err(sql)?;
        for (id, u) in &order {
            let stored = match inserted.last() {
                Some((last, seq)) if last == id => Some(*seq),
                _ => ids.get(id)?,
            };
            if let Some(seq) = stored {
                outcome.duplicates += 1;
                update_duplicate(&tx, u, id, seq, &mut deltas)?;
                continue;
            }
            rows::bind(&mut insert, u, id).map_err(sql)?;
            insert.raw_execute().map_err(sql)?;
            inserted.push((*id, tx.last_insert_rowid()));
            outcome.inserted += 1;
            for key in u.dimension_values() {
                *deltas.entry(key).or_default() += 1;
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
    // The rows are stored whatever happens here: ids the index failed to write stay pending
    // in memory, and are written with a later batch's.
    if let Some(&(_, upto)) = inserted.last()
        && let Err(error) = ids.record(&inserted, upto)
    {
        tracing::warn!(%error, "The id index will write these ids with a later batch.");
    }
    Ok(outcome)
}

/// Refreshes the user stored in row `seq`; moves its counts if a dimension changed.
fn update_duplicate<'a>(
    tx: &rusqlite::Transaction<'_>,
    u: &'a StoredUser,
    id: &[u8; 16],
    seq: i64,
    deltas: &mut HashMap<(Dimension, Cow<'a, str>), i64>,
) -> Result<(), StoreError> {
    let old = tx
        .prepare_cached(&schema::select("WHERE seq = ?1"))
        .map_err(sql)?
        .query_row([seq], rows::read)
        .optional()
        .map_err(sql)?;
    let Some(old) = old else { return Ok(()) };
    let same = StoredUser {
        id: u.id.clone(),
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
    // The id is the same user with other data: replace the row whole, in its place.
    let mut replace = tx.prepare_cached(&schema::insert(true)).map_err(sql)?;
    rows::bind(&mut replace, u, id).map_err(sql)?;
    replace
        .raw_bind_parameter(USER.len() + 1, seq)
        .map_err(sql)?;
    replace.raw_execute().map_err(sql)?;
    Ok(())
}

impl Store for EmbeddedStore {
    async fn write(&self, batch: Arc<WriteBatch>) -> Result<WriteOutcome, StoreError> {
        let (frames, checkpointing) = (self.wal_frames.clone(), self.checkpointing.clone());
        let ids = self.ids.clone();
        self.with(true, move |c| {
            bound_wal(c, &frames, &checkpointing)?;
            write_batch(c, &ids, &batch)
        })
        .await
    }

    async fn latest(&self, limit: usize) -> Result<Vec<StoredUser>, StoreError> {
        self.with(false, move |c| {
            c.prepare_cached(&schema::select("ORDER BY seq DESC LIMIT ?1"))
                .map_err(sql)?
                .query_map([limit as i64], rows::read)
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
        self.with(false, move |c| recent_dead_letters(c, limit))
            .await
    }

    async fn replayable(&self, filter: ReplayFilter) -> Result<Vec<DeadLetter>, StoreError> {
        self.with(false, move |c| {
            c.prepare_cached(&format!(
                "SELECT {DEAD_LETTER_COLUMNS} FROM dead_letters d WHERE NOT EXISTS \
                 (SELECT 1 FROM dead_letter_replays r WHERE r.topic = d.topic \
                  AND r.partition = d.partition AND r.offset = d.offset) \
                 AND (?1 IS NULL OR d.rule = ?1) AND (?2 IS NULL OR d.failed_at >= ?2) \
                 ORDER BY d.seq LIMIT ?3"
            ))
            .map_err(sql)?
            .query_map(
                params![filter.rule, filter.since, filter.limit as i64],
                dead_letter_of,
            )
            .map_err(sql)?
            .collect::<Result<_, _>>()
            .map_err(sql)
        })
        .await
    }

    async fn mark_replayed(&self, origins: Vec<Origin>, at: String) -> Result<(), StoreError> {
        self.with(true, move |c| {
            let tx = c.transaction().map_err(sql)?;
            {
                let mut mark = tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO dead_letter_replays \
                         (topic, partition, offset, replayed_at) VALUES (?1, ?2, ?3, ?4)",
                    )
                    .map_err(sql)?;
                for o in &origins {
                    mark.execute(params![o.topic, o.partition, o.offset as i64, at])
                        .map_err(sql)?;
                }
            }
            tx.commit().map_err(sql)
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

/// The columns [`dead_letter_of`] reads, in its order.
const DEAD_LETTER_COLUMNS: &str =
    "rule, reason, payload, payload_base64, topic, partition, offset, failed_at";

fn dead_letter_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeadLetter> {
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
}

#[cfg(test)]
mod tests;
