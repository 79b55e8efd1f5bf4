use super::*;
use crate::broker::reset::ResetTarget;

pub(super) fn config(partitions: Option<u32>) -> EmbeddedConfig {
    EmbeddedConfig {
        group: "g".into(),
        partitions,
        retention: Retention::default(),
        ..EmbeddedConfig::default()
    }
}

/// The plan of a reset of the one partition to the time `ms`.
pub(super) async fn reset_to_time(b: &EmbeddedBroker, ms: i64) -> ResetRow {
    b.plan_reset(ResetTarget::Datetime(ms), vec![])
        .await
        .unwrap()[0]
}

fn records(range: std::ops::Range<u32>) -> Vec<OutRecord> {
    range
        .map(|i| OutRecord {
            key: format!("key-{i}"),
            payload: format!("payload-{i}").into_bytes(),
        })
        .collect()
}

pub(super) fn records_arc(range: std::ops::Range<u32>) -> Arc<[OutRecord]> {
    records(range).into()
}

pub(super) async fn drain_all(b: &EmbeddedBroker) -> Vec<Delivery> {
    let mut all = Vec::new();
    loop {
        let got = b.poll(1000, Duration::from_millis(10)).await.unwrap();
        if got.is_empty() {
            return all;
        }
        all.extend(got);
    }
}

#[tokio::test]
async fn produce_poll_commit_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let b = EmbeddedBroker::open(dir.path(), config(Some(3))).unwrap();
    b.produce(records_arc(0..300)).await.unwrap();
    let lag = b.lag().await.unwrap();
    assert_eq!(lag.iter().map(|p| p.high_watermark).sum::<u64>(), 300);
    assert_eq!(lag.iter().map(|p| p.lag).sum::<u64>(), 300);
    assert!(lag.iter().all(|p| p.high_watermark > 50), "{lag:?}");

    let got = drain_all(&b).await;
    assert_eq!(got.len(), 300);
    // Offsets are dense and ordered per partition.
    for p in 0..3 {
        let offsets: Vec<u64> = got
            .iter()
            .filter(|d| d.partition == p)
            .map(|d| d.offset)
            .collect();
        assert_eq!(offsets, (0..offsets.len() as u64).collect::<Vec<_>>());
    }
    // Commit only partition 0; the others replay after a restart.
    let p0 = lag[0].high_watermark;
    b.commit(vec![(0, p0)]).await.unwrap();
    drop(b);

    let b = EmbeddedBroker::open(dir.path(), config(None)).unwrap();
    assert_eq!(b.partition_count(), 3);
    let lag = b.lag().await.unwrap();
    assert_eq!(lag[0].lag, 0);
    assert_eq!(lag[0].committed, p0);
    let replayed = drain_all(&b).await;
    assert_eq!(replayed.len() as u64, 300 - p0);
    assert!(replayed.iter().all(|d| d.partition != 0));
    // Appends continue after the old high watermark.
    b.produce(records_arc(300..301)).await.unwrap();
    let hw: u64 = b
        .lag()
        .await
        .unwrap()
        .iter()
        .map(|p| p.high_watermark)
        .sum();
    assert_eq!(hw, 301);
}

#[tokio::test]
async fn a_different_partition_count_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(EmbeddedBroker::open(dir.path(), config(Some(3))).unwrap());
    let err = EmbeddedBroker::open(dir.path(), config(Some(5)))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("has 3 partitions"), "{err}");
}

#[tokio::test]
async fn poll_wakes_up_when_records_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let b = EmbeddedBroker::open(dir.path(), config(Some(1))).unwrap();
    let producer = b.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        producer.produce(records_arc(0..1)).await.unwrap();
    });
    let got = b.poll(10, Duration::from_secs(5)).await.unwrap();
    assert_eq!(got.len(), 1);
}

#[tokio::test]
async fn dead_letters_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let b = EmbeddedBroker::open(dir.path(), config(Some(1))).unwrap();
    let letter = DeadLetter {
        rule: "decode".into(),
        reason: "not JSON".into(),
        payload: None,
        payload_base64: Some("//4=".into()),
        origin: crate::model::Origin {
            topic: "users_created".into(),
            partition: 0,
            offset: 9,
        },
        failed_at: "2026-01-01T00:00:00Z".into(),
    };
    b.dead_letter(vec![letter.clone()]).await.unwrap();
    assert_eq!(b.read_dead_letters(10).await.unwrap(), vec![letter]);
}

/// One partition that keeps the last 100 bytes (ten records), holding the 90 ten-byte
/// records "payload-10".."payload-99", none committed; and its config, to reopen it.
async fn ninety_records_keeping_100_bytes(
    dir: &std::path::Path,
) -> (EmbeddedBroker, EmbeddedConfig) {
    let mut cfg = config(Some(1));
    cfg.retention.max_bytes = Some(100);
    let b = EmbeddedBroker::open(dir, cfg.clone()).unwrap();
    b.produce(records_arc(10..100)).await.unwrap();
    (b, cfg)
}

#[tokio::test]
async fn retention_deletes_only_what_the_group_committed() {
    let dir = tempfile::tempdir().unwrap();
    let (b, cfg) = ninety_records_keeping_100_bytes(dir.path()).await;
    // Nothing is committed: nothing may go, however far over the limit the log is.
    assert_eq!(b.enforce_retention().await.unwrap(), 0);
    assert_eq!(b.lag().await.unwrap()[0].lag, 90);
    b.commit(vec![(0, 50)]).await.unwrap();
    assert_eq!(b.enforce_retention().await.unwrap(), 50);
    let left = b.read_partition(0, 0).await.unwrap();
    assert_eq!(left.len(), 40);
    assert_eq!(left[0].offset, 50);
    assert_eq!(b.lag().await.unwrap()[0].lag, 40);
    // Once everything is committed, the size limit applies in full.
    b.commit(vec![(0, 90)]).await.unwrap();
    assert_eq!(b.enforce_retention().await.unwrap(), 30);
    assert_eq!(b.read_partition(0, 0).await.unwrap()[0].offset, 80);
    drop(b);
    let b = EmbeddedBroker::open(dir.path(), cfg).unwrap();
    assert_eq!(b.lag().await.unwrap()[0].lag, 0);
}

/// Retention inside a segment only moves the partition's start: the deleted records stay on
/// disk, untouched, until their segment goes, but no reader finds them, before a restart or
/// after.
#[tokio::test]
async fn records_retention_deleted_are_never_read_though_their_segment_stays() {
    let dir = tempfile::tempdir().unwrap();
    let (b, cfg) = ninety_records_keeping_100_bytes(dir.path()).await;
    b.commit(vec![(0, 90)]).await.unwrap();
    assert_eq!(b.enforce_retention().await.unwrap(), 80);
    // A second pass finds nothing more to delete.
    assert_eq!(b.enforce_retention().await.unwrap(), 0);
    let mut b = Some(b);
    for _restart in 0..2 {
        let b = b
            .take()
            .unwrap_or_else(|| EmbeddedBroker::open(dir.path(), cfg.clone()).unwrap());
        let part = &b.inner.partitions[0];
        assert_eq!(part.segment_bases(), [0]);
        let on_disk = b
            .inner
            .db
            .keyspace(&format!("t.{DEFAULT_TOPIC}.0.{:020}", 0), || {
                KeyspaceCreateOptions::default()
            });
        assert_eq!(
            on_disk.unwrap().iter().count(),
            90,
            "no record is rewritten"
        );
        assert_eq!(part.get(79).unwrap(), None);
        assert!(part.get(80).unwrap().is_some());
        assert_eq!(part.low_watermark().unwrap(), Some(80));
        let kept = b.read_partition(0, 0).await.unwrap();
        assert_eq!(kept.iter().map(|d| d.offset).min(), Some(80));
        assert_eq!(kept.len(), 10);
        assert_eq!(reset_to_time(&b, 0).await.new, 80);
        let plan = b.plan_reset(ResetTarget::Earliest, vec![]).await.unwrap();
        assert_eq!(b.apply_reset(plan).await.unwrap()[0].new, 80);
        let again = drain_all(&b).await;
        assert_eq!(again.first().map(|d| d.offset), Some(80));
        b.commit(vec![(0, 90)]).await.unwrap();
    }
}

#[tokio::test]
async fn retention_by_age_keeps_recent_and_uncommitted_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(Some(1));
    cfg.retention.max_age = Some(Duration::from_secs(3600));
    let b = EmbeddedBroker::open(dir.path(), cfg).unwrap();
    b.produce(records_arc(0..10)).await.unwrap();
    b.commit(vec![(0, 6)]).await.unwrap();
    assert_eq!(b.enforce_retention().await.unwrap(), 0);
    let inner = b.inner.clone();
    let later = chrono::Utc::now().timestamp_millis() + 2 * 3600 * 1000;
    assert_eq!(inner.enforce_retention(later).unwrap(), 6);
    assert_eq!(b.lag().await.unwrap()[0].lag, 4);
}

#[tokio::test]
async fn offsets_are_never_reused_after_retention_empties_a_partition() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(Some(1));
    cfg.retention.max_bytes = Some(1);
    let b = EmbeddedBroker::open(dir.path(), cfg.clone()).unwrap();
    b.produce(records_arc(10..20)).await.unwrap();
    b.commit(vec![(0, 10)]).await.unwrap();
    assert_eq!(b.enforce_retention().await.unwrap(), 10);
    assert!(b.read_partition(0, 0).await.unwrap().is_empty());
    drop(b);
    let b = EmbeddedBroker::open(dir.path(), cfg).unwrap();
    let lag = b.lag().await.unwrap();
    assert_eq!((lag[0].committed, lag[0].high_watermark), (10, 10));
    b.produce(records_arc(20..23)).await.unwrap();
    let got = b.poll(100, Duration::from_millis(100)).await.unwrap();
    let offsets: Vec<u64> = got.iter().map(|d| d.offset).collect();
    assert_eq!(offsets, [10, 11, 12]);
}

#[tokio::test]
async fn a_reset_to_earliest_rereads_everything_and_a_plan_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let b = EmbeddedBroker::open(dir.path(), config(Some(2))).unwrap();
    b.produce(records_arc(0..100)).await.unwrap();
    let first = drain_all(&b).await;
    let ends: Vec<(u32, u64)> = b
        .lag()
        .await
        .unwrap()
        .iter()
        .map(|p| (p.partition, p.high_watermark))
        .collect();
    b.commit(ends.clone()).await.unwrap();

    let plan = b.plan_reset(ResetTarget::Earliest, vec![]).await.unwrap();
    assert_eq!(plan.len(), 2);
    assert!(
        plan.iter()
            .all(|r| r.new == 0 && r.current == r.high_watermark)
    );
    assert_eq!(plan.iter().map(|r| r.lag_after).sum::<u64>(), 100);
    // A plan alone moves nothing.
    assert!(b.lag().await.unwrap().iter().all(|p| p.lag == 0));
    assert!(drain_all(&b).await.is_empty());

    b.apply_reset(plan).await.unwrap();
    assert_eq!(
        b.lag().await.unwrap().iter().map(|p| p.lag).sum::<u64>(),
        100
    );
    let again = drain_all(&b).await;
    assert_eq!(again, first);
    // The reset is durable: a restart starts from it too.
    drop(b);
    let b = EmbeddedBroker::open(dir.path(), config(None)).unwrap();
    assert_eq!(drain_all(&b).await.len(), 100);

    // Latest skips everything; one partition only leaves the other alone.
    let plan = b.plan_reset(ResetTarget::Latest, vec![1]).await.unwrap();
    assert_eq!(plan.len(), 1);
    b.apply_reset(plan).await.unwrap();
    let lag = b.lag().await.unwrap();
    assert_eq!((lag[0].committed, lag[1].lag), (0, 0));
    let err = b
        .plan_reset(ResetTarget::Earliest, vec![2])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("partitions 0 to 1"), "{err}");
}

#[tokio::test]
async fn a_reset_to_a_time_lands_on_the_first_record_at_or_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let b = EmbeddedBroker::open(dir.path(), config(Some(1))).unwrap();
    b.produce(records_arc(0..10)).await.unwrap();
    // Milliseconds are the index's unit: the second batch gets a later one.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let between = chrono::Utc::now().timestamp_millis();
    tokio::time::sleep(Duration::from_millis(5)).await;
    b.produce(records_arc(10..15)).await.unwrap();
    b.commit(vec![(0, 15)]).await.unwrap();
    let row = reset_to_time(&b, between).await;
    assert_eq!((row.current, row.new, row.lag_after), (15, 10, 5));
    assert_eq!(reset_to_time(&b, 0).await.new, 0);
    assert_eq!(reset_to_time(&b, i64::MAX).await.new, 15);

    // Retention and a restart keep the index: offsets 0..4 go, the search starts at 4.
    b.commit(vec![(0, 4)]).await.unwrap();
    let mut cfg = config(None);
    cfg.retention.max_bytes = Some(110);
    drop(b);
    let b = EmbeddedBroker::open(dir.path(), cfg).unwrap();
    assert!(b.enforce_retention().await.unwrap() > 0);
    let low = b.read_partition(0, 0).await.unwrap()[0].offset;
    let plan = b
        .plan_reset(ResetTarget::Datetime(0), vec![])
        .await
        .unwrap();
    assert_eq!(plan[0].new, low);
    let plan = b
        .plan_reset(ResetTarget::Datetime(between), vec![])
        .await
        .unwrap();
    assert_eq!(plan[0].new, 10);
}

#[tokio::test]
async fn append_times_never_go_back() {
    let dir = tempfile::tempdir().unwrap();
    let b = EmbeddedBroker::open(dir.path(), config(Some(1))).unwrap();
    b.produce(records_arc(0..3)).await.unwrap();
    // A clock that stepped back: the last time given was far in the future.
    let ahead = chrono::Utc::now().timestamp_millis() as u64 + 3_600_000;
    *b.inner.append_lock.lock().unwrap() = ahead;
    b.produce(records_arc(3..4)).await.unwrap();
    let time = |o: u64| {
        let v = b.inner.partitions[0].get(o).unwrap().unwrap();
        codec::decode(&v).unwrap().appended_ms
    };
    assert!(time(2) <= time(3));
    assert_eq!(time(3), ahead);
    // The last time survives a restart.
    drop(b);
    let b = EmbeddedBroker::open(dir.path(), config(None)).unwrap();
    assert_eq!(*b.inner.append_lock.lock().unwrap(), ahead);
}

/// The console plans a reset, and retention deletes records before the key that applies it:
/// the reset lands on the first offset still kept and says so in the rows it returns; once
/// applied, retention leaves the records the group is to read again alone.
#[tokio::test]
async fn a_reset_into_records_retention_deleted_lands_on_the_first_kept_offset() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = ninety_records_keeping_100_bytes(dir.path()).await;
    b.commit(vec![(0, 90)]).await.unwrap();

    let plan = b.plan_reset(ResetTarget::Earliest, vec![]).await.unwrap();
    assert_eq!((plan[0].new, plan[0].lag_after), (0, 90));
    assert_eq!(b.enforce_retention().await.unwrap(), 80);

    let applied = b.apply_reset(plan).await.unwrap();
    assert_eq!(applied.len(), 1);
    let row = applied[0];
    assert_eq!(
        (row.current, row.new, row.high_watermark, row.lag_after),
        (90, 80, 90, 10)
    );
    assert_eq!(b.lag().await.unwrap()[0].lag, 10);
    // Uncommitted again: retention keeps them, and they are all read.
    assert_eq!(b.enforce_retention().await.unwrap(), 0);
    let again = drain_all(&b).await;
    let offsets: Vec<u64> = again.iter().map(|d| d.offset).collect();
    assert_eq!(offsets, (80..90).collect::<Vec<_>>());

    // A plan retention did not touch applies as it is.
    b.commit(vec![(0, 90)]).await.unwrap();
    let plan = b.plan_reset(ResetTarget::Offset(85), vec![]).await.unwrap();
    assert_eq!(b.apply_reset(plan.clone()).await.unwrap(), plan);
}
