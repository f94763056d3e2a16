//! What one mailbox must change to meet its resolved policies: the lists as sets, the
//! DefaultAuditSet side effect, restored defaults, licence skips and notes.

use super::super::{Change, ListChange, MailboxChange, SkipReason, Subject};
use super::policy_lists::PolicyLists;
use crate::catalog::{premium_actions, Action, Catalog, LicenceTier};
use crate::model::{LogonType, Mailbox, MailboxNames};
use crate::policy::resolve::{Resolved, Scalar};
use crate::policy::{MailboxPolicy, PolicyRef, PolicySet};
use crate::timespan::TimeSpan;
use std::sync::Arc;

pub(super) fn subject(names: &MailboxNames) -> Subject {
    Subject::of(names)
}

/// Each policy once, sorted, in a list of exactly that length: a plan keeps one per change, and
/// a policy is named once for every action it adds, so sorting the clones in place would keep
/// room for every repeat (hundreds of bytes per change, a third of a million-mailbox plan).
pub(super) fn sorted_refs<'a>(refs: impl Iterator<Item = &'a PolicyRef>) -> Vec<PolicyRef> {
    let mut refs: Vec<&PolicyRef> = refs.collect();
    refs.sort();
    refs.dedup();
    refs.into_iter().cloned().collect()
}

pub(super) enum Outcome {
    Unchanged,
    Change(Box<MailboxChange>),
    Skip(SkipReason),
}

/// What one mailbox must change to meet its resolved policies.
///
/// `selection` are the indexes in `policies.mailbox` of the policies that select the mailbox,
/// as `resolved` numbers them.
pub(super) fn diff_mailbox(
    mailbox: &Mailbox,
    resolved: &Resolved,
    selection: &[u32],
    policies: &PolicySet,
    policy_lists: &mut PolicyLists,
) -> Outcome {
    let catalog = &policies.catalog;
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
            catalog.managed_defaults(logon)
        } else {
            let mut kept = before.difference(&verdicts.forbid);
            if verdicts.forbid_unknown {
                // Names nobody knows go; declared names stay unless a verdict forbids them.
                kept.unknown
                    .retain(|name| catalog.find_declared(name).is_some());
            }
            let after = kept.union(&verdicts.require);
            if after.same_actions(before) {
                continue;
            }
            default_audit_set.remove(logon);
            after
        };
        let add = after.difference(before);
        let remove = before.difference(&after);
        if mailbox.licence == LicenceTier::NonE5 {
            needs_licence = needs_licence.union(add.known.intersection(premium_actions()));
        }
        for action in add.known.union(remove.known).iter() {
            causes.extend(verdicts.winner(action));
        }
        for name in add.unknown.iter().chain(&remove.unknown) {
            causes.extend(verdicts.winner_of_name(catalog, name));
        }
        if !after.same_actions(before) {
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

    let mut notes = declared_notes(&lists, catalog);
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
        policies: {
            let mut indexes: Vec<u32> = causes.iter().map(|&cause| selection[cause]).collect();
            policy_lists.list(policies, &mut indexes)
        },
        fingerprint: current.fingerprint(),
        enabled,
        log_age_limit,
        lists,
        default_audit_set,
        restore_defaults,
        notes: notes.into(),
    }))
}

/// What a Microsoft 365 Group mailbox must change: its AuditLogAgeLimit alone, the one audit
/// setting the service lets anyone change there (with `Set-Mailbox -GroupMailbox`, [EV-4.6]).
pub(super) fn diff_group_mailbox(
    mailbox: &Mailbox,
    log_age_limit: Option<Scalar<TimeSpan>>,
    selected: &[&MailboxPolicy],
) -> Option<MailboxChange> {
    let current = &mailbox.audit;
    let desired = log_age_limit.filter(|desired| desired.value != current.log_age_limit)?;
    Some(MailboxChange {
        subject: subject(&mailbox.names),
        recipient_type: mailbox.recipient_type.clone(),
        policies: Arc::from([selected[desired.winner].reference.clone()]),
        fingerprint: current.fingerprint(),
        enabled: None,
        log_age_limit: Some(Change {
            before: current.log_age_limit,
            after: desired.value,
        }),
        lists: Default::default(),
        default_audit_set: None,
        restore_defaults: crate::model::LogonSet::EMPTY,
        notes: Box::new([
            "a Microsoft 365 Group mailbox: only AuditLogAgeLimit can be changed, with Set-Mailbox -GroupMailbox".to_string(),
        ]),
    })
}

/// Whether any policy asks a group mailbox for what the service fixes: lists or AuditEnabled.
pub(super) fn asks_fixed_settings(selected: &[&MailboxPolicy]) -> bool {
    selected.iter().any(|policy| {
        policy.audit.enabled.is_some() || policy.audit.lists.iter().any(Option::is_some)
    })
}

/// A note for each declared action a change adds or removes: the plan marks it as the user's
/// declaration, not a fact auditform knows, so that a reviewer knows whose word it is.
fn declared_notes(lists: &[Option<ListChange>; 3], catalog: &Catalog) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    for list in lists.iter().flatten() {
        for name in list.add.unknown.iter().chain(&list.remove.unknown) {
            let Some(declared) = catalog.find_declared(name) else {
                continue;
            };
            let note = format!(
                "{} is declared in {}, unknown to this version of auditform: the service's own answer decides at apply",
                declared.name, declared.origin
            );
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
    }
    notes
}
