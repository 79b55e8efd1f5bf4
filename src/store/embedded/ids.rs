//! The id index of `store.db`: for each stored id, the `seq` of its row, in an LSM tree (fjall)
//! beside the database (`store.ids/`).
//!
//! Why not a SQLite index: ids are random UUIDs, so once a B-tree index of them outgrows the
//! page cache every insert dirties its own leaf page, and each transaction writes that page to
//! the WAL and again to the database: about 8 KB of writes per row at ten million users, which
//! is what made the rate fall as the table grew. An LSM tree writes ids in sorted runs, and a
//! miss (a new id, the common case) is answered by bloom filters without reading a block.
//!
//! Recorded ids first gather in memory ([`Pending`]), in a hash map of 24 bytes an id rather
//! than fjall's memtable (a skiplist of about 180 bytes an id, which also journals each id);
//! every [`PENDING_IDS`] of them are sorted and ingested as one table, and only then is the
//! highest `seq` they cover (`upto`) written beside them.
//!
//! The database stays the truth; the index on disk may only lag it. Whatever a crash leaves
//! unrecorded (the pending ids, or an `upto` not yet on disk) is caught up from the rows past
//! `upto` at open, so the index never misses a stored id when a batch is deduplicated against
//! it. An index ahead of the database (a `store.db` deleted or replaced beside it) is rebuilt
//! from scratch.
//!
//! One index serves every writer of its database: two stores opened on one file in a process
//! (two pipeline members) share it, and write their batches one at a time through
//! [`IdIndex::writing`], so neither deduplicates against an index the other has not yet
//! updated. Another process is refused: fjall locks the directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use fjall::compaction::Leveled;
use fjall::config::{CompressionPolicy, PinningPolicy};
use fjall::{CompressionType, Database, Keyspace, KeyspaceCreateOptions, PersistMode};
use rusqlite::Connection;

use super::schema::ROWS;
use crate::store::StoreError;

/// Ids gathered in memory before they are ingested as one table: a hash map's capacity (it
/// holds 131,072 slots of 25 bytes, 3.3 MB), making a table of about 3 MB whose bloom filter
/// (10 bits an id, 143 KB) fits the block cache. Tests ingest often.
const PENDING_IDS: usize = if cfg!(test) { 1_000 } else { 114_688 };
/// The index's block cache: the bloom filters of ingested tables, which fjall does not pin,
/// and the data blocks that lookups of known ids (and filters' false positives) read. fjall
/// splits it into 8 shards on 2 cores, each holding its eighth: at 4 MiB with tables of
/// 229,376 ids, a shard held one of their 290 KB filters at most, they evicted each other,
/// every lookup of a new id read and checksummed them from the files, and the rate fell by
/// 16 %. Merged tables' filters and block indexes are pinned outside it.
const CACHE_BYTES: u64 = 8 * 1024 * 1024;
/// Ingested tables the first level gathers before they are merged into the next. Random ids
/// overlap every table of a level, so each such merge rewrites all of the next level: waiting
/// for 16 ingestions (1.8 million ids) rewrites it seldom. A lookup of a new id asks each of
/// their bloom filters. It must stay under the 20 tables at which fjall slows writes down (at
/// 30 it stops them until a merge, which this threshold would never start).
const L0_TABLES: u8 = 16;
/// Table size of merged tables; the level after the ingested ones holds `L0_TABLES` of them
/// (32 MiB). With fjall's default (64 MiB tables, 4 to a level: 256 MiB) that level held every
/// id up to ten million and each merge rewrote ever more of them.
const TABLE_BYTES: u64 = 2 * 1024 * 1024;
/// fjall's smallest journal bound; only `upto` is journalled.
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
    /// Held by a writer from its deduplication to its record.
    pending: Mutex<Pending>,
}

/// Ids recorded since the last ingestion.
#[derive(Default)]
struct Pending {
    ids: HashMap<[u8; 16], i64>,
    /// The highest `seq` recorded.
    upto: i64,
}

/// The one writer of the index, from deduplicating a batch to recording its new ids.
pub struct Writer<'a> {
    index: &'a IdIndex,
    pending: MutexGuard<'a, Pending>,
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

    /// The writer of the database: serialises its batches, each held from deduplicating to
    /// recording.
    pub fn writing(&self) -> Result<Writer<'_>, StoreError> {
        Ok(Writer {
            index: self,
            pending: self.pending.lock().map_err(index_error)?,
        })
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
        index.writing()?.catch_up(conn)?;
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
                // Bloom filters and block indexes of merged tables are pinned in memory at
                // every level (the filters take 10 bits an id): left to the block cache, each
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
            pending: Mutex::new(Pending::default()),
        })
    }

    /// The highest `seq` whose id is on disk.
    fn upto(&self) -> Result<u64, StoreError> {
        Ok(self
            .meta
            .get(UPTO)
            .map_err(index_error)?
            .and_then(|v| v.as_ref().try_into().ok().map(u64::from_be_bytes))
            .unwrap_or(0))
    }

    /// Writes `pending` as one table, then its `upto`; empties it once both are written.
    fn ingest(&self, pending: &mut Pending) -> Result<(), StoreError> {
        if pending.ids.is_empty() {
            return Ok(());
        }
        let mut sorted: Vec<([u8; 16], i64)> = pending.ids.iter().map(|(k, v)| (*k, *v)).collect();
        sorted.sort_unstable_by_key(|(id, _)| *id);
        let mut ingestion = self.ids.start_ingestion().map_err(index_error)?;
        for (id, seq) in &sorted {
            ingestion
                .write(id, seq.to_be_bytes())
                .map_err(index_error)?;
        }
        // The table and fjall's record of it are synced before `finish` returns, so `upto`
        // (journalled without a sync) never covers ids that are not on disk.
        ingestion.finish().map_err(index_error)?;
        self.meta
            .insert(UPTO, (pending.upto as u64).to_be_bytes())
            .map_err(index_error)?;
        pending.ids.clear();
        Ok(())
    }
}

impl Drop for IdIndex {
    /// Ingests the pending ids, so that the next open has none to catch up.
    fn drop(&mut self) {
        let pending = self.pending.get_mut().map(std::mem::take);
        let written = pending.map_err(index_error).and_then(|mut p| {
            self.ingest(&mut p)?;
            self.db.persist(PersistMode::SyncAll).map_err(index_error)
        });
        if let Err(error) = written {
            tracing::warn!(%error, "The id index will catch up at the next open.");
        }
    }
}

impl Writer<'_> {
    /// The `seq` of the row holding `id`, if one does.
    pub fn get(&self, id: &[u8; 16]) -> Result<Option<i64>, StoreError> {
        if let Some(seq) = self.pending.ids.get(id) {
            return Ok(Some(*seq));
        }
        Ok(self
            .index
            .ids
            .get(id)
            .map_err(index_error)?
            .and_then(|v| v.as_ref().try_into().ok().map(i64::from_be_bytes)))
    }

    /// Records the ids of rows a committed transaction inserted, `upto` the highest `seq` it
    /// wrote. A failed ingestion keeps the ids pending, to be ingested with the next batch.
    pub fn record(&mut self, inserted: &[([u8; 16], i64)], upto: i64) -> Result<(), StoreError> {
        let pending = &mut *self.pending;
        if pending.ids.capacity() == 0 {
            pending.ids.reserve(PENDING_IDS);
        }
        pending.ids.extend(inserted.iter().copied());
        pending.upto = pending.upto.max(upto);
        if pending.ids.len() >= PENDING_IDS {
            self.index.ingest(pending)?;
        }
        Ok(())
    }

    /// Records every row past the `upto` on disk, in chunks.
    fn catch_up(&mut self, conn: &Connection) -> Result<(), StoreError> {
        let mut from = self.index.upto()? as i64;
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
            tracing::info!(rows = caught, dir = %self.index.dir.display(), "Caught up the id index.");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
