//! `kind: PolicyTest`: unit tests of the policy set, read with the same vocabulary as the
//! policies (`auditform test`).
//!
//! ```yaml
//! apiVersion: auditform/v1
//! kind: PolicyTest
//! metadata:
//!   name: user-mailboxes-tests
//! spec:
//!   cases:
//!     - name: a user mailbox audits its owner's sign-ins
//!       mailboxes:
//!         - Identity: pilar
//!           RecipientTypeDetails: UserMailbox
//!       expect:
//!         pilar:
//!           AuditOwner: {includes: [MailboxLogin]}
//! ```
//!
//! A mailbox is written with Get-Mailbox property names, only those the case needs; the rest
//! take documented defaults (see `state::test_mailbox`). An expectation is either settings
//! (Get-Mailbox names again), or one of `noChange`, `skipped` or `conflict`.

use crate::model::LogonType;
use crate::policy::schema::{LogAgeLimit, Metadata, PolicyAction, PolicyName};

/// A `PolicyTest` document.
#[derive(Debug, Clone)]
pub struct TestDocument {
    pub metadata: Metadata,
    pub spec: TestSpec,
}

/// `spec` of a `PolicyTest`.
#[derive(Debug, Clone)]
pub struct TestSpec {
    /// The cases, each run on its own.
    pub cases: Vec<CaseSpec>,
}

/// One case: a few mailboxes, and what the policies must do with each.
#[derive(Debug, Clone)]
pub struct CaseSpec {
    /// What the case checks, in a sentence.
    pub name: String,
    /// The mailboxes, as Get-Mailbox names their properties.
    pub mailboxes: Vec<MailboxSpec>,
    /// What must become of each mailbox, by any name it answers to.
    pub expect: Vec<(String, ExpectationSpec)>,
}

/// A mailbox as Get-Mailbox names its properties, in the order written.
#[derive(Debug, Clone)]
pub struct MailboxSpec {
    pub properties: serde_json::Map<String, serde_json::Value>,
}

/// What must become of one mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectationSpec {
    /// The settings the plan leads to; only the properties given are compared.
    Settings(ExpectedSettingsSpec),
    /// `noChange: true`: the plan leaves the mailbox as it is.
    NoChange,
    /// `skipped: REASON`: the plan skips it, for this reason code.
    Skipped(SkipCode),
    /// `conflict: [a, b]`: these policies disagree over it at the same priority.
    Conflict(Vec<PolicyName>),
}

/// The keys of an expectation: settings by their Get-Mailbox names, or one outcome.
pub const SETTINGS_KEYS: [&str; 6] = [
    "AuditEnabled",
    "AuditLogAgeLimit",
    "AuditAdmin",
    "AuditDelegate",
    "AuditOwner",
    "DefaultAuditSet",
];
pub const OUTCOME_KEYS: [&str; 3] = ["noChange", "skipped", "conflict"];

/// Desired settings, by their Get-Mailbox names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpectedSettingsSpec {
    pub audit_enabled: Option<bool>,
    pub audit_log_age_limit: Option<LogAgeLimit>,
    /// Indexed by [`LogonType::index`].
    pub lists: [Option<ExpectedListSpec>; 3],
    pub default_audit_set: Option<Vec<LogonType>>,
}

/// What a logon type's list must be: a list is the whole set; a mapping says what it
/// `includes` and `excludes`. A name the catalog does not have is one the policy set must
/// declare (`kind: AuditActionDeclaration`); it is checked against the set's declarations
/// when the tests are built, since a test directory may be read apart from the policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedListSpec {
    Exactly(Vec<PolicyAction>),
    Partly {
        includes: Vec<PolicyAction>,
        excludes: Vec<PolicyAction>,
    },
}

impl ExpectedListSpec {
    /// Every action the expectation names.
    pub fn actions(&self) -> impl Iterator<Item = &PolicyAction> {
        let (first, second): (&[PolicyAction], &[PolicyAction]) = match self {
            ExpectedListSpec::Exactly(actions) => (actions, &[]),
            ExpectedListSpec::Partly { includes, excludes } => (includes, excludes),
        };
        first.iter().chain(second)
    }
}

/// A skip's reason code, as the plan document writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipCode {
    FixedConfiguration,
    LicenceRequired,
}

impl SkipCode {
    pub const ALL: [SkipCode; 2] = [SkipCode::FixedConfiguration, SkipCode::LicenceRequired];

    pub fn name(self) -> &'static str {
        match self {
            SkipCode::FixedConfiguration => "fixed_configuration",
            SkipCode::LicenceRequired => "licence_required",
        }
    }
}

/// Get-Mailbox properties that decide a test mailbox's audit settings, each a likely typo
/// target: a key close to one of these but not it is refused rather than kept as some other
/// property, which would leave the setting at its default and the test meaningless.
pub const AUDIT_PROPERTIES: [&str; 8] = [
    "RecipientTypeDetails",
    "AuditEnabled",
    "AuditLogAgeLimit",
    "AuditAdmin",
    "AuditDelegate",
    "AuditOwner",
    "DefaultAuditSet",
    "PersistedCapabilities",
];
