//! The lock that keeps two applies from writing one state file at once: an exclusive OS
//! advisory lock (`flock` on Unix, `LockFileEx` on Windows) on `FILE.lock`, held for as long as
//! the [`StateLock`] lives.
//!
//! The operating system releases the lock when its holder exits, crashed or not, so a lock is
//! never left behind and never needs taking over, and two processes can't both believe they
//! hold it. The file's contents only say who holds it, for the refusal message: the holder
//! writes them after it has the lock. The file is never removed: removing it while another
//! process waits on it would let that process lock the removed file while a third locks a new
//! one. On release the contents are cleared, so that a file left with a holder's details but
//! no lock on it is simply free.

use serde::{Deserialize, Serialize};
use std::fs::{File, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Who holds a lock: what `FILE.lock` contains while it is held.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockHolder {
    pub pid: u32,
    pub host: String,
    pub user: String,
    pub command: String,
    /// RFC 3339, UTC.
    pub started: String,
    /// Seconds since the Unix epoch.
    pub started_unix: u64,
}

impl LockHolder {
    fn of_this_process(command: &str) -> LockHolder {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        LockHolder {
            pid: std::process::id(),
            host: host_name(),
            user: user_name(),
            command: command.to_string(),
            started: rfc3339(now),
            started_unix: now,
        }
    }
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}@{} (pid {}, {}) since {}",
            self.user, self.host, self.pid, self.command, self.started
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("state file {} is locked by {holder}", state.display())]
    Held {
        state: PathBuf,
        lock: PathBuf,
        holder: Box<LockHolder>,
    },
    /// Held, but the holder has not said who it is (yet), or said it in a way this build can't
    /// read.
    #[error("state file {} is locked by another process (its lock file {} does not say which)", state.display(), lock.display())]
    Unknown { state: PathBuf, lock: PathBuf },
    #[error("can't lock {}: {source}", lock.display())]
    Io {
        lock: PathBuf,
        source: std::io::Error,
    },
}

impl LockError {
    pub fn hint(&self) -> String {
        match self {
            LockError::Held { .. } | LockError::Unknown { .. } => {
                "wait for that apply to finish (or pass --lock-timeout 2m to wait for it); the lock is released when its process exits".to_string()
            }
            LockError::Io { .. } => {
                "check that the state file's directory exists and is writable".to_string()
            }
        }
    }
}

/// A held lock on a state file. Dropping it releases the lock.
#[derive(Debug)]
pub struct StateLock {
    path: PathBuf,
    /// Holds the OS lock; closing it releases the lock.
    file: File,
}

/// `FILE.lock` beside the state file.
pub fn lock_path(state: &Path) -> PathBuf {
    let mut name = state.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl StateLock {
    /// Takes the lock on `state`, retrying until `timeout` has passed while another process
    /// holds it. `command` says what the holder is doing, for whoever finds the lock.
    pub fn acquire(state: &Path, command: &str, timeout: Duration) -> Result<StateLock, LockError> {
        let path = lock_path(state);
        let io_error = |source| LockError::Io {
            lock: path.clone(),
            source,
        };
        // Never truncated on opening: the file may be a holder's, and its details are read
        // when the lock is refused.
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_error)?;
        let deadline = Instant::now() + timeout;
        loop {
            match file.try_lock() {
                Ok(()) => {
                    record_holder(&file, command).map_err(io_error)?;
                    return Ok(StateLock { path, file });
                }
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(source)) => return Err(io_error(source)),
            }
            if Instant::now() >= deadline {
                return Err(match read_holder(&file) {
                    Some(holder) => LockError::Held {
                        state: state.to_path_buf(),
                        lock: path,
                        holder: Box::new(holder),
                    },
                    None => LockError::Unknown {
                        state: state.to_path_buf(),
                        lock: path,
                    },
                });
            }
            std::thread::sleep(Duration::from_millis(200).min(deadline - Instant::now()));
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        // Cleared while still held, so that nobody reads a holder that is gone; the lock
        // itself goes with the file handle.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// Replaces the file's contents with this process's details. Called with the lock held.
fn record_holder(mut file: &File, command: &str) -> std::io::Result<()> {
    let holder = LockHolder::of_this_process(command);
    let text = serde_json::to_string_pretty(&holder).map_err(std::io::Error::other)?;
    file.set_len(0)?;
    file.rewind()?;
    file.write_all(text.as_bytes())?;
    file.sync_data()
}

/// The holder's details, read through a handle that does not hold the lock. On Unix an
/// advisory lock does not stop reading; where it does, the holder is unknown.
fn read_holder(mut file: &File) -> Option<LockHolder> {
    let mut text = Vec::new();
    file.rewind().ok()?;
    file.read_to_end(&mut text).ok()?;
    serde_json::from_slice(&text).ok()
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_else(|| "unknown-host".to_string())
}

fn user_name() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_string())
}

/// `seconds` since the epoch as `YYYY-MM-DDThh:mm:ssZ`.
fn rfc3339(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    // Howard Hinnant's days-to-civil conversion.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests;
