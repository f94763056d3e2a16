//! The three logon types the service audits separately: the columns of the catalog.

use std::fmt;

/// Who touched the mailbox: the three lists the service keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogonType {
    Admin,
    Delegate,
    Owner,
}

impl LogonType {
    pub const ALL: [LogonType; 3] = [LogonType::Admin, LogonType::Delegate, LogonType::Owner];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            LogonType::Admin => "Admin",
            LogonType::Delegate => "Delegate",
            LogonType::Owner => "Owner",
        }
    }

    /// The Get-Mailbox / Set-Mailbox property that holds this logon type's list.
    pub fn property(self) -> &'static str {
        match self {
            LogonType::Admin => "AuditAdmin",
            LogonType::Delegate => "AuditDelegate",
            LogonType::Owner => "AuditOwner",
        }
    }

    pub fn article(self) -> &'static str {
        match self {
            LogonType::Admin | LogonType::Owner => "an",
            LogonType::Delegate => "a",
        }
    }

    pub fn parse(name: &str) -> Option<LogonType> {
        LogonType::ALL
            .into_iter()
            .find(|logon| logon.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for LogonType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
