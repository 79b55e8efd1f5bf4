//! Bounded time series sampled from the stats: per-stage rates over a short window, and one point
//! per second of fetched/s, stored/s, processed/s and lag for the sparklines and charts.

use std::collections::VecDeque;

use chrono::{DateTime, TimeDelta, Utc};

use crate::stats::{Stage, StatsSnapshot};

/// Points kept per series: ten minutes at one point per second.
pub const SERIES_LEN: usize = 600;

/// Rates are measured over about this long, so one late batch does not make them jump.
const RATE_WINDOW: TimeDelta = TimeDelta::seconds(2);

/// A fixed-capacity series of values, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    points: VecDeque<u64>,
    capacity: usize,
}

impl Series {
    /// An empty series that keeps at most `capacity` points.
    pub fn new(capacity: usize) -> Series {
        Series {
            points: VecDeque::with_capacity(capacity),
            capacity: capacity.max(1),
        }
    }

    /// Appends a point, dropping the oldest when full.
    pub fn push(&mut self, value: u64) {
        if self.points.len() == self.capacity {
            self.points.pop_front();
        }
        self.points.push_back(value);
    }

    /// The newest `n` points, oldest first.
    pub fn last(&self, n: usize) -> Vec<u64> {
        let skip = self.points.len().saturating_sub(n);
        self.points.iter().skip(skip).copied().collect()
    }

    /// The newest point.
    pub fn latest(&self) -> Option<u64> {
        self.points.back().copied()
    }

    /// The largest point of the newest `n`.
    pub fn max_of_last(&self, n: usize) -> u64 {
        let skip = self.points.len().saturating_sub(n);
        self.points.iter().skip(skip).copied().max().unwrap_or(0)
    }

    /// Number of points held.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether no point was pushed yet.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

/// Counts of one sample, enough to derive rates.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Sample {
    at: DateTime<Utc>,
    counts: [u64; 5],
}

/// What the console remembers of past snapshots.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    window: VecDeque<Sample>,
    /// Records per second through each stage, in [`Stage::ALL`] order.
    pub rates: [f64; 5],
    /// Users fetched per second, one point per second.
    pub fetched: Series,
    /// Users stored per second, one point per second.
    pub stored: Series,
    /// Records processed (consumed and committed) per second, one point per second.
    pub processed: Series,
    /// Total lag, one point per second.
    pub lag: Series,
    last_point: Option<DateTime<Utc>>,
}

impl Default for History {
    fn default() -> History {
        History {
            window: VecDeque::new(),
            rates: [0.0; 5],
            fetched: Series::new(SERIES_LEN),
            stored: Series::new(SERIES_LEN),
            processed: Series::new(SERIES_LEN),
            lag: Series::new(SERIES_LEN),
            last_point: None,
        }
    }
}

impl History {
    /// Takes in one snapshot: updates the rates and, once a second, appends to the series.
    pub fn record(&mut self, snap: &StatsSnapshot) {
        let sample = Sample {
            at: snap.at,
            counts: Stage::ALL.map(|s| snap.stage(s).count),
        };
        self.window.push_back(sample);
        while self
            .window
            .front()
            .is_some_and(|first| sample.at - first.at > RATE_WINDOW)
        {
            self.window.pop_front();
        }
        if let Some(first) = self.window.front() {
            let secs = (sample.at - first.at).num_milliseconds() as f64 / 1000.0;
            if secs > 0.0 {
                for (i, rate) in self.rates.iter_mut().enumerate() {
                    *rate = sample.counts[i].saturating_sub(first.counts[i]) as f64 / secs;
                }
            }
        }
        let second = TimeDelta::seconds(1);
        let due = self
            .last_point
            .is_none_or(|last| sample.at - last >= second);
        if due {
            // Points sit on a one-second grid, so tick jitter neither skips nor doubles one;
            // after a stall the grid restarts from now.
            self.last_point = Some(match self.last_point {
                Some(last) if sample.at - last < second * 2 => last + second,
                _ => sample.at,
            });
            self.fetched.push(self.rate(Stage::Source).round() as u64);
            self.stored.push(self.rate(Stage::Store).round() as u64);
            self.processed
                .push(self.rate(Stage::Process).round() as u64);
            self.lag.push(snap.total_lag());
        }
    }

    /// Records per second through `stage`.
    pub fn rate(&self, stage: Stage) -> f64 {
        self.rates[stage as usize]
    }
}

/// Seconds of lag history the drain estimate looks back over.
pub const DRAIN_WINDOW: usize = 30;

/// How the lag is heading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Drain {
    /// Nothing to consume.
    CaughtUp,
    /// The lag shrinks: about this many seconds left at the current pace.
    In(f64),
    /// Consumption keeps up with production; the backlog neither grows nor shrinks.
    Steady,
    /// Production outpaces consumption.
    Growing,
}

impl Drain {
    /// Estimates from the lag series (one point per second) over the last [`DRAIN_WINDOW`]
    /// seconds; a change below 2% of the consume rate counts as steady.
    pub fn estimate(lag: &Series, consumed_per_s: f64) -> Drain {
        let window = lag.last(DRAIN_WINDOW + 1);
        let (Some(&first), Some(&now)) = (window.first(), window.last()) else {
            return Drain::CaughtUp;
        };
        if now == 0 {
            return Drain::CaughtUp;
        }
        let secs = (window.len() - 1).max(1) as f64;
        let slope = (now as f64 - first as f64) / secs;
        let tolerance = (consumed_per_s * 0.02).max(1.0);
        if slope < -tolerance {
            Drain::In(now as f64 / -slope)
        } else if slope > tolerance {
            Drain::Growing
        } else {
            Drain::Steady
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Stats;

    #[test]
    fn series_keeps_the_newest_points() {
        let mut s = Series::new(3);
        for v in 1..=5 {
            s.push(v);
        }
        assert_eq!(s.last(10), vec![3, 4, 5]);
        assert_eq!(s.last(2), vec![4, 5]);
        assert_eq!(s.max_of_last(3), 5);
    }

    #[test]
    fn rates_come_from_count_deltas_over_the_window() {
        let stats = Stats::default();
        let mut history = History::default();
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        history.record(&stats.snapshot(t0));
        stats.stage(Stage::Source).add(500);
        history.record(&stats.snapshot(t0 + TimeDelta::milliseconds(500)));
        assert_eq!(history.rate(Stage::Source), 1000.0);
        stats.stage(Stage::Source).add(500);
        history.record(&stats.snapshot(t0 + TimeDelta::seconds(1)));
        assert_eq!(history.rate(Stage::Source), 1000.0);
        assert_eq!(history.fetched.last(5), vec![0, 1000]);
    }

    #[test]
    fn drain_estimate_follows_the_lag_trend() {
        let series = |points: &[u64]| {
            let mut s = Series::new(100);
            points.iter().for_each(|p| s.push(*p));
            s
        };
        assert_eq!(Drain::estimate(&series(&[]), 0.0), Drain::CaughtUp);
        assert_eq!(Drain::estimate(&series(&[50, 0]), 100.0), Drain::CaughtUp);
        assert_eq!(
            Drain::estimate(&series(&[300, 200, 100]), 100.0),
            Drain::In(1.0)
        );
        assert_eq!(Drain::estimate(&series(&[100, 200]), 100.0), Drain::Growing);
        assert_eq!(
            Drain::estimate(&series(&[2000, 2001]), 1000.0),
            Drain::Steady
        );
    }
}
