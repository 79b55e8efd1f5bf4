//! The subcommands that print what the pipeline left behind and exit: `userstream lag` (per
//! partition committed offset, high watermark and lag, from the broker, as a table or JSON
//! lines) and `userstream dead-letters` (JSON lines). Dead letters are read from the store, the
//! same copy the console's Records tab shows: the store writes them in the same unit as the
//! rows of their batch, so both readers see exactly the letters of the committed batches. The
//! pipeline never runs here.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;
use tracing::warn;

use crate::broker::embedded::EmbeddedConfig;
use crate::broker::{AnyBroker, Broker, EmbeddedBroker};
use crate::datadir::lag::{PUBLISH_EVERY, PublishedLag};
use crate::datadir::{DataDir, Locked, READER_WAIT};
use crate::exit::ConfigOrLock;
use crate::model::DeadLetter;
use crate::stats::PartitionLag;
use crate::util::format_duration;

/// Where `userstream lag` reads the lag.
pub enum LagSource {
    /// A broker that answers beside any consumer (Kafka).
    Broker(AnyBroker),
    /// The embedded log of a data dir; see [`LagSource::embedded`].
    Embedded {
        dir: PathBuf,
        config: EmbeddedConfig,
        /// The last reading of the log itself, good while no other process took the lock.
        last: Mutex<Option<Vec<PartitionLag>>>,
    },
}

/// One reading of the lag.
struct Reading {
    partitions: Vec<PartitionLag>,
    /// The pid of the running pipeline whose published lag this is.
    published_by: Option<u32>,
}

impl LagSource {
    /// The embedded log of `dir`. While a pipeline owns the dir, the lag it publishes is read,
    /// without the lock. Otherwise the lock is taken as a reader (a pipeline starting then
    /// waits for it) and the log opened and closed again; a watch opens it again only after
    /// another process held the lock, since only a holder writes to the log.
    pub fn embedded(dir: PathBuf, config: EmbeddedConfig) -> LagSource {
        LagSource::Embedded {
            dir,
            config,
            last: Mutex::new(None),
        }
    }

    async fn read(&self) -> anyhow::Result<Reading> {
        match self {
            LagSource::Broker(broker) => Ok(Reading {
                partitions: broker.lag().await?,
                published_by: None,
            }),
            LagSource::Embedded { dir, config, last } => read_embedded(dir, config, last).await,
        }
    }
}

async fn read_embedded(
    dir: &std::path::Path,
    config: &EmbeddedConfig,
    last: &Mutex<Option<Vec<PartitionLag>>>,
) -> anyhow::Result<Reading> {
    let waited = std::time::Instant::now();
    let owned = loop {
        let error = match DataDir::open_to_read(dir) {
            Ok(owned) => break owned,
            Err(error) => error,
        };
        let Some(locked) = error.downcast_ref::<Locked>() else {
            return Err(error);
        };
        let patience = if locked.is_passing() {
            READER_WAIT
        } else {
            // A pipeline that just took the dir publishes within a moment.
            PUBLISH_EVERY
        };
        if locked.is_passing() && waited.elapsed() < patience {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        }
        match read_published(dir, locked, config) {
            Err(not_yet) if waited.elapsed() < patience => {
                drop(not_yet);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            published => return published,
        }
    };
    let cached = last
        .lock()
        .map_err(|_| anyhow::anyhow!("lag cache poisoned"))?
        .clone()
        .filter(|_| owned.held_last_by_me());
    if let Some(partitions) = cached {
        return Ok(Reading {
            partitions,
            published_by: None,
        });
    }
    let log =
        EmbeddedBroker::open(&owned.log_dir(), config.clone()).context("cannot open the log")?;
    let partitions = log.lag().await?;
    // The log's own lock first, then the data dir's.
    drop(log);
    drop(owned);
    if let Ok(mut last) = last.lock() {
        *last = Some(partitions.clone());
    }
    Ok(Reading {
        partitions,
        published_by: None,
    })
}

/// The lag published by the pipeline that holds the data dir, if the holder is one.
fn read_published(
    dir: &std::path::Path,
    locked: &Locked,
    config: &EmbeddedConfig,
) -> anyhow::Result<Reading> {
    let published = PublishedLag::read(dir)?;
    let Some(published) = published.filter(|p| Some(p.pid) == locked.pid) else {
        return Err(ConfigOrLock(format!(
            "data dir {} is in use by another userstream process{} that publishes no lag (a \
             tool, or a pipeline still starting): try again in a moment",
            locked.path, locked.by
        ))
        .into());
    };
    if (published.topic.as_str(), published.group.as_str())
        != (config.topic.as_str(), config.group.as_str())
    {
        anyhow::bail!(
            "the pipeline running on data dir {} (pid {}) reads topic {} as group {}: it \
             publishes the lag of that group only",
            locked.path,
            published.pid,
            published.topic,
            published.group
        );
    }
    let age_ms = chrono::Utc::now().timestamp_millis() - published.written_at_ms;
    let stale_ms = 10 * PUBLISH_EVERY.as_millis() as i64;
    if age_ms > stale_ms {
        // Old numbers shown as current would mislead: say why there are none.
        anyhow::bail!(
            "the lag the pipeline running on data dir {} (pid {}) published is {} s old: it \
             cannot rewrite {} (disk full? read-only?) or is stuck",
            locked.path,
            published.pid,
            age_ms / 1000,
            crate::datadir::lag::FILE
        );
    }
    Ok(Reading {
        partitions: published.partitions,
        published_by: Some(published.pid),
    })
}

/// `userstream lag [--json] [--watch --interval D]`: once, or every `watch` until SIGINT or
/// SIGTERM, redrawing the table in place on a terminal. While watching, a lag that cannot be
/// read is shown in place of the table and asked again at the next tick.
pub async fn lag(source: &LagSource, json: bool, watch: Option<Duration>) -> anyhow::Result<()> {
    let Some(every) = watch else {
        let lag = source.read().await?;
        print!("{}", render(&lag.partitions, json)?);
        return Ok(());
    };
    let in_place = !json && std::io::stdout().is_terminal();
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let stop = stop_signal();
    tokio::pin!(stop);
    loop {
        let lag = tokio::select! {
            _ = &mut stop => return Ok(()),
            _ = ticks.tick() => tokio::select! {
                _ = &mut stop => return Ok(()),
                lag = source.read() => lag,
            },
        };
        let (body, by) = match lag {
            Ok(lag) => (render(&lag.partitions, json)?, lag.published_by),
            Err(error) if json => {
                warn!(
                    error = format!("{error:#}"),
                    "Cannot read the lag; asking again at the next tick."
                );
                continue;
            }
            Err(error) => (format!("lag unavailable: {error:#}\n"), None),
        };
        let mut text = String::new();
        if in_place {
            // Home and clear, as watch(1) does.
            text.push_str("\x1b[H\x1b[2J");
        }
        if !json {
            let now = chrono::Utc::now().format("%H:%M:%S UTC");
            let from = by.map_or_else(String::new, |pid| format!(" · running pipeline pid {pid}"));
            text.push_str(&format!(
                "every {} · userstream lag · {now}{from}\n",
                format_duration(every)
            ));
        }
        text.push_str(&body);
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()?;
    }
}

fn render(lag: &[PartitionLag], json: bool) -> anyhow::Result<String> {
    Ok(if json {
        json_lines(lag)?
    } else {
        lag_table(lag)
    })
}

/// The first SIGINT or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// `userstream dead-letters [--limit N]`: the most recent dead letters, given newest first as
/// the store returns them, printed oldest first, one JSON per line.
pub fn dead_letters(mut newest_first: Vec<DeadLetter>) -> anyhow::Result<()> {
    newest_first.reverse();
    print!("{}", json_lines(&newest_first)?);
    Ok(())
}

/// One JSON object per line.
fn json_lines<T: serde::Serialize>(items: &[T]) -> serde_json::Result<String> {
    let mut out = String::new();
    for item in items {
        out.push_str(&serde_json::to_string(item)?);
        out.push('\n');
    }
    Ok(out)
}

/// The lag as a right-aligned table with a total line.
fn lag_table(lag: &[PartitionLag]) -> String {
    let row = |cells: [String; 4]| {
        let [a, b, c, d] = cells;
        format!("{a:>9} {b:>12} {c:>14} {d:>10}\n")
    };
    let mut out = row(["partition", "committed", "high_watermark", "lag"].map(String::from));
    for p in lag {
        out.push_str(&row([
            p.partition.to_string(),
            p.committed.to_string(),
            p.high_watermark.to_string(),
            p.lag.to_string(),
        ]));
    }
    let total = lag.iter().map(|p| p.lag).sum::<u64>();
    out.push_str(&row([
        "total".into(),
        String::new(),
        String::new(),
        total.to_string(),
    ]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_published_lag_is_shown_only_when_it_is_the_holders_fresh_and_of_its_group() {
        let dir = tempfile::tempdir().unwrap();
        let locked = |pid| Locked {
            path: dir.path().display().to_string(),
            by: format!(" (pid {pid})"),
            pid: Some(pid),
            reader: false,
        };
        let config = EmbeddedConfig::default();
        let publish = |age_ms: i64, group: &str| {
            PublishedLag {
                pid: 42,
                written_at_ms: chrono::Utc::now().timestamp_millis() - age_ms,
                topic: config.topic.clone(),
                group: group.to_owned(),
                partitions: vec![partition(0, 1, 3)],
            }
            .write(dir.path())
            .unwrap()
        };
        let error = |pid| {
            let e = read_published(dir.path(), &locked(pid), &config)
                .err()
                .unwrap();
            (format!("{e:#}"), e.is::<ConfigOrLock>())
        };
        let (shown, is_lock) = error(42);
        assert!(shown.contains("publishes no lag") && is_lock, "{shown}");
        publish(0, &config.group);
        let read = read_published(dir.path(), &locked(42), &config).unwrap();
        assert_eq!(
            (read.partitions, read.published_by),
            (vec![partition(0, 1, 3)], Some(42))
        );
        let (shown, is_lock) = error(43);
        assert!(
            shown.contains("(pid 43) that publishes no lag") && is_lock,
            "{shown}"
        );
        publish(60_000, &config.group);
        assert!(
            error(42).0.contains("published is 60 s old"),
            "{}",
            error(42).0
        );
        publish(0, "other");
        assert!(error(42).0.contains("as group other"), "{}", error(42).0);
    }

    fn partition(partition: u32, committed: u64, high_watermark: u64) -> PartitionLag {
        PartitionLag {
            partition,
            committed,
            high_watermark,
            lag: high_watermark - committed,
        }
    }

    #[test]
    fn the_lag_table_lines_up_and_totals() {
        let table = lag_table(&[partition(0, 10, 15), partition(1, 7, 7)]);
        let want = "\
partition    committed high_watermark        lag
        0           10             15          5
        1            7              7          0
    total                                      5
";
        assert_eq!(table, want);
    }

    #[test]
    fn json_lines_are_one_object_per_line() {
        let text = json_lines(&[partition(2, 1, 3)]).unwrap();
        assert_eq!(
            text,
            "{\"partition\":2,\"committed\":1,\"high_watermark\":3,\"lag\":2}\n"
        );
    }
}
