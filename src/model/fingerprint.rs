//! A digest of a mailbox's audit state, as a plan records it for apply to compare.

use std::fmt;

/// [`super::AuditSettings::fingerprint`]'s digest: 16 bytes, written as 32 lower-case hex
/// digits. A change holds one per mailbox, so it is kept inline rather than as text on the heap
/// (a million-mailbox plan holds about a million). A plan file may carry any text in its place;
/// text that is not such a digest is kept as it was read, so that it is written back unchanged
/// and never equals a digest of a state that was read.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Fingerprint {
    Digest([u8; 16]),
    Other(Box<str>),
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl Fingerprint {
    /// What a plan file says, as the digest it writes when it is one.
    pub fn from_text(text: &str) -> Fingerprint {
        match digest_of(text) {
            Some(digest) => Fingerprint::Digest(digest),
            None => Fingerprint::Other(text.into()),
        }
    }

    /// Calls `use_text` with the fingerprint as a plan writes it, without allocating.
    pub fn with_text<R>(&self, use_text: impl FnOnce(&str) -> R) -> R {
        match self {
            Fingerprint::Digest(digest) => {
                let mut text = [0u8; 32];
                for (pair, byte) in text.chunks_exact_mut(2).zip(digest) {
                    pair[0] = HEX[usize::from(byte >> 4)];
                    pair[1] = HEX[usize::from(byte & 0xf)];
                }
                use_text(std::str::from_utf8(&text).expect("hex digits are ASCII"))
            }
            Fingerprint::Other(text) => use_text(text),
        }
    }
}

/// The 16 bytes written as exactly 32 lower-case hex digits, as [`Fingerprint::with_text`]
/// writes them; anything else (upper case included) is not a digest auditform wrote.
fn digest_of(text: &str) -> Option<[u8; 16]> {
    let text = text.as_bytes();
    if text.len() != 32 {
        return None;
    }
    let digit = |byte: u8| HEX.iter().position(|&hex| hex == byte).map(|at| at as u8);
    let mut digest = [0u8; 16];
    for (byte, pair) in digest.iter_mut().zip(text.chunks_exact(2)) {
        *byte = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(digest)
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_text(|text| f.write_str(text))
    }
}

impl serde::Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.with_text(|text| serializer.serialize_str(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_reads_back_from_the_text_it_writes() {
        let text = "0123456789abcdef00ff10a0b0c0d0e0";
        let fingerprint = Fingerprint::from_text(text);
        assert!(matches!(fingerprint, Fingerprint::Digest(_)));
        assert_eq!(fingerprint.to_string(), text);
    }

    #[test]
    fn any_other_text_is_kept_as_it_was_and_equals_no_digest() {
        for text in [
            "0123456789ABCDEF00FF10A0B0C0D0E0",
            "0123456789abcdef00ff10a0b0c0d0e",
            "0123456789abcdef00ff10a0b0c0d0e0f",
            "0123456789abcdef00ff10a0b0c0d0eg",
            "",
            "ﬁngerprint",
        ] {
            let fingerprint = Fingerprint::from_text(text);
            assert_eq!(fingerprint.to_string(), text);
            assert!(matches!(fingerprint, Fingerprint::Other(_)), "{text}");
        }
        assert_ne!(
            Fingerprint::from_text("0123456789ABCDEF00FF10A0B0C0D0E0"),
            Fingerprint::from_text("0123456789abcdef00ff10a0b0c0d0e0"),
        );
    }
}
