//! Keeping names from the tenant from changing what a Markdown comment says: escaped in
//! prose, and inside the diff unable to close the fence or pass for a `+` / `-` line.

use super::super::label::printable;
use crate::plan::{Plan, Subject};
use std::borrow::Cow;

/// Text plan lines made into diff lines: `+` and `-` move to the first column, where GitHub
/// colours them, and no run of backticks is long enough to close the fence.
pub(super) fn diff_lines(text: &str) -> String {
    let mut diff = String::with_capacity(text.len() + text.len() / 8);
    for line in text.lines() {
        let indented = line.trim_start_matches(' ');
        let indent = &line[..line.len() - indented.len()];
        let marker = ["+ ", "- "]
            .into_iter()
            .find(|marker| !indent.is_empty() && indented.starts_with(marker));
        let line = match marker {
            Some(marker) => Cow::Owned(format!("{}{indent}{}", &marker[..1], &indented[1..])),
            None => Cow::Borrowed(line),
        };
        let mut previous = None;
        for c in line.chars() {
            if c == '`' && previous == Some('`') {
                diff.push('\u{200B}');
            }
            diff.push(c);
            previous = Some(c);
        }
        diff.push('\n');
    }
    diff
}

/// The plan with display names that could pass for a `+` / `-` line of the diff (by starting
/// with one, or with spaces) prefixed by a zero-width space; borrowed when there are none.
pub(super) fn diff_safe(plan: &Plan) -> Cow<'_, Plan> {
    fn risky(subject: &Subject) -> bool {
        subject
            .display_name()
            .starts_with(|c: char| c.is_whitespace() || c == '+' || c == '-')
    }
    fn defuse(subject: &mut Subject) {
        if risky(subject) {
            *subject = subject.with_display_name(&format!("\u{200B}{}", subject.display_name()));
        }
    }
    let any = plan.mailbox_changes.iter().any(|c| risky(&c.subject))
        || plan.skipped.iter().any(|s| risky(&s.subject));
    if !any {
        return Cow::Borrowed(plan);
    }
    let mut safe = plan.clone();
    safe.mailbox_changes
        .iter_mut()
        .for_each(|c| defuse(&mut c.subject));
    safe.skipped.iter_mut().for_each(|s| defuse(&mut s.subject));
    Cow::Owned(safe)
}

/// Tenant text for Markdown prose: control characters escaped, Markdown and HTML punctuation
/// backslash-escaped, and `@` followed by a zero-width joiner where it could start a mention.
pub(super) fn inline(text: &str) -> String {
    let text = printable(text);
    let mut escaped = String::with_capacity(text.len() + 8);
    let mut previous: Option<char> = None;
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '!' | '&' | '{'
            | '}' => {
                escaped.push('\\');
                escaped.push(c);
            }
            '@' if !previous.is_some_and(char::is_alphanumeric) => {
                escaped.push('@');
                escaped.push('\u{200D}');
            }
            c => escaped.push(c),
        }
        previous = Some(c);
    }
    escaped
}
