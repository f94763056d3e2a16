use super::*;
use crate::catalog::{managed_defaults, Catalog, DeclaredAction, LicenceTier, Support};
use crate::model::{ActionList, AuditSettings, LogonSet, LogonType, MailboxNames, RecipientType};
use crate::plan::Weakening;
use crate::plan::{Change, SkipReason};
use crate::policy::Selector;
use crate::policy::{AuditSpec, ListSpec, SourceLocation};
use crate::timespan::TimeSpan;
use LogonType::{Admin, Owner};

fn actions(names: &[&str]) -> ActionList {
    ActionList::from_names(names.iter().copied())
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
        remove: ActionList::default(),
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
            lists: LogonType::ALL.map(|logon| ActionList::from_known(managed_defaults(logon))),
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
    assert_eq!(change.subject.id(), "id-Pilar");
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

/// DESIGN §1.2: "A policy that asks for a `P` action on a mailbox without Audit (Premium)
/// makes that mailbox skipped"; SearchQueryInitiated is the only `P` action.
#[test]
fn an_audit_premium_action_on_a_mailbox_without_it_is_skipped_and_listed() {
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
    assert_eq!(plan.mailbox_changes[0].subject.display_name(), "Premium");
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
        managed_defaults(Owner)
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
            add: ActionList::default(),
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
            add: ActionList::default(),
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
    let Err(error @ PlanError::DuplicateIds { count: 1, .. }) = result else {
        panic!("two mailboxes with one id are an error: {result:?}");
    };
    // Issue 9 item 7b: both mailboxes are named, by display name and address.
    insta::assert_snapshot!(error.to_string(), @r#"two mailboxes answer to one immutable id: "Grady" <grady@contoso.com> and "Other" <other@contoso.com> share the immutable id ID-GRADY"#);
}

#[test]
fn many_mailboxes_that_share_ids_are_counted_and_the_first_few_named() {
    let mut mailboxes = vec![on_defaults("A", LicenceTier::NonE5)];
    for name in ["B", "C", "D", "E"] {
        let mut twin = on_defaults(name, LicenceTier::NonE5);
        twin.names.external_directory_object_id = Some("id-A".into());
        mailboxes.push(twin);
    }
    let result = plan(
        vec![policy("p", 0, owner(add(&["MailboxLogin"])))],
        mailboxes,
    );
    let Err(error) = result else {
        panic!("shared ids are an error");
    };
    insta::assert_snapshot!(error.to_string(), @r#"
    4 mailboxes share an immutable id with an earlier mailbox:
      "A" <a@contoso.com> and "B" <b@contoso.com> share the immutable id id-A
      "A" <a@contoso.com> and "C" <c@contoso.com> share the immutable id id-A
      "A" <a@contoso.com> and "D" <d@contoso.com> share the immutable id id-A
      ...and 1 more
    "#);
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
    insta::assert_snapshot!(plan.warnings.join("\n"), @"MessageBind is still audited on 1 mailbox, though it is deprecated and no longer logged; it stays until a policy removes it (`remove`, `exactly` or `default`)");
}

/// DESIGN §1.1/§1.2: MailItemsAccessed and Send need no licence any more, so asking for them
/// skips no mailbox, whatever its licence [EV-1.3].
#[test]
fn mail_items_accessed_and_send_skip_no_mailbox_for_licence() {
    let mut e3 = on_defaults("Standard", LicenceTier::NonE5);
    let mut e5 = on_defaults("Premium", LicenceTier::E5);
    for mailbox in [&mut e3, &mut e5] {
        mailbox.audit.lists[Owner.index()] = actions(&["HardDelete"]);
        mailbox.audit.default_audit_set.remove(Owner);
    }
    let policies = vec![policy("p", 0, owner(add(&["MailItemsAccessed", "Send"])))];
    let plan = plan(policies, vec![e3, e5]).unwrap();
    assert!(plan.skipped.is_empty());
    assert_eq!(plan.mailbox_changes.len(), 2);
    for change in &plan.mailbox_changes {
        assert_eq!(
            change.list(Owner).unwrap().add.names(),
            ["MailItemsAccessed", "Send"]
        );
    }
}

/// DESIGN §1.2: auditform plans only AuditLogAgeLimit for a GroupMailbox; what a policy asks of
/// its lists or AuditEnabled is skipped, with the reason, and never resolved, so it can't
/// conflict.
#[test]
fn a_group_mailbox_gets_its_age_limit_and_the_rest_is_skipped_without_conflict() {
    let mut group = on_defaults("Team", LicenceTier::NonE5);
    group.recipient_type = RecipientType::GroupMailbox;
    let long = AuditSpec {
        log_age_limit: Some(TimeSpan::from_days(180)),
        ..owner(add(&["MailboxLogin"]))
    };
    // Two policies that would conflict on a user mailbox.
    let forbids = owner(ListSpec::Change {
        add: ActionList::default(),
        remove: actions(&["MailboxLogin"]),
    });
    let plan = plan(
        vec![policy("long", 0, long), policy("forbids", 0, forbids)],
        vec![group],
    )
    .unwrap();
    let change = &plan.mailbox_changes[0];
    assert_eq!(
        change.log_age_limit.as_ref().unwrap().after,
        TimeSpan::from_days(180)
    );
    assert!(change.lists.iter().all(Option::is_none));
    assert!(change.enabled.is_none() && change.default_audit_set.is_none());
    assert_eq!(change.policies[0].name.as_ref(), "long");
    assert_eq!(plan.skipped[0].reason, SkipReason::FixedConfiguration);
    assert_eq!(plan.skipped[0].policies.len(), 2);
    let params = crate::plan::set_mailbox::params_for_change(change);
    assert!(params.group_mailbox);
}

#[test]
fn group_mailboxes_whose_age_limit_conflicts_are_a_conflict() {
    let mut group = on_defaults("Team", LicenceTier::NonE5);
    group.recipient_type = RecipientType::GroupMailbox;
    let days = |n| AuditSpec {
        log_age_limit: Some(TimeSpan::from_days(n)),
        ..AuditSpec::default()
    };
    let result = plan(
        vec![policy("a", 0, days(180)), policy("b", 0, days(365))],
        vec![group],
    );
    assert!(matches!(result, Err(PlanError::Conflicts(_))));
}

/// Evidence W5: Get-EXOMailbox never returns group mailboxes, so a state without one must not
/// read as "the tenant has none".
#[test]
fn a_state_without_group_mailboxes_is_not_taken_for_a_tenant_without_them() {
    let policies = vec![policy(
        "retention",
        0,
        AuditSpec {
            log_age_limit: Some(TimeSpan::from_days(180)),
            ..AuditSpec::default()
        },
    )];
    let plan = plan(policies, vec![on_defaults("User", LicenceTier::NonE5)]).unwrap();
    assert!(plan
        .warnings
        .iter()
        .any(|w| w.contains("the state holds no GroupMailbox")
            && w.contains("Get-Mailbox -GroupMailbox -ResultSize Unlimited")));
}

/// Issue 9 item 8: an empty state must not read as compliance.
#[test]
fn an_empty_state_is_refused_unless_allowed() {
    let set = PolicySet {
        mailbox: vec![policy("p", 0, owner(add(&["MailboxLogin"])))],
        ..PolicySet::default()
    };
    let error = plan_tenant(&set, &Tenant::default(), "snapshot empty.json").unwrap_err();
    assert!(matches!(error, PlanError::EmptyState { .. }));
    insta::assert_snapshot!(error.to_string(), @"the state snapshot empty.json holds no mailbox, so a plan of it would say nothing about the tenant");
    let mut planner = Planner::new(&set, "snapshot empty.json");
    planner.allow_empty_state(true);
    assert!(planner.finish().unwrap().is_empty());
}

/// Issue 9 item 8: an unknown RecipientTypeDetails is planned as an ordinary mailbox, with a
/// warning naming the value and how many mailboxes carry it.
#[test]
fn an_unknown_recipient_type_is_planned_and_counted_in_a_warning() {
    let mailboxes = (0..2)
        .map(|i| {
            let mut mailbox = on_defaults(&format!("N{i}"), LicenceTier::NonE5);
            mailbox.recipient_type = RecipientType::parse("NewMailboxKind");
            mailbox
        })
        .collect();
    let plan = plan(
        vec![policy("p", 0, owner(add(&["MailboxLogin"])))],
        mailboxes,
    )
    .unwrap();
    assert_eq!(plan.mailbox_changes.len(), 2);
    assert!(plan.warnings.iter().any(|w| w.starts_with(
        "RecipientTypeDetails `NewMailboxKind` is unknown to this version of auditform; 2 mailboxes carrying it are planned"
    )));
}

fn declaring_owner_action() -> PolicySet {
    let mut catalog = Catalog::builtin();
    catalog
        .declare(DeclaredAction {
            name: "ExampleNewAction".into(),
            support: [Support::Valid, Support::Valid, Support::Valid],
            origin: "policies/declared.yaml:3".into(),
        })
        .unwrap();
    PolicySet {
        mailbox: vec![policy(
            "p",
            0,
            owner(add(&["ExampleNewAction", "MailboxLogin"])),
        )],
        catalog,
        ..PolicySet::default()
    }
}

/// DESIGN §1.1 "Actions newer than the catalog": a declared action is planned like a catalog
/// one, travels with the plan, and is not warned about as unknown.
#[test]
fn a_declared_action_is_planned_like_a_catalog_one() {
    let set = declaring_owner_action();
    let mut carries = on_defaults("Carries", LicenceTier::NonE5);
    carries.audit.lists[Owner.index()].push_name("examplenewaction");
    let tenant = Tenant {
        mailboxes: vec![on_defaults("Lacks", LicenceTier::NonE5), carries],
        ..Tenant::default()
    };
    let plan = plan_tenant(&set, &tenant, "test").unwrap();
    let lacks = plan.mailbox_changes[0].list(Owner).unwrap();
    assert_eq!(lacks.add.names(), ["MailboxLogin", "ExampleNewAction"]);
    let carries = plan.mailbox_changes[1].list(Owner).unwrap();
    assert_eq!(carries.add.names(), ["MailboxLogin"]);
    assert_eq!(plan.declared_actions.len(), 1);
    assert!(plan.declaration("EXAMPLENEWACTION").is_some());
    assert_eq!(
        *plan.mailbox_changes[0].notes,
        ["ExampleNewAction is declared in policies/declared.yaml:3, unknown to this version of auditform: the service's own answer decides at apply"]
    );
    assert!(
        plan.mailbox_changes[1].notes.is_empty(),
        "it changes no declared action"
    );
    assert!(!plan
        .warnings
        .iter()
        .any(|w| w.contains("unknown to this version")));
}
