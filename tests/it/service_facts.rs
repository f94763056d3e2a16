//! The service as it behaves today (DESIGN §1), end to end through the command line: the CIS
//! v5 pack on E3 and E5 mailboxes alike, group mailboxes' AuditLogAgeLimit, and the state
//! inputs that must never read as compliance.

use crate::support::cli::{auditform, repo, stderr_of, stdout_of};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// CIS Microsoft 365 Foundations v5 6.1.2's lists (DESIGN §1.3, evidence §7.1).
const CIS_ADMIN: &[&str] = &[
    "ApplyRecord",
    "Copy",
    "Create",
    "FolderBind",
    "HardDelete",
    "MailItemsAccessed",
    "Move",
    "MoveToDeletedItems",
    "SendAs",
    "SendOnBehalf",
    "Send",
    "SoftDelete",
    "Update",
    "UpdateCalendarDelegation",
    "UpdateFolderPermissions",
    "UpdateInboxRules",
];
const CIS_DELEGATE: &[&str] = &[
    "ApplyRecord",
    "Create",
    "FolderBind",
    "HardDelete",
    "Move",
    "MailItemsAccessed",
    "MoveToDeletedItems",
    "SendAs",
    "SendOnBehalf",
    "SoftDelete",
    "Update",
    "UpdateFolderPermissions",
    "UpdateInboxRules",
];
const CIS_OWNER: &[&str] = &[
    "ApplyRecord",
    "Create",
    "HardDelete",
    "MailboxLogin",
    "Move",
    "MailItemsAccessed",
    "MoveToDeletedItems",
    "Send",
    "SoftDelete",
    "Update",
    "UpdateCalendarDelegation",
    "UpdateFolderPermissions",
    "UpdateInboxRules",
];
/// Microsoft's defaults on every licence since 2024 (o365soa @f219db7).
const DEFAULT_ADMIN: &[&str] = &[
    "Update",
    "MoveToDeletedItems",
    "SoftDelete",
    "HardDelete",
    "SendAs",
    "SendOnBehalf",
    "Create",
    "UpdateFolderPermissions",
    "UpdateInboxRules",
    "UpdateCalendarDelegation",
    "ApplyRecord",
    "MailItemsAccessed",
    "Send",
];
const DEFAULT_DELEGATE: &[&str] = &[
    "Update",
    "MoveToDeletedItems",
    "SoftDelete",
    "HardDelete",
    "SendAs",
    "SendOnBehalf",
    "Create",
    "UpdateFolderPermissions",
    "UpdateInboxRules",
    "ApplyRecord",
    "MailItemsAccessed",
];
const DEFAULT_OWNER: &[&str] = &[
    "Update",
    "MoveToDeletedItems",
    "SoftDelete",
    "HardDelete",
    "UpdateFolderPermissions",
    "UpdateInboxRules",
    "UpdateCalendarDelegation",
    "ApplyRecord",
    "MailItemsAccessed",
    "Send",
];

struct Generated {
    id: String,
    mailbox: Value,
    compliant: bool,
}

/// A user mailbox, E5 (`M365Auditing`) or E3, in one of several states an admin finds.
fn user_mailbox(index: usize, e5: bool, kind: usize) -> Generated {
    let id = format!("00000000-0000-4000-8000-{index:012}");
    let (lists, in_default_set, days, enabled): ([&[&str]; 3], bool, u32, bool) = match kind {
        // Never touched: Microsoft's defaults.
        0 => (
            [DEFAULT_ADMIN, DEFAULT_DELEGATE, DEFAULT_OWNER],
            true,
            90,
            true,
        ),
        // Already configured as CIS asks.
        1 => ([CIS_ADMIN, CIS_DELEGATE, CIS_OWNER], false, 180, true),
        // Configured by the E3 list of CIS v3 (no MailItemsAccessed, no Send), 90 days.
        2 => (
            [
                &[
                    "ApplyRecord",
                    "Copy",
                    "Create",
                    "FolderBind",
                    "HardDelete",
                    "Move",
                    "MoveToDeletedItems",
                    "SendAs",
                    "SendOnBehalf",
                    "SoftDelete",
                    "Update",
                    "UpdateCalendarDelegation",
                    "UpdateFolderPermissions",
                    "UpdateInboxRules",
                ],
                &[
                    "ApplyRecord",
                    "Create",
                    "FolderBind",
                    "HardDelete",
                    "Move",
                    "MoveToDeletedItems",
                    "SendAs",
                    "SendOnBehalf",
                    "SoftDelete",
                    "Update",
                    "UpdateFolderPermissions",
                    "UpdateInboxRules",
                ],
                &[
                    "ApplyRecord",
                    "Create",
                    "HardDelete",
                    "MailboxLogin",
                    "Move",
                    "MoveToDeletedItems",
                    "SoftDelete",
                    "Update",
                    "UpdateCalendarDelegation",
                    "UpdateFolderPermissions",
                    "UpdateInboxRules",
                ],
            ],
            false,
            90,
            true,
        ),
        // CIS lists, but a short retention and auditing off.
        _ => ([CIS_ADMIN, CIS_DELEGATE, CIS_OWNER], false, 30, false),
    };
    let mailbox = json!({
        "ExternalDirectoryObjectId": id,
        "UserPrincipalName": format!("user{index}@contoso.com"),
        "DisplayName": format!("User {index}"),
        "Identity": format!("user{index}"),
        "RecipientTypeDetails": "UserMailbox",
        "AuditEnabled": enabled,
        "AuditLogAgeLimit": format!("{days}.00:00:00"),
        "AuditAdmin": lists[0],
        "AuditDelegate": lists[1],
        "AuditOwner": lists[2],
        "DefaultAuditSet": if in_default_set { json!(["Admin", "Delegate", "Owner"]) } else { json!([]) },
        "PersistedCapabilities": if e5 { json!(["BPOS_S_Enterprise", "M365Auditing"]) } else { json!(["BPOS_S_Standard"]) },
    });
    Generated {
        id,
        mailbox,
        compliant: kind == 1,
    }
}

fn write_state(dir: &Path, mailboxes: &[Value]) -> PathBuf {
    let path = dir.join("tenant.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&json!(mailboxes)).unwrap()).unwrap();
    path
}

fn plan_json(state: &Path, policies: &str) -> Value {
    let output = auditform()
        .args([
            "plan",
            "--format",
            "json",
            "--policies",
            policies,
            "--state",
        ])
        .arg(state)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Issue 9 "done when": on a snapshot of E3 and E5 user mailboxes, the CIS v5 pack changes
/// every user mailbox that differs, and skips none of them for licence (DESIGN §1.1: only
/// SearchQueryInitiated needs Audit (Premium); §1.3: one list for every licence).
#[test]
fn the_cis_v5_pack_changes_every_differing_user_mailbox_whatever_its_licence() {
    let dir = tempfile::tempdir().unwrap();
    let generated: Vec<Generated> = (0..16)
        .map(|index| user_mailbox(index, index % 2 == 0, (index / 2) % 4))
        .collect();
    let mailboxes: Vec<Value> = generated.iter().map(|g| g.mailbox.clone()).collect();
    let state = write_state(dir.path(), &mailboxes);

    let plan = plan_json(&state, "examples/policies/cis-6.1");
    assert_eq!(
        plan["skipped"],
        json!([]),
        "no mailbox is skipped for its licence"
    );
    let changed: Vec<&str> = plan["mailbox_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| change["id"].as_str().unwrap())
        .collect();
    let differing: Vec<&str> = generated
        .iter()
        .filter(|g| !g.compliant)
        .map(|g| g.id.as_str())
        .collect();
    assert_eq!(changed, differing);
    for change in plan["mailbox_changes"].as_array().unwrap() {
        assert_eq!(change["weakens"], false, "CIS only adds: {change}");
    }

    let applied = auditform()
        .args([
            "apply",
            "--auto-approve",
            "--policies",
            "examples/policies/cis-6.1",
            "--state",
        ])
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(applied.status.code(), Some(0), "{}", stderr_of(&applied));
    let again = plan_json(&state, "examples/policies/cis-6.1");
    assert_eq!(again["mailbox_changes"], json!([]));
}

/// Issue 9 item 8: an empty state is refused unless the tenant is said to be empty.
#[test]
fn an_empty_state_is_refused_rather_than_reported_as_compliant() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("array.json", "[]"),
        (
            "snapshot.json",
            r#"{"organization": {"AuditDisabled": false}, "mailboxes": []}"#,
        ),
        ("rest.json", r#"{"value": []}"#),
    ] {
        let state = dir.path().join(name);
        std::fs::write(&state, text).unwrap();
        let refused = auditform()
            .args(["plan", "--detailed-exitcode", "--state"])
            .arg(&state)
            .output()
            .unwrap();
        assert_eq!(refused.status.code(), Some(1), "{name}");
        let stderr = stderr_of(&refused);
        assert!(stderr.contains("holds no mailbox"), "{stderr}");
        assert!(stderr.contains("--allow-empty-state"), "{stderr}");
        assert!(!stdout_of(&refused).contains("No changes"), "{name}");

        let allowed = auditform()
            .args([
                "plan",
                "--allow-empty-state",
                "--policies",
                "examples/policies/cis-6.1",
                "--state",
            ])
            .arg(&state)
            .output()
            .unwrap();
        assert_eq!(allowed.status.code(), Some(0), "{}", stderr_of(&allowed));
    }
}

/// DESIGN §1.2: a GroupMailbox's AuditLogAgeLimit is planned, scripted with
/// `Set-Mailbox -GroupMailbox`, and applied; its lists and AuditEnabled are skipped.
#[test]
fn a_group_mailbox_gets_its_age_limit_through_plan_script_and_apply() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("tenant.json");
    std::fs::copy(repo().join("examples/tenant.json"), &state).unwrap();
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    std::fs::write(
        policies.join("groups.yaml"),
        "apiVersion: auditform/v1\nkind: MailboxAuditPolicy\nmetadata:\n  name: group-retention\nspec:\n  selector:\n    recipientTypeDetails: [GroupMailbox]\n  audit:\n    enabled: true\n    logAgeLimit: 365\n",
    )
    .unwrap();
    let policies = policies.to_str().unwrap();
    let plan_file = dir.path().join("plan.json");
    let plan = auditform()
        .args(["plan", "--policies", policies, "--out"])
        .arg(&plan_file)
        .arg("--state")
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(plan.status.code(), Some(0), "{}", stderr_of(&plan));
    let text = stdout_of(&plan);
    assert!(
        text.contains(r#"AuditLogAgeLimit     = "90.00:00:00" -> "365.00:00:00""#),
        "{text}"
    );
    assert!(
        text.contains("only its AuditLogAgeLimit can be changed"),
        "{text}"
    );
    assert!(
        text.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{text}"
    );

    let script = auditform().arg("script").arg(&plan_file).output().unwrap();
    let script = stdout_of(&script);
    assert!(
        script.contains("-AuditLogAgeLimit '365.00:00:00' -GroupMailbox"),
        "{script}"
    );

    let applied = auditform().arg("apply").arg(&plan_file).output().unwrap();
    assert_eq!(applied.status.code(), Some(0), "{}", stderr_of(&applied));
    let stored: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    let retail = stored["mailboxes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["RecipientTypeDetails"] == "GroupMailbox")
        .unwrap();
    assert_eq!(retail["AuditLogAgeLimit"], "365.00:00:00");
}

/// Evidence W8: a script that shortens AuditLogAgeLimit passes -Force, since Set-Mailbox would
/// stop to ask.
#[test]
fn a_script_that_shortens_the_age_limit_passes_force() {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    std::fs::write(
        policies.join("short.yaml"),
        "apiVersion: auditform/v1\nkind: MailboxAuditPolicy\nmetadata:\n  name: short\nspec:\n  selector:\n    recipientTypeDetails: [UserMailbox]\n  audit:\n    logAgeLimit: 30\n",
    )
    .unwrap();
    let plan_file = dir.path().join("plan.json");
    let plan = auditform()
        .args(["plan", "--policies", policies.to_str().unwrap(), "--out"])
        .arg(&plan_file)
        .output()
        .unwrap();
    assert_eq!(plan.status.code(), Some(0), "{}", stderr_of(&plan));
    let script = stdout_of(&auditform().arg("script").arg(&plan_file).output().unwrap());
    assert!(
        script.contains("-AuditLogAgeLimit '30.00:00:00' -Force"),
        "{script}"
    );
}

/// Issue 9 item 8: a temporary file a killed apply left beside the state file is removed by the
/// next apply, and said so.
#[test]
fn the_next_apply_removes_what_a_killed_apply_left_beside_the_state() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("tenant.json");
    std::fs::copy(repo().join("examples/tenant.json"), &state).unwrap();
    let leftover = dir.path().join(".auditform-tenant.json-k1ll9d.tmp");
    std::fs::write(&leftover, vec![b'x'; 4096]).unwrap();
    let applied = auditform()
        .args(["apply", "--auto-approve", "--state"])
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(applied.status.code(), Some(0), "{}", stderr_of(&applied));
    assert!(!leftover.exists());
    let stderr = stderr_of(&applied);
    assert!(
        stderr.contains(
            ".auditform-tenant.json-k1ll9d.tmp: note: removed a temporary file an apply that was stopped left here (4,096 bytes)"
        ),
        "{stderr}"
    );
}

/// Issue 9 item 7b: two mailboxes with one immutable id are both named, by display name and
/// address, and the sentence is grammatical.
#[test]
fn mailboxes_sharing_an_id_are_both_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = user_mailbox(1, false, 0).mailbox;
    let mut second = user_mailbox(2, false, 0).mailbox;
    first["DisplayName"] = json!("Pilar Pinilla");
    second["DisplayName"] = json!("Pilar Pinilla (old)");
    second["ExternalDirectoryObjectId"] = first["ExternalDirectoryObjectId"].clone();
    let state = write_state(dir.path(), &[first, second]);
    let output = auditform()
        .args(["plan", "--state"])
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stderr_of(&output), @r#"
    error: two mailboxes answer to one immutable id: "Pilar Pinilla" <user1@contoso.com> and "Pilar Pinilla (old)" <user2@contoso.com> share the immutable id 00000000-0000-4000-8000-000000000001
      hint: every mailbox needs its own ExternalDirectoryObjectId, Guid, ExchangeGuid or PrimarySmtpAddress; check that the export is not truncated or merged from two tenants
    "#);
}

/// DESIGN §1.2 and §1.4 end to end: against the emulator (which models the service on its own),
/// a group mailbox's AuditLogAgeLimit goes on the wire with the `GroupMailbox` switch, a
/// shorter one with `Force`, and planning again shows nothing left.
#[test]
fn a_group_mailbox_age_limit_is_applied_to_a_live_tenant_with_the_switch() {
    use crate::support::live;
    let emulator = live::start(auditform_emulator::Faults::default());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("groups.yaml"),
        "apiVersion: auditform/v1\nkind: MailboxAuditPolicy\nmetadata:\n  name: group-retention\nspec:\n  selector:\n    recipientTypeDetails: [GroupMailbox]\n  audit:\n    logAgeLimit: 30\n",
    )
    .unwrap();
    let policies = dir.path().to_str().unwrap();
    let applied = live::auditform(
        &emulator,
        &["apply", "--auto-approve", "--policies", policies],
    )
    .output()
    .unwrap();
    assert!(applied.status.success(), "{}", live::stderr(&applied));
    assert_eq!(emulator.cmdlet_count("Set-Mailbox"), 1);
    let retail = emulator.snapshot()["mailboxes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["RecipientTypeDetails"] == "GroupMailbox")
        .cloned()
        .unwrap();
    assert_eq!(retail["AuditLogAgeLimit"], "30.00:00:00");
    let again = live::auditform(
        &emulator,
        &["plan", "--detailed-exitcode", "--policies", policies],
    )
    .output()
    .unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", live::stdout(&again));
}

/// DESIGN §1.2, in `explain`: a group mailbox's AuditLogAgeLimit is resolved and planned; its
/// lists and AuditEnabled are said to be fixed, not resolved.
#[test]
fn explain_shows_a_group_mailbox_resolving_only_its_age_limit() {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    std::fs::write(
        policies.join("groups.yaml"),
        "apiVersion: auditform/v1\nkind: MailboxAuditPolicy\nmetadata:\n  name: group-retention\nspec:\n  selector:\n    recipientTypeDetails: [GroupMailbox]\n  audit:\n    enabled: true\n    logAgeLimit: 365\n",
    )
    .unwrap();
    let output = auditform()
        .args(["explain", "retail@contoso.com", "--policies"])
        .arg(&policies)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(text.contains("AuditLogAgeLimit = 365.00:00:00"), "{text}");
    assert!(
        text.contains("AuditEnabled, AuditAdmin, AuditDelegate, AuditOwner: fixed by the service"),
        "{text}"
    );
    assert!(
        text.contains("~ AuditLogAgeLimit     = \"90.00:00:00\" -> \"365.00:00:00\""),
        "{text}"
    );
}
