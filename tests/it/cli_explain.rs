//! `auditform explain` as a user runs it: for one mailbox (text and JSON), for one policy, and
//! when an identity answers to no mailbox or to several. Text is snapshotted with colour off;
//! JSON is held to the committed schema/explain.schema.json.

use crate::support::cli::*;
use crate::support::json_schema::Validator;

const FIXTURE_POLICIES: &str = "tests/fixtures/policies/explain";

fn explain(args: &[&str]) -> std::process::Output {
    auditform().arg("explain").args(args).output().unwrap()
}

fn ok_text(args: &[&str]) -> String {
    let output = explain(args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    stdout_of(&output)
}

#[test]
fn a_mailbox_of_the_bundled_example_is_explained_down_to_its_planned_change() {
    let text = ok_text(&["pilar@contoso.com"]);
    assert!(text.contains("Selected by 2 of 2 mailbox policies:"));
    assert!(
        text.contains("+ MailboxLogin,"),
        "the plan's own block:\n{text}"
    );
    insta::assert_snapshot!("explain_pilar", text);
}

#[test]
fn filters_excludes_and_overrides_are_explained_with_every_policy_when_asked() {
    let text = ok_text(&["pilar@contoso.com", "--all", "--policies", FIXTURE_POLICIES]);
    assert!(text.contains("(Department is 'Finance')"), "{text}");
    assert!(text.contains("exclude: does not spare it"), "{text}");
    assert!(
        text.contains("Not selected by 1 other mailbox policy:"),
        "{text}"
    );
    assert!(
        text.contains("overrides require from audited-departments"),
        "{text}"
    );
    insta::assert_snapshot!("explain_pilar_fixture_all", text);
}

#[test]
fn a_mailbox_spared_by_an_exclude_says_so() {
    let text = ok_text(&["alexw", "--policies", FIXTURE_POLICIES]);
    assert!(text.contains("exclude: spares the mailbox"), "{text}");
    insta::assert_snapshot!("explain_alex_spared", text);
}

#[test]
fn a_group_mailbox_is_explained_as_skipped_with_its_reason() {
    let text = ok_text(&["retail@contoso.com"]);
    assert!(text.contains("Skipped: GroupMailbox"), "{text}");
    insta::assert_snapshot!("explain_group_mailbox", text);
}

#[test]
fn a_resource_mailbox_whose_defaults_are_restored_says_why_it_rejoins_default_audit_set() {
    let text = ok_text(&["adams@contoso.com", "--policies", FIXTURE_POLICIES]);
    insta::assert_snapshot!("explain_room_defaults", text);
}

#[test]
fn a_display_name_that_two_mailboxes_share_lists_them_and_exits_1() {
    let output = explain(&["Grady Archie"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "nothing is explained");
    let text = stderr_of(&output);
    assert!(text.contains("gradya@contoso.com") && text.contains("grady.archie@contoso.com"));
    insta::assert_snapshot!("explain_ambiguous", text);
}

#[test]
fn an_identity_nobody_answers_to_exits_1_with_a_suggestion() {
    let output = explain(&["pilr@contoso.com"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("explain_unknown_mailbox", stderr_of(&output));
}

#[test]
fn a_hostile_identity_on_the_command_line_is_shown_inert() {
    let output = explain(&["eve\n::error::forged\u{1b}[2J"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr_of(&output);
    assert!(!text.contains("\n::error"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
}

#[test]
fn a_policy_is_explained_over_the_tenant() {
    let text = ok_text(&[
        "--policy",
        "audited-departments",
        "--policies",
        FIXTURE_POLICIES,
    ]);
    assert!(text.contains("Its exclude spares 1 mailbox:"), "{text}");
    assert!(text.contains("pilar-exception"), "{text}");
    insta::assert_snapshot!("explain_policy_audited_departments", text);
}

#[test]
fn an_unknown_policy_name_gets_a_suggestion_and_exits_1() {
    let output = explain(&["--policy", "user-mailbox-owner-actions"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("explain_unknown_policy", stderr_of(&output));
}

#[test]
fn explain_needs_a_mailbox_or_a_policy() {
    let output = explain(&[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr_of(&output).contains("MAILBOX"));
}

#[test]
fn the_json_of_every_mailbox_and_every_policy_meets_the_committed_schema() {
    let validator = Validator::committed("schema/explain.schema.json");
    let tenant: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("examples/tenant.json")).unwrap(),
    )
    .unwrap();
    let mut checked = 0;
    for policies in ["policies", FIXTURE_POLICIES, "examples/policies/cis-6.1"] {
        for mailbox in tenant["mailboxes"].as_array().unwrap() {
            let id = mailbox["Identity"].as_str().unwrap();
            let output = explain(&[id, "--format", "json", "--policies", policies]);
            assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
            let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
            validator
                .check(&document)
                .unwrap_or_else(|error| panic!("{id} under {policies}: {error}"));
            checked += 1;
        }
    }
    for (policies, name) in [
        ("policies", "user-mailboxes-owner-actions"),
        (FIXTURE_POLICIES, "audited-departments"),
        (FIXTURE_POLICIES, "pilar-exception"),
        (
            "examples/policies/cis-6.1",
            "cis-6.1.2-mailbox-audit-actions",
        ),
    ] {
        let output = explain(&["--policy", name, "--format", "json", "--policies", policies]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
        let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        validator
            .check(&document)
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        checked += 1;
    }
    assert_eq!(checked, 3 * 21 + 4);
}

#[test]
fn the_schema_refuses_a_document_that_breaks_it() {
    let validator = Validator::committed("schema/explain.schema.json");
    let output = explain(&["pilar@contoso.com", "--format", "json"]);
    let mut document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    document["plan"]["outcome"] = serde_json::json!("maybe");
    assert!(validator.check(&document).is_err());
}
