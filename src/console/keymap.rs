//! Every key binding of the console, as a named field with its default, and the [`Action`] it
//! triggers, including the keys that edit the Records filter while it is typed. The footer and
//! the `?` help are drawn from this map, so a binding that changes shows up in the snapshots.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::tab::Tab;

/// Something the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Stop the pipeline (finish and commit what is in flight), restore the terminal, exit.
    Quit,
    /// Show or hide the help overlay.
    ToggleHelp,
    /// Go to the next tab, wrapping around.
    NextTab,
    /// Go to the previous tab, wrapping around.
    PrevTab,
    /// Go to one tab.
    Show(Tab),
    /// Fetch one batch now, even while paused.
    FetchNow,
    /// Pause or resume ingest; processing continues, so the lag drains.
    TogglePause,
    /// Raise the ingest rate one step.
    RateUp,
    /// Lower the ingest rate one step.
    RateDown,
    /// Move the selection (or the log view) up one line.
    Up,
    /// Move the selection (or the log view) down one line.
    Down,
    /// Move up one page.
    PageUp,
    /// Move down one page.
    PageDown,
    /// Jump to the first line.
    Home,
    /// Jump to the last line (Logs: follow again).
    End,
    /// Records: start typing a filter.
    Filter,
    /// Records, while typing the filter: add this character to it.
    FilterType(char),
    /// Records, while typing the filter: delete its last character.
    FilterDelete,
    /// Records, while typing the filter: stop typing and keep it.
    FilterKeep,
    /// Records, while typing the filter: clear it and stop typing.
    FilterClear,
    /// Records: sort by the next column.
    SortColumn,
    /// Records: reverse the sort order.
    SortReverse,
    /// Records: show the selected record whole.
    Open,
    /// Close the detail, the filter or the help.
    Close,
    /// Records: mask or show email and phone (dead letters start masked).
    Mask,
    /// Records: switch between users and dead letters.
    DeadLetters,
    /// Logs: show the next more verbose level (wraps from TRACE to ERROR).
    LogLevel,
    /// Logs: freeze the view or follow new lines again.
    LogFreeze,
    /// Logs: save the captured log to a file.
    LogSave,
    /// Lag: open the dialog that resets the group's offsets (plan first, then confirm).
    ResetOffsets,
}

/// A key with the modifiers that matter (Shift is part of the character itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    /// A key without Ctrl or Alt.
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }

    /// A character key.
    pub const fn char(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    /// Ctrl plus a character.
    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            modifiers: KeyModifiers::CONTROL,
        }
    }

    /// Whether `event` is this key; Shift is ignored because it is part of `?`, `+` or `O`.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        let relevant = KeyModifiers::CONTROL | KeyModifiers::ALT;
        self.code == event.code && self.modifiers & relevant == event.modifiers & relevant
    }

    /// How the footer and the help write this key.
    pub fn label(&self) -> String {
        let name = match self.code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            KeyCode::Tab => "Tab".to_owned(),
            KeyCode::BackTab => "Shift-Tab".to_owned(),
            KeyCode::Up => "↑".to_owned(),
            KeyCode::Down => "↓".to_owned(),
            KeyCode::Left => "←".to_owned(),
            KeyCode::Right => "→".to_owned(),
            KeyCode::PageUp => "PgUp".to_owned(),
            KeyCode::PageDown => "PgDn".to_owned(),
            KeyCode::Home => "Home".to_owned(),
            KeyCode::End => "End".to_owned(),
            other => format!("{other:?}"),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{name}")
        } else {
            name
        }
    }
}

/// Which part of the console a binding works in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    Tab(Tab),
}

/// The key bindings; [`KeyMap::default`] holds the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMap {
    pub quit: Key,
    pub force_quit: Key,
    pub help: Key,
    pub next_tab: Key,
    pub prev_tab: Key,
    pub tabs: [Key; 5],
    pub fetch_now: Key,
    pub pause: Key,
    pub rate_up: Key,
    pub rate_down: Key,
    pub up: Key,
    pub down: Key,
    pub page_up: Key,
    pub page_down: Key,
    pub home: Key,
    pub end: Key,
    pub filter: Key,
    pub filter_keep: Key,
    pub filter_clear: Key,
    pub filter_delete: Key,
    pub sort_column: Key,
    pub sort_reverse: Key,
    pub open: Key,
    pub close: Key,
    pub mask: Key,
    pub dead_letters: Key,
    pub log_level: Key,
    pub log_freeze: Key,
    pub log_save: Key,
    pub reset_offsets: Key,
}

impl Default for KeyMap {
    fn default() -> KeyMap {
        KeyMap {
            quit: Key::char('q'),
            force_quit: Key::ctrl('c'),
            help: Key::char('?'),
            next_tab: Key::plain(KeyCode::Tab),
            prev_tab: Key::plain(KeyCode::BackTab),
            tabs: ['1', '2', '3', '4', '5'].map(Key::char),
            fetch_now: Key::char('f'),
            pause: Key::char('p'),
            rate_up: Key::char('+'),
            rate_down: Key::char('-'),
            up: Key::plain(KeyCode::Up),
            down: Key::plain(KeyCode::Down),
            page_up: Key::plain(KeyCode::PageUp),
            page_down: Key::plain(KeyCode::PageDown),
            home: Key::plain(KeyCode::Home),
            end: Key::plain(KeyCode::End),
            filter: Key::char('/'),
            filter_keep: Key::plain(KeyCode::Enter),
            filter_clear: Key::plain(KeyCode::Esc),
            filter_delete: Key::plain(KeyCode::Backspace),
            sort_column: Key::char('o'),
            sort_reverse: Key::char('r'),
            open: Key::plain(KeyCode::Enter),
            close: Key::plain(KeyCode::Esc),
            mask: Key::char('m'),
            dead_letters: Key::char('d'),
            log_level: Key::char('l'),
            log_freeze: Key::char(' '),
            log_save: Key::char('s'),
            reset_offsets: Key::char('R'),
        }
    }
}

/// One line of the help: the keys, what they do, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRow {
    /// The keys as written on screen, e.g. `↑/↓`.
    pub label: String,
    /// The keys as the footer writes them (the first of alternatives).
    pub short: String,
    pub keys: Vec<Key>,
    pub hint: &'static str,
    pub description: &'static str,
    pub scope: Scope,
}

impl KeyMap {
    /// Every (key, action, scope), tab bindings first so they win over global ones.
    fn table(&self) -> Vec<(Key, Action, Scope)> {
        use Action::*;
        let records = Scope::Tab(Tab::Records);
        let logs = Scope::Tab(Tab::Logs);
        let lag = Scope::Tab(Tab::Lag);
        let all = Scope::Everywhere;
        let mut table = vec![
            (self.reset_offsets, ResetOffsets, lag),
            (self.filter, Filter, records),
            (self.sort_column, SortColumn, records),
            (self.sort_reverse, SortReverse, records),
            (self.open, Open, records),
            (self.close, Close, records),
            (self.mask, Mask, records),
            (self.dead_letters, DeadLetters, records),
            (self.log_level, LogLevel, logs),
            (self.log_freeze, LogFreeze, logs),
            (self.log_save, LogSave, logs),
            (self.quit, Quit, all),
            (self.force_quit, Quit, all),
            (self.help, ToggleHelp, all),
            (self.close, Close, all),
            (self.next_tab, NextTab, all),
            (self.prev_tab, PrevTab, all),
            (self.fetch_now, FetchNow, all),
            (self.pause, TogglePause, all),
            (self.rate_up, RateUp, all),
            (self.rate_down, RateDown, all),
            (self.up, Up, all),
            (self.down, Down, all),
            (self.page_up, PageUp, all),
            (self.page_down, PageDown, all),
            (self.home, Home, all),
            (self.end, End, all),
        ];
        for (key, tab) in self.tabs.iter().zip(Tab::ALL) {
            table.push((*key, Show(tab), all));
        }
        table
    }

    /// The action `event` triggers on `tab`, if any.
    pub fn action(&self, tab: Tab, event: &KeyEvent) -> Option<Action> {
        self.table()
            .into_iter()
            .filter(|(_, _, scope)| matches!(scope, Scope::Everywhere) || *scope == Scope::Tab(tab))
            .find(|(key, _, _)| key.matches(event))
            .map(|(_, action, _)| action)
    }

    /// The action `event` triggers while the Records filter is typed: the editing keys, and
    /// any other character without Ctrl is typed into the filter.
    pub fn typing(&self, event: &KeyEvent) -> Option<Action> {
        let edits = [
            (self.filter_keep, Action::FilterKeep),
            (self.filter_clear, Action::FilterClear),
            (self.filter_delete, Action::FilterDelete),
        ];
        if let Some((_, action)) = edits.iter().find(|(key, _)| key.matches(event)) {
            return Some(*action);
        }
        match event.code {
            KeyCode::Char(c) if !event.modifiers.contains(KeyModifiers::CONTROL) => {
                Some(Action::FilterType(c))
            }
            _ => None,
        }
    }

    /// The editing keys the footer shows while the Records filter is typed: (key, hint).
    pub fn typing_footer(&self) -> [(String, &'static str); 3] {
        [
            (self.filter_keep.label(), "keep"),
            (self.filter_clear.label(), "clear"),
            (self.filter_delete.label(), "delete"),
        ]
    }

    /// Every binding with its description, grouped for the help overlay.
    pub fn help(&self) -> Vec<HelpRow> {
        let row = |keys: &[Key], hint, description, scope| HelpRow {
            label: keys.iter().map(Key::label).collect::<Vec<_>>().join("/"),
            short: keys.iter().map(Key::label).collect::<Vec<_>>().join("/"),
            keys: keys.to_vec(),
            hint,
            description,
            scope,
        };
        let all = Scope::Everywhere;
        let records = Scope::Tab(Tab::Records);
        let logs = Scope::Tab(Tab::Logs);
        let tabs = format!(
            "{}–{}",
            self.tabs[0].label(),
            self.tabs[self.tabs.len() - 1].label()
        );
        vec![
            row(&[self.help], "help", "this help", all),
            HelpRow {
                short: self.quit.label(),
                ..row(
                    &[self.quit, self.force_quit],
                    "quit",
                    "drain, commit, quit",
                    all,
                )
            },
            HelpRow {
                label: tabs.clone(),
                short: tabs,
                keys: self.tabs.to_vec(),
                hint: "tabs",
                description: "go to a tab",
                scope: all,
            },
            row(
                &[self.next_tab, self.prev_tab],
                "tab",
                "next / previous tab",
                all,
            ),
            row(&[self.fetch_now], "fetch", "fetch one batch now", all),
            row(&[self.pause], "pause", "pause / resume ingest", all),
            row(
                &[self.rate_up, self.rate_down],
                "rate",
                "raise / lower rate",
                all,
            ),
            row(&[self.up, self.down], "move", "move one line", all),
            row(
                &[self.page_up, self.page_down],
                "page",
                "move one page",
                all,
            ),
            row(&[self.home, self.end], "ends", "first / last line", all),
            row(&[self.filter], "filter", "type a filter", records),
            row(&[self.sort_column], "sort", "sort by next column", records),
            row(
                &[self.sort_reverse],
                "reverse",
                "reverse the order",
                records,
            ),
            row(&[self.open], "detail", "show record whole", records),
            row(&[self.close], "back", "close / clear filter", records),
            row(&[self.mask], "mask", "(un)mask email, phone", records),
            row(
                &[self.dead_letters],
                "dead letters",
                "users / dead letters",
                records,
            ),
            row(&[self.log_level], "level", "cycle level shown", logs),
            row(&[self.log_freeze], "freeze", "freeze / follow", logs),
            row(&[self.log_save], "save", "save log to a file", logs),
            row(
                &[self.reset_offsets],
                "reset",
                "reset offsets (replay)",
                Scope::Tab(Tab::Lag),
            ),
        ]
    }

    /// The bindings the footer shows on `tab`: help and quit, the tab's own, then the controls.
    pub fn footer(&self, tab: Tab) -> Vec<HelpRow> {
        let help = self.help();
        let global = |hints: &[&str]| -> Vec<HelpRow> {
            help.iter()
                .filter(|r| r.scope == Scope::Everywhere && hints.contains(&r.hint))
                .cloned()
                .collect()
        };
        let own = help.iter().filter(|r| r.scope == Scope::Tab(tab)).cloned();
        let mut rows = global(&["help", "quit"]);
        rows.extend(own);
        rows.extend(global(&["tabs", "pause", "fetch", "rate"]));
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press,
            state: ratatui::crossterm::event::KeyEventState::NONE,
        }
    }

    #[test]
    fn tab_bindings_win_and_global_ones_work_everywhere() {
        let keys = KeyMap::default();
        let s = press(KeyCode::Char('s'), KeyModifiers::NONE);
        assert_eq!(keys.action(Tab::Logs, &s), Some(Action::LogSave));
        assert_eq!(keys.action(Tab::Metrics, &s), None);
        let p = press(KeyCode::Char('p'), KeyModifiers::NONE);
        assert_eq!(keys.action(Tab::Records, &p), Some(Action::TogglePause));
        let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(keys.action(Tab::Lag, &ctrl_c), Some(Action::Quit));
        let c = press(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(keys.action(Tab::Lag, &c), None);
        let question = press(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(keys.action(Tab::Lag, &question), Some(Action::ToggleHelp));
        let four = press(KeyCode::Char('4'), KeyModifiers::NONE);
        assert_eq!(
            keys.action(Tab::Metrics, &four),
            Some(Action::Show(Tab::Lag))
        );
    }

    #[test]
    fn every_action_bound_in_the_table_is_described_in_the_help() {
        let keys = KeyMap::default();
        let help = keys.help();
        for (key, _, _) in keys.table() {
            let described = help.iter().any(|r| r.keys.contains(&key));
            assert!(described, "{} is bound but not in the help", key.label());
        }
    }
}
