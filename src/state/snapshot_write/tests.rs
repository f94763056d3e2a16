use super::*;
use crate::catalog::Action;
use crate::model::LogonType;
use crate::plan::plan_tenant;
use crate::policy::{
    AuditSpec, ListSpec, MailboxPolicy, OrganizationPolicy, PolicyRef, PolicySet, Selector,
    SourceLocation,
};
use crate::state::snapshot::read_snapshot_bytes;
use crate::timespan::TimeSpan;

fn reference(name: &str) -> PolicyRef {
    PolicyRef {
        name: name.into(),
        source: SourceLocation {
            file: format!("policies/{name}.yaml").into(),
            line: 1,
            column: 1,
        },
    }
}

/// Owners' sign-ins audited on every mailbox, a year of records, and auditing on for the
/// organization.
fn policies() -> PolicySet {
    let mut audit = AuditSpec {
        log_age_limit: Some(TimeSpan::from_days(365)),
        ..AuditSpec::default()
    };
    audit.lists[LogonType::Owner.index()] = Some(ListSpec::Change {
        add: [Action::MailboxLogin].into_iter().collect(),
        remove: crate::model::ActionList::default(),
    });
    PolicySet {
        mailbox: vec![MailboxPolicy {
            reference: reference("owner-sign-ins"),
            description: None,
            priority: 0,
            selector: Selector::default(),
            audit,
        }],
        organization: vec![OrganizationPolicy {
            reference: reference("org"),
            description: None,
            priority: 0,
            audit_disabled: Some(false),
        }],
        bypass: Vec::new(),
        catalog: Default::default(),
    }
}

const SNAPSHOT: &str = r#"{
  "organization": {"AuditDisabled": true, "Extra": "kept"},
  "licence": "nonE5",
  "mailboxes": [
    {
      "ExternalDirectoryObjectId": "id-planned",
      "DisplayName": "Zoë Planned ✓",
      "RecipientTypeDetails": "UserMailbox",
      "AuditEnabled": true,
      "AuditLogAgeLimit": "90.00:00:00",
      "AuditAdmin": ["Update", "HardDelete", "SendAs"],
      "AuditDelegate": "Update, SendAs",
      "AuditOwner": ["Update", "HardDelete"],
      "DefaultAuditSet": "Admin, Delegate, Owner",
      "Extra": {"Nested": [1, {"a": null}]},
      "Huge": 123456789012345678901234567890,
      "Escaped": "tab\there \u00e9 \ud83d\ude00"
    },
    {
      "ExternalDirectoryObjectId": "id-object-timespan",
      "DisplayName": "TimeSpan Object",
      "RecipientTypeDetails": "SharedMailbox",
      "AuditEnabled": "True",
      "AuditLogAgeLimit": {"Ticks": 77760000000000, "Days": 90, "Hours": 0, "TotalDays": 90.0, "Future": "kept"},
      "AuditAdmin": [],
      "AuditDelegate": [],
      "AuditOwner": [],
      "DefaultAuditSet": []
    },
    {
      "ExternalDirectoryObjectId": "id-compliant",
      "DisplayName": "Already There",
      "RecipientTypeDetails": "UserMailbox",
      "AuditEnabled": true,
      "AuditLogAgeLimit": "365.00:00:00",
      "AuditAdmin": ["Update"],
      "AuditDelegate": ["Update"],
      "AuditOwner": ["MailboxLogin"],
      "DefaultAuditSet": [],
      "Extra": {"Nested": [1, {"a": null}]},
      "Huge": 1e400
    }
  ]
}"#;

fn plan_for(bytes: &[u8]) -> Plan {
    let mut tenant = Tenant::default();
    read_snapshot_bytes(bytes, "test.json", &mut tenant, &ReadOptions::default()).unwrap();
    plan_tenant(&policies(), &tenant, "snapshot test.json").unwrap()
}

fn rewritten(bytes: &str) -> (String, Vec<ObjectOutcome>) {
    let plan = plan_for(bytes.as_bytes());
    let out = rewrite(bytes.as_bytes(), "test.json", &plan).unwrap();
    (String::from_utf8(out.bytes).unwrap(), out.outcomes)
}

#[test]
fn properties_auditform_does_not_know_survive_byte_for_value_in_planned_and_unplanned_mailboxes() {
    let (text, outcomes) = rewritten(SNAPSHOT);
    assert!(outcomes.iter().all(|o| o.result == ObjectResult::Changed));
    assert_eq!(
        text.matches(r#""Extra": {"Nested": [1, {"a": null}]}"#)
            .count(),
        2
    );
    assert!(text.contains(r#""Huge": 123456789012345678901234567890"#));
    assert!(text.contains(r#""Huge": 1e400"#));
    assert!(text.contains(r#""Escaped": "tab\there \u00e9 \ud83d\ude00""#));
    assert!(text.contains(r#""DisplayName": "Zoë Planned ✓""#));
    assert!(text.contains(r#""organization": {"AuditDisabled": false, "Extra": "kept"}"#));
}

#[test]
fn only_the_audit_properties_that_change_are_rewritten_keeping_their_shape() {
    let (text, _) = rewritten(SNAPSHOT);
    insta::assert_snapshot!(text);
}

#[test]
fn the_written_file_reads_back_as_the_plan_said_and_plans_no_further_changes() {
    let (text, _) = rewritten(SNAPSHOT);
    let again = plan_for(text.as_bytes());
    assert!(again.is_empty(), "{again:?}");
}

#[test]
fn a_mailbox_the_service_would_refuse_fails_alone_and_keeps_its_bytes() {
    // Planned against a licence hint of E5, written to a file that now says nonE5: the
    // service refuses SearchQueryInitiated, the one Audit (Premium) action, for the mailbox.
    let e5 = SNAPSHOT.replace("nonE5", "E5");
    let mut tenant = Tenant::default();
    read_snapshot_bytes(
        e5.as_bytes(),
        "e5.json",
        &mut tenant,
        &ReadOptions::default(),
    )
    .unwrap();
    let mut set = policies();
    set.mailbox[0].audit.lists[LogonType::Owner.index()] = Some(ListSpec::Change {
        add: [Action::SearchQueryInitiated, Action::MailboxLogin]
            .into_iter()
            .collect(),
        remove: crate::model::ActionList::default(),
    });
    let plan = plan_tenant(&set, &tenant, "snapshot e5.json").unwrap();
    assert_eq!(plan.mailbox_changes.len(), 3);
    let out = rewrite(SNAPSHOT.as_bytes(), "test.json", &plan).unwrap();
    let failed: Vec<_> = out
        .outcomes
        .iter()
        .filter(|o| o.result != ObjectResult::Changed)
        .collect();
    assert_eq!(failed.len(), 3, "{:?}", out.outcomes);
    let ObjectResult::Failed { message } = &failed[0].result else {
        unreachable!()
    };
    assert!(
        message.contains("only available for users with appropriate license"),
        "{message}"
    );
    // The organization still changed.
    assert!(String::from_utf8(out.bytes)
        .unwrap()
        .contains(r#""AuditDisabled": false"#));
}

#[test]
fn every_top_level_shape_is_kept() {
    let mailbox = r#"{"Guid": "g-1", "RecipientTypeDetails": "UserMailbox", "AuditEnabled": true,
        "AuditLogAgeLimit": "90.00:00:00", "AuditAdmin": [], "AuditDelegate": [],
        "AuditOwner": "None", "DefaultAuditSet": [], "X": [1]}"#;
    for document in [
        format!("[{mailbox}]"),
        mailbox.to_string(),
        format!(r#"{{"@odata.context": "x", "value": [{mailbox}], "AuditOwner@odata.type": "y"}}"#),
    ] {
        let mut tenant = Tenant::default();
        read_snapshot_bytes(
            document.as_bytes(),
            "t",
            &mut tenant,
            &ReadOptions::default(),
        )
        .unwrap();
        let mut set = policies();
        set.organization.clear();
        let plan = plan_tenant(&set, &tenant, "t").unwrap();
        let out = rewrite(document.as_bytes(), "t", &plan).unwrap();
        let text = String::from_utf8(out.bytes).unwrap();
        assert_eq!(text.chars().next(), document.chars().next(), "{text}");
        assert!(text.contains(r#""AuditOwner": ["MailboxLogin"]"#), "{text}");
        assert!(text.contains(r#""X": [1]"#), "{text}");
        assert!(plan_tenant(
            &set,
            &{
                let mut t = Tenant::default();
                read_snapshot_bytes(text.as_bytes(), "t", &mut t, &ReadOptions::default()).unwrap();
                t
            },
            "t"
        )
        .unwrap()
        .is_empty());
    }
}

#[test]
fn an_organization_change_for_a_file_without_an_organization_is_refused() {
    let mut tenant = Tenant::default();
    read_snapshot_bytes(
        SNAPSHOT.as_bytes(),
        "t",
        &mut tenant,
        &ReadOptions::default(),
    )
    .unwrap();
    let plan = plan_tenant(&policies(), &tenant, "t").unwrap();
    assert!(plan.organization_change.is_some());
    let without = r#"[{"Guid": "g-1", "RecipientTypeDetails": "UserMailbox", "AuditEnabled": true,
        "AuditLogAgeLimit": "90.00:00:00", "AuditAdmin": [], "AuditDelegate": [],
        "AuditOwner": [], "DefaultAuditSet": []}]"#;
    let error = rewrite(without.as_bytes(), "t", &plan).err().unwrap();
    assert!(
        error.to_string().contains("no organization object"),
        "{error}"
    );
}
