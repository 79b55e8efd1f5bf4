//! Cost of the console, in two parts (run with `cargo bench --features fixture --bench console`;
//! add `render` or `throughput` to run one part only; the feature brings in the fixture states,
//! which a release build leaves out):
//!
//! - **render**: microseconds to draw each tab of the typical fixture (ten minutes of history,
//!   about 470k users in the aggregates, a full log view) at 80×24 and 200×60 on ratatui's
//!   `TestBackend`, median of many frames;
//! - **throughput**: the real binary storing `RECORDS` synthetic users at `--rate max`, once
//!   headless and once with the console drawing in a 120×40 tmux pane, alternating, `RUNS`
//!   times each. Both modes print the same final `"event":"summary"` line, whose
//!   `records_per_s` is users stored divided by the time from the pipeline's start until every
//!   stage has finished (the console run's wait for `q` after that is not counted). For the
//!   console run the line is read back from the pane after the console has left the alternate
//!   screen. Needs tmux.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use userstream::console::app::App;
use userstream::console::fixture;
use userstream::console::tab::Tab;
use userstream::console::theme::Theme;

const FRAMES: usize = 400;
const RECORDS: u64 = 200_000;
const RUNS: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let only = |part: &str| {
        let named = ["render", "throughput"];
        !args.iter().any(|a| named.contains(&a.as_str())) || args.iter().any(|a| a == part)
    };
    if only("render") {
        render();
    }
    if only("throughput") {
        throughput();
    }
}

fn render() {
    fill_log_view();
    println!("render: median µs per frame over {FRAMES} frames (typical fixture)");
    println!("{:<10} {:>10} {:>10}", "tab", "80x24", "200x60");
    for tab in Tab::ALL {
        let mut app = fixture::typical(Theme::COLOR);
        app.tab = tab;
        let small = frame_micros(&app, 80, 24);
        let large = frame_micros(&app, 200, 60);
        println!("{:<10} {small:>10.1} {large:>10.1}", tab.title());
    }
}

/// Median time of one `Terminal::draw` of `app`.
fn frame_micros(app: &App, width: u16, height: u16) -> f64 {
    // The test backend cannot fail.
    let Ok(mut terminal) = Terminal::new(TestBackend::new(width, height));
    let mut times = Vec::with_capacity(FRAMES);
    for i in 0..FRAMES + 20 {
        let started = Instant::now();
        let _ = terminal.draw(|frame| frame.render_widget(app, frame.area()));
        if i >= 20 {
            times.push(started.elapsed().as_secs_f64() * 1e6);
        }
        // Forget the previous frame, so that every frame is written in full (the worst case).
        let _ = terminal.clear();
    }
    median(&mut times)
}

/// Puts a few hundred lines in tui-logger's buffer so that the Logs tab has work to do.
fn fill_log_view() {
    use tracing_subscriber::layer::SubscriberExt;
    tui_logger::set_default_level(tui_logger::LevelFilter::Trace);
    let subscriber = tracing_subscriber::registry().with(tui_logger::TuiTracingSubscriberLayer);
    tracing::subscriber::with_default(subscriber, || {
        for i in 0..300 {
            tracing::info!(batch = i, users = 100, "Stored a batch.");
            if i % 10 == 0 {
                tracing::warn!(error = "HTTP 503", failures = 1, "Fetch failed; retrying.");
            }
        }
    });
    tui_logger::move_events();
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn throughput() {
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("throughput: skipped, tmux is not installed");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_userstream");
    let Ok(dir) = tempfile::tempdir() else {
        println!("throughput: skipped, no temporary directory");
        return;
    };
    println!("throughput: {RECORDS} synthetic users at --rate max, stored users/s");
    let (mut headless, mut console) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        let data = dir.path().join(format!("headless-{run}"));
        match run_headless(bin, &data) {
            Some(rate) => headless.push(rate),
            None => println!("  headless run {run} failed"),
        }
        let data = dir.path().join(format!("console-{run}"));
        match run_console(bin, &data, &dir.path().join(format!("exit-{run}"))) {
            Some(rate) => console.push(rate),
            None => println!("  console run {run} failed"),
        }
        println!(
            "  run {run}: headless {:?}  console {:?}",
            headless.last(),
            console.last()
        );
    }
    let (h, c) = (median(&mut headless), median(&mut console));
    println!(
        "median: headless {h:.0}/s, console {c:.0}/s, console/headless {:.1}%",
        c / h * 100.0
    );
}

fn common_args(data: &Path) -> Vec<String> {
    [
        "--data-dir",
        &data.display().to_string(),
        "--source",
        "synthetic",
        "--seed",
        "42",
        "--rate",
        "max",
        "--max-records",
        &RECORDS.to_string(),
    ]
    .map(str::to_owned)
    .to_vec()
}

fn run_headless(bin: &str, data: &Path) -> Option<f64> {
    let out = Command::new(bin)
        .args(common_args(data))
        .args(["--headless", "--status-interval", "1h"])
        .output()
        .ok()?;
    records_per_s(&String::from_utf8_lossy(&out.stdout))
}

fn run_console(bin: &str, data: &Path, exit_file: &Path) -> Option<f64> {
    let socket = format!("userstream-bench-{}", std::process::id());
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .args(["-L", &socket])
            .args(args)
            .output()
            .ok()
    };
    let command = format!(
        "'{bin}' {}; echo EXIT=$? > '{}'; sleep 600",
        common_args(data)
            .iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(" "),
        exit_file.display()
    );
    tmux(&[
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "40",
        "sh",
        "-c",
        &command,
    ])?;
    let screen = || {
        tmux(&["capture-pane", "-p", "-J", "-t", "0"])
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut result = None;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        if screen().contains("FINISHED") {
            tmux(&["send-keys", "-t", "0", "q"]);
        }
        if exit_file.exists() {
            result = records_per_s(&screen());
            break;
        }
    }
    tmux(&["kill-server"]);
    result
}

/// `records_per_s` of the `"event":"summary"` line in `text`.
fn records_per_s(text: &str) -> Option<f64> {
    let line = text.lines().find(|l| l.contains(r#""event":"summary""#))?;
    let value: serde_json::Value = serde_json::from_str(line.trim()).ok()?;
    value.get("records_per_s")?.as_f64()
}
