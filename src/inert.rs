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
//! - the bidirectional controls that reorder what a reviewer sees (U+061C, U+200E, U+200F,
//!   U+202A to U+202E, U+2066 to U+2069);
//! - the second `:` of `::`, and the `[` of `##[`, `##vso[` or any `##` and letters then `[`,
//!   which are how CI logging commands begin, wherever a CI system looks for them; as
//!   `\u{3a}` and `\u{5b}`. GitHub Actions obeys `::command::` at the start of a line and
//!   the older `##[command]` anywhere in one; Azure Pipelines obeys `##vso[area.action]`
//!   anywhere in a line (its agent's `Command.TryParse` finds it with `IndexOf`) and renders
//!   `##[section]` and the like; TeamCity obeys `##teamcity[...]`. GitLab's collapsible
//!   sections and every terminal sequence need an escape character, which is a control.
//!
//! So no byte of input can end a line, start one, or spell a logging command. Inside a GitHub
//! annotation the runner also decodes `%0A` as a line break; the annotation writer escapes `%`
//! on top of this (see [`crate::diagnostic::annotation`]). Writers of other formats (JSON,
//! XML, YAML, PowerShell) apply the same rules with their own escapes: [`opens_command`]
//! says where, and [`is_inert`] whether a text needs any.

use std::borrow::Cow;
use std::fmt;

/// Input text, displayed inert. Wrap every value that came from input where it is printed.
#[derive(Clone, Copy, Debug)]
pub struct Inert<'a>(pub &'a str);

impl fmt::Display for Inert<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        if is_inert(text) {
            return f.write_str(text);
        }
        // Text since the last escape, written as it is: an escape breaks any opener, so only
        // the raw run before a character can join with it into one.
        let mut raw_from = 0;
        for (index, c) in text.char_indices() {
            let raw = &text[raw_from..index];
            let escaped_now = match c {
                '\n' | '\r' | '\t' => true,
                c if breaks_or_hides(c) => true,
                c => opens_command(raw, c),
            };
            if !escaped_now {
                continue;
            }
            f.write_str(raw)?;
            match c {
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c => write!(f, "\\u{{{:x}}}", u32::from(c))?,
            }
            raw_from = index + c.len_utf8();
        }
        f.write_str(&text[raw_from..])
    }
}

/// Whether `c`, written right after `before` (text written as it is), would complete the
/// opener of a CI logging command: the second `:` of `::`, or the `[` of `##` followed by
/// ASCII letters or nothing (`##[`, `##vso[`, `##teamcity[`). A writer escapes such a `c`.
pub fn opens_command(before: &str, c: char) -> bool {
    match c {
        ':' => before.ends_with(':'),
        '[' => before
            .trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .ends_with("##"),
        _ => false,
    }
}

/// Whether `text` is written by [`Inert`] as it is: no character of it needs an escape.
pub fn is_inert(text: &str) -> bool {
    !text.chars().any(breaks_or_hides)
        && !text.contains("::")
        && !text
            .match_indices('[')
            .any(|(index, _)| opens_command(&text[..index], '['))
}

/// The inert form of `text`, borrowed when it needs no escaping.
pub fn inert(text: &str) -> Cow<'_, str> {
    if !is_inert(text) {
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
            '\u{2028}'
                | '\u{2029}'
                | '\u{61C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests;
