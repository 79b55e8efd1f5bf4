//! Turns parsed flags into a running pipeline: opens the data dir, picks the backends, starts
//! the stages and runs the console or the headless reporter until the pipeline stops.

use std::sync::Arc;

use anyhow::Context;
use tokio::time::Instant;
use tokio_util::sync::{CancellationToken, DropGuard};
use tracing::{info, warn};

use crate::broker::{AnyBroker, Broker};
use crate::cli::{BrokerKind, Cli, Command, ConfigAction, DeadLettersAction, RunArgs, StoreKind};
use crate::datadir::DataDir;
use crate::datadir::lag::{self, PublishedLag};
use crate::exit::Usage;
use crate::headless;
use crate::inspect::LagSource;
use crate::pipeline::{Control, Pipeline, PipelineConfig, Role};
use crate::retry::RetryPolicy;
use crate::store::Store;

mod open;

use open::{
    counted_log, counting, embedded_config, open_broker, open_cassandra, open_kafka, open_source,
    open_store,
};

/// Runs what the command line asks for.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Some(Command::Completions { shell }) => return crate::cli::docs::completions(*shell),
        Some(Command::Man) => return crate::cli::docs::man(),
        Some(Command::Config { action }) => {
            return match action {
                ConfigAction::Example => {
                    print!("{}", crate::cli::docs::example());
                    Ok(())
                }
                ConfigAction::Check => crate::cli::docs::check(cli.config.as_deref()),
            };
        }
        _ => {}
    }
    if let Some(Command::Schema) = cli.command {
        let c = &cli.run.cassandra;
        print!(
            "{}",
            crate::store::cassandra::schema::render(&c.keyspace, &c.replication)
        );
        return Ok(());
    }
    if let Some(Command::Lag { json }) = cli.command {
        // Read-only, beside a running pipeline: the data dir is not locked here.
        let source = match cli.run.broker {
            BrokerKind::Kafka => LagSource::Broker(open_kafka(&cli.run).await?),
            BrokerKind::Embedded => {
                LagSource::embedded(cli.data_dir.clone(), embedded_config(&cli.run))
            }
        };
        return crate::inspect::lag(&source, json, cli.run.watch.every()).await;
    }
    if let Some(Command::DeadLetters {
        limit,
        action: None,
    }) = cli.command
    {
        // Read-only, beside a running pipeline: the data dir is not locked here.
        let letters = match cli.run.store {
            StoreKind::Embedded => {
                let path = cli.data_dir.join(crate::datadir::STORE_FILE);
                crate::store::embedded::read_dead_letters(&path, limit)
                    .context("cannot read the dead letters")?
            }
            StoreKind::Cassandra => {
                let store = open_cassandra(&cli.run, None).await?;
                store.dead_letters(limit).await?
            }
        };
        return crate::inspect::dead_letters(letters);
    }
    let data_dir = DataDir::open(&cli.data_dir)?;
    match cli.command {
        Some(Command::DeadLetters {
            limit,
            action: Some(DeadLettersAction::Replay),
        }) => {
            let filter = cli
                .run
                .replay
                .filter(now_ms(), limit)
                .map_err(Usage::from_error)?;
            let store = open_store(&data_dir, &cli.run, None).await?;
            let broker = open_broker(&data_dir, &cli.run).await?;
            let (topic, execute) = (&cli.run.topic, cli.run.replay.execute);
            crate::replay::dead_letters(&broker, &store, topic, filter, execute).await?;
            Ok(())
        }
        Some(Command::ResetOffsets { json }) => {
            let target = cli.run.replay.target(now_ms()).map_err(Usage::from_error)?;
            let broker = open_broker(&data_dir, &cli.run).await?;
            let (partitions, execute) = (cli.run.replay.partition.clone(), cli.run.replay.execute);
            crate::replay::reset_offsets(&broker, target, partitions, execute, json).await
        }
        Some(
            Command::Lag { .. }
            | Command::DeadLetters { action: None, .. }
            | Command::Schema
            | Command::Completions { .. }
            | Command::Man
            | Command::Config { .. },
        ) => Ok(()),
        None => pipeline(&data_dir, cli.run).await,
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Until the returned guard drops (after the pipeline stopped), rewrites the data dir's
/// published lag every [`lag::PUBLISH_EVERY`] for `userstream lag` to read beside it.
fn publish_lag(broker: &AnyBroker, dir: &DataDir, args: &RunArgs) -> Option<DropGuard> {
    if !matches!(broker, AnyBroker::Embedded(_)) {
        return None;
    }
    let stop = CancellationToken::new();
    let (broker, path, stop_here) = (broker.clone(), dir.path().to_owned(), stop.clone());
    let (topic, group, pid) = (args.topic.clone(), args.group.clone(), std::process::id());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(lag::PUBLISH_EVERY);
        let mut failing = false;
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop_here.cancelled() => return,
            }
            let Ok(partitions) = broker.lag().await else {
                continue;
            };
            let published = PublishedLag {
                pid,
                written_at_ms: now_ms(),
                topic: topic.clone(),
                group: group.clone(),
                partitions,
            };
            match published.write(&path) {
                Ok(()) => failing = false,
                Err(error) if !failing => {
                    failing = true;
                    warn!(
                        error = format!("{error:#}"),
                        "Cannot publish the lag for 'userstream lag'; will retry."
                    );
                }
                Err(_) => {}
            }
        }
    });
    Some(stop.drop_guard())
}

fn pipeline_config(args: &RunArgs) -> PipelineConfig {
    PipelineConfig {
        role: args.role,
        topic: args.topic.clone(),
        batch_size: args.effective_batch_size(),
        max_records: args.max_records,
        duration: args.duration,
        drain: args.drain,
        poll_max: args.poll_max,
        max_lead: (args.role == Role::All && args.max_lead > 0).then_some(args.max_lead),
        retry: RetryPolicy {
            initial: args.retry_initial,
            max: args.retry_max,
            circuit_threshold: Some(args.circuit_threshold.max(1)),
            circuit_cooldown: args.circuit_cooldown,
        },
        drain_timeout: args.drain_timeout,
        limits: crate::pipeline::transform::Limits {
            max_field_chars: args.max_field_chars,
        },
    }
}

async fn pipeline(dir: &DataDir, args: RunArgs) -> anyhow::Result<()> {
    let log = counted_log(dir, &args)?;
    let broker = open_broker(dir, &args).await?;
    let store = open_store(dir, &args, counting(log, &broker)).await?;
    let source = open_source(&args)?;
    let config = pipeline_config(&args);
    info!(
        source = ?args.source,
        broker = %broker.describe(),
        store = %store.describe(),
        role = ?config.role,
        batch_size = config.batch_size,
        rate = ?args.effective_rate(),
        "Starting pipeline."
    );
    let control = Arc::new(Control::new(args.effective_rate()));
    let metrics = match &args.metrics_addr {
        Some(addr) => Some(crate::metrics::bind(addr).await?),
        None => None,
    };
    let console_info = crate::console::wanted(&args).then(|| crate::console::RunInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        source: crate::source::Source::name(&source).to_owned(),
        broker: broker.describe(),
        store: store.describe(),
        batch_size: config.batch_size,
        data_dir: dir
            .store_path()
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default(),
        metrics_addr: metrics.as_ref().map(|m| m.addr().to_string()),
    });
    let started = Instant::now();
    let pipeline = Pipeline::start(config, source, broker.clone(), store.clone(), control);
    broker.start_upkeep(pipeline.shutdown.clone());
    let _publishing = publish_lag(&broker, dir, &args);
    let metrics = metrics.map(|m| {
        let build = args.build_info();
        m.serve(pipeline.stats.clone(), broker.clone(), store.clone(), build)
    });

    let stats = pipeline.stats.clone();
    let (result, finished_at) = match console_info {
        Some(info) => {
            // Signals ask the console to stop, so that it drains and restores the terminal.
            let stop_request = CancellationToken::new();
            spawn_signal_handler(stop_request.clone(), true);
            let outcome = crate::console::run(pipeline, store, info, stop_request).await?;
            (outcome.result, outcome.finished_at)
        }
        None => {
            spawn_signal_handler(pipeline.shutdown.clone(), false);
            let reporter_done = CancellationToken::new();
            let reporter = tokio::spawn(headless::report(
                stats.clone(),
                args.status_interval,
                reporter_done.clone(),
            ));
            let result = pipeline.join().await;
            reporter_done.cancel();
            let _ = reporter.await;
            (result, Instant::now())
        }
    };
    // The monitor's last sample lands right after shutdown; take a fresh one for the summary.
    if let Ok(lag) = broker.lag().await {
        stats.set_lag(lag);
    }
    let error = result.as_ref().err().map(ToString::to_string);
    headless::summary(&stats, finished_at - started, error.as_deref());
    if let Some(metrics) = metrics {
        metrics.finish(args.metrics_linger).await;
    }
    result.context("the pipeline stopped")
}

/// SIGINT and SIGTERM: stop fetching, finish and commit what is in flight, exit 0. A second
/// signal exits at once with 130: nothing acknowledged is lost (uncommitted records are
/// processed again at the next start), as after `kill -9`.
fn spawn_signal_handler(shutdown: CancellationToken, console: bool) {
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut term), Ok(mut int)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) else {
                warn!("Cannot install signal handlers.");
                return;
            };
            tokio::select! {
                _ = term.recv() => info!("SIGTERM: draining in-flight work."),
                _ = int.recv() => info!("SIGINT: draining in-flight work."),
            }
            shutdown.cancel();
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            shutdown.cancel();
            let _ = tokio::signal::ctrl_c().await;
        }
        if console {
            ratatui::restore();
        }
        eprintln!(
            "userstream: second signal: exiting now; what was not committed is processed \
             again at the next start"
        );
        std::process::exit(i32::from(crate::exit::SECOND_SIGNAL));
    });
}
