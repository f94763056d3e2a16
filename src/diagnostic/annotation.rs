//! Diagnostics as GitHub Actions workflow commands, so that a failed check marks the policy line
//! in the pull request's diff and a warning shows beside it:
//! `::error file=F,line=L,col=C,title=auditform::message`.
//!
//! A diagnostic is annotated at its place and at every related place (both policies of a
//! conflict); one without a place in a file is a plain annotation. The runner decodes `%0D`,
//! `%0A` and `%25` in a command, so the writer escapes `%`, `\r` and `\n` in the message, and in
//! a property also `:` and `,`, which would end the value. Every part that may hold input is made
//! [`Inert`] first: its own line breaks are already escapes, and the only line breaks the runner
//! decodes are the writer's, between the message, its related places, notes and hints.

use super::{shown, Diagnostic, Location, Severity};
use crate::inert::Inert;
use std::fmt::{self, Write as _};
use std::path::Path;

/// The title GitHub shows above each annotation.
const TITLE: &str = "auditform";

/// One workflow command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    pub severity: Severity,
    /// Where it is, when it is at a line of a file.
    pub place: Option<Place>,
    /// The whole text: message, related places, notes and hints, a line each, already inert.
    pub message: String,
}

/// A file position, with the file as GitHub expects it: relative to the repository root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

/// The annotations of a diagnostic. `workspace` is the checkout (`GITHUB_WORKSPACE`), to which
/// absolute paths are made relative.
pub fn annotations(diagnostic: &Diagnostic, workspace: Option<&Path>) -> Vec<Annotation> {
    let text = annotation_text(diagnostic);
    let mut places: Vec<Place> = Vec::new();
    let locations = diagnostic
        .location
        .iter()
        .chain(diagnostic.related.iter().map(|related| &related.location));
    for location in locations {
        if let Location::At(at) = location {
            let place = Place {
                file: relative(&at.file, workspace),
                line: at.line,
                column: at.column,
            };
            if !places.contains(&place) {
                places.push(place);
            }
        }
    }
    if places.is_empty() {
        let message = match &diagnostic.location {
            Some(location) => format!("{location}: {text}"),
            None => text,
        };
        return vec![Annotation {
            severity: diagnostic.severity,
            place: None,
            message,
        }];
    }
    places
        .into_iter()
        .map(|place| Annotation {
            severity: diagnostic.severity,
            place: Some(place),
            message: text.clone(),
        })
        .collect()
}

/// The message, then each related place, note and hint on a line of its own.
fn annotation_text(diagnostic: &Diagnostic) -> String {
    let mut text = Inert(&shown(&diagnostic.message)).to_string();
    for related in &diagnostic.related {
        let _ = write!(
            text,
            "\n{}: {}",
            related.location,
            Inert(&shown(&related.message))
        );
    }
    for note in &diagnostic.notes {
        let _ = write!(text, "\n{}", Inert(&shown(note)));
    }
    for hint in &diagnostic.hints {
        let _ = write!(text, "\nhint: {}", Inert(hint));
    }
    text
}

/// `file` relative to `workspace` when it lies inside it, without a leading `./`.
fn relative(file: &str, workspace: Option<&Path>) -> String {
    let path = Path::new(file);
    let relative = workspace
        .and_then(|root| path.strip_prefix(root).ok())
        .unwrap_or(path);
    let shown = relative.to_string_lossy();
    shown.strip_prefix("./").unwrap_or(&shown).to_string()
}

impl fmt::Display for Annotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let command = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        match &self.place {
            Some(place) => write!(
                f,
                "::{command} file={},line={},col={},title={}::{}",
                escape_property(&Inert(&place.file).to_string()),
                place.line,
                place.column,
                escape_property(TITLE),
                escape_data(&self.message)
            ),
            None => write!(f, "::{command}::{}", escape_data(&self.message)),
        }
    }
}

/// Escapes a workflow command's message.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests;
