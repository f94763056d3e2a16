//! Reading a policy directory: every `*.yaml` / `*.yml` file under it, recursively, in path
//! order, each read with a size cap, and handed to [`policy::load`](crate::policy::load) as
//! bytes.
//!
//! A policy directory comes from a pull request as often as from its owner, so the walk trusts
//! none of it (docs/policies.md, "What the directory may hold"):
//! - only regular files are opened: a FIFO, a socket or a device named `*.yaml` is refused
//!   without being opened, since reading one would hang or never end;
//! - a symbolic link to a file is followed when the file lies inside the policy directory, and
//!   refused otherwise, so that a link can't make auditform read (and echo in an error) a file
//!   elsewhere on the machine, such as `/proc/self/environ`;
//! - a symbolic link to a directory is refused, rather than followed: nothing can loop;
//! - a link that leads nowhere, or round in a loop, is refused, naming it.
//!
//! Every refusal is an error naming the entry, reported with the rest of the set's problems.

use crate::diagnostic::Diagnostic;
use crate::policy::load::{
    load_files_holding, FileContents, Holding, LoadError, LoadOutput, PolicyFile, MAX_FILE_BYTES,
};
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Loads every `*.yaml` / `*.yml` file under `dir`, recursively, in path order. Hidden files
/// and directories are skipped.
pub fn load_dir(dir: &Path) -> Result<LoadOutput, LoadError> {
    load_dir_holding(dir, Holding::Policies)
}

/// Loads a directory of test files only (`auditform test --tests DIR`), walked as a policy
/// directory is.
pub fn load_test_dir(dir: &Path) -> Result<LoadOutput, LoadError> {
    load_dir_holding(dir, Holding::Tests)
}

fn load_dir_holding(dir: &Path, what: Holding) -> Result<LoadOutput, LoadError> {
    let label = dir.display().to_string();
    let fail = |message: String, hint: &str| LoadError {
        diagnostics: vec![Diagnostic::error(message)
            .in_file(label.as_str())
            .with_hint(hint)],
    };
    match fs::metadata(dir) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
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
    // The directory as named may itself be a link: that one is the user's choice, and it is
    // what links inside it must stay within.
    let root = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut walk = Walk {
        root,
        files: Vec::new(),
        refused: Vec::new(),
    };
    walk.directory(dir);
    let Walk {
        mut files, refused, ..
    } = walk;
    files.sort();
    // Read one file at a time, as the loader gets to it.
    let files = files.into_iter().map(|path| PolicyFile {
        path: shown(&path),
        relative: shown(path.strip_prefix(dir).unwrap_or(&path)),
        contents: read_capped(&path),
    });
    load_files_holding(&label, refused, files, what)
}

fn is_policy_file(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml"))
}

/// The policy files found so far, and the entries refused.
struct Walk {
    /// The policy directory, resolved: links must lead inside it.
    root: PathBuf,
    files: Vec<PathBuf>,
    refused: Vec<Diagnostic>,
}

impl Walk {
    fn refuse(&mut self, path: &Path, message: String, hint: &str) {
        self.refused.push(
            Diagnostic::error(message)
                .in_file(shown(path))
                .with_hint(hint),
        );
    }

    fn directory(&mut self, dir: &Path) {
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(error) => {
                return self.refuse(
                    dir,
                    format!("can't read the directory: {error}"),
                    "check its permissions",
                )
            }
        };
        let mut found = Vec::new();
        for entry in entries {
            match entry {
                Ok(entry) => found.push(entry),
                Err(error) => self.refuse(
                    dir,
                    format!("can't read the directory: {error}"),
                    "check its permissions",
                ),
            }
        }
        // In path order, so that refusals are reported in the order the files are read.
        found.sort_by_key(fs::DirEntry::path);
        for entry in found {
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            // The entry itself, not what a link leads to.
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => self.directory(&path),
                Ok(kind) if kind.is_symlink() => self.link(&path),
                Ok(kind) if is_policy_file(&path) => {
                    if kind.is_file() {
                        self.files.push(path);
                    } else {
                        self.refuse(
                            &path,
                            format!("this is {}, not a regular file", special_kind(&path)),
                            "a policy file must be an ordinary file; auditform does not open other kinds",
                        );
                    }
                }
                Ok(_) => {}
                Err(error) => self.refuse(
                    &path,
                    format!("can't read: {error}"),
                    "check its permissions",
                ),
            }
        }
    }

    /// A symbolic link: followed to a policy file inside the directory, refused otherwise.
    fn link(&mut self, path: &Path) {
        let target = fs::read_link(path)
            .map(|target| format!(" (to `{}`)", target.display()))
            .unwrap_or_default();
        let metadata = match fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return self.refuse(
                    path,
                    format!("this symbolic link{target} leads to nothing"),
                    "remove the link, or restore what it named",
                )
            }
            Err(error) => {
                return self.refuse(
                    path,
                    format!("this symbolic link{target} can't be followed: {error}"),
                    "a link that leads round in a loop never reaches a file; remove it",
                )
            }
        };
        if metadata.is_dir() {
            return self.refuse(
                path,
                format!("this is a symbolic link to a directory{target}; auditform does not follow those"),
                "move or copy the policies into the policy directory, or name the linked directory itself with `--policies`",
            );
        }
        if !is_policy_file(path) {
            return;
        }
        let inside = fs::canonicalize(path).is_ok_and(|resolved| resolved.starts_with(&self.root));
        if !inside {
            return self.refuse(
                path,
                format!("this symbolic link{target} leads outside the policy directory"),
                "a link may only name a file inside the policy directory; copy the file in instead",
            );
        }
        if !metadata.is_file() {
            return self.refuse(
                path,
                format!(
                    "this symbolic link{target} leads to {}, not a regular file",
                    special_kind(path)
                ),
                "a policy file must be an ordinary file; auditform does not open other kinds",
            );
        }
        self.files.push(path.to_path_buf());
    }
}

/// What kind of file this is, for a refusal: `a FIFO`, `a device`, `a socket`.
fn special_kind(path: &Path) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if let Ok(metadata) = fs::metadata(path) {
            let kind = metadata.file_type();
            if kind.is_fifo() {
                return "a FIFO";
            }
            if kind.is_block_device() || kind.is_char_device() {
                return "a device";
            }
            if kind.is_socket() {
                return "a socket";
            }
        }
    }
    let _ = path;
    "a special file"
}

/// Opens a file for reading without waiting: should the file have been swapped for a FIFO
/// since it was looked at, opening it must not hang until a writer comes.
fn open_without_waiting(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Reads a file, but no more than one byte beyond [`MAX_FILE_BYTES`]: a larger file is only
/// measured, so that a huge file is refused without being read whole. What is opened is
/// checked again to be a regular file before a byte of it is read.
fn read_capped(path: &Path) -> FileContents {
    let file = match open_without_waiting(path) {
        Ok(file) => file,
        Err(error) => return FileContents::Unreadable(error),
    };
    let size = match file.metadata() {
        Ok(metadata) if metadata.is_file() => metadata.len(),
        Ok(_) => {
            return FileContents::Unreadable(io::Error::other(
                "it is no longer a regular file, so it was not read",
            ))
        }
        Err(error) => return FileContents::Unreadable(error),
    };
    let mut bytes = Vec::new();
    if let Err(error) = file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes) {
        return FileContents::Unreadable(error);
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return FileContents::TooLarge(size.max(bytes.len() as u64));
    }
    FileContents::Bytes(bytes)
}

/// A path as messages show it: with `/` between the parts on every system, so that a policy
/// file is named alike on a Windows runner and in the pull request that changed it (the walk
/// joins the directory and the names it finds with the system's separator).
fn shown(path: &Path) -> String {
    let text = path.display().to_string();
    if std::path::MAIN_SEPARATOR == '\\' {
        text.replace('\\', "/")
    } else {
        text
    }
}

#[cfg(test)]
mod tests;
