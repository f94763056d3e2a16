//! A mailbox's licence: from its PersistedCapabilities, else from the snapshot's tenant-wide hint.

use super::*;

/// DESIGN §1.2: Audit (Premium) is `M365Auditing` in PersistedCapabilities, whatever its case;
/// `BPOS_S_EquivioAnalytics` (Advanced eDiscovery) and `M365AuditPlatform` are not it [EV-4.7].
#[test]
fn m365auditing_alone_makes_a_mailbox_audit_premium_whatever_its_case() {
    for (capabilities, expected) in [
        (r#"["BPOS_S_Enterprise", "m365auditing"]"#, LicenceTier::E5),
        (r#""M365Auditing""#, LicenceTier::E5),
        (
            r#"["BPOS_S_Enterprise", "BPOS_S_EquivioAnalytics"]"#,
            LicenceTier::NonE5,
        ),
        (r#"["M365AuditPlatform"]"#, LicenceTier::NonE5),
        (r#"["BPOS_S_Enterprise"]"#, LicenceTier::NonE5),
    ] {
        let text = format!(r#"{{"Identity": "a", "PersistedCapabilities": {capabilities}}}"#);
        assert_eq!(
            only_mailbox(&audited(&text)).licence,
            expected,
            "{capabilities}"
        );
    }
}

/// Licences, in file order, of the mailboxes of a snapshot with `licence` as its hint.
fn licences_under_hint(licence: &str, mailboxes: &[&str]) -> Vec<LicenceTier> {
    let mailboxes: Vec<String> = mailboxes.iter().map(|mailbox| audited(mailbox)).collect();
    let text = format!(
        r#"{{"licence": "{licence}", "mailboxes": [{}]}}"#,
        mailboxes.join(",\n")
    );
    read_text(&text)
        .unwrap_or_else(|error| panic!("{error}"))
        .mailboxes
        .iter()
        .map(|mailbox| mailbox.licence)
        .collect()
}

#[test]
fn the_tenant_licence_hint_applies_only_to_mailboxes_whose_capabilities_were_not_read() {
    let mailboxes = [
        r#"{"Identity": "unread"}"#,
        r#"{"Identity": "capable", "PersistedCapabilities": "M365Auditing"}"#,
        r#"{"Identity": "listed-without-e5", "PersistedCapabilities": ["BPOS_S_Enterprise"]}"#,
        r#"{"Identity": "listed-empty", "PersistedCapabilities": []}"#,
    ];
    use LicenceTier::{NonE5, E5};
    assert_eq!(
        licences_under_hint("e5", &mailboxes),
        [E5, E5, NonE5, NonE5]
    );
    assert_eq!(
        licences_under_hint("nonE5", &mailboxes),
        [NonE5, E5, NonE5, NonE5]
    );
}

#[test]
fn a_licence_hint_after_the_mailboxes_still_applies_to_them() {
    let mailbox = audited(r#"{"Identity": "plain"}"#);
    let text = format!(r#"{{"mailboxes": [{mailbox}], "licence": "E5"}}"#);
    assert_eq!(
        read_text(&text).unwrap().mailboxes[0].licence,
        LicenceTier::E5
    );
}
