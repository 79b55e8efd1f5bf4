//! The lag a running pipeline publishes in its data dir (`DATA_DIR/lag.json`, rewritten every
//! [`PUBLISH_EVERY`] while it holds the lock), so that `userstream lag` reads it beside the
//! pipeline without the lock: the embedded log's files belong to the one process that opened
//! them (fjall locks them), as a Kafka cluster's belong to the broker that
//! `kafka-consumer-groups` asks.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::stats::PartitionLag;

/// Name of the file in the data dir.
pub const FILE: &str = "lag.json";

/// How often a running pipeline rewrites it.
pub const PUBLISH_EVERY: Duration = Duration::from_secs(1);

/// What a running pipeline says about its group's lag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedLag {
    /// The pipeline's pid, the one its `LOCK` holds: a file of another pid is stale.
    pub pid: u32,
    /// When it was written, in milliseconds since the epoch.
    pub written_at_ms: i64,
    pub topic: String,
    pub group: String,
    pub partitions: Vec<PartitionLag>,
}

impl PublishedLag {
    /// Replaces the file of `dir` at once (a reader never sees half of it).
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        let tmp = dir.join(format!("{FILE}.tmp"));
        std::fs::write(&tmp, serde_json::to_vec(self)?)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        let path = dir.join(FILE);
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot replace {}", path.display()))
    }

    /// The file of `dir`, or `None` when there is none.
    pub fn read(dir: &Path) -> anyhow::Result<Option<PublishedLag>> {
        let path = dir.join(FILE);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let published = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a lag this version wrote", path.display()))?;
        Ok(Some(published))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_lag_reads_back_and_a_missing_one_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(PublishedLag::read(dir.path()).unwrap(), None);
        let lag = PublishedLag {
            pid: 7,
            written_at_ms: 1_700_000_000_000,
            topic: "t".into(),
            group: "g".into(),
            partitions: vec![PartitionLag {
                partition: 0,
                committed: 5,
                high_watermark: 9,
                lag: 4,
            }],
        };
        lag.write(dir.path()).unwrap();
        lag.write(dir.path()).unwrap();
        assert_eq!(PublishedLag::read(dir.path()).unwrap(), Some(lag));
        std::fs::write(dir.path().join(FILE), "{").unwrap();
        let err = PublishedLag::read(dir.path()).unwrap_err().to_string();
        assert!(err.contains("is not a lag"), "{err}");
    }
}
