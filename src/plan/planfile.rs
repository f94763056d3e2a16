//! Saved plans (DESIGN §3): `plan --out FILE` writes the JSON plan document with a
//! `plan_file` section and a digest, and `show FILE` and `apply FILE` read it back.
//!
//! The digest is `sha256:` and the hex SHA-256 of the document's compact serialization without
//! the `digest` key, which is written last. Reading strips whitespace outside strings, takes
//! the trailing `"digest"` entry off, and hashes the rest; so a file whose line endings or
//! indentation changed on the way still reads, while any change of a value is refused.
//!
//! Encoding and decoding are pure; `files::plan_file` saves and loads the bytes.

use crate::plan::document::{
    compact, streaming_document, write_value, DocumentError, Layout, PlanDocument, FORMAT_MAJOR,
    WRITE_BUFFER,
};
pub use crate::plan::document::{PlanFileInfo, PlannedState};
use crate::plan::Plan;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::io::{self, Write};
use std::path::PathBuf;

const DIGEST_PREFIX: &str = "sha256:";

/// A plan read back from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedPlan {
    pub plan: Plan,
    pub info: PlanFileInfo,
}

impl SavedPlan {
    /// The state the plan was made from, when the plan file records it.
    pub fn state(&self) -> Option<&PlannedState> {
        self.info.state.as_ref()
    }

    /// The state file the plan was made from: the recorded absolute path, else (a plan file
    /// older than that record) the path in `source`, which is relative to wherever `plan`
    /// ran. `None` for a plan of a live tenant.
    pub fn snapshot_path(&self) -> Option<PathBuf> {
        match self.state() {
            Some(PlannedState::Snapshot { path }) => Some(PathBuf::from(path)),
            Some(PlannedState::Exo { .. }) => None,
            None => self
                .plan
                .source
                .strip_prefix("snapshot ")
                .map(PathBuf::from),
        }
    }
}

/// Why a plan file was refused. Every one of these means: make the plan again.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("could not read it: {0}")]
    Read(#[source] io::Error),
    #[error("could not write it: {0}")]
    Write(#[source] io::Error),
    #[error("it is truncated: the JSON ends before the plan does")]
    Truncated,
    #[error("it is not valid JSON: {message} at line {line}, column {column}")]
    InvalidJson {
        message: String,
        line: usize,
        column: usize,
    },
    #[error("it is not an auditform plan file: {reason}")]
    NotAPlan { reason: String },
    #[error("its format_version is {found}, and this auditform reads {FORMAT_MAJOR}.x only")]
    UnsupportedVersion { found: String },
    #[error("it has no digest, so it can't be trusted to be the plan that was reviewed")]
    MissingDigest,
    #[error("it was edited after it was written: its digest does not match its contents")]
    Edited,
    #[error("its contents are not a valid plan: {0}")]
    Malformed(String),
}

impl PlanFileError {
    pub fn hint(&self) -> &'static str {
        match self {
            PlanFileError::Read(_) => {
                "check the path; `auditform plan --out FILE` saves a plan to FILE"
            }
            PlanFileError::Write(_) => "check that the directory exists and is writable",
            PlanFileError::UnsupportedVersion { .. } => {
                "use the auditform version that wrote it, or run `auditform plan --out FILE` again"
            }
            _ => "run `auditform plan --out FILE` again to write a fresh plan, and review it",
        }
    }
}

impl From<DocumentError> for PlanFileError {
    fn from(error: DocumentError) -> Self {
        PlanFileError::Malformed(error.to_string())
    }
}

/// Writes the plan file's bytes: the plan's document with `plan_file` and `digest`, ending in
/// a newline. Compact, it is written as it is serialized, in one pass: the bytes written are
/// the bytes the digest covers, up to the closing brace, which the digest entry goes before.
/// Pretty, the document is serialized twice: compact for the digest, then indented.
pub fn encode(
    plan: &Plan,
    info: PlanFileInfo,
    layout: Layout,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut document = streaming_document(plan);
    document.plan_file = Some(info);
    let mut out = io::BufWriter::with_capacity(WRITE_BUFFER, out);
    match layout {
        Layout::Compact => {
            let mut digesting = DigestingWriter {
                out: &mut out,
                hasher: Sha256::new(),
            };
            compact::write_document_open(
                plan,
                document.plan_file.as_ref(),
                &serde_json::ser::CompactFormatter,
                &mut digesting,
            )?;
            // The digest covers the document without it, which ends here.
            let mut hasher = digesting.hasher;
            hasher.update(b"}");
            out.write_all(b",\"digest\":")?;
            serde_json::to_writer(&mut out, &hex_digest(hasher))?;
            out.write_all(b"}")?;
        }
        Layout::Pretty => {
            let mut hasher = HashWriter(Sha256::new());
            serde_json::to_writer(&mut hasher, &document)?;
            document.digest = Some(hex_digest(hasher.0));
            write_value(&document, layout, &mut out)?;
        }
    }
    out.write_all(b"\n")?;
    out.flush()
}

/// Passes everything written on to `out`, and into the digest.
struct DigestingWriter<'o, W: Write> {
    out: &'o mut W,
    hasher: Sha256,
}

impl<W: Write> Write for DigestingWriter<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = self.out.write(bytes)?;
        self.hasher.update(&bytes[..written]);
        Ok(written)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Reads a plan file's bytes, refusing anything but an intact plan of a readable version.
pub fn decode(bytes: &[u8]) -> Result<SavedPlan, PlanFileError> {
    let header: Header = serde_json::from_slice(bytes).map_err(|error| {
        use serde_json::error::Category;
        match error.classify() {
            Category::Eof => PlanFileError::Truncated,
            Category::Syntax => PlanFileError::InvalidJson {
                message: syntax_message(&error),
                line: error.line(),
                column: error.column(),
            },
            Category::Data | Category::Io => PlanFileError::NotAPlan {
                reason: "it is not a JSON object with a `format_version`".to_string(),
            },
        }
    })?;
    let Some(version) = header.format_version else {
        return Err(PlanFileError::NotAPlan {
            reason: "it has no `format_version`".to_string(),
        });
    };
    if header.mailbox_changes.is_none() {
        return Err(PlanFileError::NotAPlan {
            reason: "it has no `mailbox_changes`".to_string(),
        });
    }
    if major_version(&version) != Some(FORMAT_MAJOR) {
        return Err(PlanFileError::UnsupportedVersion { found: version });
    }
    if header.plan_file.is_none() {
        return Err(PlanFileError::NotAPlan {
            reason: "it has no `plan_file` section (`plan --format json` prints a plan; \
                     `plan --out FILE` saves one)"
                .to_string(),
        });
    }
    verify_digest(bytes)?;
    let mut document: PlanDocument = serde_json::from_slice(bytes)
        .map_err(|error| PlanFileError::Malformed(error.to_string()))?;
    let Some(info) = document.plan_file.take() else {
        return Err(PlanFileError::Malformed("`plan_file` is null".to_string()));
    };
    Ok(SavedPlan {
        plan: document.into_plan()?,
        info,
    })
}

/// `sha256:<hex>` over files given as (path, contents), sorted by path, each framed by its
/// length so that moving bytes between files changes the digest.
pub fn policies_digest<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let mut files: Vec<(&str, &[u8])> = files.into_iter().collect();
    files.sort();
    let mut hasher = Sha256::new();
    for (path, contents) in files {
        hasher.update((path.len() as u64).to_le_bytes());
        hasher.update(path.as_bytes());
        hasher.update((contents.len() as u64).to_le_bytes());
        hasher.update(contents);
    }
    hex_digest(hasher)
}

/// Just enough of a document to tell whether it is a plan of a version this build reads.
#[derive(Deserialize)]
struct Header {
    format_version: Option<String>,
    mailbox_changes: Option<serde::de::IgnoredAny>,
    plan_file: Option<serde::de::IgnoredAny>,
}

fn major_version(version: &str) -> Option<u64> {
    let (major, minor) = version.split_once('.')?;
    if minor.is_empty() || !minor.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    major.parse().ok()
}

/// serde_json's message without its own " at line L column C" suffix, which we add ourselves.
fn syntax_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

fn verify_digest(bytes: &[u8]) -> Result<(), PlanFileError> {
    let compact = strip_whitespace(bytes);
    // `,"digest":"sha256:<64 hex>"}`
    const HEX_LEN: usize = 64;
    let key = b",\"digest\":\"";
    let suffix_len = key.len() + DIGEST_PREFIX.len() + HEX_LEN + 2;
    if compact.len() < suffix_len {
        return Err(PlanFileError::MissingDigest);
    }
    let (body, suffix) = compact.split_at(compact.len() - suffix_len);
    let Some(recorded) = suffix
        .strip_prefix(key.as_slice())
        .and_then(|rest| rest.strip_suffix(b"\"}".as_slice()))
    else {
        return Err(PlanFileError::MissingDigest);
    };
    let mut hasher = Sha256::new();
    hasher.update(body);
    hasher.update(b"}");
    if recorded == hex_digest(hasher).as_bytes() {
        Ok(())
    } else {
        Err(PlanFileError::Edited)
    }
}

/// JSON without the whitespace between tokens: serde_json's compact form of a document it
/// pretty-printed.
fn strip_whitespace(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut in_string = false;
    let mut escaped = false;
    for &byte in bytes {
        if in_string {
            out.push(byte);
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
        } else if !matches!(byte, b' ' | b'\n' | b'\r' | b'\t') {
            in_string = byte == b'"';
            out.push(byte);
        }
    }
    out
}

fn hex_digest(hasher: Sha256) -> String {
    let digest = hasher.finalize();
    let mut text = String::with_capacity(DIGEST_PREFIX.len() + 64);
    text.push_str(DIGEST_PREFIX);
    for byte in digest {
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

struct HashWriter(Sha256);

impl Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
