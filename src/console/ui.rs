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

use chrono::{DateTime, TimeDelta, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Tabs, Widget};

use super::app::{App, Tab, rate_label};
use super::theme::Theme;
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
        let [header, tabs, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
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

/// Name and version, then source → broker → store in the longest form that fits `width`.
fn left_header(app: &App, width: u16) -> Line<'_> {
    let t = app.theme;
    let info = &app.info;
    // "embedded log (3 partitions)" → "embedded log", "sqlite data/store.db" → "sqlite".
    let short = |s: &str| -> String {
        let s = s.split(" (").next().unwrap_or(s);
        match s.split_once(' ') {
            Some((head, rest)) if rest.contains('/') || rest.contains('\\') => head.to_owned(),
            _ => s.to_owned(),
        }
    };
    let first_word = |s: &str| s.split(' ').next().unwrap_or(s).to_owned();
    let forms = [
        [info.source.clone(), info.broker.clone(), info.store.clone()],
        [info.source.clone(), short(&info.broker), short(&info.store)],
        [
            info.source.clone(),
            first_word(&info.broker),
            first_word(&info.store),
        ],
    ];
    let name = Span::styled(format!(" userstream {} ", info.version), t.title());
    let room = usize::from(width).saturating_sub(name.width() + 2);
    let chain = forms
        .iter()
        .find(|f| f.iter().map(|p| p.chars().count()).sum::<usize>() + 6 <= room);
    let mut spans = vec![name];
    if let Some([source, broker, store]) = chain {
        spans.push(Span::styled("│ ", t.dim()));
        spans.push(Span::raw(source.clone()));
        spans.push(Span::styled(" → ", t.dim()));
        spans.push(Span::raw(broker.clone()));
        spans.push(Span::styled(" → ", t.dim()));
        spans.push(Span::raw(store.clone()));
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
    if app.tab == Tab::Records && app.records.typing {
        spans.push(Span::styled(" typing a filter: ", t.warn()));
        for (key, hint) in [("Enter", "keep"), ("Esc", "clear"), ("Backspace", "delete")] {
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

/// A bordered block with a title, as every panel uses.
pub fn panel<'a>(title: impl Into<Line<'a>>, theme: Theme) -> Block<'a> {
    Block::bordered()
        .border_style(theme.dim())
        .title(title.into().style(theme.title()))
}

/// Draws `text` centred in `area`, dimmed: what a panel shows before it has data.
pub fn placeholder(text: &str, theme: Theme, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let y = area.y + (area.height.saturating_sub(1)) / 2;
    Paragraph::new(Line::styled(text, theme.dim()))
        .centered()
        .render(Rect::new(area.x, y, area.width, 1), buf);
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rate with one decimal below 10, none above: `0.5`, `12`, `1,024`.
pub fn rate(per_s: f64) -> String {
    if per_s > 0.0 && per_s < 10.0 {
        format!("{per_s:.1}")
    } else {
        thousands(per_s.round() as u64)
    }
}

/// At most three characters: `999`, `12k`, `3M`.
pub fn compact(n: u64) -> String {
    match n {
        0..=999 => n.to_string(),
        1_000..=999_999 => format!("{}k", n / 1_000),
        _ => format!("{}M", n / 1_000_000),
    }
}

/// `45s`, `3m 07s`, `2h 05m`, `3d 04h`.
pub fn duration(d: TimeDelta) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3_600 => format!("{}m {:02}s", s / 60, s % 60),
        3_600..86_400 => format!("{}h {:02}m", s / 3_600, (s % 3_600) / 60),
        _ => format!("{}d {:02}h", s / 86_400, (s % 86_400) / 3_600),
    }
}

/// `3s ago`, or `—` when it never happened.
pub fn ago(now: DateTime<Utc>, at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(
        || "—".to_owned(),
        |at| format!("{} ago", duration(now - at)),
    )
}

/// `in 12s`, `now`, or `—`.
pub fn until(now: DateTime<Utc>, at: Option<DateTime<Utc>>) -> String {
    match at {
        Some(at) if at > now => format!("in {}", duration(at - now)),
        Some(_) => "now".to_owned(),
        None => "—".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(100), "100");
        assert_eq!(rate(0.0), "0");
        assert_eq!(rate(2.44), "2.4");
        assert_eq!(rate(1024.4), "1,024");
        assert_eq!(compact(12_345), "12k");
        assert_eq!(duration(TimeDelta::seconds(187)), "3m 07s");
        assert_eq!(duration(TimeDelta::seconds(7_500)), "2h 05m");
    }
}
