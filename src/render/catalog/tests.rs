use super::*;
use crate::catalog::DeclaredAction;

fn text(catalog: &Catalog) -> String {
    let mut out = Vec::new();
    render_catalog_text(catalog, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn json(catalog: &Catalog) -> String {
    let mut out = Vec::new();
    render_catalog_json(catalog, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn declaring() -> Catalog {
    let mut catalog = Catalog::builtin();
    catalog
        .declare(DeclaredAction {
            name: "ExampleNewAction".into(),
            support: [Support::Valid, Support::Valid, Support::Default],
            origin: "policies/declared-actions.yaml:4".into(),
        })
        .unwrap();
    catalog
}

#[test]
fn the_table_reads_beside_microsofts_page() {
    insta::assert_snapshot!(text(&Catalog::builtin()));
}

#[test]
fn declared_actions_follow_the_table_marked_as_the_users_word() {
    let text = text(&declaring());
    let declared = text
        .split("Declared by the policy set")
        .nth(1)
        .expect("a section for declarations");
    insta::assert_snapshot!(declared.lines().take(2).collect::<Vec<_>>().join("\n"), @r"
    , unknown to this version of auditform (the service's own answer decides at apply):
    ExampleNewAction          Y      Y         D      declared in policies/declared-actions.yaml:4
    ");
}

#[test]
fn the_json_document_has_every_row_with_its_evidence() {
    insta::assert_snapshot!(json(&declaring()));
}

#[test]
fn every_row_of_the_json_is_a_catalog_row() {
    let document: serde_json::Value = serde_json::from_str(&json(&Catalog::builtin())).unwrap();
    let actions = document["actions"].as_array().unwrap();
    assert_eq!(actions.len(), CATALOG.len());
    for (row, action) in CATALOG.iter().zip(actions) {
        assert_eq!(action["name"], row.name);
        for logon in LogonType::ALL {
            assert_eq!(
                action[logon.name()],
                support_word(row.support[logon.index()]),
                "{} {logon}",
                row.name
            );
        }
    }
}
