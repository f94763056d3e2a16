//! The text encodings a state file arrives in, as Windows PowerShell writes them.
//!
//! Most admins make the file in Windows PowerShell 5.1, whose `>` and `Out-File` write
//! "Unicode" (UTF-16LE with a byte-order mark) and whose `Set-Content -Encoding UTF8` writes
//! UTF-8 with a byte-order mark; PowerShell 7 writes UTF-8 without one. So a state file is read
//! as UTF-8, with or without a BOM, or as UTF-16 (little- or big-endian) with a BOM, which is
//! transcoded to UTF-8 as it streams. Anything else gets an error that says how to re-save it.
//!
//! Plain UTF-8, by far the most common and the shape of a multi-gigabyte export, is not
//! copied or checked byte by byte: only the first block is looked at.

use std::io::{self, Read};

/// How the bytes of a state file encode its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// UTF-8 after the bytes EF BB BF.
    Utf8WithBom,
    /// UTF-16LE after the bytes FF FE: Windows PowerShell 5.1's "Unicode".
    Utf16Le,
    /// UTF-16BE after the bytes FE FF: "BigEndianUnicode".
    Utf16Be,
}

/// Why a file's bytes are not text auditform reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodingError {
    pub message: String,
}

/// How to make a file auditform reads, from either PowerShell.
pub const ENCODING_HINT: &str = "save the file as UTF-8 or as UTF-16 with a byte-order mark: \
`... | ConvertTo-Json -Depth 5 | Out-File -Encoding utf8 tenant.json` (or `>` in Windows \
PowerShell 5.1, which writes UTF-16)";

impl TextEncoding {
    /// The byte-order mark that starts a file in this encoding.
    pub fn bom(self) -> &'static [u8] {
        match self {
            TextEncoding::Utf8 => b"",
            TextEncoding::Utf8WithBom => b"\xEF\xBB\xBF",
            TextEncoding::Utf16Le => b"\xFF\xFE",
            TextEncoding::Utf16Be => b"\xFE\xFF",
        }
    }

    /// Tells the encoding from the first bytes of a file (the first block, or all of a short
    /// file). UTF-32, and UTF-16 without a byte-order mark, are refused: their NUL bytes
    /// would otherwise read as "malformed JSON" with no word on why.
    pub fn sniff(head: &[u8]) -> Result<TextEncoding, EncodingError> {
        let refuse = |message: &str| {
            Err(EncodingError {
                message: message.to_string(),
            })
        };
        if head.starts_with(b"\xFF\xFE\x00\x00") || head.starts_with(b"\x00\x00\xFE\xFF") {
            return refuse("the file is UTF-32, which auditform does not read");
        }
        let encoding = if head.starts_with(TextEncoding::Utf8WithBom.bom()) {
            TextEncoding::Utf8WithBom
        } else if head.starts_with(TextEncoding::Utf16Le.bom()) {
            TextEncoding::Utf16Le
        } else if head.starts_with(TextEncoding::Utf16Be.bom()) {
            TextEncoding::Utf16Be
        } else {
            TextEncoding::Utf8
        };
        if matches!(encoding, TextEncoding::Utf16Le | TextEncoding::Utf16Be) {
            return Ok(encoding);
        }
        let text = &head[encoding.bom().len()..];
        // JSON text never holds a raw NUL; UTF-16 or UTF-32 without a BOM is full of them.
        if let Some(at) = memchr::memchr(0, text) {
            return Err(EncodingError {
                message: format!(
                    "byte {} is NUL: the file looks like UTF-16 or UTF-32 without a byte-order \
                     mark, or is not text at all",
                    at + encoding.bom().len()
                ),
            });
        }
        if let Err(error) = std::str::from_utf8(text) {
            // A sequence cut off by the end of the block is not an error.
            if error.error_len().is_some() {
                let at = error.valid_up_to();
                let (line, column) = line_and_column(&text[..at]);
                return Err(EncodingError {
                    message: format!(
                        "line {line}, column {column}: byte 0x{:02X} is not UTF-8; the file is \
                         probably in a legacy code page (Windows PowerShell 5.1's \
                         `Set-Content` and `-Encoding Default` write one)",
                        text[at]
                    ),
                });
            }
        }
        Ok(encoding)
    }

    /// A reader of `source`, which starts just after the byte-order mark, that yields UTF-8.
    pub fn decoder<R: Read + Send + 'static>(self, source: R) -> Box<dyn Read + Send> {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8WithBom => Box::new(source),
            TextEncoding::Utf16Le => Box::new(Utf16Decoder::new(source, Endian::Little)),
            TextEncoding::Utf16Be => Box::new(Utf16Decoder::new(source, Endian::Big)),
        }
    }

    /// The whole of a file, as UTF-8 without a byte-order mark, and its encoding, so that a
    /// writer can give the file back in the encoding it came in.
    pub fn decode_whole(mut bytes: Vec<u8>) -> Result<(Vec<u8>, TextEncoding), io::Error> {
        let encoding = TextEncoding::sniff(&bytes[..bytes.len().min(SNIFF_BYTES)])
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error.message))?;
        let skip = encoding.bom().len();
        let text = match encoding {
            TextEncoding::Utf8 => bytes,
            TextEncoding::Utf8WithBom => {
                bytes.drain(..skip);
                bytes
            }
            TextEncoding::Utf16Le | TextEncoding::Utf16Be => {
                let endian = match encoding {
                    TextEncoding::Utf16Be => Endian::Big,
                    _ => Endian::Little,
                };
                let mut text = Vec::with_capacity(bytes.len() / 2);
                Utf16Decoder::new(&bytes[skip..], endian).read_to_end(&mut text)?;
                text
            }
        };
        Ok((text, encoding))
    }

    /// `text` (UTF-8 without a BOM) in this encoding, with its byte-order mark. Plain UTF-8
    /// is given back as it is, without a copy.
    pub fn encode(self, text: Vec<u8>) -> Vec<u8> {
        if self == TextEncoding::Utf8 {
            return text;
        }
        let mut bytes = self.bom().to_vec();
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8WithBom => bytes.extend_from_slice(&text),
            TextEncoding::Utf16Le | TextEncoding::Utf16Be => {
                let text = String::from_utf8_lossy(&text);
                bytes.reserve(text.len() * 2);
                for unit in text.encode_utf16() {
                    let pair = match self {
                        TextEncoding::Utf16Be => unit.to_be_bytes(),
                        _ => unit.to_le_bytes(),
                    };
                    bytes.extend_from_slice(&pair);
                }
            }
        }
        bytes
    }
}

/// How much of a file [`TextEncoding::sniff`] looks at.
pub const SNIFF_BYTES: usize = 64 * 1024;

fn line_and_column(before: &[u8]) -> (usize, usize) {
    let line = 1 + before.iter().filter(|byte| **byte == b'\n').count();
    let column = 1 + before
        .iter()
        .rev()
        .take_while(|byte| **byte != b'\n')
        .count();
    (line, column)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Endian {
    Little,
    Big,
}

/// Transcodes a UTF-16 stream to UTF-8 a block at a time, so that memory stays bounded
/// whatever the size of the file. An unpaired surrogate or an odd byte at the end is an
/// `InvalidData` error that says at which byte of the file.
struct Utf16Decoder<R> {
    source: R,
    endian: Endian,
    /// Bytes read from the source and not yet decoded: at most one odd byte between reads.
    carry: Option<u8>,
    /// A high surrogate waiting for its low half.
    high: Option<u16>,
    input: Vec<u8>,
    output: Vec<u8>,
    /// How much of `output` the caller has taken.
    taken: usize,
    /// The file position of the next byte to decode, for errors: the source starts after the
    /// two bytes of the byte-order mark.
    offset: u64,
    done: bool,
}

/// Bytes read from the source at a time.
const DECODE_BLOCK: usize = 256 * 1024;

impl<R: Read> Utf16Decoder<R> {
    fn new(source: R, endian: Endian) -> Self {
        Utf16Decoder {
            source,
            endian,
            carry: None,
            high: None,
            input: vec![0; DECODE_BLOCK],
            output: Vec::with_capacity(DECODE_BLOCK * 3 / 2),
            taken: 0,
            offset: 2,
            done: false,
        }
    }

    fn invalid(&self, at: u64, what: &str) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("invalid UTF-16 at byte {at}: {what}"),
        )
    }

    /// Decodes the next block into `output`; false at the end of the source.
    fn refill(&mut self) -> io::Result<bool> {
        self.output.clear();
        self.taken = 0;
        while self.output.is_empty() {
            if self.done {
                return Ok(false);
            }
            let start = usize::from(self.carry.is_some());
            if let Some(byte) = self.carry.take() {
                self.input[0] = byte;
            }
            let read = loop {
                match self.source.read(&mut self.input[start..]) {
                    Ok(read) => break read,
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                    Err(error) => return Err(error),
                }
            };
            let filled = start + read;
            if read == 0 {
                self.done = true;
                if start == 1 {
                    return Err(self.invalid(self.offset, "the text ends in half a character"));
                }
                if self.high.is_some() {
                    return Err(self.invalid(
                        self.offset - 2,
                        "the text ends in the first half of a surrogate pair",
                    ));
                }
                return Ok(false);
            }
            let whole = filled & !1;
            if whole < filled {
                self.carry = Some(self.input[whole]);
            }
            self.decode(whole)?;
        }
        Ok(true)
    }

    fn decode(&mut self, len: usize) -> io::Result<()> {
        let mut at = 0;
        while at < len {
            let pair = [self.input[at], self.input[at + 1]];
            let unit = match self.endian {
                Endian::Little => u16::from_le_bytes(pair),
                Endian::Big => u16::from_be_bytes(pair),
            };
            let position = self.offset + at as u64;
            at += 2;
            if let Some(high) = self.high.take() {
                if !(0xDC00..=0xDFFF).contains(&unit) {
                    return Err(self.invalid(position - 2, "a surrogate without its pair"));
                }
                let scalar =
                    0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                self.push_scalar(scalar);
                continue;
            }
            match unit {
                0..=0x7F => self.output.push(unit as u8),
                0xD800..=0xDBFF => self.high = Some(unit),
                0xDC00..=0xDFFF => {
                    return Err(self.invalid(position, "a surrogate without its pair"));
                }
                _ => self.push_scalar(u32::from(unit)),
            }
        }
        self.offset += len as u64;
        Ok(())
    }

    fn push_scalar(&mut self, scalar: u32) {
        // Every value that reaches here is a Unicode scalar value: surrogates were handled.
        let character = char::from_u32(scalar).unwrap_or(char::REPLACEMENT_CHARACTER);
        let mut buffer = [0; 4];
        self.output
            .extend_from_slice(character.encode_utf8(&mut buffer).as_bytes());
    }
}

impl<R: Read> Read for Utf16Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.taken == self.output.len() && !self.refill()? {
            return Ok(0);
        }
        let available = &self.output[self.taken..];
        let count = available.len().min(buf.len());
        buf[..count].copy_from_slice(&available[..count]);
        self.taken += count;
        Ok(count)
    }
}

#[cfg(test)]
mod tests;
