//! YAML for the loader: a file cut into documents, each parsed once into a tree whose every node
//! knows where it was written ([`tree`], from libyaml's events in [`events`]).
//!
//! Before parsing, a scan refuses flow collections nested too deeply, which the parser would
//! otherwise read in time quadratic in their depth.

pub mod events;
pub mod tree;

pub use events::{Mark, ScalarStyle};
pub use tree::{Documents, Node, TreeError, Value};

/// One document's text, cut from a file at its `---` / `...` markers, so that each pass over a
/// document parses only that document.
#[derive(Debug, Clone, Copy)]
pub(super) struct Chunk<'a> {
    pub text: &'a str,
    /// Lines of the file before this chunk.
    pub lines_before: usize,
}

impl<'a> Chunk<'a> {
    /// The file's 1-based line and column for a mark inside this chunk.
    pub fn place(&self, mark: Mark) -> (usize, usize) {
        (self.lines_before + mark.line + 1, mark.column + 1)
    }

    /// The chunk's documents, each parsed once.
    pub fn documents(&self) -> Documents<'a> {
        Documents::new(self.text)
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

/// The node at `path` under `node`, when there is one: where an accepted value was written.
pub(super) fn find<'n>(node: &'n Node, path: &[Step<'_>]) -> Option<&'n Node> {
    let Some((step, rest)) = path.split_first() else {
        return Some(node);
    };
    let next = match (step, &node.value) {
        (Step::Key(wanted), Value::Mapping(entries)) => entries
            .iter()
            .find(|(key, _)| matches!(&key.value, Value::Scalar { text, .. } if text == wanted))
            .map(|(_, value)| &**value),
        (Step::Index(index), Value::Sequence(items)) => items.get(*index).map(|item| &**item),
        _ => None,
    }?;
    find(next, rest)
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
