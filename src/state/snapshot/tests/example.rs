//! The bundled example tenant is what a newcomer's first `plan` reads; it must stay realistic.

use super::*;

fn example() -> Tenant {
    let mut tenant = Tenant::default();
    SnapshotFile::new(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/tenant.json"))
        .read(&mut tenant, &ReadOptions::default())
        .unwrap_or_else(|error| panic!("{error}"));
    tenant
}

fn by_display_name<'t>(tenant: &'t Tenant, name: &str) -> Vec<&'t Mailbox> {
    tenant
        .mailboxes
        .iter()
        .filter(|m| m.names.display() == name)
        .collect()
}

#[test]
fn the_example_covers_every_kind_of_mailbox() {
    let tenant = example();
    assert!(tenant.mailboxes.len() >= 15);
    for kind in RecipientType::KNOWN {
        assert!(
            tenant.mailboxes.iter().any(|m| m.recipient_type == kind),
            "no {kind} in the example"
        );
    }
    for tier in [LicenceTier::E5, LicenceTier::NonE5] {
        assert!(tenant.mailboxes.iter().any(|m| m.licence == tier));
    }
}

#[test]
fn every_logon_type_in_default_audit_set_holds_exactly_the_managed_defaults() {
    for mailbox in example().mailboxes {
        for logon in mailbox.audit.default_audit_set.iter() {
            let list = mailbox.audit.list(logon);
            assert_eq!(
                list.known,
                managed_defaults(logon),
                "{} {logon}",
                mailbox.names.display()
            );
            assert!(list.unknown.is_empty());
        }
    }
}

#[test]
fn the_example_carries_the_awkward_cases() {
    let tenant = example();
    let mailboxes = &tenant.mailboxes;
    let has = |test: &dyn Fn(&Mailbox) -> bool| mailboxes.iter().any(test);
    assert!(has(&|m| m
        .audit
        .lists
        .iter()
        .any(|l| l.known.contains(Action::MessageBind))));
    assert!(has(&|m| m
        .audit
        .lists
        .iter()
        .any(|l| !l.unknown.is_empty())));
    assert!(has(&|m| m.recipient_type
        == RecipientType::DiscoveryMailbox
        && !m.audit.enabled));
    assert!(has(
        &|m| m.recipient_type == RecipientType::RoomMailbox && !m.audit.enabled
    ));
    assert!(has(
        &|m| m.audit.log_age_limit != TimeSpan::DEFAULT_AUDIT_LOG_AGE_LIMIT
    ));
    assert_eq!(by_display_name(&tenant, "Grady Archie").len(), 2);
    let on_defaults = mailboxes
        .iter()
        .filter(|m| m.recipient_type == RecipientType::UserMailbox)
        .filter(|m| m.audit.default_audit_set.contains(LogonType::Owner))
        .count();
    assert!(on_defaults >= 4, "the plan should group identical changes");
}

#[test]
fn the_example_has_organization_and_bypass_settings() {
    let tenant = example();
    assert_eq!(tenant.organization.map(|o| o.audit_disabled), Some(false));
    assert!(tenant.bypass.iter().any(|b| b.bypass_enabled));
    assert!(tenant.bypass.iter().any(|b| !b.bypass_enabled));
}

#[test]
fn filters_can_read_the_example_departments() {
    let options = ReadOptions {
        extra_properties: vec!["department".into(), "customattribute1".into()],
    };
    let mut tenant = Tenant::default();
    SnapshotFile::new(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/tenant.json"))
        .read(&mut tenant, &options)
        .unwrap();
    let don = by_display_name(&tenant, "Don Hall")[0];
    assert_eq!(
        don.property("Department"),
        Some(PropertyValue::Text("Finance".into()))
    );
    assert_eq!(
        don.property("CustomAttribute1"),
        Some(PropertyValue::Text("NoAudit".into()))
    );
}

#[test]
fn a_snapshot_file_describes_itself_by_its_path() {
    let file = SnapshotFile::new("examples/tenant.json");
    assert_eq!(file.describe(), "snapshot examples/tenant.json");
    assert_eq!(file.path(), std::path::Path::new("examples/tenant.json"));
}
