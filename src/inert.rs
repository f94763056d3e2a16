//! Text that came from input, made inert for output.
//!
//! Policies in a pull request, state files, file names and the service's answers are written by
//! whoever controls them. Printed raw, a line break in a display name would start a line of its
//! own: a forged plan line, or, in a GitHub Actions log, a workflow command such as
//! `::stop-commands::` or `::add-mask::` that the runner obeys. Every renderer therefore writes
//! input through [`Inert`], which leaves ordinary text alone and writes as a visible escape:
//!
//! - every control character (C0, DEL and C1, which holds NEL), and the Unicode line and
//!   paragraph separators U+2028 and U+2029: `\n`, `\r`, `\t`, else `\u{85}`;
//! - the bidirectional controls that reorder what a reviewer sees (U+200E, U+200F, U+202A to
//!   U+202E, U+2066 to U+2069);
//! - the second `:` of `::`, and the `[` of `##[`, which are how workflow commands begin
//!   (`::command::` and the older `##[command]`), wherever the runner looks for them;
//!   as `\u{3a}` and `\u{5b}`.
//!
//! So no byte of input can end a line, start one, or spell a workflow command. Inside a GitHub
//! annotation the runner also decodes `%0A` as a line break; the annotation writer escapes `%`
//! on top of this (see [`crate::diagnostic::annotation`]).

use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// Input text, displayed inert. Wrap every value that came from input where it is printed.
#[derive(Clone, Copy, Debug)]
pub struct Inert<'a>(pub &'a str);

impl fmt::Display for Inert<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !needs_escaping(self.0) {
            return f.write_str(self.0);
        }
        let mut previous: [char; 2] = ['\0', '\0'];
        for c in self.0.chars() {
            let raw = match c {
                '\n' => {
                    f.write_str("\\n")?;
                    false
                }
                '\r' => {
                    f.write_str("\\r")?;
                    false
                }
                '\t' => {
                    f.write_str("\\t")?;
                    false
                }
                c if breaks_or_hides(c) => {
                    write!(f, "\\u{{{:x}}}", u32::from(c))?;
                    false
                }
                ':' if previous[1] == ':' => {
                    f.write_str("\\u{3a}")?;
                    false
                }
                '[' if previous == ['#', '#'] => {
                    f.write_str("\\u{5b}")?;
                    false
                }
                c => {
                    f.write_char(c)?;
                    true
                }
            };
            previous = if raw { [previous[1], c] } else { ['\0', '\0'] };
        }
        Ok(())
    }
}

/// The inert form of `text`, borrowed when it needs no escaping.
pub fn inert(text: &str) -> Cow<'_, str> {
    if needs_escaping(text) {
        Cow::Owned(Inert(text).to_string())
    } else {
        Cow::Borrowed(text)
    }
}

/// A control character, a line or paragraph separator, or a bidirectional control.
pub fn breaks_or_hides(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

fn needs_escaping(text: &str) -> bool {
    text.chars().any(breaks_or_hides) || text.contains("::") || text.contains("##[")
}

#[cfg(test)]
mod tests;
