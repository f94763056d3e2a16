//! The tenant as auditform sees it: mailboxes and their audit settings, the organization's
//! switch, and bypass associations. Property names follow Get-Mailbox.

use crate::catalog::LicenceTier;
/// The catalog owns these, since its table is indexed by them; the model speaks them too.
pub use crate::catalog::{ActionList, ActionSet, LogonType};
use sha2::{Digest, Sha256};
use std::fmt;

/// A set of logon types, as DefaultAuditSet is.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LogonSet(u8);

impl LogonSet {
    pub const EMPTY: LogonSet = LogonSet(0);
    pub const ALL: LogonSet = LogonSet(0b111);

    pub fn contains(self, logon: LogonType) -> bool {
        self.0 & (1 << logon.index()) != 0
    }
    pub fn insert(&mut self, logon: LogonType) {
        self.0 |= 1 << logon.index();
    }
    pub fn remove(&mut self, logon: LogonType) {
        self.0 &= !(1 << logon.index());
    }
    pub fn iter(self) -> impl Iterator<Item = LogonType> {
        LogonType::ALL
            .into_iter()
            .filter(move |l| self.contains(*l))
    }
    pub fn names(self) -> Vec<&'static str> {
        self.iter().map(LogonType::name).collect()
    }
}

impl FromIterator<LogonType> for LogonSet {
    fn from_iter<I: IntoIterator<Item = LogonType>>(iter: I) -> Self {
        let mut set = LogonSet::EMPTY;
        for logon in iter {
            set.insert(logon);
        }
        set
    }
}

impl fmt::Debug for LogonSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.names()).finish()
    }
}

pub use crate::timespan::TimeSpan;

mod fingerprint;
pub use fingerprint::Fingerprint;

mod identity;
pub use identity::{MailboxNames, RecipientType};

mod visit;
pub use visit::{SplitVisitor, StateVisitor};

/// The mailbox properties auditform manages.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AuditSettings {
    pub enabled: bool,
    pub log_age_limit: TimeSpan,
    /// Indexed by [`LogonType::index`].
    pub lists: [ActionList; 3],
    pub default_audit_set: LogonSet,
}

impl AuditSettings {
    pub fn list(&self, logon: LogonType) -> &ActionList {
        &self.lists[logon.index()]
    }

    pub fn list_mut(&mut self, logon: LogonType) -> &mut ActionList {
        &mut self.lists[logon.index()]
    }

    /// A digest of the audit state. A saved plan records it per mailbox; apply compares it with
    /// the state it reads again. Lists are hashed as sets, so the service's ordering is irrelevant.
    pub fn fingerprint(&self) -> Fingerprint {
        let mut hasher = Sha256::new();
        hasher.update(b"auditform-fingerprint-v1\0");
        hasher.update([self.enabled as u8]);
        hasher.update(self.log_age_limit.ticks().to_le_bytes());
        for list in &self.lists {
            hasher.update(list.known.bits().to_le_bytes());
            for name in &list.unknown {
                hasher.update(name.to_ascii_lowercase().as_bytes());
                hasher.update([0]);
            }
            hasher.update([0xff]);
        }
        hasher.update([self.default_audit_set.0]);
        let digest = hasher.finalize();
        let mut kept = [0u8; 16];
        kept.copy_from_slice(&digest[..16]);
        Fingerprint::Digest(kept)
    }
}

/// A property value from the snapshot that is not one auditform manages, kept so that OPATH
/// filters can test any property.
#[derive(Clone, Debug, PartialEq)]
pub enum PropertyValue {
    Null,
    Bool(bool),
    Number(f64),
    Text(Box<str>),
    List(Vec<Box<str>>),
}

/// One mailbox as read from a state source.
#[derive(Clone, Debug, PartialEq)]
pub struct Mailbox {
    pub names: MailboxNames,
    pub recipient_type: RecipientType,
    pub licence: LicenceTier,
    pub audit: AuditSettings,
    /// Other properties, kept only when a policy's filter names them.
    pub properties: Vec<(Box<str>, PropertyValue)>,
}

impl Mailbox {
    /// A property by its Get-Mailbox name, case-insensitively, for OPATH filters.
    pub fn property(&self, name: &str) -> Option<PropertyValue> {
        let text = |value: &Option<Box<str>>| {
            Some(match value {
                Some(value) => PropertyValue::Text(value.clone()),
                None => PropertyValue::Null,
            })
        };
        let list = |list: &ActionList| {
            Some(PropertyValue::List(
                list.names().into_iter().map(Box::from).collect(),
            ))
        };
        // Filters ask for a property per policy per mailbox: match without allocating.
        let is = |wanted: &str| name.eq_ignore_ascii_case(wanted);
        let known = if is("Identity") {
            Some(PropertyValue::Text(self.names.identity.clone()))
        } else if is("Name") {
            text(&self.names.name)
        } else if is("Alias") {
            text(&self.names.alias)
        } else if is("DisplayName") {
            text(&self.names.display_name)
        } else if is("UserPrincipalName") {
            text(&self.names.user_principal_name)
        } else if is("PrimarySmtpAddress") {
            text(&self.names.primary_smtp_address)
        } else if is("ExternalDirectoryObjectId") {
            text(&self.names.external_directory_object_id)
        } else if is("Guid") {
            text(&self.names.guid)
        } else if is("ExchangeGuid") {
            text(&self.names.exchange_guid)
        } else if is("RecipientTypeDetails") {
            Some(PropertyValue::Text(self.recipient_type.name().into()))
        } else if is("AuditEnabled") {
            Some(PropertyValue::Bool(self.audit.enabled))
        } else if is("AuditLogAgeLimit") {
            Some(PropertyValue::Text(
                self.audit.log_age_limit.to_string().into(),
            ))
        } else if let Some(logon) = LogonType::ALL
            .into_iter()
            .find(|logon| is(logon.property()))
        {
            list(self.audit.list(logon))
        } else if is("DefaultAuditSet") {
            Some(PropertyValue::List(
                self.audit
                    .default_audit_set
                    .names()
                    .into_iter()
                    .map(Box::from)
                    .collect(),
            ))
        } else {
            None
        };
        known.or_else(|| {
            self.properties
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.clone())
        })
    }
}

/// Set-OrganizationConfig's audit switch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Organization {
    pub audit_disabled: bool,
}

/// One Get-MailboxAuditBypassAssociation entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BypassAssociation {
    pub names: MailboxNames,
    pub bypass_enabled: bool,
}

/// Everything a state source returns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tenant {
    /// Absent when the source had no organization section.
    pub organization: Option<Organization>,
    pub bypass: Vec<BypassAssociation>,
    pub mailboxes: Vec<Mailbox>,
}

#[cfg(test)]
mod tests;
