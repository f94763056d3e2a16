//! Plans built by hand for tests of the plan document and the renderers, so that each test
//! states only what it is about.

use crate::catalog::{DeclaredAction, Support};
use crate::model::{ActionList, LogonSet, LogonType, RecipientType};
use crate::plan::{
    BypassChange, Change, ListChange, MailboxChange, OrganizationChange, Plan, SkipReason, Skipped,
    Subject,
};
use crate::policy::{PolicyRef, SourceLocation};
use crate::timespan::TimeSpan;
use std::sync::Arc;

pub fn policy(name: &str) -> PolicyRef {
    PolicyRef {
        name: name.into(),
        source: SourceLocation {
            file: format!("policies/{name}.yaml").into(),
            line: 1,
            column: 1,
        },
    }
}

/// A subject whose id is derived from the name, as a stand-in for ExternalDirectoryObjectId.
pub fn subject(display_name: &str, address: Option<&str>) -> Subject {
    let slug: String = display_name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Subject::new(
        &format!("id-{slug}"),
        display_name,
        display_name,
        address.map(str::to_string).as_deref(),
    )
}

pub fn logons(names: &[LogonType]) -> LogonSet {
    names.iter().copied().collect()
}

/// A list change from the list before and the difference; the list after follows from them.
pub fn list_change(before: &[&str], add: &[&str], remove: &[&str]) -> ListChange {
    let before = ActionList::from_names(before.iter().copied());
    let add = ActionList::from_names(add.iter().copied());
    let remove = ActionList::from_names(remove.iter().copied());
    let after = before.union(&add).difference(&remove);
    ListChange {
        before,
        after,
        add,
        remove,
    }
}

/// An action the policy set declares, unknown to this version of auditform.
pub fn declared(name: &str, support: [Support; 3]) -> DeclaredAction {
    DeclaredAction {
        name: name.into(),
        support,
        origin: "policies/declared-actions.yaml:4".into(),
    }
}

/// A UserMailbox change that changes nothing yet; the builder methods add deltas.
pub fn mailbox(display_name: &str, address: &str) -> MailboxChange {
    MailboxChange {
        subject: subject(display_name, Some(address)),
        recipient_type: RecipientType::UserMailbox,
        policies: Arc::from([]),
        fingerprint: crate::model::Fingerprint::from_text("0123456789abcdef0123456789abcdef"),
        enabled: None,
        log_age_limit: None,
        lists: [None, None, None],
        default_audit_set: None,
        restore_defaults: LogonSet::EMPTY,
        notes: Box::default(),
    }
}

/// Builder steps for hand-made mailbox changes.
pub trait Build: Sized {
    fn with(self, edit: impl FnOnce(&mut MailboxChange)) -> MailboxChange;

    fn recipient(self, recipient_type: RecipientType) -> MailboxChange {
        self.with(|change| change.recipient_type = recipient_type)
    }
    fn enabled(self, before: bool, after: bool) -> MailboxChange {
        self.with(|change| change.enabled = Some(Change { before, after }))
    }
    fn log_age_days(self, before: i64, after: i64) -> MailboxChange {
        self.with(|change| {
            change.log_age_limit = Some(Change {
                before: TimeSpan::from_days(before),
                after: TimeSpan::from_days(after),
            })
        })
    }
    fn list(self, logon: LogonType, list: ListChange) -> MailboxChange {
        self.with(|change| change.lists[logon.index()] = Some(list))
    }
    fn default_audit_set(self, before: &[LogonType], after: &[LogonType]) -> MailboxChange {
        self.with(|change| {
            change.default_audit_set = Some(Change {
                before: logons(before),
                after: logons(after),
            })
        })
    }
    fn restore(self, logon: LogonType) -> MailboxChange {
        self.with(|change| change.restore_defaults.insert(logon))
    }
    fn note(self, note: &str) -> MailboxChange {
        self.with(|change| {
            let mut notes = std::mem::take(&mut change.notes).into_vec();
            notes.push(note.to_string());
            change.notes = notes.into();
        })
    }
    fn policy(self, name: &str) -> MailboxChange {
        self.with(|change| {
            change.policies = change
                .policies
                .iter()
                .cloned()
                .chain([policy(name)])
                .collect()
        })
    }
}

impl Build for MailboxChange {
    fn with(mut self, edit: impl FnOnce(&mut MailboxChange)) -> MailboxChange {
        edit(&mut self);
        self
    }
}

/// The change `owner-sign-ins` makes on a typical user mailbox: Owner gains MailboxLogin and
/// HardDelete, and so leaves DefaultAuditSet.
pub fn owner_sign_ins(display_name: &str, address: &str) -> MailboxChange {
    use LogonType::*;
    mailbox(display_name, address)
        .list(
            Owner,
            list_change(
                &[
                    "Update",
                    "MoveToDeletedItems",
                    "SoftDelete",
                    "UpdateFolderPermissions",
                ],
                &["MailboxLogin", "HardDelete"],
                &[],
            ),
        )
        .default_audit_set(&[Admin, Delegate, Owner], &[Admin, Delegate])
        .policy("owner-sign-ins")
}

/// `count` mailboxes named `User 1 <user1@contoso.com>`, ..., each given `make`.
pub fn many(count: usize, make: impl Fn(&str, &str) -> MailboxChange) -> Vec<MailboxChange> {
    (1..=count)
        .map(|n| make(&format!("User {n}"), &format!("user{n}@contoso.com")))
        .collect()
}

pub fn organization(before: bool, after: bool) -> OrganizationChange {
    OrganizationChange {
        audit_disabled: Change { before, after },
        policies: vec![policy("organization-auditing")],
    }
}

pub fn bypass(display_name: &str, before: bool, after: bool) -> BypassChange {
    BypassChange {
        subject: subject(display_name, None),
        bypass_enabled: Change { before, after },
        policies: vec![policy("no-audit-bypass")],
    }
}

pub fn skipped(display_name: &str, address: &str, reason: SkipReason) -> Skipped {
    let recipient_type = match reason {
        SkipReason::FixedConfiguration => RecipientType::GroupMailbox,
        SkipReason::LicenceRequired { .. } => RecipientType::UserMailbox,
    };
    Skipped {
        subject: subject(display_name, Some(address)),
        recipient_type,
        reason,
        policies: vec![policy("owner-sign-ins")],
    }
}

/// A plan with every kind of change the document can carry.
pub fn rich_plan() -> Plan {
    use LogonType::*;
    Plan {
        source: "snapshot examples/tenant.json".to_string(),
        mailbox_changes: vec![
            owner_sign_ins("Pilar Pinilla", "pilar@contoso.com")
                .enabled(false, true)
                .note(
                    "the service ignores AuditEnabled for UserMailbox: auditing is on by default",
                ),
            mailbox("Conference Room 1", "room1@contoso.com")
                .recipient(RecipientType::RoomMailbox)
                .enabled(true, false)
                .log_age_days(180, 30)
                .list(
                    Admin,
                    list_change(
                        &["Update", "MessageBind", "FutureAction"],
                        &["Copy"],
                        &["MessageBind", "FutureAction"],
                    ),
                )
                .list(
                    Delegate,
                    list_change(&["SendAs"], &["FolderBind", "ExampleNewAction"], &[]),
                )
                .restore(Owner)
                .default_audit_set(&[Admin, Delegate], &[Owner])
                .with(|change| change.subject = change.subject.with_address(None))
                .policy("rooms-exactly"),
            mailbox("Sales Team", "sales@contoso.com")
                .recipient(RecipientType::GroupMailbox)
                .log_age_days(90, 180)
                .note("a Microsoft 365 Group mailbox: only AuditLogAgeLimit can be changed, with Set-Mailbox -GroupMailbox"),
        ],
        organization_change: Some(organization(false, true)),
        bypass_changes: vec![bypass("svc-backup", false, true)],
        skipped: vec![
            skipped(
                "Sales Team",
                "sales@contoso.com",
                SkipReason::FixedConfiguration,
            ),
            skipped(
                "Alex Wilber",
                "alexw@contoso.com",
                SkipReason::LicenceRequired {
                    actions: vec!["SearchQueryInitiated".to_string()],
                },
            ),
        ],
        warnings: vec!["1 mailbox carries MessageBind, which the service deprecated".to_string()],
        unchanged: 7,
        declared_actions: vec![declared(
            "ExampleNewAction",
            [Support::Valid, Support::Valid, Support::Default],
        )],
    }
}

/// The plan as it reads back from a document, which names policies without their location.
pub fn without_policy_locations(mut plan: Plan) -> Plan {
    let forget = |policies: &mut [PolicyRef]| {
        for policy in policies {
            policy.source = SourceLocation {
                file: "".into(),
                line: 0,
                column: 0,
            };
        }
    };
    plan.mailbox_changes.iter_mut().for_each(|c| {
        let mut policies = c.policies.to_vec();
        forget(&mut policies);
        c.policies = policies.into();
    });
    plan.organization_change
        .iter_mut()
        .for_each(|c| forget(&mut c.policies));
    plan.bypass_changes
        .iter_mut()
        .for_each(|c| forget(&mut c.policies));
    plan.skipped
        .iter_mut()
        .for_each(|c| forget(&mut c.policies));
    plan
}
