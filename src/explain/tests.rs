use super::*;
use crate::catalog::managed_defaults;
use crate::model::{
    ActionList, ActionSet, LogonSet, MailboxNames, PropertyValue, Tenant, TimeSpan,
};
use crate::plan::plan_tenant;
use crate::policy::opath::Filter;
use crate::policy::{AuditSpec, MailboxPolicy, Selector, SourceLocation};
use LogonType::Owner;

fn actions(names: &[&str]) -> ActionSet {
    names
        .iter()
        .map(|name| Action::parse(name).unwrap())
        .collect()
}

fn policy(name: &str, priority: i64, selector: Selector, owner: Option<ListSpec>) -> MailboxPolicy {
    let mut audit = AuditSpec::default();
    audit.lists[Owner.index()] = owner;
    MailboxPolicy {
        reference: PolicyRef {
            name: name.into(),
            source: SourceLocation {
                file: format!("policies/{name}.yaml").into(),
                line: 3,
                column: 1,
            },
        },
        description: None,
        priority,
        selector,
        audit,
    }
}

fn add(names: &[&str]) -> Option<ListSpec> {
    Some(ListSpec::Change {
        add: actions(names).into(),
        remove: ActionList::default(),
    })
}

fn remove(names: &[&str]) -> Option<ListSpec> {
    Some(ListSpec::Change {
        add: ActionList::default(),
        remove: actions(names).into(),
    })
}

fn mailbox(alias: &str, department: &str) -> Mailbox {
    let licence = LicenceTier::NonE5;
    Mailbox {
        names: MailboxNames {
            identity: alias.into(),
            alias: Some(alias.into()),
            user_principal_name: Some(format!("{alias}@contoso.com").into()),
            external_directory_object_id: Some(format!("{alias}-id").into()),
            ..MailboxNames::default()
        },
        recipient_type: RecipientType::UserMailbox,
        licence,
        audit: AuditSettings {
            enabled: true,
            log_age_limit: TimeSpan::DEFAULT_AUDIT_LOG_AGE_LIMIT,
            lists: LogonType::ALL.map(|logon| ActionList::from_known(managed_defaults(logon))),
            default_audit_set: LogonSet::ALL,
        },
        properties: vec![
            ("Department".into(), PropertyValue::Text(department.into())),
            ("CustomAttribute1".into(), PropertyValue::Text("".into())),
        ],
    }
}

fn set(mailbox: Vec<MailboxPolicy>) -> PolicySet {
    PolicySet {
        mailbox,
        ..PolicySet::default()
    }
}

#[test]
fn a_filter_shows_every_clause_with_the_value_it_read_even_after_one_failed() {
    let selector = Selector {
        filter: Some(
            Filter::parse("Department -eq 'Sales' -and CustomAttribute1 -ne 'NoAudit'").unwrap(),
        ),
        ..Selector::default()
    };
    let policies = set(vec![policy("sales", 0, selector, add(&["MailboxLogin"]))]);
    let explanation = explain_mailbox(&policies, &mailbox("pilar", "Finance"));
    let selection = &explanation.selections[0];
    assert!(!selection.selected);
    let [ConditionTrace::Filter { clauses, .. }] = selection.trace.conditions.as_slice() else {
        panic!("one filter condition: {:?}", selection.trace);
    };
    let FilterNode::And { operands, held } = clauses else {
        panic!("an -and: {clauses:?}");
    };
    assert!(!held);
    let read: Vec<(String, PropertyValue, bool)> = operands
        .iter()
        .map(|operand| match operand {
            FilterNode::Clause {
                property,
                actual,
                held,
                ..
            } => (property.clone(), actual.clone(), *held),
            other => panic!("a clause: {other:?}"),
        })
        .collect();
    assert_eq!(
        read,
        [
            (
                "Department".into(),
                PropertyValue::Text("Finance".into()),
                false
            ),
            (
                "CustomAttribute1".into(),
                PropertyValue::Text("".into()),
                true
            ),
        ]
    );
    assert!(matches!(explanation.outcome, Outcome::NotSelected));
}

#[test]
fn every_failing_condition_is_named_not_only_the_first() {
    let selector = Selector {
        licence: Some(LicenceTier::E5),
        recipient_types: vec![RecipientType::SharedMailbox],
        identities: vec!["somebody-else".into()],
        ..Selector::default()
    };
    let policies = set(vec![policy(
        "shared-e5",
        0,
        selector,
        add(&["MailboxLogin"]),
    )]);
    let explanation = explain_mailbox(&policies, &mailbox("pilar", "Finance"));
    let failed: Vec<&str> = explanation.selections[0]
        .trace
        .conditions
        .iter()
        .filter(|condition| !condition.held())
        .map(ConditionTrace::key)
        .collect();
    assert_eq!(failed, ["licence", "recipientTypeDetails", "identities"]);
}

#[test]
fn an_exclude_that_spares_the_mailbox_says_which_name_it_answered_to() {
    let selector = Selector {
        exclude: Some(Box::new(Selector {
            identities: vec!["PILAR@contoso.com".into()],
            ..Selector::default()
        })),
        ..Selector::default()
    };
    let policies = set(vec![policy(
        "everyone",
        0,
        selector,
        add(&["MailboxLogin"]),
    )]);
    let explanation = explain_mailbox(&policies, &mailbox("pilar", "Finance"));
    let selection = &explanation.selections[0];
    assert!(!selection.selected);
    assert!(selection.trace.conditions_held());
    let exclude = selection
        .trace
        .exclude
        .as_deref()
        .expect("the exclude is traced");
    assert!(exclude.excluded);
    assert_eq!(
        exclude.selector.conditions,
        [ConditionTrace::Identities {
            wanted: vec!["PILAR@contoso.com".into()],
            matched: Some(("PILAR@contoso.com".into(), "pilar@contoso.com".into())),
        }]
    );
}

#[test]
fn the_winning_verdict_names_the_verdicts_of_lower_priority_it_overrode() {
    let policies = set(vec![
        policy(
            "baseline",
            0,
            Selector::default(),
            add(&["MailboxLogin", "Move"]),
        ),
        policy(
            "exception",
            10,
            Selector::default(),
            remove(&["MailboxLogin"]),
        ),
    ]);
    let explanation = explain_mailbox(&policies, &mailbox("pilar", "Finance"));
    let resolution = explanation.resolution.as_ref().expect("resolved");
    let login = resolution.lists[Owner.index()]
        .iter()
        .find(|verdicts| verdicts.action == Some(Action::MailboxLogin))
        .expect("MailboxLogin has verdicts");
    let winner = login.winner().expect("a winner");
    assert_eq!(&*resolution.policy(winner.policy).name, "exception");
    assert_eq!(
        (winner.verdict, winner.said_by),
        (Verdict::Forbid, "remove")
    );
    let overridden: Vec<(&str, Verdict, &str)> = login
        .overridden()
        .map(|vote| {
            (
                &*resolution.policy(vote.policy).name,
                vote.verdict,
                vote.said_by,
            )
        })
        .collect();
    assert_eq!(overridden, [("baseline", Verdict::Require, "add")]);
    let Outcome::Change(change) = &explanation.outcome else {
        panic!("Move is added: {:?}", explanation.outcome);
    };
    assert_eq!(change.list(Owner).unwrap().add, actions(&["Move"]).into());
    let owner = explanation.default_audit_set[Owner.index()];
    assert_eq!(
        (owner.before, owner.after, owner.reason),
        (true, false, MembershipReason::ListChanges)
    );
}

#[test]
fn a_default_that_is_already_in_place_keeps_the_logon_type_in_default_audit_set() {
    let policies = set(vec![policy(
        "reset",
        0,
        Selector::default(),
        Some(ListSpec::Default),
    )]);
    let explanation = explain_mailbox(&policies, &mailbox("pilar", "Finance"));
    assert!(matches!(explanation.outcome, Outcome::Unchanged));
    assert_eq!(
        explanation.default_audit_set[Owner.index()].reason,
        MembershipReason::ManagedDefaults {
            policy: 0,
            restored: false
        }
    );
    assert_eq!(
        explanation.default_audit_set[LogonType::Admin.index()].reason,
        MembershipReason::Unspoken
    );
}

#[test]
fn a_conflict_is_explained_as_the_error_plan_stops_with() {
    let policies = set(vec![
        policy("want", 0, Selector::default(), add(&["MailboxLogin"])),
        policy("refuse", 0, Selector::default(), remove(&["MailboxLogin"])),
    ]);
    let pilar = mailbox("pilar", "Finance");
    let explanation = explain_mailbox(&policies, &pilar);
    let Outcome::Conflict(conflicts) = &explanation.outcome else {
        panic!("a conflict: {:?}", explanation.outcome);
    };
    let tenant = Tenant {
        mailboxes: vec![pilar],
        ..Tenant::default()
    };
    let Err(PlanError::Conflicts(planned)) = plan_tenant(&policies, &tenant, "test") else {
        panic!("plan stops too");
    };
    assert_eq!(conflicts, &planned);
}

#[test]
fn a_policy_report_counts_wins_overrides_and_the_mailboxes_its_exclude_spares() {
    let baseline = Selector {
        exclude: Some(Box::new(Selector {
            identities: vec!["breakglass".into()],
            ..Selector::default()
        })),
        ..Selector::default()
    };
    let finance = Selector {
        filter: Some(Filter::parse("Department -eq 'Finance'").unwrap()),
        ..Selector::default()
    };
    let policies = set(vec![
        policy("baseline", 0, baseline, add(&["MailboxLogin"])),
        policy("finance-quiet", 5, finance, remove(&["MailboxLogin"])),
    ]);
    let tenant = Tenant {
        mailboxes: vec![
            mailbox("pilar", "Finance"),
            mailbox("alex", "Sales"),
            mailbox("breakglass", "IT"),
            mailbox("don", "Finance"),
        ],
        ..Tenant::default()
    };
    let reporter = PolicyReporter::new(&policies, "baseline").expect("the policy exists");
    let mut planner = Planner::traced(&policies, "test", reporter);
    for mailbox in &tenant.mailboxes {
        planner.observe_mailbox(mailbox);
    }
    let (plan, reporter) = planner.finish_traced();
    let report = reporter.into_report(&policies, &[]);
    let names = |sample: &Sample| -> Vec<String> {
        sample
            .first
            .iter()
            .map(|s| s.identity().to_string())
            .collect()
    };
    assert_eq!(report.read, 4);
    assert_eq!(names(&report.selected), ["pilar", "alex", "don"]);
    assert_eq!(names(&report.wins), ["alex"]);
    assert_eq!(names(&report.changes), ["alex"]);
    assert_eq!(names(&report.spared), ["breakglass"]);
    let [by] = report.overridden.as_slice() else {
        panic!("one overriding policy: {:?}", report.overridden);
    };
    assert_eq!(&*by.by.name, "finance-quiet");
    assert_eq!(by.what, ["AuditOwner MailboxLogin"]);
    assert_eq!(by.mailboxes.count, 2);
    assert_eq!(plan.unwrap().mailbox_changes.len(), 1, "only alex changes");
}
