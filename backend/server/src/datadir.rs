//! The data directory: created on start and locked so that two servers never share it.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// An open, exclusively locked data directory. The lock is released when this is dropped
/// (or the process dies, including by `kill -9`: the kernel drops the lock with the file).
#[derive(Debug)]
pub struct DataDir {
    path: PathBuf,
    _lock: File,
}

#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error("cannot create data directory {path}: {source}")]
    Create { path: String, source: std::io::Error },
    #[error("data directory {path} is in use by another Lookout process")]
    Locked { path: String },
    #[error("cannot lock data directory {path}: {source}")]
    Lock { path: String, source: std::io::Error },
}

impl DataDir {
    pub fn open(path: &Path) -> Result<DataDir, DataDirError> {
        let shown = path.display().to_string();
        std::fs::create_dir_all(path).map_err(|source| DataDirError::Create { path: shown.clone(), source })?;
        let lock_path = path.join("LOCK");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|source| DataDirError::Lock { path: shown.clone(), source })?;
        match lock.try_lock() {
            Ok(()) => Ok(DataDir { path: path.to_path_buf(), _lock: lock }),
            Err(std::fs::TryLockError::WouldBlock) => Err(DataDirError::Locked { path: shown }),
            Err(std::fs::TryLockError::Error(source)) => Err(DataDirError::Lock { path: shown, source }),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_open_is_refused_until_first_is_dropped() {
        let path = std::env::temp_dir().join(format!("lookout-datadir-test-{}", std::process::id()));
        let first = DataDir::open(&path).unwrap();
        let err = DataDir::open(&path).unwrap_err();
        assert!(matches!(err, DataDirError::Locked { .. }), "{err}");
        drop(first);
        DataDir::open(&path).unwrap();
        std::fs::remove_dir_all(&path).unwrap();
    }
}
