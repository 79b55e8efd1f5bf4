//! Tab 3, Records: the latest stored users (or the dead letters with their reasons), filtered,
//! sorted and scrolled, with one record shown whole on `Enter`. Cells are laid out by display
//! width, so names in Persian, Cyrillic or CJK keep the columns aligned.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Cell, Paragraph, Row, StatefulWidget, Table, TableState, Widget, Wrap,
};

use super::widgets::{panel, placeholder};
use crate::console::app::App;
use crate::console::records::{
    SortColumn, full_name, mask_email, mask_emails, mask_payload, mask_phone,
};
use crate::console::theme::Theme;
use crate::model::{DeadLetter, StoredUser};

/// The Records tab.
pub struct RecordsTab<'a>(pub &'a App);

/// A column of the users table: one that `o` sorts by, or one shown only when wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Sorted(SortColumn),
    Phone,
    City,
}

impl Widget for RecordsTab<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let records = &self.0.records;
        let store = &self.0.store;
        if records.detail {
            if let Some(user) = records.selected_user(store) {
                return self.user_detail(user, area, buf);
            }
            if let Some(letter) = records.selected_letter(store) {
                return self.letter_detail(letter, area, buf);
            }
        }
        if records.dead_letters {
            self.letters(area, buf);
        } else {
            self.users(area, buf);
        }
    }
}

impl RecordsTab<'_> {
    fn title(&self, what: &str, total: usize) -> Line<'static> {
        let app = self.0;
        let r = &app.records;
        let t = app.theme;
        let mut spans = vec![Span::raw(format!("{what} {}/{total}", r.rows.len()))];
        if !r.dead_letters {
            let arrow = if r.descending { "▼" } else { "▲" };
            spans.push(Span::raw(format!(
                " · sorted by {} {arrow}",
                r.sort.title()
            )));
        }
        if r.masking() {
            spans.push(Span::raw(" · masked"));
        }
        if r.typing {
            spans.push(Span::styled(format!(" · filter: {}▏", r.filter), t.warn()));
        } else if !r.filter.is_empty() {
            spans.push(Span::styled(format!(" · filter: {}", r.filter), t.warn()));
        }
        if let Some(error) = &app.store.error {
            spans.push(Span::styled(
                format!(" · store read failed: {error}"),
                t.bad(),
            ));
        }
        Line::from(spans)
    }

    fn users(&self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = app.theme;
        let r = &app.records;
        let block = panel(self.title("Users", app.store.users.len()), t);
        if r.rows.is_empty() {
            let empty = app.store.users.is_empty();
            let text = if empty {
                "no users stored yet"
            } else {
                "no user matches the filter"
            };
            return empty_panel(block, text, t, area, buf);
        }
        // Below 76 columns gender and registration date give way to name and email; from 140
        // the phone (masked with `m`) and the city join in.
        let narrow = area.width < 76;
        let wide = area.width >= 140;
        let mut columns: Vec<Column> = SortColumn::ALL
            .into_iter()
            .filter(|c| !narrow || !matches!(c, SortColumn::Gender | SortColumn::Registered))
            .map(Column::Sorted)
            .collect();
        if wide {
            let at = columns.len() - 2;
            columns.splice(at..at, [Column::Phone, Column::City]);
        }
        let header = Row::new(columns.iter().map(|c| {
            let title = match c {
                Column::Sorted(c) => {
                    let mark = match (*c == r.sort, r.descending) {
                        (true, true) => " ▼",
                        (true, false) => " ▲",
                        _ => "",
                    };
                    format!("{}{mark}", c.title())
                }
                Column::Phone => "Phone".to_owned(),
                Column::City => "City".to_owned(),
            };
            Cell::from(title).style(t.header())
        }));
        let rows = r.rows.iter().map(|&i| {
            let user = &app.store.users[i];
            Row::new(columns.iter().map(|c| Cell::from(self.cell(user, *c))))
        });
        let widths = columns.iter().map(|c| match c {
            Column::Sorted(SortColumn::Name) if wide => Constraint::Length(28),
            Column::Sorted(SortColumn::Name) => Constraint::Fill(3),
            Column::Sorted(SortColumn::Gender) => Constraint::Length(6),
            Column::Sorted(SortColumn::Country) => Constraint::Length(14),
            Column::Sorted(SortColumn::Email) if wide => Constraint::Length(34),
            Column::Sorted(SortColumn::Email) => Constraint::Fill(4),
            Column::Sorted(SortColumn::Registered) => Constraint::Length(10),
            Column::Sorted(SortColumn::Stored) => Constraint::Length(9),
            Column::Phone => Constraint::Length(16),
            Column::City => Constraint::Fill(1),
        });
        let table = Table::new(rows, widths)
            .header(header)
            .column_spacing(1)
            .row_highlight_style(t.selected())
            .block(block);
        let mut state = TableState::new().with_selected(Some(r.selected));
        StatefulWidget::render(table, area, buf, &mut state);
    }

    fn cell(&self, user: &StoredUser, column: Column) -> String {
        let masked = self.0.records.masked;
        match column {
            Column::Sorted(SortColumn::Name) => full_name(user),
            Column::Sorted(SortColumn::Gender) => user.gender.clone(),
            Column::Sorted(SortColumn::Country) => user.country.clone(),
            Column::Sorted(SortColumn::Email) if masked => mask_email(&user.email),
            Column::Sorted(SortColumn::Email) => user.email.clone(),
            Column::Sorted(SortColumn::Registered) => {
                user.registered_date.chars().take(10).collect()
            }
            Column::Sorted(SortColumn::Stored) => time_of(&user.stored_at),
            Column::Phone if masked => mask_phone(&user.phone),
            Column::Phone => user.phone.clone(),
            Column::City => user.city.clone(),
        }
    }

    fn letters(&self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = app.theme;
        let r = &app.records;
        let block = panel(self.title("Dead letters", app.store.dead_letters.len()), t);
        if r.rows.is_empty() {
            let empty = app.store.dead_letters.is_empty();
            let text = if empty {
                "no dead letters"
            } else {
                "no dead letter matches the filter"
            };
            return empty_panel(block, text, t, area, buf);
        }
        let header = Row::new(
            ["Failed at", "Rule", "Origin", "Reason"].map(|h| Cell::from(h).style(t.header())),
        );
        let rows = r.rows.iter().map(|&i| {
            let d = &app.store.dead_letters[i];
            let reason = if r.letters_masked {
                mask_emails(&d.reason)
            } else {
                d.reason.clone()
            };
            Row::new([
                Cell::from(time_of(&d.failed_at)),
                Cell::from(d.rule.as_str()).style(t.warn()),
                Cell::from(format!("p{}@{}", d.origin.partition, d.origin.offset)),
                Cell::from(reason),
            ])
        });
        let widths = [
            Constraint::Length(9),
            Constraint::Length(16),
            Constraint::Length(10),
            Constraint::Fill(1),
        ];
        let table = Table::new(rows, widths)
            .header(header)
            .column_spacing(1)
            .row_highlight_style(t.selected())
            .block(block);
        let mut state = TableState::new().with_selected(Some(r.selected));
        StatefulWidget::render(table, area, buf, &mut state);
    }

    fn user_detail(&self, user: &StoredUser, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = app.theme;
        let masked = app.records.masked;
        let (email, phone) = if masked {
            (mask_email(&user.email), mask_phone(&user.phone))
        } else {
            (user.email.clone(), user.phone.clone())
        };
        let fields: [(&str, String); 19] = [
            ("id", user.id.clone()),
            ("name", full_name(user)),
            ("gender", user.gender.clone()),
            ("email", email),
            ("phone", phone),
            ("username", user.username.clone()),
            ("born", user.dob.clone()),
            ("registered", user.registered_date.clone()),
            ("address", user.address.clone()),
            ("post code", user.post_code.clone()),
            ("city", user.city.clone()),
            ("state", user.state.clone()),
            ("country", user.country.clone()),
            ("nat", user.nat.clone()),
            ("domain", user.email_domain.clone()),
            ("picture", user.picture.clone()),
            ("source", user.source.clone()),
            ("ingested", user.ingested_at.clone()),
            ("stored", user.stored_at.clone()),
        ];
        let block = panel(format!("User {} · Esc to close", full_name(user)), t);
        let inner = block.inner(area);
        block.render(area, buf);
        let lines: Vec<Line> = fields
            .into_iter()
            .map(|(k, v)| {
                Line::from(vec![
                    Span::styled(format!("{k:<11}"), t.dim()),
                    Span::raw(v),
                ])
            })
            .collect();
        // Two columns when one does not fit the height.
        let per_column = usize::from(inner.height.max(1));
        let columns = lines.len().div_ceil(per_column).max(1);
        let width = inner.width / columns as u16;
        for (c, chunk) in lines.chunks(per_column).enumerate() {
            let x = inner.x + width * c as u16;
            Paragraph::new(chunk.to_vec()).render(Rect::new(x, inner.y, width, inner.height), buf);
        }
    }

    fn letter_detail(&self, letter: &DeadLetter, area: Rect, buf: &mut Buffer) {
        let t = self.0.theme;
        let masked = self.0.records.letters_masked;
        let label = |k: &'static str| Span::styled(format!("{k:<10}"), t.dim());
        let reason = if masked {
            mask_emails(&letter.reason)
        } else {
            letter.reason.clone()
        };
        let payload = letter
            .payload
            .as_deref()
            .map(|p| {
                if masked {
                    mask_payload(p)
                } else {
                    p.to_owned()
                }
            })
            .or_else(|| {
                letter
                    .payload_base64
                    .as_ref()
                    .map(|b| format!("(base64) {b}"))
            })
            .unwrap_or_default();
        let o = &letter.origin;
        let lines = vec![
            Line::from(vec![
                label("rule"),
                Span::styled(letter.rule.as_str(), t.warn()),
            ]),
            Line::from(vec![label("reason"), Span::raw(reason)]),
            Line::from(vec![
                label("origin"),
                Span::raw(format!(
                    "{} partition {} offset {}",
                    o.topic, o.partition, o.offset
                )),
            ]),
            Line::from(vec![
                label("failed at"),
                Span::raw(letter.failed_at.as_str()),
            ]),
            Line::from(label("payload")),
            Line::from(payload),
        ];
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(panel(
                format!(
                    "Dead letter · {}{} · Esc to close",
                    letter.rule,
                    if masked { " · masked" } else { "" }
                ),
                t,
            ))
            .render(area, buf);
    }
}

/// `2026-01-01T12:34:56.789Z` → `12:34:56`.
fn time_of(rfc3339: &str) -> String {
    rfc3339.get(11..19).unwrap_or(rfc3339).to_owned()
}

/// A list panel with nothing to list: the frame and one line saying why.
fn empty_panel(block: Block<'_>, text: &str, t: Theme, area: Rect, buf: &mut Buffer) {
    let inner = block.inner(area);
    block.render(area, buf);
    placeholder(text, t, inner, buf);
}
