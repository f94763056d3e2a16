use super::*;
use crate::diagnostic::SourceLocation;

fn report(reporter: &Reporter, diagnostics: &[Diagnostic]) -> String {
    let mut out = Vec::new();
    reporter
        .write_report(diagnostics, &mut out)
        .expect("written");
    String::from_utf8(out).expect("UTF-8")
}

fn warning() -> Diagnostic {
    Diagnostic::warning("AddFolderPermissions is redundant for Owner")
        .at(SourceLocation {
            file: "/repo/policies/a.yaml".into(),
            line: 9,
            column: 25,
        })
        .with_hint("audit UpdateFolderPermissions instead")
}

#[test]
fn outside_github_actions_diagnostics_are_text_only() {
    let text = report(&Reporter::new(false, None), &[warning()]);
    insta::assert_snapshot!(text, @r"
    /repo/policies/a.yaml:9:25: warning: AddFolderPermissions is redundant for Owner
      hint: audit UpdateFolderPermissions instead
    ");
}

#[test]
fn in_github_actions_the_text_is_followed_by_an_annotation_per_place() {
    let reporter = Reporter::new(true, Some(PathBuf::from("/repo")));
    let text = report(&reporter, &[warning()]);
    insta::assert_snapshot!(text, @r"
    /repo/policies/a.yaml:9:25: warning: AddFolderPermissions is redundant for Owner
      hint: audit UpdateFolderPermissions instead
    ::warning file=policies/a.yaml,line=9,col=25,title=auditform::AddFolderPermissions is redundant for Owner%0Ahint: audit UpdateFolderPermissions instead
    ");
}

#[test]
fn annotating_alone_writes_nothing_outside_github_actions() {
    let mut out = Vec::new();
    Reporter::new(false, None)
        .write_annotations(&[warning()], &mut out)
        .expect("written");
    assert!(out.is_empty());
}

#[test]
fn a_plans_warnings_are_one_diagnostic_each_with_how_often_they_occurred() {
    let warnings = vec![
        "mailbox x carries an unknown action".to_string(),
        "1 identity matches no mailbox".to_string(),
        "mailbox x carries an unknown action".to_string(),
    ];
    let messages: Vec<String> = plan_warnings(&warnings)
        .into_iter()
        .map(|diagnostic| diagnostic.message)
        .collect();
    assert_eq!(
        messages,
        [
            "mailbox x carries an unknown action (2 times)",
            "1 identity matches no mailbox"
        ]
    );
}
