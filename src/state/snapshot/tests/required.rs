//! A mailbox is read only with the audit properties that say its audit state; the rest is
//! optional.

use super::*;

#[test]
fn a_mailbox_missing_audit_properties_is_refused_naming_every_one_it_lacks() {
    // `-PropertySets Minimum` alone: names and RecipientTypeDetails, no audit settings.
    let minimum = r#"[{"ExternalDirectoryObjectId": "e2e35583", "UserPrincipalName": "pilar@contoso.com",
        "Alias": "pilarp", "DisplayName": "Pilar Pinilla", "PrimarySmtpAddress": "pilar@contoso.com",
        "RecipientTypeDetails": "UserMailbox", "Identity": "pilarp", "Name": "pilarp",
        "Guid": "753607e4"}]"#;
    let names_only = r#"{"mailboxes": [{"Identity": "donh", "PersistedCapabilities": []}]}"#;
    let mut report = Vec::new();
    for text in [minimum, names_only] {
        let error = read_text(text).expect_err("a mailbox without its audit properties");
        assert!(matches!(error, StateError::Missing { .. }), "{error:?}");
        report.push(shown(&error));
    }
    insta::assert_snapshot!(report.join("\n"));
}

#[test]
fn a_mailbox_with_every_audit_property_and_nothing_optional_still_reads() {
    let mailbox = only_mailbox(
        r#"{"Identity": "a", "RecipientTypeDetails": "SharedMailbox", "AuditEnabled": false,
            "AuditLogAgeLimit": "30.00:00:00", "AuditAdmin": ["Update"], "AuditDelegate": [],
            "AuditOwner": ["MailboxLogin"], "DefaultAuditSet": ["Delegate"]}"#,
    );
    assert_eq!(mailbox.names.identity.as_ref(), "a");
    assert_eq!(mailbox.recipient_type, RecipientType::SharedMailbox);
    assert_eq!(mailbox.licence, LicenceTier::NonE5);
    assert!(!mailbox.audit.enabled);
    assert_eq!(mailbox.audit.log_age_limit, TimeSpan::from_days(30));
    assert_eq!(mailbox.audit.list(LogonType::Admin).names(), ["Update"]);
    assert!(mailbox.audit.list(LogonType::Delegate).is_empty());
    assert_eq!(
        mailbox.audit.list(LogonType::Owner).names(),
        ["MailboxLogin"]
    );
    assert_eq!(mailbox.audit.default_audit_set.names(), ["Delegate"]);
    assert!(mailbox.properties.is_empty());
}

#[test]
fn null_names_and_capabilities_read_as_missing_ones() {
    let text = audited(
        r#"{"Identity": "a", "Name": null, "DisplayName": null, "UserPrincipalName": null,
            "PersistedCapabilities": null}"#,
    );
    assert_eq!(
        only_mailbox(&text),
        only_mailbox(&audited(r#"{"Identity": "a"}"#))
    );
}

#[test]
fn a_null_recipient_type_audit_enabled_or_log_age_limit_counts_as_missing() {
    let error = read_text(
        r#"[{"Identity": "a", "RecipientTypeDetails": null, "AuditEnabled": null,
            "AuditLogAgeLimit": null, "AuditAdmin": null, "AuditDelegate": [],
            "AuditOwner": [], "DefaultAuditSet": []}]"#,
    )
    .expect_err("null scalars say nothing about the audit state");
    let message = shown(&error);
    assert!(
        message.contains("lacks RecipientTypeDetails, AuditEnabled, AuditLogAgeLimit,"),
        "{message}"
    );
    assert!(
        !message.contains("AuditAdmin"),
        "a null list is an empty one: {message}"
    );
}
