//! Turns the files of a policy directory into a validated [`PolicySet`]. It is given the files'
//! bytes (`files::policy_dir` walks the directory and reads them) and touches no file itself.
//!
//! This is the only module that touches YAML. Every broken document is reported, each as one
//! diagnostic naming `file:line:column`, what was wrong, and what would be right.

mod document;
mod read;
mod yaml;

/// The YAML layer on its own, for the fuzz targets in `fuzz/`, which cargo-fuzz builds with
/// `--cfg fuzzing`; other builds don't see it.
#[cfg(fuzzing)]
pub use yaml::{events as yaml_events, tree as yaml_tree};

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
///
/// The text may be printed to a CI log, so every string that [`Inert`](crate::inert::Inert)
/// would escape (a line break, a control or bidirectional character, `::`, `##[`, `##vso[` and
/// the like) is written as a double-quoted scalar with YAML's own `\uXXXX` escapes, on one
/// line: left to serde_yaml, a multi-line string becomes a block scalar whose lines a runner
/// would read on their own. A YAML reader gets the same strings back.
pub fn to_yaml<T: serde::Serialize>(documents: &[T]) -> Result<String, YamlWriteError> {
    let mut out = String::new();
    for (index, document) in documents.iter().enumerate() {
        if index > 0 {
            out.push_str("---\n");
        }
        let mut value =
            serde_yaml::to_value(document).map_err(|error| YamlWriteError(error.to_string()))?;
        let mut held = HeldStrings::for_value(&value);
        held.hold(&mut value);
        let text =
            serde_yaml::to_string(&value).map_err(|error| YamlWriteError(error.to_string()))?;
        let text = held.restore(&text);
        out.push_str(text.strip_prefix("---\n").unwrap_or(&text));
    }
    Ok(out)
}

/// Strings taken out of a YAML value before serde_yaml writes it, each replaced by a plain
/// placeholder that no string of the value contains, and put back, double-quoted, after.
struct HeldStrings {
    prefix: String,
    strings: Vec<String>,
}

impl HeldStrings {
    fn for_value(value: &serde_yaml::Value) -> HeldStrings {
        let mut all = String::new();
        collect_strings(value, &mut all);
        let mut prefix = String::from("auditformheld");
        while all.contains(&prefix) {
            prefix.push('x');
        }
        HeldStrings {
            prefix,
            strings: Vec::new(),
        }
    }

    fn placeholder(&self, index: usize) -> String {
        format!("{}{index}z", self.prefix)
    }

    fn hold(&mut self, value: &mut serde_yaml::Value) {
        use serde_yaml::Value;
        match value {
            Value::String(text) if !crate::inert::is_inert(text) => {
                let text = std::mem::take(text);
                *value = Value::String(self.placeholder(self.strings.len()));
                self.strings.push(text);
            }
            Value::Sequence(items) => items.iter_mut().for_each(|item| self.hold(item)),
            Value::Mapping(mapping) => {
                let entries = std::mem::take(mapping);
                for (mut key, mut item) in entries {
                    self.hold(&mut key);
                    self.hold(&mut item);
                    mapping.insert(key, item);
                }
            }
            Value::Tagged(tagged) => self.hold(&mut tagged.value),
            _ => {}
        }
    }

    fn restore(&self, text: &str) -> String {
        let mut text = text.to_string();
        // From the last, so that placeholder 1 is not found inside placeholder 12.
        for (index, held) in self.strings.iter().enumerate().rev() {
            text = text.replacen(&self.placeholder(index), &double_quoted(held), 1);
        }
        text
    }
}

fn collect_strings(value: &serde_yaml::Value, all: &mut String) {
    use serde_yaml::Value;
    match value {
        Value::String(text) => {
            all.push_str(text);
            all.push('\n');
        }
        Value::Sequence(items) => items.iter().for_each(|item| collect_strings(item, all)),
        Value::Mapping(mapping) => {
            for (key, item) in mapping {
                collect_strings(key, all);
                collect_strings(item, all);
            }
        }
        Value::Tagged(tagged) => collect_strings(&tagged.value, all),
        _ => {}
    }
}

/// `text` as a YAML double-quoted scalar on one line, escaped as [`Inert`](crate::inert::Inert)
/// would escape it, with YAML's escapes.
fn double_quoted(text: &str) -> String {
    use crate::inert::{breaks_or_hides, opens_command};
    use std::fmt::Write as _;
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    // Every escape starts with `\`, so only the raw run since the last one can open a command.
    let mut raw_from = 0;
    for (index, c) in text.char_indices() {
        let escaped = match c {
            '"' => Some("\\\"".to_string()),
            '\\' => Some("\\\\".to_string()),
            c if breaks_or_hides(c)
                || matches!(c, '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}')
                || opens_command(&text[raw_from..index], c) =>
            {
                let mut escape = String::new();
                let _ = write!(escape, "\\u{:04x}", u32::from(c));
                Some(escape)
            }
            _ => None,
        };
        if let Some(escape) = escaped {
            out.push_str(&text[raw_from..index]);
            out.push_str(&escape);
            raw_from = index + c.len_utf8();
        }
    }
    out.push_str(&text[raw_from..]);
    out.push('"');
    out
}
