use super::*;

fn config(partitions: Option<u32>) -> EmbeddedConfig {
    EmbeddedConfig {
        group: "g".into(),
        partitions,
        retention: Retention::default(),
        ..EmbeddedConfig::default()
    }
}

fn records(range: std::ops::Range<u32>) -> Vec<OutRecord> {
    range
        .map(|i| OutRecord {
            key: format!("key-{i}"),
            payload: format!("payload-{i}").into_bytes(),
        })
        .collect()
}

fn records_arc(range: std::ops::Range<u32>) -> Arc<[OutRecord]> {
    records(range).into()
}

async fn drain_all(b: &EmbeddedBroker) -> Vec<Delivery> {
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

#[tokio::test]
async fn retention_deletes_only_what_the_group_committed() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(Some(1));
    // Each payload is 10 bytes ("payload-10".."payload-99"); keep the last 100 bytes.
    cfg.retention.max_bytes = Some(100);
    let b = EmbeddedBroker::open(dir.path(), cfg.clone()).unwrap();
    b.produce(records_arc(10..100)).await.unwrap();
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
