//! The JSON Schema of a `PolicyTest` document's `spec`, from the same tables its reader uses.

use crate::catalog::{self, deprecated_actions};
use crate::model::{LogonType, RecipientType};
use crate::policy::schema::testing::{SkipCode, OUTCOME_KEYS};
use serde_json::{json, Value};

/// `spec` of a `PolicyTest`.
pub(super) fn spec() -> Value {
    json!({
        "description": "Cases that say what the policies must do with a few mailboxes.",
        "type": "object",
        "additionalProperties": false,
        "required": ["cases"],
        "properties": {
            "cases": {
                "type": "array",
                "minItems": 1,
                "items": case(),
            },
        },
    })
}

fn case() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "mailboxes", "expect"],
        "properties": {
            "name": { "description": "What the case checks, in a sentence.", "type": "string", "minLength": 1 },
            "mailboxes": {
                "description": "The mailboxes, as Get-Mailbox names their properties; only those the case needs. The others take defaults: RecipientTypeDetails UserMailbox, AuditEnabled true, AuditLogAgeLimit 90.00:00:00, no PersistedCapabilities (not E5), Microsoft's managed defaults for each list not given, and DefaultAuditSet the logon types whose list is not given.",
                "type": "array",
                "minItems": 1,
                "items": mailbox(),
            },
            "expect": {
                "description": "What must become of each mailbox, by any name it answers to.",
                "type": "object",
                "minProperties": 1,
                "additionalProperties": expectation(),
            },
        },
    })
}

fn mailbox() -> Value {
    let types: Vec<&str> = RecipientType::KNOWN.iter().map(|t| t.name()).collect();
    json!({
        "type": "object",
        "minProperties": 1,
        "properties": {
            "Identity": { "type": "string" },
            "RecipientTypeDetails": { "type": "string", "enum": types },
            "AuditEnabled": { "type": "boolean" },
            "AuditLogAgeLimit": { "type": "string" },
            "AuditAdmin": { "type": ["array", "null"], "items": { "type": "string" } },
            "AuditDelegate": { "type": ["array", "null"], "items": { "type": "string" } },
            "AuditOwner": { "type": ["array", "null"], "items": { "type": "string" } },
            "DefaultAuditSet": { "type": ["array", "null"], "items": logon_type() },
            "PersistedCapabilities": {
                "description": "`M365Auditing` makes the mailbox E5 (Audit (Premium)).",
                "type": ["array", "null"],
                "items": { "type": "string" },
            },
        },
        "additionalProperties": true,
    })
}

fn logon_type() -> Value {
    json!({ "type": "string", "enum": LogonType::ALL.map(LogonType::name) })
}

fn actions(logon: LogonType) -> Value {
    let names = catalog::valid_actions(logon)
        .union(deprecated_actions())
        .names();
    // A name the catalog does not have is one the policy set declares.
    let item = json!({ "anyOf": [
        { "type": "string", "enum": names },
        { "$ref": "#/definitions/DeclaredActionName" },
    ] });
    let list = json!({ "type": "array", "items": item });
    json!({
        "description": format!("Audit{logon}: a list is the whole set the plan leads to; `includes` / `excludes` name only some actions."),
        "oneOf": [
            list,
            {
                "type": "object",
                "additionalProperties": false,
                "minProperties": 1,
                "properties": { "includes": list, "excludes": list },
            },
        ],
    })
}

fn expectation() -> Value {
    let settings = json!({
        "description": "The settings the plan leads to; only those given are compared.",
        "type": "object",
        "additionalProperties": false,
        "minProperties": 1,
        "properties": {
            "AuditEnabled": { "type": "boolean" },
            "AuditLogAgeLimit": {
                "description": "Days as `180` or `180d`, or a TimeSpan `180.00:00:00`.",
                "type": ["integer", "string"],
            },
            "AuditAdmin": actions(LogonType::Admin),
            "AuditDelegate": actions(LogonType::Delegate),
            "AuditOwner": actions(LogonType::Owner),
            "DefaultAuditSet": { "type": "array", "items": logon_type() },
        },
    });
    let [no_change, skipped, conflict] = OUTCOME_KEYS;
    json!({
        "oneOf": [
            settings,
            {
                "type": "object", "additionalProperties": false, "required": [no_change],
                "properties": { no_change: { "description": "The plan leaves the mailbox as it is.", "const": true } },
            },
            {
                "type": "object", "additionalProperties": false, "required": [skipped],
                "properties": { skipped: { "description": "The plan skips the mailbox, for this reason.", "enum": SkipCode::ALL.map(SkipCode::name) } },
            },
            {
                "type": "object", "additionalProperties": false, "required": [conflict],
                "properties": { conflict: {
                    "description": "These policies disagree over the mailbox at the same priority.",
                    "type": "array", "minItems": 2,
                    "items": { "type": "string", "pattern": "^[A-Za-z0-9._-]{1,128}$" },
                } },
            },
        ],
    })
}
