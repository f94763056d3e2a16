//! `auditform script PLANFILE` as a user runs it: a saved plan becomes a PowerShell script, and a
//! plan whose identities can't be written safely gives an error and no file.

use crate::support::cli::*;

use std::path::{Path, PathBuf};

/// Saves the plan of the bundled policies against `state` into `dir/plan.json`.
fn save_plan(dir: &Path, state: &Path) -> PathBuf {
    let plan = dir.join("plan.json");
    let output = auditform()
        .args(["plan", "--state"])
        .arg(state)
        .arg("--out")
        .arg(&plan)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    plan
}

/// `auditform script PLAN --out SCRIPT`.
fn write_script(plan: &Path, script: &Path) -> std::process::Output {
    auditform()
        .arg("script")
        .arg(plan)
        .arg("--out")
        .arg(script)
        .output()
        .unwrap()
}

#[test]
fn the_example_plan_becomes_a_script_with_one_set_mailbox_per_mailbox() {
    let dir = tempfile::tempdir().unwrap();
    let plan = save_plan(dir.path(), Path::new("examples/tenant.json"));
    let script_path = dir.path().join("apply.ps1");
    let output = write_script(&plan, &script_path);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let script = std::fs::read_to_string(&script_path).unwrap();
    // The byte-order mark is for Windows PowerShell 5.1 (tests/windows_output.rs).
    let script = script
        .strip_prefix('\u{feff}')
        .expect("a UTF-8 byte-order mark");
    let set_mailbox_calls = script
        .lines()
        .filter(|line| line.trim_start().starts_with("Set-Mailbox "))
        .count();
    let mailbox_comments = script
        .lines()
        .filter(|l| l.starts_with("# Mailbox: "))
        .count();
    assert_eq!(set_mailbox_calls, mailbox_comments);
    // The temporary directory differs per run; the snapshot names the plan file by its name.
    let script = script.replace(&plan.display().to_string(), "plan.json");
    insta::assert_snapshot!("example_script", script);
}

#[test]
fn an_identity_with_a_newline_is_refused_and_no_file_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = std::fs::read_to_string(repo().join("examples/tenant.json")).unwrap();
    let hostile = tenant.replacen(
        "\"ExternalDirectoryObjectId\": \"e2e35583-fe4e-53b7-b556-f392db7440ef\"",
        "\"ExternalDirectoryObjectId\": \"e2e35583\\nRemove-Mailbox ceo\"",
        2,
    );
    assert_ne!(
        hostile, tenant,
        "the fixture still holds the id this test edits"
    );
    let state = dir.path().join("tenant.json");
    std::fs::write(&state, hostile).unwrap();
    let plan = save_plan(dir.path(), &state);

    let script_path = dir.path().join("apply.ps1");
    let output = write_script(&plan, &script_path);
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr_of(&output);
    assert!(stderr.contains("control character"), "{stderr}");
    assert!(!script_path.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "only the state and the plan, nothing half-written: {leftovers:?}"
    );
}

#[test]
fn an_edited_plan_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let plan = save_plan(dir.path(), &repo().join("examples/tenant.json"));
    let text = std::fs::read_to_string(&plan).unwrap();
    let edited = text.replacen("\"after\":true", "\"after\":false", 1);
    assert_ne!(edited, text, "the plan holds a value this test edits");
    std::fs::write(&plan, edited).unwrap();
    let output = auditform().arg("script").arg(&plan).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
}
