//! The subcommands that print what the pipeline left behind and exit: `userstream lag` (per
//! partition committed offset, high watermark and lag, from the broker, as a table or JSON
//! lines) and `userstream dead-letters` (JSON lines). Dead letters are read from the store, the
//! same copy the console's Records tab shows: the store writes them in the same unit as the
//! rows of their batch, so both readers see exactly the letters of the committed batches. The
//! pipeline never runs here.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use tracing::warn;

use crate::broker::Broker;
use crate::stats::PartitionLag;
use crate::store::Store;
use crate::util::format_duration;

/// `userstream lag [--json] [--watch --interval D]`: once, or every `watch` until SIGINT or
/// SIGTERM, redrawing the table in place on a terminal. While watching, a broker that does not
/// answer is shown in place of the table and asked again at the next tick.
pub async fn lag<B: Broker>(broker: &B, json: bool, watch: Option<Duration>) -> anyhow::Result<()> {
    let Some(every) = watch else {
        let lag = broker.lag().await?;
        print!("{}", render(&lag, json)?);
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
                lag = broker.lag() => lag,
            },
        };
        let body = match lag {
            Ok(lag) => render(&lag, json)?,
            Err(error) if json => {
                warn!(%error, "Cannot read the lag; asking again at the next tick.");
                continue;
            }
            Err(error) => format!("lag unavailable: {error}\n"),
        };
        let mut text = String::new();
        if in_place {
            // Home and clear, as watch(1) does.
            text.push_str("\x1b[H\x1b[2J");
        }
        if !json {
            let now = chrono::Utc::now().format("%H:%M:%S UTC");
            text.push_str(&format!(
                "every {} · userstream lag · {now}\n",
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

/// `userstream dead-letters [--limit N]`: the `limit` most recent dead letters, oldest first,
/// one JSON per line.
pub async fn dead_letters<S: Store>(store: &S, limit: usize) -> anyhow::Result<()> {
    let mut letters = store.dead_letters(limit).await?;
    letters.reverse();
    print!("{}", json_lines(&letters)?);
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
