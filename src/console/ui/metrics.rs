//! Tab 1, Metrics: the pipeline stage by stage (so a stall shows), fetched/s and stored/s over
//! the last minutes, latency, totals and the health of the API.

use chrono::TimeDelta;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, RenderDirection, Row, Sparkline, Table, Widget};

use super::widgets::panel;
use crate::console::app::App;
use crate::console::format::{ago, rate, thousands, until};
use crate::console::history::Series;
use crate::stats::{Stage, StageState};

/// A stage whose last record is older than this, while it says "ok", is marked stale.
const STALE_AFTER: TimeDelta = TimeDelta::seconds(10);

/// The Metrics tab.
pub struct MetricsTab<'a>(pub &'a App);

impl Widget for MetricsTab<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let [stages, sparks, bottom] = Layout::vertical([
            Constraint::Length(8),
            Constraint::Fill(1),
            Constraint::Length(6),
        ])
        .areas(area);
        self.stages(stages, buf);
        let [fetched, stored] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(sparks);
        let history = &self.0.history;
        self.spark("Fetched/s", &history.fetched, fetched, buf);
        self.spark("Stored/s", &history.stored, stored, buf);
        // When narrow, the totals get the larger share; the API panel ends lines early.
        let api_share = if area.width < 76 { 2 } else { 3 };
        let [totals, api] =
            Layout::horizontal([Constraint::Fill(3), Constraint::Fill(api_share)]).areas(bottom);
        self.totals(totals, buf);
        self.api(api, buf);
    }
}

impl MetricsTab<'_> {
    fn stages(&self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = app.theme;
        // Below 76 columns the error count gives way to the last error.
        let narrow = area.width < 76;
        let titles: &[(&str, bool)] = &[
            ("Stage", false),
            ("Count", true),
            ("Rate/s", true),
            ("State", false),
            ("Last record", false),
            ("Errors", true),
            ("Last error", false),
        ];
        let header = Row::new(
            titles
                .iter()
                .filter(|(title, _)| !(narrow && *title == "Errors"))
                .map(|(title, right)| {
                    let line = Line::from(*title);
                    let line = if *right { line.right_aligned() } else { line };
                    Cell::from(line).style(t.header())
                }),
        );
        let rows = Stage::ALL.map(|stage| {
            let s = app.stats.stage(stage);
            let stale = s.state == StageState::Ok
                && !app.stats.paused
                && s.last_record_at
                    .is_some_and(|at| app.now - at > STALE_AFTER);
            let last_style = if stale { t.warn() } else { t.text() };
            let error_style = if matches!(
                s.state,
                StageState::Backoff | StageState::CircuitOpen | StageState::Error
            ) {
                t.bad()
            } else {
                t.dim()
            };
            let state = match s.state {
                StageState::CircuitOpen => "circuit open",
                other => other.as_str(),
            };
            let last_error = s.last_error.as_ref().map_or("", |(_, e)| e.as_str());
            let mut cells = vec![
                Cell::from(stage.as_str()),
                Cell::from(Line::from(thousands(s.count)).right_aligned()),
                Cell::from(Line::from(rate(app.history.rate(stage))).right_aligned()),
                Cell::from(state).style(t.state(s.state)),
                Cell::from(ago(app.now, s.last_record_at)).style(last_style),
                Cell::from(Line::from(thousands(s.errors)).right_aligned()),
                Cell::from(last_error).style(error_style),
            ];
            if narrow {
                cells.remove(5);
            }
            Row::new(cells)
        });
        let widths: Vec<Constraint> = if narrow {
            vec![7, 9, 7, 12, 8]
        } else {
            vec![8, 11, 9, 12, 11, 6]
        }
        .into_iter()
        .map(Constraint::Length)
        .chain([Constraint::Fill(1)])
        .collect();
        Table::new(rows, widths)
            .header(header)
            .column_spacing(1)
            .block(panel(
                "Pipeline: source → produce → log → process → store",
                t,
            ))
            .render(area, buf);
    }

    fn spark(&self, title: &str, series: &Series, area: Rect, buf: &mut Buffer) {
        let t = self.0.theme;
        let width = usize::from(area.width.saturating_sub(2));
        // Newest at the right edge, as in the charts; a short history leaves the left blank.
        let mut data = series.last(width);
        data.reverse();
        let title = Line::from(vec![
            Span::raw(format!("{title} ")),
            Span::styled(
                format!(
                    "now {} · peak {}",
                    thousands(series.latest().unwrap_or(0)),
                    thousands(series.max_of_last(width))
                ),
                t.text(),
            ),
        ]);
        Sparkline::default()
            .block(panel(title, t))
            .data(&data)
            .direction(RenderDirection::RightToLeft)
            .style(t.graph())
            .render(area, buf);
    }

    fn totals(&self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = app.theme;
        let s = &app.stats;
        let lat = s.latency;
        let pair = |label: &'static str, value: String| {
            [
                Span::styled(format!("{label} "), t.dim()),
                Span::raw(format!("{value}  ")),
            ]
        };
        let ms = |v: f64| {
            if v < 10.0 {
                format!("{v:.1} ms")
            } else {
                format!("{v:.0} ms")
            }
        };
        let lines = vec![
            Line::from_iter(
                [
                    pair("p50", ms(lat.p50)),
                    pair("p99", ms(lat.p99)),
                    pair("max", ms(lat.max)),
                ]
                .concat(),
            ),
            Line::from_iter(
                [
                    pair("fetched", thousands(s.stage(Stage::Source).count)),
                    pair("stored", thousands(s.stage(Stage::Store).count)),
                ]
                .concat(),
            ),
            Line::from_iter(
                [
                    pair("duplicates", thousands(s.duplicates)),
                    pair("dead letters", thousands(s.dead_lettered)),
                ]
                .concat(),
            ),
            Line::from_iter(
                [
                    pair("lag", thousands(s.total_lag())),
                    pair("users in store", thousands(app.store.aggregates.users)),
                ]
                .concat(),
            ),
        ];
        Paragraph::new(lines)
            .block(panel("Latency fetch → stored, totals", t))
            .render(area, buf);
    }

    fn api(&self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = app.theme;
        let api = &app.stats.api;
        let source = app.stats.stage(Stage::Source);
        let status = match api.last_status {
            Some(code) if (200..300).contains(&code) => Span::styled(code.to_string(), t.good()),
            Some(code) => Span::styled(code.to_string(), t.bad()),
            None if api.consecutive_failures > 0 => Span::styled("no answer", t.bad()),
            None => Span::styled("—", t.dim()),
        };
        let failures_style = if api.consecutive_failures > 0 {
            t.bad()
        } else {
            t.text()
        };
        let label = |text: &'static str| Span::styled(text, t.dim());
        let circuit = match source.state {
            StageState::CircuitOpen => Span::styled("  circuit open", t.bad()),
            StageState::Backoff => Span::styled("  backing off", t.warn()),
            _ => Span::raw(""),
        };
        let last_error = source.last_error.as_ref().map_or_else(
            || Span::styled("—", t.dim()),
            |(at, e)| {
                Span::styled(
                    format!("{} ({})", e, ago(app.now, Some(*at))),
                    failures_style,
                )
            },
        );
        let lines = vec![
            Line::from(vec![label("last status  "), status, circuit]),
            Line::from(vec![
                label("failures     "),
                Span::styled(
                    format!("{} in a row", api.consecutive_failures),
                    failures_style,
                ),
            ]),
            Line::from(vec![
                label("next retry   "),
                Span::raw(until(app.now, api.next_retry_at)),
            ]),
            Line::from(vec![label("last error   "), last_error]),
        ];
        Paragraph::new(lines)
            .block(panel(format!("API health: {}", app.info.source), t))
            .render(area, buf);
    }
}
