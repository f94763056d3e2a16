//! The lock that keeps two applies from writing one state file at once: `FILE.lock`, created
//! with `create_new` and holding who took it, removed when the [`StateLock`] is dropped (also
//! when apply fails).
//!
//! A lock left behind by a process that is gone (same host, pid no longer running) is taken
//! over with a warning, so that a crash never needs a person to clean up. A lock from another
//! host, or whose process can't be checked, is never taken over: it is reported with its holder
//! and a hint. Between judging a lock stale and removing it, another process could take it over
//! too; both would then remove the same stale file and only one `create_new` can succeed, so at
//! most one of them holds the lock.

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Who holds a lock: what `FILE.lock` contains.
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

    /// Whether the holder is certainly gone: same host and no such process.
    fn is_dead(&self) -> bool {
        self.host == host_name() && process_is_gone(self.pid)
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
    #[error("state file {} is locked (unreadable lock file {})", state.display(), lock.display())]
    Unknown { state: PathBuf, lock: PathBuf },
    #[error("can't create the lock file {}: {source}", lock.display())]
    Io {
        lock: PathBuf,
        source: std::io::Error,
    },
}

impl LockError {
    pub fn hint(&self) -> String {
        match self {
            LockError::Held { lock, .. } | LockError::Unknown { lock, .. } => format!(
                "wait for that apply to finish (or pass --lock-timeout 2m), or delete {} if that process is gone",
                lock.display()
            ),
            LockError::Io { .. } => {
                "check that the state file's directory exists and is writable".to_string()
            }
        }
    }
}

/// A held lock on a state file. Dropping it removes the lock file.
#[derive(Debug)]
pub struct StateLock {
    path: PathBuf,
    /// The holder of a lock whose process was gone, taken over to acquire this one.
    taken_over: Option<LockHolder>,
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
        let deadline = Instant::now() + timeout;
        let mut taken_over = None;
        loop {
            match try_create(&path, command) {
                Ok(()) => return Ok(StateLock { path, taken_over }),
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(source) => return Err(LockError::Io { lock: path, source }),
            }
            let holder = read_holder(&path);
            if let Some(holder) = &holder {
                if holder.is_dead() {
                    match std::fs::remove_file(&path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(source) => return Err(LockError::Io { lock: path, source }),
                    }
                    taken_over = Some(holder.clone());
                    continue;
                }
            }
            if Instant::now() >= deadline {
                return Err(match holder {
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

    /// The holder whose stale lock was taken over, if any, so that the caller can warn.
    pub fn taken_over(&self) -> Option<&LockHolder> {
        self.taken_over.as_ref()
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn try_create(path: &Path, command: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    let holder = LockHolder::of_this_process(command);
    let text = serde_json::to_string_pretty(&holder).map_err(std::io::Error::other)?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all());
    if let Err(error) = written {
        let _ = std::fs::remove_file(path);
        return Err(error);
    }
    Ok(())
}

fn read_holder(path: &Path) -> Option<LockHolder> {
    let text = std::fs::read(path).ok()?;
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

/// Only where the process table can be read (Linux `/proc`); elsewhere a process is assumed
/// alive, so a lock is never taken over on a guess.
fn process_is_gone(pid: u32) -> bool {
    let proc_root = Path::new("/proc");
    proc_root.join("self").exists() && !proc_root.join(pid.to_string()).exists()
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
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_rfc3339_in_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_709_210_096), "2024-02-29T12:34:56Z");
    }

    #[test]
    fn a_second_lock_is_refused_naming_the_holder_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("tenant.json");
        let held = StateLock::acquire(&state, "auditform apply", Duration::ZERO).unwrap();
        let error = StateLock::acquire(&state, "auditform apply", Duration::ZERO).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("is locked by"), "{message}");
        assert!(
            message.contains(&format!("pid {}", std::process::id())),
            "{message}"
        );
        assert!(error.hint().contains("tenant.json.lock"));
        drop(held);
        assert!(!lock_path(&state).exists());
        StateLock::acquire(&state, "auditform apply", Duration::ZERO).unwrap();
    }

    #[test]
    fn a_lock_left_by_a_process_that_is_gone_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("tenant.json");
        let mut gone = LockHolder::of_this_process("auditform apply");
        gone.pid = u32::MAX - 1;
        std::fs::write(lock_path(&state), serde_json::to_string(&gone).unwrap()).unwrap();
        let lock = StateLock::acquire(&state, "auditform apply", Duration::ZERO).unwrap();
        assert_eq!(lock.taken_over(), Some(&gone));
    }

    #[test]
    fn a_lock_from_another_host_is_never_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("tenant.json");
        let mut elsewhere = LockHolder::of_this_process("auditform apply");
        elsewhere.host = "some-other-host".into();
        elsewhere.pid = u32::MAX - 1;
        std::fs::write(
            lock_path(&state),
            serde_json::to_string(&elsewhere).unwrap(),
        )
        .unwrap();
        let error = StateLock::acquire(&state, "auditform apply", Duration::ZERO).unwrap_err();
        assert!(error.to_string().contains("some-other-host"));
    }
}
