//! `auditform test`: the bundled policies and the CIS pack ship with tests that pass; a broken
//! policy is caught with a readable difference; results are text, JSON (held to the committed
//! schema) and JUnit (held to the JUnit XSD); and a test file that can't run is refused.

use crate::support::cli::*;
use crate::support::json_schema::Validator;
use crate::support::junit::{schema, violations};

use std::path::Path;

fn test(args: &[&str]) -> std::process::Output {
    auditform()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .arg("test")
        .args(args)
        .output()
        .unwrap()
}

/// A copy of the CIS pack, policies and tests, to break.
fn cis_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = repo().join("examples/policies/cis-6.1");
    copy_dir(&source, dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

fn with_dir(text: &str, dir: &Path) -> String {
    text.replace(&dir.display().to_string(), "DIR")
}

#[test]
fn the_bundled_policies_ship_with_tests_that_pass() {
    let output = test(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout_of(&output));
    let text = stdout_of(&output);
    assert!(!text.contains("FAIL"), "{text}");
    insta::assert_snapshot!("bundled_tests", text);
}

#[test]
fn the_cis_pack_ships_with_tests_that_pass() {
    let output = test(&["--policies", "examples/policies/cis-6.1"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout_of(&output));
    assert!(stdout_of(&output).contains("4 tests: 4 passed, 0 failed"));
}

#[test]
fn a_deliberately_broken_policy_is_caught_with_the_difference_and_exit_1() {
    let dir = cis_copy();
    let policy = dir.path().join("6.1.2-mailbox-audit-actions.yaml");
    let text = std::fs::read_to_string(&policy).unwrap();
    // The mistake a hurried edit makes: the retention left at the default, and Move dropped
    // from the owner's list.
    let broken = text.replace("logAgeLimit: 180", "logAgeLimit: 90").replace(
        "[ApplyRecord, Create, HardDelete, MailboxLogin, Move,",
        "[ApplyRecord, Create, HardDelete, MailboxLogin,",
    );
    assert_ne!(broken, text, "the policy was changed");
    std::fs::write(&policy, broken).unwrap();
    let output = test(
        &["--policies"]
            .into_iter()
            .chain([dir.path().to_str().unwrap()])
            .collect::<Vec<_>>(),
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let text = with_dir(&stdout_of(&output), dir.path());
    assert!(
        text.contains("FAIL  cis-6.1-tests: an E3 user mailbox"),
        "{text}"
    );
    assert!(text.contains("-   - Move\n"), "{text}");
    assert!(
        text.contains("+   - Move (but it is not audited)"),
        "{text}"
    );
    insta::assert_snapshot!("broken_cis_policy", text);
}

#[test]
fn junit_results_meet_the_junit_schema_and_json_results_meet_the_committed_schema() {
    let dir = cis_copy();
    let policy = dir.path().join("6.1.2-mailbox-audit-actions.yaml");
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(&policy, text.replace("logAgeLimit: 180", "logAgeLimit: 90")).unwrap();
    let dir_arg = dir.path().to_str().unwrap();
    for policies in ["policies", "examples/policies/cis-6.1", dir_arg] {
        let junit = test(&["--policies", policies, "--format", "junit"]);
        let xml = stdout_of(&junit);
        let problems = violations(&schema(), &xml);
        assert!(problems.is_empty(), "{policies}: {}", problems.join("\n"));
        let json = test(&["--policies", policies, "--format", "json"]);
        let document: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        Validator::committed("schema/test-report.schema.json")
            .check(&document)
            .unwrap_or_else(|error| panic!("{policies}: {error}"));
        assert_eq!(junit.status.code(), json.status.code());
    }
    let failing = test(&["--policies", dir_arg, "--format", "junit"]);
    assert_eq!(failing.status.code(), Some(1));
    assert!(stdout_of(&failing).contains("<failure message=\""));
}

#[test]
fn a_test_file_that_cant_run_is_refused_by_validate_and_test_alike() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("policies"), dir.path());
    std::fs::write(
        dir.path().join("tests/broken_test.yaml"),
        "apiVersion: auditform/v1\nkind: PolicyTest\nmetadata:\n  name: broken\nspec:\n  cases:\n    - name: names a mailbox it does not give\n      mailboxes:\n        - Identity: pilar\n          AuditOwnr: [MailboxLogin]\n        - Identity: don\n      expect:\n        pilr:\n          noChange: true\n        don:\n          conflict: [user-mailboxes-owner-action, all-mailboxes-audit-enabled]\n",
    )
    .unwrap();
    for command in ["validate", "test"] {
        let output = auditform()
            .args([command, "--policies"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{command}");
        let errors = with_dir(&stderr_of(&output), dir.path());
        assert!(errors.contains("did you mean `AuditOwner`?"), "{errors}");
        if command == "validate" {
            insta::assert_snapshot!("invalid_test_file", errors);
        }
    }
    // Once the typo is fixed, the other two problems are found.
    let text = std::fs::read_to_string(dir.path().join("tests/broken_test.yaml")).unwrap();
    std::fs::write(
        dir.path().join("tests/broken_test.yaml"),
        text.replace("AuditOwnr", "AuditOwner"),
    )
    .unwrap();
    let output = auditform()
        .args(["validate", "--policies"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let errors = with_dir(&stderr_of(&output), dir.path());
    assert!(errors.contains("`pilr`"), "{errors}");
    assert!(
        errors.contains("did you mean `user-mailboxes-owner-actions`?"),
        "{errors}"
    );
}

#[test]
fn no_tests_to_run_is_an_error_not_a_pass() {
    let output = test(&["--policies", "tests/fixtures/policies/explain"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr_of(&output).contains("no test documents found"));
}

#[test]
fn tests_may_live_in_a_directory_of_their_own_that_holds_only_tests() {
    let tests = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("policies/tests"), tests.path());
    let policies = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("policies"), policies.path());
    std::fs::remove_dir_all(policies.path().join("tests")).unwrap();
    let output = test(&[
        "--policies",
        policies.path().to_str().unwrap(),
        "--tests",
        tests.path().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    // A test directory that holds policies is refused: they would not be the ones tested.
    let output = test(&["--tests", "policies"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr_of(&output).contains("this test directory holds policies"));
}

/// A policy set that declares `ExampleNewAction` for Owner and asks every user mailbox to audit
/// it, with a test whose expectation names the action as `expectation` writes it.
fn declared_action_set(expectation: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("declarations.yaml"),
        "apiVersion: auditform/v1\nkind: AuditActionDeclaration\nmetadata:\n  name: example-new-action\nspec:\n  action: ExampleNewAction\n  logonTypes: [Owner]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("owners.yaml"),
        "apiVersion: auditform/v1\nkind: MailboxAuditPolicy\nmetadata:\n  name: owners\nspec:\n  selector:\n    recipientTypeDetails: [UserMailbox]\n  audit:\n    owner:\n      add: [MailboxLogin, ExampleNewAction]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("owners_test.yaml"),
        format!("apiVersion: auditform/v1\nkind: PolicyTest\nmetadata:\n  name: owners-test\nspec:\n  cases:\n    - name: a user mailbox audits the declared action\n      mailboxes:\n        - Identity: pilar\n          RecipientTypeDetails: UserMailbox\n      expect:\n        pilar:\n          AuditOwner:\n            {expectation}\n"),
    )
    .unwrap();
    dir
}

#[test]
fn a_test_may_name_an_action_the_policy_set_declares() {
    let dir = declared_action_set("includes: [MailboxLogin, ExampleNewAction]");
    let output = test(&["--policies", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(
        stdout_of(&output).contains("1 test: 1 passed, 0 failed"),
        "{}",
        stdout_of(&output)
    );
    // And it is held to it: a declared action expected gone fails.
    let dir = declared_action_set("excludes: [ExampleNewAction]");
    let output = test(&["--policies", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout_of(&output));
    assert!(
        stdout_of(&output).contains("FAIL"),
        "{}",
        stdout_of(&output)
    );
}

#[test]
fn a_test_naming_an_action_nobody_declared_is_refused_with_did_you_mean() {
    for (expectation, suggestion) in [
        (
            "includes: [ExampleNewActon]",
            "did you mean `ExampleNewAction`?",
        ),
        ("includes: [MailboxLogn]", "did you mean `MailboxLogin`?"),
    ] {
        let dir = declared_action_set(expectation);
        for command in ["validate", "test"] {
            let output = auditform()
                .args([command, "--policies"])
                .arg(dir.path())
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(1), "{command} {expectation}");
            let errors = with_dir(&stderr_of(&output), dir.path());
            assert!(errors.contains(suggestion), "{command}: {errors}");
            assert!(errors.contains("DIR/owners_test.yaml:"), "{errors}");
        }
    }
}
