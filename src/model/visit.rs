//! How a reader hands over what it reads, one object at a time, so that a million mailboxes
//! never have to be held at once. The planner, the progress counter and the collectors are
//! visitors; the state sources drive them.

use super::{BypassAssociation, Mailbox, Organization, Tenant};

/// Receives what a source reads, in the source's order.
pub trait StateVisitor {
    fn organization(&mut self, organization: Organization);
    fn bypass(&mut self, association: BypassAssociation);
    fn mailbox(&mut self, mailbox: Mailbox);
}

/// A visitor that can be split so that workers visit blocks in parallel, each into its own
/// part, and merged back in file order: the result is the same as one visitor's.
pub trait SplitVisitor: StateVisitor + Send + Sync + Sized {
    /// An empty part that visits like this one.
    fn split(&self) -> Self;
    /// Takes in a part that visited the objects right after everything this one has visited.
    fn merge(&mut self, later: Self);
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
