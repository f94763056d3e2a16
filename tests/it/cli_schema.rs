//! `auditform schema` and `auditform completions`: the committed JSON Schema is what the
//! command prints, every bundled policy satisfies it, and editors find it from each file.

use crate::support::cli::*;

use serde::Deserialize;
use std::path::{Path, PathBuf};

const SCHEMA_FILE: &str = "schema/auditform.schema.json";
const SCHEMA_URL: &str = "file:///auditform.schema.json";
const SCHEMA_COMMENT: &str = "# yaml-language-server: $schema=";

fn committed_schema() -> serde_json::Value {
    let text = std::fs::read_to_string(repo().join(SCHEMA_FILE)).expect("the schema is committed");
    serde_json::from_str(&text).expect("the committed schema is JSON")
}

/// A validator for the committed schema.
struct Validator {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl Validator {
    fn new() -> Validator {
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler
            .add_resource(SCHEMA_URL, committed_schema())
            .expect("the schema is a resource");
        let index = compiler
            .compile(SCHEMA_URL, &mut schemas)
            .unwrap_or_else(|error| panic!("the committed schema compiles: {error:#}"));
        Validator { schemas, index }
    }

    fn check(&self, document: &serde_json::Value) -> Result<(), String> {
        self.schemas
            .validate(document, self.index)
            .map_err(|error| format!("{error:#}"))
    }
}

/// Each document of a multi-document YAML text, as JSON. Empty documents are skipped, as the
/// loader skips them.
fn documents(text: &str) -> Vec<serde_json::Value> {
    serde_yaml::Deserializer::from_str(text)
        .map(|document| serde_json::Value::deserialize(document).expect("the policy is YAML"))
        .filter(|value| !value.is_null())
        .collect()
}

fn policy_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.expect("readable entry").path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            policy_files(&path, found);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            found.push(path);
        }
    }
}

/// Every YAML policy bundled with auditform: `policies/` and everything under `examples/`
/// except the CI pipelines, which are not policies.
fn bundled_policy_files() -> Vec<PathBuf> {
    let mut found = Vec::new();
    policy_files(&repo().join("policies"), &mut found);
    policy_files(&repo().join("examples"), &mut found);
    let ci = repo().join("examples/ci");
    found.retain(|path| !path.starts_with(&ci));
    assert!(
        found.len() >= 4,
        "the bundled policies are found: {found:?}"
    );
    found
}

#[test]
fn the_committed_schema_is_what_the_schema_command_prints() {
    let output = auditform().arg("schema").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let printed = String::from_utf8(output.stdout).unwrap();
    let committed = std::fs::read_to_string(repo().join(SCHEMA_FILE)).unwrap_or_default();
    assert!(
        printed == committed,
        "{SCHEMA_FILE} is out of date with the policy types; regenerate it with\n\n    cargo run -- schema > {SCHEMA_FILE}\n"
    );
}

#[test]
fn the_schema_is_draft_07_with_one_document_per_kind() {
    let schema = committed_schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    let kinds: Vec<&str> = schema["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|document| document["properties"]["kind"]["const"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "MailboxAuditPolicy",
            "OrganizationAuditPolicy",
            "AuditBypassPolicy",
            "AuditActionDeclaration",
            "PolicyTest"
        ]
    );
}

#[test]
fn every_bundled_policy_document_satisfies_the_schema() {
    let validator = Validator::new();
    for path in bundled_policy_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let documents = documents(&text);
        assert!(!documents.is_empty(), "{} holds a policy", path.display());
        for (index, document) in documents.iter().enumerate() {
            if let Err(why) = validator.check(document) {
                panic!(
                    "document {} of {} breaks the schema:\n{why}",
                    index + 1,
                    path.display()
                );
            }
        }
    }
}

const VALID_POLICY: &str = "\
apiVersion: auditform/v1
kind: MailboxAuditPolicy
metadata:
  name: owners
spec:
  selector:
    recipientTypeDetails: [UserMailbox]
  audit:
    logAgeLimit: 180
    owner:
      add: [MailboxLogin, HardDelete]
";

#[test]
fn a_policy_with_an_unknown_key_is_rejected_by_the_schema_as_by_the_loader() {
    let validator = Validator::new();
    let valid = documents(VALID_POLICY);
    assert_eq!(validator.check(&valid[0]), Ok(()));

    let misspelt = VALID_POLICY.replace("    owner:", "    ownr:");
    let why = validator
        .check(&documents(&misspelt)[0])
        .expect_err("an unknown key is refused");
    assert!(why.contains("ownr"), "the error names the key: {why}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("owners.yaml"), &misspelt).unwrap();
    auditform()
        .args(["validate", "--policies"])
        .arg(dir.path())
        .assert()
        .code(1);
}

#[test]
fn the_schema_refuses_what_the_catalog_refuses() {
    let validator = Validator::new();
    let owner_list = "    owner:\n      add: [MailboxLogin, HardDelete]\n";
    let refused = [
        (
            "an Owner-only action under admin",
            VALID_POLICY.replace(owner_list, "    admin:\n      add: [MailboxLogin]\n"),
        ),
        (
            "the deprecated MessageBind",
            VALID_POLICY.replace(owner_list, "    owner:\n      add: [MessageBind]\n"),
        ),
        (
            "`exactly` beside `add`",
            VALID_POLICY.replace(
                owner_list,
                "    owner:\n      add: [Create]\n      exactly: [Create]\n",
            ),
        ),
        (
            "an unknown kind",
            VALID_POLICY.replace("kind: MailboxAuditPolicy", "kind: MailboxPolicy"),
        ),
        (
            "a negative logAgeLimit",
            VALID_POLICY.replace("logAgeLimit: 180", "logAgeLimit: -1"),
        ),
    ];
    for (what, text) in refused {
        assert!(
            validator.check(&documents(&text)[0]).is_err(),
            "{what} is refused"
        );
    }
}

/// DESIGN §1.1, "Actions newer than the catalog": the schema takes a declaration and a policy
/// naming a declared action, and refuses a declaration of a catalog action or a reserved word.
/// (ExampleNewAction is made up: no Microsoft source names a newer action yet, evidence W4.)
#[test]
fn the_schema_takes_declarations_but_not_of_catalog_actions() {
    let validator = Validator::new();
    let declaration = "\
apiVersion: auditform/v1
kind: AuditActionDeclaration
metadata:
  name: example-new-action
spec:
  action: ExampleNewAction
  logonTypes: [Admin, Owner]
  defaultFor: [Owner]
";
    assert_eq!(validator.check(&documents(declaration)[0]), Ok(()));
    let naming = VALID_POLICY.replace(
        "[MailboxLogin, HardDelete]",
        "[MailboxLogin, ExampleNewAction]",
    );
    assert_eq!(validator.check(&documents(&naming)[0]), Ok(()));
    for taken in ["MailItemsAccessed", "Default", "None", "Two Words"] {
        let text = declaration.replace("ExampleNewAction", &format!("'{taken}'"));
        assert!(
            validator.check(&documents(&text)[0]).is_err(),
            "a declaration of {taken} is refused"
        );
    }
    let unknown_logon = declaration.replace("[Admin, Owner]", "[Admin, Guest]");
    assert!(validator.check(&documents(&unknown_logon)[0]).is_err());
}

#[test]
fn every_bundled_policy_file_points_editors_at_the_committed_schema() {
    let schema = std::fs::canonicalize(repo().join(SCHEMA_FILE)).unwrap();
    for path in bundled_policy_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let first_line = text.lines().next().unwrap_or_default();
        let relative = first_line.strip_prefix(SCHEMA_COMMENT).unwrap_or_else(|| {
            panic!(
                "{} starts with `{SCHEMA_COMMENT}<path to {SCHEMA_FILE}>`",
                path.display()
            )
        });
        let target = path.parent().unwrap().join(relative.trim());
        assert_eq!(
            std::fs::canonicalize(&target).ok().as_ref(),
            Some(&schema),
            "{} points at {}",
            path.display(),
            target.display()
        );
    }
}

#[test]
fn completions_are_generated_for_every_supported_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = auditform().args(["completions", shell]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(
            script.contains("plan") && script.contains("auditform"),
            "{shell} completions name the plan command:\n{script}"
        );
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error_listing_the_shells() {
    let output = auditform().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("powershell"), "{stderr}");
}
