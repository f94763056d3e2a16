use super::*;

/// Text with one-, two-, three- and four-byte UTF-8 characters and a line break.
const TEXT: &str = "{\"DisplayName\": \"José Núñez 山田 🙂\",\r\n \"x\": 1}";

fn utf16(text: &str, endian: Endian) -> Vec<u8> {
    text.encode_utf16()
        .flat_map(|unit| match endian {
            Endian::Little => unit.to_le_bytes(),
            Endian::Big => unit.to_be_bytes(),
        })
        .collect()
}

/// A source that hands out `step` bytes per read, so that characters and surrogate pairs are
/// cut at every possible place.
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let count = self.step.min(buf.len()).min(self.bytes.len());
        buf[..count].copy_from_slice(&self.bytes[..count]);
        self.bytes = &self.bytes[count..];
        Ok(count)
    }
}

fn decode(bytes: &[u8], endian: Endian, step: usize) -> io::Result<String> {
    let mut text = String::new();
    Utf16Decoder::new(Trickle { bytes, step }, endian).read_to_string(&mut text)?;
    Ok(text)
}

#[test]
fn each_byte_order_mark_names_its_encoding() {
    assert_eq!(TextEncoding::sniff(b"[]"), Ok(TextEncoding::Utf8));
    assert_eq!(
        TextEncoding::sniff(b"\xEF\xBB\xBF[]"),
        Ok(TextEncoding::Utf8WithBom)
    );
    assert_eq!(
        TextEncoding::sniff(b"\xFF\xFE[\x00]\x00"),
        Ok(TextEncoding::Utf16Le)
    );
    assert_eq!(
        TextEncoding::sniff(b"\xFE\xFF\x00[\x00]"),
        Ok(TextEncoding::Utf16Be)
    );
    assert_eq!(TextEncoding::sniff(b""), Ok(TextEncoding::Utf8));
}

#[test]
fn utf32_and_utf16_without_a_byte_order_mark_are_refused_with_the_reason() {
    let utf32 = TextEncoding::sniff(b"\xFF\xFE\x00\x00[\x00\x00\x00").unwrap_err();
    assert!(utf32.message.contains("UTF-32"), "{}", utf32.message);
    let no_bom = TextEncoding::sniff(b"[\x00{\x00").unwrap_err();
    assert!(
        no_bom.message.contains("byte 1 is NUL")
            && no_bom.message.contains("without a byte-order mark"),
        "{}",
        no_bom.message
    );
}

#[test]
fn a_legacy_code_page_is_refused_with_the_line_and_column_of_the_first_bad_byte() {
    // "José" in Windows-1252: é is the single byte E9.
    let error = TextEncoding::sniff(b"[\n  {\"Name\": \"Jos\xE9\"}]").unwrap_err();
    assert!(
        error
            .message
            .starts_with("line 2, column 16: byte 0xE9 is not UTF-8"),
        "{}",
        error.message
    );
}

#[test]
fn a_character_cut_off_by_the_end_of_the_first_block_is_not_an_error() {
    let text = "[\"山\"]".as_bytes();
    assert_eq!(TextEncoding::sniff(&text[..3]), Ok(TextEncoding::Utf8));
}

#[test]
fn utf16_decodes_to_the_same_text_however_the_reads_cut_it() {
    for endian in [Endian::Little, Endian::Big] {
        let bytes = utf16(TEXT, endian);
        for step in 1..=7 {
            assert_eq!(
                decode(&bytes, endian, step).unwrap(),
                TEXT,
                "{endian:?} {step}"
            );
        }
    }
}

#[test]
fn utf16_larger_than_a_block_decodes_whole() {
    let text = TEXT.repeat(DECODE_BLOCK / TEXT.len() * 3);
    let bytes = utf16(&text, Endian::Little);
    assert_eq!(
        decode(&bytes, Endian::Little, DECODE_BLOCK - 1).unwrap(),
        text
    );
}

#[test]
fn broken_utf16_is_an_error_at_its_byte() {
    // A low surrogate alone, after "a" (the BOM is two bytes before the source).
    let lone_low = [b'a', 0, 0x00, 0xDC];
    let error = decode(&lone_low, Endian::Little, 4).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    assert_eq!(
        error.to_string(),
        "invalid UTF-16 at byte 4: a surrogate without its pair"
    );
    let high_then_letter = [0x3D, 0xD8, b'a', 0];
    assert_eq!(
        decode(&high_then_letter, Endian::Little, 4)
            .unwrap_err()
            .to_string(),
        "invalid UTF-16 at byte 2: a surrogate without its pair"
    );
    let high_at_end = [b'a', 0, 0x3D, 0xD8];
    assert_eq!(
        decode(&high_at_end, Endian::Little, 4)
            .unwrap_err()
            .to_string(),
        "invalid UTF-16 at byte 4: the text ends in the first half of a surrogate pair"
    );
    let odd_length = [b'a', 0, b'b'];
    assert_eq!(
        decode(&odd_length, Endian::Little, 1)
            .unwrap_err()
            .to_string(),
        "invalid UTF-16 at byte 4: the text ends in half a character"
    );
}

#[test]
fn a_whole_file_decodes_and_encodes_back_to_the_same_bytes() {
    for encoding in [
        TextEncoding::Utf8,
        TextEncoding::Utf8WithBom,
        TextEncoding::Utf16Le,
        TextEncoding::Utf16Be,
    ] {
        let bytes = encoding.encode(TEXT.as_bytes().to_vec());
        assert!(bytes.starts_with(encoding.bom()));
        let (text, found) = TextEncoding::decode_whole(bytes.clone()).unwrap();
        assert_eq!(found, encoding);
        assert_eq!(String::from_utf8(text.clone()).unwrap(), TEXT);
        assert_eq!(found.encode(text), bytes, "{encoding:?}");
    }
}

#[test]
fn the_streaming_decoder_drops_nothing_after_the_byte_order_mark() {
    let mut bytes = TextEncoding::Utf16Be.bom().to_vec();
    bytes.extend(utf16(TEXT, Endian::Big));
    let mut text = String::new();
    TextEncoding::Utf16Be
        .decoder(io::Cursor::new(bytes[2..].to_vec()))
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, TEXT);
}
