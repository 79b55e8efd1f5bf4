//! Tab 2, Charts: gender, top countries, monthly registrations, email domains, nationalities
//! and the ingestion rate over time. Everything comes from the store's aggregates as last read
//! (and from the sampled rates), never from a scan of the rows.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::Line;
use ratatui::widgets::{
    Axis, Bar, BarChart, Block, Cell, Chart, Dataset, GraphType, Row, Table, Widget,
};

use super::widgets::{panel, placeholder, series_chart};
use crate::console::app::App;
use crate::console::format::{compact, thousands};
use crate::console::theme::Theme;

/// Countries in the top list.
const TOP_COUNTRIES: usize = 10;

/// The Charts tab.
pub struct ChartsTab<'a>(pub &'a App);

impl Widget for ChartsTab<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = app.theme;
        let agg = &app.store.aggregates;
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(45), Constraint::Fill(1)]).areas(area);
        let gender_height = (agg.gender.len() as u16).clamp(1, 4) + 2;
        let [countries, gender, domains] = Layout::vertical([
            Constraint::Fill(3),
            Constraint::Length(gender_height),
            Constraint::Fill(1),
        ])
        .areas(left);
        let [months, nats, ingestion] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(7),
            Constraint::Fill(1),
        ])
        .areas(right);

        let top = &agg.countries[..agg.countries.len().min(TOP_COUNTRIES)];
        let total: u64 = agg.countries.iter().map(|(_, n)| n).sum();
        hbars(
            panel(format!("Top {TOP_COUNTRIES} countries"), t),
            top,
            total,
            t,
            countries,
            buf,
        );
        hbars(panel("Gender", t), &agg.gender, agg.users, t, gender, buf);
        let domain_total = agg.email_domains.iter().map(|(_, n)| n).sum();
        hbars(
            panel("Email domains", t),
            &agg.email_domains,
            domain_total,
            t,
            domains,
            buf,
        );
        self.months(months, buf);
        self.nats(nats, buf);
        series_chart(
            panel("Ingestion rate (fetched/s)", t),
            &app.history.fetched,
            t.graph(),
            t,
            ingestion,
            buf,
        );
    }
}

impl ChartsTab<'_> {
    fn months(&self, area: Rect, buf: &mut Buffer) {
        let t = self.0.theme;
        let months = &self.0.store.aggregates.months;
        let block = panel("Registrations per month", t);
        let (Some(first), Some(last)) = (months.first(), months.last()) else {
            let inner = block.inner(area);
            block.render(area, buf);
            placeholder("no users stored yet", t, inner, buf);
            return;
        };
        let points: Vec<(f64, f64)> = months
            .iter()
            .enumerate()
            .map(|(i, (_, n))| (i as f64, *n as f64))
            .collect();
        let max = months.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
        let dataset = Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(t.graph())
            .data(&points);
        Chart::new(vec![dataset])
            .block(block)
            .x_axis(
                Axis::default()
                    .style(t.dim())
                    .bounds([0.0, (months.len() - 1).max(1) as f64])
                    .labels([first.0.as_str(), last.0.as_str()]),
            )
            .y_axis(
                Axis::default()
                    .style(t.dim())
                    .bounds([0.0, max as f64])
                    .labels(["0".to_owned(), thousands(max)]),
            )
            .render(area, buf);
    }

    fn nats(&self, area: Rect, buf: &mut Buffer) {
        let t = self.0.theme;
        let nats = &self.0.store.aggregates.nats;
        let block = panel(format!("Nationalities ({})", nats.len()), t);
        let inner = block.inner(area);
        if nats.is_empty() {
            block.render(area, buf);
            placeholder("no users stored yet", t, inner, buf);
            return;
        }
        // Bars three cells wide with a one-cell gap: as many as fit, largest first.
        let fit = usize::from(inner.width.saturating_add(1) / 4);
        let bars: Vec<Bar> = nats
            .iter()
            .take(fit)
            .map(|(nat, n)| {
                Bar::default()
                    .value(*n)
                    .text_value(compact(*n))
                    .label(Line::from(nat.as_str()))
            })
            .collect();
        BarChart::default()
            .block(block)
            .data(ratatui::widgets::BarGroup::default().bars(&bars))
            .bar_width(3)
            .bar_gap(1)
            .bar_style(t.graph())
            .value_style(t.selected())
            .label_style(t.dim())
            .render(area, buf);
    }
}

/// Horizontal bars: label, bar, count and share of `total`.
pub fn hbars(
    block: Block,
    items: &[(String, u64)],
    total: u64,
    theme: Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let inner = block.inner(area);
    block.render(area, buf);
    if items.is_empty() {
        placeholder("no users stored yet", theme, inner, buf);
        return;
    }
    let label_width = items
        .iter()
        .map(|(label, _)| Line::from(label.as_str()).width())
        .max()
        .unwrap_or(0)
        .min(16)
        .min(usize::from(inner.width / 3)) as u16;
    let values: Vec<String> = items
        .iter()
        .map(|(_, n)| {
            let share = (*n as f64 * 100.0 / total.max(1) as f64).round();
            format!("{} {share:>3}%", thousands(*n))
        })
        .collect();
    let value_width = values.iter().map(|v| v.len()).max().unwrap_or(0) as u16;
    let bar_width = inner.width.saturating_sub(label_width + value_width + 2);
    let max = items.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let rows = items.iter().zip(values).map(|((label, n), value)| {
        Row::new([
            Cell::from(label.as_str()),
            Cell::from(bar(*n, max, bar_width)).style(theme.graph()),
            Cell::from(Line::from(value).right_aligned()),
        ])
    });
    Table::new(
        rows,
        [
            Constraint::Length(label_width),
            Constraint::Length(bar_width),
            Constraint::Length(value_width),
        ],
    )
    .column_spacing(1)
    .render(inner, buf);
}

/// A bar of `width` cells scaled so that `max` fills it, in eighths of a cell.
fn bar(value: u64, max: u64, width: u16) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let eighths = (value as u128 * u128::from(width) * 8 / u128::from(max.max(1))) as usize;
    let mut out = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        out.push(PARTS[eighths % 8]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_in_eighths() {
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(5, 10, 4), "██");
        assert_eq!(bar(1, 16, 4), "▎");
        assert_eq!(bar(0, 10, 4), "");
    }
}
