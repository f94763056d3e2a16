use super::*;
use crate::catalog::{managed_defaults, Action, LicenceTier};
use crate::model::{
    ActionList, LogonSet, LogonType, Mailbox, PropertyValue, RecipientType, Tenant,
};
use crate::timespan::TimeSpan;
use serde_json::{Map, Value};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tenants")
        .join(name)
}

fn read_fixture(name: &str) -> Tenant {
    let mut tenant = Tenant::default();
    SnapshotFile::new(fixture(name))
        .read(&mut tenant, &ReadOptions::default())
        .unwrap_or_else(|error| panic!("{name}: {error}"));
    tenant
}

fn read_text(text: &str) -> Result<Tenant, StateError> {
    read_with(text, &ReadOptions::default())
}

fn read_with(text: &str, options: &ReadOptions) -> Result<Tenant, StateError> {
    let mut tenant = Tenant::default();
    read_snapshot_bytes(text.as_bytes(), "state.json", &mut tenant, options).map(|()| tenant)
}

fn only_mailbox(text: &str) -> Mailbox {
    let mut tenant = read_text(text).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(tenant.mailboxes.len(), 1);
    tenant.mailboxes.remove(0)
}

/// The audit properties of a user's mailbox nobody has customized, as
/// `Get-EXOMailbox -PropertySets Audit` exports them.
fn uncustomized_audit_properties() -> Map<String, Value> {
    let mut properties = Map::new();
    properties.insert("RecipientTypeDetails".into(), "UserMailbox".into());
    properties.insert("AuditEnabled".into(), true.into());
    properties.insert(
        "AuditLogAgeLimit".into(),
        TimeSpan::DEFAULT_AUDIT_LOG_AGE_LIMIT.to_string().into(),
    );
    for logon in LogonType::ALL {
        let defaults = managed_defaults(logon).names();
        properties.insert(logon.property().into(), defaults.into());
    }
    properties.insert("DefaultAuditSet".into(), LogonSet::ALL.names().into());
    properties
}

/// `mailbox`, a JSON object, on one line and completed with the audit properties it does not
/// set (whatever their case), so that a test writes only the properties it is about.
fn audited(mailbox: &str) -> String {
    let mut object: Map<String, Value> = serde_json::from_str(mailbox)
        .unwrap_or_else(|error| panic!("{mailbox} is not a JSON object: {error}"));
    for (name, value) in uncustomized_audit_properties() {
        if !object.keys().any(|key| key.eq_ignore_ascii_case(&name)) {
            object.insert(name, value);
        }
    }
    Value::Object(object).to_string()
}

/// The error as a person reads it: place, message and hint.
fn shown(error: &StateError) -> String {
    crate::diagnostic::Diagnostic::from(error).to_string()
}

fn error_text(text: &str) -> String {
    match read_text(text) {
        Ok(tenant) => panic!("expected an error, read {tenant:?}"),
        Err(error) => shown(&error),
    }
}

fn shape_of(text: &str) -> Shape {
    let mut tenant = Tenant::default();
    read_snapshot_bytes_with_shape(
        text.as_bytes(),
        "state.json",
        &mut tenant,
        &ReadOptions::default(),
    )
    .unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn the_three_shapes_of_the_same_tenant_read_to_equal_mailboxes() {
    let powershell = read_fixture("three-mailboxes.powershell.json");
    let rest = read_fixture("three-mailboxes.rest.json");
    let snapshot = read_fixture("three-mailboxes.snapshot.json");
    assert_eq!(powershell.mailboxes.len(), 3);
    assert_eq!(powershell.mailboxes, rest.mailboxes);
    assert_eq!(powershell.mailboxes, snapshot.mailboxes);
}

#[test]
fn the_fixture_mailboxes_read_as_the_service_describes_them() {
    let tenant = read_fixture("three-mailboxes.powershell.json");
    let [pilar, don, room] = &tenant.mailboxes[..] else {
        panic!("three mailboxes expected");
    };
    assert_eq!(pilar.names.display(), "Pilar Pinilla");
    assert_eq!(pilar.licence, LicenceTier::E5);
    assert_eq!(pilar.audit.default_audit_set, LogonSet::ALL);
    for logon in LogonType::ALL {
        assert_eq!(pilar.audit.list(logon).known, managed_defaults(logon));
    }
    assert_eq!(don.licence, LicenceTier::NonE5);
    assert_eq!(don.audit.log_age_limit, TimeSpan::from_days(180));
    assert_eq!(
        don.audit.list(LogonType::Owner).names(),
        ["MailboxLogin", "ExampleNewAction"]
    );
    assert_eq!(room.recipient_type, RecipientType::RoomMailbox);
    assert!(!room.audit.enabled);
    assert!(room.audit.lists.iter().all(ActionList::is_empty));
    assert_eq!(room.audit.default_audit_set, LogonSet::EMPTY);
}

#[test]
fn each_shape_is_recognised_by_its_outline() {
    let mailbox = audited(r#"{"Identity": "pilarp"}"#);
    assert_eq!(shape_of(&format!("[{mailbox}]")), Shape::PowerShellArray);
    assert_eq!(shape_of(&mailbox), Shape::PowerShellObject);
    assert_eq!(
        shape_of(&format!(r#"{{"value": [{mailbox}]}}"#)),
        Shape::Rest
    );
    assert_eq!(
        shape_of(&format!(r#"{{"mailboxes": [{mailbox}]}}"#)),
        Shape::Snapshot
    );
    assert_eq!(shape_of("[]"), Shape::PowerShellArray);
}

#[test]
fn keys_a_newer_snapshot_adds_before_its_sections_do_not_make_it_a_mailbox() {
    let mailbox = audited(r#"{"Identity": "a"}"#);
    let text = &format!(r#"{{"formatVersion": 2, "Department": "x", "mailboxes": [{mailbox}]}}"#);
    assert_eq!(shape_of(text), Shape::Snapshot);
    let options = ReadOptions {
        extra_properties: vec!["department".into()],
    };
    let tenant = read_with(text, &options).unwrap();
    assert_eq!(tenant.mailboxes.len(), 1);
    assert!(tenant.mailboxes[0].properties.is_empty());
}

#[test]
fn a_bare_mailbox_keeps_wanted_properties_written_before_its_names() {
    let text = audited(r#"{"Department": "Finance", "Identity": "a"}"#);
    let options = ReadOptions {
        extra_properties: vec!["department".into()],
    };
    let mailbox = read_with(&text, &options).unwrap().mailboxes.remove(0);
    assert_eq!(
        mailbox.property("Department"),
        Some(PropertyValue::Text("Finance".into()))
    );
}

#[test]
fn a_single_mailbox_export_is_a_bare_object() {
    let tenant = read_fixture("single-mailbox.powershell.json");
    assert_eq!(tenant.mailboxes.len(), 1);
    assert_eq!(tenant.mailboxes[0].names.identity.as_ref(), "pilarp");
    assert_eq!(tenant.organization, None);
}

#[test]
fn a_timespan_object_is_read_by_its_ticks() {
    let mailbox = only_mailbox(&audited(
        r#"{"Identity": "a", "AuditLogAgeLimit": {"Ticks": 155520000000000, "Days": 1, "TotalDays": 180.0}}"#,
    ));
    assert_eq!(mailbox.audit.log_age_limit, TimeSpan::from_days(180));
}

#[test]
fn a_timespan_object_without_ticks_is_read_by_its_components() {
    let mailbox = only_mailbox(&audited(
        r#"{"Identity": "a", "AuditLogAgeLimit": {"days": 1, "Hours": 2, "Minutes": 3, "Seconds": 4, "Milliseconds": 500}}"#,
    ));
    assert_eq!(
        mailbox.audit.log_age_limit.to_string(),
        "1.02:03:04.5000000"
    );
}

#[test]
fn unknown_actions_and_message_bind_are_kept_as_read() {
    let mailbox = only_mailbox(&audited(
        r#"{"Identity": "a", "AuditAdmin": ["MessageBind", "ExampleNewAction", "update"]}"#,
    ));
    let admin = mailbox.audit.list(LogonType::Admin);
    assert!(admin.known.contains(Action::MessageBind));
    assert!(admin.known.contains(Action::Update));
    assert_eq!(admin.names(), ["MessageBind", "Update", "ExampleNewAction"]);
}

#[test]
fn property_names_match_whatever_their_case() {
    let lower = only_mailbox(&audited(
        r#"{"identity": "a", "auditenabled": false, "AUDITOWNER": ["MailboxLogin"], "defaultauditset": ["admin"], "recipienttypedetails": "sharedmailbox"}"#,
    ));
    assert!(!lower.audit.enabled);
    assert_eq!(lower.audit.list(LogonType::Owner).names(), ["MailboxLogin"]);
    assert_eq!(lower.audit.default_audit_set.names(), ["Admin"]);
    assert_eq!(lower.recipient_type, RecipientType::SharedMailbox);
}

#[test]
fn powershell_spellings_of_booleans_and_lists_are_understood() {
    let mailbox = only_mailbox(&audited(
        r#"{"Identity": "a", "AuditEnabled": "False", "DefaultAuditSet": "Admin, Delegate, Owner",
            "AuditOwner": "MailboxLogin", "AuditAdmin": "None", "AuditDelegate": ["None"]}"#,
    ));
    assert!(!mailbox.audit.enabled);
    assert_eq!(mailbox.audit.default_audit_set, LogonSet::ALL);
    assert_eq!(
        mailbox.audit.list(LogonType::Owner).names(),
        ["MailboxLogin"]
    );
    assert!(mailbox.audit.list(LogonType::Admin).is_empty());
    assert!(mailbox.audit.list(LogonType::Delegate).is_empty());
    assert!(
        only_mailbox(&audited(r#"{"Identity": "a", "AuditEnabled": "true"}"#))
            .audit
            .enabled
    );
}

#[test]
fn other_properties_are_kept_only_when_a_filter_asks_for_them() {
    let text = &audited(
        r##"{"Identity": "a", "Department": "Finance", "CustomAttribute1": "",
        "EmailAddresses": ["SMTP:a@contoso.com", "smtp:a@contoso.onmicrosoft.com"],
        "ArchiveQuota": 100, "HiddenFromAddressListsEnabled": true, "Nested": {"x": [1]},
        "Department@odata.type": "#String"}"##,
    );
    assert!(only_mailbox(text).properties.is_empty());

    let options = ReadOptions {
        extra_properties: [
            "department",
            "emailaddresses",
            "archivequota",
            "hiddenfromaddresslistsenabled",
            "nested",
            "absent",
        ]
        .map(String::from)
        .to_vec(),
    };
    let mailbox = read_with(text, &options).unwrap().mailboxes.remove(0);
    let kept: Vec<(&str, &PropertyValue)> =
        mailbox.properties.iter().map(|(k, v)| (&**k, v)).collect();
    assert_eq!(
        kept,
        [
            ("Department", &PropertyValue::Text("Finance".into())),
            (
                "EmailAddresses",
                &PropertyValue::List(vec![
                    "SMTP:a@contoso.com".into(),
                    "smtp:a@contoso.onmicrosoft.com".into()
                ])
            ),
            ("ArchiveQuota", &PropertyValue::Number(100.0)),
            ("HiddenFromAddressListsEnabled", &PropertyValue::Bool(true)),
            ("Nested", &PropertyValue::Null),
        ]
    );
    assert_eq!(
        mailbox.property("department"),
        Some(PropertyValue::Text("Finance".into()))
    );
}

#[test]
fn a_mailbox_without_identity_is_named_by_its_other_names() {
    let by_name = only_mailbox(&audited(r#"{"Name": "pilarp", "Guid": "g"}"#));
    assert_eq!(by_name.names.identity.as_ref(), "pilarp");
    let by_guid = only_mailbox(&audited(
        r#"{"Guid": "753607e4", "PrimarySmtpAddress": "pilar@contoso.com"}"#,
    ));
    assert_eq!(by_guid.names.identity.as_ref(), "753607e4");
    let by_address = only_mailbox(&audited(
        r#"{"PrimarySmtpAddress": "pilar@contoso.com", "Identity": ""}"#,
    ));
    assert_eq!(by_address.names.identity.as_ref(), "pilar@contoso.com");
}

#[test]
fn the_snapshot_organization_and_bypass_associations_are_read() {
    let text = r#"{"organization": {"AuditDisabled": "True", "Other": 1},
        "auditBypass": [{"Identity": "svc", "AuditBypassEnabled": true, "IsValid": true},
                        {"Name": "pilarp", "AuditBypassEnabled": false}],
        "mailboxes": []}"#;
    let tenant = read_text(text).unwrap();
    assert_eq!(tenant.organization.map(|o| o.audit_disabled), Some(true));
    let bypass: Vec<(&str, bool)> = tenant
        .bypass
        .iter()
        .map(|b| (&*b.names.identity, b.bypass_enabled))
        .collect();
    assert_eq!(bypass, [("svc", true), ("pilarp", false)]);
}

#[test]
fn rest_annotations_and_paging_links_are_ignored() {
    let mailbox = audited(
        r##"{"Identity": "a", "AuditOwner@odata.type": "#Collection(String)",
        "AuditOwner": ["MailboxLogin"]}"##,
    );
    let text = format!(
        r#"{{"@odata.context": "x", "value": [{mailbox}], "@odata.nextLink": "https://example/next"}}"#
    );
    assert_eq!(
        only_mailbox(&text).audit.list(LogonType::Owner).names(),
        ["MailboxLogin"]
    );
}

#[test]
fn the_field_table_names_each_field_by_its_own_name() {
    use json_mailbox::Field;
    for name in [
        "Identity",
        "Name",
        "Alias",
        "DisplayName",
        "UserPrincipalName",
        "PrimarySmtpAddress",
        "ExternalDirectoryObjectId",
        "Guid",
        "ExchangeGuid",
        "RecipientTypeDetails",
        "AuditEnabled",
        "AuditLogAgeLimit",
        "AuditAdmin",
        "AuditDelegate",
        "AuditOwner",
        "DefaultAuditSet",
        "PersistedCapabilities",
        "AuditBypassEnabled",
    ] {
        let field = Field::lookup(&name.to_ascii_uppercase()).expect(name);
        assert_eq!(field.name(), name);
    }
}

mod errors;
mod example;
mod licence;
mod required;
mod roundtrip;
mod untrusted;
