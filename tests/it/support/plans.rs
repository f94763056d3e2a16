//! A plan with every kind of change the JSON document can carry, built from the public types.

use auditform::catalog::Action;
use auditform::model::{ActionList, LogonSet, LogonType, RecipientType};
use auditform::plan::{
    BypassChange, Change, ListChange, MailboxChange, OrganizationChange, Plan, SkipReason, Skipped,
    Subject,
};
use auditform::policy::{PolicyRef, SourceLocation};
use auditform::timespan::TimeSpan;

fn policy(name: &str) -> PolicyRef {
    PolicyRef {
        name: name.into(),
        source: SourceLocation {
            file: format!("policies/{name}.yaml").into(),
            line: 1,
            column: 1,
        },
    }
}

fn subject(id: &str, name: &str, address: Option<&str>) -> Subject {
    Subject::new(id, name, name, address.map(str::to_string).as_deref())
}

fn list(names: &[&str]) -> ActionList {
    ActionList::from_names(names.iter().copied())
}

fn logons(logons: &[LogonType]) -> LogonSet {
    logons.iter().copied().collect()
}

pub fn rich_plan() -> Plan {
    use LogonType::*;
    let pilar = MailboxChange {
        subject: subject("6f1c-pilar", "Pilar Pinilla", Some("pilar@contoso.com")),
        recipient_type: RecipientType::UserMailbox,
        policies: [policy("owner-sign-ins")].into(),
        fingerprint: auditform::model::Fingerprint::from_text("0123456789abcdef0123456789abcdef"),
        enabled: Some(Change {
            before: false,
            after: true,
        }),
        log_age_limit: None,
        lists: [
            None,
            None,
            Some(ListChange {
                before: list(&["Update", "SoftDelete"]),
                after: list(&["Update", "SoftDelete", "MailboxLogin", "HardDelete"]),
                add: [Action::MailboxLogin, Action::HardDelete]
                    .into_iter()
                    .collect(),
                remove: ActionList::default(),
            }),
        ],
        default_audit_set: Some(Change {
            before: LogonSet::ALL,
            after: logons(&[Admin, Delegate]),
        }),
        restore_defaults: LogonSet::EMPTY,
        notes: Box::new(["the service ignores AuditEnabled for UserMailbox".to_string()]),
    };
    let room = MailboxChange {
        subject: subject("9a2e-room", "Conference Room 1", None),
        recipient_type: RecipientType::RoomMailbox,
        policies: [policy("rooms-exactly")].into(),
        fingerprint: auditform::model::Fingerprint::from_text("fedcba9876543210fedcba9876543210"),
        enabled: Some(Change {
            before: true,
            after: false,
        }),
        log_age_limit: Some(Change {
            before: TimeSpan::from_days(180),
            after: TimeSpan::from_days(30),
        }),
        lists: [
            Some(ListChange {
                before: list(&["Update", "MessageBind", "FutureAction"]),
                after: list(&["Update", "Copy"]),
                add: [Action::Copy].into_iter().collect(),
                remove: list(&["MessageBind", "FutureAction"]),
            }),
            Some(ListChange {
                before: list(&["SendAs"]),
                after: list(&["SendAs", "FolderBind"]),
                add: [Action::FolderBind].into_iter().collect(),
                remove: ActionList::default(),
            }),
            None,
        ],
        default_audit_set: Some(Change {
            before: logons(&[Admin, Delegate]),
            after: logons(&[Owner]),
        }),
        restore_defaults: logons(&[Owner]),
        notes: Box::default(),
    };
    Plan {
        source: "snapshot examples/tenant.json".to_string(),
        mailbox_changes: vec![pilar, room],
        organization_change: Some(OrganizationChange {
            audit_disabled: Change {
                before: false,
                after: true,
            },
            policies: vec![policy("organization-auditing")],
        }),
        bypass_changes: vec![BypassChange {
            subject: subject("3c4d-svc", "svc-backup", None),
            bypass_enabled: Change {
                before: false,
                after: true,
            },
            policies: vec![policy("no-audit-bypass")],
        }],
        skipped: vec![
            Skipped {
                subject: subject("77aa-sales", "Sales Team", Some("sales@contoso.com")),
                recipient_type: RecipientType::GroupMailbox,
                reason: SkipReason::FixedConfiguration,
                policies: [policy("owner-sign-ins")].into(),
            },
            Skipped {
                subject: subject("88bb-alex", "Alex Wilber", Some("alexw@contoso.com")),
                recipient_type: RecipientType::UserMailbox,
                reason: SkipReason::LicenceRequired {
                    actions: vec!["SearchQueryInitiated".to_string()],
                },
                policies: [policy("owner-sign-ins")].into(),
            },
        ],
        warnings: vec!["1 mailbox carries MessageBind".to_string()],
        unchanged: 7,
        declared_actions: vec![auditform::catalog::DeclaredAction {
            name: "ExampleNewAction".into(),
            support: [
                auditform::catalog::Support::Valid,
                auditform::catalog::Support::Rejected,
                auditform::catalog::Support::Default,
            ],
            origin: "policies/declared-actions.yaml:4".into(),
        }],
    }
}
