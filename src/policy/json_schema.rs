//! The JSON Schema (draft-07) of the policy format, generated from the serde types in
//! [`schema`](super::schema) so that editors and CI check the same keys the loader reads.
//!
//! The structs derive their schema; the scalars the loader checks by hand (`apiVersion`,
//! action lists, `logAgeLimit`, ...) describe themselves here, from the same tables the loader
//! reads (the catalog, [`RecipientType::KNOWN`], [`Kind::ALL`]). A file holds documents of
//! several kinds (three kinds of policy, and tests), so the root is a `oneOf` keyed by a
//! `const` `kind`.

use crate::catalog;
use crate::model::RecipientType;
use crate::policy::schema::{
    ActionDeclarationSpec, ApiVersion, BypassPolicySpec, DeclaredName, FilterText, Kind, Licence,
    LogAgeLimit, LogonListSpec, LogonMarker, LogonTypeName, MailboxPolicySpec, MatchGlobs,
    Metadata, OrganizationPolicySpec, PolicyName, RecipientTypeName, API_VERSION, LOGON_LIST_KEYS,
};
use schemars::gen::{SchemaGenerator, SchemaSettings};
use schemars::schema::Schema;
use schemars::JsonSchema;
use serde_json::{json, Value};

/// Where the committed schema lives, relative to the repository root.
pub const SCHEMA_PATH: &str = "schema/auditform.schema.json";

/// The longest `logAgeLimit` in whole days that the service accepts.
fn max_log_age_days() -> i64 {
    crate::timespan::TimeSpan::MAX_AUDIT_LOG_AGE_LIMIT.floor_days()
}

/// The whole schema, as a JSON value ready to print.
pub fn policy_schema() -> Value {
    let mut generator = SchemaSettings::draft07().into_generator();
    let metadata = generator.subschema_for::<Metadata>();
    let documents: Vec<Value> = Kind::ALL
        .into_iter()
        .map(|kind| {
            let spec = match kind {
                Kind::MailboxAuditPolicy => generator.subschema_for::<MailboxPolicySpec>(),
                Kind::OrganizationAuditPolicy => {
                    generator.subschema_for::<OrganizationPolicySpec>()
                }
                Kind::AuditBypassPolicy => generator.subschema_for::<BypassPolicySpec>(),
                Kind::AuditActionDeclaration => generator.subschema_for::<ActionDeclarationSpec>(),
                Kind::PolicyTest => literal(testing::spec()),
            };
            document(kind, &metadata, &spec)
        })
        .collect();
    let definitions = generator.take_definitions();
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "auditform policy",
        "description": "One auditform policy document. A policy file holds one or more documents separated by `---`.",
        "oneOf": documents,
        "definitions": definitions,
    })
}

fn document(kind: Kind, metadata: &Schema, spec: &Schema) -> Value {
    json!({
        "title": kind.name(),
        "description": kind_description(kind),
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "additionalProperties": false,
        "properties": {
            "apiVersion": { "description": format!("Always `{API_VERSION}`."), "const": API_VERSION },
            "kind": { "description": "What the document describes.", "const": kind.name() },
            "metadata": metadata,
            "spec": spec,
        },
    })
}

/// The doc comment of `kind`'s variant, as the derived schema of [`Kind`] carries it.
fn kind_description(kind: Kind) -> Value {
    let kinds = serde_json::to_value(schemars::schema_for!(Kind)).unwrap_or_default();
    kinds["oneOf"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|variant| variant["enum"][0] == kind.name())
        .map(|variant| variant["description"].clone())
        .unwrap_or_default()
}

/// Builds a schema from a JSON literal written in this file.
fn literal(value: Value) -> Schema {
    // Every JSON object is a valid schema object (unknown keys become extensions), so this
    // only falls back for a literal that is not an object, which this file never writes.
    serde_json::from_value(value).unwrap_or(Schema::Bool(true))
}

impl JsonSchema for ApiVersion {
    fn schema_name() -> String {
        "ApiVersion".to_string()
    }
    fn is_referenceable() -> bool {
        false
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        literal(json!({ "const": API_VERSION }))
    }
}

impl JsonSchema for PolicyName {
    fn schema_name() -> String {
        "PolicyName".to_string()
    }
    fn is_referenceable() -> bool {
        false
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        literal(json!({
            "type": "string",
            "pattern": "^[A-Za-z0-9._-]{1,128}$",
        }))
    }
}

impl JsonSchema for LogAgeLimit {
    fn schema_name() -> String {
        "LogAgeLimit".to_string()
    }
    fn is_referenceable() -> bool {
        false
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        literal(json!({
            "oneOf": [
                { "type": "integer", "minimum": 0, "maximum": max_log_age_days() },
                {
                    "type": "string",
                    "pattern": "^\\s*([0-9]+[dD]?|([0-9]+\\.)?[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\\.[0-9]{1,7})?)\\s*$",
                },
            ],
        }))
    }
}

/// The pattern of an action name the catalog does not have: what a declaration may name.
const DECLARED_NAME_PATTERN: &str = "^[A-Za-z][A-Za-z0-9]{0,63}$";

/// A name a declaration may give, as far as a schema can say: well formed, and not a catalog
/// action nor a reserved word as the catalog spells them (the loader also refuses other cases
/// and near misses, with a hint).
fn declared_name_schema() -> Value {
    let mut taken: Vec<&str> = catalog::Action::ALL
        .iter()
        .map(|action| action.name())
        .collect();
    taken.extend(catalog::NOT_ACTIONS);
    json!({
        "type": "string",
        "pattern": DECLARED_NAME_PATTERN,
        "not": { "enum": taken },
    })
}

impl JsonSchema for DeclaredName {
    fn schema_name() -> String {
        "DeclaredActionName".to_string()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let mut schema = declared_name_schema();
        schema["description"] = json!("An audit action newer than auditform, exactly as Microsoft publishes it; not a catalog action, nor within two letters of one.");
        literal(schema)
    }
}

impl JsonSchema for LogonTypeName {
    fn schema_name() -> String {
        "LogonType".to_string()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        literal(json!({
            "description": "A logon type.",
            "type": "string",
            "enum": ["Admin", "Delegate", "Owner"],
        }))
    }
}

impl JsonSchema for RecipientTypeName {
    fn schema_name() -> String {
        "RecipientTypeDetails".to_string()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = RecipientType::KNOWN.iter().map(|t| t.name()).collect();
        literal(json!({
            "description": "A RecipientTypeDetails value, as Get-Mailbox names it.",
            "type": "string",
            "enum": names,
        }))
    }
}

impl JsonSchema for MatchGlobs {
    fn schema_name() -> String {
        "MatchGlobs".to_string()
    }
    fn is_referenceable() -> bool {
        false
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        literal(json!({
            "type": "array",
            "items": { "type": "string", "minLength": 1 },
        }))
    }
}

impl JsonSchema for FilterText {
    fn schema_name() -> String {
        "Filter".to_string()
    }
    fn is_referenceable() -> bool {
        false
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        literal(json!({ "type": "string", "minLength": 1 }))
    }
}

impl JsonSchema for Licence {
    fn schema_name() -> String {
        "Licence".to_string()
    }
    fn is_referenceable() -> bool {
        false
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        literal(json!({ "type": "string", "enum": ["E5", "nonE5"] }))
    }
}

/// One logon type's list: `default`, `{add, remove}` or `{exactly}`, each list holding only
/// actions the catalog accepts for that logon type (or the word `None`).
impl<L: LogonMarker> JsonSchema for LogonListSpec<L> {
    fn schema_name() -> String {
        format!("{}List", L::LOGON)
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let logon = L::LOGON;
        let mut names = catalog::policy_actions(logon).names();
        names.push("None");
        let action_name = format!("{logon}Action");
        let actions_name = format!("{logon}Actions");
        let action = json!({ "$ref": format!("#/definitions/{action_name}") });
        let definitions = generator.definitions_mut();
        definitions.insert(
            action_name.clone(),
            literal(json!({
                "description": format!("An action the service accepts for {logon}, or `None`; or an action the policy set declares (`kind: AuditActionDeclaration`)."),
                "anyOf": [
                    { "type": "string", "enum": names },
                    declared_name_schema(),
                ],
            })),
        );
        definitions.insert(
            actions_name.clone(),
            literal(json!({
                "description": format!("{logon} actions, or `None` for an empty list. A single action may stand without a list."),
                "oneOf": [
                    { "type": "array", "items": action },
                    action,
                    { "type": "null" },
                ],
            })),
        );
        let actions = json!({ "$ref": format!("#/definitions/{actions_name}") });
        let [add, remove, exactly] = LOGON_LIST_KEYS;
        literal(json!({
            "description": format!(
                "Audit{logon}: `default` for Microsoft's managed defaults, a mapping of `add` and/or `remove`, or `exactly`."
            ),
            "oneOf": [
                {
                    "description": "Microsoft's managed defaults; puts the logon type back in DefaultAuditSet.",
                    "type": "string",
                    "enum": ["default"],
                },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "minProperties": 1,
                    "properties": {
                        add: { "description": "Actions that must be audited.", "allOf": [actions] },
                        remove: { "description": "Actions that must not be audited.", "allOf": [actions] },
                    },
                },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": [exactly],
                    "properties": {
                        exactly: { "description": "Exactly these actions, nothing else.", "allOf": [actions] },
                    },
                },
            ],
        }))
    }
}

mod testing;

#[cfg(test)]
mod tests;
