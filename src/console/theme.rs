//! Colours of the console, and their absence: with `NO_COLOR` set every style keeps only its
//! modifiers (bold, reversed), so states stay distinguishable on a monochrome terminal.

use ratatui::style::{Color, Modifier, Style};

use crate::stats::StageState;

/// The styles the views use, picked once at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// A theme with colours.
    pub const COLOR: Theme = Theme { color: true };
    /// A theme without colours, for `NO_COLOR`.
    pub const MONO: Theme = Theme { color: false };

    /// Colours unless `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
    pub fn from_env() -> Theme {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Theme::MONO,
            _ => Theme::COLOR,
        }
    }

    /// Whether this theme draws colours.
    pub fn has_color(self) -> bool {
        self.color
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    /// Plain text.
    pub fn text(self) -> Style {
        Style::new()
    }

    /// Secondary text: labels, units, borders.
    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    /// Titles and the selected tab.
    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Column headers.
    pub fn header(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// A healthy value.
    pub fn good(self) -> Style {
        self.fg(Color::Green)
    }

    /// Something to look at: backoff, stale, paused.
    pub fn warn(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// Something broken: circuit open, stopped stage, failing API.
    pub fn bad(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// Bars, sparklines and chart lines.
    pub fn graph(self) -> Style {
        self.fg(Color::Cyan)
    }

    /// A second series beside [`Theme::graph`].
    pub fn graph_alt(self) -> Style {
        self.fg(Color::Magenta)
    }

    /// The highlighted row of a table.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// Keys in the footer and the help.
    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The style of a stage state.
    pub fn state(self, state: StageState) -> Style {
        match state {
            StageState::Ok => self.good(),
            StageState::Paused | StageState::Backoff | StageState::Waiting => self.warn(),
            StageState::CircuitOpen | StageState::Error => self.bad(),
            StageState::Idle => self.dim(),
            StageState::Done => self.fg(Color::Blue),
        }
    }
}
