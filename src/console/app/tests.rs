//! Keys to actions to commands, without a terminal.

use super::*;
use ratatui::crossterm::event::{KeyCode, KeyEventState, KeyModifiers};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent {
        code,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    }
}

fn app() -> App {
    let info = RunInfo {
        version: "0.0.0".into(),
        source: "synthetic".into(),
        broker: Description::new("embedded", "log"),
        store: Description::new("sqlite", "db"),
        batch_size: 25,
        data_dir: PathBuf::from("."),
        metrics_addr: None,
    };
    App::new(info, Theme::MONO, DateTime::UNIX_EPOCH, Some(1000))
}

#[test]
fn keys_turn_into_commands() {
    let mut app = app();
    assert_eq!(
        app.key(key(KeyCode::Char('p'))),
        Some(Command::SetPaused(true))
    );
    assert!(app.stats.paused);
    assert_eq!(app.key(key(KeyCode::Char('f'))), Some(Command::FetchNow));
    assert_eq!(
        app.key(key(KeyCode::Char('+'))),
        Some(Command::SetRate(Some(2000)))
    );
    assert_eq!(app.key(key(KeyCode::Char('4'))), None);
    assert_eq!(app.tab, Tab::Lag);
    assert_eq!(app.key(key(KeyCode::BackTab)), None);
    assert_eq!(app.tab, Tab::Records);
    assert_eq!(app.key(key(KeyCode::Char('q'))), Some(Command::Quit));
    assert!(app.stopping);
}

#[test]
fn typing_a_filter_swallows_keys_until_enter() {
    let mut app = app();
    app.tab = Tab::Records;
    app.key(key(KeyCode::Char('/')));
    for c in "qp".chars() {
        assert_eq!(app.key(key(KeyCode::Char(c))), None);
    }
    assert_eq!(app.records.filter, "qp");
    app.key(key(KeyCode::Backspace));
    app.key(key(KeyCode::Enter));
    assert_eq!(app.records.filter, "q");
    assert!(!app.records.typing);
    app.key(key(KeyCode::Esc));
    assert_eq!(app.records.filter, "");
}

#[test]
fn help_swallows_other_keys() {
    let mut app = app();
    app.key(key(KeyCode::Char('?')));
    assert!(app.help);
    assert_eq!(app.key(key(KeyCode::Char('p'))), None);
    app.key(key(KeyCode::Esc));
    assert!(!app.help);
}
