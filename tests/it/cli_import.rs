//! `auditform import` as a user runs it: the policies it writes describe the tenant, so planning
//! them against the same state gives no changes.

use crate::support::cli::*;

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn importing_the_example_tenant_and_planning_it_gives_no_changes() {
    let dir = tempfile::tempdir().unwrap();
    let output = auditform()
        .args(["import", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    // One file per policy kind and recipient type; none for GroupMailbox.
    insta::assert_snapshot!("example_import_files", files_in(dir.path()).join("\n"));

    let plan = auditform()
        .args(["plan", "--policies"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(plan.status.code(), Some(0), "{}", stderr_of(&plan));
    assert!(
        stdout_of(&plan).contains("No changes. Your mailboxes match the policies."),
        "{}",
        stdout_of(&plan)
    );
}

#[test]
fn without_out_the_policies_are_printed_as_one_yaml_stream() {
    let output = auditform().arg("import").output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    insta::assert_snapshot!("example_import", stdout_of(&output));
}

#[test]
fn existing_files_are_not_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("organization.yaml");
    std::fs::write(&kept, "# mine\n").unwrap();

    let refused = auditform()
        .args(["import", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr_of(&refused).contains("organization.yaml already exists"));
    assert!(stderr_of(&refused).contains("--force"));
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "# mine\n");
    assert_eq!(
        files_in(dir.path()),
        ["organization.yaml"],
        "nothing else was written"
    );

    let forced = auditform()
        .args(["import", "--force", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(forced.status.code(), Some(0), "{}", stderr_of(&forced));
    assert!(std::fs::read_to_string(&kept)
        .unwrap()
        .contains("kind: OrganizationAuditPolicy"));
}

#[test]
fn a_missing_state_file_is_an_error() {
    let output = auditform()
        .args(["import", "--state", "no/such/tenant.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout_of(&output).is_empty());
}
