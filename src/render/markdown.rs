//! The plan as a GitHub pull-request comment.
//!
//! A reviewer sees the summary line and every change that weakens auditing without opening
//! anything; the plan itself follows in a collapsed ```` ```diff ```` block, in the grouped
//! representation of the text plan, with `+` / `-` moved to the first column so that GitHub
//! colours them. GitHub refuses comments over 65,536 characters, so the comment is built to stay
//! within [`COMMENT_LIMIT`] for any plan: the diff is cut between blocks with a note saying what
//! is missing, while the summary and the weakening list are kept whole.
//!
//! Names come from the tenant. In prose they are escaped so that they can't open Markdown or
//! HTML constructs or @mention anyone; inside the diff they can neither close the fence nor pass
//! for a `+` / `-` line.

use super::group::{group_changes, ChangeGroup};
use super::label::{plain_subject, printable, quoted, quoted_subject};
use super::style::{counted, thousands, Palette};
use super::text::{entries, Entry, Item, PlanWriter};
use super::text_blocks::reasons;
use crate::model::RecipientType;
use crate::plan::{Plan, Subject, Weakening};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

/// The most a comment may hold, in bytes of UTF-8, which is never fewer than its characters or
/// UTF-16 units; GitHub's own limit is 65,536 characters.
pub const COMMENT_LIMIT: usize = 60_000;

/// How many names a grouped weakening item shows before `and N more`.
const NAMES_SHOWN: usize = 3;

/// Writes the plan as a pull-request comment of at most [`COMMENT_LIMIT`] bytes.
pub fn render_markdown(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(comment(plan, COMMENT_LIMIT).as_bytes())?;
    out.flush()
}

/// The whole comment, within `limit` bytes for any plan that leaves room for its summary.
fn comment(plan: &Plan, limit: usize) -> String {
    let plan = diff_safe(plan);
    let plan = plan.as_ref();
    let groups = group_changes(&plan.mailbox_changes);
    let entries = entries(plan, &groups, false);

    let mut comment = heading(plan);
    let has_body = !plan.is_empty() || !plan.skipped.is_empty() || !plan.warnings.is_empty();
    if !has_body {
        return comment;
    }
    let frame = Frame::new(plan);
    let longest_cut_note = cut_note(&everything(plan), limit).len();
    let reserved = comment.len() + frame.len() + longest_cut_note;
    comment.push_str(&weakening_warning(plan, &entries, limit, reserved));
    let budget = limit.saturating_sub(comment.len() + frame.len());
    comment.push_str(&frame.open);
    comment.push_str(&diff_body(plan, &entries, budget, limit));
    comment.push_str(&frame.close);
    comment
}

/// `### auditform plan: 12 to change, 3 skipped, 1,234 unchanged`.
fn heading(plan: &Plan) -> String {
    if plan.is_empty() {
        return "### auditform plan: no changes\n\nYour mailboxes match the policies.\n"
            .to_string();
    }
    let mut parts = vec![format!("{} to change", thousands(plan.to_change()))];
    if !plan.skipped.is_empty() {
        parts.push(format!("{} skipped", thousands(plan.skipped.len())));
    }
    if plan.unchanged > 0 {
        parts.push(format!("{} unchanged", thousands(plan.unchanged)));
    }
    format!("### auditform plan: {}\n", parts.join(", "))
}

/// The collapsed section around the diff, and the `Plan:` line that closes it.
struct Frame {
    open: String,
    close: String,
}

impl Frame {
    fn new(plan: &Plan) -> Self {
        let summary = if plan.is_empty() {
            "Skipped mailboxes and warnings"
        } else {
            "Show plan"
        };
        let mut plan_line = Vec::new();
        if !plan.is_empty() {
            let mut writer = plain_writer(&mut plan_line);
            // Writing to memory does not fail.
            let _ = writer.summary(plan);
        }
        Frame {
            open: format!("\n<details><summary>{summary}</summary>\n\n```diff\n"),
            close: format!("{}```\n\n</details>\n", String::from_utf8_lossy(&plan_line)),
        }
    }

    fn len(&self) -> usize {
        self.open.len() + self.close.len()
    }
}

fn plain_writer(out: &mut dyn Write) -> PlanWriter<'_> {
    PlanWriter {
        out,
        palette: Palette::new(false),
        expand: false,
    }
}

/// Changes that weaken auditing in the same way, over one or more objects.
struct WeakeningItem<'a> {
    reasons: &'a [Weakening],
    kind: Kind,
    objects: usize,
    /// The first few objects, for a mailbox or bypass item.
    subjects: Vec<&'a Subject>,
    /// Shared by every mailbox of the item, else `None`.
    recipient_type: Option<&'a RecipientType>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Organization,
    Bypass,
    Mailbox,
}

/// The loud block above the plan. Every weakening change is listed; identical ones share an
/// item so that the list fits. Only when it still would not fit in `limit` with the `reserved`
/// bytes is it cut, and then it says so.
fn weakening_warning(plan: &Plan, entries: &[Entry<'_>], limit: usize, reserved: usize) -> String {
    let count = plan.weakening_count();
    if count == 0 {
        return String::new();
    }
    let mut block = format!(
        "\n> [!WARNING]\n> **⚠ {} {} auditing.** This is auditform's \"destroy\": review {} before you apply.\n>\n",
        counted(count, "change", "changes"),
        if count == 1 { "weakens" } else { "weaken" },
        if count == 1 { "it" } else { "them" },
    );
    let items: Vec<(String, usize)> = weakening_items(entries)
        .iter()
        .map(|item| (format!("> - {}\n", weakening_line(item)), item.objects))
        .collect();
    let whole: usize = items.iter().map(|(line, _)| line.len()).sum();
    if reserved + block.len() + whole <= limit {
        items.iter().for_each(|(line, _)| block.push_str(line));
        return block;
    }
    let longest_note = weakening_cut_note(count, limit).len();
    let mut unlisted = count;
    for (line, objects) in &items {
        if reserved + block.len() + line.len() + longest_note > limit {
            break;
        }
        block.push_str(line);
        unlisted -= objects;
    }
    block.push_str(&weakening_cut_note(unlisted, limit));
    block
}

fn weakening_cut_note(unlisted: usize, limit: usize) -> String {
    format!(
        "> - … and {} not listed: the list alone would pass the comment limit of {} characters; see the plan artifact or run auditform plan\n",
        counted(unlisted, "more weakening change", "more weakening changes"),
        thousands(limit)
    )
}

/// Weakening entries grouped by their reasons, in the order the plan lists them.
fn weakening_items<'a>(entries: &'a [Entry<'a>]) -> Vec<WeakeningItem<'a>> {
    let mut index_of: HashMap<(&'a [Weakening], bool), usize> = HashMap::new();
    let mut items: Vec<WeakeningItem<'a>> = Vec::new();
    for entry in entries.iter().filter(|entry| !entry.weakenings.is_empty()) {
        let (kind, subjects, recipient_type): (Kind, Vec<&'a Subject>, Option<&RecipientType>) =
            match &entry.item {
                Item::Organization(_) => (Kind::Organization, Vec::new(), None),
                Item::Bypass(change) => (Kind::Bypass, vec![&change.subject], None),
                Item::Mailbox(change) => (
                    Kind::Mailbox,
                    vec![&change.subject],
                    Some(&change.recipient_type),
                ),
                Item::Group(group) => group_subjects(group),
            };
        let objects = match &entry.item {
            Item::Group(group) => group.len(),
            _ => 1,
        };
        let key = (entry.weakenings.as_slice(), kind == Kind::Bypass);
        let next = items.len();
        let index = *index_of.entry(key).or_insert(next);
        if index == next {
            items.push(WeakeningItem {
                reasons: &entry.weakenings,
                kind,
                objects: 0,
                subjects: Vec::new(),
                recipient_type,
            });
        }
        let item = &mut items[index];
        item.objects += objects;
        if item.recipient_type != recipient_type {
            item.recipient_type = None;
        }
        let room = (NAMES_SHOWN + 1).saturating_sub(item.subjects.len());
        item.subjects.extend(subjects.into_iter().take(room));
    }
    items
}

fn group_subjects<'a>(
    group: &'a ChangeGroup<'a>,
) -> (Kind, Vec<&'a Subject>, Option<&'a RecipientType>) {
    let subjects = group
        .members
        .iter()
        .take(NAMES_SHOWN + 1)
        .map(|member| &member.subject)
        .collect();
    (
        Kind::Mailbox,
        subjects,
        Some(&group.representative().recipient_type),
    )
}

/// `**mailbox "Adele Vance" <adele@contoso.com>**: turns AuditEnabled off`, escaped.
fn weakening_line(item: &WeakeningItem<'_>) -> String {
    let single = match item.subjects.as_slice() {
        [subject] if item.objects == 1 => Some(inline(&quoted_subject(subject))),
        _ => None,
    };
    let what = match (item.kind, single) {
        (Kind::Organization, _) => "**organization config**".to_string(),
        (Kind::Bypass, Some(subject)) => format!("**audit bypass association {subject}**"),
        (Kind::Mailbox, Some(subject)) => format!("**mailbox {subject}**"),
        (Kind::Bypass, None) => format!(
            "**{} audit bypass associations** ({})",
            thousands(item.objects),
            some_names(item, |subject| quoted(&subject.display_name))
        ),
        (Kind::Mailbox, None) => {
            let noun = match item.recipient_type {
                Some(recipient_type) => format!("{} mailboxes", recipient_type.name()),
                None => "mailboxes".to_string(),
            };
            format!(
                "**{} {}** ({})",
                thousands(item.objects),
                inline(&noun),
                some_names(item, plain_subject)
            )
        }
    };
    format!("{what}: {}", inline(&reasons(item.reasons)))
}

/// `A, B, C and 5 more`, escaped.
fn some_names(item: &WeakeningItem<'_>, name: impl Fn(&Subject) -> String) -> String {
    let shown = if item.objects > NAMES_SHOWN + 1 {
        NAMES_SHOWN
    } else {
        item.objects
    };
    let names: Vec<String> = item
        .subjects
        .iter()
        .take(shown)
        .map(|subject| inline(&name(subject)))
        .collect();
    let mut text = names.join(", ");
    if item.objects > shown {
        text.push_str(&format!(" and {} more", thousands(item.objects - shown)));
    }
    text
}

/// A block of the diff, and what it shows.
#[derive(Default)]
struct Chunk {
    text: String,
    changes: usize,
    skipped: usize,
    warnings: usize,
}

/// The blocks of the diff in order, each rendered only when asked for: a plan of 100,000
/// changes needs no more of them rendered than fit in a comment.
fn chunks<'a>(plan: &'a Plan, entries: &'a [Entry<'a>]) -> impl Iterator<Item = Chunk> + 'a {
    let source = (!plan.is_empty()).then(|| Chunk {
        text: format!(
            "# auditform compared the policies with {}.\n\n",
            printable(if plan.source.is_empty() {
                "the current state"
            } else {
                &plan.source
            })
        ),
        ..Chunk::default()
    });
    let changes = entries.iter().map(|entry| {
        let mut text = Vec::new();
        let mut writer = plain_writer(&mut text);
        // Writing to memory does not fail.
        let _ = writer.entry(entry).and_then(|()| writeln!(writer.out));
        Chunk {
            text: diff_lines(&String::from_utf8_lossy(&text)),
            changes: match &entry.item {
                Item::Group(group) => group.len(),
                _ => 1,
            },
            ..Chunk::default()
        }
    });
    let skipped = std::iter::once_with(|| {
        let mut text = Vec::new();
        let _ = plain_writer(&mut text).skipped(&plan.skipped);
        Chunk {
            text: diff_lines(&String::from_utf8_lossy(&text)),
            skipped: plan.skipped.len(),
            ..Chunk::default()
        }
    });
    let warnings = std::iter::once_with(|| {
        let mut text = Vec::new();
        let _ = plain_writer(&mut text).warnings(&plan.warnings);
        Chunk {
            text: diff_lines(&String::from_utf8_lossy(&text)),
            warnings: plan.warnings.len(),
            ..Chunk::default()
        }
    });
    source
        .into_iter()
        .chain(changes)
        .chain(skipped)
        .chain(warnings)
        .filter(|chunk| !chunk.text.is_empty())
}

/// What the whole diff shows.
fn everything(plan: &Plan) -> Chunk {
    Chunk {
        changes: plan.to_change(),
        skipped: plan.skipped.len(),
        warnings: plan.warnings.len(),
        ..Chunk::default()
    }
}

/// As many whole blocks as fit in `budget` bytes, then a note of what was left out.
fn diff_body(plan: &Plan, entries: &[Entry<'_>], budget: usize, limit: usize) -> String {
    let everything = everything(plan);
    let mut shown: Vec<Chunk> = Vec::new();
    let mut used = 0;
    let mut complete = true;
    for chunk in chunks(plan, entries) {
        used += chunk.text.len();
        shown.push(chunk);
        if used > budget {
            complete = false;
            break;
        }
    }
    if complete {
        return shown.into_iter().map(|chunk| chunk.text).collect();
    }
    let room = budget.saturating_sub(cut_note(&everything, limit).len());
    while used > room {
        match shown.pop() {
            Some(chunk) => used -= chunk.text.len(),
            None => break,
        }
    }
    let missing = Chunk {
        changes: everything.changes - shown.iter().map(|c| c.changes).sum::<usize>(),
        skipped: everything.skipped - shown.iter().map(|c| c.skipped).sum::<usize>(),
        warnings: everything.warnings - shown.iter().map(|c| c.warnings).sum::<usize>(),
        ..Chunk::default()
    };
    let mut body: String = shown.into_iter().map(|chunk| chunk.text).collect();
    body.push_str(&cut_note(&missing, limit));
    body
}

/// `… 99,000 more changes not shown (the comment limit is 60,000 characters); ...`.
fn cut_note(missing: &Chunk, limit: usize) -> String {
    let mut parts = Vec::new();
    if missing.changes > 0 {
        parts.push(counted(missing.changes, "more change", "more changes"));
    }
    if missing.skipped > 0 {
        parts.push(counted(
            missing.skipped,
            "skipped mailbox",
            "skipped mailboxes",
        ));
    }
    if missing.warnings > 0 {
        parts.push(counted(missing.warnings, "warning", "warnings"));
    }
    let what = match parts.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => "nothing more".to_string(),
    };
    format!(
        "… {what} not shown (the comment limit is {} characters); see the plan artifact or run auditform plan --expand\n\n",
        thousands(limit)
    )
}

/// Text plan lines made into diff lines: `+` and `-` move to the first column, where GitHub
/// colours them, and no run of backticks is long enough to close the fence.
fn diff_lines(text: &str) -> String {
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
fn diff_safe(plan: &Plan) -> Cow<'_, Plan> {
    fn risky(subject: &Subject) -> bool {
        subject
            .display_name
            .starts_with(|c: char| c.is_whitespace() || c == '+' || c == '-')
    }
    fn defuse(subject: &mut Subject) {
        if risky(subject) {
            subject.display_name.insert(0, '\u{200B}');
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
fn inline(text: &str) -> String {
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

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
