//! `auditform apply` as a user runs it, each test on its own copy of the bundled example
//! tenant (or a generated one), with the bundled `policies/`. Output is snapshotted with colour
//! off and the temporary path replaced by `[STATE]`.

use assert_cmd::Command;
use auditform::state::lock::{lock_path, StateLock};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn auditform(state: &Path) -> Command {
    let mut command = Command::cargo_bin("auditform").expect("binary is built");
    command
        .current_dir(repo())
        .env("AUDITFORM_STATE", state)
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1");
    command
}

/// A temporary directory holding a copy of the bundled example tenant.
fn example_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("tenant.json");
    std::fs::copy(repo().join("examples/tenant.json"), &state).unwrap();
    (dir, state)
}

fn text(bytes: &[u8], state: &Path) -> String {
    String::from_utf8_lossy(bytes).replace(&state.display().to_string(), "[STATE]")
}

const NO_CHANGES: &str = "No changes. Your mailboxes match the policies.";

/// Whether a plan's output ends saying that nothing changes (warnings may come before).
fn says_no_changes(output: &str) -> bool {
    output.trim_end().lines().last() == Some(NO_CHANGES)
}

fn plan_text(state: &Path) -> String {
    let output = auditform(state).arg("plan").output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        text(&output.stderr, state)
    );
    text(&output.stdout, state)
}

const AUDIT_PROPERTIES: [&str; 6] = [
    "AuditEnabled",
    "AuditLogAgeLimit",
    "AuditAdmin",
    "AuditDelegate",
    "AuditOwner",
    "DefaultAuditSet",
];

/// The file as JSON without the properties apply may change: the audit properties of every
/// mailbox, the organization's AuditDisabled and each association's AuditBypassEnabled.
fn without_audit_properties(path: &Path) -> serde_json::Value {
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    for mailbox in value["mailboxes"].as_array_mut().unwrap() {
        for property in AUDIT_PROPERTIES {
            mailbox.as_object_mut().unwrap().shift_remove(property);
        }
    }
    for association in value["auditBypass"].as_array_mut().unwrap() {
        association
            .as_object_mut()
            .unwrap()
            .shift_remove("AuditBypassEnabled");
    }
    value["organization"]
        .as_object_mut()
        .unwrap()
        .shift_remove("AuditDisabled");
    value
}

#[test]
fn auto_approved_apply_changes_the_state_so_that_plan_shows_no_changes_and_keeps_everything_else() {
    let (_dir, state) = example_copy();
    let original = std::fs::read(&state).unwrap();
    let output = auditform(&state)
        .args(["apply", "--auto-approve"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        text(&output.stderr, &state)
    );
    let stdout = text(&output.stdout, &state);
    let summary = stdout
        .rsplit_once("\n\n")
        .map(|(_, s)| s)
        .unwrap_or_default();
    assert!(
        summary.starts_with("Apply complete! Resources: 0 added, "),
        "{stdout}"
    );
    insta::assert_snapshot!("auto_approved_apply", stdout);

    assert!(says_no_changes(&plan_text(&state)));
    assert_eq!(
        std::fs::read(state.with_extension("json.backup")).unwrap(),
        original
    );
    let backup = state.with_extension("json.backup");
    assert_eq!(
        without_audit_properties(&state),
        without_audit_properties(&backup)
    );
    assert_lock_is_free(&state);
}

#[test]
fn applying_twice_changes_nothing_the_second_time() {
    let (_dir, state) = example_copy();
    auditform(&state)
        .args(["apply", "--auto-approve"])
        .assert()
        .success();
    let after_first = std::fs::read(&state).unwrap();
    let output = auditform(&state)
        .args(["apply", "--auto-approve"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(says_no_changes(&text(&output.stdout, &state)));
    assert_eq!(std::fs::read(&state).unwrap(), after_first);
}

#[test]
fn without_a_terminal_and_without_auto_approve_apply_refuses_before_doing_anything() {
    let (_dir, state) = example_copy();
    let original = std::fs::read(&state).unwrap();
    let output = auditform(&state).arg("apply").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no plan is even computed");
    insta::assert_snapshot!("no_terminal", text(&output.stderr, &state));
    assert_eq!(std::fs::read(&state).unwrap(), original);
    assert_lock_is_free(&state);
}

#[test]
fn a_second_apply_is_refused_naming_the_holder_of_the_lock() {
    let (_dir, state) = example_copy();
    let original = std::fs::read(&state).unwrap();
    let _held = StateLock::acquire(&state, "auditform apply", Duration::ZERO).unwrap();
    let output = auditform(&state)
        .args(["apply", "--auto-approve"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr, &state);
    assert!(
        stderr.contains("error: state file [STATE] is locked by "),
        "{stderr}"
    );
    // Windows keeps a held lock's file from being read by any other handle, so only elsewhere
    // can the holder be named.
    if cfg!(unix) {
        assert!(
            stderr.contains(&format!(
                "(pid {}, auditform apply) since ",
                std::process::id()
            )),
            "{stderr}"
        );
    }
    assert!(
        stderr.contains("hint: wait for that apply to finish"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&state).unwrap(), original);
}

#[test]
fn a_lock_file_left_by_a_process_that_is_gone_and_a_leftover_temporary_file_do_not_stop_the_next_apply(
) {
    let (dir, state) = example_copy();
    std::fs::write(
        lock_path(&state),
        format!(
            r#"{{"pid": {}, "host": "{}", "user": "ci", "command": "auditform apply", "started": "2024-01-01T00:00:00Z", "started_unix": 1704067200}}"#,
            u32::MAX - 1,
            std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default().trim()
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join(".auditform-abc123.tmp"), "{ half a fi").unwrap();
    let output = auditform(&state)
        .args(["apply", "--auto-approve"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        text(&output.stderr, &state)
    );
    assert!(
        !text(&output.stderr, &state).contains("lock"),
        "{}",
        text(&output.stderr, &state)
    );
    assert!(says_no_changes(&plan_text(&state)));
    assert_lock_is_free(&state);
}

#[test]
fn an_apply_waiting_for_the_lock_goes_ahead_once_the_holder_releases_it() {
    let (_dir, state) = example_copy();
    let held = StateLock::acquire(&state, "auditform apply", Duration::ZERO).unwrap();
    let mut apply = auditform(&state);
    apply.args(["apply", "--auto-approve", "--lock-timeout", "30s"]);
    let waiting = std::thread::spawn(move || apply.output().unwrap());
    std::thread::sleep(Duration::from_millis(500));
    drop(held);
    let output = waiting.join().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        text(&output.stderr, &state)
    );
    assert!(says_no_changes(&plan_text(&state)));
}

/// The lock is released (its file may stay): another apply could take it now.
fn assert_lock_is_free(state: &Path) {
    StateLock::acquire(state, "auditform apply", Duration::ZERO).expect("the lock is free");
}

/// A snapshot of `count` user mailboxes, none of which meets the bundled policies.
fn generated_tenant(count: usize) -> String {
    let mailboxes: Vec<String> = (0..count)
        .map(|i| {
            format!(
                r#"{{"ExternalDirectoryObjectId": "00000000-0000-0000-0000-{i:012}", "DisplayName": "User {i}", "UserPrincipalName": "user{i}@contoso.com", "PrimarySmtpAddress": "user{i}@contoso.com", "RecipientTypeDetails": "UserMailbox", "AuditEnabled": true, "AuditLogAgeLimit": "90.00:00:00", "AuditAdmin": ["Update"], "AuditDelegate": ["Update"], "AuditOwner": ["Update"], "DefaultAuditSet": [], "Notes": "kept {i}"}}"#
            )
        })
        .collect();
    format!(
        "{{\n  \"organization\": {{\"AuditDisabled\": false}},\n  \"licence\": \"nonE5\",\n  \"mailboxes\": [\n    {}\n  ]\n}}\n",
        mailboxes.join(",\n    ")
    )
}

#[test]
fn killing_apply_at_any_moment_leaves_a_valid_file_with_all_or_nothing_applied() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = generated_tenant(3000);
    let template = dir.path().join("template.json");
    std::fs::write(&template, &tenant).unwrap();
    let full_plan = plan_text(&template);
    assert!(
        full_plan.contains("Plan: 0 to add, 3000 to change"),
        "{full_plan}"
    );
    let binary = assert_cmd::cargo::cargo_bin("auditform");
    for delay_ms in [0u64, 5, 20, 50, 100, 200, 400] {
        let state = dir.path().join(format!("tenant-{delay_ms}.json"));
        std::fs::write(&state, &tenant).unwrap();
        let mut child = std::process::Command::new(&binary)
            .current_dir(repo())
            .env("NO_COLOR", "1")
            .args(["apply", "--auto-approve", "--state"])
            .arg(&state)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();

        let left = plan_text(&state).replace(
            &state.display().to_string(),
            &template.display().to_string(),
        );
        let done = says_no_changes(&left);
        assert!(done || left == full_plan, "after {delay_ms} ms:\n{left}");
        // The next apply finishes the work, whatever was left behind (a lock, a temp file).
        auditform(&state)
            .args(["apply", "--auto-approve"])
            .assert()
            .success();
        assert_eq!(
            plan_text(&state).trim_end(),
            "No changes. Your mailboxes match the policies."
        );
    }
}
