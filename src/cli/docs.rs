//! What the command line says about itself, generated from the one definition of the flags so
//! it cannot drift: shell completions, the man page, an annotated example config file, and the
//! check of a config file (`userstream completions|man|config example|config check`).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use clap::ArgAction;

use super::scope::{self, heading};
use crate::exit::{ConfigOrLock, Usage};

/// `userstream completions SHELL`.
pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<()> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut scope::command(), "userstream", &mut out);
    print_bytes(&out)
}

/// `userstream man`: the page in roff.
pub fn man() -> anyhow::Result<()> {
    let mut out = Vec::new();
    clap_mangen::Man::new(scope::command()).render(&mut out)?;
    print_bytes(&out)
}

fn print_bytes(bytes: &[u8]) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(bytes)?;
    stdout.flush()?;
    Ok(())
}

/// The flags a config file may hold: every long flag but `--config`, `--help`, `--version`.
fn file_keys(command: &clap::Command) -> impl Iterator<Item = (&clap::Arg, &str)> {
    command.get_arguments().filter_map(|a| {
        let long = a.get_long()?;
        let plain = !matches!(a.get_action(), ArgAction::Help | ArgAction::Version);
        (plain && long != "config").then_some((a, long))
    })
}

/// Whether the flag holds a secret (its environment value is hidden from `--help`).
fn is_secret(arg: &clap::Arg) -> bool {
    arg.is_hide_env_values_set()
}

/// `userstream config example`: every key under its heading, with its help, its variable and
/// its default. A key with a default is set to it; one without, and every secret, is commented
/// out.
pub fn example() -> String {
    let command = scope::command();
    let mut out = String::from(
        "# userstream config file: keys are the long flag names. A flag on the command line\n\
         # beats its USERSTREAM_* variable, which beats this file.\n",
    );
    for &h in heading::ALL {
        let _ = write!(out, "\n# ---- {h} ----\n");
        for (arg, long) in file_keys(&command).filter(|(a, _)| a.get_help_heading() == Some(h)) {
            out.push('\n');
            let help = arg.get_long_help().or(arg.get_help());
            for line in help.map(|s| s.to_string()).unwrap_or_default().lines() {
                let _ = writeln!(out, "# {line}");
            }
            let values: Vec<String> = arg
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_owned())
                .collect();
            if !values.is_empty() && !matches!(arg.get_action(), ArgAction::SetTrue) {
                let _ = writeln!(out, "# one of: {}", values.join(", "));
            }
            if let Some(env) = arg.get_env() {
                let _ = writeln!(out, "# env: {}", env.to_string_lossy());
            }
            if is_secret(arg) {
                out.push_str("# a secret: prefer the environment variable over this file\n");
            }
            let _ = writeln!(out, "{}", key_line(arg, long));
        }
    }
    out
}

/// `key = default`, or the key commented out with a placeholder when it has no default.
fn key_line(arg: &clap::Arg, long: &str) -> String {
    let list = matches!(arg.get_action(), ArgAction::Append) || arg.get_value_delimiter().is_some();
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    let placeholder = || {
        arg.get_value_names()
            .and_then(|names| names.first())
            .map_or_else(|| "VALUE".to_owned(), ToString::to_string)
    };
    if matches!(arg.get_action(), ArgAction::SetTrue) {
        return format!("{long} = false");
    }
    let (text, commented) = match (list, defaults.is_empty()) {
        (true, true) => (format!("[{}]", toml_value(&placeholder())), true),
        (true, false) => {
            let items: Vec<String> = defaults.iter().map(|d| toml_value(d)).collect();
            (format!("[{}]", items.join(", ")), false)
        }
        (false, true) => (toml_value(&placeholder()), true),
        (false, false) => (toml_value(&defaults[0]), false),
    };
    let hash = if commented || is_secret(arg) {
        "# "
    } else {
        ""
    };
    format!("{hash}{long} = {text}")
}

/// A whole number as itself, anything else as a TOML string.
fn toml_value(text: &str) -> String {
    match text.parse::<i64>() {
        Ok(n) => n.to_string(),
        Err(_) => toml::Value::String(text.to_owned()).to_string(),
    }
}

/// What `config check` found in a file.
#[derive(Debug, Default)]
pub struct Findings {
    /// Keys or values the pipeline would refuse.
    pub errors: Vec<String>,
    /// Keys that work but had better be elsewhere (secrets: the environment).
    pub warnings: Vec<String>,
}

/// Checks a config file as a run would read it, finding every problem rather than the first.
pub fn check_file(path: &Path) -> Findings {
    let mut found = Findings::default();
    let table = match super::read_table(path) {
        Ok(table) => table,
        Err(e) => {
            found.errors.push(format!("{e:#}"));
            return found;
        }
    };
    let command = scope::command();
    let shown = path.display();
    let mut all = vec!["userstream".to_owned()];
    for (key, value) in &table {
        let entry = match super::file_entry(&command, path, key, value) {
            Ok(entry) => entry,
            Err(e) => {
                found.errors.push(format!("{e:#}"));
                continue;
            }
        };
        let one = std::iter::once("userstream".to_owned()).chain(entry.flags.iter().cloned());
        if let Err(e) = command.clone().try_get_matches_from(one) {
            found.errors.push(super::file_error(path, &e).to_string());
            continue;
        }
        let arg = command
            .get_arguments()
            .find(|a| a.get_id() == entry.id.as_str());
        if let Some(arg) = arg.filter(|a| is_secret(a)) {
            let env = arg.get_env().map(|e| e.to_string_lossy().into_owned());
            found.warnings.push(format!(
                "config file {shown}: '{key}' holds a secret: prefer the environment \
                 variable {}",
                env.unwrap_or_default()
            ));
        }
        if key == "kafka-property" {
            secret_properties(&shown.to_string(), value, &mut found);
        }
        all.extend(entry.flags);
    }
    if found.errors.is_empty() {
        // The keys one by one were fine; the run also refuses some combinations.
        let combined = command
            .try_get_matches_from(all)
            .map_err(anyhow::Error::from)
            .and_then(|m| Ok(<super::Cli as clap::FromArgMatches>::from_arg_matches(&m)?))
            .and_then(|cli| {
                cli.run.validate()?;
                cli.run.cassandra.config(&cli.run.topic).map(|_| ())
            });
        if let Err(e) = combined {
            found.errors.push(format!("config file {shown}: {e:#}"));
        }
    }
    found
}

/// Warns of `-X` properties in the file that hold a secret (`sasl.password=...`).
fn secret_properties(shown: &str, value: &toml::Value, found: &mut Findings) {
    let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
    for item in items.iter().filter_map(toml::Value::as_str) {
        let name = item.split_once('=').map_or(item, |(k, _)| k);
        if crate::redact::is_secret_name(name) {
            found.warnings.push(format!(
                "config file {shown}: kafka-property '{name}' holds a secret: prefer passing it \
                 outside the file (-X on the command line, from a secret store)"
            ));
        }
    }
}

/// `userstream config check`: prints the findings, fails with [`ConfigOrLock`] on errors.
pub fn check(path: Option<&Path>) -> anyhow::Result<()> {
    let Some(path) = path else {
        return Err(Usage(
            "config check needs the file: --config FILE (or USERSTREAM_CONFIG)".into(),
        )
        .into());
    };
    let found = check_file(path);
    for error in &found.errors {
        println!("error: {error}");
    }
    for warning in &found.warnings {
        println!("warning: {warning}");
    }
    if !found.errors.is_empty() {
        return Err(ConfigOrLock(format!(
            "config file {} has {} error(s)",
            path.display(),
            found.errors.len()
        ))
        .into());
    }
    println!(
        "config file {}: ok ({} warning(s))",
        path.display(),
        found.warnings.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests;
