//! `plan --out`, `plan --format json` and `show PLANFILE` as a user runs them.

use crate::support::plans;

use assert_cmd::Command;
use auditform::files::plan_file;
use auditform::plan::document::Layout;
use auditform::plan::planfile::PlanFileInfo;
use auditform::render::{render_json, render_text, TextOptions};
use std::path::{Path, PathBuf};

fn auditform() -> Command {
    let mut command = Command::cargo_bin("auditform").expect("the binary is built");
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("AUDITFORM_STATE")
        .env("NO_COLOR", "1");
    command
}

fn stdout_of(command: &mut Command) -> String {
    let output = command.output().expect("the binary runs");
    assert!(
        output.status.success(),
        "exit {:?}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("stdout is UTF-8")
}

fn saved_rich_plan(directory: &Path) -> PathBuf {
    let path = directory.join("plan.json");
    plan_file::save(
        &path,
        &plans::rich_plan(),
        PlanFileInfo::new(None),
        Layout::Compact,
    )
    .expect("save");
    path
}

#[test]
fn show_renders_a_saved_plan_as_plan_renders_it() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let path = saved_rich_plan(directory.path());
    let shown = stdout_of(auditform().arg("show").arg(&path));

    let mut expected = Vec::new();
    let options = TextOptions {
        color: false,
        expand: false,
    };
    render_text(&plans::rich_plan(), &options, &mut expected).expect("render");
    assert_eq!(shown, String::from_utf8(expected).expect("UTF-8"));
    insta::assert_snapshot!(shown);
}

#[test]
fn show_format_json_prints_the_saved_plan_s_document() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let path = saved_rich_plan(directory.path());
    let shown = stdout_of(
        auditform()
            .arg("show")
            .arg(&path)
            .args(["--format", "json"]),
    );
    let mut expected = Vec::new();
    render_json(&plans::rich_plan(), Layout::Compact, &mut expected).expect("render");
    assert_eq!(shown, String::from_utf8(expected).expect("UTF-8"));
    let pretty = stdout_of(
        auditform()
            .arg("show")
            .arg(&path)
            .args(["--format", "json", "--pretty"]),
    );
    let mut expected = Vec::new();
    render_json(&plans::rich_plan(), Layout::Pretty, &mut expected).expect("render");
    assert_eq!(pretty, String::from_utf8(expected).expect("UTF-8"));
}

#[test]
fn show_refuses_an_edited_plan_file_and_says_how_to_recover() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let path = saved_rich_plan(directory.path());
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replacen("\"after\":true", "\"after\":false", 1)).expect("write");
    let output = auditform()
        .arg("show")
        .arg("plan.json")
        .current_dir(directory.path())
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stderr));
}

#[test]
fn show_refuses_a_truncated_plan_file() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let path = saved_rich_plan(directory.path());
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, &text[..text.len() / 3]).expect("write");
    auditform()
        .arg("show")
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("it is truncated"));
}

/// Without a plan file, `show --format json` is the `state pull` (tests/snapshot_round_trip.rs).
#[test]
fn show_format_json_without_a_plan_file_writes_the_state_as_a_snapshot() {
    let output = auditform()
        .args(["show", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let snapshot: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(!snapshot["mailboxes"].as_array().unwrap().is_empty());
    assert!(snapshot["organization"].is_object());
}

/// The bundled example policies, wherever the repository keeps them.
fn example_policies() -> &'static str {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["policies", "examples/policies"]
        .into_iter()
        .find(|dir| root.join(dir).is_dir())
        .unwrap_or("policies")
}

fn plan_command() -> Command {
    let mut command = auditform();
    command.args([
        "plan",
        "--state",
        "examples/tenant.json",
        "--policies",
        example_policies(),
    ]);
    command
}

#[test]
fn plan_out_prints_the_plan_then_where_it_was_saved_and_show_prints_the_same_plan() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let path = directory.path().join("plan.json");
    let planned = stdout_of(plan_command().arg("--out").arg(&path));
    let (plan_text, saved_note) = planned
        .split_once("\nSaved the plan to: ")
        .expect("plan --out says where it saved the plan");
    assert_eq!(
        saved_note,
        format!(
            "{path}\n\nTo perform exactly these actions, run: auditform apply {path}\n",
            path = path.display()
        )
    );
    let shown = stdout_of(auditform().arg("show").arg(&path));
    assert_eq!(shown, plan_text);
}

#[test]
fn plan_format_json_and_show_format_json_print_the_same_document() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let path = directory.path().join("plan.json");
    let planned = stdout_of(
        plan_command()
            .args(["--format", "json", "--out"])
            .arg(&path),
    );
    let document: serde_json::Value =
        serde_json::from_str(&planned).expect("stdout is one JSON document");
    assert_eq!(document["format_version"], "1.1");
    let shown = stdout_of(
        auditform()
            .arg("show")
            .arg(&path)
            .args(["--format", "json"]),
    );
    assert_eq!(shown, planned);
}
