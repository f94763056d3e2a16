//! YAML as a stream of events, each with the place it starts: libyaml's parser, as the YAML
//! organization keeps it in Rust (`libyaml-rs`). It is the parser yaml_serde reads with, so a
//! policy is accepted or refused exactly as yaml_serde would; yaml_serde keeps its event API
//! private, and only events say where every node was written.
//!
//! libyaml-rs speaks libyaml's C interface. This file is the only one that does, and the only
//! unsafe code in auditform; it follows yaml_serde's own wrapper (`src/libyaml/parser.rs`).

#![allow(unsafe_code)]

use libyaml_rs as sys;
use std::ffi::CStr;
use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::ptr::NonNull;

/// Where an event starts: a 0-based byte offset, and 0-based line and column (in characters),
/// as libyaml counts them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mark {
    pub index: usize,
    pub line: usize,
    pub column: usize,
}

impl From<sys::yaml_mark_t> for Mark {
    fn from(mark: sys::yaml_mark_t) -> Mark {
        Mark {
            index: mark.index as usize,
            line: mark.line as usize,
            column: mark.column as usize,
        }
    }
}

/// How a scalar was written. Only a plain scalar can be a number, a boolean or null.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias {
        anchor: String,
    },
    Scalar {
        anchor: Option<String>,
        tag: Option<String>,
        value: String,
        style: ScalarStyle,
    },
    SequenceStart {
        anchor: Option<String>,
        tag: Option<String>,
    },
    SequenceEnd,
    MappingStart {
        anchor: Option<String>,
        tag: Option<String>,
    },
    MappingEnd,
}

/// The parser's refusal: what is wrong, where, and what it was reading at the time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub problem: String,
    pub mark: Mark,
    /// What the parser was reading, such as "while parsing a block mapping".
    pub context: Option<String>,
}

/// Reads events from a text, one at a time.
pub struct Parser<'input> {
    /// Boxed, so that it never moves: libyaml keeps a pointer to it in itself.
    raw: NonNull<sys::yaml_parser_t>,
    /// libyaml reads the text through a pointer it keeps.
    text: PhantomData<&'input str>,
}

impl<'input> Parser<'input> {
    pub fn new(text: &'input str) -> Parser<'input> {
        let boxed = Box::new(MaybeUninit::<sys::yaml_parser_t>::zeroed());
        let raw = NonNull::from(Box::leak(boxed)).cast::<sys::yaml_parser_t>();
        // SAFETY: `raw` points to zeroed memory of the right layout that nothing else uses;
        // initializing it allocates with Rust's allocator, which aborts rather than fail. The
        // text outlives the parser, which borrows it for 'input.
        unsafe {
            let _ = sys::yaml_parser_initialize(raw.as_ptr());
            sys::yaml_parser_set_encoding(raw.as_ptr(), sys::YAML_UTF8_ENCODING);
            sys::yaml_parser_set_input_string(raw.as_ptr(), text.as_ptr(), text.len() as u64);
        }
        Parser {
            raw,
            text: PhantomData,
        }
    }

    /// The next event and where it starts. After an error every call gives the same error.
    pub fn next_event(&mut self) -> Result<(Event, Mark), SyntaxError> {
        let parser = self.raw.as_ptr();
        let mut event = MaybeUninit::<sys::yaml_event_t>::zeroed();
        // SAFETY: the parser is initialized and owned by `self`; the event is read only after
        // the parser filled it, and deleted once, after its data was copied out.
        unsafe {
            if (&*parser).error != sys::YAML_NO_ERROR {
                return Err(syntax_error(parser));
            }
            let event = event.as_mut_ptr();
            if sys::yaml_parser_parse(parser, event).fail {
                return Err(syntax_error(parser));
            }
            let converted = convert(&*event);
            let mark = Mark::from((*event).start_mark);
            sys::yaml_event_delete(event);
            Ok((converted, mark))
        }
    }
}

impl Drop for Parser<'_> {
    fn drop(&mut self) {
        // SAFETY: the parser was initialized in `new`, and this is the only place it is freed;
        // the box is rebuilt from the pointer `Box::leak` gave.
        unsafe {
            sys::yaml_parser_delete(self.raw.as_ptr());
            drop(Box::from_raw(
                self.raw.as_ptr().cast::<MaybeUninit<sys::yaml_parser_t>>(),
            ));
        }
    }
}

/// # Safety
/// `parser` is an initialized parser that has failed.
unsafe fn syntax_error(parser: *const sys::yaml_parser_t) -> SyntaxError {
    // SAFETY: a failed parser's problem and context are NUL-terminated static strings or null.
    unsafe {
        let parser: &sys::yaml_parser_t = &*parser;
        let problem = text_of(parser.problem)
            .unwrap_or_else(|| "the YAML parser failed without saying why".to_string());
        SyntaxError {
            problem,
            mark: Mark::from(parser.problem_mark),
            context: text_of(parser.context),
        }
    }
}

/// # Safety
/// `text` is null or points to a NUL-terminated string.
unsafe fn text_of(text: *const std::ffi::c_char) -> Option<String> {
    let text = NonNull::new(text.cast_mut())?;
    // SAFETY: as the caller promises.
    let text = unsafe { CStr::from_ptr(text.as_ptr()) };
    Some(text.to_string_lossy().into_owned())
}

/// # Safety
/// `bytes` is null or points to a NUL-terminated string, as anchors and tags are.
unsafe fn optional(bytes: *const u8) -> Option<String> {
    // SAFETY: as the caller promises.
    unsafe { text_of(bytes.cast()) }
}

/// # Safety
/// `event` was filled by the parser, and its data is the member its type names.
unsafe fn convert(event: &sys::yaml_event_t) -> Event {
    // SAFETY: each arm reads the union member that the event's type names.
    unsafe {
        match event.type_ {
            sys::YAML_STREAM_START_EVENT => Event::StreamStart,
            sys::YAML_STREAM_END_EVENT => Event::StreamEnd,
            sys::YAML_DOCUMENT_START_EVENT => Event::DocumentStart,
            sys::YAML_DOCUMENT_END_EVENT => Event::DocumentEnd,
            sys::YAML_ALIAS_EVENT => Event::Alias {
                anchor: optional(event.data.alias.anchor).unwrap_or_default(),
            },
            sys::YAML_SCALAR_EVENT => {
                let scalar = &event.data.scalar;
                let bytes = if scalar.value.is_null() {
                    &[][..]
                } else {
                    std::slice::from_raw_parts(scalar.value, scalar.length as usize)
                };
                Event::Scalar {
                    anchor: optional(scalar.anchor),
                    tag: optional(scalar.tag),
                    // The input is UTF-8 and libyaml writes UTF-8, so this is never lossy.
                    value: String::from_utf8_lossy(bytes).into_owned(),
                    style: match scalar.style {
                        sys::YAML_SINGLE_QUOTED_SCALAR_STYLE => ScalarStyle::SingleQuoted,
                        sys::YAML_DOUBLE_QUOTED_SCALAR_STYLE => ScalarStyle::DoubleQuoted,
                        sys::YAML_LITERAL_SCALAR_STYLE => ScalarStyle::Literal,
                        sys::YAML_FOLDED_SCALAR_STYLE => ScalarStyle::Folded,
                        _ => ScalarStyle::Plain,
                    },
                }
            }
            sys::YAML_SEQUENCE_START_EVENT => Event::SequenceStart {
                anchor: optional(event.data.sequence_start.anchor),
                tag: optional(event.data.sequence_start.tag),
            },
            sys::YAML_SEQUENCE_END_EVENT => Event::SequenceEnd,
            sys::YAML_MAPPING_START_EVENT => Event::MappingStart {
                anchor: optional(event.data.mapping_start.anchor),
                tag: optional(event.data.mapping_start.tag),
            },
            sys::YAML_MAPPING_END_EVENT => Event::MappingEnd,
            // The parser never returns "no event" after success; treat it as the end.
            _ => Event::StreamEnd,
        }
    }
}
