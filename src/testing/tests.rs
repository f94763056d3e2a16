use super::*;
use crate::catalog::{managed_defaults, Action, LicenceTier};
use crate::model::{ActionSet, AuditSettings, MailboxNames, RecipientType};
use crate::policy::{AuditSpec, ListSpec, MailboxPolicy, PolicyRef};

fn actions(names: &[&str]) -> ActionSet {
    names
        .iter()
        .map(|name| Action::parse(name).unwrap())
        .collect()
}

fn policy(name: &str, priority: i64, owner: ListSpec) -> MailboxPolicy {
    let mut audit = AuditSpec::default();
    audit.lists[LogonType::Owner.index()] = Some(owner);
    MailboxPolicy {
        reference: PolicyRef {
            name: name.into(),
            source: SourceLocation {
                file: "policies/p.yaml".into(),
                line: 1,
                column: 1,
            },
        },
        description: None,
        priority,
        selector: Selector {
            recipient_types: vec![RecipientType::UserMailbox],
            ..Selector::default()
        },
        audit,
    }
}

fn mailbox(identity: &str, recipient_type: RecipientType, licence: LicenceTier) -> Mailbox {
    Mailbox {
        names: MailboxNames {
            identity: identity.into(),
            ..MailboxNames::default()
        },
        recipient_type,
        licence,
        audit: AuditSettings {
            enabled: true,
            log_age_limit: TimeSpan::DEFAULT_AUDIT_LOG_AGE_LIMIT,
            lists: LogonType::ALL.map(|logon| ActionList::from_known(managed_defaults(logon))),
            default_audit_set: LogonSet::ALL,
        },
        properties: Vec::new(),
    }
}

fn owner_logins() -> PolicySet {
    PolicySet {
        mailbox: vec![policy(
            "owner-logins",
            0,
            ListSpec::Change {
                add: actions(&["MailboxLogin"]).into(),
                remove: ActionList::default(),
            },
        )],
        ..PolicySet::default()
    }
}

fn case(mailboxes: Vec<Mailbox>, expectations: Vec<(&str, Expected)>) -> TestCase {
    TestCase {
        suite: "tests.yaml".to_string(),
        name: "a case".to_string(),
        source: None,
        mailboxes,
        expectations: expectations
            .into_iter()
            .map(|(mailbox, expected)| Expectation {
                mailbox: mailbox.to_string(),
                expected,
                source: None,
            })
            .collect(),
    }
}

fn owner_includes(names: &[&str]) -> Expected {
    let mut settings = ExpectedSettings::default();
    settings.lists[LogonType::Owner.index()] = Some(ExpectedList::Partly {
        includes: ActionList::from_known(actions(names)),
        excludes: ActionList::default(),
    });
    Expected::Settings(settings)
}

#[test]
fn desired_settings_compare_lists_as_sets_and_only_the_properties_given() {
    let pilar = mailbox("pilar", RecipientType::UserMailbox, LicenceTier::NonE5);
    let mut desired = managed_defaults(LogonType::Owner);
    desired.insert(Action::MailboxLogin);
    let mut settings = ExpectedSettings {
        default_audit_set: Some(
            [LogonType::Admin, LogonType::Delegate]
                .into_iter()
                .collect(),
        ),
        ..ExpectedSettings::default()
    };
    settings.lists[LogonType::Owner.index()] =
        Some(ExpectedList::Exactly(ActionList::from_known(desired)));
    let result = run_case(
        &owner_logins(),
        &case(vec![pilar], vec![("PILAR", Expected::Settings(settings))]),
    );
    assert_eq!(result.verdict, CaseVerdict::Passed);
}

#[test]
fn a_failure_describes_both_sides_fact_by_fact() {
    let pilar = mailbox("pilar", RecipientType::UserMailbox, LicenceTier::NonE5);
    let result = run_case(
        &owner_logins(),
        &case(
            vec![pilar],
            vec![("pilar", owner_includes(&["MailboxLogin", "Move"]))],
        ),
    );
    let CaseVerdict::Failed(failures) = result.verdict else {
        panic!("Move is not added: {:?}", result.verdict);
    };
    assert_eq!(
        failures[0].expected,
        ["AuditOwner includes:", "  - MailboxLogin", "  - Move"]
    );
    assert_eq!(
        failures[0].actual,
        [
            "AuditOwner includes:",
            "  - MailboxLogin",
            "  - Move (but it is not audited)"
        ]
    );
}

#[test]
fn no_change_holds_only_when_the_plan_changes_nothing() {
    let room = mailbox("room", RecipientType::RoomMailbox, LicenceTier::NonE5);
    let pilar = mailbox("pilar", RecipientType::UserMailbox, LicenceTier::NonE5);
    let result = run_case(
        &owner_logins(),
        &case(
            vec![room, pilar],
            vec![("room", Expected::NoChange), ("pilar", Expected::NoChange)],
        ),
    );
    let CaseVerdict::Failed(failures) = result.verdict else {
        panic!("pilar changes");
    };
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].mailbox, "pilar");
    assert_eq!(failures[0].actual[0], "the plan changes it:");
    assert!(failures[0].actual[1].contains("AuditOwner: + MailboxLogin"));
}

#[test]
fn a_skip_is_expected_by_its_reason_code() {
    let group = mailbox("team", RecipientType::GroupMailbox, LicenceTier::E5);
    let mut policies = owner_logins();
    policies.mailbox[0].selector = Selector::default();
    let expect = |code| case(vec![group.clone()], vec![("team", Expected::Skipped(code))]);
    assert!(run_case(&policies, &expect(ReasonCode::FixedConfiguration)).passed());
    assert!(!run_case(&policies, &expect(ReasonCode::LicenceRequired)).passed());
}

#[test]
fn a_conflict_is_expected_between_the_named_policies() {
    let mut policies = owner_logins();
    policies.mailbox.push(policy(
        "no-logins",
        0,
        ListSpec::Change {
            add: ActionList::default(),
            remove: actions(&["MailboxLogin"]).into(),
        },
    ));
    let pilar = mailbox("pilar", RecipientType::UserMailbox, LicenceTier::NonE5);
    let expect = |names: &[&str]| {
        case(
            vec![pilar.clone()],
            vec![(
                "pilar",
                Expected::Conflict(names.iter().map(|n| n.to_string()).collect()),
            )],
        )
    };
    assert!(run_case(&policies, &expect(&["owner-logins", "no-logins"])).passed());
    let wrong = run_case(&policies, &expect(&["owner-logins", "someone-else"]));
    let CaseVerdict::Failed(failures) = wrong.verdict else {
        panic!("the wrong pair fails");
    };
    assert_eq!(
        failures[0].actual[0],
        "conflict between `no-logins` and `owner-logins`"
    );
}

#[test]
fn a_case_that_names_a_mailbox_it_does_not_give_is_an_error_not_a_failure() {
    let pilar = mailbox("pilar", RecipientType::UserMailbox, LicenceTier::NonE5);
    let result = run_case(
        &owner_logins(),
        &case(vec![pilar], vec![("pilr", Expected::NoChange)]),
    );
    assert!(
        matches!(&result.verdict, CaseVerdict::Errored(message) if message.contains("`pilr`")),
        "{:?}",
        result.verdict
    );
}

#[test]
fn a_case_that_expects_nothing_is_an_error() {
    let pilar = mailbox("pilar", RecipientType::UserMailbox, LicenceTier::NonE5);
    let result = run_case(&owner_logins(), &case(vec![pilar], Vec::new()));
    assert!(matches!(result.verdict, CaseVerdict::Errored(_)));
}
