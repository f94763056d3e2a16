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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// Valid, and audited by default while the logon type is in DefaultAuditSet.
    Default,
    /// Valid, but not a default.
    Valid,
    /// The service rejects it for this logon type.
    Rejected,
}

/// Which licence an action needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Licensing {
    Any,
    /// E5 / Audit (Premium): other mailboxes are refused by the service.
    E5,
}

/// Facts about an action beyond validity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Remark {
    None,
    /// The service rejects the action everywhere; the text is its own answer.
    Deprecated {
        service_message: &'static str,
    },
    /// Accepted, but another action already covers it.
    Redundant {
        covered_by: Action,
    },
    /// Delegate records are merged to one per folder per 24 hours.
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
}

use Licensing::{Any, E5};
use Support::{Default as D, Rejected as N, Valid as Y};

const fn row(
    action: Action,
    name: &'static str,
    support: [Support; 3],
    licensing: Licensing,
    remark: Remark,
) -> ActionInfo {
    ActionInfo {
        action,
        name,
        support,
        licensing,
        remark,
    }
}

const MESSAGE_BIND_DEPRECATED: &str =
    "MessageBind audit operation type is deprecated. Use MailItemsAccessed audit operation type instead.";

/// The catalog, as Exchange Online behaves today. Columns: Admin, Delegate, Owner.
#[rustfmt::skip]
pub const CATALOG: [ActionInfo; 24] = [
    row(Action::ApplyRecord,              "ApplyRecord",              [D, D, D], Any, Remark::None),
    row(Action::Copy,                     "Copy",                     [Y, N, N], Any, Remark::None),
    row(Action::Create,                   "Create",                   [D, D, Y], Any, Remark::None),
    row(Action::FolderBind,               "FolderBind",               [Y, Y, N], Any, Remark::MergedForDelegates),
    row(Action::HardDelete,               "HardDelete",               [D, D, D], Any, Remark::None),
    row(Action::MailboxLogin,             "MailboxLogin",             [N, N, Y], Any, Remark::None),
    row(Action::MailItemsAccessed,        "MailItemsAccessed",        [D, D, D], E5,  Remark::None),
    row(Action::MessageBind,              "MessageBind",              [N, N, N], Any, Remark::Deprecated { service_message: MESSAGE_BIND_DEPRECATED }),
    row(Action::Move,                     "Move",                     [Y, Y, Y], Any, Remark::None),
    row(Action::MoveToDeletedItems,       "MoveToDeletedItems",       [D, D, D], Any, Remark::None),
    row(Action::RecordDelete,             "RecordDelete",             [Y, Y, Y], Any, Remark::None),
    row(Action::SearchQueryInitiated,     "SearchQueryInitiated",     [N, N, Y], E5,  Remark::None),
    row(Action::Send,                     "Send",                     [D, N, D], E5,  Remark::None),
    row(Action::SendAs,                   "SendAs",                   [D, D, N], Any, Remark::None),
    row(Action::SendOnBehalf,             "SendOnBehalf",             [D, D, N], Any, Remark::None),
    row(Action::SoftDelete,               "SoftDelete",               [D, D, D], Any, Remark::None),
    row(Action::Update,                   "Update",                   [D, D, D], Any, Remark::None),
    row(Action::UpdateCalendarDelegation, "UpdateCalendarDelegation", [D, N, D], Any, Remark::None),
    row(Action::UpdateComplianceTag,      "UpdateComplianceTag",      [Y, Y, Y], Any, Remark::None),
    row(Action::UpdateFolderPermissions,  "UpdateFolderPermissions",  [D, D, D], Any, Remark::None),
    row(Action::UpdateInboxRules,         "UpdateInboxRules",         [D, D, D], Any, Remark::None),
    row(Action::AddFolderPermissions,     "AddFolderPermissions",     [Y, Y, Y], Any, Remark::Redundant { covered_by: Action::UpdateFolderPermissions }),
    row(Action::ModifyFolderPermissions,  "ModifyFolderPermissions",  [Y, Y, Y], Any, Remark::Redundant { covered_by: Action::UpdateFolderPermissions }),
    row(Action::RemoveFolderPermissions,  "RemoveFolderPermissions",  [Y, Y, Y], Any, Remark::Redundant { covered_by: Action::UpdateFolderPermissions }),
];

/// The text the service answers when an E5 action is asked for on a mailbox without the licence.
pub const LICENCE_REQUIRED_MESSAGE: &str =
    "Auditing of MailItemsAccessed event is only available for users with appropriate license";

/// The text the service answers when an Add names an action that is already audited.
pub const ALREADY_AUDITED_MESSAGE: &str = "The input operation(s) is/are already being audited";

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

    pub fn needs_e5(self) -> bool {
        self.info().licensing == Licensing::E5
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

/// PersistedCapabilities values that make a mailbox E5-capable (E5 / Audit (Premium)).
pub const E5_CAPABILITIES: [&str; 2] = ["BPOS_S_EquivioAnalytics", "M365Auditing"];

/// Whether a PersistedCapabilities value grants E5 actions, case-insensitively.
pub fn is_e5_capability(name: &str) -> bool {
    E5_CAPABILITIES
        .iter()
        .any(|capability| capability.eq_ignore_ascii_case(name.trim()))
}

/// Whether a mailbox's licence allows E5 actions, for computing its managed defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LicenceTier {
    E5,
    NonE5,
}

/// Microsoft's managed default list for a logon type, as the service applies it to a mailbox of
/// the given licence tier.
pub fn managed_defaults(logon: LogonType, tier: LicenceTier) -> ActionSet {
    CATALOG
        .iter()
        .filter(|row| row.support[logon.index()] == Support::Default)
        .filter(|row| tier == LicenceTier::E5 || row.licensing == Licensing::Any)
        .map(|row| row.action)
        .collect()
}

/// Every action the service accepts for a logon type.
pub fn valid_actions(logon: LogonType) -> ActionSet {
    CATALOG
        .iter()
        .filter(|row| row.support[logon.index()] != Support::Rejected)
        .map(|row| row.action)
        .collect()
}

/// Every action that needs an E5 licence.
pub fn e5_actions() -> ActionSet {
    CATALOG
        .iter()
        .filter(|row| row.licensing == Licensing::E5)
        .map(|row| row.action)
        .collect()
}

/// Every action the service no longer accepts at all.
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
        suggestion: Option<&'static str>,
    },
    Deprecated {
        action: Action,
        service_message: &'static str,
    },
    WrongLogonType {
        action: Action,
        logon: LogonType,
    },
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
            Rejection::Deprecated {
                action,
                service_message,
            } => write!(f, "{action} can't be audited: {service_message}"),
            Rejection::WrongLogonType { action, logon } => {
                let valid = action.valid_logon_types();
                write!(f, "{action} can't be audited for {logon}; ")?;
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

/// Checks a policy's action name against the catalog for a logon type.
pub fn check(name: &str, logon: LogonType) -> Result<Action, Rejection> {
    let Some(action) = Action::parse(name) else {
        return Err(Rejection::Unknown {
            name: name.to_string(),
            suggestion: suggest(name),
        });
    };
    if let Remark::Deprecated { service_message } = action.info().remark {
        return Err(Rejection::Deprecated {
            action,
            service_message,
        });
    }
    if !action.is_valid_for(logon) {
        return Err(Rejection::WrongLogonType { action, logon });
    }
    Ok(action)
}

#[cfg(test)]
mod tests;
