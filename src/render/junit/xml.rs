//! The little XML that JUnit reports need, written so that nothing from a tenant or a policy
//! file can change the document's structure: every attribute and text is escaped, and the
//! characters XML 1.0 forbids (most control characters, U+FFFE, U+FFFF) are written as visible
//! escapes (`\u{1b}`) instead. Attributes hold one line: a line break in one is written as
//! `\n`, so a name can't forge a second line in a CI log or a test tab.

use std::fmt::Write as _;

/// An attribute value, escaped and on one line.
pub fn attribute(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() || !is_xml_char(c) => visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Text content, escaped; line breaks and tabs stay, other control characters become visible
/// escapes.
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() || !is_xml_char(c) => visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// XML 1.0's `Char` production, less what `is_control` already covers.
fn is_xml_char(c: char) -> bool {
    !matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

fn visible(out: &mut String, c: char) {
    let _ = write!(out, "{}", c.escape_debug());
    if c.escape_debug().len() == 1 {
        // `escape_debug` leaves some characters as they are; XML still refuses them.
        out.pop();
        let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_in_attributes_and_text() {
        assert_eq!(
            attribute(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
        assert_eq!(text("</failure><x>&"), "&lt;/failure&gt;&lt;x&gt;&amp;");
    }

    #[test]
    fn characters_xml_forbids_become_visible_escapes() {
        assert_eq!(attribute("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(attribute("line\nbreak"), "line\\nbreak");
        assert_eq!(text("nul\u{0}here"), "nul\\0here");
        assert_eq!(text("keep\nlines\tand tabs"), "keep\nlines\tand tabs");
        assert_eq!(text("not\u{FFFE}a char"), "not\\u{fffe}a char");
        assert_eq!(attribute("bell\u{7}"), "bell\\u{7}");
        assert_eq!(text("c1\u{85}"), "c1\\u{85}");
    }
}
