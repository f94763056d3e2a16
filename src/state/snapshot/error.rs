//! What can go wrong reading a state file, phrased for the person who has to fix it.

use crate::diagnostic::{Diagnostic, SourceLocation};
use std::fmt;
use std::path::PathBuf;

const SHAPE_HINT: &str =
    "auditform reads a PowerShell export (Get-EXOMailbox ... | ConvertTo-Json: \
an array of mailboxes, or one mailbox object), a REST capture ({\"value\": [...]}) or its own \
snapshot ({\"organization\": {...}, \"auditBypass\": [...], \"mailboxes\": [...]})";

/// A state file that can't be read. The message says what is wrong; [`StateError::location`]
/// says where, and [`StateError::hint`] what to do.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("state file {} not found", path.display())]
    NotFound { path: PathBuf },

    #[error("can't read state file {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("state file {} is not UTF-8 or UTF-16 text: {message}", path.display())]
    Encoding { path: PathBuf, message: String },

    #[error("malformed JSON: {message}")]
    Malformed {
        label: Box<str>,
        line: usize,
        column: usize,
        message: Box<str>,
    },

    #[error("not a tenant state file: {message}")]
    Shape {
        label: Box<str>,
        line: usize,
        column: usize,
        message: Box<str>,
    },

    #[error("{subject}: property {property}: {message}")]
    Property {
        label: Box<str>,
        line: usize,
        column: usize,
        /// The object, by index and the best name known when the problem was found.
        subject: Box<str>,
        property: Box<str>,
        message: Box<str>,
        hint: &'static str,
    },

    #[error("{subject} lacks {properties}, so its audit state is unknown")]
    Missing {
        label: Box<str>,
        line: usize,
        column: usize,
        subject: Box<str>,
        properties: Box<str>,
    },

    #[error("{subject} gives the key `{key}` twice, so which value holds is anyone's guess")]
    RepeatedKey {
        label: Box<str>,
        line: usize,
        column: usize,
        subject: Box<str>,
        key: Box<str>,
    },

    #[error("{subject} has no name")]
    Unnamed {
        label: Box<str>,
        line: usize,
        column: usize,
        subject: Box<str>,
    },
}

impl StateError {
    /// Where in the file (by its label), 1-based, when the error is at a place in it.
    pub fn location(&self) -> Option<(&str, usize, usize)> {
        match self {
            StateError::NotFound { .. }
            | StateError::Unreadable { .. }
            | StateError::Encoding { .. } => None,
            StateError::Malformed {
                label,
                line,
                column,
                ..
            }
            | StateError::Shape {
                label,
                line,
                column,
                ..
            }
            | StateError::Property {
                label,
                line,
                column,
                ..
            }
            | StateError::Missing {
                label,
                line,
                column,
                ..
            }
            | StateError::Unnamed {
                label,
                line,
                column,
                ..
            }
            | StateError::RepeatedKey {
                label,
                line,
                column,
                ..
            } => Some((label, *line, *column)),
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            StateError::NotFound { .. } => Some("pass --state FILE or set AUDITFORM_STATE"),
            StateError::Encoding { .. } => Some(crate::state::encoding::ENCODING_HINT),
            StateError::Unreadable { .. } | StateError::Malformed { .. } => None,
            StateError::Shape { .. } => Some(SHAPE_HINT),
            StateError::Property { hint, .. } => Some(hint),
            StateError::Missing { .. } => Some(
                "export with `Get-EXOMailbox -ResultSize Unlimited -PropertySets Minimum,Audit \
                 -Properties PersistedCapabilities | ConvertTo-Json -Depth 5`",
            ),
            StateError::Unnamed { .. } => Some(
                "give it an Identity, Name, ExternalDirectoryObjectId, Guid or PrimarySmtpAddress",
            ),
            StateError::RepeatedKey { .. } => Some(
                "keep one of them; ConvertTo-Json never writes a key twice, so the file was edited or merged by hand (keys count as one whatever their case)",
            ),
        }
    }
}

/// The error as a person reads it: at its place in the file, with its hint.
impl From<&StateError> for Diagnostic {
    fn from(error: &StateError) -> Diagnostic {
        let diagnostic = Diagnostic::error(error.to_string()).with_hint_maybe(error.hint());
        match error.location() {
            Some((label, line, column)) => diagnostic.at(SourceLocation {
                file: label.into(),
                line,
                column,
            }),
            None => diagnostic,
        }
    }
}

/// A problem found inside the JSON, with the context that a serde error cannot carry. It becomes
/// a [`StateError`] once the position is known.
#[derive(Debug)]
pub(super) enum Problem {
    Property {
        subject: String,
        property: String,
        message: String,
        hint: &'static str,
    },
    Unnamed {
        subject: String,
    },
    /// Audit properties the export does not carry.
    Missing {
        subject: String,
        properties: Vec<&'static str>,
    },
    Shape {
        subject: String,
        message: String,
    },
    /// A key the object gives twice.
    RepeatedKey {
        subject: String,
        key: Box<str>,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Property {
                subject,
                property,
                message,
                ..
            } => write!(f, "{subject}: property {property}: {message}"),
            Problem::Unnamed { subject } => write!(f, "{subject} has no name"),
            Problem::Missing {
                subject,
                properties,
            } => write!(f, "{subject} lacks {}", properties.join(", ")),
            Problem::Shape { subject, message } => write!(f, "{subject}: {message}"),
            Problem::RepeatedKey { subject, key } => {
                write!(f, "{subject} gives the key `{key}` twice")
            }
        }
    }
}

/// Where in the file: 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The position just after `bytes`, when they start here. Columns count bytes, as
    /// serde_json's do.
    pub fn advanced_by(self, bytes: &[u8]) -> Position {
        match memchr::memrchr(b'\n', bytes) {
            None => Position {
                line: self.line,
                column: self.column + bytes.len(),
            },
            Some(last) => Position {
                line: self.line + count_newlines(bytes),
                column: bytes.len() - last,
            },
        }
    }

    /// A position reported within a slice that starts here, as a position in the file.
    pub fn then(self, within: Position) -> Position {
        if within.line <= 1 {
            Position {
                line: self.line,
                column: (self.column + within.column).saturating_sub(1),
            }
        } else {
            Position {
                line: self.line + within.line - 1,
                column: within.column,
            }
        }
    }
}

/// Counts in short runs whose sums fit a byte, which the compiler turns into wide compares: a
/// block of a gigabyte file is counted on the reading thread.
fn count_newlines(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(64);
    let mut total = 0;
    for chunk in &mut chunks {
        total += usize::from(chunk.iter().map(|&b| u8::from(b == b'\n')).sum::<u8>());
    }
    total + chunks.remainder().iter().filter(|&&b| b == b'\n').count()
}

/// A key from the file, on one line and of a readable length, for a message.
fn one_line(text: &str) -> String {
    const LONGEST: usize = 80;
    let mut shown: String = text
        .chars()
        .take(LONGEST)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().count() > LONGEST {
        shown.push('…');
    }
    shown
}

/// serde_json appends " at line L column C" to its messages; the position is reported apart.
fn without_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at)
            if message[at + " at line ".len()..]
                .split(" column ")
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())) =>
        {
            &message[..at]
        }
        _ => message,
    }
}

impl StateError {
    pub(super) fn from_json(
        error: &serde_json::Error,
        position: Position,
        problem: Option<Problem>,
        label: &str,
    ) -> StateError {
        let label: Box<str> = label.into();
        let Position { line, column } = position;
        let message: Box<str> = without_position(&error.to_string()).into();
        if !error.is_data() {
            return StateError::Malformed {
                label,
                line,
                column,
                message,
            };
        }
        match problem {
            Some(Problem::Property {
                subject,
                property,
                message,
                hint,
            }) => StateError::Property {
                label,
                line,
                column,
                subject: subject.into(),
                property: property.into(),
                message: without_position(&message).into(),
                hint,
            },
            Some(Problem::Unnamed { subject }) => StateError::Unnamed {
                label,
                line,
                column,
                subject: subject.into(),
            },
            Some(Problem::Missing {
                subject,
                properties,
            }) => StateError::Missing {
                label,
                line,
                column,
                subject: subject.into(),
                properties: properties.join(", ").into(),
            },
            Some(Problem::Shape { subject, message }) => StateError::Shape {
                label,
                line,
                column,
                message: format!("{subject}: {}", without_position(&message)).into(),
            },
            Some(Problem::RepeatedKey { subject, key }) => StateError::RepeatedKey {
                label,
                line,
                column,
                subject: subject.into(),
                key: one_line(&key).into(),
            },
            None => StateError::Shape {
                label,
                line,
                column,
                message,
            },
        }
    }
}
