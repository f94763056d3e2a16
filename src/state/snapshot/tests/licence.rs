//! A mailbox's licence: from its PersistedCapabilities, else from the snapshot's tenant-wide hint.

use super::*;

#[test]
fn either_e5_capability_makes_a_mailbox_e5_capable_whatever_its_case() {
    for capability in ["BPOS_S_EquivioAnalytics", "m365auditing"] {
        let text = format!(
            r#"{{"Identity": "a", "PersistedCapabilities": ["BPOS_S_Enterprise", "{capability}"]}}"#
        );
        assert_eq!(
            only_mailbox(&audited(&text)).licence,
            LicenceTier::E5,
            "{capability}"
        );
    }
    let text = audited(r#"{"Identity": "a", "PersistedCapabilities": ["BPOS_S_Enterprise"]}"#);
    assert_eq!(only_mailbox(&text).licence, LicenceTier::NonE5);
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
