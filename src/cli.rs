//! The command line: flags, `USERSTREAM_*` environment variables and an optional TOML file, in
//! that order of precedence. The file's keys are the long flag names (`rate = 500`,
//! `data-dir = "/var/lib/userstream"`); an unknown key is refused. The file is applied after a
//! first parse, only to flags that neither the command line nor the environment set, and never
//! as clap defaults: those are printed by `--help`, and a file holds passwords.
//!
//! Every flag is accepted before or after a subcommand, and refused by a subcommand that does
//! not read it: `scope` says how to add a flag and declare which subcommands take it.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, Args, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::broker::embedded::{DEFAULT_RETENTION_AGE, Retention};
use crate::broker::kafka::{Compression, KafkaConfig, KafkaProperty, KafkaPropertyParser};
use crate::broker::{DEFAULT_GROUP, DEFAULT_TOPIC};
use crate::exit::ConfigOrLock;
use crate::pipeline::{PipelineConfig, Role};
use crate::retry::RetryPolicy;
use crate::source::{
    FETCHES_PER_SECOND, MAX_RATE_BATCH, RANDOMUSER_LIMITS, SYNTHETIC_LIMITS, SourceLimits,
};
use crate::util::{format_duration, parse_duration};

pub mod cassandra;
pub mod docs;
pub mod kafka;
pub mod replay;
pub mod scope;
pub use cassandra::CassandraArgs;
pub use kafka::KafkaSecurityArgs;
pub use replay::ReplayArgs;
use scope::heading;

/// A real-time user-data pipeline and its operations console.
#[derive(Debug, Parser)]
#[command(name = "userstream", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub run: RunArgs,
    /// Directory of the embedded log and store.
    #[arg(
        long,
        env = "USERSTREAM_DATA_DIR",
        default_value = "./userstream-data",
        help_heading = heading::DATA_DIR,
    )]
    pub data_dir: PathBuf,
    /// TOML file with defaults for any long flag (keys are flag names).
    #[arg(long, global = true, env = "USERSTREAM_CONFIG")]
    pub config: Option<PathBuf>,
}

/// Tools that read a data dir.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Per partition committed offset, high watermark and lag.
    Lag {
        /// One JSON object per partition instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The most recent dead letters (as the store holds them) as JSON lines, oldest first.
    DeadLetters {
        /// Print (replay: take) at most this many.
        #[arg(long, default_value_t = 1000, global = true)]
        limit: usize,
        #[command(subcommand)]
        action: Option<DeadLettersAction>,
    },
    /// Move the consumer group's offsets (Kafka's conventions). Prints the plan; applies it
    /// only with --execute.
    ResetOffsets {
        /// The plan as one JSON object per partition instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print the CQL schema for `--keyspace` and `--replication` (cql/schema.cql).
    Schema,
    /// Print the completion script of a shell.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
    /// Write or check a config file.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
}

/// `userstream config ...`.
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum ConfigAction {
    /// Print a config file with every key, commented out at its default, with its variable.
    Example,
    /// Check the file of `--config`: unknown keys, bad values, secrets better kept in the
    /// environment. Exits 3 when it has errors.
    Check,
}

/// What to do with the dead letters besides printing them.
#[derive(Debug, Subcommand)]
pub enum DeadLettersAction {
    /// Re-publish dead letters never replayed (oldest first) to the topic, after the rule that
    /// rejected them was fixed; each is marked so it is never replayed again. Prints what it
    /// would publish; publishes only with --execute.
    Replay,
}

/// Where users come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// Built-in generator of randomuser-shaped users (offline).
    Synthetic,
    /// The randomuser.me API (or `--api-url`).
    Randomuser,
}

impl SourceKind {
    /// What this source allows and starts with.
    pub fn limits(self) -> SourceLimits {
        match self {
            SourceKind::Synthetic => SYNTHETIC_LIMITS,
            SourceKind::Randomuser => RANDOMUSER_LIMITS,
        }
    }
}

/// Which topic backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BrokerKind {
    /// The durable log under `--data-dir`.
    Embedded,
    /// Kafka (or any Kafka-protocol broker) at `--brokers`.
    Kafka,
}

/// Which store backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreKind {
    /// SQLite at `DATA_DIR/store.db`.
    Embedded,
    /// Apache Cassandra or ScyllaDB at `--cassandra`.
    Cassandra,
}

/// How log lines on stderr look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Time, level, target, message and fields, for people.
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, `message` and the fields.
    Json,
}

/// Users per second, or `max` for no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate(pub Option<u64>);

impl FromStr for Rate {
    type Err = String;
    fn from_str(s: &str) -> Result<Rate, String> {
        if s.eq_ignore_ascii_case("max") {
            return Ok(Rate(None));
        }
        match s.parse::<u64>() {
            Ok(n) if n > 0 => Ok(Rate(Some(n))),
            _ => Err(format!(
                "'{s}' is not a rate: give users per second (> 0) or 'max'"
            )),
        }
    }
}

fn duration(s: &str) -> Result<Duration, String> {
    parse_duration(s)
}

fn positive(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("'{s}' must be a whole number above 0")),
    }
}

fn byte_size(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_uppercase();
    let (num, mult) = [
        ("GB", 1u64 << 30),
        ("MB", 1 << 20),
        ("KB", 1 << 10),
        ("B", 1),
    ]
    .iter()
    .find_map(|(suffix, m)| t.strip_suffix(suffix).map(|n| (n.trim().to_owned(), *m)))
    .unwrap_or((t.clone(), 1));
    let n = num
        .parse::<u64>()
        .map_err(|_| format!("'{s}' is not a size (try 500MB, 2GB)"))?;
    n.checked_mul(mult)
        .ok_or_else(|| format!("'{s}' is too large: at most {} bytes", u64::MAX))
}

/// Flags of a pipeline run.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Run without the console: JSON status lines on stdout, logs on stderr.
    #[arg(long, env = "USERSTREAM_HEADLESS", help_heading = heading::RUN)]
    pub headless: bool,
    /// Source of users.
    #[arg(
        long,
        value_enum,
        env = "USERSTREAM_SOURCE",
        default_value = "synthetic",
        help_heading = heading::SOURCE,
    )]
    pub source: SourceKind,
    /// Base URL of the randomuser API.
    #[arg(
        long,
        env = "USERSTREAM_API_URL",
        default_value = "https://randomuser.me/api/1.4/",
        help_heading = heading::SOURCE,
    )]
    pub api_url: String,
    /// Nationalities to fetch, comma-separated (e.g. GB,FR); all when empty.
    #[arg(long, env = "USERSTREAM_NAT", value_delimiter = ',', help_heading = heading::SOURCE)]
    pub nat: Vec<String>,
    /// Seed for a reproducible source (synthetic: the generator; randomuser: `seed=`).
    #[arg(long, env = "USERSTREAM_SEED", help_heading = heading::SOURCE)]
    pub seed: Option<String>,
    /// Users per second, or `max` [default: 50 for randomuser, 1000 for synthetic].
    #[arg(long, env = "USERSTREAM_RATE", help_heading = heading::SOURCE)]
    pub rate: Option<Rate>,
    /// Users per fetch (randomuser allows up to 5000) [default: 25 ms of the rate].
    #[arg(long, env = "USERSTREAM_BATCH_SIZE", value_parser = positive,
          help_heading = heading::SOURCE)]
    pub batch_size: Option<usize>,
    /// Topic backend.
    #[arg(
        long,
        value_enum,
        env = "USERSTREAM_BROKER",
        default_value = "embedded",
        help_heading = heading::BROKER,
    )]
    pub broker: BrokerKind,
    /// Kafka bootstrap servers, comma-separated `host:port`.
    #[arg(long, env = "USERSTREAM_BROKERS", default_value_t = KafkaConfig::default().brokers,
          help_heading = heading::BROKER)]
    pub brokers: String,
    /// Kafka: replicas of a topic created at start.
    #[arg(long, env = "USERSTREAM_REPLICATION_FACTOR",
          default_value_t = KafkaConfig::default().replication_factor,
          value_parser = clap::value_parser!(i32).range(1..), help_heading = heading::BROKER)]
    pub replication_factor: i32,
    /// Kafka: compression of produced batches.
    #[arg(
        long,
        value_enum,
        env = "USERSTREAM_COMPRESSION",
        default_value_t = KafkaConfig::default().compression,
        help_heading = heading::BROKER,
    )]
    pub compression: Compression,
    /// Kafka: a librdkafka property `key=value`, repeatable (as kcat's `-X`).
    #[arg(short = 'X', long = "kafka-property", value_name = "KEY=VALUE",
          value_parser = KafkaPropertyParser, help_heading = heading::BROKER)]
    pub kafka_property: Vec<KafkaProperty>,
    #[command(flatten)]
    pub kafka_security: KafkaSecurityArgs,
    /// Store backend.
    #[arg(long, value_enum, env = "USERSTREAM_STORE", default_value = "embedded",
          help_heading = heading::STORE)]
    pub store: StoreKind,
    /// Topic users are published to.
    #[arg(long, env = "USERSTREAM_TOPIC", default_value = DEFAULT_TOPIC,
          help_heading = heading::BROKER)]
    pub topic: String,
    /// Consumer group.
    #[arg(long, env = "USERSTREAM_GROUP", default_value = DEFAULT_GROUP,
          help_heading = heading::BROKER)]
    pub group: String,
    /// Partitions of a new topic [default: 3].
    #[arg(long, env = "USERSTREAM_PARTITIONS", help_heading = heading::BROKER)]
    pub partitions: Option<u32>,
    /// Embedded log: delete records older than this.
    #[arg(long, env = "USERSTREAM_RETENTION_AGE", value_parser = duration,
          default_value = format_duration(DEFAULT_RETENTION_AGE),
          help_heading = heading::RETENTION)]
    pub retention_age: Duration,
    /// Embedded log: keep at most this many payload bytes per partition (e.g. 2GB; 0: no
    /// size limit).
    #[arg(long, env = "USERSTREAM_RETENTION_BYTES", value_parser = byte_size,
          default_value = "256MB", help_heading = heading::RETENTION)]
    pub retention_bytes: u64,
    /// Embedded log: time between two retention passes.
    #[arg(long, env = "USERSTREAM_RETENTION_INTERVAL", value_parser = duration,
          default_value = format_duration(Retention::default().interval),
          help_heading = heading::RETENTION)]
    pub retention_interval: Duration,
    /// Which stages to run.
    #[arg(long, value_enum, env = "USERSTREAM_ROLE", default_value = "all",
          help_heading = heading::RUN)]
    pub role: Role,
    /// Stop fetching after this many users, drain, and exit.
    #[arg(long, env = "USERSTREAM_MAX_RECORDS", help_heading = heading::RUN)]
    pub max_records: Option<u64>,
    /// Stop fetching after this long (e.g. 30s, 5m), drain, and exit.
    #[arg(long, env = "USERSTREAM_DURATION", value_parser = duration, help_heading = heading::RUN)]
    pub duration: Option<Duration>,
    /// With `--role process`: exit once the lag is zero.
    #[arg(long, env = "USERSTREAM_DRAIN", help_heading = heading::RUN)]
    pub drain: bool,
    /// Longest a stop (or the end of a bounded run) may take to store and commit what is in
    /// flight; past it the run exits non-zero, and what was not committed is processed again
    /// at the next start.
    #[arg(long, env = "USERSTREAM_DRAIN_TIMEOUT", value_parser = duration,
          default_value = format_duration(PipelineConfig::default().drain_timeout),
          help_heading = heading::RUN)]
    pub drain_timeout: Duration,
    /// Headless: time between status lines.
    #[arg(long, env = "USERSTREAM_STATUS_INTERVAL", value_parser = duration, default_value = "5s",
          help_heading = heading::RUN)]
    pub status_interval: Duration,
    /// Most records per store write.
    #[arg(long, env = "USERSTREAM_POLL_MAX", value_parser = positive,
          default_value_t = PipelineConfig::default().poll_max, help_heading = heading::RUN)]
    pub poll_max: usize,
    /// With `--role all`: most records fetched but not yet stored before ingest waits (0 = no
    /// limit).
    #[arg(long, env = "USERSTREAM_MAX_LEAD",
          default_value_t = PipelineConfig::default().max_lead.unwrap_or(0),
          help_heading = heading::RUN)]
    pub max_lead: u64,
    /// First retry delay; doubles per failure, with jitter.
    #[arg(long, env = "USERSTREAM_RETRY_INITIAL", value_parser = duration,
          default_value = format_duration(RetryPolicy::default().initial),
          help_heading = heading::RUN)]
    pub retry_initial: Duration,
    /// Longest retry delay.
    #[arg(long, env = "USERSTREAM_RETRY_MAX", value_parser = duration,
          default_value = format_duration(RetryPolicy::default().max), help_heading = heading::RUN)]
    pub retry_max: Duration,
    /// Consecutive source failures that open the circuit.
    #[arg(long, env = "USERSTREAM_CIRCUIT_THRESHOLD",
          default_value_t = RetryPolicy::default().circuit_threshold.unwrap_or(5),
          help_heading = heading::RUN)]
    pub circuit_threshold: u32,
    /// How long an open circuit waits before a trial request.
    #[arg(long, env = "USERSTREAM_CIRCUIT_COOLDOWN", value_parser = duration,
          default_value = format_duration(RetryPolicy::default().circuit_cooldown),
          help_heading = heading::RUN)]
    pub circuit_cooldown: Duration,
    /// Timeout of one API request.
    #[arg(long, env = "USERSTREAM_HTTP_TIMEOUT", value_parser = duration, default_value = "10s",
          help_heading = heading::SOURCE)]
    pub http_timeout: Duration,
    /// Serve Prometheus `/metrics`, `/healthz` and `/ready` on this `HOST:PORT` (off when unset).
    #[arg(long, env = "USERSTREAM_METRICS_ADDR", value_parser = crate::metrics::parse_addr,
          help_heading = heading::RUN)]
    pub metrics_addr: Option<String>,
    /// After the pipeline stopped, keep `/metrics` up until one scrape has read the final
    /// numbers, at most this long.
    #[arg(long, env = "USERSTREAM_METRICS_LINGER", value_parser = duration, default_value = "0s",
          help_heading = heading::RUN)]
    pub metrics_linger: Duration,
    /// Log filter (tracing `EnvFilter` syntax, e.g. `debug`, `userstream=debug,fjall=info`)
    /// [default: `RUST_LOG`, else userstream's INFO and other crates' WARN].
    #[arg(long, env = "USERSTREAM_LOG", help_heading = heading::LOGGING)]
    pub log: Option<String>,
    /// Log lines on stderr: text, or one JSON object per line (for a log collector).
    #[arg(
        long,
        value_enum,
        env = "USERSTREAM_LOG_FORMAT",
        default_value = "text",
        help_heading = heading::LOGGING,
    )]
    pub log_format: LogFormat,
    /// Longest text field a record may have, in characters; longer ones are dead-lettered
    /// (rule `field_size`).
    #[arg(long, env = "USERSTREAM_MAX_FIELD_CHARS", value_parser = positive,
          default_value_t = crate::pipeline::transform::Limits::default().max_field_chars,
          help_heading = heading::RUN)]
    pub max_field_chars: usize,
    #[command(flatten)]
    pub cassandra: CassandraArgs,
    #[command(flatten)]
    pub replay: ReplayArgs,
    #[command(flatten)]
    pub watch: WatchArgs,
}

/// `userstream lag --watch`: refresh until stopped.
#[derive(Debug, Args, Default)]
pub struct WatchArgs {
    /// lag: refresh the table in place every `--interval` until Ctrl-C (with `--json`: one
    /// object per partition again at each tick).
    #[arg(long = "watch", env = "USERSTREAM_WATCH", help_heading = heading::WATCH)]
    pub on: bool,
    /// lag --watch: time between two refreshes.
    #[arg(long, env = "USERSTREAM_WATCH_INTERVAL", value_parser = duration, default_value = "2s",
          help_heading = heading::WATCH)]
    pub interval: Duration,
}

impl WatchArgs {
    /// The time between two refreshes, when watching.
    pub fn every(&self) -> Option<Duration> {
        self.on.then_some(self.interval)
    }
}

impl RunArgs {
    /// The effective rate: the flag, or the source's safe default.
    pub fn effective_rate(&self) -> Option<u64> {
        match self.rate {
            Some(Rate(r)) => r,
            None => Some(self.source.limits().default_rate),
        }
    }

    /// The effective batch size: the flag (capped by the source), the source's default, or
    /// what [`FETCHES_PER_SECOND`] fetches of the rate need.
    pub fn effective_batch_size(&self) -> usize {
        let limits = self.source.limits();
        match (self.batch_size, limits.default_batch, self.effective_rate()) {
            (Some(n), _, _) => n.min(limits.max_batch),
            (None, Some(n), _) => n,
            (None, None, Some(rate)) => {
                ((rate / FETCHES_PER_SECOND) as usize).clamp(1, MAX_RATE_BATCH)
            }
            (None, None, None) => MAX_RATE_BATCH,
        }
    }

    /// The labels of `userstream_build_info` for a run with these flags.
    pub fn build_info(&self) -> crate::metrics::BuildInfo {
        fn name(value: Option<clap::builder::PossibleValue>) -> String {
            value.map(|v| v.get_name().to_owned()).unwrap_or_default()
        }
        crate::metrics::BuildInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            source: name(self.source.to_possible_value()),
            broker: name(self.broker.to_possible_value()),
            store: name(self.store.to_possible_value()),
            role: name(self.role.to_possible_value()),
        }
    }

    /// Refuses combinations that cannot work, with the reason.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.drain && self.role != Role::Process {
            bail!("--drain needs --role process (it exits when there is nothing left to process)");
        }
        if self.role == Role::Process && self.max_records.is_some() {
            bail!("--max-records limits fetching, which --role process does not do");
        }
        let max_batch = RANDOMUSER_LIMITS.max_batch;
        if self.source == SourceKind::Randomuser && self.batch_size.is_some_and(|b| b > max_batch) {
            bail!(
                "--batch-size {} is above the API's {max_batch} users per request",
                self.batch_size.unwrap_or(0)
            );
        }
        for nat in &self.nat {
            if !crate::source::NATIONALITIES
                .iter()
                .any(|n| n.eq_ignore_ascii_case(nat))
            {
                bail!(
                    "--nat {nat} is not a nationality the API knows ({})",
                    crate::source::NATIONALITIES.join(",")
                );
            }
        }
        Ok(())
    }
}

/// Parses the command line of this process, applying the config file.
pub fn parse() -> anyhow::Result<Cli> {
    parse_from(std::env::args_os().collect())
}

/// Parses `args` (the first is the program name), applying the config file they name.
pub fn parse_from(args: Vec<std::ffi::OsString>) -> anyhow::Result<Cli> {
    let command = scope::command();
    let matches: ArgMatches = command.clone().try_get_matches_from(&args)?;
    scope::refuse_unused(&command, &matches)?;
    replay::refuse_on_a_run(&command, &matches)?;
    if matches.value_source("interval") == Some(ValueSource::CommandLine) && !matches.get_flag("on")
    {
        bail!("--interval is the time between two refreshes of --watch: give --watch too");
    }
    let file = match config_path(&args) {
        Some(path) if scope::applies_the_file(&matches) => Some((
            read_config(&command, &path).map_err(|e| ConfigOrLock::from_error(&e))?,
            path,
        )),
        _ => None,
    };
    let matches = match file {
        Some((entries, path)) => {
            let mut full = Vec::with_capacity(args.len() + 2 * entries.len());
            full.extend(args.iter().take(1).cloned());
            for entry in entries
                .iter()
                .filter(|e| !set_outside_the_file(&matches, &e.id))
            {
                full.extend(entry.flags.iter().map(Into::into));
            }
            full.extend(args.iter().skip(1).cloned());
            command
                .try_get_matches_from(full)
                .map_err(|e| ConfigOrLock::from_error(&file_error(&path, &e)))?
        }
        None => matches,
    };
    let cli = Cli::from_arg_matches(&matches)?;
    cli.run.validate()?;
    Ok(cli)
}

/// One key of the config file, as the flags that say the same on the command line.
pub(crate) struct FileEntry {
    /// The clap id of the flag.
    pub(crate) id: String,
    /// `--flag value` (or `--flag` alone for a switch that is on), possibly repeated.
    pub(crate) flags: Vec<String>,
}

/// Reads the config file and turns each key into flags, refusing keys that are not flags.
fn read_config(command: &clap::Command, path: &std::path::Path) -> anyhow::Result<Vec<FileEntry>> {
    let table = read_table(path)?;
    let mut entries = Vec::with_capacity(table.len());
    for (key, value) in &table {
        entries.push(file_entry(command, path, key, value)?);
    }
    Ok(entries)
}

/// The config file as a TOML table.
pub(crate) fn read_table(path: &std::path::Path) -> anyhow::Result<toml::Table> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    // toml's messages quote the offending line, which may hold a password: keep the position.
    toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|span| {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                format!(" (line {line})")
            })
            .unwrap_or_default();
        anyhow::anyhow!("config file {} is not valid TOML{at}", path.display())
    })
}

/// The flags that say what `key = value` of the file says, or why it cannot be one.
pub(crate) fn file_entry(
    command: &clap::Command,
    path: &std::path::Path,
    key: &str,
    value: &toml::Value,
) -> anyhow::Result<FileEntry> {
    let id = key.replace('-', "_");
    let arg = command
        .get_arguments()
        .find(|a| a.get_long() == Some(key) || a.get_id().as_str() == id.as_str());
    let Some((arg, long)) = arg.and_then(|a| a.get_long().map(|l| (a, l))) else {
        bail!("config file {}: unknown key '{key}'", path.display());
    };
    if long == "config" || matches!(arg.get_action(), ArgAction::Help | ArgAction::Version) {
        bail!("config file {}: unknown key '{key}'", path.display());
    }
    // `--flag=value`, so a value that starts with '-' does not read as a flag.
    let flag = |v: &toml::Value| {
        let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        format!("--{long}={text}")
    };
    let flags = match (arg.get_action(), value) {
        (ArgAction::SetTrue, toml::Value::Boolean(true)) => vec![format!("--{long}")],
        (ArgAction::SetTrue, toml::Value::Boolean(false)) => Vec::new(),
        (ArgAction::SetTrue, _) => bail!(
            "config file {}: '{key}' is a switch: give true or false",
            path.display()
        ),
        // A repeatable flag takes an array item by item, so values may hold commas.
        (ArgAction::Append, toml::Value::Array(items)) => items.iter().map(flag).collect(),
        (_, toml::Value::Array(items)) => {
            let joined: Vec<String> = items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect();
            vec![format!("--{long}={}", joined.join(","))]
        }
        (_, other) => vec![flag(other)],
    };
    Ok(FileEntry {
        id: arg.get_id().to_string(),
        flags,
    })
}

/// Whether the command line or the environment gave `id` (which then wins over the file).
fn set_outside_the_file(matches: &ArgMatches, id: &str) -> bool {
    matches!(
        matches.value_source(id),
        Some(clap::parser::ValueSource::CommandLine | clap::parser::ValueSource::EnvVariable)
    )
}

/// A value of the file that clap refused, told as the file's fault; the value is not repeated
/// when its flag holds a secret.
pub(crate) fn file_error(path: &std::path::Path, error: &clap::Error) -> anyhow::Error {
    use clap::error::{ContextKind, ContextValue};
    let flag = match error.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(flag)) => flag.clone(),
        _ => String::new(),
    };
    let text = error.to_string();
    let first = text.lines().next().unwrap_or_default();
    let what = if crate::redact::is_secret_name(&flag) {
        format!("the value of {flag} is not valid")
    } else {
        first.strip_prefix("error: ").unwrap_or(first).to_owned()
    };
    anyhow::anyhow!("config file {}: {what}", path.display())
}

/// `--config` from the arguments or `USERSTREAM_CONFIG`, found before clap parses anything.
fn config_path(args: &[std::ffi::OsString]) -> Option<PathBuf> {
    let mut iter = args.iter().skip(1);
    while let Some(arg) = iter.next() {
        let arg = arg.to_string_lossy();
        if arg == "--config" {
            return iter.next().map(PathBuf::from);
        }
        if let Some(path) = arg.strip_prefix("--config=") {
            return Some(PathBuf::from(path));
        }
    }
    std::env::var_os("USERSTREAM_CONFIG").map(PathBuf::from)
}

#[cfg(test)]
mod tests;
