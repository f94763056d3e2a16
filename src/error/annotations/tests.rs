use super::*;
use crate::plan::Conflict;
use crate::policy::load::{Diagnostic, LoadError};
use crate::policy::PolicyRef;
use std::sync::Arc;

fn at(file: &str, line: usize, column: usize) -> SourceLocation {
    SourceLocation {
        file: Arc::from(file),
        line,
        column,
    }
}

fn diagnostic(location: Option<SourceLocation>, message: &str) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        file: Arc::from("policies/owners.yaml"),
        location,
        message: message.to_string(),
        hint: Some("write `owner`".to_string()),
    }
}

fn lines(annotations: &[Annotation]) -> Vec<String> {
    annotations.iter().map(ToString::to_string).collect()
}

#[test]
fn message_escaping_covers_percent_and_line_breaks() {
    assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
}

#[test]
fn property_escaping_also_covers_colon_and_comma() {
    assert_eq!(
        escape_property("C:\\policies\\a,b%.yaml"),
        "C%3A\\policies\\a%2Cb%25.yaml"
    );
}

#[test]
fn a_load_error_with_a_place_becomes_an_annotation_on_that_line() {
    let error = CliError::Policies(LoadError {
        diagnostics: vec![diagnostic(
            Some(at("policies/owners.yaml", 12, 5)),
            "unknown key `ownr`; did you mean `owner`?",
        )],
    });
    insta::assert_snapshot!(lines(&error.github_annotations(None)).join("\n"), @"::error file=policies/owners.yaml,line=12,col=5,title=auditform::unknown key `ownr`; did you mean `owner`?%0Ahint: write `owner`");
}

#[test]
fn a_load_error_without_a_place_is_a_plain_annotation_naming_the_file() {
    let error = CliError::Policies(LoadError {
        diagnostics: vec![diagnostic(None, "the policy directory does not exist")],
    });
    insta::assert_snapshot!(lines(&error.github_annotations(None)).join("\n"), @"::error::policies/owners.yaml: the policy directory does not exist%0Ahint: write `owner`");
}

#[test]
fn absolute_paths_inside_the_workspace_are_made_relative_to_it() {
    let error = CliError::Policies(LoadError {
        diagnostics: vec![diagnostic(
            Some(at("/home/runner/work/repo/policies/owners.yaml", 3, 1)),
            "broken",
        )],
    });
    let annotations = error.github_annotations(Some(Path::new("/home/runner/work/repo")));
    let place = annotations[0]
        .place
        .as_ref()
        .map(|place| place.file.as_str());
    assert_eq!(place, Some("policies/owners.yaml"));
}

#[test]
fn a_conflict_annotates_both_policies() {
    let conflict = Conflict {
        property: "AuditOwner",
        actions: vec!["MailboxLogin".to_string()],
        first: PolicyRef {
            name: Arc::from("owners"),
            source: at("policies/owners.yaml", 4, 9),
        },
        first_says: "requires".to_string(),
        second: PolicyRef {
            name: Arc::from("quiet"),
            source: at("policies/quiet.yaml", 7, 9),
        },
        second_says: "forbids".to_string(),
        priority: 0,
        affected: 1,
        examples: vec!["Pilar Pinilla".to_string()],
    };
    let error = CliError::Plan(PlanError::Conflicts(vec![conflict]));
    let annotations = error.github_annotations(None);
    let files: Vec<(&str, usize)> = annotations
        .iter()
        .filter_map(|a| a.place.as_ref())
        .map(|place| (place.file.as_str(), place.line))
        .collect();
    assert_eq!(
        files,
        [("policies/owners.yaml", 4), ("policies/quiet.yaml", 7)]
    );
    assert!(annotations[0]
        .message
        .contains("disagree on AuditOwner MailboxLogin"));
}

#[test]
fn any_other_error_is_one_plain_annotation_of_its_whole_message() {
    let error = CliError::Weakening { count: 2 };
    let annotations = lines(&error.github_annotations(None));
    insta::assert_snapshot!(annotations.join("\n"), @"::error::error: 2 changes would weaken auditing, and --forbid-weakening was given%0Ahint: the plan above marks them; change the policies, or run without --forbid-weakening after review");
}
