//! The policy format (DESIGN §2) as types: one set that the loader reads, `import` writes, and
//! the JSON Schema is generated from.
//!
//! Each type is one YAML node. Values are checked as they are made: a scalar through its
//! `TryFrom<&str>` (in [`checked`]), so that whatever makes one (the loader reading a file,
//! import describing a tenant, a test) gets the same check and the same message. The loader
//! reads these types from YAML with the place of every node at hand (`load::read`); serde
//! writes them (`Serialize`, in [`written`]); schemars describes them (`json_schema`). Checks
//! that need several fields at once live in `load`.

use crate::catalog::{Action, LicenceTier};
use crate::model::{LogonType, RecipientType};
use crate::policy::opath::Filter;
use crate::policy::select::Globs;
use crate::timespan::TimeSpan;
use serde::Serialize;
use std::marker::PhantomData;

/// The only `apiVersion` this version reads.
pub const API_VERSION: &str = "auditform/v1";

/// A document of a policy directory: a policy, or a test of the policies.
#[derive(Debug, Clone)]
pub enum Document {
    /// Boxed: a policy is large, and a directory holds far more policies than tests.
    Policy(Box<PolicyDocument>),
    Test(TestDocument),
}

/// One policy document: `apiVersion`, `kind`, `metadata` and `spec`. The kind is the spec's.
#[derive(Debug, Clone)]
pub struct PolicyDocument {
    /// The policy's name and description.
    pub metadata: Metadata,
    /// What the policy asks for.
    pub spec: Spec,
}

/// What a policy asks for, by kind.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Spec {
    Mailbox(MailboxPolicySpec),
    Organization(OrganizationPolicySpec),
    Bypass(BypassPolicySpec),
    Declaration(ActionDeclarationSpec),
}

impl Spec {
    pub fn kind(&self) -> Kind {
        match self {
            Spec::Mailbox(_) => Kind::MailboxAuditPolicy,
            Spec::Organization(_) => Kind::OrganizationAuditPolicy,
            Spec::Bypass(_) => Kind::AuditBypassPolicy,
            Spec::Declaration(_) => Kind::AuditActionDeclaration,
        }
    }
}

/// `apiVersion`, checked against [`API_VERSION`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// A mailbox audit action Microsoft added after this version of auditform, so that
    /// policies may name it.
    AuditActionDeclaration,
    /// Unit tests of the policy set: a few mailboxes, and what the policies must do with each (`auditform test`).
    PolicyTest,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::MailboxAuditPolicy,
        Kind::OrganizationAuditPolicy,
        Kind::AuditBypassPolicy,
        Kind::AuditActionDeclaration,
        Kind::PolicyTest,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::MailboxAuditPolicy => "MailboxAuditPolicy",
            Kind::OrganizationAuditPolicy => "OrganizationAuditPolicy",
            Kind::AuditBypassPolicy => "AuditBypassPolicy",
            Kind::AuditActionDeclaration => "AuditActionDeclaration",
            Kind::PolicyTest => "PolicyTest",
        }
    }
}

/// `metadata`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Metadata {
    /// Unique across the policy set: letters, digits, `-`, `_` and `.`.
    pub name: PolicyName,
    /// What the policy is for, in a sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A policy name, checked for its character set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyName(String);

impl PolicyName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `spec` of a `MailboxAuditPolicy`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(deny_unknown_fields)]
pub struct MailboxPolicySpec {
    /// A higher priority wins over a lower one; equal priorities that disagree are a conflict.
    #[serde(default, skip_serializing_if = "is_zero")]
    #[schemars(skip_serializing_if = "never")]
    pub priority: i64,
    /// Which mailboxes the policy applies to.
    pub selector: SelectorSpec,
    /// What the policy asks of their audit settings.
    pub audit: AuditSettingsSpec,
}

/// `spec` of an `OrganizationAuditPolicy`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(deny_unknown_fields)]
pub struct OrganizationPolicySpec {
    /// A higher priority wins over a lower one.
    #[serde(default, skip_serializing_if = "is_zero")]
    #[schemars(skip_serializing_if = "never")]
    pub priority: i64,
    /// `Set-OrganizationConfig -AuditDisabled`: `true` turns auditing off for the whole tenant.
    pub audit_disabled: bool,
}

/// `spec` of an `AuditBypassPolicy`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(deny_unknown_fields)]
pub struct BypassPolicySpec {
    /// A higher priority wins over a lower one.
    #[serde(default, skip_serializing_if = "is_zero")]
    #[schemars(skip_serializing_if = "never")]
    pub priority: i64,
    /// Which accounts the policy applies to.
    pub selector: SelectorSpec,
    /// `AuditBypassEnabled`: `true` means nothing these accounts do is audited.
    pub bypass: bool,
}

/// `spec` of an `AuditActionDeclaration`: an action the service has and this version of
/// auditform does not. Policies may name it from then on; the plan marks it as declared, not
/// known, and the service's own answer decides at apply.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(deny_unknown_fields)]
pub struct ActionDeclarationSpec {
    /// The action's name, exactly as Microsoft publishes it: letters and digits.
    pub action: DeclaredName,
    /// The logon types the service accepts it for: `Admin`, `Delegate`, `Owner`.
    pub logon_types: Vec<LogonTypeName>,
    /// Those of them for which it is one of Microsoft's managed defaults (audited while the
    /// logon type is in DefaultAuditSet). Empty when left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(skip_serializing_if = "never")]
    pub default_for: Vec<LogonTypeName>,
}

/// A declared action's name: a letter, then letters and digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeclaredName(pub String);

/// A logon type's name: `Admin`, `Delegate` or `Owner`, whatever the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LogonTypeName(pub LogonType);

/// `selector`: every condition given must hold; a list inside one condition is an OR.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(deny_unknown_fields)]
pub struct SelectorSpec {
    /// RecipientTypeDetails values, such as `UserMailbox` or `SharedMailbox`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_type_details: Option<Vec<RecipientTypeName>>,
    /// Identity, Name, Alias, UPN, PrimarySmtpAddress, ExternalDirectoryObjectId or Guid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identities: Option<Vec<String>>,
    /// Globs on UserPrincipalName and PrimarySmtpAddress, such as `*@finance.contoso.com`.
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    pub match_globs: Option<MatchGlobs>,
    /// An OPATH filter: -eq -ne -like -notlike -and -or -not and parentheses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<FilterText>,
    /// `E5`: mailboxes with Audit (Premium) (`M365Auditing` in PersistedCapabilities, which an
    /// E5-class licence brings); `nonE5`: the others. Only SearchQueryInitiated needs Audit
    /// (Premium); the managed defaults, MailItemsAccessed and Send among them, are the same on
    /// both.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licence: Option<Licence>,
    /// Mailboxes that match this are not selected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude: Option<ExcludeSpec>,
}

/// `selector.exclude`: the selector's keys, without a nested `exclude`.
// It repeats SelectorSpec's fields rather than sharing them through `#[serde(flatten)]`, so
// that the schema lists them and refuses unknown keys here too.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(deny_unknown_fields)]
pub struct ExcludeSpec {
    /// RecipientTypeDetails values, such as `UserMailbox` or `SharedMailbox`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_type_details: Option<Vec<RecipientTypeName>>,
    /// Identity, Name, Alias, UPN, PrimarySmtpAddress, ExternalDirectoryObjectId or Guid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identities: Option<Vec<String>>,
    /// Globs on UserPrincipalName and PrimarySmtpAddress.
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    pub match_globs: Option<MatchGlobs>,
    /// An OPATH filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<FilterText>,
    /// `E5`: mailboxes with Audit (Premium) (`M365Auditing` in PersistedCapabilities, which an
    /// E5-class licence brings); `nonE5`: the others. Only SearchQueryInitiated needs Audit
    /// (Premium); the managed defaults, MailItemsAccessed and Send among them, are the same on
    /// both.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licence: Option<Licence>,
}

/// `audit`: every key is optional; what a policy does not name, it leaves alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(deny_unknown_fields)]
pub struct AuditSettingsSpec {
    /// AuditEnabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// AuditLogAgeLimit: days as `180` or `180d`, or a TimeSpan `180.00:00:00`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_age_limit: Option<LogAgeLimit>,
    /// Must be `true` for a `logAgeLimit` of zero, which deletes every audit record.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[schemars(skip_serializing_if = "never")]
    pub allow_purge: bool,
    /// AuditOwner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<LogonListSpec<OwnerLogon>>,
    /// AuditAdmin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin: Option<LogonListSpec<AdminLogon>>,
    /// AuditDelegate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegate: Option<LogonListSpec<DelegateLogon>>,
}

/// A validated `logAgeLimit`: not negative, and no longer than the service allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LogAgeLimit(TimeSpan);

impl LogAgeLimit {
    pub fn span(self) -> TimeSpan {
        self.0
    }
}

/// A RecipientTypeDetails value the model knows, in its canonical spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientTypeName(pub RecipientType);

/// Compiled `match` globs.
#[derive(Debug, Clone)]
pub struct MatchGlobs(pub Globs);

/// A parsed OPATH filter, and the text it was parsed from.
#[derive(Debug, Clone)]
pub struct FilterText {
    pub text: String,
    pub filter: Filter,
}

/// `licence`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Licence(pub LicenceTier);

/// Ties a list type to the logon type its actions are checked against.
pub trait LogonMarker {
    const LOGON: LogonType;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OwnerLogon;
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AdminLogon;
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// An action a policy names: one of the catalog's, or a name the catalog does not have, which
/// must be one the policy set declares (`kind: AuditActionDeclaration`). The loader checks that
/// once it has read every file, since a declaration may come after the policies that use it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PolicyAction {
    Known(Action),
    Declared(String),
}

impl PolicyAction {
    pub fn name(&self) -> &str {
        match self {
            PolicyAction::Known(action) => action.name(),
            PolicyAction::Declared(name) => name,
        }
    }

    /// Whether two name one action: catalog actions by identity, others ignoring case.
    pub fn same_as(&self, other: &PolicyAction) -> bool {
        match (self, other) {
            (PolicyAction::Known(a), PolicyAction::Known(b)) => a == b,
            (PolicyAction::Declared(a), PolicyAction::Declared(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        }
    }
}

impl std::fmt::Display for PolicyAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl From<Action> for PolicyAction {
    fn from(action: Action) -> PolicyAction {
        PolicyAction::Known(action)
    }
}

/// One logon type's list: the word `default`, or a mapping of `add` / `remove`, or `exactly`.
/// Action lists keep the order written, so that a warning can point at its entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LogonListSpec<L> {
    /// Microsoft's managed defaults.
    Default(PhantomData<L>),
    /// Actions that must be audited, and actions that must not be.
    Change {
        add: Vec<PolicyAction>,
        remove: Vec<PolicyAction>,
    },
    /// Exactly these actions, nothing else.
    Exactly(Vec<PolicyAction>),
}

impl<L> LogonListSpec<L> {
    /// Microsoft's managed defaults.
    pub fn default_list() -> LogonListSpec<L> {
        LogonListSpec::Default(PhantomData)
    }

    /// Every list with its key, for warnings.
    pub fn named_lists(&self) -> Vec<(&'static str, &[PolicyAction])> {
        match self {
            LogonListSpec::Default(_) => Vec::new(),
            LogonListSpec::Change { add, remove } => vec![("add", add), ("remove", remove)],
            LogonListSpec::Exactly(list) => vec![("exactly", list)],
        }
    }
}

/// The keys of a logon type's mapping.
pub const LOGON_LIST_KEYS: [&str; 3] = ["add", "remove", "exactly"];

fn is_zero(value: &i64) -> bool {
    *value == 0
}

/// For the schema, which states a default that the writer leaves out.
fn never<T>(_: &T) -> bool {
    false
}

pub mod checked;
pub mod testing;
mod written;
pub use checked::{redundancy, Invalid};
pub use testing::TestDocument;
