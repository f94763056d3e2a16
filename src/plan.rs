//! The plan: what would change, computed from desired state and current state. Renderers turn
//! it into text, markdown, JSON or PowerShell; apply carries it out.

pub mod compliance;
pub mod conflict;
pub mod diff;
pub mod document;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod planfile;
pub mod set_mailbox;
pub mod trace;

mod subject;
pub use subject::Subject;

use crate::catalog::DeclaredAction;
use crate::model::{ActionList, Fingerprint, LogonSet, LogonType, RecipientType};
use crate::policy::PolicyRef;
use crate::timespan::TimeSpan;
use std::sync::Arc;

pub use diff::{plan_tenant, Conflict, PlanError, Planner, SharedIdNamer};

/// A property's value before and after.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Change<T> {
    pub before: T,
    pub after: T,
}

/// One logon type's list before and after, with exactly the difference to send.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ListChange {
    pub before: ActionList,
    pub after: ActionList,
    /// Catalog actions and declared ones, to add.
    pub add: ActionList,
    /// Catalog actions, declared ones and names nobody knows, to remove.
    pub remove: ActionList,
}

/// Why a change weakens auditing: auditform's "destroy".
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Weakening {
    RemovesActions {
        logon: LogonType,
        names: Vec<String>,
    },
    DisablesAuditing,
    ShortensLogAgeLimit {
        before: TimeSpan,
        after: TimeSpan,
    },
    EnablesBypass,
    DisablesOrganizationAuditing,
}

impl std::fmt::Display for Weakening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Weakening::RemovesActions { logon, names } => {
                write!(f, "stops auditing {} for {logon}", names.join(", "))
            }
            Weakening::DisablesAuditing => f.write_str("turns AuditEnabled off"),
            Weakening::ShortensLogAgeLimit { before, after } => {
                write!(f, "shortens AuditLogAgeLimit from {before} to {after}")
            }
            Weakening::EnablesBypass => f.write_str("lets the account bypass mailbox auditing"),
            Weakening::DisablesOrganizationAuditing => {
                f.write_str("turns mailbox auditing off for the whole organization")
            }
        }
    }
}

/// Everything that changes on one mailbox, carried out by one Set-Mailbox call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailboxChange {
    pub subject: Subject,
    pub recipient_type: RecipientType,
    pub policies: Arc<[PolicyRef]>,
    /// Of the audit state as it was read; apply refuses when it differs.
    pub fingerprint: Fingerprint,
    pub enabled: Option<Change<bool>>,
    pub log_age_limit: Option<Change<TimeSpan>>,
    /// Indexed by [`LogonType::index`].
    pub lists: [Option<ListChange>; 3],
    pub default_audit_set: Option<Change<LogonSet>>,
    /// Logon types whose managed defaults are restored (`Set-Mailbox -DefaultAuditSet`) rather
    /// than edited with Add/Remove.
    pub restore_defaults: LogonSet,
    /// Things a reviewer should know that are not changes, such as an ignored AuditEnabled.
    /// A boxed slice: most changes have none, and a million changes each save a `Vec`'s
    /// capacity word.
    pub notes: Box<[String]>,
}

impl MailboxChange {
    pub fn list(&self, logon: LogonType) -> Option<&ListChange> {
        self.lists[logon.index()].as_ref()
    }

    pub fn weakenings(&self) -> Vec<Weakening> {
        let mut found = Vec::new();
        if let Some(Change {
            before: true,
            after: false,
        }) = self.enabled
        {
            found.push(Weakening::DisablesAuditing);
        }
        if let Some(change) = &self.log_age_limit {
            if change.after < change.before {
                found.push(Weakening::ShortensLogAgeLimit {
                    before: change.before,
                    after: change.after,
                });
            }
        }
        for logon in LogonType::ALL {
            if let Some(list) = self.list(logon) {
                if !list.remove.is_empty() {
                    found.push(Weakening::RemovesActions {
                        logon,
                        names: list.remove.names().into_iter().map(String::from).collect(),
                    });
                }
            }
        }
        found
    }

    pub fn weakens(&self) -> bool {
        !self.weakenings().is_empty()
    }
}

/// Set-OrganizationConfig -AuditDisabled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganizationChange {
    pub audit_disabled: Change<bool>,
    pub policies: Vec<PolicyRef>,
}

impl OrganizationChange {
    pub fn weakens(&self) -> bool {
        self.audit_disabled.after && !self.audit_disabled.before
    }
}

/// Set-MailboxAuditBypassAssociation -AuditBypassEnabled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BypassChange {
    pub subject: Subject,
    pub bypass_enabled: Change<bool>,
    pub policies: Vec<PolicyRef>,
}

impl BypassChange {
    pub fn weakens(&self) -> bool {
        self.bypass_enabled.after && !self.bypass_enabled.before
    }
}

/// Why a selected mailbox gets no change, or not all of what its policies ask.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SkipReason {
    /// GroupMailbox: the service fixes its audit actions and ignores its AuditEnabled [EV-4.6];
    /// what policies ask of those is skipped. Its AuditLogAgeLimit is still planned.
    FixedConfiguration,
    /// A policy requires actions that need Audit (Premium), which the mailbox lacks.
    LicenceRequired { actions: Vec<String> },
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::FixedConfiguration => f.write_str(
                "GroupMailbox: the audit actions and AuditEnabled of a Microsoft 365 Group mailbox are fixed and can't be customized (only its AuditLogAgeLimit can be changed)",
            ),
            SkipReason::LicenceRequired { actions } => write!(
                f,
                "{} needs Audit (Premium) (an E5-class licence), which this mailbox lacks; select mailboxes with `licence: E5`, or assign the licence",
                actions.join(", ")
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub subject: Subject,
    pub recipient_type: RecipientType,
    pub reason: SkipReason,
    pub policies: Vec<PolicyRef>,
}

/// The whole plan. Its order is deterministic: the order in which the source listed objects.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Where the current state was read from, such as `snapshot examples/tenant.json`.
    pub source: String,
    pub mailbox_changes: Vec<MailboxChange>,
    pub organization_change: Option<OrganizationChange>,
    pub bypass_changes: Vec<BypassChange>,
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<String>,
    /// Mailboxes read that need no change (whether or not a policy selected them).
    pub unchanged: usize,
    /// The actions the policy set declares, unknown to this version of auditform: the plan
    /// marks them where they appear, and a sink accepts them as declared.
    pub declared_actions: Vec<DeclaredAction>,
}

impl Plan {
    /// The declaration of an action the plan names, if the policy set declared it.
    pub fn declaration(&self, name: &str) -> Option<&DeclaredAction> {
        let name = name.trim();
        self.declared_actions
            .iter()
            .find(|declared| declared.name.eq_ignore_ascii_case(name))
    }

    /// The catalog the plan was made with: auditform's own and the declared actions.
    pub fn catalog(&self) -> crate::catalog::Catalog {
        crate::catalog::Catalog::from_trusted(self.declared_actions.clone())
    }

    /// Objects that change: each mailbox, the organization, and each bypass association.
    pub fn to_change(&self) -> usize {
        self.mailbox_changes.len()
            + usize::from(self.organization_change.is_some())
            + self.bypass_changes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.to_change() == 0
    }

    /// Changes that weaken auditing, counted per object.
    pub fn weakening_count(&self) -> usize {
        self.mailbox_changes.iter().filter(|c| c.weakens()).count()
            + self
                .organization_change
                .iter()
                .filter(|c| c.weakens())
                .count()
            + self.bypass_changes.iter().filter(|c| c.weakens()).count()
    }
}
