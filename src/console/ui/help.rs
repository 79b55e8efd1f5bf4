//! The `?` overlay: every key binding, read from the keymap (the global ones and the Lag tab's on
//! the left, those of the Records and Logs tabs on the right), and the backends of this run in full.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

use super::widgets::panel;
use crate::console::app::App;
use crate::console::keymap::{HelpRow, Scope};
use crate::console::tab::Tab;

/// The help overlay, drawn over the whole frame.
pub struct HelpOverlay<'a>(pub &'a App);

impl Widget for HelpOverlay<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = app.theme;
        let rows = app.keys.help();
        let width = area.width.min(80);
        let column_width = usize::from(width.saturating_sub(3) / 2);
        let section = |title: &'static str, scopes: &[(Scope, &'static str)]| {
            let mut lines = vec![];
            for (i, (scope, heading)) in scopes.iter().enumerate() {
                let mine: Vec<&HelpRow> = rows.iter().filter(|r| r.scope == *scope).collect();
                let keys = mine
                    .iter()
                    .map(|r| r.label.chars().count())
                    .max()
                    .unwrap_or(0);
                let long = mine.iter().map(|r| r.description.len()).max().unwrap_or(0);
                // Descriptions when they fit the column, the footer's short hints otherwise.
                let fits = keys + 2 + long <= column_width;
                if i > 0 {
                    lines.push(Line::raw(""));
                }
                lines.push(Line::styled(
                    if i == 0 { title } else { *heading },
                    t.header(),
                ));
                lines.extend(mine.iter().map(|r| {
                    Line::from(vec![
                        Span::styled(format!("{:<keys$}  ", r.label), t.key()),
                        Span::raw(if fits { r.description } else { r.hint }),
                    ])
                }));
            }
            lines
        };
        let left = section(
            "Everywhere",
            &[
                (Scope::Everywhere, "Everywhere"),
                (Scope::Tab(Tab::Lag), "Lag tab"),
            ],
        );
        let right = section(
            "Records tab",
            &[
                (Scope::Tab(Tab::Records), "Records tab"),
                (Scope::Tab(Tab::Logs), "Logs tab"),
            ],
        );
        let info = &app.info;
        let mut run_spans = vec![
            Span::styled("source ", t.dim()),
            Span::raw(format!("{} · ", info.source)),
            Span::styled("broker ", t.dim()),
            Span::raw(format!("{} · ", info.broker)),
            Span::styled("store ", t.dim()),
            Span::raw(info.store.long()),
        ];
        if let Some(addr) = &info.metrics_addr {
            run_spans.push(Span::raw(" · "));
            run_spans.push(Span::styled("metrics ", t.dim()));
            run_spans.push(Span::raw(format!("http://{addr}/metrics")));
        }
        let run_line = Line::from(run_spans);
        // Wrapping breaks at spaces, so allow one line more than the width alone needs.
        let inner_width = usize::from(width.saturating_sub(2)).max(1);
        let run_height = (run_line.width().div_ceil(inner_width) + 1).min(3) as u16;
        let run = Paragraph::new(run_line).wrap(Wrap { trim: true });
        let body = left.len().max(right.len()) as u16;
        let height = (body + 1 + run_height + 2).min(area.height);
        let popup = Rect::new(
            area.x + (area.width - width) / 2,
            area.y + (area.height - height) / 2,
            width,
            height,
        );
        Clear.render(popup, buf);
        let block = panel(format!("Keys · {} or Esc closes", app.keys.help.label()), t);
        let inner = block.inner(popup);
        block.render(popup, buf);
        let [keys, _, run_area] = Layout::vertical([
            Constraint::Length(body),
            Constraint::Length(1),
            Constraint::Fill(1),
        ])
        .areas(inner);
        let [l, r] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)])
            .spacing(1)
            .areas(keys);
        Paragraph::new(left).render(l, buf);
        Paragraph::new(right).render(r, buf);
        run.render(run_area, buf);
    }
}
