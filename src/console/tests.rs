//! Snapshot tests of every view (insta, top-level `snapshots/`, named `<tab>_<state>`), plus
//! the cell-by-cell checks of colours, `NO_COLOR` and column alignment.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use ratatui::style::{Color, Modifier};

use super::app::App;
use super::fixture;
use super::keymap::Action;
use super::tab::Tab;
use super::theme::Theme;

macro_rules! assert_view {
    ($name:expr, $value:expr) => {
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!($name, $value)
        })
    };
}

/// A fixture constructor.
type Fixture = fn(Theme) -> App;

fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| frame.render_widget(app, frame.area()))
        .unwrap();
    terminal
}

fn view(app: &App, width: u16, height: u16) -> String {
    draw(app, width, height).backend().to_string()
}

fn buffer(app: &App, width: u16, height: u16) -> Buffer {
    draw(app, width, height).backend().buffer().clone()
}

fn on(mut app: App, tab: Tab) -> App {
    app.tab = tab;
    app
}

fn press(app: &mut App, code: KeyCode) {
    app.key(KeyEvent {
        code,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    });
}

/// The four data tabs in their five states; Logs has its own test (global log buffer).
#[test]
fn data_tabs_in_every_state() {
    let states: [(&str, Fixture); 4] = [
        ("empty", fixture::empty),
        ("typical", fixture::typical),
        ("error", fixture::error),
        ("paused", fixture::paused),
    ];
    for tab in [Tab::Metrics, Tab::Charts, Tab::Records, Tab::Lag] {
        let name = tab.title().to_lowercase();
        for (state, make) in states {
            assert_view!(
                format!("{name}_{state}"),
                view(&on(make(Theme::COLOR), tab), 80, 24)
            );
        }
        let narrow = on(fixture::typical(Theme::COLOR), tab);
        assert_view!(format!("{name}_narrow"), view(&narrow, 60, 20));
    }
}

#[test]
fn metrics_and_records_at_a_large_size() {
    let app = fixture::typical(Theme::COLOR);
    assert_view!("metrics_wide", view(&app, 200, 60));
    assert_view!("records_wide", view(&on(app, Tab::Records), 200, 60));
}

#[test]
fn records_filter_sort_detail_mask_and_dead_letters() {
    let mut app = on(fixture::typical(Theme::COLOR), Tab::Records);
    press(&mut app, KeyCode::Char('/'));
    for c in "ir".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_view!("records_filter_typing", view(&app, 80, 24));
    press(&mut app, KeyCode::Esc);

    press(&mut app, KeyCode::Char('o'));
    assert_view!("records_sorted_by_name", view(&app, 80, 24));

    press(&mut app, KeyCode::Char('m'));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_view!("records_detail_masked", view(&app, 80, 24));
    press(&mut app, KeyCode::Esc);

    press(&mut app, KeyCode::Char('d'));
    assert_view!("records_dead_letters", view(&app, 80, 24));
    press(&mut app, KeyCode::Enter);
    let masked = view(&app, 80, 24);
    assert!(
        !masked.contains("jane@") && !masked.contains("790-0888"),
        "{masked}"
    );
    assert_view!("records_dead_letter_detail", masked);
    press(&mut app, KeyCode::Char('m'));
    let shown = view(&app, 80, 24);
    assert!(
        shown.contains("jane@@example.com") && shown.contains("790-0888"),
        "{shown}"
    );
    assert_view!("records_dead_letter_detail_shown", shown);
}

#[test]
fn help_overlay_and_too_small_notice() {
    let mut app = fixture::typical(Theme::COLOR);
    app.update(Action::ToggleHelp);
    assert_view!("help_overlay", view(&app, 80, 24));
    assert_view!("help_narrow", view(&app, 60, 20));
    assert_view!("too_small", view(&app, 59, 24));
    assert_view!("too_small_short", view(&app, 80, 15));
}

#[test]
fn the_metrics_address_shows_in_the_header_and_the_help() {
    let mut app = fixture::typical(Theme::COLOR);
    app.info.metrics_addr = Some("127.0.0.1:9898".to_owned());
    assert_view!("metrics_endpoint_header", view(&app, 120, 30));
    app.update(Action::ToggleHelp);
    assert_view!("help_metrics_endpoint", view(&app, 80, 24));
}

/// Every Logs view in one test: tui-logger's buffer is global to the process.
#[test]
fn logs_tab_in_every_state() {
    use tracing_subscriber::layer::SubscriberExt;

    assert_view!(
        "logs_empty",
        view(&on(fixture::empty(Theme::COLOR), Tab::Logs), 80, 24)
    );
    tui_logger::set_default_level(tui_logger::LevelFilter::Trace);
    // Libraries that use the `log` crate reach `tracing` as the binary's subscriber sets it up.
    let _ = tracing_log::LogTracer::init();
    let subscriber = tracing_subscriber::registry().with(super::logging::LogsTabLayer);
    tracing::subscriber::with_default(subscriber, || {
        log::warn!(target: "lsm_tree::compaction", "Compaction of 4 segments is behind.");
        tracing::info!(target: "userstream::runner", source = "Synthetic", batch_size = 100, "Starting pipeline.");
        tracing::debug!(target: "userstream::pipeline::process", polled = 400, "Polled a batch.");
        tracing::warn!(target: "userstream::pipeline::ingest", error = "HTTP 503", failures = 1, "Fetch failed; retrying.");
        tracing::warn!(target: "userstream::pipeline::ingest", failures = 5, "Source failing; circuit open.");
        tracing::error!(target: "userstream::pipeline", error = "store: disk full", "A stage stopped; shutting the pipeline down.");
        tracing::info!(target: "userstream::console", paused = true, "Ingest paused from the console.");
    });
    tui_logger::move_events();
    let states: [(&str, Fixture); 3] = [
        ("typical", fixture::typical),
        ("error", fixture::error),
        ("paused", fixture::paused),
    ];
    for (state, make) in states {
        assert_view!(
            format!("logs_{state}"),
            view(&on(make(Theme::COLOR), Tab::Logs), 80, 24)
        );
    }
    let mut app = on(fixture::typical(Theme::COLOR), Tab::Logs);
    let shown = view(&app, 80, 24);
    assert!(
        shown.contains("W lsm_tree::compaction Compaction"),
        "{shown}"
    );
    assert!(
        !shown.contains("log.file") && !shown.contains("log.line"),
        "{shown}"
    );
    assert_view!("logs_narrow", view(&app, 60, 20));
    app.update(Action::LogLevel);
    assert_view!("logs_level_debug", view(&app, 80, 24));
    app.update(Action::LogFreeze);
    let frozen = view(&app, 80, 24);
    assert!(frozen.contains("frozen"), "{frozen}");
}

#[test]
fn circuit_open_and_paused_are_coloured() {
    let app = fixture::error(Theme::COLOR);
    let buf = buffer(&app, 80, 24);
    let (x, y) = find(&buf, "circuit open").expect("the state is shown");
    for dx in 0..12 {
        let cell = &buf[(x + dx, y)];
        assert_eq!(cell.fg, Color::Red, "cell {dx} of 'circuit open'");
        assert!(cell.modifier.contains(Modifier::BOLD));
    }
    let (x, y) = find(&buf, "503").expect("the status is shown");
    assert_eq!(buf[(x, y)].fg, Color::Red);
    let (x, y) = find(&buf, "RUNNING").expect("the header says RUNNING");
    assert_eq!(buf[(x, y)].fg, Color::Green);

    let buf = buffer(&fixture::paused(Theme::COLOR), 80, 24);
    let (x, y) = find(&buf, "PAUSED").expect("the header says PAUSED");
    assert_eq!(buf[(x, y)].fg, Color::Yellow);
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn no_color_draws_without_colours_on_every_tab() {
    let states: [Fixture; 4] = [
        fixture::empty,
        fixture::typical,
        fixture::error,
        fixture::paused,
    ];
    for make in states {
        for tab in Tab::ALL {
            let mut app = on(make(Theme::MONO), tab);
            app.help = tab == Tab::Lag;
            let buf = buffer(&app, 80, 24);
            for cell in buf.content() {
                assert_eq!(
                    cell.fg,
                    Color::Reset,
                    "{tab:?}: '{}' has a colour",
                    cell.symbol()
                );
                assert_eq!(
                    cell.bg,
                    Color::Reset,
                    "{tab:?}: '{}' has a colour",
                    cell.symbol()
                );
            }
        }
    }
    // States stay visible without colour.
    let buf = buffer(&fixture::paused(Theme::MONO), 80, 24);
    let (x, y) = find(&buf, "PAUSED").unwrap();
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn wide_and_right_to_left_names_keep_the_columns_aligned() {
    let app = on(fixture::typical(Theme::COLOR), Tab::Records);
    let buf = buffer(&app, 80, 24);
    let (country_x, header_y) = find(&buf, "Country").unwrap();
    let (email_x, _) = find(&buf, "Email").unwrap();
    let users = fixture::users();
    for (row, user) in users.iter().enumerate() {
        let y = header_y + 1 + row as u16;
        if y >= buf.area.height - 2 {
            break;
        }
        let first = user.country.chars().next().unwrap().to_string();
        assert_eq!(
            buf[(country_x, y)].symbol(),
            first,
            "row {row}: {}",
            user.first_name
        );
        let first = user.email.chars().next().unwrap().to_string();
        assert_eq!(
            buf[(email_x, y)].symbol(),
            first,
            "row {row}: {}",
            user.first_name
        );
    }
}

/// Top-left position of `text` in the buffer (single-width characters only).
fn find(buf: &Buffer, text: &str) -> Option<(u16, u16)> {
    let width = buf.area.width;
    for y in 0..buf.area.height {
        let line: Vec<&str> = (0..width).map(|x| buf[(x, y)].symbol()).collect();
        let chars: Vec<char> = text.chars().collect();
        'x: for x in 0..line.len() {
            for (i, c) in chars.iter().enumerate() {
                if line.get(x + i).is_none_or(|s| *s != c.to_string()) {
                    continue 'x;
                }
            }
            return Some((x as u16, y));
        }
    }
    None
}

/// The Lag tab's reset dialog: typing the target, then the plan waiting for a yes.
#[test]
fn lag_reset_dialog() {
    use crate::broker::reset::ResetRow;
    use crate::console::app::Command;
    let mut app = on(fixture::typical(Theme::COLOR), Tab::Lag);
    press(&mut app, KeyCode::Char('R'));
    for c in "-15m".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_view!("lag_reset_typing", view(&app, 80, 24));
    // Keys of other tabs are text in the dialog, not actions.
    assert_eq!(app.tab, Tab::Lag);
    let asked = app.key(KeyEvent {
        code: KeyCode::Enter,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    });
    let want_ms = fixture::now().timestamp_millis() - 900_000;
    assert_eq!(
        asked,
        Some(Command::PlanReset(
            crate::broker::reset::ResetTarget::Datetime(want_ms)
        ))
    );
    let plan: Vec<ResetRow> = (0..3u32)
        .map(|p| ResetRow {
            partition: p,
            current: 4_000 + u64::from(p),
            new: 1_200 + u64::from(p) * 7,
            high_watermark: 4_100,
            lag_after: 4_100 - (1_200 + u64::from(p) * 7),
        })
        .collect();
    app.reset_planned(Ok(plan.clone()));
    assert_view!("lag_reset_plan", view(&app, 80, 24));
    let applied = app.key(KeyEvent {
        code: KeyCode::Char('y'),
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    });
    assert_eq!(applied, Some(Command::ApplyReset(plan.clone())));
    app.reset_applied(&plan, Ok(plan.clone()));
    assert!(app.reset.is_none());
    let status = app.visible_status().unwrap();
    assert!(status.text.contains("records to read"), "{}", status.text);
    assert!(!status.text.contains("Retention"), "{}", status.text);
    // Retention cut a partition below the plan before it applied: the status says so.
    let mut landed = plan.clone();
    landed[0].new += 1;
    landed[0].lag_after -= 1;
    app.reset_applied(&plan, Ok(landed));
    let status = app.visible_status().unwrap();
    assert!(
        status
            .text
            .contains("Retention deleted records of 1 partitions"),
        "{}",
        status.text
    );
}
