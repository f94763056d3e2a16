//! What one mailbox must change to meet its resolved policies: the lists as sets, the
//! DefaultAuditSet side effect, restored defaults, licence skips and notes.

use super::super::{Change, ListChange, MailboxChange, SkipReason, Subject};
use crate::catalog::{e5_actions, managed_defaults, Action, LicenceTier};
use crate::model::{ActionList, LogonType, Mailbox, MailboxNames};
use crate::policy::resolve::Resolved;
use crate::policy::{MailboxPolicy, PolicyRef};

pub(super) fn subject(names: &MailboxNames) -> Subject {
    Subject::of(names)
}

pub(super) fn sorted_refs<'a>(refs: impl Iterator<Item = &'a PolicyRef>) -> Vec<PolicyRef> {
    let mut refs: Vec<PolicyRef> = refs.cloned().collect();
    refs.sort();
    refs.dedup();
    refs
}

pub(super) enum Outcome {
    Unchanged,
    Change(Box<MailboxChange>),
    Skip(SkipReason),
}

/// What one mailbox must change to meet its resolved policies.
pub(super) fn diff_mailbox(
    mailbox: &Mailbox,
    resolved: &Resolved,
    selected: &[&MailboxPolicy],
) -> Outcome {
    let current = &mailbox.audit;
    let mut causes: Vec<usize> = Vec::new();
    let mut lists: [Option<ListChange>; 3] = Default::default();
    let mut default_audit_set = current.default_audit_set;
    let mut restore_defaults = crate::model::LogonSet::EMPTY;
    let mut needs_licence = crate::model::ActionSet::EMPTY;

    for logon in LogonType::ALL {
        let verdicts = resolved.list(logon);
        if verdicts.is_unspecified() {
            continue;
        }
        let before = current.list(logon);
        let after = if verdicts.managed_defaults {
            if current.default_audit_set.contains(logon) {
                continue;
            }
            restore_defaults.insert(logon);
            default_audit_set.insert(logon);
            causes.extend(
                Action::ALL
                    .iter()
                    .filter_map(|a| verdicts.winner(*a))
                    .take(1),
            );
            ActionList::from_known(managed_defaults(logon, mailbox.licence))
        } else {
            let known = before
                .known
                .union(verdicts.require)
                .difference(verdicts.forbid);
            let unknown = if verdicts.forbid_unknown {
                Vec::new()
            } else {
                before.unknown.clone()
            };
            let after = ActionList { known, unknown };
            if after == *before {
                continue;
            }
            default_audit_set.remove(logon);
            after
        };
        let add = after.known.difference(before.known);
        let remove = ActionList {
            known: before.known.difference(after.known),
            unknown: before
                .unknown
                .iter()
                .filter(|name| !after.unknown.contains(name))
                .cloned()
                .collect(),
        };
        if mailbox.licence == LicenceTier::NonE5 {
            needs_licence = needs_licence.union(add.intersection(e5_actions()));
        }
        causes.extend(
            add.union(remove.known)
                .iter()
                .filter_map(|a| verdicts.winner(a)),
        );
        if !remove.unknown.is_empty() {
            causes.extend(verdicts.unknown_winner());
        }
        if after != *before {
            lists[logon.index()] = Some(ListChange {
                before: before.clone(),
                after,
                add,
                remove,
            });
        }
    }
    if !needs_licence.is_empty() {
        return Outcome::Skip(SkipReason::LicenceRequired {
            actions: needs_licence
                .names()
                .into_iter()
                .map(String::from)
                .collect(),
        });
    }

    let mut notes = Vec::new();
    let enabled = resolved
        .enabled
        .filter(|desired| desired.value != current.enabled)
        .map(|desired| {
            causes.push(desired.winner);
            if mailbox.recipient_type.audit_enabled_is_ignored() {
                notes.push(format!(
                    "the service ignores AuditEnabled on a {}: it is audited by default whatever the flag says",
                    mailbox.recipient_type
                ));
            }
            Change {
                before: current.enabled,
                after: desired.value,
            }
        });
    let log_age_limit = resolved
        .log_age_limit
        .filter(|desired| desired.value != current.log_age_limit)
        .map(|desired| {
            causes.push(desired.winner);
            Change {
                before: current.log_age_limit,
                after: desired.value,
            }
        });
    let default_audit_set = (default_audit_set != current.default_audit_set).then_some(Change {
        before: current.default_audit_set,
        after: default_audit_set,
    });
    if enabled.is_none()
        && log_age_limit.is_none()
        && default_audit_set.is_none()
        && lists.iter().all(Option::is_none)
    {
        return Outcome::Unchanged;
    }
    Outcome::Change(Box::new(MailboxChange {
        subject: subject(&mailbox.names),
        recipient_type: mailbox.recipient_type.clone(),
        policies: sorted_refs(causes.iter().map(|&index| &selected[index].reference)),
        fingerprint: current.fingerprint(),
        enabled,
        log_age_limit,
        lists,
        default_audit_set,
        restore_defaults,
        notes,
    }))
}
