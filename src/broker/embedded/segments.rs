//! One partition of the log as a run of segments: fjall keyspaces that each hold a contiguous
//! range of offsets, named `t.{topic}.{p}.{base:020}` after the first offset they hold.
//!
//! Why segments: deleting records writes tombstones, and fjall frees their disk only when a
//! compaction rewrites the files, which under a `--rate max` run never catches up (and the
//! tombstones fill memtables and feed compactions of their own). Dropping a whole keyspace
//! (`Database::delete_keyspace`) frees its files at once. So retention writes no tombstones:
//! it moves the partition's start (the first offset kept, synced in `meta`), readers never
//! look below it, and every segment wholly below it is dropped. The segment the start falls
//! inside keeps its deleted records on disk until the start passes its end.
//!
//! Appends go to the newest segment; once it holds [`Retention::segment_bytes`] of payload the
//! next append opens a new one (with the current high watermark as its base) before writing.
//! A crash between the two leaves an empty newest segment, which the next append fills.
//! Retention never drops the newest segment, so an append never writes into a dropped one.
//!
//! A data dir written before segments has one keyspace `t.{topic}.{p}`; it reads as the
//! segment with base 0, and the first append past the segment size rolls on from it.
//!
//! [`Retention::segment_bytes`]: super::Retention::segment_bytes

use std::collections::BTreeMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};

use fjall::config::FilterPolicy;
use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode};
use tracing::warn;

use super::{codec, storage};
use crate::broker::{BrokerError, Delivery};

/// Which committed records a retention pass deletes: those older than `cutoff_ms` or starting
/// before byte position `keep_from`.
#[derive(Clone, Copy)]
pub(super) struct Limits {
    pub cutoff_ms: Option<u64>,
    pub keep_from: Option<u64>,
}

impl Limits {
    fn past(&self, appended_ms: u64, position: u64) -> bool {
        self.cutoff_ms.is_some_and(|c| appended_ms < c)
            || self.keep_from.is_some_and(|f| position < f)
    }
}

/// A segment's last record, without its payload.
struct Last {
    offset: u64,
    appended_ms: u64,
    position: u64,
    /// Byte position just past it.
    end: u64,
}

/// One partition of a topic.
pub(super) struct PartitionLog {
    /// `t.{topic}.{p}`: the legacy keyspace's name and the prefix of its segments' names.
    name: String,
    /// Segments by base offset; never empty.
    segments: RwLock<BTreeMap<u64, Keyspace>>,
    /// First offset kept: records below it are deleted, whether or not their segment is gone.
    start: AtomicU64,
    /// Byte position of the newest segment's first record.
    segment_start: AtomicU64,
    /// Offset the next record gets; readers see everything below it.
    pub high_watermark: AtomicU64,
    /// Bytes of payload appended before the next record.
    pub end_position: AtomicU64,
    /// Next offset the group reads; advanced by `commit`.
    pub committed: AtomicU64,
    /// Next offset `poll` hands out; ahead of `committed` while records are in flight.
    pub fetch_position: AtomicU64,
}

/// A segment's memtable: each partition's newest segment holds one, and one more while it is
/// flushed. At 2 MiB, three partitions hold about 12 MB at most; with 4 MiB a 1,000,000-user
/// run peaked 5 to 20 MB higher, and with 1 MiB it stored a tenth fewer records a second.
const MEMTABLE_BYTES: u64 = 2 * 1024 * 1024;

fn create_options() -> KeyspaceCreateOptions {
    // The log is read by offset ranges, which bloom filters never answer: building them cost
    // each flush its time and memory for nothing.
    KeyspaceCreateOptions::default()
        .max_memtable_size(MEMTABLE_BYTES)
        .filter_policy(FilterPolicy::disabled())
}

/// The first offset at or after `from` that `keyspace` holds.
fn first_offset(keyspace: &Keyspace, from: u64) -> Result<Option<u64>, BrokerError> {
    match keyspace.range(from.to_be_bytes()..).next() {
        Some(guard) => Ok(Some(codec::read_u64(&guard.key().map_err(storage)?))),
        None => Ok(None),
    }
}

fn last_record(keyspace: &Keyspace) -> Result<Option<Last>, BrokerError> {
    let Some(guard) = keyspace.last_key_value() else {
        return Ok(None);
    };
    let (k, v) = guard.into_inner().map_err(storage)?;
    let rec = codec::decode(&v).map_err(storage)?;
    Ok(Some(Last {
        offset: codec::read_u64(&k),
        appended_ms: rec.appended_ms,
        position: rec.position,
        end: rec.position + rec.payload.len() as u64,
    }))
}

impl PartitionLog {
    /// Opens partition `name` (`t.{topic}.{p}`) with `start` = the meta key's
    /// `(offset, position)` where retention last cut it, and `committed` = the group's stored
    /// offset. Drops segments wholly below `start`, left by a crash inside a retention pass.
    pub fn open(
        db: &Database,
        name: String,
        start: (u64, u64),
        committed: u64,
    ) -> Result<PartitionLog, BrokerError> {
        let prefix = format!("{name}.");
        let mut segments = BTreeMap::new();
        for found in db.list_keyspace_names() {
            let base = if *found == *name {
                Some(0)
            } else {
                found
                    .strip_prefix(&prefix)
                    .filter(|b| b.len() == 20)
                    .and_then(|b| b.parse::<u64>().ok())
            };
            if let Some(base) = base {
                segments.insert(base, db.keyspace(&found, create_options).map_err(storage)?);
            }
        }
        let below: Vec<u64> = segments
            .keys()
            .zip(segments.keys().skip(1))
            .filter(|&(_, next)| *next <= start.0)
            .map(|(base, _)| *base)
            .collect();
        for base in below {
            if let Some(keyspace) = segments.remove(&base) {
                db.delete_keyspace(keyspace).map_err(storage)?;
            }
        }
        if segments.is_empty() {
            let keyspace = db
                .keyspace(&segment_name(&name, start.0), create_options)
                .map_err(storage)?;
            segments.insert(start.0, keyspace);
        }
        let mut end = None;
        for keyspace in segments.values().rev() {
            if let Some(last) = last_record(keyspace)? {
                end = Some((last.offset + 1, last.end));
                break;
            }
        }
        let (high_watermark, end_position) = end.unwrap_or(start);
        let newest = segments.values().next_back();
        let segment_start = match newest.and_then(|k| k.first_key_value()) {
            Some(guard) => {
                let (_, v) = guard.into_inner().map_err(storage)?;
                codec::decode(&v).map_err(storage)?.position
            }
            None => end_position,
        };
        let log = PartitionLog {
            name,
            segments: RwLock::new(segments),
            start: AtomicU64::new(start.0),
            segment_start: AtomicU64::new(segment_start),
            high_watermark: AtomicU64::new(high_watermark),
            end_position: AtomicU64::new(end_position),
            committed: AtomicU64::new(0),
            fetch_position: AtomicU64::new(0),
        };
        let committed = committed.max(log.low_watermark()?.unwrap_or(high_watermark));
        log.committed.store(committed, SeqCst);
        log.fetch_position.store(committed, SeqCst);
        Ok(log)
    }

    /// The segments, oldest first, as handles that stay readable if retention drops them.
    fn snapshot(&self) -> Result<Vec<(u64, Keyspace)>, BrokerError> {
        let segments = self.segments.read().map_err(storage)?;
        Ok(segments.iter().map(|(b, k)| (*b, k.clone())).collect())
    }

    /// The segments' base offsets, oldest first, for tests.
    #[cfg(test)]
    pub fn segment_bases(&self) -> Vec<u64> {
        self.segments
            .read()
            .map(|s| s.keys().copied().collect())
            .unwrap_or_default()
    }

    /// The segment the next append writes to: the newest one, or a new one once the newest
    /// holds `segment_bytes` of payload. Called under the append lock only.
    pub fn append_target(
        &self,
        db: &Database,
        segment_bytes: u64,
    ) -> Result<Keyspace, BrokerError> {
        let (base, newest) = {
            let segments = self.segments.read().map_err(storage)?;
            let (base, newest) = segments
                .last_key_value()
                .ok_or_else(|| BrokerError::Fatal(format!("{} has no segment", self.name)))?;
            (*base, newest.clone())
        };
        let high = self.high_watermark.load(SeqCst);
        let end = self.end_position.load(SeqCst);
        if high == base || end.saturating_sub(self.segment_start.load(SeqCst)) < segment_bytes {
            return Ok(newest);
        }
        let next = db
            .keyspace(&segment_name(&self.name, high), create_options)
            .map_err(storage)?;
        self.segments
            .write()
            .map_err(storage)?
            .insert(high, next.clone());
        self.segment_start.store(end, SeqCst);
        // The full segment's tail would sit in its memtable, and pin the journal, until
        // retention dropped it; flushing it now lets the journal go.
        if let Err(error) = newest.rotate_memtable() {
            warn!(%error, segment = %newest.name(), "Could not flush a full log segment.");
        }
        Ok(next)
    }

    /// The stored value of record `offset`, if it is kept.
    pub fn get(&self, offset: u64) -> Result<Option<fjall::Slice>, BrokerError> {
        if offset < self.start.load(SeqCst) {
            return Ok(None);
        }
        let keyspace = {
            let segments = self.segments.read().map_err(storage)?;
            segments
                .range(..=offset)
                .next_back()
                .map(|(_, k)| k.clone())
        };
        match keyspace {
            Some(k) => k.get(offset.to_be_bytes()).map_err(storage),
            None => Ok(None),
        }
    }

    /// The first offset kept, if any.
    pub fn low_watermark(&self) -> Result<Option<u64>, BrokerError> {
        let start = self.start.load(SeqCst);
        for (_, keyspace) in self.snapshot()? {
            if let Some(offset) = first_offset(&keyspace, start)? {
                return Ok(Some(offset));
            }
        }
        Ok(None)
    }

    /// The last record's append time, if any is on disk (deleted or not: append times never
    /// decrease, so the next append must not go below it).
    pub fn last_appended_ms(&self) -> Result<Option<u64>, BrokerError> {
        for (_, keyspace) in self.snapshot()?.iter().rev() {
            if let Some(last) = last_record(keyspace)? {
                return Ok(Some(last.appended_ms));
            }
        }
        Ok(None)
    }

    /// Up to `max` records of offsets `from..to`, as deliveries of partition `p`.
    pub fn read_range(
        &self,
        p: u32,
        from: u64,
        to: u64,
        max: usize,
    ) -> Result<Vec<Delivery>, BrokerError> {
        let mut out = Vec::new();
        self.read_into(p, from, to, max, &mut out)?;
        Ok(out)
    }

    /// Appends up to `max` records of offsets `from..to` to `out`, as deliveries of partition
    /// `p`; returns how many.
    pub fn read_into(
        &self,
        p: u32,
        from: u64,
        to: u64,
        max: usize,
        out: &mut Vec<Delivery>,
    ) -> Result<usize, BrokerError> {
        let before = out.len();
        let from = from.max(self.start.load(SeqCst));
        if from >= to {
            return Ok(0);
        }
        let covering: Vec<Keyspace> = {
            let segments = self.segments.read().map_err(storage)?;
            let first = segments.range(..=from).next_back().map_or(0, |(b, _)| *b);
            segments.range(first..to).map(|(_, k)| k.clone()).collect()
        };
        for keyspace in covering {
            for guard in keyspace.range(from.to_be_bytes()..to.to_be_bytes()) {
                if out.len() - before >= max {
                    return Ok(max);
                }
                let (k, v) = guard.into_inner().map_err(storage)?;
                let rec = codec::decode(&v).map_err(storage)?;
                out.push(Delivery {
                    partition: p,
                    offset: codec::read_u64(&k),
                    payload: rec.payload.to_vec(),
                    claim: 0,
                });
            }
        }
        Ok(out.len() - before)
    }

    /// Deletes the records below `committed` that `limits` condemn, oldest first; returns how
    /// many. The new start, the first offset kept and its byte position, is synced to
    /// `start_key` in `meta` before any reader sees it, and the segments wholly below it are
    /// dropped after; no record is rewritten or tombstoned.
    pub fn cut(
        &self,
        db: &Database,
        meta: &Keyspace,
        start_key: String,
        committed: u64,
        limits: Limits,
    ) -> Result<u64, BrokerError> {
        let from = self.start.load(SeqCst);
        let segments = self.snapshot()?;
        let newest = segments.last().map(|(b, _)| *b);
        let mut kept = None;
        let mut dropped = Vec::new();
        for (base, keyspace) in &segments {
            if Some(*base) != newest {
                let Some(last) = last_record(keyspace)? else {
                    dropped.push(*base);
                    continue;
                };
                // Append times and positions never decrease, so the last record being past
                // the limits means every record of the segment is.
                if last.offset < committed && limits.past(last.appended_ms, last.position) {
                    kept = Some((last.offset + 1, last.end));
                    dropped.push(*base);
                    continue;
                }
            }
            for guard in keyspace.range(from.max(*base).to_be_bytes()..) {
                let (k, v) = guard.into_inner().map_err(storage)?;
                let offset = codec::read_u64(&k);
                let rec = codec::decode(&v).map_err(storage)?;
                if offset >= committed || !limits.past(rec.appended_ms, rec.position) {
                    break;
                }
                kept = Some((offset + 1, rec.position + rec.payload.len() as u64));
            }
            break;
        }
        let mut deleted = 0;
        if let Some((offset, position)) = kept {
            let mut start = offset.to_be_bytes().to_vec();
            start.extend_from_slice(&position.to_be_bytes());
            let mut batch = db.batch().durability(Some(PersistMode::SyncData));
            batch.insert(meta, start_key, start);
            batch.commit().map_err(storage)?;
            self.start.store(offset, SeqCst);
            deleted = offset.saturating_sub(from);
        }
        for base in dropped {
            let removed = self.segments.write().map_err(storage)?.remove(&base);
            if let Some(keyspace) = removed {
                db.delete_keyspace(keyspace).map_err(storage)?;
            }
        }
        Ok(deleted)
    }
}

fn segment_name(partition: &str, base: u64) -> String {
    format!("{partition}.{base:020}")
}
