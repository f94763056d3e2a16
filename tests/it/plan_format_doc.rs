//! docs/plan-format.md and the document auditform writes agree: every field the document has is
//! in the doc's table, every field in the table is in the document, and the doc's example is a
//! document of the documented fields.

use crate::support::plans;

use auditform::plan::document::Layout;
use auditform::plan::planfile::{self, PlanFileInfo, PlannedState};
use serde_json::Value;
use std::collections::BTreeSet;

const DOC: &str = include_str!("../../docs/plan-format.md");

/// The first column of every row of the field table.
fn documented_paths() -> BTreeSet<String> {
    DOC.lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`'))
        .map(|(path, _)| path.to_string())
        .collect()
}

/// Every field path of a JSON document, objects and lists included; `[]` for list elements.
fn paths_of(value: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, prefix: &str, paths: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    paths.insert(path.clone());
                    walk(value, &path, paths);
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, &format!("{prefix}[]"), paths);
                }
            }
            _ => {}
        }
    }
    let mut paths = BTreeSet::new();
    walk(value, "", &mut paths);
    paths
}

fn rich_plan_file(state: PlannedState) -> Value {
    let info = PlanFileInfo::new(Some(planfile::policies_digest([(
        "owner.yaml",
        b"kind: MailboxAuditPolicy".as_slice(),
    )])))
    .with_state(Some(state));
    let mut bytes = Vec::new();
    planfile::encode(&plans::rich_plan(), info, Layout::Compact, &mut bytes)
        .expect("writing to memory");
    serde_json::from_slice(&bytes).expect("a plan file is JSON")
}

/// The field paths of plan files made from each kind of state.
fn plan_file_paths() -> BTreeSet<String> {
    let snapshot = PlannedState::Snapshot {
        path: "/home/ci/audit/tenant.json".into(),
    };
    let live = PlannedState::Exo {
        tenant: "contoso.onmicrosoft.com".into(),
        endpoint: "https://outlook.office365.com".into(),
    };
    let mut paths = paths_of(&rich_plan_file(snapshot));
    paths.extend(paths_of(&rich_plan_file(live)));
    paths
}

#[test]
fn every_field_of_a_plan_file_is_documented() {
    let documented = documented_paths();
    let undocumented: Vec<String> = plan_file_paths()
        .into_iter()
        .filter(|path| !documented.contains(path))
        .collect();
    assert!(
        undocumented.is_empty(),
        "add these to docs/plan-format.md: {undocumented:?}"
    );
}

#[test]
fn every_documented_field_is_in_a_plan_file_with_every_kind_of_change() {
    let written = plan_file_paths();
    let stale: Vec<String> = documented_paths()
        .into_iter()
        .filter(|path| !written.contains(path))
        .collect();
    assert!(
        stale.is_empty(),
        "docs/plan-format.md documents fields auditform does not write: {stale:?}"
    );
}

#[test]
fn the_example_in_the_doc_is_a_document_of_documented_fields_that_reads_as_a_plan() {
    let start = DOC.find("```json\n").expect("the doc has a JSON example") + "```json\n".len();
    let length = DOC[start..].find("```").expect("the example block ends");
    let example = &DOC[start..start + length];
    let value: Value = serde_json::from_str(example).expect("the example is JSON");
    let documented = documented_paths();
    for path in paths_of(&value) {
        assert!(documented.contains(&path), "{path} is not documented");
    }
    let document: auditform::plan::document::PlanDocument =
        serde_json::from_value(value).expect("the example is a plan document");
    let plan = document.into_plan().expect("the example describes a plan");
    assert_eq!(plan.to_change(), 1);
}
