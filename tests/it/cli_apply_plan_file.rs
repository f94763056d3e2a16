//! `auditform plan --out FILE` then `auditform apply FILE`, as a pipeline runs them: the
//! reviewed plan is applied exactly, never prompted, and refused when it no longer describes
//! the tenant.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn auditform() -> Command {
    let mut command = Command::cargo_bin("auditform").expect("binary is built");
    command
        .current_dir(repo())
        .env_remove("AUDITFORM_STATE")
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1");
    command
}

struct Workspace {
    dir: tempfile::TempDir,
    state: PathBuf,
    plan: PathBuf,
}

impl Workspace {
    /// A copy of the example tenant and a plan saved against it with the bundled policies.
    fn planned() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("tenant.json");
        let plan = dir.path().join("plan.json");
        std::fs::copy(repo().join("examples/tenant.json"), &state).unwrap();
        let output = auditform()
            .arg("plan")
            .arg("--state")
            .arg(&state)
            .arg("--out")
            .arg(&plan)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output, &dir));
        Workspace { dir, state, plan }
    }

    fn apply(&self) -> std::process::Output {
        auditform().arg("apply").arg(&self.plan).output().unwrap()
    }

    /// Changes one property of the mailbox whose DisplayName is `display_name`, out of band.
    fn edit_mailbox(&self, display_name: &str, property: &str, value: serde_json::Value) {
        let mut tenant: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&self.state).unwrap()).unwrap();
        let mailbox = tenant["mailboxes"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|m| m["DisplayName"] == display_name)
            .expect("mailbox exists");
        mailbox[property] = value;
        std::fs::write(&self.state, serde_json::to_vec_pretty(&tenant).unwrap()).unwrap();
    }
}

fn stdout(output: &std::process::Output, dir: &tempfile::TempDir) -> String {
    String::from_utf8_lossy(&output.stdout).replace(&dir.path().display().to_string(), "[DIR]")
}

fn stderr(output: &std::process::Output, dir: &tempfile::TempDir) -> String {
    String::from_utf8_lossy(&output.stderr).replace(&dir.path().display().to_string(), "[DIR]")
}

fn plan_against(state: &Path) -> String {
    let output = auditform()
        .arg("plan")
        .arg("--state")
        .arg(state)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_saved_plan_is_applied_exactly_without_a_prompt_and_then_nothing_is_left() {
    let work = Workspace::planned();
    let output = work.apply();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        stderr(&output, &work.dir)
    );
    insta::assert_snapshot!("apply_saved_plan", stdout(&output, &work.dir));
    assert!(plan_against(&work.state)
        .trim_end()
        .ends_with("No changes. Your mailboxes match the policies."));
}

#[test]
fn a_change_to_a_planned_mailbox_makes_the_saved_plan_stale_and_nothing_is_written() {
    let work = Workspace::planned();
    work.edit_mailbox(
        "Don Hall",
        "AuditOwner",
        serde_json::json!(["MailboxLogin", "Move"]),
    );
    let before = std::fs::read(&work.state).unwrap();
    let output = work.apply();
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output, &work.dir);
    assert!(message.contains("Saved plan is stale"), "{message}");
    assert!(message.contains("Don Hall"), "names the mailbox: {message}");
    insta::assert_snapshot!("apply_stale_plan", message);
    assert_eq!(
        std::fs::read(&work.state).unwrap(),
        before,
        "nothing written"
    );
}

#[test]
fn a_change_to_a_mailbox_the_plan_does_not_touch_does_not_make_it_stale() {
    let work = Workspace::planned();
    // Isaiah Langer already complies, so the plan leaves him alone.
    work.edit_mailbox("Isaiah Langer", "Department", serde_json::json!("Legal"));
    let output = work.apply();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        stderr(&output, &work.dir)
    );
}

#[test]
fn an_edited_plan_file_is_refused() {
    let work = Workspace::planned();
    let text = std::fs::read_to_string(&work.plan).unwrap();
    let edited = text.replacen("\"after\":true", "\"after\":false", 1);
    assert_ne!(text, edited, "the plan has a value to edit");
    std::fs::write(&work.plan, edited).unwrap();
    let output = work.apply();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output, &work.dir).contains("edited"));
}

#[test]
fn a_saved_plan_is_refused_against_another_state_file() {
    let work = Workspace::planned();
    let other = work.dir.path().join("other.json");
    std::fs::copy(&work.state, &other).unwrap();
    let output = auditform()
        .arg("apply")
        .arg(&work.plan)
        .arg("--state")
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("apply_other_state", stderr(&output, &work.dir));
}

#[test]
fn a_plan_saved_with_a_relative_state_path_applies_from_another_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("examples/tenant.json"),
        dir.path().join("tenant.json"),
    )
    .unwrap();
    let planned = auditform()
        .current_dir(dir.path())
        .arg("plan")
        .arg("--policies")
        .arg(repo().join("policies"))
        .args(["--state", "tenant.json", "--out", "plan.json"])
        .output()
        .unwrap();
    assert_eq!(planned.status.code(), Some(0), "{}", stderr(&planned, &dir));
    let applied = auditform()
        .arg("apply")
        .arg(dir.path().join("plan.json"))
        .output()
        .unwrap();
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied, &dir));
    assert!(plan_against(&dir.path().join("tenant.json"))
        .trim_end()
        .ends_with("No changes. Your mailboxes match the policies."));
}
