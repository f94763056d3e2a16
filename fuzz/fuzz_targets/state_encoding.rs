//! The encoding layer of state files: any bytes, sniffed and decoded whole, and decoded as a
//! stream read a few bytes at a time (an odd byte or half a surrogate pair between reads). Both
//! give the same UTF-8, or both refuse; what is decoded encodes back to text that decodes the
//! same.
#![no_main]

use auditform::state::encoding::{TextEncoding, SNIFF_BYTES};
use libfuzzer_sys::fuzz_target;
use std::io::Read;

/// A reader that hands out at most `step` bytes a call.
struct Trickle {
    bytes: Vec<u8>,
    at: usize,
    step: usize,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let count = self.step.min(buf.len()).min(self.bytes.len() - self.at);
        buf[..count].copy_from_slice(&self.bytes[self.at..self.at + count]);
        self.at += count;
        Ok(count)
    }
}

fuzz_target!(|data: &[u8]| {
    let whole = TextEncoding::decode_whole(data.to_vec());
    let Ok(encoding) = TextEncoding::sniff(&data[..data.len().min(SNIFF_BYTES)]) else {
        assert!(whole.is_err(), "a refused head still decoded");
        return;
    };
    let body = data[encoding.bom().len()..].to_vec();
    let step = 1 + data.len() % 5;
    let mut streamed = Vec::new();
    let streamed = encoding
        .decoder(Trickle {
            bytes: body,
            at: 0,
            step,
        })
        .read_to_end(&mut streamed)
        .map(|_| streamed);
    match (&whole, &streamed) {
        (Ok((text, found)), Ok(streamed)) => {
            assert_eq!(*found, encoding);
            if matches!(encoding, TextEncoding::Utf16Le | TextEncoding::Utf16Be) {
                assert_eq!(text, streamed, "whole and streamed UTF-16 decode differ");
                assert!(std::str::from_utf8(text).is_ok(), "UTF-16 decodes to UTF-8");
            }
            let encoded = encoding.encode(text.clone());
            // A UTF-16LE text that starts with NUL would write the bytes of UTF-32's mark; no
            // JSON text starts with one.
            if std::str::from_utf8(text).is_ok() && text.first() != Some(&0) {
                let (again, same) = TextEncoding::decode_whole(encoded).unwrap_or_else(|error| {
                    panic!("{encoding:?} text written back is refused: {error}")
                });
                assert_eq!(same, encoding);
                assert_eq!(&again, text);
            }
        }
        (Err(whole), Err(streamed)) => {
            assert_eq!(
                whole.to_string(),
                streamed.to_string(),
                "the two refusals differ"
            );
        }
        (whole, streamed) => panic!("whole {whole:?} but streamed {streamed:?}"),
    }
});
