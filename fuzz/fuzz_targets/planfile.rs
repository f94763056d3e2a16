//! Saved plan files, as `show FILE` and `apply FILE` read them: any bytes, decoded. Most
//! edits fail the digest, so each input is also decoded with its digest made right, which takes
//! the fuzzer past the digest into the document reader. A plan that is accepted saves and reads
//! back as the same plan.
#![no_main]

use auditform::plan::planfile::{decode, encode, PlanFileError, PlanFileInfo};
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

/// JSON without whitespace between tokens, as the plan file's digest is computed over it.
fn compact(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let (mut in_string, mut escaped) = (false, false);
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

/// The object with a right `digest` as its last key.
fn with_digest(bytes: &[u8]) -> Option<Vec<u8>> {
    let compact = compact(bytes);
    let body = compact.strip_suffix(b"}")?;
    let mut hasher = Sha256::new();
    hasher.update(body);
    hasher.update(b"}");
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut out = body.to_vec();
    out.extend_from_slice(format!(",\"digest\":\"sha256:{hex}\"}}").as_bytes());
    Some(out)
}

fn check(bytes: &[u8]) {
    match decode(bytes) {
        Ok(saved) => {
            let mut written = Vec::new();
            encode(&saved.plan, saved.info.clone(), &mut written).expect("writes to memory");
            let again = decode(&written)
                .unwrap_or_else(|error| panic!("a plan read back is refused: {error}"));
            assert_eq!(again.plan, saved.plan, "the plan changed on its way back");
            let _ = PlanFileInfo::new(None);
        }
        Err(error) => {
            let text = error.to_string();
            assert!(!text.is_empty());
            let _ = error.hint();
            if let PlanFileError::InvalidJson { line, column, .. } = error {
                assert!(line >= 1 && column <= bytes.len() + 1, "{line}:{column}");
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if let Some(fixed) = with_digest(data) {
        check(&fixed);
    }
});
