//! The plan as a GitHub pull-request comment.
//!
//! A reviewer sees the summary line and every change that weakens auditing without opening
//! anything; the plan itself follows in a collapsed ```` ```diff ```` block, in the grouped
//! representation of the text plan, with `+` / `-` moved to the first column so that GitHub
//! colours them. GitHub refuses comments over 65,536 characters, so the comment is built to stay
//! within [`COMMENT_LIMIT`] for any plan: the diff is cut between blocks with a note saying what
//! is missing, while the summary and the weakening list are kept whole (only a weakening list
//! that alone would pass the limit is cut, and it says how many it leaves out).
//!
//! Names come from the tenant. In prose they are escaped so that they can't open Markdown or
//! HTML constructs or @mention anyone; inside the diff they can neither close the fence nor pass
//! for a `+` / `-` line.

use super::group::group_changes;
use super::label::printable;
use super::style::Palette;
use super::text::{entries, Entry, Item};
use super::text_blocks::PlanWriter;
use crate::english::{counted, thousands};
use crate::plan::Plan;
use escape::{diff_lines, diff_safe};
use std::io::{self, Write};
use weakening::weakening_warning;

/// The most a comment may hold, in bytes of UTF-8, which is never fewer than its characters or
/// UTF-16 units; GitHub's own limit is 65,536 characters.
pub const COMMENT_LIMIT: usize = 60_000;

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

mod escape;
mod weakening;

#[cfg(test)]
mod tests;
