//! Which flags each subcommand takes. Every flag is defined once, on [`super::RunArgs`] (or a
//! struct it flattens), and carries a help heading from [`heading`]. Each subcommand lists in
//! [`SUBCOMMANDS`] the headings whose flags it reads. [`command`] makes every flag global, so
//! it can come before or after the subcommand (`userstream lag --brokers h:9092`), and hides
//! the ones a subcommand does not read from its `--help` and completions; [`refuse_unused`]
//! refuses them when the command line gives them, with the reason.
//!
//! How to add a flag: add the field with `help_heading = heading::X` (the heading of its
//! concern) and a `USERSTREAM_*` env; every subcommand whose line in [`SUBCOMMANDS`] lists X
//! accepts it, the others refuse it. A flag for a new concern gets a new heading, added to the
//! lines of the subcommands that read it. How to add a subcommand: add its variant to
//! [`super::Command`] and its line here; `scope::tests` fails while a subcommand has no line or a
//! flag has no heading.

use clap::ArgMatches;
use clap::parser::ValueSource;

/// The help headings that group the flags by concern.
pub mod heading {
    /// Where the embedded log and store live.
    pub const DATA_DIR: &str = "Data dir";
    /// The users' source and its pace.
    pub const SOURCE: &str = "Source";
    /// The topic backend: which one, how to reach it, topic and consumer group.
    pub const BROKER: &str = "Broker";
    /// What the embedded log deletes, and when.
    pub const RETENTION: &str = "Retention";
    /// The store backend and how to reach it.
    pub const STORE: &str = "Store";
    /// The Cassandra keyspace and its replication.
    pub const SCHEMA: &str = "Cassandra schema";
    /// The pipeline run: roles, bounds, retries, status lines, metrics.
    pub const RUN: &str = "Run";
    /// Offset resets and dead-letter replays: where to, which, and whether to apply.
    pub const REPLAY: &str = "Reset and replay";
    /// `lag --watch`: whether to refresh, and how often.
    pub const WATCH: &str = "Watch";
    /// Log filter and format; every subcommand takes them.
    pub const LOGGING: &str = "Logging";
    /// Every heading, in the order of `--help`.
    pub const ALL: &[&str] = &[
        DATA_DIR, SOURCE, BROKER, RETENTION, STORE, SCHEMA, RUN, REPLAY, WATCH, LOGGING,
    ];
}

/// One subcommand and the flags it reads.
#[derive(Debug)]
pub struct Uses {
    /// Its name; a nested subcommand's path is its names joined by a space (`"a b"`).
    pub path: &'static str,
    /// The headings of the flags it reads, besides [`heading::LOGGING`] and `--config`.
    pub headings: &'static [&'static str],
    /// What it does, ending the refusal of a flag it does not read.
    pub does: &'static str,
}

/// The flags of each subcommand. A nested subcommand without a line of its own uses its
/// parent's.
pub const SUBCOMMANDS: &[Uses] = &[
    Uses {
        path: "lag",
        headings: &[heading::DATA_DIR, heading::BROKER, heading::WATCH],
        does: "it reads the consumer group's offsets from the broker",
    },
    Uses {
        path: "dead-letters",
        headings: &[heading::DATA_DIR, heading::STORE, heading::SCHEMA],
        does: "it reads dead letters from the store",
    },
    Uses {
        path: "dead-letters replay",
        headings: &[
            heading::DATA_DIR,
            heading::BROKER,
            heading::STORE,
            heading::SCHEMA,
            heading::REPLAY,
        ],
        does: "it re-publishes the store's dead letters to the topic",
    },
    Uses {
        path: "reset-offsets",
        headings: &[heading::DATA_DIR, heading::BROKER, heading::REPLAY],
        does: "it moves the consumer group's offsets on the broker",
    },
    Uses {
        path: "schema",
        headings: &[heading::SCHEMA],
        does: "it prints the CQL of --keyspace and --replication",
    },
    Uses {
        path: "completions",
        headings: &[],
        does: "it prints a completion script",
    },
    Uses {
        path: "man",
        headings: &[],
        does: "it prints the man page",
    },
    Uses {
        path: "config",
        headings: &[],
        does: "it reads no flag but --config",
    },
];

/// The subcommands that print without running anything, to which the config file does not
/// apply (`config check` reads it itself).
const WITHOUT_THE_FILE: &[&str] = &["completions", "man", "config"];

/// Whether the config file's values apply to what `matches` runs.
pub fn applies_the_file(matches: &ArgMatches) -> bool {
    let path = subcommand_path(matches);
    let first = path.split(' ').next().unwrap_or_default();
    !WITHOUT_THE_FILE.contains(&first)
}

/// The line of the subcommand at `path`, or of its nearest parent that has one.
pub fn uses(path: &str) -> Option<&'static Uses> {
    let mut path = path;
    loop {
        if let Some(found) = SUBCOMMANDS.iter().find(|u| u.path == path) {
            return Some(found);
        }
        path = path.rsplit_once(' ')?.0;
    }
}

/// Whether the subcommand at `path` reads the flags under `heading` (`None`: `--config`,
/// `--help`, `--version`, which every subcommand takes).
fn reads(path: &str, heading: Option<&str>) -> bool {
    match heading {
        None => true,
        Some(h) if h == heading::LOGGING => true,
        Some(h) => uses(path).is_some_and(|u| u.headings.contains(&h)),
    }
}

/// The command line: the derived definition with every flag global, each subcommand's
/// `--help` showing only the flags it reads.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let command = super::Cli::command().mut_args(|a| {
        if a.get_help_heading().is_some() {
            a.global(true)
        } else {
            a
        }
    });
    let globals: Vec<clap::Arg> = command
        .get_arguments()
        .filter(|a| a.is_global_set())
        .cloned()
        .collect();
    let mut command = command;
    for sub in command.get_subcommands_mut() {
        give_globals(sub, "", &globals);
    }
    command
}

/// Gives `sub` (and its subcommands) its own copy of each global flag, hidden where it is not
/// read; clap then copies no global flag into it, and still hands their values to the top.
fn give_globals(sub: &mut clap::Command, parent: &str, globals: &[clap::Arg]) {
    let path = if parent.is_empty() {
        sub.get_name().to_owned()
    } else {
        format!("{parent} {}", sub.get_name())
    };
    let mut with = std::mem::take(sub);
    for arg in globals {
        if with.get_arguments().all(|a| a.get_id() != arg.get_id()) {
            let hidden = !reads(&path, arg.get_help_heading());
            with = with.arg(arg.clone().hide(hidden));
        }
    }
    *sub = with;
    for nested in sub.get_subcommands_mut() {
        give_globals(nested, &path, globals);
    }
}

/// The path of the subcommand `matches` ran (`""` for the pipeline itself).
fn subcommand_path(matches: &ArgMatches) -> String {
    let mut names = Vec::new();
    let mut at = matches;
    while let Some((name, sub)) = at.subcommand() {
        names.push(name);
        at = sub;
    }
    names.join(" ")
}

/// Refuses a flag given on the command line that the subcommand does not read. The environment
/// and the config file hold settings for every command, so what they give is not refused.
pub fn refuse_unused(command: &clap::Command, matches: &ArgMatches) -> anyhow::Result<()> {
    let path = subcommand_path(matches);
    if path.is_empty() {
        return Ok(());
    }
    for arg in command.get_arguments() {
        let id = arg.get_id().as_str();
        if matches.value_source(id) != Some(ValueSource::CommandLine)
            || reads(&path, arg.get_help_heading())
        {
            continue;
        }
        let flag = arg
            .get_long()
            .map_or_else(|| id.to_owned(), |l| format!("--{l}"));
        let does = uses(&path).map_or("", |u| u.does);
        anyhow::bail!(
            "'userstream {path}' does not take {flag}: {does} (see 'userstream {path} --help')"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subcommand_has_a_line_and_every_flag_a_heading() {
        let command = command();
        for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
            assert!(
                uses(sub.get_name()).is_some(),
                "{} has no line",
                sub.get_name()
            );
        }
        for uses in SUBCOMMANDS {
            for h in uses.headings {
                assert!(heading::ALL.contains(h), "{h} is not in heading::ALL");
            }
        }
        for arg in command.get_arguments() {
            match arg.get_help_heading() {
                Some(h) => assert!(heading::ALL.contains(&h), "{h} is not in heading::ALL"),
                None => assert_eq!(arg.get_id().as_str(), "config"),
            }
        }
    }

    #[test]
    fn a_subcommand_help_shows_only_what_it_reads() {
        let mut command = command();
        let Some(lag) = command.find_subcommand_mut("lag") else {
            panic!("no lag subcommand");
        };
        let help = lag.render_long_help().to_string();
        for shown in [
            "--brokers",
            "--topic",
            "--data-dir",
            "--log",
            "--json",
            "--config",
        ] {
            assert!(help.contains(shown), "{shown} not in {help}");
        }
        for hidden in ["--rate", "--cassandra", "--retention-age", "--headless"] {
            assert!(!help.contains(hidden), "{hidden} in {help}");
        }
    }
}
