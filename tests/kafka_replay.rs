//! Offset resets on librdkafka's mock cluster: a process outside the group (what
//! `userstream reset-offsets --execute` is) moves the offsets of a group without members, and a
//! running pipeline resets its own group to earliest and reads every record again as
//! duplicates, rows and aggregates unchanged. The same replay runs on tansu in
//! `tests/kafka_tansu.rs`. The mock cluster answers ListOffsets by time with "no offset", so
//! `--to-datetime` is tested on tansu only.

mod support;

use std::time::Duration;

use support::kafka_replay::{fill, reset_running_pipeline_to_earliest, totals};
use support::mock_kafka::{TOPIC, cluster};
use userstream::broker::kafka::KafkaConfig;
use userstream::broker::reset::ResetTarget;
use userstream::broker::{Broker, KafkaBroker};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_to_earliest_replays_every_record_as_duplicates() {
    const RECORDS: u64 = 3000;
    let cluster = cluster(3);
    let config = |group: &str| KafkaConfig {
        ack_stall: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        ..KafkaConfig::new(&cluster.bootstrap_servers(), TOPIC, group)
    };
    let dir = tempfile::tempdir().unwrap();
    fill(config("fill"), dir.path(), RECORDS).await;

    // A group no member ever joined (the mock cluster refuses a non-member's commit to any
    // group that once had members, even an empty one): a stranger moves its offsets.
    let stranger = KafkaBroker::connect(config("replay")).await.unwrap();
    assert_eq!(totals(&stranger).await, (0, RECORDS, RECORDS));
    let plan = stranger
        .plan_reset(ResetTarget::Latest, vec![])
        .await
        .unwrap();
    assert!(
        plan.iter()
            .all(|r| r.current == 0 && r.new == r.high_watermark)
    );
    // Planning is a dry run.
    assert_eq!(totals(&stranger).await, (0, RECORDS, RECORDS));
    stranger.apply_reset(plan).await.unwrap();
    assert_eq!(totals(&stranger).await, (RECORDS, RECORDS, 0));
    drop(stranger);

    reset_running_pipeline_to_earliest(config("replay"), dir.path(), RECORDS).await;
}
