//! The id index of `store.db`: for each stored id, the `seq` of its row, in an LSM tree (fjall)
//! beside the database (`store.ids/`).
//!
//! Why not a SQLite index: ids are random UUIDs, so once a B-tree index of them outgrows the
//! page cache every insert dirties its own leaf page, and each transaction writes that page to
//! the WAL and again to the database: about 8 KB of writes per row at ten million users, which
//! is what made the rate fall as the table grew. An LSM tree writes ids in sorted runs, and a
//! miss (a new id, the common case) is answered by bloom filters without reading a block.
//!
//! The database stays the truth; the index may only lag it. A batch's new ids are recorded
//! after its transaction commits, in one fjall batch together with the highest `seq` it
//! covers (`upto`), without a sync. Whatever a crash or a failed write leaves unrecorded is
//! caught up from the rows past `upto` before the next batch (and at open), so the index never
//! misses a stored id when a batch is deduplicated against it. An index ahead of the database
//! (a `store.db` deleted or replaced beside it) is rebuilt from scratch.
//!
//! One index serves every writer of its database: two stores opened on one file in a process
//! (two pipeline members) share it, and write their batches one at a time through
//! [`IdIndex::writing`], so neither deduplicates against an index the other has not yet
//! updated. Another process is refused: fjall locks the directory.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use fjall::compaction::Leveled;
use fjall::config::{CompressionPolicy, PinningPolicy};
use fjall::{
    CompressionType, Database, Keyspace, KeyspaceCreateOptions, OwnedWriteBatch, PersistMode,
};
use rusqlite::Connection;

use super::schema::ROWS;
use crate::store::StoreError;

/// The index's block cache: the data blocks that lookups of known ids (and bloom filters'
/// false positives) read; filters and block indexes are pinned outside it. 8 MiB measured no
/// faster than 4, and 2 MiB saved less than the noise over ten million ids.
const CACHE_BYTES: u64 = 4 * 1024 * 1024;
/// Memtable size. fjall counts each entry as its key, its value and the entry itself, about
/// 90 bytes an id, so this holds about 95,000; the skiplist holding them takes as much again.
/// A 32 MiB memtable held 40 to 55 MB more RSS; the merges its fewer flushes saved are saved
/// here by [`L0_TABLES`].
const MEMTABLE_BYTES: u64 = 8 * 1024 * 1024;
/// Flushed tables the first level gathers before they are merged into the next. Random ids
/// overlap every table of a level, so each such merge rewrites all of the next level: waiting
/// for 16 small flushes (not fjall's 4) rewrites it as seldom as 4 flushes of a 32 MiB
/// memtable did. A lookup of a new id asks each of their bloom filters, which stay in memory.
/// It must stay under the 20 flushed tables at which fjall slows writes down (at 30 it stops
/// them until a merge, which this threshold would never start).
const L0_TABLES: u8 = 16;
/// Table size of the id index; the level after the flushed tables holds `L0_TABLES` of them
/// (32 MiB). With fjall's default (64 MiB tables, 4 to a level: 256 MiB) that level held every
/// id up to ten million and each merge rewrote ever more of them.
const TABLE_BYTES: u64 = 2 * 1024 * 1024;
/// fjall's smallest journal bound; the journal is freed once memtables are flushed.
const JOURNAL_BYTES: u64 = 64 * 1024 * 1024;
/// Rows read per transaction while catching up.
const CATCH_UP_CHUNK: i64 = 50_000;
/// The key of `upto` in the meta keyspace.
const UPTO: &[u8] = b"upto";

/// A handle to the id index.
pub struct IdIndex {
    dir: PathBuf,
    db: Database,
    ids: Keyspace,
    meta: Keyspace,
    /// Set when a recorded batch may be missing (a failed write): the next batch catches up.
    behind: AtomicBool,
    /// Held by a writer from its deduplication to its record.
    writing: Mutex<()>,
}

/// The indexes this process has open, by directory.
static OPEN: Mutex<Vec<(PathBuf, Weak<IdIndex>)>> = Mutex::new(Vec::new());

fn index_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("id index: {e}"))
}

fn sql(e: rusqlite::Error) -> StoreError {
    StoreError::Fatal(e.to_string())
}

/// The directory of the index of the database at `db`: `store.db` → `store.ids`.
pub fn dir_of(db: &Path) -> PathBuf {
    db.with_extension("ids")
}

impl IdIndex {
    /// The index in `dir` of the database `conn` is connected to: the one this process already
    /// has open, or opened and caught up with the database's rows.
    pub fn shared(dir: &Path, conn: &Connection) -> Result<Arc<IdIndex>, StoreError> {
        let mut open = OPEN.lock().map_err(index_error)?;
        open.retain(|(_, index)| index.strong_count() > 0);
        let key = std::path::absolute(dir).map_err(index_error)?;
        if let Some(index) = open
            .iter()
            .find(|(d, _)| *d == key)
            .and_then(|(_, i)| i.upgrade())
        {
            return Ok(index);
        }
        let index = Arc::new(IdIndex::open(dir, conn)?);
        open.push((key, Arc::downgrade(&index)));
        Ok(index)
    }

    /// Serialises the writers of the database: held from deduplicating a batch to recording it.
    pub fn writing(&self) -> Result<MutexGuard<'_, ()>, StoreError> {
        self.writing.lock().map_err(index_error)
    }

    fn open(dir: &Path, conn: &Connection) -> Result<IdIndex, StoreError> {
        let index = IdIndex::open_dir(dir)?;
        let last: i64 = conn
            .query_row(
                &format!("SELECT COALESCE(MAX(seq), 0) FROM {ROWS}"),
                [],
                |r| r.get(0),
            )
            .map_err(sql)?;
        let index = if index.upto()? > last as u64 {
            tracing::warn!(
                dir = %dir.display(),
                "The id index is ahead of store.db (the database was replaced); rebuilding it."
            );
            drop(index);
            std::fs::remove_dir_all(dir).map_err(index_error)?;
            IdIndex::open_dir(dir)?
        } else {
            index
        };
        index.catch_up(conn)?;
        Ok(index)
    }

    fn open_dir(dir: &Path) -> Result<IdIndex, StoreError> {
        let db = Database::builder(dir)
            .cache_size(CACHE_BYTES)
            .max_journaling_size(JOURNAL_BYTES)
            .open()
            .map_err(index_error)?;
        let ids = db
            .keyspace("ids", || {
                // Bloom filters and block indexes are pinned in memory at every level (the
                // filters of merged tables take 10 bits an id): left to the block cache, each
                // lookup of a new id reloaded and checksummed a whole filter block, and the
                // rate fell to a few thousand a second. fjall fills the levels from the last
                // one, and chooses a merged table's compression and partitioning by its level
                // counted from the first filled one (1 or 2 up to ten million ids), so its
                // default partitioning (from the third) never applies here. Partitioned
                // filters and indexes on the deepest level, read through the block cache,
                // kept the RSS between 81 and 94 MB at each million of ten (79 to 107
                // without), but the last million took 1.15 times the CPU a record.
                //
                // Ids are random bytes, which lz4 (fjall's default from the second level)
                // cannot shrink: leaving blocks uncompressed costs 6 % more disk and saves
                // each merge the attempt.
                KeyspaceCreateOptions::default()
                    .max_memtable_size(MEMTABLE_BYTES)
                    .data_block_compression_policy(CompressionPolicy::all(CompressionType::None))
                    .compaction_strategy(Arc::new(
                        Leveled::default()
                            .with_table_target_size(TABLE_BYTES)
                            .with_l0_threshold(L0_TABLES),
                    ))
                    .filter_block_pinning_policy(PinningPolicy::all(true))
                    .index_block_pinning_policy(PinningPolicy::all(true))
            })
            .map_err(index_error)?;
        let meta = db
            .keyspace("meta", KeyspaceCreateOptions::default)
            .map_err(index_error)?;
        Ok(IdIndex {
            dir: dir.to_owned(),
            db,
            ids,
            meta,
            behind: AtomicBool::new(false),
            writing: Mutex::new(()),
        })
    }

    /// The highest `seq` whose id is recorded.
    fn upto(&self) -> Result<u64, StoreError> {
        Ok(self
            .meta
            .get(UPTO)
            .map_err(index_error)?
            .and_then(|v| v.as_ref().try_into().ok().map(u64::from_be_bytes))
            .unwrap_or(0))
    }

    /// The `seq` of the row holding `id`, if one does.
    pub fn get(&self, id: &[u8; 16]) -> Result<Option<i64>, StoreError> {
        Ok(self
            .ids
            .get(id)
            .map_err(index_error)?
            .and_then(|v| v.as_ref().try_into().ok().map(i64::from_be_bytes)))
    }

    /// Records the ids of rows a committed transaction inserted, `upto` the highest `seq` it
    /// wrote. A failure leaves the index to catch up before the next batch.
    pub fn record(&self, inserted: &[([u8; 16], i64)], upto: i64) -> Result<(), StoreError> {
        let mut batch = OwnedWriteBatch::with_capacity(self.db.clone(), inserted.len() + 1)
            .durability(Some(PersistMode::Buffer));
        for (id, seq) in inserted {
            batch.insert(&self.ids, *id, seq.to_be_bytes());
        }
        batch.insert(&self.meta, UPTO, (upto as u64).to_be_bytes());
        batch.commit().map_err(|e| {
            self.behind.store(true, Relaxed);
            index_error(e)
        })
    }

    /// Before a batch is deduplicated: records whatever rows a failed [`IdIndex::record`] left
    /// out.
    pub fn ensure_current(&self, conn: &Connection) -> Result<(), StoreError> {
        if self.behind.load(Relaxed) {
            self.catch_up(conn)?;
        }
        Ok(())
    }

    /// Records every row past `upto`, in chunks.
    fn catch_up(&self, conn: &Connection) -> Result<(), StoreError> {
        self.behind.store(true, Relaxed);
        let mut from = self.upto()? as i64;
        let mut read = conn
            .prepare(&format!(
                "SELECT seq, id FROM {ROWS} WHERE seq > ?1 ORDER BY seq LIMIT ?2"
            ))
            .map_err(sql)?;
        let mut caught = 0;
        loop {
            let rows: Vec<([u8; 16], i64)> = read
                .query_map([from, CATCH_UP_CHUNK], |r| {
                    Ok((r.get::<_, [u8; 16]>(1)?, r.get::<_, i64>(0)?))
                })
                .map_err(sql)?
                .collect::<Result<_, _>>()
                .map_err(sql)?;
            let Some(&(_, last)) = rows.last() else { break };
            self.record(&rows, last)?;
            caught += rows.len();
            from = last;
        }
        if caught > 0 {
            tracing::info!(rows = caught, dir = %self.dir.display(), "Caught up the id index.");
        }
        self.behind.store(false, Relaxed);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
