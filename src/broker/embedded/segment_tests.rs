//! The log's segments: retention gives the disk back, a crash inside a pass is finished on
//! open, reads and resets span segments, and a data dir from before segments still opens.

use std::path::Path;

use super::tests::{config, drain_all, records_arc, reset_to_time};
use super::*;
use crate::broker::reset::ResetTarget;

/// Bytes on disk (as `du` counts them) of every file under `dir` but fjall's journal, which
/// fjall preallocates, rotates at 64 MB and evicts once its writes are flushed, whatever the
/// log's retention.
fn disk_bytes(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let mut total = 0;
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let meta = entry.metadata().unwrap();
        total += if meta.is_dir() {
            disk_bytes(&entry.path())
        } else if entry.path().extension().is_some_and(|e| e == "jnl") {
            0
        } else {
            meta.blocks() * 512
        };
    }
    total
}

/// One partition (or the log's own count when `None`) in segments of 100 bytes: with the
/// 10-byte payloads of `records_arc`, each append of ten records fills one.
fn tiny_segments(partitions: Option<u32>) -> EmbeddedConfig {
    let mut cfg = config(partitions);
    cfg.retention.segment_bytes = 100;
    cfg
}

/// `n` records of 1,000-byte payloads, keys from `first`.
fn big_records(first: u32, n: u32) -> Arc<[OutRecord]> {
    (first..first + n)
        .map(|i| OutRecord {
            key: format!("key-{i}"),
            payload: vec![b'x'; 1000],
        })
        .collect()
}

fn offsets(got: &[Delivery]) -> Vec<u64> {
    got.iter().map(|d| d.offset).collect()
}

#[tokio::test]
async fn retention_drops_whole_segments_and_gives_the_disk_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(Some(1));
    cfg.retention.segment_bytes = 256 * 1024;
    cfg.retention.max_bytes = Some(1024 * 1024);
    let b = EmbeddedBroker::open(dir.path(), cfg.clone()).unwrap();
    // 8 MB in appends of 20 KB: a segment is fourteen appends, 280 records.
    for batch in 0..400 {
        b.produce(big_records(batch * 20, 20)).await.unwrap();
    }
    let segments = b.inner.partitions[0].segment_bases().len();
    assert_eq!(segments, 29);
    b.commit(vec![(0, 8000)]).await.unwrap();
    // The size limit, the segment it cuts through and the newest, and fjall's own files (its
    // meta keyspace, which keeps a table per keyspace created until a restart; manifests).
    let bound = 1024 * 1024 + 2 * 256 * 1024 + 2 * 1024 * 1024;
    let settled = |over: bool| {
        let dir = dir.path().to_owned();
        async move {
            let deadline = std::time::Instant::now() + Duration::from_secs(20);
            loop {
                let bytes = disk_bytes(&dir);
                if (bytes > bound) == over || std::time::Instant::now() > deadline {
                    return bytes;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    // Full segments are flushed to tables as the next one opens.
    let before = settled(true).await;
    assert!(
        before > bound,
        "{before} bytes before retention, bound {bound}"
    );

    // Kept: the records starting at or after byte 8,000,000 - 1,048,576, offsets 6952 and up.
    assert_eq!(b.enforce_retention().await.unwrap(), 6952);
    let bases = b.inner.partitions[0].segment_bases();
    assert_eq!(bases, [6720, 7000, 7280, 7560, 7840]);
    let after = settled(false).await;
    assert!(
        after <= bound,
        "{after} bytes after retention, bound {bound}"
    );

    let kept = b.read_partition(0, 0).await.unwrap();
    assert_eq!(offsets(&kept), (6952..8000).collect::<Vec<_>>());
    drop(b);
    let b = EmbeddedBroker::open(dir.path(), cfg).unwrap();
    assert_eq!(b.inner.partitions[0].segment_bases(), bases);
    assert_eq!(offsets(&b.read_partition(0, 0).await.unwrap())[0], 6952);
    b.produce(big_records(8000, 1)).await.unwrap();
    let lag = b.lag().await.unwrap();
    assert_eq!((lag[0].committed, lag[0].high_watermark), (8000, 8001));
    assert_eq!(offsets(&b.poll(10, Duration::ZERO).await.unwrap()), [8000]);
}

#[tokio::test]
async fn a_crash_between_the_start_key_and_the_drop_is_finished_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = tiny_segments(Some(1));
    let b = EmbeddedBroker::open(dir.path(), cfg.clone()).unwrap();
    for batch in 1..6 {
        b.produce(records_arc(batch * 10..batch * 10 + 10))
            .await
            .unwrap();
    }
    assert_eq!(b.inner.partitions[0].segment_bases(), [0, 10, 20, 30, 40]);
    b.commit(vec![(0, 50)]).await.unwrap();
    // A pass synced the start key at offset 20 and the process died before dropping the two
    // segments below it.
    let value = b.inner.partitions[0].get(20).unwrap().unwrap();
    let mut start = 20u64.to_be_bytes().to_vec();
    start.extend_from_slice(&codec::decode(&value).unwrap().position.to_be_bytes());
    b.inner
        .meta
        .insert(start_key(DEFAULT_TOPIC, 0), start)
        .unwrap();
    drop(b);

    let b = EmbeddedBroker::open(dir.path(), cfg.clone()).unwrap();
    assert_eq!(b.inner.partitions[0].segment_bases(), [20, 30, 40]);
    let kept = b.read_partition(0, 0).await.unwrap();
    assert_eq!(offsets(&kept), (20..50).collect::<Vec<_>>());
    assert!(
        !b.inner
            .db
            .keyspace_exists(&format!("t.{DEFAULT_TOPIC}.0.{:020}", 0))
    );
    let lag = b.lag().await.unwrap();
    assert_eq!((lag[0].committed, lag[0].high_watermark), (50, 50));

    // A pass that drops segments, then a restart: same offsets, none reused.
    cfg.retention.max_bytes = Some(20);
    drop(b);
    let b = EmbeddedBroker::open(dir.path(), cfg.clone()).unwrap();
    assert_eq!(b.enforce_retention().await.unwrap(), 28);
    assert_eq!(b.inner.partitions[0].segment_bases(), [40]);
    drop(b);
    let b = EmbeddedBroker::open(dir.path(), cfg).unwrap();
    assert_eq!(offsets(&b.read_partition(0, 0).await.unwrap()), [48, 49]);
    b.produce(records_arc(60..62)).await.unwrap();
    assert_eq!(offsets(&drain_all(&b).await), [50, 51]);
}

#[tokio::test]
async fn resets_across_segment_boundaries_land_on_the_right_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = tiny_segments(Some(1));
    let b = EmbeddedBroker::open(dir.path(), cfg.clone()).unwrap();
    // Six appends of ten, one segment each, with the time between each two noted.
    let mut between = Vec::new();
    for batch in 1..7 {
        b.produce(records_arc(batch * 10..batch * 10 + 10))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(3)).await;
        between.push(chrono::Utc::now().timestamp_millis());
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    assert_eq!(b.inner.partitions[0].segment_bases().len(), 6);
    let first = drain_all(&b).await;
    assert_eq!(offsets(&first), (0..60).collect::<Vec<_>>());
    b.commit(vec![(0, 60)]).await.unwrap();

    for (k, ms) in between.iter().enumerate() {
        assert_eq!(
            reset_to_time(&b, *ms).await.new,
            10 * (k as u64 + 1),
            "after append {k}"
        );
    }
    assert_eq!(reset_to_time(&b, 0).await.new, 0);
    let plan = b.plan_reset(ResetTarget::Earliest, vec![]).await.unwrap();
    b.apply_reset(plan).await.unwrap();
    assert_eq!(drain_all(&b).await, first);

    // Retention cuts into the fourth segment: 35 go, three segments whole, then the start moves.
    b.commit(vec![(0, 60)]).await.unwrap();
    drop(b);
    cfg.retention.max_bytes = Some(250);
    let b = EmbeddedBroker::open(dir.path(), cfg).unwrap();
    assert_eq!(b.enforce_retention().await.unwrap(), 35);
    assert_eq!(b.inner.partitions[0].segment_bases(), [30, 40, 50]);
    let low = b.plan_reset(ResetTarget::Earliest, vec![]).await.unwrap();
    assert_eq!(low[0].new, 35);
    assert_eq!(reset_to_time(&b, 0).await.new, 35);
    assert_eq!(reset_to_time(&b, between[0]).await.new, 35);
    assert_eq!(reset_to_time(&b, between[3]).await.new, 40);
    b.apply_reset(low).await.unwrap();
    assert_eq!(offsets(&drain_all(&b).await), (35..60).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_data_dir_from_before_segments_opens_and_rolls_on() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = format!("t.{DEFAULT_TOPIC}.0");
    {
        // The layout before segments: one keyspace per partition, keyed by offset.
        let db = Database::builder(dir.path()).open().unwrap();
        let meta = db.keyspace("meta", KeyspaceCreateOptions::default).unwrap();
        meta.insert(format!("partitions.{DEFAULT_TOPIC}"), 1u64.to_be_bytes())
            .unwrap();
        meta.insert(offset_key("g", DEFAULT_TOPIC, 0), 5u64.to_be_bytes())
            .unwrap();
        let log = db
            .keyspace(&legacy, KeyspaceCreateOptions::default)
            .unwrap();
        for offset in 0..20u64 {
            let payload = format!("old-{offset:06}");
            let value = codec::encode(1_000 + offset, offset * 10, payload.as_bytes()).unwrap();
            log.insert(offset.to_be_bytes(), value).unwrap();
        }
        db.persist(PersistMode::SyncAll).unwrap();
    }
    let mut cfg = tiny_segments(None);
    let b = EmbeddedBroker::open(dir.path(), cfg.clone()).unwrap();
    let lag = b.lag().await.unwrap();
    assert_eq!((lag[0].committed, lag[0].high_watermark), (5, 20));
    let old = b.read_partition(0, 0).await.unwrap();
    assert_eq!(offsets(&old), (0..20).collect::<Vec<_>>());
    assert_eq!(old[7].payload, b"old-000007");
    assert_eq!(*b.inner.append_lock.lock().unwrap(), 1_019);

    // The old keyspace is full: the next append opens the first segment after it.
    b.produce(records_arc(10..20)).await.unwrap();
    assert_eq!(b.inner.partitions[0].segment_bases(), [0, 20]);
    let read = drain_all(&b).await;
    assert_eq!(offsets(&read), (5..30).collect::<Vec<_>>());
    b.commit(vec![(0, 30)]).await.unwrap();
    drop(b);

    // Retention drops the old keyspace whole, like any segment.
    cfg.retention.max_bytes = Some(100);
    let b = EmbeddedBroker::open(dir.path(), cfg.clone()).unwrap();
    assert_eq!(b.enforce_retention().await.unwrap(), 20);
    assert_eq!(b.inner.partitions[0].segment_bases(), [20]);
    assert!(!b.inner.db.keyspace_exists(&legacy));
    drop(b);
    let b = EmbeddedBroker::open(dir.path(), cfg).unwrap();
    let kept = b.read_partition(0, 0).await.unwrap();
    assert_eq!(offsets(&kept), (20..30).collect::<Vec<_>>());
}
