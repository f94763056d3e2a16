//! The local state backend: a JSON file in any of the three shapes of DESIGN §1.5, read as a
//! stream. Each mailbox goes from its JSON object straight into the model and on to the
//! [`StateVisitor`]; no JSON tree of the file, or of a mailbox, is ever built.
//!
//! A snapshot's tenant-wide `licence` hint applies to every mailbox, so a writer puts it before
//! `mailboxes`: mailboxes written before it are skipped once and read after the whole object.

mod error;
mod json_mailbox;
mod json_values;
mod stream;

pub use error::StateError;
pub use stream::{read_array_stream, read_array_stream_split, StreamTuning};

use crate::catalog::LicenceTier;
use crate::model::{SplitVisitor, StateVisitor};
use crate::state::encoding::TextEncoding;
use crate::state::ReadOptions;
use error::{Position, Problem};
use json_mailbox::{BypassArray, Context, Key, MailboxArray, MailboxBuilder, OrganizationSeed};
use json_values::{KeyLog, LoggedKey};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Every property the reader reads, by its Get-Mailbox name (names, RecipientTypeDetails,
/// the audit settings, PersistedCapabilities, AuditBypassEnabled): a live read asks for these
/// and the ones a filter names, and no others.
pub fn properties_read() -> impl Iterator<Item = &'static str> {
    json_mailbox::FIELDS.iter().map(|(name, _)| *name)
}

/// A state file on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotFile {
    path: PathBuf,
}

impl SnapshotFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        SnapshotFile { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How the source is named to people, for example `snapshot examples/tenant.json`.
    pub fn describe(&self) -> String {
        format!("snapshot {}", self.path.display())
    }

    pub fn read(
        &self,
        visitor: &mut dyn StateVisitor,
        options: &ReadOptions,
    ) -> Result<(), StateError> {
        self.read_with_shape(visitor, options).map(drop)
    }

    /// Reads the file and says which shape it had, so that a writer can keep it.
    pub fn read_with_shape(
        &self,
        visitor: &mut dyn StateVisitor,
        options: &ReadOptions,
    ) -> Result<Shape, StateError> {
        let label = self.path.display().to_string();
        match self.open()? {
            Opened::Array(source) => {
                read_array_stream(source, &label, visitor, options, StreamTuning::default())?;
                Ok(Shape::PowerShellArray)
            }
            Opened::Whole(bytes) => {
                read_snapshot_bytes_with_shape(&bytes, &label, visitor, options)
            }
        }
    }

    /// [`SnapshotFile::read_with_shape`] with a visitor that splits, so that a PowerShell export
    /// is both parsed and visited on every core. The result is the same.
    pub fn read_split<V: SplitVisitor>(
        &self,
        visitor: &mut V,
        options: &ReadOptions,
    ) -> Result<Shape, StateError> {
        let label = self.path.display().to_string();
        match self.open()? {
            Opened::Array(source) => {
                read_array_stream_split(source, &label, visitor, options, StreamTuning::default())?;
                Ok(Shape::PowerShellArray)
            }
            Opened::Whole(bytes) => {
                read_snapshot_bytes_with_shape(&bytes, &label, visitor, options)
            }
        }
    }

    /// A PowerShell export can be larger than memory, so an array is streamed. The other shapes
    /// are a snapshot or a REST capture, read whole: a snapshot's `licence` may come after its
    /// mailboxes. UTF-16 (Windows PowerShell 5.1's `>`) is transcoded to UTF-8 as it is read.
    fn open(&self) -> Result<Opened, StateError> {
        let unreadable = |source: std::io::Error| match source.kind() {
            std::io::ErrorKind::NotFound => StateError::NotFound {
                path: self.path.clone(),
            },
            _ => StateError::Unreadable {
                path: self.path.clone(),
                source,
            },
        };
        let mut file = std::fs::File::open(&self.path).map_err(unreadable)?;
        let mut head = Vec::with_capacity(HEAD_BYTES);
        (&mut file)
            .take(HEAD_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(unreadable)?;
        let encoding = TextEncoding::sniff(&head).map_err(|error| StateError::Encoding {
            path: self.path.clone(),
            message: error.message,
        })?;
        let mut text: Box<dyn Read + Send> = match encoding {
            // Plain UTF-8 goes on as it is: the head read so far, then the rest of the file.
            TextEncoding::Utf8 => return Self::opened(head, file, unreadable),
            _ => {
                head.drain(..encoding.bom().len());
                encoding.decoder(std::io::Cursor::new(head).chain(file))
            }
        };
        let mut decoded_head = Vec::with_capacity(HEAD_BYTES);
        (&mut text)
            .take(HEAD_BYTES as u64)
            .read_to_end(&mut decoded_head)
            .map_err(unreadable)?;
        Self::opened(decoded_head, text, unreadable)
    }

    /// Streams an array, or reads any other shape whole, from UTF-8 `text` whose first bytes
    /// have already been read into `head`.
    fn opened(
        mut head: Vec<u8>,
        mut rest: impl Read + Send + 'static,
        unreadable: impl Fn(std::io::Error) -> StateError,
    ) -> Result<Opened, StateError> {
        let first = head.iter().find(|byte| !byte.is_ascii_whitespace());
        if first == Some(&b'[') {
            return Ok(Opened::Array(Box::new(
                std::io::Cursor::new(head).chain(rest),
            )));
        }
        rest.read_to_end(&mut head).map_err(unreadable)?;
        Ok(Opened::Whole(head))
    }
}

/// A state file, opened according to its shape.
enum Opened {
    /// UTF-8 text, streamed.
    Array(Box<dyn Read + Send>),
    Whole(Vec<u8>),
}

/// Enough of a file to see which shape it has.
const HEAD_BYTES: usize = 64 * 1024;

/// Which of the shapes of DESIGN §1.5 a file had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `ConvertTo-Json` of several mailboxes: an array.
    PowerShellArray,
    /// `ConvertTo-Json` of a single mailbox: the bare object.
    PowerShellObject,
    /// `{"value": [...]}` from the admin REST endpoint.
    Rest,
    /// auditform's own `{"organization", "auditBypass", "mailboxes", "licence"}`.
    Snapshot,
}

/// Reads state from bytes already in memory; `label` names them in errors.
pub fn read_snapshot_bytes(
    bytes: &[u8],
    label: &str,
    visitor: &mut dyn StateVisitor,
    options: &ReadOptions,
) -> Result<(), StateError> {
    read_snapshot_bytes_with_shape(bytes, label, visitor, options).map(drop)
}

/// [`read_snapshot_bytes`], also saying which shape the bytes had.
pub fn read_snapshot_bytes_with_shape(
    bytes: &[u8],
    label: &str,
    visitor: &mut dyn StateVisitor,
    options: &ReadOptions,
) -> Result<Shape, StateError> {
    let mut context = Context {
        visitor,
        options,
        licence_hint: None,
        mailboxes_read: 0,
        bypass_read: 0,
        problem: None,
        keys: KeyLog::default(),
    };
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let outcome = Document(&mut context)
        .deserialize(&mut deserializer)
        .and_then(|outcome| deserializer.end().map(|()| outcome))
        .map_err(|error| {
            let position = Position {
                line: error.line(),
                column: error.column(),
            };
            StateError::from_json(&error, position, context.problem.take(), label)
        })?;
    let Some(shape) = outcome.shape else {
        return Err(StateError::Shape {
            label: label.into(),
            line: 1,
            column: 1,
            message: "the object has no `value`, no `mailboxes` and no mailbox properties".into(),
        });
    };
    if let Some(mailboxes) = outcome.deferred_mailboxes {
        read_deferred(bytes, mailboxes, label, &mut context)?;
    }
    Ok(shape)
}

/// Reads a snapshot's `mailboxes` that came before its `licence`, now that the hint is known.
fn read_deferred(
    bytes: &[u8],
    mailboxes: &RawValue,
    label: &str,
    context: &mut Context,
) -> Result<(), StateError> {
    let text = mailboxes.get();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    MailboxArray(context)
        .deserialize(&mut deserializer)
        .map_err(|error| {
            let start = (text.as_ptr() as usize).saturating_sub(bytes.as_ptr() as usize);
            let position = position_within(bytes, start, error.line(), error.column());
            StateError::from_json(&error, position, context.problem.take(), label)
        })
}

/// The file position of `line:column` of a slice that starts at byte `start` of the file.
fn position_within(bytes: &[u8], start: usize, line: usize, column: usize) -> Position {
    let before = &bytes[..start.min(bytes.len())];
    let base_line = 1 + before.iter().filter(|b| **b == b'\n').count();
    let base_column = 1 + before.iter().rev().take_while(|b| **b != b'\n').count();
    if line <= 1 {
        Position {
            line: base_line,
            column: base_column + column.saturating_sub(1),
        }
    } else {
        Position {
            line: base_line + line - 1,
            column,
        }
    }
}

struct Outcome<'de> {
    shape: Option<Shape>,
    deferred_mailboxes: Option<&'de RawValue>,
}

/// The top-level value. Its first key decides between a snapshot, a REST capture and a bare
/// mailbox, so that the file is read once whichever it is.
struct Document<'c, 'v>(&'c mut Context<'v>);

/// A top-level key.
enum TopKey {
    Value,
    Mailboxes,
    Organization,
    AuditBypass,
    Licence,
    /// `@odata.context`, `@odata.nextLink` and the like.
    Annotation,
    /// Not a container key: in a bare mailbox object, a property.
    Other(Key),
}

impl TopKey {
    fn classify(key: &str, options: &ReadOptions) -> TopKey {
        let is = |name: &str| key.eq_ignore_ascii_case(name);
        if is("value") {
            return TopKey::Value;
        }
        if is("mailboxes") {
            return TopKey::Mailboxes;
        }
        if is("organization") {
            return TopKey::Organization;
        }
        if is("auditBypass") {
            return TopKey::AuditBypass;
        }
        if is("licence") || is("license") {
            return TopKey::Licence;
        }
        if key.starts_with('@') {
            return TopKey::Annotation;
        }
        TopKey::Other(Key::classify(key, options))
    }
}

impl<'de> DeserializeSeed<'de> for Document<'_, '_> {
    type Value = Outcome<'de>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Document<'_, '_> {
    type Value = Outcome<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array or object")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        MailboxArray(self.0).visit_seq(seq)?;
        Ok(Outcome {
            shape: Some(Shape::PowerShellArray),
            deferred_mailboxes: None,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let context = self.0;
        let options = context.options;
        let mut outcome = Outcome {
            shape: None,
            deferred_mailboxes: None,
        };
        let mut licence_seen = false;
        let mut bare_mailbox: Option<MailboxBuilder> = None;
        let classify = |key: &str| TopKey::classify(key, options);
        // The document's own keys; a bare mailbox hands them on to the mailbox's log.
        let mut keys = KeyLog::default();
        while let Some(key) = map.next_key_seed(LoggedKey(&mut keys, classify))? {
            let key = match key {
                Ok(key) => key,
                Err(repeated) => {
                    let subject = match outcome.shape {
                        None | Some(Shape::PowerShellObject) => "the mailbox at index 0",
                        Some(_) => "the file's top-level object",
                    };
                    return Err(context.repeated(subject.to_string(), repeated));
                }
            };
            match key {
                TopKey::Value => {
                    outcome.shape = Some(Shape::Rest);
                    map.next_value_seed(MailboxArray(&mut *context))?;
                }
                TopKey::Mailboxes => {
                    outcome.shape = Some(Shape::Snapshot);
                    // The tenant-wide licence applies to every mailbox, so mailboxes written
                    // before it wait, unparsed, until the object has been read.
                    if licence_seen {
                        map.next_value_seed(MailboxArray(&mut *context))?;
                    } else {
                        outcome.deferred_mailboxes = Some(map.next_value()?);
                    }
                }
                TopKey::Organization => {
                    outcome.shape = Some(Shape::Snapshot);
                    map.next_value_seed(OrganizationSeed(&mut *context))?;
                }
                TopKey::AuditBypass => {
                    outcome.shape = Some(Shape::Snapshot);
                    map.next_value_seed(BypassArray(&mut *context))?;
                }
                TopKey::Licence => {
                    outcome.shape = Some(Shape::Snapshot);
                    licence_seen = true;
                    context.licence_hint =
                        map.next_value_seed(LicenceHint).inspect_err(|error| {
                            context.problem.get_or_insert(Problem::Property {
                                subject: "the snapshot".to_string(),
                                property: "licence".to_string(),
                                message: error.to_string(),
                                hint: "write \"E5\" or \"nonE5\"",
                            });
                        })?;
                }
                // A property auditform reads settles it: the object is one bare mailbox.
                TopKey::Other(key @ Key::Known(_)) if outcome.shape.is_none() => {
                    let mut mailbox = bare_mailbox.take().unwrap_or_default();
                    context.keys = std::mem::take(&mut keys);
                    mailbox.property(key, &mut map, context)?;
                    mailbox.read_rest(&mut map, context)?;
                    outcome.shape = Some(Shape::PowerShellObject);
                }
                // Other keys before the shape is known may belong to a bare mailbox, or be
                // a newer snapshot's additions: keep what a filter wants until it is clear.
                TopKey::Other(key @ Key::Extra(_)) if outcome.shape.is_none() => {
                    bare_mailbox
                        .get_or_insert_with(MailboxBuilder::default)
                        .property(key, &mut map, context)?;
                }
                TopKey::Annotation | TopKey::Other(_) => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(outcome)
    }
}

/// The snapshot's tenant-wide `licence` hint: "E5" or "nonE5", case-insensitive.
struct LicenceHint;

impl<'de> DeserializeSeed<'de> for LicenceHint {
    type Value = Option<LicenceTier>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Visitor<'_> for LicenceHint {
    type Value = Option<LicenceTier>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("\"E5\" or \"nonE5\"")
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        if value.eq_ignore_ascii_case("E5") {
            Ok(Some(LicenceTier::E5))
        } else if value.eq_ignore_ascii_case("nonE5") {
            Ok(Some(LicenceTier::NonE5))
        } else {
            Err(E::invalid_value(de::Unexpected::Str(value), &self))
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests;
