//! The exit statuses, in one place: 0 ok, 1 failure, 2 usage, 3 config or lock, 130 second
//! signal. `main` maps errors onto them; an error that is the config file's fault carries
//! [`ConfigOrLock`] in its chain, one of the data dir lock [`crate::datadir::Locked`].

use std::process::ExitCode;

/// Everything asked for was done.
pub const OK: u8 = 0;
/// A run or a tool failed (a backend unreachable, a stage that stopped, a drain past its
/// timeout).
pub const FAILURE: u8 = 1;
/// The command line was refused: an unknown or misplaced flag, a bad value, a combination
/// that cannot work.
pub const USAGE: u8 = 2;
/// The config file is unreadable or wrong, or the data dir is locked by a running process.
pub const CONFIG_OR_LOCK: u8 = 3;
/// A second SIGINT/SIGTERM ended the run at once (128 + SIGINT, as shells report an interrupt).
pub const SECOND_SIGNAL: u8 = 130;

/// An error that is the config file's or the data dir lock's fault: exits with
/// [`CONFIG_OR_LOCK`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigOrLock(pub String);

impl ConfigOrLock {
    /// Wraps `error`, keeping its whole message.
    pub fn from_error(error: &anyhow::Error) -> anyhow::Error {
        ConfigOrLock(format!("{error:#}")).into()
    }
}

/// An error that is the command line's fault, found after parsing (flags that exclude each
/// other, a value that does not parse as the subcommand needs it): exits with [`USAGE`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

impl Usage {
    /// Wraps `error`, keeping its whole message.
    pub fn from_error(error: anyhow::Error) -> anyhow::Error {
        Usage(format!("{error:#}")).into()
    }
}

/// The status of an error met while parsing the command line (else [`USAGE`]).
pub fn of_parse_error(error: &anyhow::Error) -> u8 {
    if is_config_or_lock(error) {
        CONFIG_OR_LOCK
    } else {
        USAGE
    }
}

/// The status of an error met while running (else [`FAILURE`]).
pub fn of_run_error(error: &anyhow::Error) -> u8 {
    if is_config_or_lock(error) {
        CONFIG_OR_LOCK
    } else if error.chain().any(|e| e.is::<Usage>()) {
        USAGE
    } else {
        FAILURE
    }
}

fn is_config_or_lock(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|e| e.is::<ConfigOrLock>() || e.is::<crate::datadir::Locked>())
}

/// `code` as the process's exit status.
pub fn code(code: u8) -> ExitCode {
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_is_config_or_lock_anywhere_in_its_chain() {
        let locked: anyhow::Error = ConfigOrLock("data dir locked".into()).into();
        let wrapped = locked.context("cannot open the data dir");
        assert_eq!(of_run_error(&wrapped), CONFIG_OR_LOCK);
        assert_eq!(of_parse_error(&wrapped), CONFIG_OR_LOCK);
        let other = anyhow::anyhow!("broker down");
        assert_eq!(
            (of_run_error(&other), of_parse_error(&other)),
            (FAILURE, USAGE)
        );
        assert!(format!("{wrapped:#}").contains("data dir locked"));
        let usage = Usage::from_error(anyhow::anyhow!("give only one"));
        assert_eq!(of_run_error(&usage), USAGE);
        assert_eq!(usage.to_string(), "give only one");
    }
}
