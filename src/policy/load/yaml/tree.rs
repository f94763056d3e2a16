//! YAML documents as trees of nodes that each know where they were written, built once from
//! the parser's events. Reading a policy walks the tree, so that any node's place is at hand,
//! whether a value is refused or accepted.
//!
//! The parser itself has no limits on what it builds, so this is where a document is refused
//! for nesting too deep or for aliases that would repeat a node too many times (an alias bomb).
//! An alias shares the node it names rather than copying it, so building costs no more than
//! the text; the guard counts what reading the document would expand.

use super::events::{Event, Mark, Parser, ScalarStyle, SyntaxError};
use std::collections::HashMap;
use std::rc::Rc;

/// Collections nested deeper than this are refused, as yaml_serde refuses them.
pub const MAX_DEPTH: usize = 128;

/// Aliases may make a document this many times larger than it is written, and no more.
pub const MAX_EXPANSION: usize = 100;

/// One node of a document.
#[derive(Debug, PartialEq, Eq)]
pub struct Node {
    /// Where the node starts; for an aliased node, where its anchor's node starts.
    pub mark: Mark,
    /// A tag written on the node, such as `!!str`, in its full form.
    pub tag: Option<String>,
    pub value: Value,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Value {
    Scalar {
        text: String,
        style: ScalarStyle,
    },
    Sequence(Vec<Rc<Node>>),
    /// Keys and values in the order written.
    Mapping(Vec<(Rc<Node>, Rc<Node>)>),
}

/// Why a text is not a readable YAML document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TreeError {
    Syntax(SyntaxError),
    /// Collections nested deeper than [`MAX_DEPTH`].
    TooDeep(Mark),
    /// Aliases that would expand the document more than [`MAX_EXPANSION`] times.
    TooManyAliases(Mark),
    /// An alias to an anchor that no earlier node of the document carries.
    UnknownAnchor {
        anchor: String,
        mark: Mark,
    },
}

impl TreeError {
    pub fn mark(&self) -> Mark {
        match self {
            TreeError::Syntax(error) => error.mark,
            TreeError::TooDeep(mark) | TreeError::TooManyAliases(mark) => *mark,
            TreeError::UnknownAnchor { mark, .. } => *mark,
        }
    }
}

/// Reads the documents of a text one at a time.
pub struct Documents<'input> {
    parser: Parser<'input>,
    finished: bool,
}

impl<'input> Documents<'input> {
    pub fn new(text: &'input str) -> Documents<'input> {
        Documents {
            parser: Parser::new(text),
            finished: false,
        }
    }

    /// The next document's root, or its error. After an error or at the end, `None`.
    pub fn next_document(&mut self) -> Option<Result<Rc<Node>, TreeError>> {
        if self.finished {
            return None;
        }
        let result = self.read_document();
        match result {
            Ok(Some(root)) => Some(Ok(root)),
            Ok(None) => {
                self.finished = true;
                None
            }
            Err(error) => {
                self.finished = true;
                Some(Err(error))
            }
        }
    }

    fn next_event(&mut self) -> Result<(Event, Mark), TreeError> {
        self.parser.next_event().map_err(TreeError::Syntax)
    }

    /// One document, or `None` at the end of the stream.
    fn read_document(&mut self) -> Result<Option<Rc<Node>>, TreeError> {
        loop {
            match self.next_event()? {
                (Event::StreamStart, _) => {}
                (Event::StreamEnd, _) => return Ok(None),
                (Event::DocumentStart, _) => break,
                // The parser gives nothing else between documents.
                (_, mark) => {
                    return Err(TreeError::Syntax(SyntaxError {
                        problem: "expected the start of a document".to_string(),
                        mark,
                        context: None,
                    }))
                }
            }
        }
        let mut builder = Builder::default();
        loop {
            let (event, mark) = self.next_event()?;
            if event == Event::DocumentEnd {
                break;
            }
            builder.event(event, mark)?;
        }
        Ok(builder.root)
    }
}

/// A collection being read: its node's parts so far.
struct Open {
    mark: Mark,
    tag: Option<String>,
    anchor: Option<String>,
    kind: OpenKind,
    /// Nodes of the collection as written, counting what aliases in it expand to.
    weight: usize,
}

enum OpenKind {
    Sequence(Vec<Rc<Node>>),
    Mapping {
        entries: Vec<(Rc<Node>, Rc<Node>)>,
        key: Option<Rc<Node>>,
    },
}

#[derive(Default)]
struct Builder {
    open: Vec<Open>,
    anchors: HashMap<String, (Rc<Node>, usize)>,
    root: Option<Rc<Node>>,
    /// Nodes as written (aliases count one each) and as reading would expand them.
    written: usize,
    expanded: usize,
}

impl Builder {
    fn event(&mut self, event: Event, mark: Mark) -> Result<(), TreeError> {
        match event {
            Event::Scalar {
                anchor,
                tag,
                value,
                style,
            } => {
                let node = Rc::new(Node {
                    mark,
                    tag,
                    value: Value::Scalar { text: value, style },
                });
                self.written += 1;
                self.expanded += 1;
                self.finish_node(node, anchor, 1)
            }
            Event::Alias { anchor } => {
                let Some((node, weight)) = self.anchors.get(&anchor).cloned() else {
                    return Err(TreeError::UnknownAnchor { anchor, mark });
                };
                self.written += 1;
                self.expanded = self.expanded.saturating_add(weight);
                if self.expanded > self.written.saturating_mul(MAX_EXPANSION) {
                    return Err(TreeError::TooManyAliases(mark));
                }
                self.add(node, weight)
            }
            Event::SequenceStart { anchor, tag } => self.open(mark, tag, anchor, true),
            Event::MappingStart { anchor, tag } => self.open(mark, tag, anchor, false),
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            // Stream and document events never come inside a document.
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart | Event::DocumentEnd => {
                Ok(())
            }
        }
    }

    fn open(
        &mut self,
        mark: Mark,
        tag: Option<String>,
        anchor: Option<String>,
        sequence: bool,
    ) -> Result<(), TreeError> {
        if self.open.len() >= MAX_DEPTH {
            return Err(TreeError::TooDeep(mark));
        }
        self.written += 1;
        self.expanded += 1;
        let kind = if sequence {
            OpenKind::Sequence(Vec::new())
        } else {
            OpenKind::Mapping {
                entries: Vec::new(),
                key: None,
            }
        };
        self.open.push(Open {
            mark,
            tag,
            anchor,
            kind,
            weight: 1,
        });
        Ok(())
    }

    fn close(&mut self) -> Result<(), TreeError> {
        let Some(open) = self.open.pop() else {
            return Ok(());
        };
        let value = match open.kind {
            OpenKind::Sequence(items) => Value::Sequence(items),
            OpenKind::Mapping { entries, .. } => Value::Mapping(entries),
        };
        let node = Rc::new(Node {
            mark: open.mark,
            tag: open.tag,
            value,
        });
        self.finish_node(node, open.anchor, open.weight)
    }

    /// Records a complete node under its anchor, and adds it to its parent.
    fn finish_node(
        &mut self,
        node: Rc<Node>,
        anchor: Option<String>,
        weight: usize,
    ) -> Result<(), TreeError> {
        if let Some(anchor) = anchor {
            self.anchors.insert(anchor, (Rc::clone(&node), weight));
        }
        self.add(node, weight)
    }

    fn add(&mut self, node: Rc<Node>, weight: usize) -> Result<(), TreeError> {
        let Some(parent) = self.open.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        parent.weight = parent.weight.saturating_add(weight);
        match &mut parent.kind {
            OpenKind::Sequence(items) => items.push(node),
            OpenKind::Mapping { entries, key } => match key.take() {
                None => *key = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
