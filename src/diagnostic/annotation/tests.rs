use super::*;
use crate::diagnostic::SourceLocation;
use std::sync::Arc;

fn at(file: &str, line: usize, column: usize) -> SourceLocation {
    SourceLocation {
        file: Arc::from(file),
        line,
        column,
    }
}

fn lines(diagnostic: &Diagnostic, workspace: Option<&Path>) -> String {
    annotations(diagnostic, workspace)
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
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
fn an_error_at_a_place_becomes_an_annotation_on_that_line_with_its_hint() {
    let diagnostic = Diagnostic::error("unknown key `ownr`; did you mean `owner`?")
        .at(at("policies/owners.yaml", 12, 5))
        .with_hint("write `owner`");
    insta::assert_snapshot!(lines(&diagnostic, None), @"::error file=policies/owners.yaml,line=12,col=5,title=auditform::unknown key `ownr`; did you mean `owner`?%0Ahint: write `owner`");
}

#[test]
fn a_warning_becomes_a_warning_annotation() {
    let diagnostic = Diagnostic::warning("AddFolderPermissions is redundant for Owner").at(at(
        "policies/owners.yaml",
        9,
        25,
    ));
    insta::assert_snapshot!(lines(&diagnostic, None), @"::warning file=policies/owners.yaml,line=9,col=25,title=auditform::AddFolderPermissions is redundant for Owner");
}

#[test]
fn a_diagnostic_about_a_whole_file_is_a_plain_annotation_naming_it() {
    let diagnostic = Diagnostic::error("the policy directory does not exist")
        .in_file("policies")
        .with_hint("create it");
    insta::assert_snapshot!(lines(&diagnostic, None), @"::error::policies: the policy directory does not exist%0Ahint: create it");
}

#[test]
fn absolute_paths_inside_the_workspace_are_made_relative_to_it() {
    let diagnostic =
        Diagnostic::error("broken").at(at("/home/runner/work/repo/policies/owners.yaml", 3, 1));
    let annotations = annotations(&diagnostic, Some(Path::new("/home/runner/work/repo")));
    let place = annotations[0]
        .place
        .as_ref()
        .map(|place| place.file.as_str());
    assert_eq!(place, Some("policies/owners.yaml"));
}

#[test]
fn a_diagnostic_is_annotated_at_its_place_and_at_each_related_place_once() {
    let diagnostic = Diagnostic::error("policies `owners` and `quiet` disagree")
        .at(at("policies/owners.yaml", 4, 9))
        .with_related(at("policies/owners.yaml", 4, 9), "`owners` requires it")
        .with_related(at("policies/quiet.yaml", 7, 9), "`quiet` forbids it");
    let places: Vec<(String, usize)> = annotations(&diagnostic, None)
        .into_iter()
        .filter_map(|annotation| annotation.place)
        .map(|place| (place.file, place.line))
        .collect();
    assert_eq!(
        places,
        [
            ("policies/owners.yaml".to_string(), 4),
            ("policies/quiet.yaml".to_string(), 7)
        ]
    );
}

#[test]
fn input_can_neither_end_the_command_nor_start_another() {
    let hostile = "X\n::stop-commands::t %0A::add-mask::s\r##[error]e,f:g";
    let diagnostic = Diagnostic::error(format!("unknown action `{hostile}`"))
        .at(at(&format!("policies/{hostile}.yaml"), 1, 1))
        .with_hint(hostile);
    let rendered = lines(&diagnostic, None);
    assert_eq!(rendered.lines().count(), 1, "{rendered}");
    let (properties, data) = rendered
        .strip_prefix("::error ")
        .and_then(|rest| rest.split_once("::"))
        .expect("one command with properties and data");
    // The properties hold no separator the runner would split on, and the data holds no line
    // break or literal `%0A` that the runner would decode into one.
    assert_eq!(properties.matches(',').count(), 3, "{properties}");
    assert!(!data.contains("%0A::") && !data.contains("%0A##"), "{data}");
    assert!(!data.contains("::") && !data.contains("##["), "{data}");
    let decoded = data
        .replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%25", "%");
    assert_eq!(decoded.lines().count(), 2, "{decoded}");
    assert!(
        decoded.contains("%0A"),
        "the literal %0A is shown, not decoded: {decoded}"
    );
}
