//! Tab 5, Logs: tui-logger's view of everything `tracing` logged, at the chosen level, following
//! new lines or frozen.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use tui_logger::{TuiLoggerLevelOutput, TuiLoggerWidget};

use super::widgets::panel;
use crate::console::app::App;

/// The Logs tab.
pub struct LogsTab<'a>(pub &'a App);

impl Widget for LogsTab<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = app.theme;
        let logs = &app.logs;
        let mode = if logs.follow {
            Span::styled("following", t.good())
        } else {
            Span::styled("frozen", t.warn())
        };
        let title = Line::from(vec![
            Span::raw(format!(
                "Log · up to {} · ",
                logs.level.as_str().to_uppercase()
            )),
            mode,
        ]);
        let mut widget = TuiLoggerWidget::default()
            .block(panel(title, t))
            .output_separator(' ')
            .output_timestamp(logs.time_format.clone())
            .output_level(Some(TuiLoggerLevelOutput::Abbreviated))
            .output_target(true)
            .output_file(false)
            .output_line(false)
            .state(&logs.widget);
        if t.has_color() {
            widget = widget
                .style_error(t.bad())
                .style_warn(t.warn())
                .style_info(t.text())
                .style_debug(t.dim())
                .style_trace(t.dim());
        }
        widget.render(area, buf);
    }
}
