use super::*;
use crate::catalog::managed_defaults;
use crate::explain::{explain_mailbox, PolicyReporter};
use crate::model::{ActionList, LogonSet, Mailbox, MailboxNames, PropertyValue, RecipientType};
use crate::plan::Planner;
use crate::policy::opath::Filter;
use crate::policy::{AuditSpec, ListSpec, MailboxPolicy, PolicySet, Selector, SourceLocation};
use crate::timespan::TimeSpan;

const HOSTILE: &str = "Eve\nPlan: 0 to add, 0 to change\u{1b}[2J";

fn hostile_mailbox() -> Mailbox {
    let licence = LicenceTier::NonE5;
    Mailbox {
        names: MailboxNames {
            identity: HOSTILE.into(),
            display_name: Some(HOSTILE.into()),
            user_principal_name: Some("eve@contoso.com\n::error::x".into()),
            ..MailboxNames::default()
        },
        recipient_type: RecipientType::UserMailbox,
        licence,
        audit: AuditSettings {
            enabled: true,
            log_age_limit: TimeSpan::DEFAULT_AUDIT_LOG_AGE_LIMIT,
            lists: LogonType::ALL.map(|logon| {
                let mut list = ActionList::from_known(managed_defaults(logon));
                list.push_name("Future\u{1b}[31mAction");
                list
            }),
            default_audit_set: LogonSet::ALL,
        },
        properties: vec![("Department".into(), PropertyValue::Text(HOSTILE.into()))],
    }
}

fn policies() -> PolicySet {
    let mut audit = AuditSpec::default();
    audit.lists[LogonType::Owner.index()] = Some(ListSpec::Exactly(Default::default()));
    PolicySet {
        mailbox: vec![MailboxPolicy {
            reference: PolicyRef {
                name: "department\u{1b}[2J".into(),
                source: SourceLocation {
                    file: "policies/x\n.yaml".into(),
                    line: 1,
                    column: 1,
                },
            },
            description: Some(HOSTILE.into()),
            priority: 0,
            selector: Selector {
                filter: Some(Filter::parse("Department -like 'Eve*'").unwrap()),
                ..Selector::default()
            },
            audit,
        }],
        ..PolicySet::default()
    }
}

/// No line holds an escape character or a forged line of the hostile text.
fn assert_inert(text: &str) {
    assert!(!text.contains('\u{1b}'), "{text}");
    for line in text.lines() {
        assert!(!line.starts_with("Plan: 0 to add"), "{text}");
        assert!(!line.starts_with("::error"), "{text}");
    }
}

#[test]
fn names_values_and_policy_texts_from_untrusted_files_cannot_forge_lines_or_escapes() {
    let policies = policies();
    let explanation = explain_mailbox(&policies, &hostile_mailbox());
    assert!(
        explanation.selections[0].selected,
        "the filter reads the hostile value"
    );
    let mut text = Vec::new();
    let options = TextOptions {
        color: false,
        expand: true,
    };
    render_explanation(&explanation, true, &options, &mut text).unwrap();
    assert_inert(&String::from_utf8(text).unwrap());

    let reporter = PolicyReporter::new(&policies, "department\u{1b}[2J").unwrap();
    let mut planner = Planner::traced(&policies, "test", reporter);
    planner.observe_mailbox(&hostile_mailbox());
    let (plan, reporter) = planner.finish_traced();
    assert!(plan.is_ok());
    let report = reporter.into_report(&policies, &[]);
    let mut text = Vec::new();
    render_policy_report(&report, &options, &mut text).unwrap();
    assert_inert(&String::from_utf8(text).unwrap());
}

#[test]
fn the_json_keeps_untrusted_text_as_it_is_inside_json_strings() {
    let explanation = explain_mailbox(&policies(), &hostile_mailbox());
    let mut json = Vec::new();
    render_explanation_json(&explanation, &mut json).unwrap();
    let text = String::from_utf8(json).unwrap();
    assert_inert(&text);
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["mailbox"]["display_name"], HOSTILE);
    let clause = &document["policies"][0]["selector"]["conditions"][0]["clauses"];
    assert_eq!(clause["value"], HOSTILE);
    assert_eq!(clause["held"], true);
}

#[test]
fn a_conflict_over_a_hostile_mailbox_is_shown_inert() {
    let mut policies = policies();
    let mut refusing = policies.mailbox[0].clone();
    refusing.reference.name = "refusing".into();
    let mut audit = AuditSpec::default();
    audit.lists[LogonType::Owner.index()] = Some(ListSpec::Default);
    refusing.audit = audit;
    policies.mailbox.push(refusing);
    let explanation = explain_mailbox(&policies, &hostile_mailbox());
    assert!(matches!(explanation.outcome, Outcome::Conflict(_)));
    let mut text = Vec::new();
    let options = TextOptions::default();
    render_explanation(&explanation, false, &options, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("CONFLICT"), "{text}");
    assert_inert(&text);
}
