use super::*;

fn at(file: &str, line: usize, column: usize) -> SourceLocation {
    SourceLocation {
        file: Arc::from(file),
        line,
        column,
    }
}

#[test]
fn a_diagnostic_names_its_place_severity_message_and_hints_in_one_layout() {
    let diagnostic = Diagnostic::error("unknown key `ownr` in `spec.audit`; did you mean `owner`?")
        .at(at("policies/a.yaml", 9, 5))
        .with_hint("valid keys in `spec.audit` are `owner`, `admin`, `delegate`");
    insta::assert_snapshot!(diagnostic.to_string(), @r"
    policies/a.yaml:9:5: error: unknown key `ownr` in `spec.audit`; did you mean `owner`?
      hint: valid keys in `spec.audit` are `owner`, `admin`, `delegate`
    ");
}

#[test]
fn related_places_and_notes_come_between_the_message_and_the_hints() {
    let diagnostic = Diagnostic::error("policies `a` and `b` disagree on AuditOwner MailboxLogin")
        .at(at("a.yaml", 4, 9))
        .with_related(at("a.yaml", 4, 9), "`a` requires it")
        .with_related(at("b.yaml", 7, 9), "`b` forbids it")
        .with_note("affects 2 objects: Pilar, Alex")
        .with_hint("give one policy a higher `spec.priority`");
    insta::assert_snapshot!(diagnostic.to_string(), @r"
    a.yaml:4:9: error: policies `a` and `b` disagree on AuditOwner MailboxLogin
      a.yaml:4:9: `a` requires it
      b.yaml:7:9: `b` forbids it
      affects 2 objects: Pilar, Alex
      hint: give one policy a higher `spec.priority`
    ");
}

#[test]
fn a_warning_about_a_whole_file_or_about_nothing_in_particular() {
    let file = Diagnostic::warning("the file is empty").in_file("p.yaml");
    let nowhere = Diagnostic::error("apply needs approval").with_hint("run with --auto-approve");
    insta::assert_snapshot!(Listed(&[file, nowhere]).to_string(), @r"
    p.yaml: warning: the file is empty
    error: apply needs approval
      hint: run with --auto-approve
    ");
}

#[test]
fn no_part_of_a_diagnostic_can_break_its_layout() {
    let hostile = "x\n::error::forged\r\u{2028}##[warning]y";
    let diagnostic = Diagnostic::error(format!("unknown action `{hostile}`"))
        .at(at(hostile, 1, 1))
        .with_related(Location::File(hostile.into()), hostile)
        .with_note(hostile)
        .with_hint(hostile);
    let text = diagnostic.to_string();
    assert_eq!(text.lines().count(), 4, "{text}");
    for line in text.lines() {
        assert!(!line.trim_start().starts_with("::"), "{line}");
        assert!(!line.contains("::") && !line.contains("##["), "{line}");
    }
}

#[test]
fn a_message_of_any_length_is_cut_to_stay_readable() {
    let answer = "<html>".repeat(10_000);
    let diagnostic = Diagnostic::error(format!("the service answered {answer}"));
    let text = diagnostic.to_string();
    assert!(text.chars().count() < MESSAGE_LIMIT + 50, "{}", text.len());
    assert!(text.ends_with("… (60,021 characters)"), "{text}");
}
