use super::*;

#[test]
fn action_lists_compare_as_sets_whatever_the_services_order_or_case() {
    let a = ActionList::from_names(["Update", "HardDelete", "FutureThing"]);
    let b = ActionList::from_names(["futurething", "harddelete", "UPDATE"]);
    assert_eq!(a.known, b.known);
    assert_eq!(a.unknown.len(), 1);
    assert_eq!(a.names(), ["HardDelete", "Update", "FutureThing"]);
}

#[test]
fn the_value_none_means_an_empty_list() {
    assert!(ActionList::from_names(["None"]).is_empty());
}

#[test]
fn the_immutable_id_prefers_the_directory_object_id_and_never_the_display_name() {
    let mut names = MailboxNames {
        identity: "Pilar Pinilla".into(),
        display_name: Some("Pilar Pinilla".into()),
        primary_smtp_address: Some("pilar@contoso.com".into()),
        ..MailboxNames::default()
    };
    assert_eq!(names.immutable_id(), "pilar@contoso.com");
    names.guid = Some("0b5f3a9e-1c1a-4b8e-9d2c-7a0c3e6f1d11".into());
    assert_eq!(names.immutable_id(), "0b5f3a9e-1c1a-4b8e-9d2c-7a0c3e6f1d11");
    names.external_directory_object_id = Some("4f1e0c52-7c0e-4d5b-a1a7-2a9f6c0e3b21".into());
    assert_eq!(names.immutable_id(), "4f1e0c52-7c0e-4d5b-a1a7-2a9f6c0e3b21");
}

#[test]
fn fingerprints_ignore_list_order_but_see_every_audit_property() {
    let settings = AuditSettings {
        enabled: true,
        log_age_limit: TimeSpan::DEFAULT_AUDIT_LOG_AGE_LIMIT,
        lists: [
            ActionList::from_names(["Update", "Copy"]),
            ActionList::default(),
            ActionList::from_names(["MailboxLogin"]),
        ],
        default_audit_set: LogonSet::EMPTY,
    };
    let mut reordered = settings.clone();
    reordered.lists[0] = ActionList::from_names(["Copy", "Update"]);
    assert_eq!(settings.fingerprint(), reordered.fingerprint());
    let mut changed = settings.clone();
    changed.default_audit_set.insert(LogonType::Owner);
    assert_ne!(settings.fingerprint(), changed.fingerprint());
    let mut disabled = settings.clone();
    disabled.enabled = false;
    assert_ne!(settings.fingerprint(), disabled.fingerprint());
}

#[test]
fn recipient_types_keep_values_this_version_does_not_know() {
    assert_eq!(
        RecipientType::parse("usermailbox"),
        RecipientType::UserMailbox
    );
    assert_eq!(RecipientType::parse("MailUser").name(), "MailUser");
    assert!(RecipientType::UserMailbox.audit_enabled_is_ignored());
    assert!(!RecipientType::RoomMailbox.audit_enabled_is_ignored());
    assert!(!RecipientType::DiscoveryMailbox.audit_enabled_is_ignored());
}

#[test]
fn filters_can_read_managed_and_other_properties_case_insensitively() {
    let mailbox = Mailbox {
        names: MailboxNames {
            identity: "x".into(),
            ..MailboxNames::default()
        },
        recipient_type: RecipientType::RoomMailbox,
        licence: LicenceTier::NonE5,
        audit: AuditSettings {
            enabled: false,
            log_age_limit: TimeSpan::DEFAULT_AUDIT_LOG_AGE_LIMIT,
            lists: Default::default(),
            default_audit_set: LogonSet::EMPTY,
        },
        properties: vec![("Department".into(), PropertyValue::Text("Finance".into()))],
    };
    assert_eq!(
        mailbox.property("recipienttypedetails"),
        Some(PropertyValue::Text("RoomMailbox".into()))
    );
    assert_eq!(
        mailbox.property("AuditEnabled"),
        Some(PropertyValue::Bool(false))
    );
    assert_eq!(
        mailbox.property("department"),
        Some(PropertyValue::Text("Finance".into()))
    );
    assert_eq!(mailbox.property("Office"), None);
}
