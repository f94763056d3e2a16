//! Turns the files of a policy directory into a validated [`PolicySet`]. It is given the files'
//! bytes (`files::policy_dir` walks the directory and reads them) and touches no file itself.
//!
//! This is the only module that touches YAML. Every broken document is reported, each as one
//! diagnostic naming `file:line:column`, what was wrong, and what would be right.

mod document;
mod read;
mod yaml;

pub use crate::diagnostic::{Diagnostic, Severity};
use crate::diagnostic::{Listed, SourceLocation};
use crate::policy::{PolicySet, PolicyTest};
use document::Place;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// Policy files larger than this are refused before they are parsed.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The policies, and what was accepted but deserves a look.
#[derive(Debug, Clone)]
pub struct LoadOutput {
    pub policies: PolicySet,
    pub warnings: Vec<Diagnostic>,
    /// Every file read, by its path relative to the policy directory, with its text: what a
    /// saved plan's policies digest is computed from.
    pub files: Vec<(String, String)>,
    /// The `PolicyTest` documents, for `auditform test`; planning ignores them.
    pub tests: Vec<PolicyTest>,
}

/// The policies could not be loaded; every problem found is listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Listed(&self.diagnostics))
    }
}

/// One policy file as the directory walker read it.
#[derive(Debug)]
pub struct PolicyFile {
    /// The file's path as diagnostics name it.
    pub path: String,
    /// Its path relative to the policy directory: what a saved plan's policies digest names.
    pub relative: String,
    pub contents: FileContents,
}

/// What reading one policy file gave.
#[derive(Debug)]
pub enum FileContents {
    /// The file's bytes, no more than [`MAX_FILE_BYTES`] of them.
    Bytes(Vec<u8>),
    /// The file holds more than [`MAX_FILE_BYTES`]: this many. It was not read whole.
    TooLarge(u64),
    /// The file could not be read.
    Unreadable(std::io::Error),
}

/// What a directory must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holding {
    /// A policy set: at least one policy (tests may sit beside them).
    Policies,
    /// Only `PolicyTest` documents, at least one: a test directory named apart from the policies.
    Tests,
}

/// Loads the files of a policy directory in the order given, which is path order. `directory`
/// names the directory in diagnostics about the set as a whole; `unreadable` are the places the
/// walk could not look into, reported before the files' own findings. The files may be read
/// lazily, one at a time, as the iterator is advanced.
pub fn load_files(
    directory: &str,
    unreadable: Vec<Diagnostic>,
    files: impl IntoIterator<Item = PolicyFile>,
) -> Result<LoadOutput, LoadError> {
    load_files_holding(directory, unreadable, files, Holding::Policies)
}

/// [`load_files`], for a directory that holds `what`.
pub fn load_files_holding(
    directory: &str,
    unreadable: Vec<Diagnostic>,
    files: impl IntoIterator<Item = PolicyFile>,
    what: Holding,
) -> Result<LoadOutput, LoadError> {
    let label: Arc<str> = directory.into();
    let mut collector = Collector {
        errors: unreadable,
        ..Collector::default()
    };
    for file in files {
        let path: Arc<str> = file.path.into();
        if let Some(text) = checked_text(&path, file.contents, &mut collector) {
            collector.load_text(&path, &text);
            collector.files.push((file.relative, text));
        }
    }
    if collector.errors.is_empty() {
        let refusal = match what {
            Holding::Policies if collector.policies.is_empty() => Some((
                "no policy documents found",
                "add a `*.yaml` file that starts with `apiVersion: auditform/v1`",
            )),
            Holding::Tests if collector.tests.is_empty() => Some((
                "no test documents found",
                "add a `*.yaml` file with a `kind: PolicyTest` document",
            )),
            Holding::Tests if !collector.policies.is_empty() => Some((
                "this test directory holds policies",
                "keep policies in the policy directory (`--policies`); a test directory holds only `kind: PolicyTest` documents",
            )),
            _ => None,
        };
        if let Some((message, hint)) = refusal {
            return Err(LoadError {
                diagnostics: vec![Diagnostic::error(message).in_file(label).with_hint(hint)],
            });
        }
    }
    collector.finish()
}

/// Loads one file's text; `file_label` names it in diagnostics.
pub fn load_str(file_label: &str, text: &str) -> Result<LoadOutput, LoadError> {
    let file: Arc<str> = file_label.into();
    let mut collector = Collector::default();
    if text.len() as u64 > MAX_FILE_BYTES {
        collector.errors.push(too_large(&file, text.len() as u64));
    } else {
        collector.load_text(&file, text);
    }
    collector.finish()
}

fn too_large(file: &Arc<str>, bytes: u64) -> Diagnostic {
    Diagnostic::error(format!(
        "the file is larger than {} KiB ({} bytes); policy files are refused above that size",
        MAX_FILE_BYTES / 1024,
        bytes
    ))
    .in_file(Arc::clone(file))
    .with_hint("split the policies over several files")
}

/// A file's text, refusing it when it could not be read, is larger than [`MAX_FILE_BYTES`] or is
/// not UTF-8.
fn checked_text(
    file: &Arc<str>,
    contents: FileContents,
    collector: &mut Collector,
) -> Option<String> {
    let bytes = match contents {
        FileContents::Bytes(bytes) => bytes,
        FileContents::TooLarge(size) => {
            collector.errors.push(too_large(file, size));
            return None;
        }
        FileContents::Unreadable(error) => {
            collector.errors.push(
                Diagnostic::error(format!("can't read the file: {error}"))
                    .in_file(Arc::clone(file)),
            );
            return None;
        }
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        collector.errors.push(too_large(file, bytes.len() as u64));
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(error) => {
            collector.errors.push(
                Diagnostic::error(format!(
                    "the file is not UTF-8 (invalid byte at offset {})",
                    error.utf8_error().valid_up_to()
                ))
                .in_file(Arc::clone(file))
                .with_hint("save the policy file as UTF-8"),
            );
            None
        }
    }
}

/// Gathers policies and findings over every file of a set.
#[derive(Default)]
struct Collector {
    policies: PolicySet,
    warnings: Vec<Diagnostic>,
    errors: Vec<Diagnostic>,
    /// Where each policy name was first defined.
    names: HashMap<Arc<str>, SourceLocation>,
    files: Vec<(String, String)>,
    /// Names the policies give that the catalog does not have: each must be declared.
    pending: Vec<document::PendingAction>,
    tests: Vec<PolicyTest>,
}

impl Collector {
    fn load_text(&mut self, file: &Arc<str>, text: &str) {
        if let Some((line, column)) = yaml::excessive_flow_depth(text) {
            let location = SourceLocation {
                file: Arc::clone(file),
                line,
                column,
            };
            self.errors.push(
                Diagnostic::error(format!(
                    "the YAML is nested too deeply (more than {} levels of `[` and `{{`)",
                    yaml::MAX_FLOW_DEPTH
                ))
                .at(location)
                .with_hint("a policy needs only a few levels of nesting"),
            );
            return;
        }
        for chunk in yaml::split_documents(text) {
            let place = Place {
                file,
                chunk: &chunk,
            };
            let mut documents = chunk.documents();
            while let Some(document) = documents.next_document() {
                match document {
                    Ok(root) => document::load(self, &place, &root),
                    // After a syntax error the parser can't find the next document of this
                    // chunk; the next chunk starts afresh.
                    Err(error) => self.errors.push(place.tree_error(&error)),
                }
            }
        }
    }

    /// Checks every name the policies give that the catalog does not have against the
    /// declarations of the whole set, now that every file is read: a misspelt catalog action is
    /// still caught, with "did you mean".
    fn check_declared_names(&mut self) {
        for pending in std::mem::take(&mut self.pending) {
            let Err(rejection) = self.policies.catalog.check(&pending.name, pending.logon) else {
                continue;
            };
            let invalid =
                crate::policy::schema::checked::rejection_invalid(pending.logon, rejection);
            self.errors.push(
                Diagnostic::error(invalid.message)
                    .at_maybe(pending.location.map(Into::into))
                    .with_hint_maybe(invalid.hint),
            );
        }
    }

    /// Records a policy name, refusing one already used.
    fn claim_name(&mut self, name: &Arc<str>, location: &SourceLocation) -> Result<(), ()> {
        if let Some(first) = self.names.get(name) {
            self.errors.push(
                Diagnostic::error(format!(
                    "duplicate policy name `{name}`; it is first defined at {first}"
                ))
                .at(location.clone())
                .with_hint("policy names are unique across the policy set; rename one of them"),
            );
            return Err(());
        }
        self.names.insert(Arc::clone(name), location.clone());
        Ok(())
    }

    fn finish(mut self) -> Result<LoadOutput, LoadError> {
        self.check_declared_names();
        if self.errors.is_empty() {
            Ok(LoadOutput {
                policies: self.policies,
                warnings: self.warnings,
                files: self.files,
                tests: self.tests,
            })
        } else {
            Err(LoadError {
                diagnostics: self.errors,
            })
        }
    }
}

#[cfg(test)]
mod tests;

/// A document could not be written as YAML.
#[derive(Debug, thiserror::Error)]
#[error("could not write policies as YAML: {0}")]
pub struct YamlWriteError(String);

/// Writes documents as one multi-document YAML text, `---` between documents.
pub fn to_yaml<T: serde::Serialize>(documents: &[T]) -> Result<String, YamlWriteError> {
    let mut out = String::new();
    for (index, document) in documents.iter().enumerate() {
        if index > 0 {
            out.push_str("---\n");
        }
        let text =
            serde_yaml::to_string(document).map_err(|error| YamlWriteError(error.to_string()))?;
        out.push_str(text.strip_prefix("---\n").unwrap_or(&text));
    }
    Ok(out)
}
