//! The flags of `userstream reset-offsets` and `userstream dead-letters replay`, under the
//! [`heading::REPLAY`] heading (so each also comes from `USERSTREAM_*` and the config file, and
//! the other subcommands refuse them on the command line), and how they turn into a
//! [`ResetTarget`] or a [`ReplayFilter`].

use anyhow::bail;
use clap::Args;

use super::scope::heading;
use crate::broker::reset::{ResetTarget, parse_datetime};
use crate::store::ReplayFilter;

/// Offset reset and dead-letter replay flags.
#[derive(Debug, Args, Default)]
pub struct ReplayArgs {
    /// reset-offsets: to the oldest kept record (everything is processed again).
    #[arg(long, env = "USERSTREAM_TO_EARLIEST", help_heading = heading::REPLAY)]
    pub to_earliest: bool,
    /// reset-offsets: to the high watermark (everything not yet read is skipped).
    #[arg(long, env = "USERSTREAM_TO_LATEST", help_heading = heading::REPLAY)]
    pub to_latest: bool,
    /// reset-offsets: to the first record produced at or after this RFC 3339 time, or a time
    /// back from now such as -15m.
    #[arg(long, env = "USERSTREAM_TO_DATETIME", value_name = "TIME",
          allow_hyphen_values = true, help_heading = heading::REPLAY)]
    pub to_datetime: Option<String>,
    /// reset-offsets: to this offset (clamped to the kept records).
    #[arg(long, env = "USERSTREAM_TO_OFFSET", value_name = "N", help_heading = heading::REPLAY)]
    pub to_offset: Option<u64>,
    /// reset-offsets: move the current offset by ±N records (clamped).
    #[arg(long, env = "USERSTREAM_SHIFT_BY", value_name = "±N", allow_negative_numbers = true,
          help_heading = heading::REPLAY)]
    pub shift_by: Option<i64>,
    /// reset-offsets: only this partition (repeatable) [default: every partition].
    #[arg(long, env = "USERSTREAM_PARTITION", value_name = "P",
          value_delimiter = ',', help_heading = heading::REPLAY)]
    pub partition: Vec<u32>,
    /// dead-letters replay: only dead letters of this rule (e.g. field_size).
    #[arg(long, env = "USERSTREAM_REPLAY_RULE", value_name = "RULE",
          help_heading = heading::REPLAY)]
    pub rule: Option<String>,
    /// dead-letters replay: only dead letters that failed at or after this RFC 3339 time, or a
    /// time back from now such as -1h.
    #[arg(long, env = "USERSTREAM_REPLAY_SINCE", value_name = "TIME",
          allow_hyphen_values = true, help_heading = heading::REPLAY)]
    pub since: Option<String>,
    /// Apply the plan; without it both commands only print what they would do.
    #[arg(long, env = "USERSTREAM_EXECUTE", help_heading = heading::REPLAY)]
    pub execute: bool,
}

impl ReplayArgs {
    /// The one reset target given, at `now_ms`.
    pub fn target(&self, now_ms: i64) -> anyhow::Result<ResetTarget> {
        let mut given = Vec::new();
        if self.to_earliest {
            given.push(ResetTarget::Earliest);
        }
        if self.to_latest {
            given.push(ResetTarget::Latest);
        }
        if let Some(text) = &self.to_datetime {
            given.push(ResetTarget::Datetime(time(text, now_ms, "--to-datetime")?));
        }
        if let Some(o) = self.to_offset {
            given.push(ResetTarget::Offset(o));
        }
        if let Some(n) = self.shift_by {
            given.push(ResetTarget::ShiftBy(n));
        }
        match given.as_slice() {
            [one] => Ok(*one),
            [] => bail!(
                "say where to: --to-earliest, --to-latest, --to-datetime TIME, --to-offset N \
                 or --shift-by ±N"
            ),
            _ => bail!(
                "give only one of --to-earliest, --to-latest, --to-datetime, --to-offset and \
                 --shift-by"
            ),
        }
    }

    /// The dead letters `dead-letters replay` takes, at `now_ms`.
    pub fn filter(&self, now_ms: i64, limit: usize) -> anyhow::Result<ReplayFilter> {
        let since = match &self.since {
            Some(text) => {
                let ms = time(text, now_ms, "--since")?;
                let Some(at) = chrono::DateTime::from_timestamp_millis(ms) else {
                    bail!("--since {text} is out of range");
                };
                Some(crate::util::rfc3339(at))
            }
            None => None,
        };
        Ok(ReplayFilter {
            rule: self.rule.clone(),
            since,
            limit,
        })
    }
}

/// Refuses a flag of this heading (or of `lag --watch`'s) given on the command line of a
/// pipeline run (no subcommand), which would otherwise be ignored; the environment and the
/// config file may hold them.
pub fn refuse_on_a_run(command: &clap::Command, matches: &clap::ArgMatches) -> anyhow::Result<()> {
    if matches.subcommand().is_some() {
        return Ok(());
    }
    for arg in command.get_arguments() {
        let id = arg.get_id().as_str();
        if matches.value_source(id) != Some(clap::parser::ValueSource::CommandLine) {
            continue;
        }
        let flag = arg.get_long().unwrap_or(id);
        match arg.get_help_heading() {
            Some(heading::REPLAY) => bail!(
                "a pipeline run does not take --{flag}: it is for 'userstream reset-offsets' and \
                 'userstream dead-letters replay'"
            ),
            Some(heading::WATCH) => bail!(
                "a pipeline run does not take --{flag}: it is for 'userstream lag' (the console's \
                 Lag tab refreshes by itself)"
            ),
            _ => {}
        }
    }
    Ok(())
}

/// An RFC 3339 time or `-15m`, in milliseconds since the epoch.
fn time(text: &str, now_ms: i64, flag: &str) -> anyhow::Result<i64> {
    let parsed = match text.trim().strip_prefix('-') {
        Some(back) => crate::util::parse_duration(back)
            .map(|ago| now_ms.saturating_sub(ago.as_millis() as i64)),
        None => parse_datetime(text),
    };
    parsed.map_err(|why| anyhow::anyhow!("{flag}: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_target_is_taken() {
        let args = |f: fn(&mut ReplayArgs)| {
            let mut a = ReplayArgs::default();
            f(&mut a);
            a
        };
        let now = 10_000_000;
        assert_eq!(
            args(|a| a.to_datetime = Some("-1s".into()))
                .target(now)
                .unwrap(),
            ResetTarget::Datetime(now - 1000)
        );
        assert_eq!(
            args(|a| a.shift_by = Some(-5)).target(now).unwrap(),
            ResetTarget::ShiftBy(-5)
        );
        let none = args(|_| {}).target(now).unwrap_err().to_string();
        assert!(none.contains("say where to"), "{none}");
        let two = args(|a| {
            a.to_earliest = true;
            a.to_offset = Some(3);
        })
        .target(now)
        .unwrap_err()
        .to_string();
        assert!(two.contains("only one"), "{two}");
        let bad = args(|a| a.to_datetime = Some("noon".into()))
            .target(now)
            .unwrap_err()
            .to_string();
        assert!(bad.starts_with("--to-datetime:"), "{bad}");
        let since = args(|a| a.since = Some("2026-01-31T12:00:00Z".into()));
        let filter = since.filter(now, 5).unwrap();
        assert_eq!(filter.since.as_deref(), Some("2026-01-31T12:00:00.000000Z"));
    }
}
