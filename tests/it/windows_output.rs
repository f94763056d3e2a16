//! Files that Windows PowerShell reads are written so that Windows PowerShell 5.1 reads them
//! right. Without a byte-order mark it reads a script in the legacy "ANSI" code page
//! (about_Character_Encoding), so the script starts with UTF-8's mark; output that is ASCII
//! needs none, because every code page reads ASCII the same.

use crate::support::cli::*;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn saved_plan(dir: &std::path::Path) -> std::path::PathBuf {
    let plan = dir.join("plan.json");
    let output = auditform()
        .args(["plan", "--out"])
        .arg(&plan)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    plan
}

#[test]
fn the_script_starts_with_the_utf8_byte_order_mark_in_a_file_and_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let plan = saved_plan(dir.path());
    let script = dir.path().join("apply.ps1");
    let output = auditform()
        .arg("script")
        .arg(&plan)
        .arg("--out")
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let file = std::fs::read(&script).unwrap();
    assert_eq!(&file[..3], UTF8_BOM);
    assert_eq!(
        &file[3..5],
        b"# ",
        "one mark, then the script's first comment"
    );

    let printed = auditform().arg("script").arg(&plan).output().unwrap();
    assert_eq!(printed.status.code(), Some(0), "{}", stderr_of(&printed));
    assert_eq!(printed.stdout, file);
}

#[test]
fn a_name_outside_ascii_is_written_as_utf8_after_the_mark() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("tenant.json");
    let tenant = std::fs::read_to_string(repo().join("examples/tenant.json")).unwrap();
    std::fs::write(&state, tenant.replace("Pilar Pinilla", "Pilar Piñilla")).unwrap();
    let plan = dir.path().join("plan.json");
    let output = auditform()
        .args(["plan", "--state"])
        .arg(&state)
        .arg("--out")
        .arg(&plan)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let script = auditform().arg("script").arg(&plan).output().unwrap();
    assert_eq!(&script.stdout[..3], UTF8_BOM);
    let text = std::str::from_utf8(&script.stdout[3..]).unwrap();
    assert!(text.contains("Pilar Piñilla"), "{text}");
}

#[test]
fn powershell_completions_are_ascii_so_they_need_no_mark() {
    let output = auditform()
        .args(["completions", "powershell"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(!output.stdout.is_empty());
    let outside_ascii: Vec<char> = String::from_utf8_lossy(&output.stdout)
        .chars()
        .filter(|c| !c.is_ascii())
        .collect();
    assert!(outside_ascii.is_empty(), "{outside_ascii:?}");
}

#[test]
fn a_snapshot_is_ascii_so_windows_powershell_reads_it_in_any_code_page() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("tenant.json");
    let tenant = std::fs::read_to_string(repo().join("examples/tenant.json")).unwrap();
    std::fs::write(&state, tenant.replace("Pilar Pinilla", "Pilar Piñilla")).unwrap();
    let output = auditform()
        .args(["show", "--format", "json", "--state"])
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(output.stdout.is_ascii());
    assert!(stdout_of(&output).contains(r#""DisplayName":"Pilar Pi\u00f1illa""#));
}
