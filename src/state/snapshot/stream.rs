//! A PowerShell export (a top-level JSON array of mailboxes) read as a stream, so that a file
//! larger than memory never has to be held whole.
//!
//! One thread reads the file in large blocks and cuts them at element boundaries with a scanner
//! that only tracks strings, escapes and depth. Workers parse the elements of each block into
//! mailboxes, and the calling thread hands the mailboxes to the visitor in file order, so that
//! the plan is the same byte for byte as a whole-file read's. Errors keep their `line:column`
//! in the file.

use super::error::{Position, Problem, StateError};
use super::json_mailbox::{Context, MailboxSeed};
use super::json_values::KeyLog;
use crate::model::{BypassAssociation, Mailbox, Organization, SplitVisitor, StateVisitor};
use crate::state::ReadOptions;
use serde::de::DeserializeSeed;
use std::io::Read;
use std::ops::Range;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// How the stream is cut and parsed; the defaults suit a file of gigabytes on a few cores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamTuning {
    /// Bytes read before a block is cut and handed to a worker. Tests use tiny blocks.
    pub block_bytes: usize,
    /// Threads parsing blocks.
    pub workers: usize,
}

impl Default for StreamTuning {
    fn default() -> Self {
        StreamTuning {
            block_bytes: 4 << 20,
            workers: std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
        }
    }
}

/// Reads a top-level JSON array of mailboxes from `source`. The array must be the whole
/// document: the caller has seen that its first non-blank byte is `[`. Workers parse, and the
/// calling thread hands the mailboxes to `visitor` in file order.
pub fn read_array_stream(
    source: impl Read + Send,
    label: &str,
    visitor: &mut dyn StateVisitor,
    options: &ReadOptions,
    tuning: StreamTuning,
) -> Result<(), StateError> {
    stream_blocks(
        source,
        label,
        options,
        tuning,
        || Batch(Vec::new()),
        |batch| {
            for mailbox in batch.0 {
                visitor.mailbox(mailbox);
            }
        },
    )
}

/// [`read_array_stream`] for a visitor that splits: workers both parse and visit, and the
/// parts are merged in file order. Mailboxes are dropped on the thread that made them.
pub fn read_array_stream_split<V: SplitVisitor>(
    source: impl Read + Send,
    label: &str,
    visitor: &mut V,
    options: &ReadOptions,
    tuning: StreamTuning,
) -> Result<(), StateError> {
    let prototype = visitor.split();
    stream_blocks(
        source,
        label,
        options,
        tuning,
        || prototype.split(),
        |part| visitor.merge(part),
    )
}

fn stream_blocks<P: StateVisitor + Send>(
    source: impl Read + Send,
    label: &str,
    options: &ReadOptions,
    tuning: StreamTuning,
    new_part: impl Fn() -> P + Sync,
    mut take_part: impl FnMut(P),
) -> Result<(), StateError> {
    let workers = tuning.workers.max(1);
    let block_bytes = tuning.block_bytes.max(1);
    let new_part = &new_part;
    std::thread::scope(|scope| {
        let mut to_workers = Vec::with_capacity(workers);
        let mut from_workers = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (send_block, receive_block) = sync_channel::<Message>(1);
            let (send_part, receive_part) = sync_channel::<Result<P, StateError>>(2);
            to_workers.push(send_block);
            from_workers.push(receive_part);
            scope.spawn(move || parse_blocks(receive_block, send_part, label, options, new_part));
        }
        scope.spawn(move || cut_blocks(source, block_bytes, label, to_workers));
        // Blocks go to workers in turn, so taking results in the same turn keeps file order.
        let mut turn = 0;
        let outcome = loop {
            match from_workers[turn].recv() {
                Ok(Ok(part)) => take_part(part),
                Ok(Err(error)) => break Err(error),
                // The cutter ended the stream after the previous block.
                Err(_) => break Ok(()),
            }
            turn = (turn + 1) % workers;
        };
        // Dropping the receivers stops every thread that is still busy.
        drop(from_workers);
        outcome
    })
}

/// What the cutter sends a worker.
enum Message {
    Block(Block),
    /// The stream is broken here; every block before it has been sent.
    Fail(StateError),
}

/// Whole elements of the array, with where the block starts in the file.
struct Block {
    bytes: Vec<u8>,
    elements: Vec<Range<usize>>,
    /// The index of the block's first mailbox in the array.
    first_index: usize,
    /// File position of `bytes[0]`.
    start: Position,
}

fn parse_blocks<P: StateVisitor>(
    blocks: Receiver<Message>,
    batches: SyncSender<Result<P, StateError>>,
    label: &str,
    options: &ReadOptions,
    new_part: &impl Fn() -> P,
) {
    while let Ok(message) = blocks.recv() {
        let result = match message {
            Message::Block(block) => {
                let mut part = new_part();
                parse_block(&block, label, options, &mut part).map(|()| part)
            }
            Message::Fail(error) => Err(error),
        };
        let failed = result.is_err();
        if batches.send(result).is_err() || failed {
            return;
        }
    }
}

/// Collects a block's mailboxes, to be handed on in order.
struct Batch(Vec<Mailbox>);

impl StateVisitor for Batch {
    fn organization(&mut self, _: Organization) {}
    fn bypass(&mut self, _: BypassAssociation) {}
    fn mailbox(&mut self, mailbox: Mailbox) {
        self.0.push(mailbox);
    }
}

fn parse_block(
    block: &Block,
    label: &str,
    options: &ReadOptions,
    part: &mut dyn StateVisitor,
) -> Result<(), StateError> {
    let mut context = Context {
        visitor: part,
        options,
        licence_hint: None,
        mailboxes_read: block.first_index,
        bypass_read: 0,
        problem: None,
        keys: KeyLog::default(),
    };
    for element in &block.elements {
        let index = context.mailboxes_read;
        let bytes = &block.bytes[element.clone()];
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        let parsed = MailboxSeed(&mut context).deserialize(&mut deserializer);
        if parsed.is_ok() {
            if let Err(error) = deserializer.end() {
                // The element is whole and something other than `,` or `]` follows it: say
                // it as a whole-file read of the array does.
                let position =
                    block
                        .start
                        .advanced_by(&block.bytes[..element.start])
                        .then(Position {
                            line: error.line(),
                            column: error.column(),
                        });
                return Err(malformed(label, position, "expected `,` or `]`"));
            }
        }
        if let Err(error) = parsed {
            // A scalar cut short (`4e-`, `tru`) ends at the text's end only here: a whole-file
            // read sees the byte after it, and says what is wrong there ("invalid number").
            let error = match bytes_with_next(block, element) {
                Some(extended) if error.classify() == serde_json::error::Category::Eof => {
                    let mut again = serde_json::Deserializer::from_slice(extended);
                    <serde::de::IgnoredAny as serde::Deserialize>::deserialize(&mut again)
                        .err()
                        .unwrap_or(error)
                }
                _ => error,
            };
            // An element that is not an object at all, as a whole-file read says it.
            context.record(Problem::Shape {
                subject: format!("mailbox at index {index}"),
                message: error.to_string(),
            });
            let within = Position {
                line: error.line(),
                column: error.column(),
            };
            let position = block
                .start
                .advanced_by(&block.bytes[..element.start])
                .then(within);
            return Err(StateError::from_json(
                &error,
                position,
                context.problem.take(),
                label,
            ));
        }
    }
    Ok(())
}

/// An element with the byte after it (a blank, `,` or `]`), when the block holds that byte.
fn bytes_with_next<'b>(block: &'b Block, element: &Range<usize>) -> Option<&'b [u8]> {
    block.bytes.get(element.start..element.end + 1)
}

/// Where the cutter is in the array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Depth {
    /// Before the opening `[`.
    Before,
    /// Inside the array, at this nesting depth (1 is between elements).
    Inside(usize),
    /// After the closing `]`.
    After,
}

/// Tracks strings, escapes and depth across blocks, and finds the array's elements.
struct Scanner {
    depth: Depth,
    in_string: bool,
    escaped: bool,
    /// Start of the element being scanned, in the current buffer.
    element_start: Option<usize>,
    /// Whether a comma was seen since the last element (or the opening bracket).
    after_comma: bool,
}

/// Something the scanner found that is not JSON, at a byte of the buffer.
struct ScanError {
    at: usize,
    message: &'static str,
}

impl Scanner {
    /// Scans `buffer[from..]`, pushing complete elements. Stops early after the closing `]`.
    fn scan(
        &mut self,
        buffer: &[u8],
        from: usize,
        elements: &mut Vec<Range<usize>>,
    ) -> Result<(), ScanError> {
        let mut at = from;
        while at < buffer.len() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    at += 1;
                    continue;
                }
                match next_quote_or_backslash(&buffer[at..]) {
                    None => return Ok(()),
                    Some(found) => {
                        at += found;
                        if buffer[at] == b'\\' {
                            self.escaped = true;
                        } else {
                            self.in_string = false;
                        }
                        at += 1;
                        continue;
                    }
                }
            }
            // Inside an element, only quotes and brackets matter: skip everything else at once.
            if matches!(self.depth, Depth::Inside(depth) if depth > 1) {
                match next_structural(&buffer[at..]) {
                    None => return Ok(()),
                    Some(found) => at += found,
                }
            }
            let byte = buffer[at];
            match self.depth {
                Depth::Before => match byte {
                    b'[' => self.depth = Depth::Inside(1),
                    b' ' | b'\t' | b'\r' | b'\n' => {}
                    _ => {
                        return Err(ScanError {
                            at,
                            message: "expected value",
                        })
                    }
                },
                Depth::After => {
                    if !byte.is_ascii_whitespace() {
                        return Err(ScanError {
                            at,
                            message: "trailing characters",
                        });
                    }
                }
                Depth::Inside(1) => match byte {
                    b' ' | b'\t' | b'\r' | b'\n' => {}
                    b',' => match self.element_start.take() {
                        Some(start) => {
                            elements.push(start..trim_end(buffer, start, at));
                            self.after_comma = true;
                        }
                        None => {
                            return Err(ScanError {
                                at,
                                message: "expected value",
                            })
                        }
                    },
                    b']' => {
                        match self.element_start.take() {
                            Some(start) => elements.push(start..trim_end(buffer, start, at)),
                            None if self.after_comma => {
                                return Err(ScanError {
                                    at,
                                    message: "trailing comma",
                                })
                            }
                            None => {}
                        }
                        self.depth = Depth::After;
                    }
                    _ => {
                        self.element_start.get_or_insert(at);
                        self.after_comma = false;
                        self.open(byte);
                    }
                },
                Depth::Inside(_) => self.open(byte),
            }
            at += 1;
        }
        Ok(())
    }

    /// A byte inside an element, outside strings.
    fn open(&mut self, byte: u8) {
        let Depth::Inside(depth) = self.depth else {
            return;
        };
        match byte {
            b'"' => self.in_string = true,
            b'[' | b'{' => self.depth = Depth::Inside(depth + 1),
            // A stray closer between elements stays in the element, for serde to report.
            b']' | b'}' if depth > 1 => self.depth = Depth::Inside(depth - 1),
            _ => {}
        }
    }
}

/// Bytes that change the scanner's state inside an element, for the tail of a buffer.
const STRUCTURAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'[' as usize] = true;
    table[b']' as usize] = true;
    table[b'{' as usize] = true;
    table[b'}' as usize] = true;
    table
};

/// The first quote or bracket in `bytes`, eight bytes at a time: `[` and `]` differ from `{`
/// and `}` only in bit 5, so folding that bit leaves three bytes to look for.
fn next_structural(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let flag = flag_byte;
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[at..at + 8]);
        let word = u64::from_le_bytes(word);
        let folded = word | (ONES * 0x20);
        let found = flag(word, b'"') | flag(folded, b'{') | flag(folded, b'}');
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|&b| STRUCTURAL[usize::from(b)])
        .map(|found| at + found)
}

/// The first quote or backslash in `bytes`: the end of a string, or an escape in it. Strings
/// are short, so an inline word-at-a-time search beats a call per string.
fn next_quote_or_backslash(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[at..at + 8]);
        let word = u64::from_le_bytes(word);
        let found = flag_byte(word, b'"') | flag_byte(word, b'\\');
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    memchr::memchr2(b'"', b'\\', &bytes[at..]).map(|found| at + found)
}

/// Sets the high bit of the lowest byte of `word` equal to `byte` (and perhaps of bytes above
/// it, which callers ignore: borrows only run upwards).
fn flag_byte(word: u64, byte: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let equal = word ^ (ONES * u64::from(byte));
    equal.wrapping_sub(ONES) & !equal & HIGHS
}

/// The end of an element without the blanks before its comma or bracket.
fn trim_end(buffer: &[u8], start: usize, end: usize) -> usize {
    let mut end = end;
    while end > start && buffer[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    end
}

/// Reads blocks, cuts them after their last whole element, and deals them to the workers in
/// turn. A read or scan error goes, in turn, to the next worker, after every earlier block.
fn cut_blocks(
    mut source: impl Read,
    block_bytes: usize,
    label: &str,
    workers: Vec<SyncSender<Message>>,
) {
    let mut scanner = Scanner {
        depth: Depth::Before,
        in_string: false,
        escaped: false,
        element_start: None,
        after_comma: false,
    };
    let mut buffer: Vec<u8> = Vec::with_capacity(block_bytes);
    let mut scanned = 0;
    let mut start = Position { line: 1, column: 1 };
    let mut first_index = 0;
    let mut turn = 0;
    let mut elements = Vec::new();
    let send = |turn: &mut usize, message: Message| {
        let sent = workers[*turn].send(message).is_ok();
        *turn = (*turn + 1) % workers.len();
        sent
    };
    loop {
        // A block that holds no whole element yet grows until it does.
        let target = if buffer.len() >= block_bytes {
            buffer.len() * 2
        } else {
            block_bytes
        };
        let eof = match fill(&mut source, &mut buffer, target) {
            Ok(eof) => eof,
            Err(error) => {
                let error = StateError::Unreadable {
                    path: label.into(),
                    source: error,
                };
                send(&mut turn, Message::Fail(error));
                return;
            }
        };
        if let Err(error) = scanner.scan(&buffer, scanned, &mut elements) {
            let message = Message::Fail(malformed(
                label,
                start.advanced_by(&buffer[..error.at]),
                error.message,
            ));
            send_remaining(
                &buffer,
                &mut elements,
                &mut first_index,
                &mut start,
                &mut turn,
                &send,
            );
            send(&mut turn, message);
            return;
        }
        scanned = buffer.len();
        if eof {
            // An unfinished last element goes to serde, which says what is missing and where.
            if let Some(element_start) = scanner.element_start.take() {
                elements.push(element_start..buffer.len());
            }
            // Where serde_json says the text ends: at its last byte, or at the start of the
            // line after a final line break.
            let last_byte = match buffer.last() {
                Some(b'\n') => start.advanced_by(&buffer),
                _ => start.advanced_by(&buffer[..buffer.len().saturating_sub(1)]),
            };
            send_remaining(
                &buffer,
                &mut elements,
                &mut first_index,
                &mut start,
                &mut turn,
                &send,
            );
            let message = match scanner.depth {
                Depth::Before => Some("EOF while parsing a value"),
                // After a comma the array wants another element.
                Depth::Inside(_) if scanner.after_comma => Some("EOF while parsing a value"),
                Depth::Inside(_) => Some("EOF while parsing a list"),
                Depth::After => None,
            };
            if let Some(message) = message {
                send(
                    &mut turn,
                    Message::Fail(malformed(label, last_byte, message)),
                );
            }
            return;
        }
        if buffer.len() < block_bytes || elements.is_empty() {
            continue;
        }
        // Cut after the last whole element and the byte after it, which a scalar cut short
        // needs for its error (`parse_block`); the rest starts the next buffer. The scanner
        // pushed the element on seeing a `,` or `]` at or after that byte, so it is here.
        let cut = elements.last().map_or(0, |element| element.end + 1);
        let rest = buffer[cut..].to_vec();
        buffer.truncate(cut);
        let block = Block {
            bytes: std::mem::replace(
                &mut buffer,
                Vec::with_capacity(block_bytes.max(rest.len() * 2)),
            ),
            elements: std::mem::take(&mut elements),
            first_index,
            start,
        };
        first_index += block.elements.len();
        start = start.advanced_by(&block.bytes);
        if let Some(element_start) = scanner.element_start.as_mut() {
            *element_start -= cut;
        }
        buffer.extend_from_slice(&rest);
        scanned = buffer.len();
        if !send(&mut turn, Message::Block(block)) {
            return;
        }
    }
}

/// Sends what is left of the buffer as a last block, if it holds any element.
fn send_remaining(
    buffer: &[u8],
    elements: &mut Vec<Range<usize>>,
    first_index: &mut usize,
    start: &mut Position,
    turn: &mut usize,
    send: &impl Fn(&mut usize, Message) -> bool,
) {
    if elements.is_empty() {
        return;
    }
    let block = Block {
        bytes: buffer.to_vec(),
        elements: std::mem::take(elements),
        first_index: *first_index,
        start: *start,
    };
    *first_index += block.elements.len();
    *start = start.advanced_by(buffer);
    send(turn, Message::Block(block));
}

fn malformed(label: &str, position: Position, message: &str) -> StateError {
    StateError::Malformed {
        label: label.into(),
        line: position.line,
        column: position.column,
        message: message.into(),
    }
}

/// Reads until `buffer` holds `target` bytes or the source ends; true at the end.
fn fill(source: &mut impl Read, buffer: &mut Vec<u8>, target: usize) -> std::io::Result<bool> {
    while buffer.len() < target {
        let wanted = (target - buffer.len()) as u64;
        // `take` + `read_to_end` fills spare capacity without zeroing it first.
        let read = loop {
            match source.by_ref().take(wanted).read_to_end(buffer) {
                Ok(read) => break read,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            }
        };
        if read == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests;
