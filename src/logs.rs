//! Log lines on stderr (headless runs and the tools): which are shown, as text or JSON lines,
//! and with colour only for a person at a terminal. The console routes logs to its Logs tab
//! instead (`console::logging`).

use std::io::IsTerminal;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::Value;
use tracing::field::{Field, Visit};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::fmt::format::{self, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::cli::LogFormat;
use crate::util::rfc3339;

/// userstream's own lifecycle lines, and only warnings and errors of the libraries (fjall and
/// lsm_tree log a dozen INFO lines per start).
pub const DEFAULT_FILTER: &str = "warn,userstream=info";

/// The filter of `--log` (or `USERSTREAM_LOG`), else `RUST_LOG`, else [`DEFAULT_FILTER`].
pub fn filter(flag: Option<&str>) -> anyhow::Result<EnvFilter> {
    let rust_log = std::env::var("RUST_LOG")
        .ok()
        .filter(|s| !s.trim().is_empty());
    let (text, from) = match (flag, rust_log.as_deref()) {
        (Some(flag), _) => (flag, "--log"),
        (None, Some(env)) => (env, "RUST_LOG"),
        (None, None) => (DEFAULT_FILTER, "the default log filter"),
    };
    EnvFilter::try_new(text).with_context(|| format!("{from} is not a log filter"))
}

/// Whether lines get ANSI colours: only on a terminal, and never with `NO_COLOR` set to a
/// non-empty value (<https://no-color.org>).
pub fn colour(is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    is_terminal && no_color.is_none_or(|v| v.is_empty())
}

/// Sends `tracing` to stderr, filtered by `filter`, in `format`; call once.
pub fn init_stderr(filter: EnvFilter, format: LogFormat) -> anyhow::Result<()> {
    let ansi = colour(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let installed = match format {
        LogFormat::Text => builder.with_ansi(ansi).try_init(),
        LogFormat::Json => builder.event_format(JsonLines).try_init(),
    };
    installed.map_err(|e| anyhow::anyhow!("cannot install the log subscriber: {e}"))
}

/// One JSON object per event: `timestamp`, `level`, `target`, `message`, then the fields. A
/// record of the `log` crate gets its own target, without the `log.*` metadata fields.
pub struct JsonLines;

impl<S, N> FormatEvent<S, N> for JsonLines
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        writeln!(writer, "{}", json_line(event, Utc::now()))
    }
}

/// The JSON text of one event at `now`.
pub fn json_line(event: &tracing::Event<'_>, now: DateTime<Utc>) -> String {
    let mut fields = JsonFields::default();
    event.record(&mut fields);
    let meta = event.metadata();
    let target = fields
        .log_target
        .take()
        .unwrap_or_else(|| meta.target().to_owned());
    let string = |s: &str| Value::String(s.to_owned()).to_string();
    let mut text = format!(
        "{{\"timestamp\":{},\"level\":{},\"target\":{},\"message\":{}",
        string(&rfc3339(now)),
        string(meta.level().as_str()),
        string(&target),
        string(&fields.message),
    );
    // The fixed keys first, then the fields in the order they were logged.
    for (name, value) in fields.fields {
        if matches!(name, "timestamp" | "level" | "target" | "message") {
            continue;
        }
        text.push(',');
        text.push_str(&Value::String(name.to_owned()).to_string());
        text.push(':');
        text.push_str(&value.to_string());
    }
    text.push('}');
    text
}

#[derive(Default)]
struct JsonFields {
    message: String,
    log_target: Option<String>,
    fields: Vec<(&'static str, Value)>,
}

impl JsonFields {
    fn push(&mut self, field: &Field, value: Value) {
        match field.name() {
            "message" => self.message = value.as_str().map(str::to_owned).unwrap_or_default(),
            "log.target" => self.log_target = value.as_str().map(str::to_owned),
            name if name.starts_with("log.") => {}
            name => self.fields.push((name, value)),
        }
    }
}

impl Visit for JsonFields {
    fn record_f64(&mut self, field: &Field, value: f64) {
        let number = serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number);
        self.push(field, number);
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.push(field, Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.push(field, Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.push(field, Value::Bool(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.push(field, Value::String(value.to_owned()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.push(field, Value::String(format!("{value:?}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_needs_a_terminal_and_no_no_color() {
        use std::ffi::OsStr;
        assert!(colour(true, None));
        assert!(colour(true, Some(OsStr::new(""))));
        assert!(!colour(false, None));
        assert!(!colour(true, Some(OsStr::new("1"))));
    }

    /// Captures the JSON line of each event logged inside `f`.
    fn lines_of(f: impl FnOnce()) -> Vec<Value> {
        use std::sync::{Arc, Mutex};
        struct Capture(Arc<Mutex<Vec<String>>>);
        impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
            fn on_event(
                &self,
                event: &tracing::Event<'_>,
                _: tracing_subscriber::layer::Context<'_, S>,
            ) {
                let at = DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default();
                self.0.lock().unwrap().push(json_line(event, at));
            }
        }
        use tracing_subscriber::layer::SubscriberExt;
        let lines = Arc::new(Mutex::new(Vec::new()));
        let _ = tracing_log::LogTracer::init();
        let subscriber = tracing_subscriber::registry().with(Capture(lines.clone()));
        tracing::subscriber::with_default(subscriber, f);
        let lines = lines.lock().unwrap();
        lines
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn json_lines_parse_and_log_records_are_normalised() {
        let lines = lines_of(|| {
            tracing::warn!(error = %"HTTP 503", failures = 3u64, ok = false, "Fetch failed; retrying.");
            log::info!(target: "fjall::db", "Recovering database at {}", "/tmp/x");
        });
        assert_eq!(
            lines[0],
            serde_json::json!({
                "timestamp": "2026-01-01T00:00:00.000000Z", "level": "WARN",
                "target": "userstream::logs::tests", "message": "Fetch failed; retrying.",
                "error": "HTTP 503", "failures": 3, "ok": false
            })
        );
        assert_eq!(lines[1]["target"], "fjall::db");
        assert_eq!(lines[1]["message"], "Recovering database at /tmp/x");
        let keys: Vec<&String> = lines[1].as_object().unwrap().keys().collect();
        assert!(keys.iter().all(|k| !k.starts_with("log.")), "{keys:?}");
    }

    #[test]
    fn a_bad_filter_is_refused_with_its_source() {
        let err = filter(Some("userstream=loud")).unwrap_err();
        assert!(
            format!("{err:#}").contains("--log is not a log filter"),
            "{err:#}"
        );
        assert!(filter(Some("debug,fjall=warn")).is_ok());
    }
}
