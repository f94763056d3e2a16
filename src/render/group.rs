//! Grouping identical mailbox changes, so that a plan over 100,000 mailboxes stays readable.
//!
//! Two changes are identical when the recipient type and every property delta are equal: for
//! lists the actions added and removed (not the whole lists, which differ from one mailbox to the
//! next), for scalars and DefaultAuditSet the values before and after, and the notes. Grouping is
//! pure and linear: one hash lookup per change, keyed by borrowed parts of the change.

use crate::model::{ActionList, LogonSet, LogonType, RecipientType};
use crate::plan::{Change, MailboxChange, Weakening};
use crate::policy::PolicyRef;
use crate::timespan::TimeSpan;
use std::collections::HashMap;

/// Mailbox changes that do exactly the same thing, in the order the plan lists them.
#[derive(Clone, Debug)]
pub struct ChangeGroup<'a> {
    /// Never empty; the first member stands for the whole group.
    pub members: Vec<&'a MailboxChange>,
}

impl<'a> ChangeGroup<'a> {
    /// The change every member makes (its lists before and after are this member's own).
    pub fn representative(&self) -> &'a MailboxChange {
        self.members[0]
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The same for every member, since weakenings follow from the deltas alone.
    pub fn weakenings(&self) -> Vec<Weakening> {
        self.representative().weakenings()
    }

    pub fn weakens(&self) -> bool {
        !self.weakenings().is_empty()
    }

    /// Every policy behind any member, each once, in first-seen order.
    pub fn policies(&self) -> Vec<&'a PolicyRef> {
        let mut seen: Vec<&'a PolicyRef> = Vec::new();
        for member in &self.members {
            for policy in member.policies.iter() {
                if !seen.contains(&policy) {
                    seen.push(policy);
                }
            }
        }
        seen
    }
}

/// What makes two changes the same change.
#[derive(PartialEq, Eq, Hash)]
struct Signature<'a> {
    recipient_type: &'a RecipientType,
    enabled: Option<&'a Change<bool>>,
    log_age_limit: Option<&'a Change<TimeSpan>>,
    lists: [Option<(&'a ActionList, &'a ActionList)>; 3],
    default_audit_set: Option<&'a Change<LogonSet>>,
    restore_defaults: LogonSet,
    notes: &'a [String],
}

impl<'a> Signature<'a> {
    fn of(change: &'a MailboxChange) -> Self {
        Signature {
            recipient_type: &change.recipient_type,
            enabled: change.enabled.as_ref(),
            log_age_limit: change.log_age_limit.as_ref(),
            lists: LogonType::ALL
                .map(|logon| change.list(logon).map(|list| (&list.add, &list.remove))),
            default_audit_set: change.default_audit_set.as_ref(),
            restore_defaults: change.restore_defaults,
            notes: &change.notes,
        }
    }
}

/// Groups identical changes. Groups come in the order of their first member, members in plan
/// order, so the result is as deterministic as the plan.
pub fn group_changes(changes: &[MailboxChange]) -> Vec<ChangeGroup<'_>> {
    group_change_refs(changes)
}

/// [`group_changes`] over any sequence of changes, such as those one policy causes.
pub fn group_change_refs<'a>(
    changes: impl IntoIterator<Item = &'a MailboxChange>,
) -> Vec<ChangeGroup<'a>> {
    let mut index_of: HashMap<Signature<'_>, usize> = HashMap::new();
    let mut groups: Vec<ChangeGroup<'_>> = Vec::new();
    for change in changes {
        let next = groups.len();
        let index = *index_of.entry(Signature::of(change)).or_insert(next);
        if index == next {
            groups.push(ChangeGroup {
                members: Vec::new(),
            });
        }
        groups[index].members.push(change);
    }
    groups
}

#[cfg(test)]
mod tests;
