//! A lock-free histogram: log-linear buckets of atomics, 16 per power of two (about 6 % relative
//! error), so recording is a few `fetch_add`s and reading never blocks a writer. It holds
//! latencies in microseconds and batch sizes in records; [`Histogram::export`] folds it into the
//! fixed bucket bounds a Prometheus histogram has.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use serde::Serialize;

const SUB_BITS: u32 = 4;
const SUB: u64 = 1 << SUB_BITS;
/// Values up to 2^40 µs (about 12 days) get their own bucket; larger ones land in the last.
const BUCKETS: usize = (SUB + (40 - SUB_BITS as u64 + 1) * SUB) as usize;

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct LatencySummary {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
    pub count: u64,
}

/// A histogram of whole-number values (microseconds, records).
#[derive(Debug)]
pub struct Histogram {
    buckets: Box<[AtomicU64]>,
    max: AtomicU64,
    count: AtomicU64,
    sum: AtomicU64,
}

/// A [`Histogram`] folded into fixed bounds, as a Prometheus histogram is exposed.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    /// Per bound, the values above the previous bound and up to this one (not cumulative).
    pub buckets: Vec<u64>,
    /// Every value recorded, including those above the last bound.
    pub count: u64,
    /// The sum of the values.
    pub sum: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            max: AtomicU64::new(0),
            count: AtomicU64::new(0),
            sum: AtomicU64::new(0),
        }
    }
}

fn bucket_of(v: u64) -> usize {
    if v < SUB {
        return v as usize;
    }
    let exp = 63 - v.leading_zeros();
    let sub = (v >> (exp - SUB_BITS)) & (SUB - 1);
    let idx = SUB + u64::from(exp - SUB_BITS) * SUB + sub;
    (idx as usize).min(BUCKETS - 1)
}

/// The middle of a bucket's range, the value reported for anything in it.
fn value_of(idx: usize) -> u64 {
    let idx = idx as u64;
    if idx < SUB {
        return idx;
    }
    let exp = (idx - SUB) / SUB + u64::from(SUB_BITS);
    let sub = (idx - SUB) % SUB;
    let low = (SUB + sub) << (exp - u64::from(SUB_BITS));
    let width = 1u64 << (exp - u64::from(SUB_BITS));
    low + width / 2
}

impl Histogram {
    /// Records one value (microseconds for a latency).
    pub fn record(&self, value: u64) {
        self.buckets[bucket_of(value)].fetch_add(1, Relaxed);
        self.max.fetch_max(value, Relaxed);
        self.count.fetch_add(1, Relaxed);
        self.sum.fetch_add(value, Relaxed);
    }

    /// Folds the buckets into `bounds` (ascending, in the recorded unit): each bucket counts
    /// under the first bound at or above the value it stands for, so a value near a bound may
    /// land one bound off (within the 6 % of a bucket).
    pub fn export(&self, bounds: &[u64]) -> Exported {
        let mut buckets = vec![0; bounds.len()];
        let mut count = 0;
        for (idx, b) in self.buckets.iter().enumerate() {
            let n = b.load(Relaxed);
            if n == 0 {
                continue;
            }
            count += n;
            let value = value_of(idx);
            if let Some(slot) = bounds.iter().position(|&bound| value <= bound) {
                buckets[slot] += n;
            }
        }
        Exported {
            buckets,
            count,
            sum: self.sum.load(Relaxed),
        }
    }

    /// The value below which `q` (0..=1) of the recorded values fall, in microseconds.
    pub fn quantile(&self, q: f64) -> u64 {
        let counts: Vec<u64> = self.buckets.iter().map(|b| b.load(Relaxed)).collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return 0;
        }
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (idx, c) in counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return value_of(idx).min(self.max.load(Relaxed));
            }
        }
        self.max.load(Relaxed)
    }

    /// p50, p99 and max in milliseconds.
    pub fn summary(&self) -> LatencySummary {
        let ms = |us: u64| (us as f64 / 1000.0 * 100.0).round() / 100.0;
        LatencySummary {
            p50: ms(self.quantile(0.50)),
            p99: ms(self.quantile(0.99)),
            max: ms(self.max.load(Relaxed)),
            count: self.count.load(Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotonic_and_cover_their_values() {
        let mut last = 0;
        for v in (0..100_000u64).step_by(7) {
            let b = bucket_of(v);
            assert!(b >= last, "bucket of {v} went backwards");
            last = b;
            let rep = value_of(b) as f64;
            assert!(
                (rep - v as f64).abs() <= (v as f64 * 0.07).max(1.0),
                "{v} -> {rep}"
            );
        }
    }

    #[test]
    fn quantiles_of_a_uniform_spread() {
        let h = Histogram::default();
        for v in 1..=10_000u64 {
            h.record(v * 10);
        }
        let p50 = h.quantile(0.5) as f64;
        let p99 = h.quantile(0.99) as f64;
        assert!((p50 - 50_000.0).abs() / 50_000.0 < 0.07, "p50 {p50}");
        assert!((p99 - 99_000.0).abs() / 99_000.0 < 0.07, "p99 {p99}");
        let s = h.summary();
        assert_eq!(s.max, 100.0);
        assert_eq!(s.count, 10_000);
    }

    #[test]
    fn export_folds_buckets_into_bounds() {
        let h = Histogram::default();
        for v in [1, 2, 3, 10, 15, 400, 1_000_000] {
            h.record(v);
        }
        let e = h.export(&[2, 15, 1000]);
        // Values below 16 have exact buckets; 400 is under 1000; 1,000,000 is above every bound.
        assert_eq!(e.buckets, vec![2, 3, 1]);
        assert_eq!(e.count, 7);
        assert_eq!(e.sum, 1_000_431);
        assert_eq!(
            Histogram::default().export(&[1]),
            Exported {
                buckets: vec![0],
                count: 0,
                sum: 0
            }
        );
    }

    #[test]
    fn empty_histogram_reports_zero() {
        assert_eq!(Histogram::default().summary(), LatencySummary::default());
    }
}
