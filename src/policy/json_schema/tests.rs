use super::*;
use crate::model::LogonType;

fn definition<'a>(schema: &'a Value, name: &str) -> &'a Value {
    &schema["definitions"][name]
}

#[test]
fn each_logon_type_offers_exactly_the_actions_a_policy_may_name_for_it() {
    let schema = policy_schema();
    for logon in LogonType::ALL {
        let offered: Vec<&str> = definition(&schema, &format!("{logon}Action"))["anyOf"][0]["enum"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|name| *name != "None")
            .collect();
        assert_eq!(offered, catalog::policy_actions(logon).names(), "{logon}");
        assert!(
            !offered.contains(&"MessageBind"),
            "deprecated: refused in policies"
        );
    }
}

#[test]
fn documents_take_their_descriptions_from_the_kind_doc_comments() {
    let schema = policy_schema();
    let descriptions: Vec<&str> = schema["oneOf"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|document| document["description"].as_str())
        .collect();
    assert_eq!(
        descriptions,
        [
            "Audit settings of the mailboxes a selector picks.",
            "The tenant-wide switch `AuditDisabled`.",
            "Whether selected accounts may bypass auditing.",
            "A mailbox audit action Microsoft added after this version of auditform, so that policies may name it.",
            "Unit tests of the policy set: a few mailboxes, and what the policies must do with each (`auditform test`).",
        ]
    );
}

#[test]
fn every_struct_of_the_format_rejects_unknown_keys_as_the_loader_does() {
    let schema = policy_schema();
    for name in [
        "Metadata",
        "MailboxPolicySpec",
        "OrganizationPolicySpec",
        "BypassPolicySpec",
        "SelectorSpec",
        "ExcludeSpec",
        "AuditSettingsSpec",
        "ActionDeclarationSpec",
    ] {
        assert_eq!(
            definition(&schema, name)["additionalProperties"],
            Value::Bool(false),
            "{name}"
        );
    }
    for document in schema["oneOf"].as_array().into_iter().flatten() {
        assert_eq!(document["additionalProperties"], Value::Bool(false));
    }
}

#[test]
fn exclude_offers_the_selector_keys_except_a_nested_exclude() {
    let schema = policy_schema();
    let keys = |name: &str| -> Vec<String> {
        definition(&schema, name)["properties"]
            .as_object()
            .map(|properties| properties.keys().cloned().collect())
            .unwrap_or_default()
    };
    let mut selector = keys("SelectorSpec");
    selector.retain(|key| key != "exclude");
    assert_eq!(keys("ExcludeSpec"), selector);
}
