//! `auditform validate`, `plan` and `show --state` as a user runs them, on the bundled example
//! and on fixtures. Output is snapshotted with colour off.

use crate::support::cli::*;

use std::path::{Path, PathBuf};

fn write_policies(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

#[test]
fn the_bundled_example_plans_a_change_for_every_non_compliant_mailbox() {
    let output = auditform().arg("plan").output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(text.lines().last().unwrap().starts_with("Plan: 0 to add, "));
    assert!(
        text.contains("GroupMailbox"),
        "the group mailbox is skipped with its reason"
    );
    insta::assert_snapshot!("example_plan", text);
}

#[test]
fn the_bundled_example_with_detailed_exitcode_exits_2() {
    let output = auditform()
        .args(["plan", "--detailed-exitcode"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr_of(&output));
}

#[test]
fn the_bundled_example_expanded_lists_every_mailbox() {
    let output = auditform().args(["plan", "--expand"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = stdout_of(&output);
    assert!(!text.contains("--expand to list"));
    insta::assert_snapshot!("example_plan_expanded", text);
}

#[test]
fn a_compliant_tenant_has_no_changes_and_exits_0_even_with_detailed_exitcode() {
    let output = auditform()
        .args(["plan", "--detailed-exitcode", "--state"])
        .arg(repo().join("tests/fixtures/tenants/compliant.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(stdout_of(&output)
        .lines()
        .any(|line| line == "No changes. Your mailboxes match the policies."));
}

#[test]
fn the_cis_policy_set_plans_against_the_example_tenant() {
    let output = auditform()
        .args(["plan", "--policies", "examples/policies/cis-6.1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    insta::assert_snapshot!("cis_plan", stdout_of(&output));
}

#[test]
fn validate_accepts_the_bundled_policies() {
    for dir in ["policies", "examples/policies/cis-6.1"] {
        let output = auditform()
            .args(["validate", "--policies", dir])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{dir}: {}",
            stderr_of(&output)
        );
        assert!(stdout_of(&output).starts_with("Success!"));
    }
}

#[test]
fn forbid_weakening_refuses_a_plan_that_removes_an_action() {
    let dir = tempfile::tempdir().unwrap();
    write_policies(
        dir.path(),
        &[(
            "weaken.yaml",
            "apiVersion: auditform/v1\nkind: MailboxAuditPolicy\nmetadata:\n  name: stop-updates\nspec:\n  selector:\n    recipientTypeDetails: [UserMailbox]\n  audit:\n    owner:\n      remove: [Update]\n",
        )],
    );
    let output = auditform()
        .args(["plan", "--forbid-weakening", "--policies"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = stdout_of(&output);
    assert!(
        text.contains("weaken"),
        "the plan marks weakening changes:\n{text}"
    );
    insta::assert_snapshot!("forbid_weakening_error", stderr_of(&output));
}

#[test]
fn conflicting_policies_are_an_error_naming_both_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let policy = |name: &str, verb: &str| {
        format!("apiVersion: auditform/v1\nkind: MailboxAuditPolicy\nmetadata:\n  name: {name}\nspec:\n  selector:\n    recipientTypeDetails: [UserMailbox]\n  audit:\n    owner:\n      {verb}: [MailboxLogin]\n")
    };
    write_policies(
        dir.path(),
        &[
            ("a.yaml", &policy("want-login", "add")),
            ("b.yaml", &policy("no-login", "remove")),
        ],
    );
    let output = auditform()
        .args(["plan", "--policies"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let message = stderr_of(&output).replace(&dir.path().display().to_string(), "<dir>");
    insta::assert_snapshot!("conflict_error", message);
}

#[test]
fn show_state_prints_the_audit_settings_of_every_mailbox() {
    let output = auditform().args(["show"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    insta::assert_snapshot!("show_state", stdout_of(&output));
}

#[test]
fn a_missing_state_file_is_a_clear_error_with_exit_1() {
    let output = auditform()
        .args(["plan", "--state", "no/such/tenant.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("missing_state", stderr_of(&output));
}

#[test]
fn a_usage_error_exits_1_not_2() {
    let output = auditform()
        .args(["plan", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn help_teaches_the_exit_codes() {
    let output = auditform().args(["--help"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout_of(&output).contains("changes present"));
}

/// Every broken policy directory under tests/fixtures/policies/broken gives one clear message
/// with a position and a hint, and exits 1 — from `validate` and from `plan` alike — without a
/// panic and without touching any state.
#[test]
fn broken_policies_each_give_a_clear_error_with_a_position_and_exit_1() {
    let broken = repo().join("tests/fixtures/policies/broken");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&broken)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 12);
    let mut report = String::new();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let relative = format!("tests/fixtures/policies/broken/{name}");
        for command in ["validate", "plan"] {
            let output = auditform()
                .args([command, "--policies", &relative])
                .output()
                .unwrap();
            let stderr = stderr_of(&output);
            assert_eq!(
                output.status.code(),
                Some(1),
                "{name} ({command}): {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{name}: {stderr}");
            assert!(stdout_of(&output).is_empty(), "{name}: nothing on stdout");
            assert!(
                stderr.contains(&relative),
                "{name}: names the file: {stderr}"
            );
            if command == "validate" {
                report.push_str(&format!("== {name}\n{stderr}\n"));
            }
        }
    }
    insta::assert_snapshot!("broken_policies", report);
}
