//! The documents an import writes, as serializable types: the policy format seen from the
//! writing side. The loader reads the same YAML with the checked types of `schema`, and the
//! import property test round-trips every key through both.

use serde::Serialize;

/// One policy document, in the shape of the YAML format (DESIGN §2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyDocument {
    #[serde(rename = "apiVersion")]
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: Metadata,
    pub spec: Spec,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Metadata {
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Spec {
    Mailbox(MailboxSpec),
    Organization(OrganizationSpec),
    Bypass(BypassSpec),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MailboxSpec {
    #[serde(skip_serializing_if = "is_zero")]
    pub priority: i64,
    pub selector: SelectorSpec,
    pub audit: AuditSpec,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationSpec {
    pub audit_disabled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BypassSpec {
    #[serde(skip_serializing_if = "is_zero")]
    pub priority: i64,
    pub selector: SelectorSpec,
    pub bypass: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SelectorSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_type_details: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identities: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude: Option<ExcludeSpec>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExcludeSpec {
    pub identities: Vec<String>,
}

/// What a mailbox's audit settings are, as a policy says it. Two mailboxes with the same
/// `AuditSpec` are described by the same policy.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditSpec {
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_age_limit: Option<LogAgeLimit>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_purge: bool,
    pub admin: ListSpec,
    pub delegate: ListSpec,
    pub owner: ListSpec,
}

/// `logAgeLimit`: whole days where the loader reads them as days, else the TimeSpan text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum LogAgeLimit {
    Days(i64),
    TimeSpan(String),
}

/// One logon type's list.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum ListSpec {
    /// The word `default`.
    Default(&'static str),
    Exactly {
        exactly: Vec<&'static str>,
    },
    /// Leaves names a policy can't write (unknown, deprecated, invalid for the logon type)
    /// alone, because only `exactly` would remove them.
    Change {
        #[serde(skip_serializing_if = "Vec::is_empty")]
        add: Vec<&'static str>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        remove: Vec<&'static str>,
    },
}

fn is_zero(value: &i64) -> bool {
    *value == 0
}
