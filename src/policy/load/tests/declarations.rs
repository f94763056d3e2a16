//! `kind: AuditActionDeclaration` (DESIGN §1.1, "Actions newer than the catalog"): a policy set
//! declares an action auditform does not know, and policies may name it from then on, whatever
//! the order of the files. The name is made up: no Microsoft source names a newer action yet
//! (evidence-service.md W4); the feature is for whatever Microsoft adds next.

use super::*;
use crate::catalog::Support;

fn declaration(name: &str, action: &str, spec: &str) -> String {
    format!(
        "apiVersion: auditform/v1\nkind: AuditActionDeclaration\nmetadata:\n  name: {name}\nspec:\n  action: {action}\n{spec}"
    )
}

const NEW_ACTION: &str = "  logonTypes: [Admin, Owner]\n  defaultFor: [Owner]\n";

fn owner_adds(actions: &str) -> String {
    with_audit(&format!("    owner:\n      add: [{actions}]\n"))
}

fn load_files_text(files: &[(&str, String)]) -> Result<LoadOutput, LoadError> {
    let files = files.iter().map(|(path, text)| PolicyFile {
        path: path.to_string(),
        relative: path.to_string(),
        contents: FileContents::Bytes(text.clone().into_bytes()),
    });
    load_files("policies", Vec::new(), files)
}

#[test]
fn a_declared_action_can_be_named_by_policies_in_files_read_before_the_declaration() {
    let loaded = load_files_text(&[
        ("a.yaml", owner_adds("MailboxLogin, examplenewaction")),
        (
            "z.yaml",
            declaration("new-action", "ExampleNewAction", NEW_ACTION),
        ),
    ])
    .unwrap_or_else(|error| panic!("{error}"));
    let declared = &loaded.policies.catalog.declared()[0];
    assert_eq!(&*declared.name, "ExampleNewAction");
    assert_eq!(
        declared.support,
        [Support::Valid, Support::Rejected, Support::Default]
    );
    assert_eq!(&*declared.origin, "z.yaml:6");
    let Some(ListSpec::Change { add, .. }) =
        loaded.policies.mailbox[0].audit.list(LogonType::Owner)
    else {
        panic!("an add list");
    };
    assert!(add.contains_name("ExampleNewAction"));
    assert!(add.known.contains(Action::MailboxLogin));
}

#[test]
fn a_name_that_is_neither_in_the_catalog_nor_declared_is_refused_with_did_you_mean() {
    let error = load_files_text(&[
        ("a.yaml", owner_adds("MailItemAccessed, ExampleNewActoin")),
        (
            "b.yaml",
            declaration("new-action", "ExampleNewAction", NEW_ACTION),
        ),
    ])
    .unwrap_err();
    insta::assert_snapshot!(error.to_string());
}

#[test]
fn a_declared_action_is_refused_for_a_logon_type_it_was_not_declared_for() {
    let delegate = with_audit("    delegate:\n      add: [ExampleNewAction]\n");
    let error = load_files_text(&[
        ("a.yaml", delegate),
        (
            "b.yaml",
            declaration("new-action", "ExampleNewAction", NEW_ACTION),
        ),
    ])
    .unwrap_err();
    assert!(
        error.to_string().contains(
            "ExampleNewAction can't be audited for Delegate; it is valid for Admin and Owner"
        ),
        "{error}"
    );
}

#[test]
fn declarations_that_name_or_nearly_name_a_catalog_action_or_repeat_are_refused() {
    let error = load_files_text(&[
        (
            "a.yaml",
            declaration("one", "mailitemsaccessed", NEW_ACTION),
        ),
        ("b.yaml", declaration("two", "MailItemAccessed", NEW_ACTION)),
        (
            "c.yaml",
            declaration("three", "ExampleNewAction", NEW_ACTION),
        ),
        (
            "d.yaml",
            declaration("four", "EXAMPLENEWACTION", NEW_ACTION),
        ),
        (
            "e.yaml",
            declaration(
                "five",
                "OtherNewAction",
                "  logonTypes: [Admin]\n  defaultFor: [Owner]\n",
            ),
        ),
        ("f.yaml", declaration("six", "Default", NEW_ACTION)),
        ("g.yaml", declaration("seven", "'Two Words'", NEW_ACTION)),
        (
            "h.yaml",
            declaration("eight", "ThirdNewAction", "  logonTypes: [Admin, Guest]\n"),
        ),
        (
            "i.yaml",
            declaration("nine", "FourthNewAction", "  logonTypes: []\n"),
        ),
    ])
    .unwrap_err();
    insta::assert_snapshot!(error.to_string());
}

#[test]
fn a_set_of_declarations_alone_loads_and_says_so() {
    let loaded = load_str(
        "p.yaml",
        &declaration("new-action", "ExampleNewAction", NEW_ACTION),
    )
    .unwrap_or_else(|error| panic!("{error}"));
    assert!(!loaded.policies.is_empty());
    assert_eq!(loaded.policies.catalog.declared().len(), 1);
}

#[test]
fn a_declaration_names_unknown_keys_like_any_document() {
    let text = declaration(
        "new-action",
        "ExampleNewAction",
        "  logonTypes: [Owner]\n  defaults: [Owner]\n",
    );
    assert!(
        refusal(&text).contains("unknown key `defaults`"),
        "{}",
        refusal(&text)
    );
}
