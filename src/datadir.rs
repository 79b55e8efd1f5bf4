//! The data directory and its lock: one process owns a data dir at a time.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

pub mod lag;

/// The data dir is locked by another process (a running pipeline, or a tool): the error of
/// [`DataDir::open`] that `main` turns into exit status [`crate::exit::CONFIG_OR_LOCK`].
#[derive(Debug, thiserror::Error)]
#[error(
    "data dir {path} is in use by another userstream process{by}: a running pipeline owns it \
     (stop it first) or pass another --data-dir"
)]
pub struct Locked {
    pub path: String,
    /// ` (pid N)` when the holder wrote its pid.
    pub by: String,
    /// The holder's pid, when it wrote one.
    pub pid: Option<u32>,
    /// The holder only reads the log for a moment (`userstream lag`).
    pub reader: bool,
}

impl Locked {
    /// The holder lets go soon: a reader, or one that took the lock this instant and has not
    /// yet written its pid.
    pub fn is_passing(&self) -> bool {
        self.reader || self.pid.is_none()
    }
}

/// How long [`DataDir::open`] waits for a reader ([`DataDir::open_to_read`]) to let go.
pub const READER_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// What `LOCK` says after the pid of a reader.
const READER_MARK: &str = "reader";
/// The embedded store's file in the data dir.
pub const STORE_FILE: &str = "store.db";

/// An open, locked data directory; the lock is held until this is dropped.
pub struct DataDir {
    path: PathBuf,
    _lock: File,
    /// What `LOCK` held before this process took it: the last holder.
    previous: String,
}

impl DataDir {
    /// Creates `path` if needed and takes its lock, or says which process holds it. A reader
    /// (`userstream lag`, which opens the log for a moment at each refresh while no pipeline
    /// runs) is waited for, up to [`READER_WAIT`]: a pipeline starting then is not refused
    /// ([`Locked::is_passing`]).
    pub fn open(path: &Path) -> anyhow::Result<DataDir> {
        let waited = std::time::Instant::now();
        loop {
            match DataDir::take(path, false) {
                Err(e)
                    if e.downcast_ref::<Locked>().is_some_and(Locked::is_passing)
                        && waited.elapsed() < READER_WAIT =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    /// Takes the lock at once, as a reader, or fails with [`Locked`].
    pub fn open_to_read(path: &Path) -> anyhow::Result<DataDir> {
        DataDir::take(path, true)
    }

    /// Whether this process held the lock last before now (nobody else took it since: the
    /// log is as this process last read it, since every writer holds the lock).
    pub fn held_last_by_me(&self) -> bool {
        holder_pid(&self.previous) == Some(std::process::id())
    }

    fn take(path: &Path, reader: bool) -> anyhow::Result<DataDir> {
        std::fs::create_dir_all(path)
            .with_context(|| format!("cannot create data dir {}", path.display()))?;
        let lock_path = path.join("LOCK");
        let mut lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .with_context(|| format!("cannot open {}", lock_path.display()))?;
        let locked = lock.try_lock();
        let mut previous = String::new();
        let _ = lock.read_to_string(&mut previous);
        match locked {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let pid = holder_pid(&previous);
                let reader = previous.split_whitespace().nth(1) == Some(READER_MARK);
                let by = match (pid, reader) {
                    (None, _) => String::new(),
                    (Some(pid), false) => format!(" (pid {pid})"),
                    (Some(pid), true) => format!(" (pid {pid}, userstream lag)"),
                };
                return Err(Locked {
                    path: path.display().to_string(),
                    by,
                    pid,
                    reader,
                }
                .into());
            }
            Err(TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", lock_path.display()));
            }
        }
        lock.set_len(0)?;
        lock.rewind()?;
        if reader {
            write!(lock, "{} {READER_MARK}", std::process::id())?;
        } else {
            write!(lock, "{}", std::process::id())?;
        }
        Ok(DataDir {
            path: path.to_owned(),
            _lock: lock,
            previous,
        })
    }

    /// Directory of the embedded log.
    pub fn log_dir(&self) -> PathBuf {
        self.path.join("log")
    }

    /// The name of this data dir's embedded log, made when the log is made: a store shared by
    /// several processes (Cassandra) tells logs apart by it, since their offsets differ.
    pub fn log_id(&self) -> anyhow::Result<String> {
        let path = self.path.join("log.id");
        if self.log_dir().exists()
            && let Ok(id) = std::fs::read_to_string(&path)
            && !id.trim().is_empty()
        {
            return Ok(id.trim().to_owned());
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let id = format!(
            "{:016x}",
            crate::util::seed_of(&format!("{nanos} {}", std::process::id()))
        );
        std::fs::write(&path, &id).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(id)
    }

    /// Path of the embedded store.
    pub fn store_path(&self) -> PathBuf {
        self.path.join(STORE_FILE)
    }

    /// The data dir itself.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The pid at the start of `LOCK`'s text.
fn holder_pid(text: &str) -> Option<u32> {
    text.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_owner_gets_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataDir::open(dir.path()).unwrap();
        let err = DataDir::open(dir.path()).err().unwrap().to_string();
        assert!(
            err.contains("in use by another userstream process"),
            "{err}"
        );
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        let err = DataDir::open_to_read(dir.path()).err().unwrap();
        let locked = err.downcast_ref::<Locked>().unwrap();
        assert_eq!(
            (locked.pid, locked.reader),
            (Some(std::process::id()), false)
        );
        drop(first);
        let reading = DataDir::open_to_read(dir.path()).unwrap();
        assert!(reading.held_last_by_me());
        let err = DataDir::open_to_read(dir.path()).err().unwrap();
        assert!(err.downcast_ref::<Locked>().unwrap().reader);
        assert!(err.to_string().contains("userstream lag"), "{err}");
        drop(reading);
        assert!(DataDir::open(dir.path()).is_ok());
    }

    #[test]
    fn open_waits_for_a_reader_but_not_for_an_owner() {
        let dir = tempfile::tempdir().unwrap();
        let reading = DataDir::open_to_read(dir.path()).unwrap();
        let opened = std::thread::scope(|scope| {
            let opener = scope.spawn(|| DataDir::open(dir.path()).map(|d| d.held_last_by_me()));
            std::thread::sleep(std::time::Duration::from_millis(100));
            drop(reading);
            opener.join().unwrap()
        });
        // This process read last, then took it as the owner.
        assert!(opened.unwrap());
        let _owner = DataDir::open(dir.path()).unwrap();
        let started = std::time::Instant::now();
        assert!(DataDir::open(dir.path()).is_err());
        assert!(started.elapsed() < READER_WAIT);
    }
}
