//! The reset dialog over the Lag tab: the typed target, then the plan (partition, current, new,
//! lag after) with the question, then the wait while the pipeline pauses, seeks and resumes.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Clear, Paragraph, Row, Table, Widget, Wrap};

use super::widgets::panel;
use crate::console::app::App;
use crate::console::format::thousands;
use crate::console::reset::{ResetDialog, ResetStep};

/// The dialog, centred over `area` (the tab's body).
pub struct ResetOverlay<'a>(pub &'a App, pub &'a ResetDialog);

impl Widget for ResetOverlay<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (app, dialog) = (self.0, self.1);
        let t = app.theme;
        let (enter, esc) = (app.keys.filter_keep.label(), app.keys.close.label());
        let key = |k: String| Span::styled(k, t.key());
        let hint = |h: &'static str| Span::styled(h, t.dim());
        let mut lines: Vec<Line> = Vec::new();
        let mut plan_rows = Vec::new();
        match &dialog.step {
            ResetStep::Entering => {
                lines.push(Line::styled(
                    "Move the group back or ahead, then read from there:",
                    t.text(),
                ));
                lines.push(Line::from(vec![hint(
                    "earliest · latest · -15m · -2h · 2026-01-31T12:00:00Z",
                )]));
                lines.push(Line::raw(""));
                let shown = if dialog.input.is_empty() {
                    Span::styled("earliest", t.dim())
                } else {
                    Span::raw(dialog.input.clone())
                };
                lines.push(Line::from(vec![
                    Span::styled("to ", t.header()),
                    shown,
                    Span::styled("▏", t.key()),
                ]));
                lines.push(Line::raw(""));
                lines.push(Line::from(vec![
                    key(enter),
                    hint(" plan  "),
                    key(esc),
                    hint(" cancel"),
                ]));
            }
            ResetStep::Planning(target) => {
                lines.push(Line::raw(format!(
                    "Planning a reset to {}…",
                    target.describe()
                )));
            }
            ResetStep::Confirm { target, plan } => {
                lines.push(Line::from(vec![
                    Span::styled("to ", t.header()),
                    Span::raw(target.describe()),
                ]));
                plan_rows = plan.clone();
                let replay: u64 = plan.iter().map(|r| r.lag_after).sum();
                lines.push(Line::raw(format!(
                    "{} records to read after it. Processing pauses, the group seeks, \
                     processing resumes; stored rows and counts do not change.",
                    thousands(replay)
                )));
                lines.push(Line::from(vec![
                    key("y".to_owned()),
                    hint("/"),
                    key(enter),
                    hint(" apply  "),
                    key("n".to_owned()),
                    hint("/"),
                    key(esc),
                    hint(" cancel"),
                ]));
            }
            ResetStep::Applying(target) => {
                lines.push(Line::raw(format!(
                    "Pausing processing and resetting to {}…",
                    target.describe()
                )));
            }
        }
        if let Some(error) = &dialog.error {
            lines.push(Line::styled(error.clone(), t.bad()));
        }
        let width = area.width.min(72);
        let inner_width = usize::from(width.saturating_sub(2)).max(1);
        let text_height: u16 = lines
            .iter()
            .map(|l| l.width().div_ceil(inner_width).max(1) as u16)
            .sum();
        let table_height = if plan_rows.is_empty() {
            0
        } else {
            plan_rows.len() as u16 + 2
        };
        let height = (text_height + table_height + 2).min(area.height);
        let popup = Rect::new(
            area.x + (area.width - width) / 2,
            area.y + (area.height.saturating_sub(height)) / 2,
            width,
            height,
        );
        Clear.render(popup, buf);
        let block = panel("Reset offsets", t);
        let inner = block.inner(popup);
        block.render(popup, buf);
        let [table_area, text_area] = ratatui::layout::Layout::vertical([
            Constraint::Length(table_height),
            Constraint::Fill(1),
        ])
        .areas(inner);
        if !plan_rows.is_empty() {
            let right = |s: String| Cell::from(Line::from(s).right_aligned());
            let header = Row::new(
                ["Part", "Current", "New", "Lag after"]
                    .map(|h| Cell::from(Line::from(h).right_aligned()).style(t.header())),
            );
            let total: u64 = plan_rows.iter().map(|r| r.lag_after).sum();
            let rows = plan_rows.iter().map(|r| {
                Row::new([
                    right(r.partition.to_string()),
                    right(thousands(r.current)),
                    right(thousands(r.new)),
                    right(thousands(r.lag_after)).style(t.warn()),
                ])
            });
            let footer = Row::new([
                right("total".to_owned()),
                right(String::new()),
                right(String::new()),
                right(thousands(total)),
            ])
            .style(t.title());
            let widths = [
                Constraint::Length(5),
                Constraint::Fill(1),
                Constraint::Fill(1),
                Constraint::Fill(1),
            ];
            Table::new(rows, widths)
                .header(header)
                .footer(footer)
                .column_spacing(1)
                .render(table_area, buf);
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .render(text_area, buf);
    }
}
