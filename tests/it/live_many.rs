//! A live tenant of hundreds of mailboxes, read over many pages: the read asks only for the
//! properties it needs, apply verifies every change by reading it back behind the writes
//! (not after all of them), and a change that did not hold is still caught.

use crate::support::live::*;
use auditform_emulator::{EmulatorConfig, EmulatorHandle, Faults};
use serde_json::json;
use std::time::Duration;

const MAILBOXES: usize = 400;

/// A snapshot of `count` user mailboxes, none of which meets the bundled policies; every
/// tenth is in Finance.
fn tenant(count: usize) -> serde_json::Value {
    let mailboxes: Vec<serde_json::Value> = (0..count)
        .map(|i| {
            json!({
                "ExternalDirectoryObjectId": format!("00000000-0000-0000-0000-{i:012}"),
                "Name": format!("user{i}"),
                "DisplayName": format!("User {i}"),
                "UserPrincipalName": format!("user{i}@contoso.com"),
                "PrimarySmtpAddress": format!("user{i}@contoso.com"),
                "RecipientTypeDetails": "UserMailbox",
                "Department": if i % 10 == 0 { "Finance" } else { "Sales" },
                "EmailAddresses": [format!("SMTP:user{i}@contoso.com")],
                "AuditEnabled": true,
                "AuditLogAgeLimit": "90.00:00:00",
                "AuditAdmin": ["Update"],
                "AuditDelegate": ["Update"],
                "AuditOwner": ["Update"],
                "DefaultAuditSet": []
            })
        })
        .collect();
    json!({
        "organization": {"AuditDisabled": false},
        "licence": "nonE5",
        "mailboxes": mailboxes
    })
}

/// A tenant of `count` mailboxes served in pages of 50.
fn serve_many(count: usize, faults: Faults) -> EmulatorHandle {
    start_with(EmulatorConfig {
        tenant: tenant(count),
        page_size: 50,
        faults,
        ..strict_config()
    })
}

fn serve(faults: Faults) -> EmulatorHandle {
    serve_many(MAILBOXES, faults)
}

fn apply(emulator: &EmulatorHandle) -> std::process::Output {
    auditform(emulator, &["apply", "--auto-approve"])
        .output()
        .unwrap()
}

fn says_no_changes(emulator: &EmulatorHandle) -> bool {
    let again = auditform(emulator, &["plan"]).output().unwrap();
    stdout(&again).contains("No changes. Your mailboxes match the policies.")
}

#[test]
fn reads_ask_only_for_the_properties_the_reader_and_the_filters_need() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("finance.yaml"),
        "apiVersion: auditform/v1\nkind: MailboxAuditPolicy\nmetadata:\n  name: finance\nspec:\n  selector:\n    filter: \"Department -eq 'Finance'\"\n  audit:\n    logAgeLimit: 365\n",
    )
    .unwrap();
    let snapshot = dir.path().join("tenant.json");
    std::fs::write(&snapshot, tenant(MAILBOXES).to_string()).unwrap();
    let emulator = serve(Faults::default());
    let policies = dir.path().to_str().unwrap();
    let live = auditform(&emulator, &["plan", "--policies", policies])
        .output()
        .unwrap();
    let file = plain(&[
        "plan",
        "--policies",
        policies,
        "--state",
        snapshot.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(live.status.success(), "{}", stderr(&live));
    let rest = |text: String| text.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(rest(stdout(&live)), rest(stdout(&file)));
    assert!(stdout(&live).contains("40 to change"), "{}", stdout(&live));

    let selects = emulator.counters().selects;
    let listing = selects
        .keys()
        .find(|key| key.starts_with("get-mailbox?"))
        .unwrap_or_else(|| panic!("Get-Mailbox asked with $select: {selects:?}"));
    let names: Vec<String> = listing
        .split_once("$select=")
        .unwrap()
        .1
        .split(',')
        .map(str::to_ascii_lowercase)
        .collect();
    for needed in [
        "auditadmin",
        "auditlogagelimit",
        "defaultauditset",
        "userprincipalname",
        "persistedcapabilities",
        "recipienttypedetails",
        "department",
    ] {
        assert!(
            names.iter().any(|name| name == needed),
            "{needed} in {names:?}"
        );
    }
    assert!(
        !names.iter().any(|name| name == "emailaddresses"),
        "{names:?}"
    );
    assert!(
        selects
            .keys()
            .any(|key| key == "get-organizationconfig?$select=AuditDisabled"),
        "{selects:?}"
    );
}

#[test]
fn apply_reads_every_change_back_while_the_writes_go_on_and_converges() {
    // More than the thousand a page may hold, so that the read-back has pages to start on
    // while writes remain.
    const MAILBOXES: usize = 1_200;
    let emulator = serve_many(
        MAILBOXES,
        Faults {
            latency: Duration::from_millis(5),
            ..Faults::default()
        },
    );
    let applied = apply(&emulator);
    assert!(
        applied.status.success(),
        "{}{}",
        stdout(&applied),
        stderr(&applied)
    );
    assert!(
        stdout(&applied).contains(&format!("{MAILBOXES} changed")),
        "{}",
        stdout(&applied)
    );
    let timeline = emulator.counters().timeline;
    let writes: Vec<_> = timeline
        .iter()
        .filter(|span| span.cmdlet == "set-mailbox")
        .collect();
    assert_eq!(writes.len(), MAILBOXES);
    let first_write = writes.iter().map(|span| span.started).min().unwrap();
    let last_write = writes.iter().map(|span| span.finished).max().unwrap();
    let pages = |from, to| {
        timeline
            .iter()
            .filter(|span| span.cmdlet == "get-mailbox" && span.listing)
            .filter(|span| span.started >= from && span.started < to)
            .count()
    };
    // The plan was made from one read (its pages, and the one of the empty group mailbox
    // listing), approved by the flag: it is not read a second time before writing.
    assert_eq!(pages(Duration::ZERO, first_write), MAILBOXES / 50 + 1);
    assert!(
        pages(first_write, last_write) > 0,
        "the read-back started before the last write"
    );
    assert!(says_no_changes(&emulator));
    assert_strictly_spoken(&emulator);
}

#[test]
fn a_write_the_service_answered_but_did_not_keep_is_reported_as_not_held() {
    let emulator = serve(Faults {
        unapplied_writes: vec!["user123@contoso.com".into()],
        ..Faults::default()
    });
    let applied = apply(&emulator);
    assert_eq!(applied.status.code(), Some(1));
    let report = stdout(&applied);
    let held: Vec<&str> = report
        .lines()
        .filter(|line| line.contains(": did not hold: "))
        .collect();
    assert_eq!(held.len(), 1, "{report}");
    assert!(held[0].contains("User 123"), "{report}");
    assert!(held[0].contains("AuditOwner still lacks"), "{report}");
    assert_eq!(
        report
            .lines()
            .filter(|line| line.ends_with(": updated"))
            .count(),
        MAILBOXES - 1
    );
}

#[test]
fn with_a_tenth_of_requests_faulted_every_change_is_written_once_and_verified() {
    let emulator = serve(Faults {
        rate_429: 0.04,
        rate_5xx: 0.03,
        rate_drop: 0.03,
        retry_after_seconds: 0,
        seed: 11,
        ..Faults::default()
    });
    let applied = apply(&emulator);
    assert!(
        applied.status.success(),
        "{}{}",
        stdout(&applied),
        stderr(&applied)
    );
    let counters = emulator.counters();
    assert!(
        counters.throttled + counters.server_errors + counters.dropped > 0,
        "faults were injected"
    );
    for i in 0..MAILBOXES {
        let id = format!("00000000-0000-0000-0000-{i:012}");
        assert_eq!(emulator.set_mailbox_count(&id), 1, "Set-Mailbox on {id}");
    }
    assert!(says_no_changes(&emulator));
}
