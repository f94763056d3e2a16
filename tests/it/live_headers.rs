//! Every request, and every `$batch` sub-request, carries the headers the public clients of the
//! endpoint send: `Authorization`, `X-AnchorMailbox`, `X-CmdletName`, a fresh
//! `client-request-id`, and on reads `Prefer: odata.maxpagesize=1000`. The emulator runs in
//! strict mode, so a request without its own credentials or routing hint would be refused.

use crate::support::live::*;
use auditform_emulator::Faults;
use std::collections::HashSet;

#[test]
fn plan_and_apply_send_every_header_the_public_clients_send() {
    let emulator = start(Faults::default());
    let apply = auditform(&emulator, &["apply", "--auto-approve"])
        .output()
        .unwrap();
    assert!(
        apply.status.success(),
        "{}{}",
        stdout(&apply),
        stderr(&apply)
    );
    assert_strictly_spoken(&emulator);
    let counters = emulator.counters();

    let app_anchor = format!("APP:SystemMailbox{{bb558c35-97f1-4cb9-8ff7-d53741dc928c}}@{TENANT}");
    assert_eq!(
        counters.anchor_mailboxes.keys().collect::<Vec<_>>(),
        [&app_anchor],
        "an application anchors every request to the tenant's system mailbox"
    );

    let names: Vec<&str> = counters.cmdlet_names.keys().map(String::as_str).collect();
    for cmdlet in [
        "Get-OrganizationConfig",
        "Get-MailboxAuditBypassAssociation",
        "Get-Mailbox",
        "Set-Mailbox",
        "Set-MailboxAuditBypassAssociation",
    ] {
        assert!(names.contains(&cmdlet), "{cmdlet} in {names:?}");
    }

    assert_eq!(counters.missing_request_ids, 0);
    let ids: HashSet<&String> = counters.client_request_ids.iter().collect();
    assert_eq!(
        ids.len(),
        counters.client_request_ids.len(),
        "each request and sub-request has its own id"
    );

    // Reads ask for full pages; writes ask for nothing.
    let reads: u64 = [
        "Get-OrganizationConfig",
        "Get-MailboxAuditBypassAssociation",
        "Get-Mailbox",
    ]
    .iter()
    .map(|cmdlet| counters.cmdlet_names.get(*cmdlet).copied().unwrap_or(0))
    .sum();
    assert_eq!(
        counters.preferences.keys().collect::<Vec<_>>(),
        ["odata.maxpagesize=1000"]
    );
    assert_eq!(counters.preferences["odata.maxpagesize=1000"], reads);
}

#[test]
fn every_set_mailbox_of_a_batch_carries_its_own_credentials_and_routing_hint() {
    let emulator = start(Faults::default());
    let dir = tempfile::tempdir().unwrap();
    let plan_file = save_plan(&emulator, dir.path());
    let before = emulator.counters();
    let apply = auditform(&emulator, &["apply", plan_file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        apply.status.success(),
        "{}{}",
        stdout(&apply),
        stderr(&apply)
    );
    let after = emulator.counters();
    assert_eq!(after.strict_refusals, 0, "{after:?}");
    // Each Set-Mailbox is a sub-request; strict mode accepted every one, and each counted
    // its own X-CmdletName and request id.
    let set_mailbox =
        |c: &auditform_emulator::Counters| c.cmdlet_names.get("Set-Mailbox").copied().unwrap_or(0);
    let planned = emulator.cmdlet_count("Set-Mailbox");
    assert!(planned > 5);
    assert!(
        set_mailbox(&after) - set_mailbox(&before) > planned,
        "the batches and each of their sub-requests name the cmdlet"
    );
}
