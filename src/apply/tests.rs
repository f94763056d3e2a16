use super::*;
use crate::catalog::{managed_defaults, Action};
use crate::model::Tenant;
use crate::plan::plan_tenant;
use crate::policy::{AuditSpec, ListSpec, MailboxPolicy, PolicyRef, PolicySet, SourceLocation};
use crate::state::snapshot::read_snapshot_bytes;
use crate::state::snapshot_write::SnapshotSink;
use crate::state::ReadOptions;

/// A mailbox with `properties` (which set its recipient type and AuditOwner) and the rest of
/// the audit properties an export carries: auditing on for 90 days, Admin and Delegate at their
/// defaults.
fn mailbox(properties: &str) -> String {
    let defaults = |logon| {
        let names = managed_defaults(logon).names();
        serde_json::to_string(&names).unwrap_or_default()
    };
    format!(
        r#"{{{properties}, "AuditEnabled": true, "AuditLogAgeLimit": "90.00:00:00", "AuditAdmin": {}, "AuditDelegate": {}, "DefaultAuditSet": ["Admin", "Delegate"]}}"#,
        defaults(LogonType::Admin),
        defaults(LogonType::Delegate)
    )
}

/// Pilar's owner sign-ins are not audited; Don's are.
fn tenant() -> String {
    let pilar = mailbox(
        r#""Guid": "g-pilar", "DisplayName": "Pilar Pinilla", "RecipientTypeDetails": "UserMailbox", "AuditOwner": ["Update"]"#,
    );
    let don = mailbox(
        r#""Guid": "g-don", "DisplayName": "Don Hall", "RecipientTypeDetails": "UserMailbox", "AuditOwner": ["MailboxLogin"]"#,
    );
    format!("[\n  {pilar},\n  {don}\n]")
}

fn owner_sign_ins() -> PolicySet {
    let mut audit = AuditSpec::default();
    audit.lists[LogonType::Owner.index()] = Some(ListSpec::Change {
        add: [Action::MailboxLogin].into_iter().collect(),
        remove: ActionList::default(),
    });
    PolicySet {
        mailbox: vec![MailboxPolicy {
            reference: PolicyRef {
                name: "owner-sign-ins".into(),
                source: SourceLocation {
                    file: "policies/owner.yaml".into(),
                    line: 1,
                    column: 1,
                },
            },
            description: None,
            priority: 0,
            selector: Default::default(),
            audit,
        }],
        ..PolicySet::default()
    }
}

fn plan_of(text: &str) -> Plan {
    let mut tenant = Tenant::default();
    read_snapshot_bytes(text.as_bytes(), "t", &mut tenant, &ReadOptions::default()).unwrap();
    plan_tenant(&owner_sign_ins(), &tenant, "t").unwrap()
}

fn state_file(text: &str) -> (tempfile::TempDir, SnapshotSink) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tenant.json");
    std::fs::write(&path, text).unwrap();
    (dir, SnapshotSink::new(path))
}

#[test]
fn applying_a_plan_updates_every_planned_mailbox_and_verifies_it() {
    let tenant = tenant();
    let plan = plan_of(&tenant);
    let (_dir, mut sink) = state_file(&tenant);
    let mut seen = Vec::new();
    let report = apply_plan(&plan, &mut sink, &mut |o| seen.push(o.clone())).unwrap();
    assert_eq!(seen.len(), 1);
    assert!(report.succeeded());
    let mut text = Vec::new();
    report.render(&mut text).unwrap();
    insta::assert_snapshot!(String::from_utf8(text).unwrap());
}

#[test]
fn a_changed_planned_mailbox_makes_the_plan_stale_and_nothing_is_written() {
    let tenant = tenant();
    let plan = plan_of(&tenant);
    let changed = tenant.replace(r#"["Update"]"#, r#"["Update", "HardDelete"]"#);
    let (_dir, mut sink) = state_file(&changed);
    let Err(ApplyError::Stale(stale)) = apply_plan(&plan, &mut sink, &mut |_| {}) else {
        panic!("a stale plan was applied");
    };
    assert_eq!(stale.len(), 1);
    assert_eq!(
        stale[0].to_string(),
        "mailbox \"Pilar Pinilla\" (g-pilar): its audit settings changed"
    );
    assert_eq!(std::fs::read_to_string(sink.path()).unwrap(), changed);
}

#[test]
fn a_change_to_a_mailbox_the_plan_does_not_touch_does_not_make_it_stale() {
    let tenant = tenant();
    let plan = plan_of(&tenant);
    let changed = tenant.replace(r#"["MailboxLogin"]"#, r#"["MailboxLogin", "HardDelete"]"#);
    let (_dir, mut sink) = state_file(&changed);
    let report = apply_plan(&plan, &mut sink, &mut |_| {}).unwrap();
    assert!(report.succeeded());
}

/// A target that accepts every change and keeps none of them.
struct Forgetful(SnapshotSink);

impl StateSink for Forgetful {
    fn describe(&self) -> String {
        self.0.describe()
    }
    fn read_planned(&mut self, plan: &Plan) -> Result<CurrentObjects, SinkError> {
        self.0.read_planned(plan)
    }
    fn apply(
        &mut self,
        plan: &Plan,
        _progress: &mut dyn FnMut(&ObjectOutcome),
    ) -> Result<Vec<ObjectOutcome>, SinkError> {
        Ok(plan
            .mailbox_changes
            .iter()
            .map(|c| ObjectOutcome {
                object: ObjectRef::mailbox(&c.subject),
                result: ObjectResult::Changed,
                warnings: Vec::new(),
            })
            .collect())
    }
}

#[test]
fn a_change_that_does_not_hold_is_reported_with_what_is_missing_and_fails_the_apply() {
    let tenant = tenant();
    let plan = plan_of(&tenant);
    let (_dir, sink) = state_file(&tenant);
    let report = apply_plan(&plan, &mut Forgetful(sink), &mut |_| {}).unwrap();
    assert!(!report.succeeded());
    let mut text = Vec::new();
    report.render(&mut text).unwrap();
    insta::assert_snapshot!(String::from_utf8(text).unwrap());
}

#[test]
fn only_yes_approves_the_prompt() {
    for (answer, approved) in [
        ("yes\n", true),
        ("no\n", false),
        ("YES\n", false),
        ("", false),
        ("y\n", false),
    ] {
        let mut shown = Vec::new();
        let result = confirm(&mut answer.as_bytes(), &mut shown).unwrap();
        assert_eq!(result, approved, "answer {answer:?}");
    }
    let mut shown = Vec::new();
    confirm(&mut "no\n".as_bytes(), &mut shown).unwrap();
    insta::assert_snapshot!(String::from_utf8(shown).unwrap());
}

#[test]
fn two_mailboxes_that_share_a_display_name_are_told_apart_in_the_summary() {
    let namesakes = [
        r#""Guid": "g-1", "DisplayName": "Grady Archie", "UserPrincipalName": "grady@contoso.com", "RecipientTypeDetails": "UserMailbox", "AuditOwner": ["Update"]"#,
        r#""Guid": "g-2", "DisplayName": "Grady Archie", "UserPrincipalName": "grady.archie@fabrikam.com", "RecipientTypeDetails": "UserMailbox", "AuditOwner": ["Update"]"#,
        r#""Guid": "g-3", "DisplayName": "Grady Archie", "RecipientTypeDetails": "SharedMailbox", "AuditOwner": ["Update"]"#,
    ]
    .map(mailbox);
    let namesakes = format!("[\n  {}\n]", namesakes.join(",\n  "));
    let plan = plan_of(&namesakes);
    let (_dir, mut sink) = state_file(&namesakes);
    let report = apply_plan(&plan, &mut sink, &mut |_| {}).unwrap();
    let mut text = Vec::new();
    report.render(&mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    let lines: Vec<&str> = text.lines().take(3).collect();
    assert!(
        lines
            .iter()
            .all(|line| lines.iter().filter(|l| *l == line).count() == 1),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn a_stale_mailbox_with_an_address_is_named_by_its_address_and_its_id() {
    let with_address = tenant().replace(
        r#""DisplayName": "Pilar Pinilla","#,
        r#""DisplayName": "Pilar Pinilla", "UserPrincipalName": "pilar@contoso.com","#,
    );
    let plan = plan_of(&with_address);
    let changed = with_address.replace(r#"["Update"]"#, r#"["Update", "HardDelete"]"#);
    let (_dir, mut sink) = state_file(&changed);
    let Err(ApplyError::Stale(stale)) = apply_plan(&plan, &mut sink, &mut |_| {}) else {
        panic!("a stale plan was applied");
    };
    assert_eq!(
        stale[0].to_string(),
        "mailbox \"Pilar Pinilla\" <pilar@contoso.com> (g-pilar): its audit settings changed"
    );
}

/// Every object a source reads is matched with the plan, twice per apply, and every outcome
/// with its change: this runs in the normal test time only when those are lookups.
#[test]
fn a_plan_of_twenty_thousand_mailboxes_applies_and_verifies_in_one_pass_each() {
    const COUNT: usize = 20_000;
    let mailboxes: Vec<String> = (0..COUNT)
        .map(|i| {
            mailbox(&format!(
                r#""Guid": "g-{i}", "DisplayName": "User {i}", "RecipientTypeDetails": "UserMailbox", "AuditOwner": ["Update"]"#
            ))
        })
        .collect();
    let tenant = format!("[{}]", mailboxes.join(",\n"));
    let plan = plan_of(&tenant);
    assert_eq!(plan.mailbox_changes.len(), COUNT);
    let (_dir, mut sink) = state_file(&tenant);
    let report = apply_plan(&plan, &mut sink, &mut |_| {}).unwrap();
    assert_eq!(report.changed(), COUNT);
    assert!(report.succeeded());
    assert!(plan_of(&std::fs::read_to_string(sink.path()).unwrap()).is_empty());
}
