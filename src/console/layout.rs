//! The rows of the frame that every tab shares, in one place: the drawing lays the frame out
//! from them and the state pages through the Records table by them, so the two cannot drift.

use ratatui::layout::{Constraint, Layout, Rect};

/// The header: name, version, backends, run state.
pub const HEADER_ROWS: u16 = 1;
/// The tab bar with the status message.
pub const TAB_BAR_ROWS: u16 = 1;
/// The footer with the keys of the tab.
pub const FOOTER_ROWS: u16 = 1;
/// What a table panel spends around its data rows: the top and bottom border and the header.
pub const TABLE_FRAME_ROWS: u16 = 3;
/// Rows of a page that a page step keeps in view, so the reader does not lose their place.
pub const PAGE_OVERLAP: u16 = 2;

/// Splits the terminal into header, tab bar, body and footer.
pub fn frame(area: Rect) -> [Rect; 4] {
    Layout::vertical([
        Constraint::Length(HEADER_ROWS),
        Constraint::Length(TAB_BAR_ROWS),
        Constraint::Fill(1),
        Constraint::Length(FOOTER_ROWS),
    ])
    .areas(area)
}

/// Rows one page step moves the Records selection in a terminal `height` rows tall.
pub fn records_page(height: u16) -> usize {
    let around = HEADER_ROWS + TAB_BAR_ROWS + FOOTER_ROWS + TABLE_FRAME_ROWS + PAGE_OVERLAP;
    usize::from(height.saturating_sub(around)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_the_table_rows_less_the_overlap() {
        // 24 rows: 3 of frame, 21 of body, 18 data rows in the table, pages of 16.
        let [_, _, body, _] = frame(Rect::new(0, 0, 80, 24));
        assert_eq!(body.height, 21);
        assert_eq!(
            records_page(24),
            usize::from(body.height - TABLE_FRAME_ROWS - PAGE_OVERLAP)
        );
        assert_eq!(records_page(3), 1);
    }
}
