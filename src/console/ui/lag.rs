//! Tab 4, Lag: per partition committed offset, high watermark and lag, the total, the lag over
//! time, the consume rate and how long until the backlog is drained (or that it is growing).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Widget};

use super::widgets::{panel, placeholder, series_chart};
use crate::console::app::App;
use crate::console::format::{duration, rate, thousands};
use crate::console::history::Drain;
use crate::stats::Stage;

/// The Lag tab.
pub struct LagTab<'a>(pub &'a App);

impl Widget for LagTab<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = app.theme;
        let partitions = app.stats.lag.len() as u16;
        // Header, partitions, total, borders; at least room for a placeholder.
        let top_height = (partitions + 4).clamp(5, area.height / 2);
        let [top, chart] =
            Layout::vertical([Constraint::Length(top_height), Constraint::Fill(1)]).areas(area);
        let [table, summary] =
            Layout::horizontal([Constraint::Fill(3), Constraint::Length(26)]).areas(top);
        self.table(table, buf);
        self.summary(summary, buf);
        series_chart(
            panel(
                format!(
                    "Total lag over time · now {}",
                    thousands(app.stats.total_lag())
                ),
                t,
            ),
            &app.history.lag,
            t.graph_alt(),
            t,
            chart,
            buf,
        );
    }
}

impl LagTab<'_> {
    fn table(&self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = app.theme;
        let block = panel("Partitions", t);
        if app.stats.lag.is_empty() {
            let inner = block.inner(area);
            block.render(area, buf);
            placeholder("no partition sampled yet", t, inner, buf);
            return;
        }
        let right = |s: String| Cell::from(Line::from(s).right_aligned());
        let inner_width = area.width.saturating_sub(2);
        let number_width = inner_width.saturating_sub(5 + 3) / 3;
        let (committed, watermark) = match number_width {
            14.. => ("Committed", "High watermark"),
            9.. => ("Committed", "Watermark"),
            _ => ("Commit", "HWM"),
        };
        let header = Row::new(
            ["Part", committed, watermark, "Lag"]
                .map(|h| Cell::from(Line::from(h).right_aligned()).style(t.header())),
        );
        let rows = app.stats.lag.iter().map(|p| {
            let lag_style = if p.lag > 0 { t.warn() } else { t.good() };
            Row::new([
                right(p.partition.to_string()),
                right(thousands(p.committed)),
                right(thousands(p.high_watermark)),
                right(thousands(p.lag)).style(lag_style),
            ])
        });
        let total = Row::new([
            right("total".to_owned()),
            right(thousands(app.stats.lag.iter().map(|p| p.committed).sum())),
            right(thousands(
                app.stats.lag.iter().map(|p| p.high_watermark).sum(),
            )),
            right(thousands(app.stats.total_lag())),
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
            .footer(total)
            .column_spacing(1)
            .block(block)
            .render(area, buf);
    }

    fn summary(&self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = app.theme;
        let consumed = app.history.rate(Stage::Process);
        let produced = app.history.rate(Stage::Produce);
        let total = app.stats.total_lag();
        let drain = match Drain::estimate(&app.history.lag, consumed) {
            Drain::CaughtUp => Span::styled("caught up", t.good()),
            Drain::In(secs) => Span::raw(format!(
                "about {}",
                duration(chrono::TimeDelta::seconds(secs.ceil() as i64))
            )),
            Drain::Steady => Span::styled("steady", t.text()),
            Drain::Growing => Span::styled("growing", t.bad()),
        };
        let label = |text: &'static str| Span::styled(text, t.dim());
        let lines = vec![
            Line::from(vec![label("total lag  "), Span::raw(thousands(total))]),
            Line::from(vec![label("consumed/s "), Span::raw(rate(consumed))]),
            Line::from(vec![label("produced/s "), Span::raw(rate(produced))]),
            Line::from(vec![label("drain time "), drain]),
        ];
        Paragraph::new(lines)
            .block(panel("Consumer group", t))
            .render(area, buf);
    }
}
