//! rdkafka's in-process mock cluster, with the pipeline's topic and its dead-letter topic.

use rdkafka::mocking::MockCluster;

/// The topic the tests produce to.
pub const TOPIC: &str = userstream::broker::DEFAULT_TOPIC;

pub type Cluster = MockCluster<'static, rdkafka::producer::DefaultProducerContext>;

/// A one-broker mock cluster holding `TOPIC` with `partitions` and its dead-letter topic.
pub fn cluster(partitions: i32) -> Cluster {
    let cluster = MockCluster::new(1).unwrap();
    // The mock cluster cannot create topics through the admin API; make them up front.
    cluster.create_topic(TOPIC, partitions, 1).unwrap();
    cluster
        .create_topic(&userstream::broker::dlq_topic(TOPIC), 1, 1)
        .unwrap();
    cluster
}
