//! The documentation follows the code: the policy reference names every key of the schema, and
//! every policy shown in the docs is one that `auditform validate` accepts.

use crate::support::cli::*;

use assert_cmd::Command;
use std::collections::BTreeSet;

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|_| panic!("{path} exists"))
}

fn property_names(schema: &serde_json::Value, found: &mut BTreeSet<String>) {
    match schema {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Object(properties)) = map.get("properties") {
                found.extend(properties.keys().cloned());
            }
            map.values().for_each(|value| property_names(value, found));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| property_names(v, found)),
        _ => {}
    }
}

/// The ```yaml blocks of a Markdown text.
fn yaml_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_start()) {
            (None, "```yaml") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn the_policy_reference_names_every_key_of_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&read("schema/auditform.schema.json")).unwrap();
    let mut keys = BTreeSet::new();
    property_names(&schema, &mut keys);
    assert!(keys.len() > 20, "{keys:?}");
    // The policy keys are described in the policy reference, the test keys in the test guide.
    let reference = read("docs/policies.md") + &read("docs/testing.md");
    let missing: Vec<&String> = keys
        .iter()
        .filter(|key| {
            !(reference.contains(&format!("`{key}`")) || reference.contains(&format!(".{key}`")))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "docs/policies.md and docs/testing.md do not describe {missing:?}"
    );
}

#[test]
fn every_policy_in_the_docs_is_valid() {
    let mut checked = 0;
    for doc in ["docs/policies.md", "docs/recipes.md", "README.md"] {
        for (index, block) in yaml_blocks(&read(doc)).into_iter().enumerate() {
            if !block.contains("apiVersion:") {
                continue;
            }
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("policy.yaml"), &block).unwrap();
            let output = Command::cargo_bin("auditform")
                .unwrap()
                .args(["validate", "--policies"])
                .arg(dir.path())
                .env("NO_COLOR", "1")
                .env_remove("GITHUB_ACTIONS")
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(0),
                "policy {} of {doc} is refused:\n{block}\n{}",
                index + 1,
                String::from_utf8_lossy(&output.stderr)
            );
            checked += 1;
        }
    }
    assert!(checked >= 8, "the recipes are checked ({checked})");
}

#[test]
fn the_readme_links_the_guides() {
    let readme = read("README.md");
    for name in [
        "policies.md",
        "recipes.md",
        "ci.md",
        "exit-codes.md",
        "plan-format.md",
        "explain.md",
        "testing.md",
    ] {
        assert!(
            repo().join("docs").join(name).is_file(),
            "docs/{name} exists"
        );
        assert!(
            readme.contains(&format!("(docs/{name})")),
            "README.md links docs/{name}"
        );
    }
}
