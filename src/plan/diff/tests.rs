use super::*;
use crate::catalog::{managed_defaults, Action, LicenceTier};
use crate::model::{
    ActionList, ActionSet, AuditSettings, LogonSet, LogonType, MailboxNames, RecipientType,
};
use crate::plan::Weakening;
use crate::plan::{Change, SkipReason};
use crate::policy::Selector;
use crate::policy::{AuditSpec, ListSpec, SourceLocation};
use crate::timespan::TimeSpan;
use LogonType::{Admin, Owner};

fn actions(names: &[&str]) -> ActionSet {
    names
        .iter()
        .map(|name| Action::parse(name).unwrap())
        .collect()
}

fn policy(name: &str, priority: i64, audit: AuditSpec) -> MailboxPolicy {
    MailboxPolicy {
        reference: PolicyRef {
            name: name.into(),
            source: SourceLocation {
                file: format!("policies/{name}.yaml").into(),
                line: 4,
                column: 9,
            },
        },
        description: None,
        priority,
        selector: Selector::default(),
        audit,
    }
}

fn owner(spec: ListSpec) -> AuditSpec {
    let mut audit = AuditSpec::default();
    audit.lists[Owner.index()] = Some(spec);
    audit
}

fn add(names: &[&str]) -> ListSpec {
    ListSpec::Change {
        add: actions(names),
        remove: ActionSet::EMPTY,
    }
}

fn on_defaults(name: &str, tier: LicenceTier) -> Mailbox {
    Mailbox {
        names: MailboxNames {
            identity: name.into(),
            display_name: Some(name.into()),
            user_principal_name: Some(format!("{}@contoso.com", name.to_lowercase()).into()),
            external_directory_object_id: Some(format!("id-{name}").into()),
            ..MailboxNames::default()
        },
        recipient_type: RecipientType::UserMailbox,
        licence: tier,
        audit: AuditSettings {
            enabled: true,
            log_age_limit: TimeSpan::DEFAULT_AUDIT_LOG_AGE_LIMIT,
            lists: LogonType::ALL
                .map(|logon| ActionList::from_known(managed_defaults(logon, tier))),
            default_audit_set: LogonSet::ALL,
        },
        properties: Vec::new(),
    }
}

fn plan(policies: Vec<MailboxPolicy>, mailboxes: Vec<Mailbox>) -> Result<Plan, PlanError> {
    let set = PolicySet {
        mailbox: policies,
        ..PolicySet::default()
    };
    let tenant = Tenant {
        mailboxes,
        ..Tenant::default()
    };
    plan_tenant(&set, &tenant, "test")
}

#[test]
fn adding_owner_actions_edits_only_the_difference_and_leaves_default_audit_set() {
    let policies = vec![policy(
        "owner-actions",
        0,
        owner(add(&["MailboxLogin", "HardDelete", "SoftDelete"])),
    )];
    let plan = plan(policies, vec![on_defaults("Pilar", LicenceTier::NonE5)]).unwrap();
    let change = &plan.mailbox_changes[0];
    let list = change.list(Owner).unwrap();
    assert_eq!(
        list.add,
        actions(&["MailboxLogin"]),
        "HardDelete and SoftDelete are already defaults"
    );
    assert!(list.remove.is_empty());
    let expected_set: LogonSet = [LogonType::Admin, LogonType::Delegate]
        .into_iter()
        .collect();
    assert_eq!(
        change.default_audit_set.as_ref().unwrap().after,
        expected_set
    );
    assert!(!change.weakens());
    assert_eq!(change.policies[0].name.as_ref(), "owner-actions");
    assert_eq!(change.subject.id, "id-Pilar");
}

#[test]
fn a_mailbox_that_already_complies_is_unchanged_whatever_the_order_of_its_list() {
    let mut mailbox = on_defaults("Don", LicenceTier::NonE5);
    mailbox.audit.lists[Owner.index()] =
        ActionList::from_names(["MailboxLogin", "updatefolderpermissions"]);
    let policies = vec![policy(
        "p",
        0,
        owner(add(&["UpdateFolderPermissions", "MailboxLogin"])),
    )];
    let plan = plan(policies, vec![mailbox]).unwrap();
    assert!(plan.is_empty());
    assert_eq!(plan.unchanged, 1);
}

#[test]
fn group_mailboxes_are_skipped_with_the_reason() {
    let mut mailbox = on_defaults("Team", LicenceTier::NonE5);
    mailbox.recipient_type = RecipientType::GroupMailbox;
    let plan = plan(
        vec![policy("p", 0, owner(add(&["MailboxLogin"])))],
        vec![mailbox],
    )
    .unwrap();
    assert!(plan.is_empty());
    assert_eq!(plan.skipped[0].reason, SkipReason::FixedConfiguration);
}

#[test]
fn an_e5_action_on_a_mailbox_without_e5_is_skipped_and_listed() {
    let policies = vec![policy("p", 0, owner(add(&["SearchQueryInitiated"])))];
    let plan = plan(
        policies,
        vec![
            on_defaults("Basic", LicenceTier::NonE5),
            on_defaults("Premium", LicenceTier::E5),
        ],
    )
    .unwrap();
    assert_eq!(plan.mailbox_changes.len(), 1);
    assert_eq!(plan.mailbox_changes[0].subject.display_name, "Premium");
    assert_eq!(
        plan.skipped[0].reason,
        SkipReason::LicenceRequired {
            actions: vec!["SearchQueryInitiated".into()]
        }
    );
}

#[test]
fn exactly_removes_every_other_action_including_unknown_ones_and_weakens() {
    let mut mailbox = on_defaults("Old", LicenceTier::NonE5);
    mailbox.audit.lists[Admin.index()] =
        ActionList::from_names(["Update", "MessageBind", "FutureAction"]);
    let mut audit = AuditSpec::default();
    audit.lists[Admin.index()] = Some(ListSpec::Exactly(actions(&["Update", "HardDelete"])));
    let plan = plan(vec![policy("exact", 0, audit)], vec![mailbox]).unwrap();
    let list = plan.mailbox_changes[0].list(Admin).unwrap();
    assert_eq!(list.after.names(), ["HardDelete", "Update"]);
    assert_eq!(list.remove.names(), ["MessageBind", "FutureAction"]);
    assert_eq!(
        plan.mailbox_changes[0].weakenings(),
        [Weakening::RemovesActions {
            logon: Admin,
            names: vec!["MessageBind".into(), "FutureAction".into()]
        }]
    );
}

#[test]
fn unknown_actions_are_kept_when_no_policy_removes_them_and_noted_as_a_warning() {
    let mut mailbox = on_defaults("New", LicenceTier::NonE5);
    mailbox.audit.lists[Owner.index()].push_name("FutureAction");
    let plan = plan(
        vec![policy("p", 0, owner(add(&["MailboxLogin"])))],
        vec![mailbox],
    )
    .unwrap();
    let list = plan.mailbox_changes[0].list(Owner).unwrap();
    assert!(list.after.names().contains(&"FutureAction"));
    assert!(plan
        .warnings
        .iter()
        .any(|w| w.contains("FutureAction (1 mailbox)")));
}

#[test]
fn default_restores_managed_defaults_and_default_audit_set_membership() {
    let mut mailbox = on_defaults("Custom", LicenceTier::E5);
    mailbox.audit.lists[Owner.index()] = ActionList::from_names(["MailboxLogin"]);
    mailbox.audit.default_audit_set.remove(Owner);
    let plan = plan(
        vec![policy("defaults", 0, owner(ListSpec::Default))],
        vec![mailbox],
    )
    .unwrap();
    let change = &plan.mailbox_changes[0];
    assert!(change.restore_defaults.contains(Owner));
    assert_eq!(
        change.list(Owner).unwrap().after.known,
        managed_defaults(Owner, LicenceTier::E5)
    );
    assert_eq!(
        change.default_audit_set.as_ref().unwrap().after,
        LogonSet::ALL
    );
    assert!(change.weakens(), "MailboxLogin stops being audited");
}

#[test]
fn default_on_a_mailbox_already_in_default_audit_set_changes_nothing() {
    let mut mailbox = on_defaults("Managed", LicenceTier::NonE5);
    mailbox.audit.lists[Owner.index()].push_name("SomethingMicrosoftAddedLater");
    let plan = plan(
        vec![policy("defaults", 0, owner(ListSpec::Default))],
        vec![mailbox],
    )
    .unwrap();
    assert!(plan.is_empty());
}

#[test]
fn a_higher_priority_policy_wins_per_action() {
    let low = policy(
        "low",
        0,
        owner(ListSpec::Change {
            add: ActionSet::EMPTY,
            remove: actions(&["MailboxLogin"]),
        }),
    );
    let high = policy("high", 10, owner(add(&["MailboxLogin"])));
    let plan = plan(vec![low, high], vec![on_defaults("P", LicenceTier::NonE5)]).unwrap();
    let change = &plan.mailbox_changes[0];
    assert_eq!(change.list(Owner).unwrap().add, actions(&["MailboxLogin"]));
    assert_eq!(change.policies.len(), 1);
    assert_eq!(change.policies[0].name.as_ref(), "high");
}

#[test]
fn disagreeing_policies_at_one_priority_are_a_conflict_counting_the_mailboxes() {
    let remove = policy(
        "no-login",
        0,
        owner(ListSpec::Change {
            add: ActionSet::EMPTY,
            remove: actions(&["MailboxLogin"]),
        }),
    );
    let add = policy("login", 0, owner(add(&["MailboxLogin"])));
    let mailboxes = (0..5)
        .map(|i| on_defaults(&format!("M{i}"), LicenceTier::NonE5))
        .collect();
    let Err(PlanError::Conflicts(conflicts)) = plan(vec![remove, add], mailboxes) else {
        panic!("a conflict is an error");
    };
    assert_eq!(conflicts.len(), 1);
    let conflict = &conflicts[0];
    assert_eq!(conflict.affected, 5);
    assert_eq!(conflict.examples, ["M0", "M1", "M2"]);
    insta::assert_snapshot!(conflict.to_string(), @r"
    policies `login` and `no-login` disagree on AuditOwner MailboxLogin at priority 0:
      policies/login.yaml:4:9: `login` requires it
      policies/no-login.yaml:4:9: `no-login` forbids it
      affects 5 objects: M0, M1, M2, ...
    ");
}

#[test]
fn audit_enabled_on_a_user_mailbox_carries_a_note_that_the_service_ignores_it() {
    let mut mailbox = on_defaults("Off", LicenceTier::NonE5);
    mailbox.audit.enabled = false;
    let audit = AuditSpec {
        enabled: Some(true),
        ..AuditSpec::default()
    };
    let plan = plan(vec![policy("on", 0, audit)], vec![mailbox]).unwrap();
    let change = &plan.mailbox_changes[0];
    assert_eq!(
        change.enabled,
        Some(Change {
            before: false,
            after: true
        })
    );
    assert_eq!(change.notes.len(), 1);
    assert!(change.notes[0].contains("ignores AuditEnabled"));
}

#[test]
fn a_shorter_log_age_limit_weakens() {
    let audit = AuditSpec {
        log_age_limit: Some(TimeSpan::from_days(30)),
        ..AuditSpec::default()
    };
    let plan = plan(
        vec![policy("short", 0, audit)],
        vec![on_defaults("M", LicenceTier::NonE5)],
    )
    .unwrap();
    assert!(matches!(
        plan.mailbox_changes[0].weakenings()[0],
        Weakening::ShortensLogAgeLimit { .. }
    ));
}

#[test]
fn the_fingerprint_is_of_the_state_as_read() {
    let mailbox = on_defaults("F", LicenceTier::NonE5);
    let expected = mailbox.audit.fingerprint();
    let plan = plan(
        vec![policy("p", 0, owner(add(&["MailboxLogin"])))],
        vec![mailbox],
    )
    .unwrap();
    assert_eq!(plan.mailbox_changes[0].fingerprint, expected);
}

#[test]
fn two_mailboxes_that_share_an_immutable_id_are_refused_rather_than_planned_as_one() {
    let first = on_defaults("Grady", LicenceTier::NonE5);
    let mut second = on_defaults("Other", LicenceTier::NonE5);
    second.names.external_directory_object_id = Some("ID-GRADY".into());
    let result = plan(
        vec![policy("p", 0, owner(add(&["MailboxLogin"])))],
        vec![first, second],
    );
    let Err(PlanError::DuplicateIds { count, examples }) = result else {
        panic!("two mailboxes with one id are an error: {result:?}");
    };
    assert_eq!(count, 1);
    assert_eq!(examples, ["ID-GRADY"]);
}

#[test]
fn a_deprecated_action_still_carried_is_a_warning_quoting_the_service() {
    let mut mailbox = on_defaults("Old", LicenceTier::NonE5);
    mailbox.audit.lists[Admin.index()].push_name("MessageBind");
    let plan = plan(
        vec![policy("p", 0, owner(add(&["MailboxLogin"])))],
        vec![mailbox],
    )
    .unwrap();
    insta::assert_snapshot!(plan.warnings.join("\n"), @r#"MessageBind is still audited on 1 mailbox, though the service answers "MessageBind audit operation type is deprecated. Use MailItemsAccessed audit operation type instead."; it stays until a policy's `exactly` or `default` replaces that list"#);
}
