//! Policy files as admins save them on Windows: Notepad and Windows PowerShell 5.1's
//! `Out-File -Encoding UTF8` start UTF-8 with a byte-order mark. Such a file plans as it does
//! without one; a character YAML refuses is an error at its own line and column, exit 1.

use crate::support::cli::*;

const BOM: &str = "\u{feff}";

const POLICY: &str = "apiVersion: auditform/v1\nkind: MailboxAuditPolicy\nmetadata:\n  name: owners-sign-in\n  description: Sign-ins of owners, café included\nspec:\n  selector:\n    recipientTypeDetails: [UserMailbox]\n  audit:\n    enabled: true\n    owner:\n      add: [MailboxLogin]\n";

/// `plan` of the one policy file `text` against the bundled tenant: exit code, stdout, stderr,
/// with the directory's path written `<dir>`.
fn plan_of(text: &str) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.yaml"), text).unwrap();
    let output = auditform()
        .args(["plan", "--policies"])
        .arg(dir.path())
        .output()
        .unwrap();
    let hide = |text: String| text.replace(&dir.path().display().to_string(), "<dir>");
    (
        output.status.code(),
        hide(stdout_of(&output)),
        hide(stderr_of(&output)),
    )
}

fn assert_no_panic(stderr: &str) {
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_policy_file_with_a_byte_order_mark_plans_as_it_does_without_one() {
    let without = plan_of(POLICY);
    assert_eq!(without.0, Some(0), "{}", without.2);
    let with = plan_of(&format!("{BOM}{POLICY}"));
    assert_eq!(with, without);
}

#[test]
fn every_document_after_a_byte_order_mark_loads() {
    // YAML allows a byte-order mark before every document of a stream.
    let second = POLICY.replace("owners-sign-in", "owners-sign-in-again");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("policy.yaml"),
        format!("{BOM}{POLICY}...\n{BOM}{second}"),
    )
    .unwrap();
    let output = auditform()
        .args(["validate", "--policies"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(
        stdout_of(&output).starts_with("Success! 2 policies"),
        "{}",
        stdout_of(&output)
    );
}

#[test]
fn a_control_character_is_refused_at_its_line_and_column_after_a_byte_order_mark() {
    let text = format!("{BOM}{POLICY}").replace("café included", "café\u{1} included");
    let (code, stdout, stderr) = plan_of(&text);
    assert_no_panic(&stderr);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        !stderr.contains('\u{1}'),
        "the refused character is named, not echoed"
    );
    insta::assert_snapshot!("control_character_after_bom", stderr);
}

#[test]
fn a_refusal_inside_a_value_points_at_its_column_after_a_byte_order_mark_and_multibyte_text() {
    // A flow document on one line: the bad filter's place is counted from the line's start,
    // past the mark and the multibyte description.
    let text = format!(
        "{BOM}{{apiVersion: auditform/v1, kind: MailboxAuditPolicy, metadata: {{name: unicode, description: ünïcödé}}, spec: {{selector: {{filter: \"Department -eq 'Finance' -and\"}}, audit: {{enabled: true}}}}}}\n"
    );
    let (code, stdout, stderr) = plan_of(&text);
    assert_no_panic(&stderr);
    assert_eq!(code, Some(1), "{stdout}");
    insta::assert_snapshot!("bad_filter_after_bom_and_multibyte_text", stderr);
}

#[test]
fn invalid_yaml_after_a_byte_order_mark_is_refused_with_exit_1() {
    for text in [
        format!("{BOM}é: [1, 2\n"),
        format!("{BOM}{BOM}a: 1\n"),
        format!("{BOM}\"\u{7f}\""),
        BOM.to_string(),
    ] {
        let (code, stdout, stderr) = plan_of(&text);
        assert_no_panic(&stderr);
        assert_eq!(code, Some(1), "{text:?}: {stdout}{stderr}");
        assert!(stderr.contains("error:"), "{text:?}: {stderr}");
    }
}
