//! Reading a policy directory: every `*.yaml` / `*.yml` file under it, recursively, in path
//! order, each read with a size cap, and handed to [`policy::load`](crate::policy::load) as
//! bytes.

use crate::policy::load::{
    load_files, Diagnostic, FileContents, LoadError, LoadOutput, PolicyFile, MAX_FILE_BYTES,
};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Loads every `*.yaml` / `*.yml` file under `dir`, recursively, in path order. Hidden files
/// and directories are skipped.
pub fn load_dir(dir: &Path) -> Result<LoadOutput, LoadError> {
    let label = dir.display().to_string();
    let fail = |message: String, hint: &str| LoadError {
        diagnostics: vec![Diagnostic::error(message)
            .in_file(label.as_str())
            .with_hint(hint)],
    };
    match fs::metadata(dir) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(fail(
                "the policy directory does not exist".to_string(),
                "create it with a policy in a `*.yaml` file, or name another with `--policies DIR`",
            ))
        }
        Err(error) => {
            return Err(fail(
                format!("can't read the policy directory: {error}"),
                "check its permissions",
            ))
        }
        Ok(metadata) if !metadata.is_dir() => {
            return Err(fail(
                "this is not a directory".to_string(),
                "`--policies` names a directory of `*.yaml` files",
            ))
        }
        Ok(_) => {}
    }
    let mut paths = Vec::new();
    let mut unreadable = Vec::new();
    collect_files(dir, &mut paths, &mut unreadable);
    paths.sort();
    // Read one file at a time, as the loader gets to it.
    let files = paths.into_iter().map(|path| PolicyFile {
        path: path.display().to_string(),
        relative: path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned(),
        contents: read_capped(&path),
    });
    load_files(&label, unreadable, files)
}

fn is_policy_file(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml"))
}

fn collect_files(dir: &Path, files: &mut Vec<PathBuf>, unreadable: &mut Vec<Diagnostic>) {
    let label: Arc<str> = dir.display().to_string().into();
    let cannot_read = |error: std::io::Error| {
        Diagnostic::error(format!("can't read the directory: {error}")).in_file(Arc::clone(&label))
    };
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            unreadable.push(cannot_read(error));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                unreadable.push(cannot_read(error));
                continue;
            }
        };
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        // Symbolic links to directories are not followed, so that a link cycle can't loop.
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => collect_files(&path, files, unreadable),
            Ok(kind) if kind.is_symlink() => {
                if path.is_file() && is_policy_file(&path) {
                    files.push(path);
                }
            }
            Ok(_) if is_policy_file(&path) => files.push(path),
            Ok(_) => {}
            Err(error) => {
                let file: Arc<str> = path.display().to_string().into();
                unreadable.push(Diagnostic::error(format!("can't read: {error}")).in_file(file));
            }
        }
    }
}

/// Reads a file, but no more than one byte beyond [`MAX_FILE_BYTES`]: a larger file is only
/// measured, so that a huge file is refused without being read whole.
fn read_capped(path: &Path) -> FileContents {
    let mut bytes = Vec::new();
    let read = fs::File::open(path)
        .and_then(|handle| handle.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes));
    if let Err(error) = read {
        return FileContents::Unreadable(error);
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let size = fs::metadata(path)
            .map(|m| m.len())
            .unwrap_or(bytes.len() as u64);
        return FileContents::TooLarge(size);
    }
    FileContents::Bytes(bytes)
}

#[cfg(test)]
mod tests;
