//! Drawing: `impl Widget for &App`, so a frame is a pure function of the state. The frame is a
//! header, the tab bar with the status line, the active tab (one file each under `ui/`) and a
//! footer drawn from the keymap. Below [`MIN_WIDTH`]×[`MIN_HEIGHT`] only a one-line notice is
//! drawn.

pub mod charts;
pub mod help;
pub mod lag;
pub mod logs;
pub mod metrics;
pub mod records;
pub mod reset;

pub mod widgets;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Tabs, Widget};

use super::app::App;
use super::format::{duration, rate_label};
use super::layout;
use super::tab::Tab;
use crate::stats::StageState;

/// Narrowest terminal the console draws in.
pub const MIN_WIDTH: u16 = 60;
/// Shortest terminal the console draws in.
pub const MIN_HEIGHT: u16 = 16;

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            let text = format!(
                "Terminal too small: {}×{}, need {MIN_WIDTH}×{MIN_HEIGHT}.",
                area.width, area.height
            );
            Line::styled(text, self.theme.warn()).render(area, buf);
            return;
        }
        let [header, tabs, body, footer] = layout::frame(area);
        render_header(self, header, buf);
        render_tabs(self, tabs, buf);
        match self.tab {
            Tab::Metrics => metrics::MetricsTab(self).render(body, buf),
            Tab::Charts => charts::ChartsTab(self).render(body, buf),
            Tab::Records => records::RecordsTab(self).render(body, buf),
            Tab::Lag => lag::LagTab(self).render(body, buf),
            Tab::Logs => logs::LogsTab(self).render(body, buf),
        }
        render_footer(self, footer, buf);
        if let (Tab::Lag, Some(dialog)) = (self.tab, &self.reset) {
            reset::ResetOverlay(self, dialog).render(body, buf);
        }
        if self.help {
            help::HelpOverlay(self).render(area, buf);
        }
    }
}

/// The run state the header shows, with its style.
fn run_state(app: &App) -> (&'static str, Style) {
    let t = app.theme;
    if app.stopping {
        ("STOPPING", t.warn())
    } else if let Some(finished) = &app.finished {
        if finished.error.is_some() {
            ("STOPPED", t.bad().add_modifier(Modifier::REVERSED))
        } else {
            ("FINISHED", t.title())
        }
    } else if app.stats.paused {
        ("PAUSED", t.warn().add_modifier(Modifier::REVERSED))
    } else {
        ("RUNNING", t.good().add_modifier(Modifier::BOLD))
    }
}

fn render_header(app: &App, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    let (state, state_style) = run_state(app);
    let end = app.finished.as_ref().map_or(app.now, |f| f.at);
    let mut spans = Vec::new();
    // A failing stage shows from every tab, not only on Metrics.
    if let Some(s) = app.stats.stages.iter().find(|s| {
        matches!(
            s.state,
            StageState::CircuitOpen | StageState::Error | StageState::Backoff
        )
    }) {
        let style = if s.state == StageState::Backoff {
            t.warn()
        } else {
            t.bad()
        };
        let text = format!(
            " {} {} ",
            s.stage.as_str(),
            s.state.as_str().replace('_', " ")
        );
        spans.push(Span::styled(text, style.add_modifier(Modifier::REVERSED)));
        spans.push(Span::raw(" "));
    }
    spans.extend([
        Span::styled(format!(" {state} "), state_style),
        Span::raw(format!(" {}", rate_label(app.rate))),
        Span::styled(" · up ", t.dim()),
        Span::raw(duration(end - app.started_at)),
        Span::raw(" "),
    ]);
    let right = Line::from(spans);
    let right_width = right.width() as u16;
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(right_width)]).areas(area);
    left_header(app, left_area.width).render(left_area, buf);
    right.render(right_area, buf);
}

/// Name and version, then source → broker → store in the longest form that fits `width`, and the
/// metrics address when it is on and fits.
fn left_header(app: &App, width: u16) -> Line<'_> {
    let t = app.theme;
    let info = &app.info;
    let (broker, store) = (&info.broker, &info.store);
    let forms = [
        [info.source.clone(), broker.long(), store.long()],
        [info.source.clone(), broker.medium(), store.medium()],
        [
            info.source.clone(),
            broker.short().to_owned(),
            store.short().to_owned(),
        ],
    ];
    let name = Span::styled(format!(" userstream {} ", info.version), t.title());
    let room = usize::from(width).saturating_sub(name.width() + 2);
    let fits = |room: usize| {
        forms
            .iter()
            .find(|f| f.iter().map(|p| p.chars().count()).sum::<usize>() + 6 <= room)
    };
    // The metrics address comes after the chain when both fit, the chain shortened if need be.
    let metrics = info.metrics_addr.as_ref().map(|a| format!("metrics {a}"));
    let with_metrics = metrics
        .as_ref()
        .and_then(|m| fits(room.saturating_sub(m.chars().count() + 3)).map(|c| (c, m)));
    let chain = with_metrics.map(|(c, _)| c).or_else(|| fits(room));
    let mut spans = vec![name];
    if let Some([source, broker, store]) = chain {
        spans.push(Span::styled("│ ", t.dim()));
        spans.push(Span::raw(source.clone()));
        spans.push(Span::styled(" → ", t.dim()));
        spans.push(Span::raw(broker.clone()));
        spans.push(Span::styled(" → ", t.dim()));
        spans.push(Span::raw(store.clone()));
    }
    if let Some((_, metrics)) = with_metrics {
        spans.push(Span::styled(" │ ", t.dim()));
        spans.push(Span::raw(metrics.clone()));
    }
    Line::from(spans)
}

fn render_tabs(app: &App, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    let titles = Tab::ALL
        .iter()
        .zip(&app.keys.tabs)
        .map(|(tab, key)| Line::from(format!("{} {}", key.label(), tab.title())));
    let tabs = Tabs::new(titles)
        .select(app.tab.index())
        .style(t.dim())
        .highlight_style(t.title().add_modifier(Modifier::REVERSED))
        .divider(Span::styled("│", t.dim()));
    let status = app.visible_status().map(|s| {
        let style = if s.error { t.bad() } else { t.warn() };
        Line::styled(format!("{} ", s.text), style)
    });
    let status_width = status.as_ref().map_or(0, |s| s.width() as u16);
    let [tabs_area, status_area] =
        Layout::horizontal([Constraint::Length(52), Constraint::Fill(1)]).areas(area);
    tabs.render(tabs_area, buf);
    if let Some(status) = status {
        // Long messages keep their start; short ones sit at the right edge.
        let line = if status_width <= status_area.width {
            status.right_aligned()
        } else {
            status
        };
        line.render(status_area, buf);
    }
}

fn render_footer(app: &App, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    let mut spans = Vec::new();
    if app.tab == Tab::Lag && app.reset.is_some() {
        spans.push(Span::styled(" reset dialog: ", t.warn()));
        spans.push(Span::styled(app.keys.close.label(), t.key()));
        spans.push(Span::styled(" cancel  ", t.dim()));
    } else if app.tab == Tab::Records && app.records.typing {
        spans.push(Span::styled(" typing a filter: ", t.warn()));
        for (key, hint) in app.keys.typing_footer() {
            spans.push(Span::styled(key, t.key()));
            spans.push(Span::styled(format!(" {hint}  "), t.dim()));
        }
    } else {
        spans.push(Span::raw(" "));
        for row in app.keys.footer(app.tab) {
            spans.push(Span::styled(row.short, t.key()));
            spans.push(Span::styled(format!(" {}  ", row.hint), t.dim()));
        }
    }
    Line::from(spans).render(area, buf);
}
