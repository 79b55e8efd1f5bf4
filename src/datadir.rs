//! The data directory and its lock: one process owns a data dir at a time.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

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
}

/// An open, locked data directory; the lock is held until this is dropped.
pub struct DataDir {
    path: PathBuf,
    _lock: File,
}

impl DataDir {
    /// Creates `path` if needed and takes its lock, or says which process holds it.
    pub fn open(path: &Path) -> anyhow::Result<DataDir> {
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
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = lock.read_to_string(&mut holder);
                let holder = holder.trim();
                let by = if holder.is_empty() {
                    String::new()
                } else {
                    format!(" (pid {holder})")
                };
                return Err(Locked {
                    path: path.display().to_string(),
                    by,
                }
                .into());
            }
            Err(TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", lock_path.display()));
            }
        }
        lock.set_len(0)?;
        lock.rewind()?;
        write!(lock, "{}", std::process::id())?;
        Ok(DataDir {
            path: path.to_owned(),
            _lock: lock,
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
        self.path.join("store.db")
    }
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
        drop(first);
        assert!(DataDir::open(dir.path()).is_ok());
    }
}
