//! The console's state and everything that changes it. Keys become [`Action`]s through the
//! keymap; an action updates the state and may ask the loop for a [`Command`] against the
//! pipeline. Drawing only reads this state (see `ui.rs`).

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use ratatui::crossterm::event::{KeyEvent, KeyEventKind};
use tui_logger::{LevelFilter, TuiWidgetEvent};

use super::format::rate_label;
use super::history::History;
use super::keymap::{Action, KeyMap};
use super::layout;
use super::logs::{LogsState, next_level};
use super::rate::step_rate;
use super::records::RecordsState;
use super::reset::{DialogKey, DialogOutcome, ResetDialog};
use super::tab::Tab;
use super::theme::Theme;
use super::view::StoreView;
use crate::broker::reset::{ResetRow, ResetTarget};
use crate::describe::Description;
use crate::stats::{Stats, StatsSnapshot};

/// How long a status message stays.
const STATUS_FOR: TimeDelta = TimeDelta::seconds(6);

/// What the loop must do to the pipeline or the outside world for an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Set or clear `stats.paused`, which ingest polls.
    SetPaused(bool),
    /// Ask ingest for one batch now.
    FetchNow,
    /// Change the ingest rate (`None` = as fast as possible).
    SetRate(Option<u64>),
    /// Write the captured log to a file in the data dir.
    SaveLog,
    /// Ask the pipeline where a reset to this target would move the offsets.
    PlanReset(ResetTarget),
    /// Ask the pipeline to pause, apply this plan, and resume.
    ApplyReset(Vec<ResetRow>),
    /// Cancel the pipeline, wait for it to drain, leave.
    Quit,
}

/// What the header says about the running process, fixed at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    pub version: String,
    pub source: String,
    pub broker: Description,
    pub store: Description,
    /// Users per fetch (what `f` adds).
    pub batch_size: usize,
    /// Where `s` saves the log.
    pub data_dir: PathBuf,
    /// The address `/metrics` is served on, when `--metrics-addr` is set.
    pub metrics_addr: Option<String>,
}

/// A message in the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub at: DateTime<Utc>,
    pub text: String,
    pub error: bool,
}

/// How the pipeline ended, when it ended on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub at: DateTime<Utc>,
    pub error: Option<String>,
}

/// Everything the console shows.
pub struct App {
    pub info: RunInfo,
    pub keys: KeyMap,
    pub theme: Theme,
    /// The clock of the last sample; rendering never reads the system clock.
    pub now: DateTime<Utc>,
    pub started_at: DateTime<Utc>,
    /// Terminal size, for paging.
    pub size: (u16, u16),
    pub stats: StatsSnapshot,
    pub history: History,
    /// Ingest rate in users per second, `None` = max.
    pub rate: Option<u64>,
    pub store: Arc<StoreView>,
    pub tab: Tab,
    pub help: bool,
    pub records: RecordsState,
    pub logs: LogsState,
    pub status: Option<Status>,
    pub finished: Option<Finished>,
    /// Quit was asked for: the pipeline is draining.
    pub stopping: bool,
    /// The Lag tab's reset dialog, while open.
    pub reset: Option<ResetDialog>,
}

impl App {
    /// A console that has seen nothing yet.
    pub fn new(info: RunInfo, theme: Theme, now: DateTime<Utc>, rate: Option<u64>) -> App {
        App {
            info,
            keys: KeyMap::default(),
            theme,
            now,
            started_at: now,
            size: (80, 24),
            stats: Stats::default().snapshot(now),
            history: History::default(),
            rate,
            store: Arc::new(StoreView::default()),
            tab: Tab::Metrics,
            help: false,
            records: RecordsState::default(),
            logs: LogsState::new(LevelFilter::Info),
            status: None,
            finished: None,
            stopping: false,
            reset: None,
        }
    }

    /// Takes in a stats sample and the current rate.
    pub fn tick(&mut self, snap: StatsSnapshot, rate: Option<u64>) {
        self.history.record(&snap);
        self.now = snap.at;
        self.stats = snap;
        self.rate = rate;
        if self
            .status
            .as_ref()
            .is_some_and(|s| self.now - s.at > STATUS_FOR)
        {
            self.status = None;
        }
    }

    /// Takes in a new read of the store.
    pub fn set_store(&mut self, view: Arc<StoreView>) {
        self.store = view;
        self.records.refresh(&self.store);
    }

    /// Shows a message in the status line for a few seconds.
    pub fn notify(&mut self, text: impl Into<String>, error: bool) {
        self.status = Some(Status {
            at: self.now,
            text: text.into(),
            error,
        });
    }

    /// Whether the status message is still to be shown.
    pub fn visible_status(&self) -> Option<&Status> {
        self.status
            .as_ref()
            .filter(|s| self.now - s.at <= STATUS_FOR)
    }

    /// Handles one key press.
    pub fn key(&mut self, key: KeyEvent) -> Option<Command> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        if self.keys.force_quit.matches(&key) {
            return self.update(Action::Quit);
        }
        if self.reset.is_some() && self.tab == Tab::Lag {
            return self.reset_key(&key);
        }
        if self.records.typing && self.tab == Tab::Records {
            let action = self.keys.typing(&key)?;
            return self.update(action);
        }
        let action = self.keys.action(self.tab, &key)?;
        if self.help && !matches!(action, Action::ToggleHelp | Action::Close | Action::Quit) {
            return None;
        }
        self.update(action)
    }

    /// Applies one action.
    pub fn update(&mut self, action: Action) -> Option<Command> {
        match action {
            Action::Quit => {
                self.stopping = true;
                return Some(Command::Quit);
            }
            Action::ToggleHelp => self.help = !self.help,
            Action::NextTab => self.tab = self.tab.offset(1),
            Action::PrevTab => self.tab = self.tab.offset(-1),
            Action::Show(tab) => self.tab = tab,
            Action::FetchNow => {
                self.notify(
                    format!("Fetching one batch of {} users.", self.info.batch_size),
                    false,
                );
                return Some(Command::FetchNow);
            }
            Action::TogglePause => {
                let paused = !self.stats.paused;
                self.stats.paused = paused;
                let text = if paused {
                    "Ingest paused; processing continues."
                } else {
                    "Ingest resumed."
                };
                self.notify(text, false);
                return Some(Command::SetPaused(paused));
            }
            Action::RateUp | Action::RateDown => {
                let rate = step_rate(self.rate, action == Action::RateUp);
                self.rate = rate;
                self.notify(format!("Rate: {}", rate_label(rate)), false);
                return Some(Command::SetRate(rate));
            }
            Action::Close => self.close(),
            Action::FilterType(c) => {
                self.records.filter.push(c);
                self.filter_changed();
            }
            Action::FilterDelete => {
                self.records.filter.pop();
                self.filter_changed();
            }
            Action::FilterKeep => {
                self.records.typing = false;
                self.filter_changed();
            }
            Action::FilterClear => {
                self.records.filter.clear();
                self.records.typing = false;
                self.filter_changed();
            }
            Action::LogSave => return Some(Command::SaveLog),
            Action::ResetOffsets => self.reset = Some(ResetDialog::default()),
            Action::LogLevel => {
                let level = next_level(self.logs.level);
                let time_format = self.logs.time_format.take();
                self.logs = LogsState::new(level);
                self.logs.time_format = time_format;
            }
            Action::LogFreeze => {
                let event = if self.logs.follow {
                    TuiWidgetEvent::PrevPageKey
                } else {
                    TuiWidgetEvent::EscapeKey
                };
                self.logs.widget.transition(event);
                self.logs.follow = !self.logs.follow;
            }
            other => self.navigate(other),
        }
        None
    }

    /// A key while the reset dialog is open: it takes every key but force-quit.
    fn reset_key(&mut self, key: &KeyEvent) -> Option<Command> {
        let dialog_key = match self.keys.typing(key)? {
            Action::FilterKeep => DialogKey::Enter,
            Action::FilterClear => DialogKey::Cancel,
            Action::FilterDelete => DialogKey::Delete,
            Action::FilterType(c) => DialogKey::Char(c),
            _ => return None,
        };
        let dialog = self.reset.as_mut()?;
        match dialog.key(dialog_key, self.now.timestamp_millis()) {
            DialogOutcome::Stay => None,
            DialogOutcome::Close => {
                self.reset = None;
                None
            }
            DialogOutcome::Plan(target) => Some(Command::PlanReset(target)),
            DialogOutcome::Apply(plan) => Some(Command::ApplyReset(plan)),
        }
    }

    /// Takes in the plan the pipeline computed for the open dialog.
    pub fn reset_planned(&mut self, result: Result<Vec<ResetRow>, String>) {
        if let Some(dialog) = self.reset.as_mut() {
            dialog.planned(result);
        }
    }

    /// Takes in the outcome of an applied reset of `planned`: the dialog closes and says how it
    /// went, and which partitions retention had cut below the plan meanwhile.
    pub fn reset_applied(&mut self, planned: &[ResetRow], result: Result<Vec<ResetRow>, String>) {
        self.reset = None;
        match result {
            Ok(applied) => {
                let replay: u64 = applied.iter().map(|r| r.lag_after).sum();
                let cut = planned
                    .iter()
                    .zip(&applied)
                    .filter(|(p, a)| p.new != a.new)
                    .count();
                let note = if cut > 0 {
                    format!(
                        " Retention deleted records of {cut} partitions meanwhile: they start at \
                         the first offset still kept."
                    )
                } else {
                    String::new()
                };
                self.notify(
                    format!(
                        "Offsets reset on {} partitions; {replay} records to read.{note}",
                        applied.len()
                    ),
                    false,
                );
            }
            Err(why) => self.notify(format!("Reset failed: {why}"), true),
        }
    }

    /// After the filter was edited: back to the first row of what now passes it.
    fn filter_changed(&mut self) {
        self.records.selected = 0;
        self.records.refresh(&self.store);
    }

    fn close(&mut self) {
        if self.help {
            self.help = false;
        } else if self.tab == Tab::Records {
            if self.records.detail {
                self.records.detail = false;
            } else if !self.records.filter.is_empty() {
                self.records.filter.clear();
                self.records.refresh(&self.store);
            }
        }
    }

    /// Rows per page of the Records table at the current terminal size.
    pub fn page(&self) -> usize {
        layout::records_page(self.size.1)
    }

    fn navigate(&mut self, action: Action) {
        match self.tab {
            Tab::Records => self.navigate_records(action),
            Tab::Logs => {
                let (event, follow) = match action {
                    Action::PageUp | Action::Up | Action::Home => {
                        (TuiWidgetEvent::PrevPageKey, false)
                    }
                    Action::PageDown | Action::Down => (TuiWidgetEvent::NextPageKey, false),
                    Action::End => (TuiWidgetEvent::EscapeKey, true),
                    _ => return,
                };
                self.logs.widget.transition(event);
                self.logs.follow = follow;
            }
            _ => {}
        }
    }

    fn navigate_records(&mut self, action: Action) {
        let page = self.page() as isize;
        let records = &mut self.records;
        let store = &self.store;
        match action {
            Action::Up => records.move_by(-1, store),
            Action::Down => records.move_by(1, store),
            Action::PageUp => records.move_by(-page, store),
            Action::PageDown => records.move_by(page, store),
            Action::Home => records.move_by(isize::MIN / 2, store),
            Action::End => records.move_by(isize::MAX / 2, store),
            Action::Filter => {
                records.typing = true;
                records.detail = false;
            }
            Action::SortColumn => records.next_sort(store),
            Action::SortReverse => {
                records.descending = !records.descending;
                records.refresh(store);
            }
            Action::Open => records.detail = !records.detail && !records.rows.is_empty(),
            Action::Mask => records.toggle_mask(),
            Action::DeadLetters => {
                records.dead_letters = !records.dead_letters;
                records.selected = 0;
                records.detail = false;
                records.refresh(store);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
