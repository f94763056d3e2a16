use super::*;
use crate::apply::StaleObject;
use crate::plan::Conflict;
use crate::policy::{PolicyRef, SourceLocation};
use crate::state::ObjectRef;
use std::sync::Arc;

fn at(file: &str, line: usize) -> SourceLocation {
    SourceLocation {
        file: Arc::from(file),
        line,
        column: 9,
    }
}

#[test]
fn a_conflict_is_one_diagnostic_at_the_first_policy_with_both_as_related_places() {
    let conflict = Conflict {
        property: "AuditOwner",
        actions: vec!["MailboxLogin".to_string()],
        first: PolicyRef {
            name: Arc::from("owners"),
            source: at("policies/owners.yaml", 4),
        },
        first_says: "requires".to_string(),
        second: PolicyRef {
            name: Arc::from("quiet"),
            source: at("policies/quiet.yaml", 7),
        },
        second_says: "forbids".to_string(),
        priority: 0,
        affected: 4,
        examples: vec!["Pilar Pinilla".to_string(), "Alex Wilber".to_string()],
    };
    let error = CliError::Plan(PlanError::Conflicts(vec![conflict]));
    insta::assert_snapshot!(error.render(), @r"
    policies/owners.yaml:4:9: error: policies `owners` and `quiet` disagree on AuditOwner MailboxLogin at priority 0
      policies/owners.yaml:4:9: `owners` requires it
      policies/quiet.yaml:7:9: `quiet` forbids it
      affects 4 objects: Pilar Pinilla, Alex Wilber, ...
      hint: give one policy a higher `spec.priority`, or narrow a selector with `exclude`
    ");
}

#[test]
fn a_stale_plan_lists_its_objects_under_the_message() {
    let error = CliError::Apply(ApplyError::Stale(vec![StaleObject {
        object: ObjectRef::Mailbox {
            id: "id-1".to_string(),
            display_name: "Don Hall".to_string(),
            address: Some("don@contoso.com".to_string()),
        },
        reason: "its audit settings changed".to_string(),
    }]));
    insta::assert_snapshot!(error.render(), @r#"
    error: Saved plan is stale: 1 planned object changed since the plan was made
      - mailbox "Don Hall" <don@contoso.com> (id-1): its audit settings changed
      hint: nothing was changed; run `auditform plan` again and review the new plan
    "#);
}

#[test]
fn an_error_writing_a_file_names_the_file() {
    let error = CliError::write_file("out/policies.yaml")(std::io::Error::new(
        std::io::ErrorKind::PermissionDenied,
        "permission denied",
    ));
    insta::assert_snapshot!(error.render(), @r"
    out/policies.yaml: error: could not write it: permission denied
      hint: check that the directory exists and is writable
    ");
}

#[test]
fn only_a_closed_standard_output_is_a_broken_pipe() {
    let pipe = || std::io::Error::new(std::io::ErrorKind::BrokenPipe, "closed");
    assert!(CliError::Stdio(pipe()).is_broken_pipe());
    assert!(!CliError::write_file("x")(pipe()).is_broken_pipe());
}

#[test]
fn every_error_and_hint_of_a_command_shares_one_layout() {
    let error = CliError::NoTerminal;
    insta::assert_snapshot!(error.render(), @r"
    error: apply needs approval, but standard input is not a terminal
      hint: review the plan with `auditform plan`, then run `auditform apply --auto-approve`
    ");
}
