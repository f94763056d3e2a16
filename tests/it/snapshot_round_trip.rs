//! `show --format json` is the `state pull`: it writes the tenant as auditform's snapshot file,
//! and planning that file gives the same plan as planning the state it was read from, whether
//! that state was a file of any shape or a live tenant.

use crate::support::cli::*;
use auditform_emulator::Faults;
use std::path::Path;

const STATES: [&str; 6] = [
    "examples/tenant.json",
    "tests/fixtures/tenants/three-mailboxes.powershell.json",
    "tests/fixtures/tenants/single-mailbox.powershell.json",
    "tests/fixtures/tenants/three-mailboxes.rest.json",
    "tests/fixtures/tenants/three-mailboxes.snapshot.json",
    "tests/fixtures/tenants/windows-powershell-5.1.json",
];

const POLICY_SETS: [&str; 2] = ["policies", "examples/policies/cis-6.1"];

/// The JSON plan document, without `source`, which names the file it was read from.
fn plan_document(policies: &str, state: &Path) -> serde_json::Value {
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
    let mut plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    plan.as_object_mut().unwrap().remove("source");
    plan
}

fn pull(state: &Path, snapshot: &Path) {
    let output = auditform()
        .args(["show", "--format", "json", "--state"])
        .arg(state)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    std::fs::write(snapshot, &output.stdout).unwrap();
}

#[test]
fn planning_the_snapshot_of_any_state_gives_the_same_plan() {
    let dir = tempfile::tempdir().unwrap();
    for state in STATES {
        let snapshot = dir.path().join("snapshot.json");
        pull(Path::new(state), &snapshot);
        for policies in POLICY_SETS {
            let original = plan_document(policies, Path::new(state));
            assert_eq!(
                plan_document(policies, &snapshot),
                original,
                "{state} under {policies}"
            );
            let changes = original["summary"]["to_change"].as_u64().unwrap();
            let skipped = original["summary"]["skipped"].as_u64().unwrap();
            assert!(
                changes + skipped > 0,
                "{state} under {policies} plans something"
            );
        }
    }
}

#[test]
fn a_filter_on_a_property_auditform_does_not_manage_selects_the_same_mailboxes() {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    std::fs::write(
        policies.join("finance.yaml"),
        "apiVersion: auditform/v1\nkind: MailboxAuditPolicy\nmetadata:\n  name: finance\nspec:\n  selector:\n    filter: \"Department -eq 'Finance'\"\n  audit:\n    logAgeLimit: 365\n",
    )
    .unwrap();
    let snapshot = dir.path().join("snapshot.json");
    pull(Path::new("examples/tenant.json"), &snapshot);
    let policies = policies.to_str().unwrap();
    let original = plan_document(policies, Path::new("examples/tenant.json"));
    assert!(original["summary"]["to_change"].as_u64().unwrap() > 0);
    assert_eq!(plan_document(policies, &snapshot), original);
}

#[test]
fn the_snapshot_of_a_live_tenant_plans_as_the_live_tenant_does() {
    let emulator = crate::support::live::start(Faults::default());
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot.json");
    let output = crate::support::live::auditform(&emulator, &["show", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(output.stdout.is_ascii());
    std::fs::write(&snapshot, &output.stdout).unwrap();

    let live = crate::support::live::auditform(&emulator, &["plan", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(live.status.code(), Some(0), "{}", stderr_of(&live));
    let mut live: serde_json::Value = serde_json::from_slice(&live.stdout).unwrap();
    live.as_object_mut().unwrap().remove("source");
    assert_eq!(plan_document("policies", &snapshot), live);
}

#[test]
fn markdown_of_the_current_state_is_refused_with_what_to_use_instead() {
    let output = auditform()
        .args(["show", "--format", "markdown"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert_eq!(
        stderr_of(&output),
        "error: `show --format markdown` renders a saved plan, and no plan file was given\n  \
         hint: show the current state as text, or save it as a snapshot file with `--format json`\n"
    );
}
