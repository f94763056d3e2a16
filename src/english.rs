//! English phrasing that every layer shares: counts with their nouns, thousands separators, and
//! input echoed in a message cut to a readable length. It depends on nothing, so that the core
//! and the renderers can word these alike.

use std::borrow::Cow;
use std::fmt;

/// `count noun`, with thousands separators and the noun in the plural unless the count is one.
pub fn counted(count: usize, singular: &str, plural: &str) -> String {
    let noun = if count == 1 { singular } else { plural };
    format!("{} {noun}", thousands(count))
}

/// Formats a count with thousands separators, as plans do.
pub fn thousands(count: usize) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Echoed input longer than this many characters is cut.
pub const ECHO_LIMIT: usize = 80;

/// Input a message repeats, such as a misspelt action name, cut to [`ECHO_LIMIT`] characters
/// with an ellipsis and its whole length, so that a 200 KB value does not fill the terminal:
/// `Mailbox…(200,000 characters)`. Shorter input is shown whole.
#[derive(Clone, Copy, Debug)]
pub struct Echo<'a>(pub &'a str);

impl fmt::Display for Echo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&cut(self.0, ECHO_LIMIT))
    }
}

/// `text` cut to `limit` characters with an ellipsis and its whole length, or whole when it is
/// no longer.
pub fn cut(text: &str, limit: usize) -> Cow<'_, str> {
    match text.char_indices().nth(limit) {
        None => Cow::Borrowed(text),
        Some((end, _)) => Cow::Owned(format!(
            "{}… ({} characters)",
            &text[..end],
            thousands(text.chars().count())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_input_is_echoed_whole() {
        assert_eq!(Echo("HardDelet").to_string(), "HardDelet");
        let exactly = "x".repeat(ECHO_LIMIT);
        assert_eq!(Echo(&exactly).to_string(), exactly);
    }

    #[test]
    fn long_input_is_cut_with_an_ellipsis_and_its_length() {
        let long = "é".repeat(200_000);
        let echoed = Echo(&long).to_string();
        assert_eq!(
            echoed,
            format!("{}… (200,000 characters)", "é".repeat(ECHO_LIMIT))
        );
    }

    #[test]
    fn thousands_are_separated_by_commas() {
        let cases = [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1_000, "1,000"),
            (3_412, "3,412"),
            (100_000, "100,000"),
            (1_234_567, "1,234,567"),
        ];
        for (count, expected) in cases {
            assert_eq!(thousands(count), expected);
        }
    }
}
