//! The one way auditform replaces a file it writes (state files, plan files, scripts), so that
//! a crash or power loss at any moment leaves either the old file or the new one, never a mix:
//! the new bytes go to a temporary file in the same directory (a rename never crosses file
//! systems), are synced, one rename puts them in place, and the directory is synced so that
//! the rename itself survives a power loss.
//!
//! An existing file keeps its permissions; a new one gets the permissions any new file gets
//! (the process umask applies), not the owner-only ones of a temporary file.
//!
//! A temporary file is named after the file it stands in for (`.auditform-tenant.json-Xk3p9q.tmp`),
//! so that when a killed run leaves one behind, the next run that holds that file's lock knows
//! it is its own to remove ([`clear_leftovers`]).

use std::fs::Permissions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// Replaces (or creates) `path` with `bytes`, atomically. No secret auditform holds is
/// written (see [`crate::redact`]).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let bytes = &*crate::redact::scrub_bytes(bytes);
    let directory = directory_of(path);
    let temp = staged(path, &directory, bytes)?;
    temp.persist(path).map_err(|error| error.error)?;
    sync_directory(&directory)
}

/// Replaces (or creates) `path` with what `write` writes, atomically, as it is written: a large
/// file is never held in memory. No secret auditform holds is written (see
/// [`crate::redact`]). Nothing replaces `path` when `write` fails.
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let directory = directory_of(path);
    let temp = staged_with(path, &directory, |file| {
        let mut out = crate::redact::ScrubWriter::new(io::BufWriter::new(file));
        write(&mut out)?;
        out.flush()
    })?;
    temp.persist(path).map_err(|error| error.error)?;
    sync_directory(&directory)
}

/// Replaces the existing file `path` with `bytes`, atomically, keeping the previous contents
/// as `FILE.backup` (replacing an older backup). At every moment `path` is whole, and the
/// backup is either the older backup or the previous file.
pub fn replace_keeping_backup(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let bytes = &*crate::redact::scrub_bytes(bytes);
    let directory = directory_of(path);
    // Fails when `path` is missing, before anything is written.
    std::fs::metadata(path)?;
    let temp = staged(path, &directory, bytes)?;
    keep_backup(path, &directory)?;
    temp.persist(path).map_err(|error| error.error)?;
    sync_directory(&directory)
}

/// `FILE.backup` beside `path`.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".backup");
    PathBuf::from(name)
}

fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `bytes` in a synced temporary file in `directory`, with the permissions `path` should have.
fn staged(path: &Path, directory: &Path, bytes: &[u8]) -> io::Result<NamedTempFile> {
    staged_with(path, directory, |file| file.write_all(bytes))
}

/// What `write` writes, in a synced temporary file in `directory`, with the permissions `path`
/// should have.
fn staged_with(
    path: &Path,
    directory: &Path,
    write: impl FnOnce(&mut std::fs::File) -> io::Result<()>,
) -> io::Result<NamedTempFile> {
    let existing = match std::fs::metadata(path) {
        Ok(metadata) => Some(metadata.permissions()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => None,
        Err(error) => return Err(error),
    };
    let prefix = temp_prefix("", path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    if let Some(permissions) = new_file_permissions() {
        builder.permissions(permissions);
    }
    let mut temp = builder.tempfile_in(directory)?;
    write(temp.as_file_mut())?;
    if let Some(permissions) = existing {
        temp.as_file().set_permissions(permissions)?;
    }
    temp.as_file().sync_all()?;
    Ok(temp)
}

/// What `File::create` asks for; the umask takes its part off.
#[cfg(unix)]
fn new_file_permissions() -> Option<Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(Permissions::from_mode(0o666))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<Permissions> {
    None
}

/// Makes `FILE.backup` the current file, replacing any older backup in one rename: a hard link
/// when the file system has them (no copy), else a synced copy.
fn keep_backup(path: &Path, directory: &Path) -> io::Result<()> {
    let staged = tempfile::Builder::new()
        .prefix(&temp_prefix("backup-", path))
        .suffix(".tmp")
        .make_in(directory, |staged| {
            std::fs::hard_link(path, staged).or_else(|_| {
                std::fs::copy(path, staged)?;
                std::fs::File::open(staged)?.sync_all()
            })
        })?;
    std::fs::rename(staged.path(), backup_path(path))
    // Dropping `staged` now finds its name gone, which it ignores.
}

/// `.auditform-{kind}{file name}-`: the file name made safe and short, so that the temporary
/// name is a valid one wherever the file's own name is.
fn temp_prefix(kind: &str, path: &Path) -> String {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let safe: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '_' | '-' => c,
            _ => '_',
        })
        .take(64)
        .collect();
    format!(".auditform-{kind}{safe}-")
}

/// Temporary files found beside a file by [`clear_leftovers`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Leftovers {
    /// This file's own, left by a run that was killed: removed, with their sizes in bytes.
    pub removed: Vec<(PathBuf, u64)>,
    /// Named like an auditform temporary file but not this file's (an older auditform's, or
    /// another command's that may still be running): left alone.
    pub unclaimed: Vec<PathBuf>,
}

/// Removes the temporary files a killed run left beside `path`. Call it only while holding
/// `path`'s lock, so that no run that is still writing `path` can lose its file.
pub fn clear_leftovers(path: &Path) -> io::Result<Leftovers> {
    let directory = directory_of(path);
    let own = [temp_prefix("", path), temp_prefix("backup-", path)];
    let mut leftovers = Leftovers::default();
    for entry in std::fs::read_dir(&directory)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if !(name.starts_with(".auditform-") && name.ends_with(".tmp")) {
            continue;
        }
        // Never follow a link, never touch anything but a plain file.
        let metadata = entry.path().symlink_metadata()?;
        if !metadata.is_file() {
            continue;
        }
        if own.iter().any(|prefix| name.starts_with(prefix.as_str())) {
            std::fs::remove_file(entry.path())?;
            leftovers.removed.push((entry.path(), metadata.len()));
        } else if is_unclaimed_name(name) {
            leftovers.unclaimed.push(entry.path());
        }
    }
    leftovers.removed.sort();
    leftovers.unclaimed.sort();
    Ok(leftovers)
}

/// `.auditform-XXXXXX.tmp` and `.auditform-backup-XXXXXX.tmp`: the names earlier versions gave
/// every temporary file, whichever file it stood in for.
fn is_unclaimed_name(name: &str) -> bool {
    let random = name
        .strip_prefix(".auditform-backup-")
        .or_else(|| name.strip_prefix(".auditform-"))
        .and_then(|rest| rest.strip_suffix(".tmp"));
    random.is_some_and(|random| {
        random.len() == 6 && random.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

#[cfg(unix)]
fn sync_directory(directory: &Path) -> io::Result<()> {
    std::fs::File::open(directory)?.sync_all()
}

/// Windows can't open a directory as a file to sync it; its renames are journaled.
#[cfg(not(unix))]
fn sync_directory(_directory: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests;
