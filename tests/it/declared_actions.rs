//! DESIGN §1.1, "Actions newer than the catalog", end to end: a policy set declares an action
//! this version of auditform does not know (`kind: AuditActionDeclaration`), policies name it,
//! and plan, catalog, apply and the live service treat it like a catalog action, marked as the
//! user's word. The names are made up: no Microsoft source names a newer action yet
//! (evidence-service.md W4); the feature is for whatever Microsoft adds next.

use crate::support::cli::{auditform as offline, repo, stderr_of, stdout_of};
use crate::support::live::{auditform, start_as, stderr, stdout, ServiceModel};
use auditform_emulator::audit::{Licence, Operation};
use auditform_emulator::Faults;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn declaration(action: &str) -> String {
    format!(
        "apiVersion: auditform/v1\nkind: AuditActionDeclaration\nmetadata:\n  name: newer-action\nspec:\n  action: {action}\n  logonTypes: [Admin, Owner]\n  defaultFor: [Owner]\n"
    )
}

fn admins_audit(action: &str) -> String {
    format!(
        "apiVersion: auditform/v1\nkind: MailboxAuditPolicy\nmetadata:\n  name: users-admin\nspec:\n  selector:\n    recipientTypeDetails: [UserMailbox]\n  audit:\n    admin:\n      add: [{action}]\n"
    )
}

/// A policy directory: the policy naming the action sorts before its declaration.
fn policies(dir: &Path, action: &str) -> PathBuf {
    let policies = dir.join("policies");
    std::fs::create_dir(&policies).unwrap();
    std::fs::write(policies.join("a-users.yaml"), admins_audit(action)).unwrap();
    std::fs::write(policies.join("z-declared.yaml"), declaration(action)).unwrap();
    policies
}

#[test]
fn a_declared_action_is_planned_marked_listed_and_applied_to_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let policies = policies(dir.path(), "NewerExampleAction");
    let state = dir.path().join("tenant.json");
    std::fs::copy(repo().join("examples/tenant.json"), &state).unwrap();

    let plan = offline()
        .arg("plan")
        .arg("--policies")
        .arg(&policies)
        .arg("--state")
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(plan.status.code(), Some(0), "{}", stderr_of(&plan));
    let text = stdout_of(&plan);
    assert!(text.contains("+ NewerExampleAction"), "{text}");
    assert!(
        text.contains("NewerExampleAction is declared in ")
            && text.contains("z-declared.yaml:6, unknown to this version of auditform"),
        "{text}"
    );

    let json = offline()
        .args(["plan", "--format", "json", "--policies"])
        .arg(&policies)
        .arg("--state")
        .arg(&state)
        .output()
        .unwrap();
    let document: Value = serde_json::from_slice(&json.stdout).unwrap();
    let declared = &document["declared_actions"][0];
    assert_eq!(declared["name"], "NewerExampleAction");
    assert_eq!(
        declared["logon_types"],
        serde_json::json!(["Admin", "Owner"])
    );
    assert_eq!(declared["default_for"], serde_json::json!(["Owner"]));

    let catalog = offline()
        .args(["catalog", "--policies"])
        .arg(&policies)
        .output()
        .unwrap();
    assert_eq!(catalog.status.code(), Some(0), "{}", stderr_of(&catalog));
    assert!(stdout_of(&catalog).contains("NewerExampleAction"));

    let apply = offline()
        .args(["apply", "--auto-approve", "--policies"])
        .arg(&policies)
        .arg("--state")
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(apply.status.code(), Some(0), "{}", stderr_of(&apply));
    let again = offline()
        .arg("plan")
        .arg("--policies")
        .arg(&policies)
        .arg("--state")
        .arg(&state)
        .output()
        .unwrap();
    assert!(
        stdout_of(&again).contains("No changes."),
        "{}",
        stdout_of(&again)
    );
}

#[test]
fn a_misspelt_declared_action_in_a_policy_is_refused_with_did_you_mean() {
    let dir = tempfile::tempdir().unwrap();
    let policies = policies(dir.path(), "NewerExampleAction");
    std::fs::write(
        policies.join("a-users.yaml"),
        admins_audit("NewerExampleActoin"),
    )
    .unwrap();
    let plan = offline()
        .arg("validate")
        .arg("--policies")
        .arg(&policies)
        .output()
        .unwrap();
    assert_eq!(plan.status.code(), Some(1));
    let message = stderr_of(&plan);
    assert!(
        message.contains("did you mean `NewerExampleAction`?"),
        "{message}"
    );
}

/// A service that has the action (as a newer one would) takes it; one that doesn't refuses it
/// with its own text (PowerShell can't bind the name to the service's enum [EV-3.5]), and
/// auditform reports that rather than guessing.
#[test]
fn the_service_decides_about_a_declared_action_at_apply() {
    let dir = tempfile::tempdir().unwrap();
    let policies = policies(dir.path(), "NewerExampleAction");
    let policies = policies.to_str().unwrap();
    let newer = ServiceModel {
        newer_operations: vec![Operation {
            name: "NewerExampleAction".into(),
            valid: [true, false, true],
            default: [false, false, true],
            licence: Licence::Any,
        }],
        ..ServiceModel::default()
    };

    let emulator = start_as(Faults::default(), newer);
    let apply = auditform(
        &emulator,
        &["apply", "--auto-approve", "--policies", policies],
    )
    .output()
    .unwrap();
    assert!(
        apply.status.success(),
        "{}{}",
        stdout(&apply),
        stderr(&apply)
    );
    let again = auditform(&emulator, &["plan", "--policies", policies])
        .output()
        .unwrap();
    assert!(stdout(&again).contains("No changes."), "{}", stdout(&again));

    let today = start_as(Faults::default(), ServiceModel::default());
    let refused = auditform(&today, &["apply", "--auto-approve", "--policies", policies])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let report = format!("{}{}", stdout(&refused), stderr(&refused));
    assert!(
        report.contains("Cannot convert value \"NewerExampleAction\""),
        "{report}"
    );
    assert!(report.contains("valid enumerator name"), "{report}");
}
