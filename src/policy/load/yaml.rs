//! YAML mechanics for the loader: splitting a file into documents, finding where a node was
//! written, and phrasing the deserializer's errors for a person.
//!
//! The deserializer has no spanned values; its errors carry the position of the node being read.
//! A probe uses that: it walks a key path and fails on purpose at the target node, and the failure
//! says where the node is.

use crate::catalog;
use crate::policy::schema::decode_raised;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// One document's text, cut from a file at its `---` / `...` markers, so that each pass over a
/// document parses only that document.
#[derive(Debug, Clone, Copy)]
pub(super) struct Chunk<'a> {
    pub text: &'a str,
    /// Lines of the file before this chunk.
    pub lines_before: usize,
}

impl<'a> Chunk<'a> {
    /// The file's 1-based line and column for a location inside this chunk.
    pub fn place(&self, location: &serde_yaml::Location) -> (usize, usize) {
        (self.lines_before + location.line(), location.column())
    }

    /// The `index`-th document of this chunk, parsed afresh.
    pub fn document(&self, index: usize) -> Option<serde_yaml::Deserializer<'a>> {
        serde_yaml::Deserializer::from_str(self.text).nth(index)
    }
}

fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
}

/// Cuts a file before every `---` and after every `...` line. YAML forbids these markers at the
/// start of a line inside content, so a cut never splits a node; should one ever hold several
/// documents, the loader still reads them all.
pub(super) fn split_documents(text: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut start_line = 0;
    let mut offset = 0;
    let mut line_number = 0;
    for line in text.split_inclusive('\n') {
        if is_marker(line, "---") && offset > start {
            chunks.push(Chunk {
                text: &text[start..offset],
                lines_before: start_line,
            });
            start = offset;
            start_line = line_number;
        }
        offset += line.len();
        line_number += 1;
        if is_marker(line, "...") {
            chunks.push(Chunk {
                text: &text[start..offset],
                lines_before: start_line,
            });
            start = offset;
            start_line = line_number;
        }
    }
    if start < text.len() {
        chunks.push(Chunk {
            text: &text[start..],
            lines_before: start_line,
        });
    }
    chunks
}

/// One step of a path into a document.
#[derive(Debug, Clone, Copy)]
pub(super) enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

/// Where the node at `path` was written; the deepest node on the path that exists when the
/// path does not lead all the way.
pub(super) fn locate(
    chunk: &Chunk<'_>,
    document: usize,
    path: &[Step<'_>],
) -> Option<(usize, usize)> {
    let deserializer = chunk.document(document)?;
    match (Probe { path }).deserialize(deserializer) {
        Ok(()) => None,
        Err(error) => error.location().map(|location| chunk.place(&location)),
    }
}

struct Probe<'p> {
    path: &'p [Step<'p>],
}

impl<'de> DeserializeSeed<'de> for Probe<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        // Every visit that is not a step along the path fails, so the error is raised at the
        // target node, or at the deepest node the path reached.
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Probe<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the probed node")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((Step::Key(wanted), rest)) = self.path.split_first() else {
            return Err(de::Error::custom("here"));
        };
        while let Some(key) = map.next_key::<String>()? {
            if key == *wanted {
                return map.next_value_seed(Probe { path: rest });
            }
            map.next_value::<IgnoredAny>()?;
        }
        Err(de::Error::custom("here"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((Step::Index(wanted), rest)) = self.path.split_first() else {
            return Err(de::Error::custom("here"));
        };
        let mut index = 0;
        while index < *wanted {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Err(de::Error::custom("here"));
            }
            index += 1;
        }
        match seq.next_element_seed(Probe { path: rest })? {
            Some(()) => Ok(()),
            None => Err(de::Error::custom("here")),
        }
    }
}

/// A deserializer error, phrased for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Described {
    pub message: String,
    pub hint: Option<String>,
    /// A byte offset into the scalar the error is about.
    pub offset: Option<usize>,
}

const SERDE_PHRASES: [&str; 7] = [
    "unknown field `",
    "missing field `",
    "duplicate field `",
    "invalid type: ",
    "invalid value: ",
    "invalid length ",
    "unknown variant `",
];

pub(super) fn describe(error: &serde_yaml::Error) -> Described {
    let rendered = error.to_string();
    if let Some(raised) = decode_raised(&rendered) {
        return Described {
            message: raised.message,
            hint: raised.hint,
            offset: raised.offset,
        };
    }
    let text = strip_positions(&rendered);
    let (path, message) = split_path(&text);
    let within = match path {
        Some(path) => format!(" in `{path}`"),
        None => String::new(),
    };
    let plain = |message: String, hint: Option<String>| Described {
        message,
        hint,
        offset: None,
    };
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once("`, expected ").unwrap_or((rest, ""));
        let expected = backticked(expected);
        let suggestion = catalog::closest(field, expected.iter().map(String::as_str));
        let hint = match expected.as_slice() {
            [] => None,
            keys => Some(format!(
                "valid keys{within} are {}",
                keys.iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        let did_you_mean = suggestion
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return plain(format!("unknown key `{field}`{within}{did_you_mean}"), hint);
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.trim_end_matches('`');
        return plain(format!("missing key `{field}`{within}"), None);
    }
    if let Some(rest) = message.strip_prefix("duplicate field `") {
        let field = rest.trim_end_matches('`');
        return plain(format!("key `{field}` is given twice{within}"), None);
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            if expected == "struct Header" {
                return plain(
                    format!("a policy document is a mapping, not a {found}"),
                    Some("start it with `apiVersion: auditform/v1` and `kind: ...`".to_string()),
                );
            }
            // Serde names the Rust type it wanted; a person wrote a YAML mapping.
            let expected = if expected.starts_with("struct ") {
                "a mapping"
            } else {
                expected
            };
            return plain(
                format!("wrong type{within}: expected {expected}, found {found}"),
                None,
            );
        }
    }
    if message.starts_with("recursion limit exceeded") {
        return plain(
            "the YAML is nested too deeply".to_string(),
            Some("a policy needs only a few levels of nesting".to_string()),
        );
    }
    if message.starts_with("repetition limit exceeded") {
        return plain(
            "the YAML expands aliases too many times".to_string(),
            Some(
                "aliases (`*name`) may repeat a node only a few times; write the values out"
                    .to_string(),
            ),
        );
    }
    if SERDE_PHRASES.iter().any(|p| message.starts_with(p)) {
        return plain(format!("{message}{within}"), None);
    }
    plain(format!("invalid YAML: {message}"), None)
}

/// Names quoted in backticks, in order.
fn backticked(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// Drops `at line L column C` and `at position N`: the diagnostic shows the position itself.
fn strip_positions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(" at ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 4..];
        let skipped = skip_position(after);
        match skipped {
            Some(remaining) => rest = remaining,
            None => {
                out.push_str(" at ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn skip_position(text: &str) -> Option<&str> {
    fn number(text: &str) -> Option<&str> {
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        (digits > 0).then(|| &text[digits..])
    }
    if let Some(rest) = text.strip_prefix("line ") {
        let rest = number(rest)?;
        return number(rest.strip_prefix(" column ")?);
    }
    number(text.strip_prefix("position ")?)
}

/// Splits `spec.audit: message` into the path and the message, for serde's own messages.
fn split_path(text: &str) -> (Option<&str>, &str) {
    let found = SERDE_PHRASES
        .iter()
        .chain(["recursion limit", "repetition limit"].iter())
        .filter_map(|phrase| text.find(phrase))
        .min();
    match found {
        Some(at) if at >= 2 && text[..at].ends_with(": ") => {
            let path = text[..at - 2].trim_end_matches(".?").trim_end_matches('?');
            let path = (!path.is_empty() && path != ".").then_some(path);
            (path, &text[at..])
        }
        Some(at) => (None, &text[at..]),
        None => (None, text),
    }
}

/// Flow collections (`[...]`, `{...}`) nested deeper than this are refused before parsing.
pub(super) const MAX_FLOW_DEPTH: usize = 64;

/// Where flow nesting first goes deeper than [`MAX_FLOW_DEPTH`], as a 1-based line and column.
///
/// The parser's own depth guard applies only to what is deserialized, and it reads deeply
/// nested flow collections in time quadratic in their depth, so a small file could stall it.
/// This scan is best effort about quotes and comments, which can only make it miss nesting.
pub(super) fn excessive_flow_depth(text: &str) -> Option<(usize, usize)> {
    let (mut line, mut column) = (1, 0);
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut in_comment = false;
    let mut previous = '\n';
    let mut escaped = false;
    for c in text.chars() {
        column += 1;
        if c == '\n' {
            (line, column, in_comment) = (line + 1, 0, false);
            if quote.is_none() {
                previous = c;
                continue;
            }
        }
        if in_comment {
            continue;
        }
        match quote {
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(open) if c == open => quote = None,
            Some(_) => {}
            None => {
                let at_scalar_start = previous.is_whitespace() || "[{,:".contains(previous);
                match c {
                    '#' if previous.is_whitespace() => in_comment = true,
                    '\'' | '"' if at_scalar_start => quote = Some(c),
                    '[' | '{' => {
                        depth += 1;
                        if depth > MAX_FLOW_DEPTH {
                            return Some((line, column));
                        }
                    }
                    ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
        }
        previous = c;
    }
    None
}
