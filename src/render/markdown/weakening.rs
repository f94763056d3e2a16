//! The warning above a Markdown plan that lists every change weakening auditing, grouped by
//! reason so that even a large plan's list fits in one comment.

use super::super::group::ChangeGroup;
use super::super::label::{plain_subject, quoted, quoted_subject};
use super::super::text::{Entry, Item};
use super::super::text_blocks::reasons;
use super::escape::inline;
use crate::english::{counted, thousands};
use crate::model::RecipientType;
use crate::plan::{Plan, Subject, Weakening};
use std::borrow::Cow;
use std::collections::HashMap;

/// How many names a grouped weakening item shows before `and N more`.
const NAMES_SHOWN: usize = 3;

/// Changes that weaken auditing in the same way, over one or more objects.
struct WeakeningItem<'a> {
    reasons: Cow<'a, [Weakening]>,
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
pub(super) fn weakening_warning(
    plan: &Plan,
    entries: &[Entry<'_>],
    limit: usize,
    reserved: usize,
) -> String {
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
    // Too many ways to list one by one: account for every weakening change by each single
    // reason it has, which is a short list whatever the size of the plan.
    let by_reason: Vec<(String, usize)> = reason_items(entries)
        .iter()
        .map(|item| (format!("> - {}\n", weakening_line(item)), item.objects))
        .collect();
    let lead = "> Too many different combinations to list one by one; by single reason (a change with several reasons counts under each):\n";
    let by_reason_whole: usize = by_reason.iter().map(|(line, _)| line.len()).sum();
    if reserved + block.len() + lead.len() + by_reason_whole <= limit {
        block.push_str(lead);
        by_reason.iter().for_each(|(line, _)| block.push_str(line));
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
    collect_items(entries, |entry| {
        vec![Cow::Borrowed(entry.weakenings.as_slice())]
    })
}

/// Weakening entries counted under each single reason: a removal of several actions counts
/// once under each action. Kept in first-seen order.
fn reason_items<'a>(entries: &'a [Entry<'a>]) -> Vec<WeakeningItem<'a>> {
    collect_items(entries, |entry| {
        entry
            .weakenings
            .iter()
            .flat_map(single_reasons)
            .map(|reason| Cow::Owned(vec![reason]))
            .collect()
    })
}

/// Items keyed by the reasons `keys` gives each weakening entry (and by whether it is a bypass
/// association), counting objects and keeping the first few names.
fn collect_items<'a>(
    entries: &'a [Entry<'a>],
    keys: impl Fn(&'a Entry<'a>) -> Vec<Cow<'a, [Weakening]>>,
) -> Vec<WeakeningItem<'a>> {
    let mut index_of: HashMap<(Cow<'a, [Weakening]>, bool), usize> = HashMap::new();
    let mut items: Vec<WeakeningItem<'a>> = Vec::new();
    for entry in entries.iter().filter(|entry| !entry.weakenings.is_empty()) {
        let (kind, subjects, recipient_type, objects) = describe(entry);
        for reasons in keys(entry) {
            let next = items.len();
            let index = *index_of
                .entry((reasons.clone(), kind == Kind::Bypass))
                .or_insert(next);
            if index == next {
                items.push(WeakeningItem {
                    reasons,
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
            item.subjects.extend(subjects.iter().copied().take(room));
        }
    }
    items
}

/// A weakening split into its single reasons: one per removed action.
fn single_reasons(reason: &Weakening) -> Vec<Weakening> {
    match reason {
        Weakening::RemovesActions { logon, names } => names
            .iter()
            .map(|name| Weakening::RemovesActions {
                logon: *logon,
                names: vec![name.clone()],
            })
            .collect(),
        other => vec![other.clone()],
    }
}

/// What kind of object an entry is, its first few subjects, their shared recipient type, and
/// how many objects it covers.
fn describe<'a>(
    entry: &'a Entry<'a>,
) -> (Kind, Vec<&'a Subject>, Option<&'a RecipientType>, usize) {
    match &entry.item {
        Item::Organization(_) => (Kind::Organization, Vec::new(), None, 1),
        Item::Bypass(change) => (Kind::Bypass, vec![&change.subject], None, 1),
        Item::Mailbox(change) => (
            Kind::Mailbox,
            vec![&change.subject],
            Some(&change.recipient_type),
            1,
        ),
        Item::Group(group) => {
            let (kind, subjects, recipient_type) = group_subjects(group);
            (kind, subjects, recipient_type, group.len())
        }
    }
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
            some_names(item, |subject| quoted(subject.display_name()))
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
    format!("{what}: {}", inline(&reasons(&item.reasons)))
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
