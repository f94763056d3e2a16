//! `plan --format junit`: drift as test results. The report meets the Ant JUnit schema that
//! GitLab, Azure DevOps and Jenkins read (checked with the vendored XSD), names each policy as
//! a suite, stays small at 100,000 mailboxes, and keeps untrusted names inert.

use crate::support::cli::*;
use crate::support::junit::{schema, violations};

use auditform::catalog::{managed_defaults, LicenceTier};
use auditform::model::{
    ActionList, AuditSettings, LogonSet, LogonType, Mailbox, MailboxNames, RecipientType, Tenant,
};
use auditform::plan::compliance::ComplianceTally;
use auditform::plan::Planner;
use auditform::policy::{
    AuditSpec, ListSpec, MailboxPolicy, PolicyRef, PolicySet, Selector, SourceLocation,
};
use auditform::render::junit::FAILING_CASES;
use auditform::render::{render_plan_junit, JunitOptions};
use auditform::timespan::TimeSpan;

fn junit(args: &[&str]) -> String {
    let output = auditform()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["plan", "--format", "junit"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    stdout_of(&output)
}

#[test]
fn the_bundled_example_reports_a_suite_per_policy_that_meets_the_junit_schema() {
    let xml = junit(&[]);
    let problems = violations(&schema(), &xml);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(
        xml.matches("<testsuite ").count(),
        4,
        "one suite per policy"
    );
    assert!(xml.contains(r#"timestamp="2023-11-14T22:13:20""#));
    insta::assert_snapshot!("example_junit", xml);
}

#[test]
fn the_cis_pack_reports_against_the_example_tenant_within_the_schema() {
    let xml = junit(&["--policies", "examples/policies/cis-6.1"]);
    let problems = violations(&schema(), &xml);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(xml.contains(r#"name="cis-6.1.2-mailbox-audit-actions""#));
}

#[test]
fn the_schema_check_catches_a_report_that_breaks_it() {
    let xml = junit(&[]).replacen(r#" hostname="localhost""#, "", 1);
    assert!(!violations(&schema(), &xml).is_empty());
    let xml = junit(&[]).replacen(r#" type="drift""#, "", 1);
    assert!(!violations(&schema(), &xml).is_empty());
}

#[test]
fn a_saved_plan_cannot_be_shown_as_junit_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    let saved = auditform()
        .args(["plan", "--out"])
        .arg(&plan)
        .output()
        .unwrap();
    assert_eq!(saved.status.code(), Some(0), "{}", stderr_of(&saved));
    let output = auditform()
        .arg("show")
        .arg(&plan)
        .args(["--format", "junit"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr_of(&output).contains("plan --format junit"));
}

const HOSTILE: &str = "Eve</failure><testcase name=\"forged\"/>&\u{1b}[2J\nPlan: 0 to add\u{0}";

fn policy(name: &str, audit: AuditSpec) -> MailboxPolicy {
    MailboxPolicy {
        reference: PolicyRef {
            name: name.into(),
            source: SourceLocation {
                file: "policies/generated.yaml".into(),
                line: 1,
                column: 1,
            },
        },
        description: Some(format!("{name} {HOSTILE}")),
        priority: 0,
        selector: Selector {
            recipient_types: vec![RecipientType::UserMailbox],
            ..Selector::default()
        },
        audit,
    }
}

fn policies() -> PolicySet {
    let mut owner = AuditSpec::default();
    owner.lists[LogonType::Owner.index()] = Some(ListSpec::Change {
        add: ["MailboxLogin"]
            .iter()
            .map(|a| auditform::catalog::Action::parse(a).unwrap())
            .collect(),
        remove: Default::default(),
    });
    let retention = AuditSpec {
        log_age_limit: Some(TimeSpan::from_days(180)),
        ..AuditSpec::default()
    };
    let enabled = AuditSpec {
        enabled: Some(true),
        ..AuditSpec::default()
    };
    PolicySet {
        mailbox: vec![
            policy("owner-logins", owner),
            policy("retention-180-days", retention),
            policy("auditing-on", enabled),
        ],
        ..PolicySet::default()
    }
}

/// A tenant where every mailbox needs its own change (each has its own AuditLogAgeLimit), the
/// worst case for the report's size, and some already comply.
fn tenant(count: usize) -> Tenant {
    let licence = LicenceTier::NonE5;
    let mailboxes = (0..count)
        .map(|index| {
            let name = if index % 1000 == 7 {
                format!("{HOSTILE} {index}")
            } else {
                format!("User {index}")
            };
            Mailbox {
                names: MailboxNames {
                    identity: format!("user{index}").into(),
                    display_name: Some(name.into()),
                    user_principal_name: Some(format!("user{index}@contoso.com").into()),
                    external_directory_object_id: Some(format!("id-{index}").into()),
                    ..MailboxNames::default()
                },
                recipient_type: RecipientType::UserMailbox,
                licence,
                audit: AuditSettings {
                    enabled: true,
                    log_age_limit: TimeSpan::from_days(if index % 3 == 0 {
                        180
                    } else {
                        (index % 20_000) as i64 + 1
                    }),
                    lists: LogonType::ALL.map(|logon| {
                        let mut list = ActionList::from_known(managed_defaults(logon));
                        if index % 2 == 0 && logon == LogonType::Owner {
                            list.push_name("MailboxLogin");
                        }
                        list
                    }),
                    default_audit_set: LogonSet::ALL,
                },
                properties: Vec::new(),
            }
        })
        .collect();
    Tenant {
        mailboxes,
        ..Tenant::default()
    }
}

fn report(policies: &PolicySet, tenant: &Tenant) -> (String, usize) {
    let mut planner = Planner::traced(policies, "generated", ComplianceTally::new(policies));
    for mailbox in &tenant.mailboxes {
        planner.observe_mailbox(mailbox);
    }
    let (plan, tally) = planner.finish_traced();
    let plan = plan.expect("no conflicts");
    let mut xml = Vec::new();
    let options = JunitOptions {
        timestamp: "2024-01-01T00:00:00".to_string(),
    };
    render_plan_junit(
        &plan,
        policies,
        &tally.into_compliance(),
        &options,
        &mut xml,
    )
    .unwrap();
    (String::from_utf8(xml).unwrap(), plan.mailbox_changes.len())
}

#[test]
fn a_plan_over_100000_mailboxes_reports_in_a_file_of_reasonable_size() {
    let policies = policies();
    let (xml, changes) = report(&policies, &tenant(100_000));
    assert!(changes > 60_000, "most mailboxes change: {changes}");
    assert!(
        xml.len() < 1_000_000,
        "the report of {changes} changes is {} bytes",
        xml.len()
    );
    for suite in xml.split("<testsuite ").skip(1) {
        let failing = suite.matches("<failure ").count();
        assert!(
            failing <= FAILING_CASES + 1,
            "{failing} failing cases in a suite"
        );
    }
    assert!(xml.contains("more mailbox changes"), "the rest are counted");
    assert!(
        xml.contains("mailboxes already comply"),
        "what complies is counted"
    );
    let problems = violations(&schema(), &xml);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn names_and_descriptions_from_the_tenant_and_policy_files_stay_inert_in_the_xml() {
    let (xml, _) = report(&policies(), &tenant(20));
    let problems = violations(&schema(), &xml);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(!xml.contains('\u{1b}') && !xml.contains('\u{0}'));
    assert!(
        !xml.contains("<testcase name=\"forged\""),
        "no forged element"
    );
    assert!(!xml.lines().any(|line| line.starts_with("Plan: 0 to add")));
    assert!(xml.contains("Eve&lt;/failure&gt;"), "markup is escaped");
}

#[test]
fn one_plan_writes_a_comment_and_the_junit_report_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("drift.xml");
    let output = auditform()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args([
            "plan",
            "--format",
            "markdown",
            "--detailed-exitcode",
            "--junit",
        ])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr_of(&output));
    assert!(
        stdout_of(&output).contains("```diff"),
        "stdout is the comment"
    );
    let written = std::fs::read_to_string(&report).unwrap();
    assert_eq!(written, junit(&[]), "the same report as --format junit");
}

mod counts {
    use crate::plan_properties::{policies as random_policies, tenant as random_tenant};
    use auditform::model::SplitVisitor;
    use auditform::plan::compliance::{ComplianceTally, COMPLYING_NAMED};
    use auditform::plan::Planner;
    use auditform::policy::PolicySet;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// What complies with a policy is what it selects, less what changes because of it and
        /// what the plan skips; counted while planning, it agrees with the finished plan.
        #[test]
        fn what_complies_is_what_is_selected_and_neither_changed_for_it_nor_skipped(
            policies in random_policies(),
            tenant in random_tenant(),
        ) {
            let set = PolicySet { mailbox: policies, ..PolicySet::default() };
            let mut planner = Planner::traced(&set, "generated", ComplianceTally::new(&set));
            for mailbox in &tenant.mailboxes {
                planner.observe_mailbox(mailbox);
            }
            let (plan, tally) = planner.finish_traced();
            let Ok(plan) = plan else {
                return Ok(()); // a conflict stops the plan, and no report is written
            };
            let compliance = tally.into_compliance();
            for (policy, counted) in set.mailbox.iter().zip(&compliance.mailbox) {
                let mut selected = 0;
                let mut complying = Vec::new();
                for mailbox in &tenant.mailboxes {
                    if !policy.selector.matches(mailbox) {
                        continue;
                    }
                    selected += 1;
                    let id = mailbox.names.immutable_id();
                    let changed_for_it = plan.mailbox_changes.iter().any(|change| {
                        change.subject.id() == id && change.policies.contains(&policy.reference)
                    });
                    let skipped = plan.skipped.iter().any(|s| s.subject.id() == id);
                    if !changed_for_it && !skipped {
                        complying.push(id.to_string());
                    }
                }
                prop_assert_eq!(counted.selected, selected);
                prop_assert_eq!(counted.complying, complying.len());
                let named: Vec<String> = counted.first.iter().map(|s| s.id().to_string()).collect();
                let expected: Vec<String> = complying.into_iter().take(COMPLYING_NAMED).collect();
                prop_assert_eq!(named, expected);
            }
        }

        /// Workers that plan blocks of a large export each count their part; merged in order,
        /// the parts count what one pass counts.
        #[test]
        fn counts_merged_from_parts_are_the_counts_of_one_pass(
            policies in random_policies(),
            tenant in random_tenant(),
            cut in 0usize..8,
        ) {
            let set = PolicySet { mailbox: policies, ..PolicySet::default() };
            let mut whole = Planner::traced(&set, "generated", ComplianceTally::new(&set));
            for mailbox in &tenant.mailboxes {
                whole.observe_mailbox(mailbox);
            }
            let cut = cut.min(tenant.mailboxes.len());
            let mut first = Planner::traced(&set, "generated", ComplianceTally::new(&set));
            let mut second = first.split();
            for mailbox in &tenant.mailboxes[..cut] {
                first.observe_mailbox(mailbox);
            }
            for mailbox in &tenant.mailboxes[cut..] {
                second.observe_mailbox(mailbox);
            }
            first.merge(second);
            let (_, one_pass) = whole.finish_traced();
            let (_, merged) = first.finish_traced();
            prop_assert_eq!(one_pass.into_compliance(), merged.into_compliance());
        }
    }
}
