//! The pieces every tab draws with: the bordered panel, the placeholder of an empty panel, and
//! the line chart of a per-second series (Charts and Lag).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::Line;
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph, Widget};

use crate::console::format::{compact, duration};
use crate::console::history::Series;
use crate::console::theme::Theme;

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

/// A line chart of a per-second series, newest point at the right edge ("now").
pub fn series_chart(
    block: Block,
    series: &Series,
    style: Style,
    theme: Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let inner = block.inner(area);
    let width = usize::from(inner.width.saturating_sub(6)).max(2) * 2;
    let data = series.last(width);
    if data.len() < 2 {
        block.render(area, buf);
        placeholder("collecting…", theme, inner, buf);
        return;
    }
    let n = data.len();
    let points: Vec<(f64, f64)> = data
        .iter()
        .enumerate()
        .map(|(i, v)| (i as f64 - (n - 1) as f64, *v as f64))
        .collect();
    let max = data.iter().copied().max().unwrap_or(0).max(1);
    let span = chrono::TimeDelta::seconds((n - 1) as i64);
    Chart::new(vec![
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(style)
            .data(&points),
    ])
    .block(block)
    .x_axis(
        Axis::default()
            .style(theme.dim())
            .bounds([-((n - 1) as f64), 0.0])
            .labels([format!("-{}", duration(span)), "now".to_owned()]),
    )
    .y_axis(
        Axis::default()
            .style(theme.dim())
            .bounds([0.0, max as f64])
            .labels(["0".to_owned(), compact(max)]),
    )
    .render(area, buf);
}
