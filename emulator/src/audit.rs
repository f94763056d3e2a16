//! The service's mailbox audit operations, as the emulator models them: its own table, written
//! from public evidence (the tags are those of the project's evidence notes), and deliberately
//! not auditform's catalog, so that a mistake in either shows up when they meet end to end.
//!
//! The service keeps each logon type's list as one integer of flags (`msExchAuditAdmin`, ...),
//! so it knows each operation by its bit, and returns lists in bit order [EV-1.9].

/// One logon type's column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Logon {
    Admin,
    Delegate,
    Owner,
}

impl Logon {
    pub const ALL: [Logon; 3] = [Logon::Admin, Logon::Delegate, Logon::Owner];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Logon::Admin => "Admin",
            Logon::Delegate => "Delegate",
            Logon::Owner => "Owner",
        }
    }

    /// The Set-Mailbox / Get-Mailbox property of this logon type's list.
    pub fn property(self) -> &'static str {
        match self {
            Logon::Admin => "AuditAdmin",
            Logon::Delegate => "AuditDelegate",
            Logon::Owner => "AuditOwner",
        }
    }

    pub fn parse(name: &str) -> Option<Logon> {
        Logon::ALL
            .into_iter()
            .find(|logon| logon.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The service's fixed refusal of an operation this logon type does not take. The texts are
    /// static resource strings that list 2018-era operations only; Owner is "Mailbox Owner"
    /// [EV-3.1].
    pub fn invalid_operation_text(self) -> &'static str {
        match self {
            Logon::Admin => "Invalid audit operation specified. Supported audit operations for Admin are None, Create, FolderBind, MessageBind, SendAs, SendOnBehalf, SoftDelete, HardDelete, Update, Move, Copy, MoveToDeletedItems and UpdateFolderPermissions.",
            Logon::Delegate => "Invalid audit operation specified. Supported audit operations for Delegate are None, Create, FolderBind, SendAs, SendOnBehalf, SoftDelete, HardDelete, Update, Move, MoveToDeletedItems and UpdateFolderPermissions.",
            Logon::Owner => "Invalid audit operation specified. Supported audit operations for Mailbox Owner are None, Create, SoftDelete, HardDelete, Update, Move, MoveToDeletedItems, MailboxLogin and UpdateFolderPermissions.",
        }
    }
}

/// What the service asks of a mailbox's licence for an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Licence {
    Any,
    /// Only with Audit (Premium) [EV-1.4].
    Premium,
    /// Only without Audit (Premium): MessageBind [EV-1.8].
    NotPremium,
}

/// One operation of the service's enum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    pub name: String,
    /// Whether Set-Mailbox takes it for Admin, Delegate, Owner.
    pub valid: [bool; 3],
    /// Whether it is on Microsoft's managed default list of Admin, Delegate, Owner.
    pub default: [bool; 3],
    pub licence: Licence,
}

const A: bool = true;
const O: bool = false;

/// The service's enum, in bit order [EV-1.9], with validity from Microsoft's table
/// (audit-mailboxes.md @4c0d057, 2023-06-20) [EV-1.1] and the defaults of Microsoft's SOA
/// script after the 2024 Audit (Standard) rollout (o365soa @f219db7, 2024-12-30), the same on
/// every licence [EV-1.2] [EV-1.3].
///
/// - `None` is a member that means "nothing"; `Default` is a member that is no operation (no
///   source says Set-Mailbox takes it, so the emulator refuses it for every logon type).
/// - Add/Modify/RemoveFolderPermissions are accepted everywhere though covered by
///   UpdateFolderPermissions [EV-1.6].
/// - MessageBind is Admin only, and refused on a mailbox with Audit (Premium) [EV-1.8].
/// - SearchQueryInitiated is Owner only and needs Audit (Premium) [EV-1.4].
#[rustfmt::skip]
const TABLE: [(&str, [bool; 3], [bool; 3], Licence); 26] = [
    // name                      valid: Adm Del Own   default: Adm Del Own
    ("None",                     [O, O, O],           [O, O, O], Licence::Any),
    ("Update",                   [A, A, A],           [A, A, A], Licence::Any),
    ("Copy",                     [A, O, O],           [O, O, O], Licence::Any),
    ("Move",                     [A, A, A],           [O, O, O], Licence::Any),
    ("MoveToDeletedItems",       [A, A, A],           [A, A, A], Licence::Any),
    ("SoftDelete",               [A, A, A],           [A, A, A], Licence::Any),
    ("HardDelete",               [A, A, A],           [A, A, A], Licence::Any),
    ("FolderBind",               [A, A, O],           [O, O, O], Licence::Any),
    ("SendAs",                   [A, A, O],           [A, A, O], Licence::Any),
    ("SendOnBehalf",             [A, A, O],           [A, A, O], Licence::Any),
    ("MessageBind",              [A, O, O],           [O, O, O], Licence::NotPremium),
    ("Create",                   [A, A, A],           [A, A, O], Licence::Any),
    ("MailboxLogin",             [O, O, A],           [O, O, O], Licence::Any),
    ("UpdateFolderPermissions",  [A, A, A],           [A, A, A], Licence::Any),
    ("AddFolderPermissions",     [A, A, A],           [O, O, O], Licence::Any),
    ("ModifyFolderPermissions",  [A, A, A],           [O, O, O], Licence::Any),
    ("RemoveFolderPermissions",  [A, A, A],           [O, O, O], Licence::Any),
    ("UpdateInboxRules",         [A, A, A],           [A, A, A], Licence::Any),
    ("UpdateCalendarDelegation", [A, O, A],           [A, O, A], Licence::Any),
    ("RecordDelete",             [A, A, A],           [O, O, O], Licence::Any),
    ("ApplyRecord",              [A, A, A],           [A, A, A], Licence::Any),
    ("MailItemsAccessed",        [A, A, A],           [A, A, A], Licence::Any),
    ("Default",                  [O, O, O],           [O, O, O], Licence::Any),
    ("UpdateComplianceTag",      [A, A, A],           [O, O, O], Licence::Any),
    ("Send",                     [A, O, A],           [A, O, A], Licence::Any),
    ("SearchQueryInitiated",     [O, O, A],           [O, O, O], Licence::Premium),
];

/// The operations a service knows: the table, then any newer ones, with their bits after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operations {
    known: Vec<Operation>,
}

impl Default for Operations {
    fn default() -> Self {
        Operations {
            known: TABLE
                .iter()
                .map(|(name, valid, default, licence)| Operation {
                    name: name.to_string(),
                    valid: *valid,
                    default: *default,
                    licence: *licence,
                })
                .collect(),
        }
    }
}

impl Operations {
    /// Adds an operation newer than the table, as a newer service knows it.
    pub fn learn(&mut self, operation: Operation) {
        if self.bit(&operation.name).is_none() {
            self.known.push(operation);
        }
    }

    /// An operation's bit (its place in the enum), by name, ignoring case.
    pub fn bit(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.known
            .iter()
            .position(|operation| operation.name.eq_ignore_ascii_case(name))
    }

    pub fn get(&self, bit: usize) -> &Operation {
        &self.known[bit]
    }

    /// The names of the enum, as PowerShell lists them when a name is not one of them.
    pub fn enumerator_names(&self) -> String {
        self.known
            .iter()
            .map(|operation| operation.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Microsoft's managed default list for a logon type, in bit order.
    pub fn defaults(&self, logon: Logon) -> Vec<String> {
        self.known
            .iter()
            .filter(|operation| operation.default[logon.index()])
            .map(|operation| operation.name.clone())
            .collect()
    }

    /// Names in the order the service returns them: by bit, names it does not know last, as
    /// they were stored.
    pub fn in_service_order(&self, names: &[String]) -> Vec<String> {
        let mut keyed: Vec<(usize, &String)> = names
            .iter()
            .map(|name| (self.bit(name).unwrap_or(usize::MAX), name))
            .collect();
        keyed.sort_by_key(|(bit, _)| *bit);
        keyed
            .into_iter()
            .map(|(bit, name)| match bit {
                usize::MAX => name.clone(),
                bit => self.known[bit].name.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_come_back_in_the_services_bit_order() {
        let operations = Operations::default();
        let names: Vec<String> = ["send", "Update", "ApplyRecord", "Unheard", "Create"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            operations.in_service_order(&names),
            ["Update", "Create", "ApplyRecord", "Send", "Unheard"]
        );
    }

    /// The 2024 REST capture of a mailbox in DefaultAuditSet (EV-5.5), in its own order.
    #[test]
    fn the_admin_defaults_are_those_of_a_live_capture_in_its_order() {
        assert_eq!(
            Operations::default().defaults(Logon::Admin),
            [
                "Update",
                "MoveToDeletedItems",
                "SoftDelete",
                "HardDelete",
                "SendAs",
                "SendOnBehalf",
                "Create",
                "UpdateFolderPermissions",
                "UpdateInboxRules",
                "UpdateCalendarDelegation",
                "ApplyRecord",
                "MailItemsAccessed",
                "Send"
            ]
        );
    }
}
