//! What `GET /metrics` shows. Every number is read from [`Stats`] while the scrape is encoded
//! (a few hundred atomic loads and two short locks), so the pipeline does no metric work per
//! record and a scrape never waits for a stage.

use std::fmt;
use std::sync::Arc;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Unit;

use crate::stats::{
    FetchErrorKind, Histogram, Stage, StageState, Stats, peak_rss_bytes, rss_bytes,
};

/// Bounds of the latency and duration histograms, in microseconds (0.5 ms to 60 s).
const MICROS_BOUNDS: [u64; 16] = [
    500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000,
    2_500_000, 5_000_000, 10_000_000, 30_000_000, 60_000_000,
];

/// Bounds of the batch size histograms, in records.
const RECORD_BOUNDS: [u64; 11] = [1, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000];

/// Labels of `userstream_build_info`, fixed at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildInfo {
    pub version: String,
    /// `synthetic` or `randomuser`.
    pub source: String,
    /// `embedded` or `kafka`.
    pub broker: String,
    /// `embedded` or `cassandra`.
    pub store: String,
    /// `all`, `ingest` or `process`.
    pub role: String,
}

/// Encodes the pipeline's [`Stats`] on every scrape.
#[derive(Debug)]
pub struct PipelineCollector {
    stats: Arc<Stats>,
    build: BuildInfo,
}

impl PipelineCollector {
    /// A collector of `stats`, labelled with `build`.
    pub fn new(stats: Arc<Stats>, build: BuildInfo) -> PipelineCollector {
        PipelineCollector { stats, build }
    }
}

/// The `stage` label of `userstream_records_total` and the count behind it.
fn records(stats: &Stats) -> [(&'static str, u64); 6] {
    use std::sync::atomic::Ordering::Relaxed;
    [
        ("fetched", stats.stage(Stage::Source).count()),
        ("produced", stats.stage(Stage::Produce).count()),
        ("consumed", stats.stage(Stage::Log).count()),
        ("stored", stats.stage(Stage::Store).count()),
        ("duplicates", stats.duplicates.load(Relaxed)),
        ("dead_lettered", stats.dead_lettered.load(Relaxed)),
    ]
}

fn gauge(v: u64) -> ConstGauge<u64> {
    ConstGauge::new(v)
}

fn counter(v: u64) -> ConstCounter<u64> {
    ConstCounter::new(v)
}

/// Encodes `h` as a histogram, its values divided by `scale` (1e6 turns µs into seconds).
fn histogram(
    mut metric: prometheus_client::encoding::MetricEncoder<'_>,
    h: &Histogram,
    bounds: &[u64],
    scale: f64,
) -> fmt::Result {
    let exported = h.export(bounds);
    let buckets: Vec<(f64, u64)> = bounds
        .iter()
        .zip(exported.buckets)
        .map(|(bound, n)| (*bound as f64 / scale, n))
        .collect();
    metric.encode_histogram::<NoLabelSet>(
        exported.sum as f64 / scale,
        exported.count,
        &buckets,
        None,
    )
}

impl Collector for PipelineCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> fmt::Result {
        let s = &self.stats;
        let mut m = encoder.encode_descriptor(
            "records",
            "Records through each stage: fetched from the source, produced to and consumed from \
             the topic, stored as new rows, skipped as already stored, dead-lettered.",
            None,
            MetricType::Counter,
        )?;
        for (stage, n) in records(s) {
            counter(n).encode(m.encode_family(&[("stage", stage)])?)?;
        }

        let mut m = encoder.encode_descriptor(
            "fetch_errors",
            "Failed fetches from the source, by kind of failure.",
            None,
            MetricType::Counter,
        )?;
        for kind in FetchErrorKind::ALL {
            counter(s.fetch_errors(kind)).encode(m.encode_family(&[("kind", kind.as_str())])?)?;
        }

        let mut m = encoder.encode_descriptor(
            "consumer_events",
            "Consumer group events of processing: `paused` when the store fell behind and the \
             partitions were paused while polling went on, `commit_refused` when the group had \
             moved on and a commit was dropped (its records are read again), `taken_over` when \
             the store refused a partition's records because another writer had taken the \
             partition over (they are not committed; the new owner stores them).",
            None,
            MetricType::Counter,
        )?;
        for (event, n) in [
            ("paused", &s.consumer_holds),
            ("commit_refused", &s.commits_refused),
            ("taken_over", &s.partitions_taken_over),
        ] {
            let n = n.load(std::sync::atomic::Ordering::Relaxed);
            counter(n).encode(m.encode_family(&[("event", event)])?)?;
        }

        let source_state = s.stage(Stage::Source).state();
        let mut m = encoder.encode_descriptor(
            "source_state",
            "1 for the state the source is in (ok, backoff, circuit_open, ...), 0 for the others.",
            None,
            MetricType::Gauge,
        )?;
        for state in StageState::ALL {
            let on = u64::from(state == source_state);
            gauge(on).encode(m.encode_family(&[("state", state.as_str())])?)?;
        }

        let paused = u64::from(s.paused.load(std::sync::atomic::Ordering::Relaxed));
        gauge(paused).encode(encoder.encode_descriptor(
            "ingest_paused",
            "1 while ingest is paused from the console.",
            None,
            MetricType::Gauge,
        )?)?;

        let lag = s.lag();
        let partition_gauge = |encoder: &mut DescriptorEncoder,
                               name: &str,
                               help: &str,
                               value: fn(&crate::stats::PartitionLag) -> u64|
         -> fmt::Result {
            let mut m = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
            for p in &lag {
                let partition = p.partition.to_string();
                gauge(value(p)).encode(m.encode_family(&[("partition", partition)])?)?;
            }
            Ok(())
        };
        partition_gauge(
            &mut encoder,
            "consumer_lag",
            "Records of a partition not yet committed by the consumer group.",
            |p| p.lag,
        )?;
        partition_gauge(
            &mut encoder,
            "committed_offset",
            "Next offset the consumer group reads in a partition.",
            |p| p.committed,
        )?;
        partition_gauge(
            &mut encoder,
            "high_watermark",
            "Offset the next record produced to a partition gets.",
            |p| p.high_watermark,
        )?;
        gauge(lag.iter().map(|p| p.lag).sum()).encode(encoder.encode_descriptor(
            "consumer_group_lag",
            "Records not yet committed by the consumer group, over all partitions.",
            None,
            MetricType::Gauge,
        )?)?;

        histogram(
            encoder.encode_descriptor(
                "fetch_to_stored",
                "Time from a record's fetch to its row being stored.",
                Some(&Unit::Seconds),
                MetricType::Histogram,
            )?,
            &s.latency,
            &MICROS_BOUNDS,
            1e6,
        )?;
        histogram(
            encoder.encode_descriptor(
                "store_write_duration",
                "Duration of each store write attempt (rows and dead letters of one batch).",
                Some(&Unit::Seconds),
                MetricType::Histogram,
            )?,
            &s.store_write,
            &MICROS_BOUNDS,
            1e6,
        )?;
        histogram(
            encoder.encode_descriptor(
                "commit_duration",
                "Duration of each offset commit attempt.",
                Some(&Unit::Seconds),
                MetricType::Histogram,
            )?,
            &s.commit,
            &MICROS_BOUNDS,
            1e6,
        )?;
        let mut m = encoder.encode_descriptor(
            "batch_size",
            "Records per batch: per successful fetch (stage=fetch), per store write \
             (stage=store).",
            None,
            MetricType::Histogram,
        )?;
        histogram(
            m.encode_family(&[("stage", "fetch")])?,
            &s.fetch_batch,
            &RECORD_BOUNDS,
            1.0,
        )?;
        histogram(
            m.encode_family(&[("stage", "store")])?,
            &s.store_batch,
            &RECORD_BOUNDS,
            1.0,
        )?;

        if let Some(rss) = rss_bytes() {
            gauge(rss).encode(encoder.encode_descriptor(
                "process_resident_memory",
                "Resident set size of the process.",
                Some(&Unit::Bytes),
                MetricType::Gauge,
            )?)?;
        }
        if let Some(peak) = peak_rss_bytes() {
            gauge(peak).encode(encoder.encode_descriptor(
                "process_resident_memory_peak",
                "Highest resident set size of the process so far.",
                Some(&Unit::Bytes),
                MetricType::Gauge,
            )?)?;
        }

        let b = &self.build;
        encoder
            .encode_descriptor(
                "build",
                "Version and backends of this process; the value is always 1.",
                None,
                MetricType::Info,
            )?
            .encode_info(&[
                ("version", b.version.as_str()),
                ("source", b.source.as_str()),
                ("broker", b.broker.as_str()),
                ("store", b.store.as_str()),
                ("role", b.role.as_str()),
            ])
    }
}
