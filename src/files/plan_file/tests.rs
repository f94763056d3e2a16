use super::*;
use crate::plan::document::Layout;
use crate::plan::fixtures::{rich_plan, without_policy_locations};
use crate::plan::planfile::policies_digest;

fn info() -> PlanFileInfo {
    PlanFileInfo {
        created_by: "auditform 0.1.0".to_string(),
        policies_digest: Some(policies_digest([("policies/a.yaml", b"a".as_slice())])),
        state: None,
    }
}

#[test]
fn save_replaces_the_file_and_leaves_nothing_else_behind() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let path = directory.path().join("plan.json");
    std::fs::write(&path, "an older plan").expect("write");
    save(&path, &rich_plan(), info(), Layout::Compact).expect("save");
    let read = load(&path).expect("load");
    assert_eq!(read.plan, without_policy_locations(rich_plan()));
    let entries: Vec<_> = std::fs::read_dir(directory.path())
        .expect("list")
        .map(|entry| entry.expect("entry").file_name())
        .collect();
    assert_eq!(entries, ["plan.json"]);
}

#[test]
fn loading_a_file_that_is_not_there_is_a_read_error_naming_the_file() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let path = directory.path().join("missing.json");
    let error = load(&path).expect_err("no file");
    assert!(matches!(error.error, PlanFileError::Read(_)));
    assert_eq!(error.path, path);
}

#[test]
fn a_plan_file_records_the_absolute_path_of_the_state_file_it_was_made_from() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let state = directory.path().join("tenant.json");
    std::fs::write(&state, "[]").expect("write");
    let recorded = planned_snapshot(&state).expect("an existing file resolves");
    let path = directory.path().join("plan.json");
    save(
        &path,
        &rich_plan(),
        info().with_state(Some(recorded.clone())),
        Layout::Compact,
    )
    .expect("save");
    let text = std::fs::read_to_string(&path).expect("read");
    let document: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let absolute = state.canonicalize().expect("canonical");
    assert_eq!(
        document["plan_file"]["state"],
        serde_json::json!({"kind": "snapshot", "path": absolute.to_str().expect("UTF-8")})
    );
    let read = load(&path).expect("load");
    assert_eq!(read.state(), Some(&recorded));
    assert_eq!(read.snapshot_path(), Some(absolute));
}

#[test]
fn a_state_file_that_can_not_be_resolved_is_not_recorded() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    assert_eq!(
        planned_snapshot(&directory.path().join("missing.json")),
        None
    );
}

#[cfg(unix)]
#[test]
fn saving_over_an_existing_plan_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let directory = tempfile::tempdir().expect("a temporary directory");
    let path = directory.path().join("plan.json");
    std::fs::write(&path, "an older plan").expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    save(&path, &rich_plan(), info(), Layout::Compact).expect("save");
    let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
    assert_eq!(mode & 0o777, 0o644);
}
