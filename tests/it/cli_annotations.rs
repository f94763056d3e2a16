//! In GitHub Actions (`GITHUB_ACTIONS=true`) errors are also printed as workflow commands, so
//! that the pull request shows them on the policy line that caused them.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, run in `dir` as a workflow step runs in the checkout.
fn auditform_in(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("auditform").expect("binary is built");
    command
        .current_dir(dir)
        .env_remove("AUDITFORM_STATE")
        .env_remove("GITHUB_WORKSPACE")
        .env("NO_COLOR", "1");
    command
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn error_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.starts_with("::error"))
        .collect()
}

/// A checkout with one policy whose `ownr` key (line 9, column 5) is misspelt.
fn checkout_with_a_misspelt_key() -> tempfile::TempDir {
    let checkout = tempfile::tempdir().unwrap();
    let policies = checkout.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    std::fs::write(
        policies.join("owners.yaml"),
        "\
apiVersion: auditform/v1
kind: MailboxAuditPolicy
metadata:
  name: owners
spec:
  selector:
    recipientTypeDetails: [UserMailbox]
  audit:
    ownr:
      add: [MailboxLogin]
",
    )
    .unwrap();
    checkout
}

#[test]
fn validate_in_github_actions_annotates_the_line_of_a_broken_policy() {
    let checkout = checkout_with_a_misspelt_key();
    let output = auditform_in(checkout.path())
        .args(["validate", "--policies", "policies"])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr_of(&output);
    let errors = error_lines(&stderr);
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].starts_with("::error file=policies/owners.yaml,line=9,col=5,title=auditform::"),
        "{stderr}"
    );
    assert!(errors[0].contains("ownr"), "{stderr}");
    // The message for people is still there, before the annotation.
    assert!(
        stderr.starts_with("policies/owners.yaml:9:5: error:"),
        "{stderr}"
    );
}

#[test]
fn absolute_policy_paths_are_annotated_relative_to_the_workspace() {
    let checkout = checkout_with_a_misspelt_key();
    let output = auditform_in(checkout.path())
        .arg("validate")
        .arg("--policies")
        .arg(checkout.path().join("policies"))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", checkout.path())
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert!(
        error_lines(&stderr)[0].starts_with("::error file=policies/owners.yaml,line=9,"),
        "{stderr}"
    );
}

#[test]
fn outside_github_actions_no_workflow_commands_are_printed() {
    let checkout = checkout_with_a_misspelt_key();
    for github_actions in [None, Some("false")] {
        let mut command = auditform_in(checkout.path());
        command.args(["validate", "--policies", "policies"]);
        match github_actions {
            Some(value) => command.env("GITHUB_ACTIONS", value),
            None => command.env_remove("GITHUB_ACTIONS"),
        };
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(error_lines(&stderr_of(&output)), Vec::<&str>::new());
    }
}

#[test]
fn a_conflict_is_annotated_on_both_policies() {
    let checkout = tempfile::tempdir().unwrap();
    let policies = checkout.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    let policy = |name: &str, verb: &str| {
        format!(
            "apiVersion: auditform/v1\nkind: MailboxAuditPolicy\nmetadata:\n  name: {name}\nspec:\n  selector:\n    recipientTypeDetails: [UserMailbox]\n  audit:\n    owner:\n      {verb}: [MailboxLogin]\n"
        )
    };
    std::fs::write(
        policies.join("a-require.yaml"),
        policy("require-login", "add"),
    )
    .unwrap();
    std::fs::write(
        policies.join("b-forbid.yaml"),
        policy("forbid-login", "remove"),
    )
    .unwrap();
    let output = auditform_in(checkout.path())
        .args(["plan", "--policies", "policies", "--state"])
        .arg(repo().join("examples/tenant.json"))
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr_of(&output);
    let mut files: Vec<&str> = error_lines(&stderr)
        .iter()
        .filter_map(|line| line.strip_prefix("::error file="))
        .filter_map(|rest| rest.split(',').next())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["policies/a-require.yaml", "policies/b-forbid.yaml"],
        "{stderr}"
    );
}

#[test]
fn an_error_without_a_place_is_a_plain_annotation() {
    let checkout = tempfile::tempdir().unwrap();
    let policies = checkout.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    std::fs::write(
        policies.join("org.yaml"),
        "apiVersion: auditform/v1\nkind: OrganizationAuditPolicy\nmetadata:\n  name: org\nspec:\n  auditDisabled: false\n",
    )
    .unwrap();
    let output = auditform_in(checkout.path())
        .args(["plan", "--policies", "policies", "--state", "missing.json"])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr_of(&output);
    let errors = error_lines(&stderr);
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].starts_with("::error::state file missing.json not found%0Ahint: "),
        "{stderr}"
    );
}

#[test]
fn a_warning_about_a_policy_is_a_warning_annotation_on_its_line() {
    let checkout = tempfile::tempdir().unwrap();
    let policies = checkout.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    std::fs::write(
        policies.join("owners.yaml"),
        "apiVersion: auditform/v1\nkind: MailboxAuditPolicy\nmetadata:\n  name: owners\nspec:\n  selector: {}\n  audit:\n    owner:\n      add: [HardDelete, AddFolderPermissions]\n",
    )
    .unwrap();
    let output = auditform_in(checkout.path())
        .args(["validate", "--policies", "policies"])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = stderr_of(&output);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("::warning"))
        .collect();
    assert_eq!(
        warnings,
        ["::warning file=policies/owners.yaml,line=9,col=25,title=auditform::AddFolderPermissions is redundant for Owner: UpdateFolderPermissions already covers it%0Ahint: audit UpdateFolderPermissions instead"],
        "{stderr}"
    );
    assert!(
        stderr.starts_with("policies/owners.yaml:9:25: warning: AddFolderPermissions"),
        "{stderr}"
    );
}
