//! State of the Logs tab: tui-logger's view state, the level shown and whether the view follows
//! new lines.

use tui_logger::{LevelFilter, TuiWidgetState};

/// The Logs tab: tui-logger's view state plus what the title shows.
pub struct LogsState {
    /// tui-logger's widget state (page position, display levels).
    pub widget: TuiWidgetState,
    /// The most verbose level shown.
    pub level: LevelFilter,
    /// Whether the view follows new lines (false: frozen).
    pub follow: bool,
    /// `strftime` format of the time column; `None` hides it (used by the snapshots).
    pub time_format: Option<String>,
}

impl LogsState {
    /// Showing `level` and more severe, following new lines.
    pub fn new(level: LevelFilter) -> LogsState {
        LogsState {
            widget: TuiWidgetState::new().set_default_display_level(level),
            level,
            follow: true,
            time_format: Some("%H:%M:%S".to_owned()),
        }
    }
}

/// The next more verbose level, wrapping from TRACE to ERROR.
pub fn next_level(level: LevelFilter) -> LevelFilter {
    match level {
        LevelFilter::Error => LevelFilter::Warn,
        LevelFilter::Warn => LevelFilter::Info,
        LevelFilter::Info => LevelFilter::Debug,
        LevelFilter::Debug => LevelFilter::Trace,
        LevelFilter::Trace | LevelFilter::Off => LevelFilter::Error,
    }
}
