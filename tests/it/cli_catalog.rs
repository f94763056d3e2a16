//! `auditform catalog`: the table the tool believes, and a JSON document whose every field
//! docs/catalog.md describes.

use crate::support::cli::{auditform, stdout_of};
use serde_json::Value;
use std::collections::BTreeSet;

const DOC: &str = include_str!("../../docs/catalog.md");

fn paths(value: &Value, prefix: &str, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                found.insert(path.clone());
                paths(value, &path, found);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| paths(item, &format!("{prefix}[]"), found)),
        _ => {}
    }
}

#[test]
fn every_field_of_the_json_catalog_is_documented_and_every_documented_field_is_there() {
    let output = auditform()
        .args(["catalog", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut found = BTreeSet::new();
    paths(&document, "", &mut found);
    let documented: BTreeSet<String> = DOC
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`'))
        .map(|(path, _)| path.to_string())
        .collect();
    // Without --policies nothing is declared, so the declared fields can't appear.
    let undeclared: BTreeSet<String> = documented
        .iter()
        .filter(|path| !path.starts_with("declared_actions[]"))
        .cloned()
        .collect();
    assert_eq!(found, undeclared);
}

#[test]
fn the_table_says_how_current_it_is_and_where_its_facts_come_from() {
    let output = auditform().arg("catalog").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = stdout_of(&output);
    assert!(text.contains("Facts as of "), "{text}");
    assert!(text.contains("https://learn.microsoft.com/purview/audit-mailboxes"));
    assert!(
        text.contains("SearchQueryInitiated      -      -         Y      needs Audit (Premium)")
    );
    assert!(text.contains("[EV-1.3] the same defaults on every licence"));
}
