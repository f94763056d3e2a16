//! Takes every secret out of the text auditform prints or writes, whatever produced that text.
//!
//! Secrets are registered when auditform comes to hold them ([`register`]; every
//! [`Secret`](crate::state::exo::Secret) registers itself): client secrets, access and refresh
//! tokens, client assertions, federated request tokens, device codes. [`scrub`] then replaces
//! each of them, in every form it can take in text (as it is, JSON-escaped,
//! percent-encoded), with [`REDACTED`]. It also redacts what looks like a credential even when
//! auditform never held it: a bearer token, a JWT, and the value of a field such as
//! `client_secret=` or `"refresh_token":`, so that an endpoint echoing someone else's request
//! leaks nothing either.
//!
//! A process that holds no secret (auditform reading a state file) scrubs nothing: there is
//! nothing of its own to leak, and its output stays byte for byte what the renderers wrote.
//!
//! Where it is hooked: the error and annotation text in `main.rs`; the warnings and the
//! outputs of `plan`, `show` and `apply` (through [`ScrubWriter`]); every file written through
//! `state::atomic_write` (plan files, state files, scripts); the support trace; the live
//! client's reading of every answer of the admin endpoint, before anything parses it and with
//! JSON escapes seen through ([`scrub_answer`]), so that all that is made from the data agrees;
//! and the authority's error text.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::borrow::Cow;
use std::io::{self, Write};
use std::sync::RwLock;

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Shorter values are not registered: replacing them would garble ordinary words, and no
/// credential Microsoft Entra ID or GitHub issues is that short.
pub const MIN_SECRET_LEN: usize = 8;

/// Field names whose value is a credential, in forms (`name=value`), JSON (`"name":"value"`)
/// and headers (`name: value`). Compared ignoring case.
const SECRET_FIELDS: [&str; 9] = [
    "client_secret",
    "client_assertion",
    "access_token",
    "refresh_token",
    "id_token",
    "device_code",
    "user_code",
    "assertion",
    "password",
];

/// A bearer token shorter than this is left alone ("Bearer" in prose is not a credential).
const MIN_BEARER_LEN: usize = 16;

struct Registry {
    /// Every registered form of every secret, longest first.
    forms: Vec<String>,
    /// Finds any registered form, case-sensitively.
    exact: Option<AhoCorasick>,
    /// Finds anything that may need redacting: registered forms and the markers of the
    /// patterns, ignoring ASCII case. The fast path of [`scrub`] is one pass of this.
    any: Option<AhoCorasick>,
}

static REGISTRY: RwLock<Registry> = RwLock::new(Registry {
    forms: Vec::new(),
    exact: None,
    any: None,
});

fn read() -> std::sync::RwLockReadGuard<'static, Registry> {
    REGISTRY
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Makes `secret` unprintable from now on. Values shorter than [`MIN_SECRET_LEN`] are ignored.
pub fn register(secret: &str) {
    let secret = secret.trim();
    if secret.len() < MIN_SECRET_LEN {
        return;
    }
    let mut forms = vec![secret.to_string()];
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json.trim_matches('"').to_string();
    forms.push(json);
    forms.extend(percent_encoded(secret));
    let mut registry = REGISTRY
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let before = registry.forms.len();
    for form in forms {
        if !registry.forms.contains(&form) {
            registry.forms.push(form);
        }
    }
    if registry.forms.len() == before {
        return;
    }
    registry
        .forms
        .sort_by_key(|form| std::cmp::Reverse(form.len()));
    registry.exact = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&registry.forms)
        .ok();
    let markers = SECRET_FIELDS.iter().copied().chain(["bearer", "eyj"]);
    let needles: Vec<&str> = registry
        .forms
        .iter()
        .map(String::as_str)
        .chain(markers)
        .collect();
    registry.any = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .build(needles)
        .ok();
}

/// The ways a URL or a form may carry `secret` percent-encoded: as a form body encodes it
/// (space as `+`, `~` encoded) and as RFC 3986 does (only what is not unreserved encoded, space
/// as `%20`), each with upper- and lower-case hex digits, since a server that echoes a request
/// may re-encode it either way.
fn percent_encoded(secret: &str) -> Vec<String> {
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let mut rfc3986 = String::with_capacity(secret.len() * 3);
    for &byte in secret.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            rfc3986.push(char::from(byte));
        } else {
            rfc3986.push_str(&format!("%{byte:02X}"));
        }
    }
    let lower_hex = |encoded: &str| -> String {
        let mut out = String::with_capacity(encoded.len());
        let mut hex_left = 0;
        for c in encoded.chars() {
            if c == '%' {
                hex_left = 2;
                out.push(c);
            } else if hex_left > 0 {
                hex_left -= 1;
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    };
    let mut forms = vec![lower_hex(&form), lower_hex(&rfc3986), form, rfc3986];
    forms.dedup();
    forms
}

/// Whether any secret is registered, that is whether scrubbing does anything.
pub fn is_active() -> bool {
    read().exact.is_some()
}

/// `text` without any registered secret, bearer token, JWT or credential field value.
pub fn scrub(text: &str) -> Cow<'_, str> {
    let registry = read();
    let Some(any) = &registry.any else {
        return Cow::Borrowed(text);
    };
    if !any.is_match(text) {
        return Cow::Borrowed(text);
    }
    let mut out = match &registry.exact {
        Some(exact) => exact.replace_all(text, &vec![REDACTED; registry.forms.len()]),
        None => text.to_string(),
    };
    drop(registry);
    out = redact_jwts(&out);
    out = redact_bearer_tokens(&out);
    for field in SECRET_FIELDS {
        out = redact_field(&out, field);
    }
    Cow::Owned(out)
}

/// `bytes` without any registered secret, in any of its forms, and nothing else changed.
pub fn scrub_registered(bytes: &[u8]) -> Cow<'_, [u8]> {
    let registry = read();
    let Some(exact) = &registry.exact else {
        return Cow::Borrowed(bytes);
    };
    if !exact.is_match(bytes) {
        return Cow::Borrowed(bytes);
    }
    let replacement = vec![REDACTED.as_bytes(); registry.forms.len()];
    Cow::Owned(exact.replace_all_bytes(bytes, &replacement))
}

/// [`scrub`] for bytes that are text in UTF-8 (a file about to be written); bytes that are not
/// UTF-8 are scrubbed of registered secrets only.
pub fn scrub_bytes(bytes: &[u8]) -> Cow<'_, [u8]> {
    if !is_active() {
        return Cow::Borrowed(bytes);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => match scrub(text) {
            Cow::Borrowed(_) => Cow::Borrowed(bytes),
            Cow::Owned(text) => Cow::Owned(text.into_bytes()),
        },
        Err(_) => scrub_registered(bytes),
    }
}

/// [`scrub_bytes`] for an answer of the admin endpoint, which is JSON: a secret written with
/// JSON's `\u` or `\/` escapes holds none of the forms [`scrub_bytes`] looks for, yet is
/// whole in the text parsed from it, where a message cut for display could leave a piece of
/// it that no later scrub recognises. So an answer with such escapes is also scrubbed string by
/// string, as parsed, and written again only when that changed anything.
pub fn scrub_answer(bytes: &[u8]) -> Cow<'_, [u8]> {
    let scrubbed = scrub_bytes(bytes);
    if !is_active() || !has_json_escapes(&scrubbed) {
        return scrubbed;
    }
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&scrubbed) else {
        return scrubbed;
    };
    if !scrub_strings(&mut value) {
        return scrubbed;
    }
    match serde_json::to_vec(&value) {
        Ok(written) => Cow::Owned(written),
        Err(_) => scrubbed,
    }
}

fn has_json_escapes(bytes: &[u8]) -> bool {
    bytes
        .windows(2)
        .any(|pair| pair == b"\\u" || pair == b"\\/")
}

/// Scrubs every string of `value`, keys included; whether any changed.
fn scrub_strings(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::String(text) => match scrub(text) {
            Cow::Borrowed(_) => false,
            Cow::Owned(scrubbed) => {
                *text = scrubbed;
                true
            }
        },
        Value::Array(items) => {
            // Every item, not only up to the first that changed.
            let mut changed = false;
            for item in items {
                changed |= scrub_strings(item);
            }
            changed
        }
        Value::Object(object) => {
            let mut changed = false;
            for (key, mut item) in std::mem::take(object) {
                changed |= scrub_strings(&mut item);
                let key = match scrub(&key) {
                    Cow::Borrowed(_) => key,
                    Cow::Owned(scrubbed) => {
                        changed = true;
                        scrubbed
                    }
                };
                object.insert(key, item);
            }
            changed
        }
        _ => false,
    }
}

fn is_base64url(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

/// Replaces every `eyJ<segment>.<segment>.<segment>` (a JWT: its header always starts so).
fn redact_jwts(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    let needle = Needle::new(text, "eyJ", true);
    while let Some(start) = needle.find_from(at) {
        let mut end = start;
        let mut segments = 0;
        loop {
            let segment_start = end;
            while end < bytes.len() && is_base64url(bytes[end]) {
                end += 1;
            }
            let long_enough = end - segment_start >= 2 || segments == 2;
            if !long_enough {
                end = segment_start;
                break;
            }
            segments += 1;
            if segments == 3 || end >= bytes.len() || bytes[end] != b'.' {
                break;
            }
            end += 1;
        }
        if segments >= 2 {
            out.push_str(&text[copied..start]);
            out.push_str(REDACTED);
            copied = end;
            at = end;
        } else {
            at = start + 3;
        }
    }
    out.push_str(&text[copied..]);
    out
}

fn is_token68(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~+/=".contains(&byte)
}

/// Replaces the credential after every `Bearer ` (any case) that is long enough to be one.
fn redact_bearer_tokens(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    let needle = Needle::new(text, "bearer", false);
    while let Some(found) = needle.find_from(at) {
        let mut start = found + "bearer".len();
        at = start;
        let spaces = bytes[start..].iter().take_while(|b| **b == b' ').count();
        if spaces == 0 {
            continue;
        }
        start += spaces;
        let end = start
            + bytes[start..]
                .iter()
                .take_while(|b| is_token68(**b))
                .count();
        if end - start >= MIN_BEARER_LEN {
            out.push_str(&text[copied..start]);
            out.push_str(REDACTED);
            copied = end;
            at = end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Replaces the value of `field` wherever it is written as `field=value`, `field: value` or
/// `"field": "value"`.
fn redact_field(text: &str, field: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    let needle = Needle::new(text, field, false);
    while let Some(start) = needle.find_from(at) {
        let mut cursor = start + field.len();
        at = cursor;
        // Whole names only: `my_client_secret_hint` is not the field.
        let before_ok = start == 0 || !is_name_byte(bytes[start - 1]);
        let after_ok = cursor >= bytes.len() || !is_name_byte(bytes[cursor]);
        if !before_ok || !after_ok {
            continue;
        }
        if bytes.get(cursor) == Some(&b'"') {
            cursor += 1;
        }
        cursor += count(&bytes[cursor..], |b| b == b' ');
        if !matches!(bytes.get(cursor), Some(b'=') | Some(b':')) {
            continue;
        }
        cursor += 1;
        cursor += count(&bytes[cursor..], |b| b == b' ');
        let quoted = bytes.get(cursor) == Some(&b'"');
        if quoted {
            cursor += 1;
        }
        let value_start = cursor;
        let mut end = value_start;
        while end < bytes.len() {
            let byte = bytes[end];
            let stop = if quoted {
                byte == b'"' && bytes[end - 1] != b'\\'
            } else {
                // A backslash ends it too, so that redacting inside a JSON string never
                // separates an escape from the character it escapes.
                matches!(byte, b'&' | b',' | b';' | b'}' | b'"' | b'\\')
                    || byte.is_ascii_whitespace()
            };
            if stop {
                break;
            }
            end += 1;
        }
        if end > value_start && &text[value_start..end] != REDACTED {
            out.push_str(&text[copied..value_start]);
            out.push_str(REDACTED);
            copied = end;
        }
        at = end.max(at);
    }
    out.push_str(&text[copied..]);
    out
}

fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

fn count(bytes: &[u8], pred: impl Fn(u8) -> bool) -> usize {
    bytes.iter().take_while(|b| pred(**b)).count()
}

/// An ASCII needle to find in a text, ignoring ASCII case unless exact. Lower-casing ASCII
/// keeps every byte where it was, so offsets in the lowered copy are offsets in the text.
struct Needle<'t> {
    haystack: Cow<'t, [u8]>,
    finder: memchr::memmem::Finder<'static>,
}

impl<'t> Needle<'t> {
    fn new(text: &'t str, needle: &str, exact: bool) -> Needle<'t> {
        let (haystack, needle) = if exact {
            (Cow::Borrowed(text.as_bytes()), needle.to_string())
        } else {
            (
                Cow::Owned(text.to_ascii_lowercase().into_bytes()),
                needle.to_ascii_lowercase(),
            )
        };
        Needle {
            haystack,
            finder: memchr::memmem::Finder::new(needle.as_bytes()).into_owned(),
        }
    }

    /// The offset of the first occurrence at or after `at`.
    fn find_from(&self, at: usize) -> Option<usize> {
        let rest = self.haystack.get(at..)?;
        self.finder.find(rest).map(|found| at + found)
    }
}

/// A writer that scrubs what passes through it, a line at a time, so that a secret is never
/// split across two writes and missed. Whatever has no line break yet waits for one, for
/// [`flush`](Write::flush), or for a structural character once a lot has gathered.
pub struct ScrubWriter<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

/// Text without a line break is held back up to this much before it is cut elsewhere.
const HOLD_BACK: usize = 64 * 1024;

impl<W: Write> ScrubWriter<W> {
    pub fn new(inner: W) -> ScrubWriter<W> {
        ScrubWriter {
            inner,
            pending: Vec::new(),
        }
    }

    fn emit(&mut self, upto: usize) -> io::Result<()> {
        let rest = self.pending.split_off(upto);
        let chunk = std::mem::replace(&mut self.pending, rest);
        self.inner.write_all(&scrub_bytes(&chunk))
    }
}

impl<W: Write> Write for ScrubWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !is_active() && self.pending.is_empty() {
            return self.inner.write(buf);
        }
        self.pending.extend_from_slice(buf);
        if let Some(last) = memchr::memrchr(b'\n', &self.pending) {
            self.emit(last + 1)?;
        } else if self.pending.len() > HOLD_BACK {
            // JSON written on one line: cut at a structural character that no secret holds.
            let cut = self.pending[..self.pending.len() - HOLD_BACK / 2]
                .iter()
                .rposition(|b| matches!(b, b'{' | b'}' | b'[' | b']' | b','));
            if let Some(cut) = cut {
                self.emit(cut + 1)?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let all = self.pending.len();
        self.emit(all)?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for ScrubWriter<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests;
