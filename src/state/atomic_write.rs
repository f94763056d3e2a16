//! The one way auditform replaces a file it writes (state files, plan files, scripts), so that
//! a crash or power loss at any moment leaves either the old file or the new one, never a mix:
//! the new bytes go to a temporary file in the same directory (a rename never crosses file
//! systems), are synced, one rename puts them in place, and the directory is synced so that
//! the rename itself survives a power loss.
//!
//! An existing file keeps its permissions; a new one gets the permissions any new file gets
//! (the process umask applies), not the owner-only ones of a temporary file.

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
    let mut builder = tempfile::Builder::new();
    builder.prefix(".auditform-").suffix(".tmp");
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
        .prefix(".auditform-backup-")
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
