//! GitHub Actions workflow commands for errors, so that a failed check marks the policy line
//! in the pull request's diff: `::error file=F,line=L,col=C,title=auditform::message`.
//!
//! Escaping follows the runner's rules: in the message `%`, `\r` and `\n`; in a property also
//! `:` and `,`, which would otherwise end the value.

use super::CliError;
use crate::plan::PlanError;
use crate::policy::load::Severity;
use crate::policy::SourceLocation;
use std::fmt;
use std::path::Path;

/// The title GitHub shows above each annotation.
const TITLE: &str = "auditform";

/// One `::error` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    /// Where the error is, when it is at a place in a file.
    pub place: Option<AnnotationPlace>,
    pub message: String,
}

/// A file position, with the file as GitHub expects it: relative to the repository root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnnotationPlace {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl AnnotationPlace {
    /// `location` with its file made relative to `workspace` when it lies inside it.
    fn new(location: &SourceLocation, workspace: Option<&Path>) -> AnnotationPlace {
        let file = Path::new(&*location.file);
        let relative = workspace
            .and_then(|root| file.strip_prefix(root).ok())
            .unwrap_or(file);
        let file = relative.display().to_string();
        AnnotationPlace {
            file: file.strip_prefix("./").map(str::to_string).unwrap_or(file),
            line: location.line,
            column: location.column,
        }
    }
}

impl fmt::Display for Annotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.place {
            Some(place) => write!(
                f,
                "::error file={},line={},col={},title={}::{}",
                escape_property(&place.file),
                place.line,
                place.column,
                escape_property(TITLE),
                escape_data(&self.message)
            ),
            None => write!(f, "::error::{}", escape_data(&self.message)),
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

impl CliError {
    /// The error as GitHub annotations: one per diagnostic with a place in a file (each side
    /// of a conflict gets its own), and one without a place otherwise. `workspace` is the
    /// checkout (`GITHUB_WORKSPACE`), to which absolute paths are made relative.
    pub fn github_annotations(&self, workspace: Option<&Path>) -> Vec<Annotation> {
        match self {
            CliError::Policies(error) => error
                .diagnostics
                .iter()
                .filter(|diagnostic| diagnostic.severity == Severity::Error)
                .map(|diagnostic| {
                    let mut message = diagnostic.message.clone();
                    if let Some(hint) = &diagnostic.hint {
                        message.push_str("\nhint: ");
                        message.push_str(hint);
                    }
                    match &diagnostic.location {
                        Some(location) => Annotation {
                            place: Some(AnnotationPlace::new(location, workspace)),
                            message,
                        },
                        None => Annotation {
                            place: None,
                            message: format!("{}: {message}", diagnostic.file),
                        },
                    }
                })
                .collect(),
            CliError::Plan(error @ PlanError::Conflicts(conflicts)) => conflicts
                .iter()
                .flat_map(|conflict| {
                    let message = format!("{conflict}\nhint: {}", error.hint());
                    [&conflict.first.source, &conflict.second.source].map(|location| Annotation {
                        place: Some(AnnotationPlace::new(location, workspace)),
                        message: message.clone(),
                    })
                })
                .collect(),
            _ => vec![Annotation {
                place: None,
                message: self.render().trim_end().to_string(),
            }],
        }
    }
}

#[cfg(test)]
mod tests;
