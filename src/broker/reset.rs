//! Moving a consumer group's offsets, as `kafka-consumer-groups --reset-offsets` does: a
//! [`ResetTarget`] says where to, a [`ResetRow`] per partition is the plan (where the group is,
//! where it goes, what it will have left to read), and both backends plan and apply through
//! `Broker::plan_reset` and `Broker::apply_reset`. Planning reads only; applying writes only the
//! offsets of the plan. The new offset is always inside the partition's kept records
//! (`low..=high`), as Kafka clamps it.

use serde::Serialize;
use tracing::warn;

use super::{BrokerError, Offset, Partition};
use crate::util::rfc3339;

/// Where a reset moves the group's offsets to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetTarget {
    /// The oldest record still kept: every kept record is processed again.
    Earliest,
    /// The high watermark: everything not yet read is skipped.
    Latest,
    /// The first record produced at or after this time (milliseconds since the epoch); the
    /// high watermark when there is none.
    Datetime(i64),
    /// This offset, clamped to the kept records.
    Offset(Offset),
    /// The current offset moved by this many records (negative: back), clamped.
    ShiftBy(i64),
}

impl ResetTarget {
    /// Parses a console entry: `earliest`, `latest`, an RFC 3339 time, or a time back from
    /// `now_ms` such as `-15m`, `-2h`, `-1d`.
    pub fn parse_time_or_edge(text: &str, now_ms: i64) -> Result<ResetTarget, String> {
        let text = text.trim();
        match text {
            "earliest" => return Ok(ResetTarget::Earliest),
            "latest" => return Ok(ResetTarget::Latest),
            _ => {}
        }
        if let Some(back) = text.strip_prefix('-') {
            let ago = crate::util::parse_duration(back)?;
            return Ok(ResetTarget::Datetime(
                now_ms.saturating_sub(ago.as_millis() as i64),
            ));
        }
        parse_datetime(text).map(ResetTarget::Datetime)
    }

    /// How the plan's header says the target.
    pub fn describe(&self) -> String {
        match *self {
            ResetTarget::Earliest => "earliest".to_owned(),
            ResetTarget::Latest => "latest".to_owned(),
            ResetTarget::Datetime(ms) => match chrono::DateTime::from_timestamp_millis(ms) {
                Some(t) => format!("first record at or after {}", rfc3339(t)),
                None => format!("first record at or after {ms} ms"),
            },
            ResetTarget::Offset(o) => format!("offset {o}"),
            ResetTarget::ShiftBy(n) => format!("shift by {n:+}"),
        }
    }
}

/// Parses an RFC 3339 time into milliseconds since the epoch.
pub fn parse_datetime(text: &str) -> Result<i64, String> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.timestamp_millis())
        .map_err(|_| {
            format!("'{text}' is not a time: give RFC 3339 (2026-01-31T12:00:00Z) or -15m")
        })
}

/// What a backend knows about one partition before a reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionBounds {
    pub partition: Partition,
    /// Oldest kept offset.
    pub low: Offset,
    /// Offset the next record gets.
    pub high: Offset,
    /// The group's next offset to read.
    pub committed: Offset,
    /// For [`ResetTarget::Datetime`]: the first offset at or after the time, if any record is.
    pub at_time: Option<Offset>,
}

/// One line of a reset plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ResetRow {
    pub partition: Partition,
    /// The group's next offset to read now.
    pub current: Offset,
    /// Its next offset to read after the reset.
    pub new: Offset,
    pub high_watermark: Offset,
    /// Records the group has left to read after the reset.
    pub lag_after: u64,
}

/// The plan for `bounds` (one per partition to reset) and `target`.
pub fn plan(target: ResetTarget, bounds: &[PartitionBounds]) -> Vec<ResetRow> {
    bounds
        .iter()
        .map(|b| {
            let low = b.low.min(b.high);
            let wanted = match target {
                ResetTarget::Earliest => low,
                ResetTarget::Latest => b.high,
                ResetTarget::Datetime(_) => b.at_time.unwrap_or(b.high),
                ResetTarget::Offset(o) => o,
                ResetTarget::ShiftBy(n) if n < 0 => b.committed.saturating_sub(n.unsigned_abs()),
                ResetTarget::ShiftBy(n) => b.committed.saturating_add(n as u64),
            };
            let new = wanted.clamp(low, b.high);
            ResetRow {
                partition: b.partition,
                current: b.committed,
                new,
                high_watermark: b.high,
                lag_after: b.high - new,
            }
        })
        .collect()
}

/// `row` as it lands on a partition that keeps the offsets `low..high` now: retention may have
/// deleted the start of the partition since the plan was made (the console's dialog waits for
/// a key), and a new offset below `low` moves up to it, with a warning; `lag_after` follows.
pub fn land(row: &ResetRow, low: Offset, high: Offset) -> ResetRow {
    let high = high.max(row.high_watermark);
    let new = row.new.clamp(low.min(high), high);
    if new != row.new {
        warn!(
            partition = row.partition,
            planned = row.new,
            landed = new,
            "Retention deleted records the reset pointed to; it lands on the first offset still \
             kept."
        );
    }
    ResetRow {
        new,
        high_watermark: high,
        lag_after: high - new,
        ..*row
    }
}

/// The partitions to reset: `wanted`, or every one of `count` when empty; an unknown one is
/// refused.
pub fn select(wanted: &[Partition], count: u32) -> Result<Vec<Partition>, BrokerError> {
    if wanted.is_empty() {
        return Ok((0..count).collect());
    }
    let mut out: Vec<Partition> = Vec::with_capacity(wanted.len());
    for &p in wanted {
        if p >= count {
            return Err(BrokerError::Fatal(format!(
                "--partition {p} does not exist: the topic has partitions 0 to {}",
                count.saturating_sub(1)
            )));
        }
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// The plan as a right-aligned table with a total line.
pub fn table(plan: &[ResetRow]) -> String {
    let row = |cells: [String; 5]| {
        let [a, b, c, d, e] = cells;
        format!("{a:>9} {b:>12} {c:>12} {d:>14} {e:>10}\n")
    };
    let mut out =
        row(["partition", "current", "new", "high_watermark", "lag_after"].map(String::from));
    for r in plan {
        out.push_str(&row([
            r.partition.to_string(),
            r.current.to_string(),
            r.new.to_string(),
            r.high_watermark.to_string(),
            r.lag_after.to_string(),
        ]));
    }
    let total = plan.iter().map(|r| r.lag_after).sum::<u64>();
    out.push_str(&row([
        "total".into(),
        String::new(),
        String::new(),
        String::new(),
        total.to_string(),
    ]));
    out
}

/// The first offset in `low..high` whose time is at or after `at`, given `time_of(offset)`;
/// times never decrease along the offsets (the embedded log keeps them so). A missing record
/// (deleted by retention meanwhile) reads as older than any time.
pub fn first_at_or_after(
    low: Offset,
    high: Offset,
    at: i64,
    mut time_of: impl FnMut(Offset) -> Result<Option<i64>, BrokerError>,
) -> Result<Option<Offset>, BrokerError> {
    let (mut lo, mut hi) = (low, high);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match time_of(mid)? {
            Some(t) if t >= at => hi = mid,
            _ => lo = mid + 1,
        }
    }
    Ok((lo < high).then_some(lo))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(low: u64, high: u64, committed: u64, at_time: Option<u64>) -> PartitionBounds {
        PartitionBounds {
            partition: 0,
            low,
            high,
            committed,
            at_time,
        }
    }

    #[test]
    fn every_target_lands_inside_the_kept_records() {
        let b = [bounds(10, 100, 50, Some(70))];
        let new = |t| plan(t, &b)[0].new;
        assert_eq!(new(ResetTarget::Earliest), 10);
        assert_eq!(new(ResetTarget::Latest), 100);
        assert_eq!(new(ResetTarget::Datetime(0)), 70);
        assert_eq!(new(ResetTarget::Offset(5)), 10);
        assert_eq!(new(ResetTarget::Offset(500)), 100);
        assert_eq!(new(ResetTarget::Offset(42)), 42);
        assert_eq!(new(ResetTarget::ShiftBy(-45)), 10);
        assert_eq!(new(ResetTarget::ShiftBy(-5)), 45);
        assert_eq!(new(ResetTarget::ShiftBy(7)), 57);
        assert_eq!(new(ResetTarget::ShiftBy(i64::MAX)), 100);
        assert_eq!(new(ResetTarget::ShiftBy(i64::MIN)), 10);
        let none = [bounds(10, 100, 50, None)];
        assert_eq!(plan(ResetTarget::Datetime(0), &none)[0].new, 100);
        let row = plan(ResetTarget::Earliest, &b)[0];
        assert_eq!(
            (row.current, row.lag_after, row.high_watermark),
            (50, 90, 100)
        );
    }

    #[test]
    fn a_row_lands_inside_what_is_kept_when_it_applies() {
        let row = plan(ResetTarget::Earliest, &[bounds(0, 90, 90, None)])[0];
        assert_eq!(land(&row, 0, 90), row);
        let cut = land(&row, 80, 95);
        assert_eq!((cut.new, cut.high_watermark, cut.lag_after), (80, 95, 15));
        // Emptied by retention: the high watermark.
        assert_eq!(land(&row, 95, 95).new, 95);
        let latest = plan(ResetTarget::Latest, &[bounds(0, 90, 10, None)])[0];
        assert_eq!(land(&latest, 50, 100).new, 90);
    }

    #[test]
    fn the_search_finds_the_first_record_at_or_after_the_time() {
        // Times per offset 0..8, equal runs like the records of one batch.
        let times = [10, 10, 20, 20, 20, 30, 40, 40];
        let at = |t| {
            first_at_or_after(0, times.len() as u64, t, |o| {
                Ok(times.get(o as usize).copied())
            })
            .unwrap()
        };
        assert_eq!(at(0), Some(0));
        assert_eq!(at(10), Some(0));
        assert_eq!(at(11), Some(2));
        assert_eq!(at(20), Some(2));
        assert_eq!(at(35), Some(6));
        assert_eq!(at(40), Some(6));
        assert_eq!(at(41), None);
        let from_three = first_at_or_after(3, 8, 0, |o| Ok(times.get(o as usize).copied()));
        assert_eq!(from_three.unwrap(), Some(3));
    }

    #[test]
    fn console_entries_parse_and_bad_ones_say_why() {
        let now = 1_000_000_000;
        assert_eq!(
            ResetTarget::parse_time_or_edge("-15m", now),
            Ok(ResetTarget::Datetime(now - 900_000))
        );
        assert_eq!(
            ResetTarget::parse_time_or_edge("earliest", now),
            Ok(ResetTarget::Earliest)
        );
        assert_eq!(
            ResetTarget::parse_time_or_edge("2026-01-31T12:00:00Z", now),
            Ok(ResetTarget::Datetime(1_769_860_800_000))
        );
        let err = ResetTarget::parse_time_or_edge("yesterday", now).unwrap_err();
        assert!(err.contains("RFC 3339"), "{err}");
    }

    #[test]
    fn partitions_are_checked_and_the_table_lines_up() {
        assert_eq!(select(&[], 3).unwrap(), vec![0, 1, 2]);
        assert_eq!(select(&[2, 0, 2], 3).unwrap(), vec![0, 2]);
        let err = select(&[3], 3).unwrap_err().to_string();
        assert!(err.contains("partitions 0 to 2"), "{err}");
        let text = table(&plan(ResetTarget::Earliest, &[bounds(0, 15, 10, None)]));
        let want = "\
partition      current          new high_watermark  lag_after
        0           10            0             15         15
    total                                                  15
";
        assert_eq!(text, want);
    }
}
