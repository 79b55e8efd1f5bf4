//! Logging in console mode: `tracing` goes to tui-logger (the Logs tab) instead of stderr, which
//! the console owns, and to a bounded tail of formatted lines that `s` saves to a file.

use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Context;
use chrono::{DateTime, Utc};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Formatted log lines kept for saving.
const TAIL_LINES: usize = 10_000;

static TAIL: OnceLock<LogTail> = OnceLock::new();

/// The newest formatted log lines, oldest first; clones share the lines.
#[derive(Debug, Clone)]
pub struct LogTail {
    lines: Arc<Mutex<VecDeque<String>>>,
    capacity: usize,
}

impl LogTail {
    /// A tail keeping at most `capacity` lines.
    pub fn new(capacity: usize) -> LogTail {
        LogTail {
            lines: Arc::new(Mutex::new(VecDeque::new())),
            capacity: capacity.max(1),
        }
    }

    fn push(&self, text: &str) {
        if let Ok(mut lines) = self.lines.lock() {
            for line in text.lines().filter(|l| !l.is_empty()) {
                if lines.len() == self.capacity {
                    lines.pop_front();
                }
                lines.push_back(line.to_owned());
            }
        }
    }

    /// Writes every line to a new file `userstream-<time>.log` in `dir`; returns its path and
    /// the number of lines.
    pub fn save(&self, dir: &Path, now: DateTime<Utc>) -> std::io::Result<(PathBuf, usize)> {
        let lines: Vec<String> = self
            .lines
            .lock()
            .map(|l| l.iter().cloned().collect())
            .unwrap_or_default();
        let path = dir.join(format!("userstream-{}.log", now.format("%Y%m%d-%H%M%S")));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
        for line in &lines {
            writeln!(out, "{line}")?;
        }
        out.flush()?;
        Ok((path, lines.len()))
    }
}

/// Collects one formatted event and hands it to the tail when dropped.
pub struct TailWriter {
    tail: LogTail,
    buf: Vec<u8>,
}

impl Write for TailWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for TailWriter {
    fn drop(&mut self) {
        self.tail.push(&String::from_utf8_lossy(&self.buf));
    }
}

impl<'a> MakeWriter<'a> for LogTail {
    type Writer = TailWriter;

    fn make_writer(&'a self) -> TailWriter {
        TailWriter {
            tail: self.clone(),
            buf: Vec::with_capacity(160),
        }
    }
}

/// The tail installed by [`init`], if any.
pub fn tail() -> Option<&'static LogTail> {
    TAIL.get()
}

/// Feeds the Logs tab one line per event, shaped as time, level, target, message and then the
/// fields (`key=value`, in the order logged). Records of libraries that log through the `log`
/// crate reach `tracing` with the target `log` and their metadata as `log.*` fields; they get
/// their own target back, and the metadata fields are dropped.
pub struct LogsTabLayer;

impl<S: tracing::Subscriber> Layer<S> for LogsTabLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: LayerContext<'_, S>) {
        let mut line = LineVisitor::default();
        event.record(&mut line);
        let meta = event.metadata();
        let target = line.log_target.as_deref().unwrap_or(meta.target());
        let level = match *meta.level() {
            tracing::Level::ERROR => log::Level::Error,
            tracing::Level::WARN => log::Level::Warn,
            tracing::Level::INFO => log::Level::Info,
            tracing::Level::DEBUG => log::Level::Debug,
            tracing::Level::TRACE => log::Level::Trace,
        };
        let text = match (line.message.is_empty(), line.fields.is_empty()) {
            (_, true) => line.message,
            (true, false) => line.fields,
            (false, false) => format!("{} {}", line.message, line.fields),
        };
        tui_logger::Drain::new().log(
            &log::Record::builder()
                .args(format_args!("{text}"))
                .level(level)
                .target(target)
                .build(),
        );
    }
}

/// The message, the `log` crate's target, and the other fields as `key=value` text.
#[derive(Default)]
struct LineVisitor {
    message: String,
    log_target: Option<String>,
    fields: String,
}

impl tracing::field::Visit for LineVisitor {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        match field.name() {
            "message" => self.message = value.to_owned(),
            "log.target" => self.log_target = Some(value.to_owned()),
            _ => self.record_debug(field, &format_args!("{value}")),
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write as _;
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            name if name.starts_with("log.") => {}
            name => {
                if !self.fields.is_empty() {
                    self.fields.push(' ');
                }
                let _ = write!(self.fields, "{name}={value:?}");
            }
        }
    }
}

/// Routes `tracing` to tui-logger and the tail, filtered by `filter`; call once, before the
/// pipeline starts.
pub fn init(filter: EnvFilter) -> anyhow::Result<()> {
    let tail = TAIL.get_or_init(|| LogTail::new(TAIL_LINES)).clone();
    tracing_subscriber::registry()
        .with(filter)
        .with(LogsTabLayer)
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(tail),
        )
        .try_init()
        .context("cannot install the log subscriber")?;
    tui_logger::init_logger(tui_logger::LevelFilter::Trace)
        .map_err(|e| anyhow::anyhow!("cannot start the log view: {e}"))?;
    tui_logger::set_default_level(tui_logger::LevelFilter::Trace);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_newest_lines_and_saves_them() {
        let tail = LogTail::new(2);
        for text in ["one\n", "two\n", "three\n"] {
            let mut w = tail.make_writer();
            w.write_all(text.as_bytes()).unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let now = DateTime::from_timestamp(1_767_225_600, 0).unwrap();
        let (path, n) = tail.save(dir.path(), now).unwrap();
        assert_eq!(n, 2);
        assert_eq!(path.file_name().unwrap(), "userstream-20260101-000000.log");
        assert_eq!(std::fs::read_to_string(path).unwrap(), "two\nthree\n");
    }
}
