//! Desired state: the validated form of the YAML policies.
//!
//! `load` turns files into a [`PolicySet`] (and is the only module that touches YAML),
//! `select` decides which mailboxes a policy applies to, and `resolve` merges the verdicts of
//! every policy that selects a mailbox into one desired state.

pub mod import;
pub mod json_schema;
pub mod load;
pub mod opath;
pub mod resolve;
pub mod schema;
pub mod select;

use crate::catalog::{ActionList, Catalog};
pub use crate::diagnostic::SourceLocation;
use crate::model::LogonType;
use crate::timespan::TimeSpan;
pub use select::Selector;
use std::fmt;
use std::sync::Arc;

/// The tracer that records nothing: what the planner selects and resolves with. Selection
/// ([`select::SelectTrace`]), filters ([`opath::FilterTrace`]) and resolution
/// ([`resolve::ResolveTrace`]) can be watched, for `explain`; with this tracer every event is
/// an empty call that the compiler removes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Untraced;

/// A policy's name and where it was written, for plans and error messages.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PolicyRef {
    pub name: Arc<str>,
    pub source: SourceLocation,
}

impl fmt::Display for PolicyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` ({})", self.name, self.source)
    }
}

/// Every policy of a policy directory, validated.
#[derive(Clone, Debug, Default)]
pub struct PolicySet {
    pub mailbox: Vec<MailboxPolicy>,
    pub organization: Vec<OrganizationPolicy>,
    pub bypass: Vec<BypassPolicy>,
    /// The catalog these policies name actions from: auditform's own, and the actions the
    /// policy set declares because they are newer than this version of auditform.
    pub catalog: Catalog,
}

impl PolicySet {
    /// Whether the set has no document at all: no policy, and no declared action.
    pub fn is_empty(&self) -> bool {
        self.mailbox.is_empty()
            && self.organization.is_empty()
            && self.bypass.is_empty()
            && self.catalog.declared().is_empty()
    }

    /// Property names that OPATH filters read, so that a state source keeps them.
    pub fn filter_properties(&self) -> Vec<String> {
        let selectors = self
            .mailbox
            .iter()
            .map(|p| &p.selector)
            .chain(self.bypass.iter().map(|p| &p.selector));
        let mut names: Vec<String> = selectors
            .flat_map(|selector| selector.filter_properties())
            .map(|name| name.to_ascii_lowercase())
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// `kind: MailboxAuditPolicy`.
#[derive(Clone, Debug)]
pub struct MailboxPolicy {
    pub reference: PolicyRef,
    pub description: Option<String>,
    pub priority: i64,
    pub selector: Selector,
    pub audit: AuditSpec,
}

/// What a mailbox policy asks of the audit settings. `None` leaves a property alone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditSpec {
    pub enabled: Option<bool>,
    pub log_age_limit: Option<TimeSpan>,
    /// Indexed by [`LogonType::index`].
    pub lists: [Option<ListSpec>; 3],
}

impl AuditSpec {
    pub fn list(&self, logon: LogonType) -> Option<&ListSpec> {
        self.lists[logon.index()].as_ref()
    }
}

/// What a policy asks of one logon type's list. Lists hold catalog actions and declared ones
/// (by their declared names); never an undeclared name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListSpec {
    /// `add` requires these; `remove` forbids these. Either may be empty.
    Change { add: ActionList, remove: ActionList },
    /// Requires exactly these and forbids every other action, known or not.
    Exactly(ActionList),
    /// Microsoft's managed defaults: restores DefaultAuditSet membership.
    Default,
}

/// `kind: PolicyTest`: unit tests of the policy set, with where each part was written.
#[derive(Clone, Debug)]
pub struct PolicyTest {
    pub reference: PolicyRef,
    pub description: Option<String>,
    pub cases: Vec<TestCaseSpec>,
}

/// One case of a [`PolicyTest`], as written: its mailboxes are still Get-Mailbox properties,
/// which the state reader turns into mailboxes.
#[derive(Clone, Debug)]
pub struct TestCaseSpec {
    pub name: String,
    pub source: SourceLocation,
    pub mailboxes: Vec<(SourceLocation, serde_json::Map<String, serde_json::Value>)>,
    /// What must become of each mailbox, by the name written, and where it was written.
    pub expect: Vec<(String, SourceLocation, schema::testing::ExpectationSpec)>,
}

/// `kind: OrganizationAuditPolicy`.
#[derive(Clone, Debug)]
pub struct OrganizationPolicy {
    pub reference: PolicyRef,
    pub description: Option<String>,
    pub priority: i64,
    pub audit_disabled: Option<bool>,
}

/// `kind: AuditBypassPolicy`.
#[derive(Clone, Debug)]
pub struct BypassPolicy {
    pub reference: PolicyRef,
    pub description: Option<String>,
    pub priority: i64,
    pub selector: Selector,
    pub bypass: bool,
}
