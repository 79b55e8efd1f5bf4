//! The operations console: a ratatui TUI over the running pipeline, the default when stdout is a
//! terminal and `--headless` is not given.
//!
//! One loop owns the [`App`] state and is fed by three sources: a 4 Hz tick that samples the
//! stats into bounded series, terminal input read on its own thread, and a background task that
//! reads the store about once a second into a shared latest copy. Drawing is a pure function of
//! the state (`impl Widget for &App`), so it never touches the pipeline or the store, and the
//! snapshot tests can pin every value. Quitting cancels the pipeline, waits while it finishes
//! and commits what is in flight, then restores the terminal (also restored on panic).

pub mod app;
#[cfg(any(test, feature = "fixture"))]
pub mod fixture;
pub mod format;
pub mod history;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod logging;
pub mod logs;
pub mod rate;
pub mod records;
pub mod reset;
pub mod store_reader;
pub mod tab;
pub mod theme;
pub mod ui;
pub mod view;

#[cfg(test)]
mod tests;

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use ratatui::DefaultTerminal;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

pub use app::{App, RunInfo};

use crate::broker::reset::ResetRow;
use crate::cli::RunArgs;
use crate::pipeline::{Control, Pipeline, StageError};
use crate::stats::{Stage, Stats};
use crate::store::Store;
use app::{Command, Finished};
use input::Input;
use theme::Theme;

/// How often the stats are sampled (and the screen redrawn without input).
const TICK: Duration = Duration::from_millis(250);
/// How often the store is read for the Records and Charts tabs.
const STORE_EVERY: Duration = Duration::from_secs(1);

/// Whether this run gets the console: stdout is a terminal and `--headless` was not given.
pub fn wanted(args: &RunArgs) -> bool {
    !args.headless && std::io::stdout().is_terminal()
}

/// How a console session ended.
#[derive(Debug)]
pub struct Outcome {
    /// When the pipeline's stages had all stopped.
    pub finished_at: Instant,
    /// The pipeline's own result.
    pub result: Result<(), StageError>,
}

/// The pipeline handles the loop acts on.
struct Handles {
    stats: Arc<Stats>,
    control: Arc<Control>,
    shutdown: CancellationToken,
    join: tokio::task::JoinHandle<Result<(), StageError>>,
    joined: Option<(Instant, Result<(), StageError>)>,
    /// Answers of the pipeline to the reset dialog.
    replies: mpsc::UnboundedSender<Reply>,
}

/// An answer of the pipeline to a command that waits for one.
enum Reply {
    Planned(Result<Vec<ResetRow>, String>),
    /// The plan confirmed, and the rows as applied (or why not).
    Applied(Vec<ResetRow>, Result<Vec<ResetRow>, String>),
}

/// Runs the console over `pipeline` until the user quits or `stop_request` fires (SIGTERM),
/// then stops the pipeline, waits for it to drain and restores the terminal.
pub async fn run<S: Store>(
    pipeline: Pipeline,
    store: S,
    info: RunInfo,
    stop_request: CancellationToken,
) -> anyhow::Result<Outcome> {
    let (replies, replies_rx) = mpsc::unbounded_channel();
    let mut handles = Handles {
        stats: pipeline.stats.clone(),
        control: pipeline.control.clone(),
        shutdown: pipeline.shutdown.clone(),
        join: tokio::spawn(pipeline.join()),
        joined: None,
        replies,
    };
    let terminal = ratatui::try_init().context("cannot set up the terminal");
    let input_stop = Arc::new(AtomicBool::new(false));
    let reader_stop = CancellationToken::new();
    let looped = match terminal {
        Ok(mut terminal) => {
            let input = input::spawn(input_stop.clone());
            let store_rx = store_reader::spawn(store, STORE_EVERY, reader_stop.clone());
            let app = App::new(info, Theme::from_env(), Utc::now(), handles.control.rate());
            let looped = event_loop(
                &mut terminal,
                app,
                &mut handles,
                input,
                store_rx,
                replies_rx,
                stop_request,
            )
            .await;
            ratatui::restore();
            looped
        }
        Err(e) => Err(e),
    };
    input_stop.store(true, Relaxed);
    reader_stop.cancel();
    // Whatever ended the loop, the pipeline drains and commits before we return.
    handles.shutdown.cancel();
    let (finished_at, result) = match handles.joined.take() {
        Some(joined) => joined,
        None => (Instant::now(), joined(handles.join.await)),
    };
    looped?;
    Ok(Outcome {
        finished_at,
        result,
    })
}

fn joined(
    result: Result<Result<(), StageError>, tokio::task::JoinError>,
) -> Result<(), StageError> {
    result.unwrap_or_else(|e| Err(StageError::Internal(format!("pipeline panicked: {e}"))))
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    mut app: App,
    h: &mut Handles,
    mut input: tokio::sync::mpsc::Receiver<Input>,
    mut store_rx: tokio::sync::watch::Receiver<Arc<view::StoreView>>,
    mut replies: mpsc::UnboundedReceiver<Reply>,
    stop_request: CancellationToken,
) -> anyhow::Result<()> {
    if let Ok(size) = terminal.size() {
        app.size = (size.width, size.height);
    }
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut store_open = true;
    loop {
        let mut commands = Vec::new();
        tokio::select! {
            _ = tick.tick() => app.tick(h.stats.snapshot(Utc::now()), h.control.rate()),
            received = input.recv() => match received {
                Some(input) => commands.extend(handle_input(&mut app, input)?),
                None => anyhow::bail!("terminal input stopped"),
            },
            Some(reply) = replies.recv() => match reply {
                Reply::Planned(result) => app.reset_planned(result),
                Reply::Applied(plan, result) => app.reset_applied(&plan, result),
            },
            changed = store_rx.changed(), if store_open => match changed {
                Ok(()) => app.set_store(Arc::clone(&store_rx.borrow_and_update())),
                Err(_) => store_open = false,
            },
            result = &mut h.join, if h.joined.is_none() => {
                let result = joined(result);
                finished(&mut app, &result);
                h.joined = Some((Instant::now(), result));
            }
            _ = stop_request.cancelled(), if !app.stopping => {
                info!("Stop requested; draining in-flight work.");
                app.stopping = true;
                commands.push(Command::Quit);
            }
        }
        // Keys typed faster than frames are applied before the next draw.
        while let Ok(more) = input.try_recv() {
            commands.extend(handle_input(&mut app, more)?);
        }
        for command in commands {
            execute(command, &mut app, h);
        }
        if app.stopping && h.joined.is_some() {
            return Ok(());
        }
        terminal.draw(|frame| frame.render_widget(&app, frame.area()))?;
    }
}

fn handle_input(app: &mut App, input: Input) -> anyhow::Result<Option<Command>> {
    match input {
        Input::Key(key) => Ok(app.key(key)),
        Input::Resize(w, h) => {
            app.size = (w, h);
            Ok(None)
        }
        Input::Failed(e) => anyhow::bail!("cannot read the terminal: {e}"),
    }
}

fn finished(app: &mut App, result: &Result<(), StageError>) {
    let error = result.as_ref().err().map(ToString::to_string);
    let stored = app.stats.stage(Stage::Store).count;
    match &error {
        Some(e) => app.notify(format!("Pipeline stopped: {e}. Press q to quit."), true),
        None if !app.stopping => app.notify(
            format!("Pipeline finished ({stored} users stored). Press q to quit."),
            false,
        ),
        None => {}
    }
    app.finished = Some(Finished { at: app.now, error });
}

/// Carries out a command against the pipeline.
fn execute(command: Command, app: &mut App, h: &Handles) {
    match command {
        Command::SetPaused(paused) => {
            h.stats.paused.store(paused, Relaxed);
            info!(
                paused,
                "Ingest {} from the console.",
                if paused { "paused" } else { "resumed" }
            );
        }
        Command::FetchNow => {
            h.control.fetch_now();
            info!("Fetch of one batch requested from the console.");
        }
        Command::SetRate(rate) => {
            h.control.set_rate(rate);
            info!(rate = ?rate, "Rate changed from the console.");
        }
        Command::SaveLog => match logging::tail() {
            Some(tail) => match tail.save(&app.info.data_dir, app.now) {
                Ok((path, n)) => {
                    app.notify(format!("Saved {n} log lines to {}", path.display()), false)
                }
                Err(e) => {
                    warn!(error = %e, "Cannot save the log.");
                    app.notify(format!("Cannot save the log: {e}"), true);
                }
            },
            None => app.notify("No log is captured in this mode.", true),
        },
        Command::PlanReset(target) => {
            let (control, replies) = (h.control.clone(), h.replies.clone());
            tokio::spawn(async move {
                let _ = replies.send(Reply::Planned(control.plan_reset(target).await));
            });
        }
        Command::ApplyReset(plan) => {
            info!(
                partitions = plan.len(),
                "Offset reset requested from the console."
            );
            let (control, replies) = (h.control.clone(), h.replies.clone());
            tokio::spawn(async move {
                let result = control.apply_reset(plan.clone()).await;
                let _ = replies.send(Reply::Applied(plan, result));
            });
        }
        Command::Quit => {
            if !h.shutdown.is_cancelled() {
                h.shutdown.cancel();
                app.notify("Stopping: finishing and committing in-flight work…", false);
            }
        }
    }
}
