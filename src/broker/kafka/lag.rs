//! What one process knows of its group's lag: the brokers' last sample, kept current with
//! what the process itself produced and committed since.
//!
//! A sample is the truth as of the moment it was asked for. What this process did while the
//! sample was in flight may or may not be in it, so it is noted apart and laid over the sample
//! when it lands. What happened before the ask is never laid over: another member may have
//! committed a partition back since (a rebalance replays from the new owner's position), and
//! the sample already holds that.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::super::{Offset, Partition};
use crate::stats::PartitionLag;

#[derive(Debug, Default)]
pub struct LagView {
    sample: Option<(Instant, Vec<PartitionLag>)>,
    /// Noted since the sample in flight was asked for, while one is.
    in_flight: Option<BTreeMap<Partition, Noted>>,
}

/// The highest offsets one partition was produced and committed to.
#[derive(Debug, Default, Clone, Copy)]
struct Noted {
    high_watermark: u64,
    committed: Option<Offset>,
}

impl LagView {
    /// The current rows, unless the sample is older than `max_age`.
    pub fn fresh(&self, max_age: Duration) -> Option<Vec<PartitionLag>> {
        match &self.sample {
            Some((at, rows)) if at.elapsed() < max_age => Some(rows.clone()),
            _ => None,
        }
    }

    /// A sample is about to be asked for: what happens from now on is noted apart.
    pub fn asking(&mut self) {
        self.in_flight = Some(BTreeMap::new());
    }

    /// The sample asked for last has landed.
    pub fn landed(&mut self, mut rows: Vec<PartitionLag>) -> Vec<PartitionLag> {
        let noted = self.in_flight.take().unwrap_or_default();
        for row in &mut rows {
            if let Some(n) = noted.get(&row.partition) {
                row.high_watermark = row.high_watermark.max(n.high_watermark);
                if let Some(c) = n.committed {
                    row.committed = row.committed.max(c);
                }
            }
            row.lag = row.high_watermark.saturating_sub(row.committed);
        }
        self.sample = Some((Instant::now(), rows.clone()));
        rows
    }

    /// A sample failed to land.
    pub fn failed(&mut self) {
        self.in_flight = None;
    }

    /// Forgets the sample, so the next read asks the brokers (the committed offsets moved).
    pub fn forget(&mut self) {
        self.sample = None;
    }

    /// This process produced to `partition` up to `next` (the offset after its last record).
    pub fn produced(&mut self, partition: Partition, next: u64) {
        if let Some(n) = self.noted(partition) {
            n.high_watermark = n.high_watermark.max(next);
        }
        self.update(partition, |row| {
            row.high_watermark = row.high_watermark.max(next);
        });
    }

    /// This process committed `partition` at `offset`: that is the group's offset now, even if
    /// the sample held a later one.
    pub fn committed(&mut self, partition: Partition, offset: Offset) {
        if let Some(n) = self.noted(partition) {
            n.committed = Some(n.committed.map_or(offset, |c| c.max(offset)));
        }
        self.update(partition, |row| row.committed = offset);
    }

    fn noted(&mut self, partition: Partition) -> Option<&mut Noted> {
        Some(self.in_flight.as_mut()?.entry(partition).or_default())
    }

    fn update(&mut self, partition: Partition, change: impl FnOnce(&mut PartitionLag)) {
        let Some((_, rows)) = self.sample.as_mut() else {
            return;
        };
        if let Some(row) = rows.iter_mut().find(|r| r.partition == partition) {
            change(row);
            row.lag = row.high_watermark.saturating_sub(row.committed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(partition: u32, committed: u64, high_watermark: u64) -> PartitionLag {
        PartitionLag {
            partition,
            committed,
            high_watermark,
            lag: high_watermark - committed,
        }
    }

    const LONG: Duration = Duration::from_secs(60);

    #[test]
    fn a_sample_shows_a_partition_committed_back_by_another_member() {
        let mut view = LagView::default();
        view.asking();
        view.landed(vec![row(0, 0, 100)]);
        view.committed(0, 100);
        assert_eq!(view.fresh(LONG).unwrap(), [row(0, 100, 100)]);
        // The partition moved to another member, which replays it from 40.
        view.asking();
        assert_eq!(view.landed(vec![row(0, 40, 100)]), [row(0, 40, 100)]);
    }

    #[test]
    fn what_happens_while_a_sample_is_in_flight_is_laid_over_it() {
        let mut view = LagView::default();
        view.asking();
        view.landed(vec![row(0, 0, 10), row(1, 0, 10)]);
        view.asking();
        view.produced(1, 30);
        view.committed(0, 10);
        let rows = view.landed(vec![row(0, 5, 20), row(1, 5, 20)]);
        assert_eq!(rows, [row(0, 10, 20), row(1, 5, 30)]);
        // Noted once: the next sample is the brokers' own.
        view.asking();
        assert_eq!(view.landed(vec![row(0, 3, 20)]), [row(0, 3, 20)]);
    }

    #[test]
    fn an_own_commit_is_the_groups_offset_until_the_next_sample() {
        let mut view = LagView::default();
        view.asking();
        view.landed(vec![row(0, 80, 100)]);
        view.committed(0, 50);
        assert_eq!(view.fresh(LONG).unwrap(), [row(0, 50, 100)]);
        view.produced(0, 120);
        assert_eq!(view.fresh(LONG).unwrap(), [row(0, 50, 120)]);
        assert_eq!(view.fresh(Duration::ZERO), None);
        view.forget();
        assert_eq!(view.fresh(LONG), None);
    }
}
