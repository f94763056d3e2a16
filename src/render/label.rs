//! How objects are named in rendered output. Names come from the tenant, so they are made safe
//! to print: a control character in a display name must not start a new line or an escape
//! sequence that forges output.

use crate::plan::Subject;
use std::borrow::Cow;

/// The text with control characters written as escapes (`\n`, `\u{1b}`).
pub fn printable(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_control) {
        Cow::Owned(
            text.chars()
                .map(|c| {
                    if c.is_control() {
                        c.escape_debug().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// A terraform-style quoted string: `"Pilar Pinilla"`, with quotes, backslashes and control
/// characters escaped.
pub fn quoted(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            c if c.is_control() => quoted.extend(c.escape_debug()),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// `"Pilar Pinilla" <pilar@contoso.com>`, or just the quoted name when there is no address.
pub fn quoted_subject(subject: &Subject) -> String {
    match &subject.address {
        Some(address) => format!("{} <{}>", quoted(&subject.display_name), printable(address)),
        None => quoted(&subject.display_name),
    }
}

/// `Pilar Pinilla <pilar@contoso.com>`, for lists of names under a group.
pub fn plain_subject(subject: &Subject) -> String {
    match &subject.address {
        Some(address) => format!(
            "{} <{}>",
            printable(&subject.display_name),
            printable(address)
        ),
        None => printable(&subject.display_name).into_owned(),
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
