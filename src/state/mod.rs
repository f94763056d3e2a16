//! Where current state comes from and where changes go. A source streams what it reads into a
//! [`StateVisitor`], so that a million mailboxes never have to be held at once.

pub mod exo;
pub mod snapshot;

use crate::model::{BypassAssociation, Mailbox, Organization, Tenant};

/// Receives what a source reads, in the source's order.
pub trait StateVisitor {
    fn organization(&mut self, organization: Organization);
    fn bypass(&mut self, association: BypassAssociation);
    fn mailbox(&mut self, mailbox: Mailbox);
}

/// What a reader keeps beyond the properties auditform manages.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Lower-cased names of other properties to keep, because an OPATH filter reads them.
    pub extra_properties: Vec<String>,
}

impl ReadOptions {
    pub fn wants(&self, property: &str) -> bool {
        self.extra_properties
            .iter()
            .any(|wanted| wanted.eq_ignore_ascii_case(property))
    }
}

/// Collecting everything is the simple visitor, for small tenants and tests.
impl StateVisitor for Tenant {
    fn organization(&mut self, organization: Organization) {
        self.organization = Some(organization);
    }
    fn bypass(&mut self, association: BypassAssociation) {
        self.bypass.push(association);
    }
    fn mailbox(&mut self, mailbox: Mailbox) {
        self.mailboxes.push(mailbox);
    }
}
