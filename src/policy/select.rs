//! Which mailboxes a policy applies to.

use crate::catalog::LicenceTier;
use crate::model::{MailboxNames, PropertyValue, RecipientType};
use crate::policy::opath::Filter;

/// Something a selector can test: a mailbox, or a bypass association.
pub trait Selectable {
    fn names(&self) -> &MailboxNames;
    /// `None` when the object has no RecipientTypeDetails (a bypass association may not).
    fn recipient_type(&self) -> Option<&RecipientType>;
    fn licence(&self) -> Option<LicenceTier>;
    fn property(&self, name: &str) -> Option<PropertyValue>;
}

/// A validated selector. All given conditions must hold; a list inside one condition is an OR.
#[derive(Clone, Debug, Default)]
pub struct Selector {
    /// Empty means any type.
    pub recipient_types: Vec<RecipientType>,
    /// Matched case-insensitively against every name of [`MailboxNames::all`]. Empty means any.
    pub identities: Vec<String>,
    /// Globs on UPN and PrimarySmtpAddress, case-insensitive. Empty means any.
    pub match_globs: Option<Globs>,
    pub filter: Option<Filter>,
    pub licence: Option<LicenceTier>,
    pub exclude: Option<Box<Selector>>,
}

impl Selector {
    /// Property names the filter (and the exclude's filter) reads.
    pub fn filter_properties(&self) -> Vec<&str> {
        Vec::new()
    }
}

/// Compiled `match` globs.
#[derive(Clone, Debug)]
pub struct Globs {
    pub patterns: Vec<String>,
}

impl Globs {
    /// Compiles the patterns; the error names the bad pattern and why.
    pub fn new(patterns: Vec<String>) -> Result<Globs, String> {
        Ok(Globs { patterns })
    }
}

// TEMPORARY until the selector lands.
impl Selector {
    pub fn matches(&self, _target: &impl Selectable) -> bool {
        true
    }
}
impl Selectable for crate::model::Mailbox {
    fn names(&self) -> &MailboxNames {
        &self.names
    }
    fn recipient_type(&self) -> Option<&RecipientType> {
        Some(&self.recipient_type)
    }
    fn licence(&self) -> Option<LicenceTier> {
        Some(self.licence)
    }
    fn property(&self, name: &str) -> Option<PropertyValue> {
        crate::model::Mailbox::property(self, name)
    }
}
impl Selectable for crate::model::BypassAssociation {
    fn names(&self) -> &MailboxNames {
        &self.names
    }
    fn recipient_type(&self) -> Option<&RecipientType> {
        None
    }
    fn licence(&self) -> Option<LicenceTier> {
        None
    }
    fn property(&self, _name: &str) -> Option<PropertyValue> {
        None
    }
}
