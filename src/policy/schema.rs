//! The serde types of the policy format (DESIGN §2), one per YAML node.
//!
//! Values are checked while they are deserialized, so that an error carries the position of the
//! node that holds the mistake: the YAML deserializer attaches its location to any error raised
//! inside a `Deserialize` impl. Checks that need several fields at once live in `load`.

use crate::catalog::{Action, LicenceTier};
use crate::model::{LogonType, RecipientType};
use crate::policy::opath::Filter;
use crate::policy::select::Globs;
use crate::timespan::TimeSpan;
use serde::Deserialize;
use std::marker::PhantomData;

/// The only `apiVersion` this version reads.
pub const API_VERSION: &str = "auditform/v1";

/// The fields read first, to choose the kind before the whole document is read.
#[derive(Debug, Deserialize)]
pub struct Header {
    /// Always `auditform/v1`.
    #[serde(rename = "apiVersion")]
    pub api_version: ApiVersion,
    /// What the document describes.
    pub kind: Kind,
}

/// One policy document of a given kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document<S> {
    /// Always `auditform/v1`.
    #[serde(rename = "apiVersion")]
    pub api_version: ApiVersion,
    /// What the document describes.
    pub kind: Kind,
    /// The policy's name and description.
    pub metadata: Metadata,
    /// What the policy asks for.
    pub spec: S,
}

/// `apiVersion`, checked against [`API_VERSION`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiVersion;

/// `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, schemars::JsonSchema)]
pub enum Kind {
    /// Audit settings of the mailboxes a selector picks.
    MailboxAuditPolicy,
    /// The tenant-wide switch `AuditDisabled`.
    OrganizationAuditPolicy,
    /// Whether selected accounts may bypass auditing.
    AuditBypassPolicy,
}

impl Kind {
    pub const ALL: [Kind; 3] = [
        Kind::MailboxAuditPolicy,
        Kind::OrganizationAuditPolicy,
        Kind::AuditBypassPolicy,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::MailboxAuditPolicy => "MailboxAuditPolicy",
            Kind::OrganizationAuditPolicy => "OrganizationAuditPolicy",
            Kind::AuditBypassPolicy => "AuditBypassPolicy",
        }
    }
}

/// `metadata`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// Unique across the policy set: letters, digits, `-`, `_` and `.`.
    pub name: PolicyName,
    /// What the policy is for, in a sentence.
    pub description: Option<String>,
}

/// A policy name, checked for its character set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyName(pub String);

/// `spec` of a `MailboxAuditPolicy`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MailboxPolicySpec {
    /// A higher priority wins over a lower one; equal priorities that disagree are a conflict.
    #[serde(default)]
    pub priority: i64,
    /// Which mailboxes the policy applies to.
    pub selector: SelectorSpec,
    /// What the policy asks of their audit settings.
    pub audit: AuditSettingsSpec,
}

/// `spec` of an `OrganizationAuditPolicy`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OrganizationPolicySpec {
    /// A higher priority wins over a lower one.
    #[serde(default)]
    pub priority: i64,
    /// `Set-OrganizationConfig -AuditDisabled`: `true` turns auditing off for the whole tenant.
    pub audit_disabled: bool,
}

/// `spec` of an `AuditBypassPolicy`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BypassPolicySpec {
    /// A higher priority wins over a lower one.
    #[serde(default)]
    pub priority: i64,
    /// Which accounts the policy applies to.
    pub selector: SelectorSpec,
    /// `AuditBypassEnabled`: `true` means nothing these accounts do is audited.
    pub bypass: bool,
}

/// `selector`: every condition given must hold; a list inside one condition is an OR.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SelectorSpec {
    /// RecipientTypeDetails values, such as `UserMailbox` or `SharedMailbox`.
    pub recipient_type_details: Option<Vec<RecipientTypeName>>,
    /// Identity, Name, Alias, UPN, PrimarySmtpAddress, ExternalDirectoryObjectId or Guid.
    pub identities: Option<Vec<String>>,
    /// Globs on UserPrincipalName and PrimarySmtpAddress, such as `*@finance.contoso.com`.
    #[serde(rename = "match")]
    pub match_globs: Option<MatchGlobs>,
    /// An OPATH filter: -eq -ne -like -notlike -and -or -not and parentheses.
    pub filter: Option<FilterText>,
    /// `E5`: mailboxes with Audit (Premium) (`M365Auditing` in PersistedCapabilities, which an
    /// E5-class licence brings); `nonE5`: the others. Only SearchQueryInitiated needs Audit
    /// (Premium); the managed defaults, MailItemsAccessed and Send among them, are the same on
    /// both.
    pub licence: Option<Licence>,
    /// Mailboxes that match this are not selected.
    pub exclude: Option<ExcludeSpec>,
}

/// `selector.exclude`: the selector's keys, without a nested `exclude`.
// It repeats SelectorSpec's fields rather than sharing them through `#[serde(flatten)]`:
// flatten turns off `deny_unknown_fields` and loses the positions errors need.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExcludeSpec {
    /// RecipientTypeDetails values, such as `UserMailbox` or `SharedMailbox`.
    pub recipient_type_details: Option<Vec<RecipientTypeName>>,
    /// Identity, Name, Alias, UPN, PrimarySmtpAddress, ExternalDirectoryObjectId or Guid.
    pub identities: Option<Vec<String>>,
    /// Globs on UserPrincipalName and PrimarySmtpAddress.
    #[serde(rename = "match")]
    pub match_globs: Option<MatchGlobs>,
    /// An OPATH filter.
    pub filter: Option<FilterText>,
    /// `E5`: mailboxes with Audit (Premium) (`M365Auditing` in PersistedCapabilities, which an
    /// E5-class licence brings); `nonE5`: the others. Only SearchQueryInitiated needs Audit
    /// (Premium); the managed defaults, MailItemsAccessed and Send among them, are the same on
    /// both.
    pub licence: Option<Licence>,
}

/// `audit`: every key is optional; what a policy does not name, it leaves alone.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AuditSettingsSpec {
    /// AuditEnabled.
    pub enabled: Option<bool>,
    /// AuditLogAgeLimit: days as `180` or `180d`, or a TimeSpan `180.00:00:00`.
    pub log_age_limit: Option<LogAgeLimit>,
    /// Must be `true` for a `logAgeLimit` of zero, which deletes every audit record.
    #[serde(default)]
    pub allow_purge: bool,
    /// AuditOwner.
    pub owner: Option<LogonListSpec<OwnerLogon>>,
    /// AuditAdmin.
    pub admin: Option<LogonListSpec<AdminLogon>>,
    /// AuditDelegate.
    pub delegate: Option<LogonListSpec<DelegateLogon>>,
}

/// A validated `logAgeLimit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogAgeLimit(pub TimeSpan);

/// A RecipientTypeDetails value the model knows, in its canonical spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientTypeName(pub RecipientType);

/// Compiled `match` globs.
#[derive(Debug, Clone)]
pub struct MatchGlobs(pub Globs);

/// A parsed OPATH filter.
#[derive(Debug, Clone)]
pub struct FilterText(pub Filter);

/// `licence`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Licence(pub LicenceTier);

/// Ties a list type to the logon type its actions are checked against.
pub trait LogonMarker {
    const LOGON: LogonType;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnerLogon;
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminLogon;
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DelegateLogon;

impl LogonMarker for OwnerLogon {
    const LOGON: LogonType = LogonType::Owner;
}
impl LogonMarker for AdminLogon {
    const LOGON: LogonType = LogonType::Admin;
}
impl LogonMarker for DelegateLogon {
    const LOGON: LogonType = LogonType::Delegate;
}

/// One logon type's list: the word `default`, or a mapping of `add` / `remove`, or `exactly`.
/// Action lists keep the order written, so that a warning can point at its entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogonListSpec<L> {
    /// Microsoft's managed defaults.
    Default(PhantomData<L>),
    /// Actions that must be audited, and actions that must not be.
    Change {
        add: Vec<Action>,
        remove: Vec<Action>,
    },
    /// Exactly these actions, nothing else.
    Exactly(Vec<Action>),
}

impl<L> LogonListSpec<L> {
    /// Every list with its key, for warnings.
    pub fn named_lists(&self) -> Vec<(&'static str, &[Action])> {
        match self {
            LogonListSpec::Default(_) => Vec::new(),
            LogonListSpec::Change { add, remove } => vec![("add", add), ("remove", remove)],
            LogonListSpec::Exactly(list) => vec![("exactly", list)],
        }
    }
}

/// The keys of a logon type's mapping.
pub const LOGON_LIST_KEYS: [&str; 3] = ["add", "remove", "exactly"];

mod checked;
pub use checked::{decode_raised, redundancy, RaisedError};
