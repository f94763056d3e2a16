//! How objects are named in rendered output. Names come from the tenant, so they are written
//! [`Inert`](crate::inert::Inert): a line break or a control character in a display name must
//! not start a new line, an escape sequence or a CI workflow command that forges output.

use crate::inert::inert;
use crate::plan::Subject;
use std::borrow::Cow;

/// The text made inert: line breaks and control characters written as escapes (`\n`,
/// `\u{1b}`), and workflow command openers broken.
pub fn printable(text: &str) -> Cow<'_, str> {
    inert(text)
}

/// A terraform-style quoted string: `"Pilar Pinilla"`, with quotes and backslashes escaped, and
/// made inert.
pub fn quoted(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    format!("\"{}\"", inert(&quoted))
}

/// `"Pilar Pinilla" <pilar@contoso.com>`, or just the quoted name when there is no address.
pub fn quoted_subject(subject: &Subject) -> String {
    match &subject.address() {
        Some(address) => format!(
            "{} <{}>",
            quoted(subject.display_name()),
            printable(address)
        ),
        None => quoted(subject.display_name()),
    }
}

/// `Pilar Pinilla <pilar@contoso.com>`, for lists of names under a group.
pub fn plain_subject(subject: &Subject) -> String {
    match &subject.address() {
        Some(address) => format!(
            "{} <{}>",
            printable(subject.display_name()),
            printable(address)
        ),
        None => printable(subject.display_name()).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_names_are_printed_as_they_are() {
        assert!(matches!(printable("Pilar Pinilla"), Cow::Borrowed(_)));
        assert_eq!(quoted("Pilar Pinilla"), "\"Pilar Pinilla\"");
    }

    #[test]
    fn a_name_cannot_forge_a_line_or_an_escape_sequence() {
        let hostile = "Eve\nPlan: 0 to add, 0 to change\u{1b}[2J";
        for shown in [printable(hostile).into_owned(), quoted(hostile)] {
            assert!(!shown.contains('\n'), "{shown}");
            assert!(!shown.contains('\u{1b}'), "{shown}");
        }
        assert_eq!(quoted("say \"hi\""), r#""say \"hi\"""#);
    }
}
