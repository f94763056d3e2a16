//! One finding for a person, whatever found it: the policy loader's warnings and errors, a plan's
//! conflicts and warnings, an unreadable state file, a refused plan file, a failed request.
//!
//! Every layer's error becomes a [`Diagnostic`] in one place (`error.rs`), and two renderers
//! write every diagnostic, error or warning alike: the text a person reads (this type's
//! `Display`) and the GitHub Actions workflow command that marks the line in a pull request
//! ([`annotation`]). Both write every part that may hold input through [`Inert`], so no byte of
//! a policy, a file name, a state file or a server's answer can start a line of output.

pub mod annotation;

use crate::english::cut;
use crate::inert::Inert;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// A message, related message or note longer than this many characters is cut when shown:
/// whatever a layer put in it (a server's whole answer, a parser's quote of a huge value), a
/// finding stays readable. The core cuts the values it echoes far shorter.
pub const MESSAGE_LIMIT: usize = 1_000;

/// Text of a diagnostic as shown: cut to [`MESSAGE_LIMIT`].
pub fn shown(text: &str) -> Cow<'_, str> {
    cut(text, MESSAGE_LIMIT)
}

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The command fails.
    Error,
    /// Accepted, but deserves a look.
    Warning,
    /// Context, for information.
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

/// A place in a file: `file:line:column`, 1-based.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceLocation {
    pub file: Arc<str>,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// What a finding is about: a place in a file, or a whole file (or directory).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Location {
    File(Arc<str>),
    At(SourceLocation),
}

impl Location {
    pub fn file(&self) -> &str {
        match self {
            Location::File(file) => file,
            Location::At(at) => &at.file,
        }
    }

    /// The line and column, when the finding is about a place in the file.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            Location::File(_) => None,
            Location::At(at) => Some((at.line, at.column)),
        }
    }
}

impl From<SourceLocation> for Location {
    fn from(at: SourceLocation) -> Location {
        Location::At(at)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(file) => write!(f, "{}", Inert(file)),
            Location::At(at) => write!(f, "{}:{}:{}", Inert(&at.file), at.line, at.column),
        }
    }
}

/// Another place that bears on a finding, such as the other policy of a conflict.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// One finding: what is wrong, where, what else bears on it, and what would be right.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub severity: Severity,
    /// One line, saying what is wrong.
    pub message: String,
    pub location: Option<Location>,
    /// Other places that bear on it.
    pub related: Vec<Related>,
    /// Facts listed under the message, one a line: the objects a conflict affects, the
    /// mailboxes of a stale plan.
    pub notes: Vec<String>,
    /// What would be right, or what to do next.
    pub hints: Vec<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            message: message.into(),
            location: None,
            related: Vec::new(),
            notes: Vec::new(),
            hints: Vec::new(),
        }
    }

    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, message)
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, message)
    }

    /// About this place (or file).
    pub fn at(mut self, location: impl Into<Location>) -> Diagnostic {
        self.location = Some(location.into());
        self
    }

    /// About a whole file or directory.
    pub fn in_file(self, file: impl Into<Arc<str>>) -> Diagnostic {
        self.at(Location::File(file.into()))
    }

    /// About this place when there is one.
    pub fn at_maybe(mut self, location: Option<Location>) -> Diagnostic {
        self.location = location;
        self
    }

    pub fn with_related(
        mut self,
        location: impl Into<Location>,
        message: impl Into<String>,
    ) -> Self {
        self.related.push(Related {
            location: location.into(),
            message: message.into(),
        });
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hints.push(hint.into());
        self
    }

    /// With the hint when there is one.
    pub fn with_hint_maybe(self, hint: Option<impl Into<String>>) -> Diagnostic {
        match hint {
            Some(hint) => self.with_hint(hint),
            None => self,
        }
    }

    /// The first hint, if any.
    pub fn hint(&self) -> Option<&str> {
        self.hints.first().map(String::as_str)
    }
}

/// The text a person reads, every line of it inert:
///
/// ```text
/// policies/a.yaml:9:5: error: unknown key `ownr` in `spec.audit`; did you mean `owner`?
///   policies/b.yaml:4:9: `b` forbids it
///   affects 3 objects: ...
///   hint: valid keys in `spec.audit` are ...
/// ```
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        write!(f, "{}: {}", self.severity, Inert(&shown(&self.message)))?;
        for related in &self.related {
            write!(
                f,
                "\n  {}: {}",
                related.location,
                Inert(&shown(&related.message))
            )?;
        }
        for note in &self.notes {
            write!(f, "\n  {}", Inert(&shown(note)))?;
        }
        for hint in &self.hints {
            write!(f, "\n  hint: {}", Inert(hint))?;
        }
        Ok(())
    }
}

/// Several diagnostics, one after another, a line break between them.
pub struct Listed<'a>(pub &'a [Diagnostic]);

impl fmt::Display for Listed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, diagnostic) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
