//! The audit action catalog: which mailbox audit actions exist, for which logon type the service
//! accepts each, which are Microsoft's managed defaults, which need an E5 / Audit (Premium)
//! licence, and which names the service no longer accepts.
//!
//! [`CATALOG`] is the only statement of these facts in the code base. Validation, defaults,
//! licence checks, the emulator and every error message read from it.

use crate::english::Echo;
use std::fmt;

mod action_set;
mod logon_type;
pub use action_set::ActionSet;
pub use logon_type::LogonType;

/// A mailbox audit action the catalog knows. Discriminants index [`CATALOG`] and the bits of
/// [`ActionSet`], so the order here is the order of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Action {
    ApplyRecord,
    Copy,
    Create,
    FolderBind,
    HardDelete,
    MailboxLogin,
    MailItemsAccessed,
    MessageBind,
    Move,
    MoveToDeletedItems,
    RecordDelete,
    SearchQueryInitiated,
    Send,
    SendAs,
    SendOnBehalf,
    SoftDelete,
    Update,
    UpdateCalendarDelegation,
    UpdateComplianceTag,
    UpdateFolderPermissions,
    UpdateInboxRules,
    AddFolderPermissions,
    ModifyFolderPermissions,
    RemoveFolderPermissions,
}

/// How one logon type treats one action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Support {
    /// Valid, and audited by default while the logon type is in DefaultAuditSet.
    Default,
    /// Valid, but not a default.
    Valid,
    /// The service rejects it for this logon type.
    Rejected,
}

/// Which licence an action needs. Since the 2024 rollout of Audit (Standard), only one action
/// still needs Audit (Premium) [EV-1.3] [EV-1.4].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Licensing {
    Any,
    /// Needs Audit (Premium) (an E5-class licence): the service refuses it on other mailboxes.
    Premium,
    /// Accepted only on a mailbox *without* Audit (Premium) (MessageBind) [EV-1.8].
    WithoutPremium,
}

/// Facts about an action beyond validity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Remark {
    None,
    /// Deprecated: accepted by the service where [`ActionInfo::support`] says so, but no longer
    /// logged. auditform refuses it in policies, with this hint; the text is auditform's own,
    /// not the service's (no public source quotes a service text for it) [EV-1.8].
    Deprecated {
        hint: &'static str,
    },
    /// Accepted, but another action already covers it [EV-1.6].
    Redundant {
        covered_by: Action,
    },
    /// Delegate records are merged to one per folder per 24 hours [EV-1.7].
    MergedForDelegates,
}

/// One row of the catalog.
#[derive(Clone, Copy, Debug)]
pub struct ActionInfo {
    pub action: Action,
    pub name: &'static str,
    /// Indexed by [`LogonType::index`]: Admin, Delegate, Owner.
    pub support: [Support; 3],
    pub licensing: Licensing,
    pub remark: Remark,
    /// The evidence for this row: tags of [`evidence::SOURCES`].
    pub evidence: &'static [&'static str],
}

use Licensing::{Any, Premium, WithoutPremium};
use Support::{Default as D, Rejected as N, Valid as Y};

const fn row(
    action: Action,
    name: &'static str,
    support: [Support; 3],
    licensing: Licensing,
    remark: Remark,
    evidence: &'static [&'static str],
) -> ActionInfo {
    ActionInfo {
        action,
        name,
        support,
        licensing,
        remark,
        evidence,
    }
}

const MESSAGE_BIND: Remark = Remark::Deprecated {
    hint: "MessageBind is deprecated and no longer logged; audit MailItemsAccessed instead, which every licence audits by default",
};
const FOLDER_PERMISSIONS: Remark = Remark::Redundant {
    covered_by: Action::UpdateFolderPermissions,
};

/// Microsoft's table (MS audit-mailboxes 2023-06-20), with the 2024 Audit (Standard) rollout:
/// MailItemsAccessed and Send are defaults on every licence.
const TABLE: &[&str] = &["EV-1.1"];
const STANDARD_ROLLOUT: &[&str] = &["EV-1.1", "EV-1.2", "EV-1.3"];
const DEFAULTS: &[&str] = &["EV-1.1", "EV-1.2"];

/// The catalog, as Exchange Online behaves today. Columns: Admin, Delegate, Owner.
///
/// Every default (`D`) is Microsoft's managed default list for that logon type, the same for
/// every licence since the 2024 rollout of Audit (Standard) [EV-1.2] [EV-1.3]: Microsoft's SOA
/// script dropped its E5/non-E5 split in Dec 2024, CIS v5 6.1.2 gives one list for E3 and E5,
/// and CISA ScubaGear retired its Audit (Premium) policy in 2025 because Standard now carries
/// MailItemsAccessed and Send.
#[rustfmt::skip]
pub const CATALOG: [ActionInfo; 24] = [
    row(Action::ApplyRecord,              "ApplyRecord",              [D, D, D], Any,            Remark::None,               DEFAULTS),
    row(Action::Copy,                     "Copy",                     [Y, N, N], Any,            Remark::None,               TABLE),
    row(Action::Create,                   "Create",                   [D, D, Y], Any,            Remark::None,               DEFAULTS),
    row(Action::FolderBind,               "FolderBind",               [Y, Y, N], Any,            Remark::MergedForDelegates, &["EV-1.1", "EV-1.7"]),
    row(Action::HardDelete,               "HardDelete",               [D, D, D], Any,            Remark::None,               DEFAULTS),
    row(Action::MailboxLogin,             "MailboxLogin",             [N, N, Y], Any,            Remark::None,               TABLE),
    row(Action::MailItemsAccessed,        "MailItemsAccessed",        [D, D, D], Any,            Remark::None,               STANDARD_ROLLOUT),
    row(Action::MessageBind,              "MessageBind",              [Y, N, N], WithoutPremium, MESSAGE_BIND,               &["EV-1.1", "EV-1.8", "EV-3.1"]),
    row(Action::Move,                     "Move",                     [Y, Y, Y], Any,            Remark::None,               TABLE),
    row(Action::MoveToDeletedItems,       "MoveToDeletedItems",       [D, D, D], Any,            Remark::None,               DEFAULTS),
    row(Action::RecordDelete,             "RecordDelete",             [Y, Y, Y], Any,            Remark::None,               TABLE),
    row(Action::SearchQueryInitiated,     "SearchQueryInitiated",     [N, N, Y], Premium,        Remark::None,               &["EV-1.4"]),
    row(Action::Send,                     "Send",                     [D, N, D], Any,            Remark::None,               STANDARD_ROLLOUT),
    row(Action::SendAs,                   "SendAs",                   [D, D, N], Any,            Remark::None,               DEFAULTS),
    row(Action::SendOnBehalf,             "SendOnBehalf",             [D, D, N], Any,            Remark::None,               DEFAULTS),
    row(Action::SoftDelete,               "SoftDelete",               [D, D, D], Any,            Remark::None,               DEFAULTS),
    row(Action::Update,                   "Update",                   [D, D, D], Any,            Remark::None,               DEFAULTS),
    row(Action::UpdateCalendarDelegation, "UpdateCalendarDelegation", [D, N, D], Any,            Remark::None,               DEFAULTS),
    row(Action::UpdateComplianceTag,      "UpdateComplianceTag",      [Y, Y, Y], Any,            Remark::None,               &["EV-1.5"]),
    row(Action::UpdateFolderPermissions,  "UpdateFolderPermissions",  [D, D, D], Any,            Remark::None,               DEFAULTS),
    row(Action::UpdateInboxRules,         "UpdateInboxRules",         [D, D, D], Any,            Remark::None,               DEFAULTS),
    row(Action::AddFolderPermissions,     "AddFolderPermissions",     [Y, Y, Y], Any,            FOLDER_PERMISSIONS,         &["EV-1.6"]),
    row(Action::ModifyFolderPermissions,  "ModifyFolderPermissions",  [Y, Y, Y], Any,            FOLDER_PERMISSIONS,         &["EV-1.6"]),
    row(Action::RemoveFolderPermissions,  "RemoveFolderPermissions",  [Y, Y, Y], Any,            FOLDER_PERMISSIONS,         &["EV-1.6"]),
];

/// Names of the service's enum that are not auditable actions [EV-1.9]. `None` means an empty
/// list, in state and in policies alike. `Default` is an enum member (and a
/// Search-MailboxAuditLog value) whose effect in Set-Mailbox no public source describes, so
/// policies may not name it; the `default` keyword is what a policy means by it.
pub const NOT_ACTIONS: [&str; 2] = ["None", "Default"];

impl Action {
    pub const ALL: [Action; 24] = {
        let mut all = [Action::ApplyRecord; 24];
        let mut i = 0;
        while i < 24 {
            all[i] = CATALOG[i].action;
            i += 1;
        }
        all
    };

    pub fn info(self) -> &'static ActionInfo {
        &CATALOG[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn support(self, logon: LogonType) -> Support {
        self.info().support[logon.index()]
    }

    pub fn is_valid_for(self, logon: LogonType) -> bool {
        self.support(logon) != Support::Rejected
    }

    /// Whether the service refuses it on a mailbox without Audit (Premium).
    pub fn needs_premium(self) -> bool {
        self.info().licensing == Licensing::Premium
    }

    pub fn is_deprecated(self) -> bool {
        matches!(self.info().remark, Remark::Deprecated { .. })
    }

    pub fn from_index(index: usize) -> Option<Action> {
        CATALOG.get(index).map(|row| row.action)
    }

    /// Looks a name up case-insensitively, as the service does.
    pub fn parse(name: &str) -> Option<Action> {
        CATALOG
            .iter()
            .find(|row| row.name.eq_ignore_ascii_case(name))
            .map(|row| row.action)
    }

    /// The logon types that accept this action, for error messages.
    pub fn valid_logon_types(self) -> Vec<LogonType> {
        LogonType::ALL
            .into_iter()
            .filter(|logon| self.is_valid_for(*logon))
            .collect()
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The catalog name closest to `name`, when one is close enough to be a likely typo.
pub fn suggest(name: &str) -> Option<&'static str> {
    closest(name, CATALOG.iter().map(|row| row.name))
}

/// The candidate closest to `input` by edit distance, ignoring case, when it is close enough.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lowered = input.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            let score = strsim::jaro_winkler(&lowered, &candidate.to_ascii_lowercase());
            (score, candidate)
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// The PersistedCapabilities value that says a mailbox has Audit (Premium) [EV-4.7]. Microsoft's
/// SOA script tests exactly this token (its 2021 commit "Removed Adv eD as service plan for UAL
/// ingestion" dropped `BPOS_S_EquivioAnalytics`, which is Advanced eDiscovery). Note that
/// `M365AuditPlatform` is a different capability.
pub const AUDIT_PREMIUM_CAPABILITY: &str = "M365Auditing";

/// Whether a PersistedCapabilities value grants Audit (Premium), case-insensitively.
pub fn grants_audit_premium(capability: &str) -> bool {
    capability
        .trim()
        .eq_ignore_ascii_case(AUDIT_PREMIUM_CAPABILITY)
}

/// Whether a mailbox has Audit (Premium). The names are the policy selector's (`licence: E5`
/// / `licence: nonE5`): an E5-class licence is how a mailbox gets Audit (Premium). It decides
/// nothing but whether a [`Licensing::Premium`] action can be audited: the managed defaults
/// are the same for every licence [EV-1.3].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LicenceTier {
    /// Has Audit (Premium): `M365Auditing` in PersistedCapabilities.
    E5,
    /// Audit (Standard) only.
    NonE5,
}

impl LicenceTier {
    /// The word policies and snapshots use: `E5` or `nonE5`.
    pub fn name(self) -> &'static str {
        match self {
            LicenceTier::E5 => "E5",
            LicenceTier::NonE5 => "nonE5",
        }
    }
}

/// Microsoft's managed default list for a logon type, the same on every licence [EV-1.2].
pub fn managed_defaults(logon: LogonType) -> ActionSet {
    CATALOG
        .iter()
        .filter(|row| row.support[logon.index()] == Support::Default)
        .map(|row| row.action)
        .collect()
}

/// Every action the service accepts for a logon type (on some licence).
pub fn valid_actions(logon: LogonType) -> ActionSet {
    CATALOG
        .iter()
        .filter(|row| row.support[logon.index()] != Support::Rejected)
        .map(|row| row.action)
        .collect()
}

/// Every action a policy may name for a logon type: valid, and not deprecated.
pub fn policy_actions(logon: LogonType) -> ActionSet {
    valid_actions(logon).difference(deprecated_actions())
}

/// Every action that needs Audit (Premium).
pub fn premium_actions() -> ActionSet {
    CATALOG
        .iter()
        .filter(|row| row.licensing == Licensing::Premium)
        .map(|row| row.action)
        .collect()
}

/// Every deprecated action: no longer logged, refused in policies.
pub fn deprecated_actions() -> ActionSet {
    CATALOG
        .iter()
        .filter(|row| matches!(row.remark, Remark::Deprecated { .. }))
        .map(|row| row.action)
        .collect()
}

/// Why a name cannot be audited for a logon type, phrased for a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    Unknown {
        name: String,
        suggestion: Option<String>,
    },
    /// `None` or `Default`: enum members of the service that are not actions.
    NotAnAction {
        name: &'static str,
    },
    Deprecated {
        action: Action,
        hint: &'static str,
    },
    WrongLogonType {
        name: String,
        logon: LogonType,
        valid: Vec<LogonType>,
    },
}

impl Rejection {
    /// What to write instead, when the rejection itself does not say it.
    pub fn hint(&self) -> Option<String> {
        match self {
            Rejection::Unknown { .. } => Some(
                "if Microsoft added this action after this version of auditform, declare it in the policy set (see docs/policies.md, \"Actions newer than auditform\")"
                    .to_string(),
            ),
            Rejection::NotAnAction { name } if name.eq_ignore_ascii_case("Default") => Some(
                "to ask for Microsoft's managed defaults, write the logon type's value as the keyword `default` (for example `owner: default`) instead of a list".to_string(),
            ),
            Rejection::NotAnAction { .. } => {
                Some("write `[]` for an empty list".to_string())
            }
            Rejection::Deprecated { hint, .. } => Some(hint.to_string()),
            Rejection::WrongLogonType { .. } => None,
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Unknown { name, suggestion } => {
                write!(f, "unknown audit action `{}`", Echo(name))?;
                if let Some(suggestion) = suggestion {
                    write!(f, "; did you mean `{suggestion}`?")?;
                }
                Ok(())
            }
            Rejection::NotAnAction { name } => {
                write!(f, "`{name}` is not an audit action")
            }
            Rejection::Deprecated { action, .. } => {
                write!(f, "{action} is deprecated and can't be named in a policy")
            }
            Rejection::WrongLogonType { name, logon, valid } => {
                write!(f, "{name} can't be audited for {logon}; ")?;
                match valid.as_slice() {
                    [] => write!(f, "the service accepts it for no logon type"),
                    [only] => write!(f, "it is {} {only} action", only.article()),
                    many => {
                        let names: Vec<String> = many.iter().map(|l| l.to_string()).collect();
                        write!(f, "it is valid for {}", names.join(" and "))
                    }
                }
            }
        }
    }
}

/// Checks a policy's action name against the static catalog for a logon type. A policy set
/// that declares actions checks through [`Catalog::check`], which also knows those.
pub fn check(name: &str, logon: LogonType) -> Result<Action, Rejection> {
    match check_known(name, logon) {
        Some(checked) => checked,
        None => Err(Rejection::Unknown {
            name: name.to_string(),
            suggestion: suggest(name).map(str::to_string),
        }),
    }
}

/// The static catalog's answer for a name, or `None` when the name is not one it has.
fn check_known(name: &str, logon: LogonType) -> Option<Result<Action, Rejection>> {
    if let Some(reserved) = NOT_ACTIONS
        .iter()
        .find(|n| n.eq_ignore_ascii_case(name.trim()))
    {
        return Some(Err(Rejection::NotAnAction { name: reserved }));
    }
    let action = Action::parse(name.trim())?;
    if let Remark::Deprecated { hint } = action.info().remark {
        return Some(Err(Rejection::Deprecated { action, hint }));
    }
    if !action.is_valid_for(logon) {
        return Some(Err(Rejection::WrongLogonType {
            name: action.name().to_string(),
            logon,
            valid: action.valid_logon_types(),
        }));
    }
    Some(Ok(action))
}

mod action_list;
mod declared;
mod unknown_names;
pub use action_list::ActionList;
pub use declared::{ActionRef, Catalog, DeclarationError, DeclaredAction};
pub use unknown_names::UnknownNames;

pub mod evidence;

#[cfg(test)]
mod tests;
