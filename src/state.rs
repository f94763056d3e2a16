//! Where current state comes from and where changes go. A source streams what it reads into a
//! [`StateVisitor`], so that a million mailboxes never have to be held at once.

pub mod atomic_write;
pub mod encoding;
pub mod exo;
pub mod lock;
pub mod snapshot;
mod snapshot_patch;
pub mod snapshot_write;
pub mod test_mailbox;

use crate::model::{BypassAssociation, Mailbox, Organization, StateVisitor};
use crate::plan::{Plan, Subject};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// What a reader keeps beyond the properties auditform manages.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Lower-cased names of other properties to keep, because an OPATH filter reads them.
    pub extra_properties: Vec<String>,
}

impl ReadOptions {
    /// In `extra_properties`, keeps every property: no property has this name.
    pub const EVERY_PROPERTY: &'static str = "*";

    /// Keeps every property, for a reader that writes the state out again whole.
    pub fn every_property() -> Self {
        ReadOptions {
            extra_properties: vec![Self::EVERY_PROPERTY.to_string()],
        }
    }

    pub fn wants(&self, property: &str) -> bool {
        self.extra_properties
            .iter()
            .any(|wanted| wanted == Self::EVERY_PROPERTY || wanted.eq_ignore_ascii_case(property))
    }
}

/// Where a plan's changes are carried out: the local snapshot file, or a live tenant.
///
/// Apply reads the planned objects (to refuse a stale plan), applies, and reads them again (to
/// verify that every change holds), all through this trait.
pub trait StateSink {
    /// How the target is named to people, in the same words as the source a plan records,
    /// such as `snapshot examples/tenant.json`.
    fn describe(&self) -> String;

    /// Reads, again, the current state of exactly the objects a plan touches: its mailboxes
    /// by immutable id, the organization, and its bypass associations by id.
    fn read_planned(&mut self, plan: &Plan) -> Result<CurrentObjects, SinkError>;

    /// Carries out the plan's changes. A permanent failure of one object is reported in its
    /// outcome and the others go on; `Err` means nothing can be said about any object.
    /// `progress` is told about each object as it finishes. Outcomes come in the plan's order:
    /// mailboxes, then the organization, then bypass associations.
    fn apply(
        &mut self,
        plan: &Plan,
        progress: &mut dyn FnMut(&ObjectOutcome),
    ) -> Result<Vec<ObjectOutcome>, SinkError>;

    /// Carries out the plan's changes, as [`StateSink::apply`], and reads the planned objects
    /// again for verification, as [`StateSink::read_planned`]. A sink may read an object back
    /// while other changes are still being written, as long as it reads it after its own
    /// change settled. By default it applies, then reads.
    fn apply_and_read_back(
        &mut self,
        plan: &Plan,
        progress: &mut dyn FnMut(&ObjectOutcome),
    ) -> Result<(Vec<ObjectOutcome>, CurrentObjects), SinkError> {
        let outcomes = self.apply(plan, progress)?;
        let after = self.read_planned(plan)?;
        Ok((outcomes, after))
    }
}

/// The planned objects as they are now. An object that is gone is absent.
#[derive(Clone, Debug, Default)]
pub struct CurrentObjects {
    /// By immutable id.
    pub mailboxes: HashMap<String, Mailbox>,
    pub organization: Option<Organization>,
    /// By immutable id.
    pub bypass: HashMap<String, BypassAssociation>,
}

impl CurrentObjects {
    /// Keeps, from everything a source reads, the objects `plan` touches.
    pub fn collector(plan: &Plan) -> PlannedCollector<'_> {
        PlannedCollector {
            mailbox_ids: plan
                .mailbox_changes
                .iter()
                .map(|change| change.subject.id())
                .collect(),
            bypass_ids: plan
                .bypass_changes
                .iter()
                .map(|change| change.subject.id())
                .collect(),
            current: CurrentObjects::default(),
        }
    }
}

/// A [`StateVisitor`] that keeps only a plan's objects. The planned ids are looked up, not
/// searched, since every object of a large tenant passes through here.
pub struct PlannedCollector<'p> {
    mailbox_ids: HashSet<&'p str>,
    bypass_ids: HashSet<&'p str>,
    current: CurrentObjects,
}

impl PlannedCollector<'_> {
    pub fn finish(self) -> CurrentObjects {
        self.current
    }
}

impl StateVisitor for PlannedCollector<'_> {
    fn organization(&mut self, organization: Organization) {
        self.current.organization = Some(organization);
    }
    fn bypass(&mut self, association: BypassAssociation) {
        let id = association.names.immutable_id();
        if self.bypass_ids.contains(id) {
            self.current.bypass.insert(id.to_string(), association);
        }
    }
    fn mailbox(&mut self, mailbox: Mailbox) {
        let id = mailbox.names.immutable_id();
        if self.mailbox_ids.contains(id) {
            self.current.mailboxes.insert(id.to_string(), mailbox);
        }
    }
}

/// Which object an outcome is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectRef {
    Mailbox {
        id: String,
        display_name: String,
        /// UPN, else PrimarySmtpAddress.
        address: Option<String>,
    },
    Organization,
    Bypass {
        id: String,
        display_name: String,
        address: Option<String>,
    },
}

impl ObjectRef {
    pub fn mailbox(subject: &Subject) -> ObjectRef {
        ObjectRef::Mailbox {
            id: subject.id().to_string(),
            display_name: subject.display_name().to_string(),
            address: subject.address().map(str::to_string),
        }
    }

    pub fn bypass(subject: &Subject) -> ObjectRef {
        ObjectRef::Bypass {
            id: subject.id().to_string(),
            display_name: subject.display_name().to_string(),
            address: subject.address().map(str::to_string),
        }
    }

    /// The immutable id of a mailbox or bypass association; the organization has none.
    pub fn id(&self) -> Option<&str> {
        match self {
            ObjectRef::Mailbox { id, .. } | ObjectRef::Bypass { id, .. } => Some(id),
            ObjectRef::Organization => None,
        }
    }
}

/// Two objects can share a display name, so each is also named by its address, as the plan
/// names it, or by its id when it has no address.
impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (kind, id, display_name, address) = match self {
            ObjectRef::Organization => return f.write_str("organization"),
            ObjectRef::Mailbox {
                id,
                display_name,
                address,
            } => ("mailbox", id, display_name, address),
            ObjectRef::Bypass {
                id,
                display_name,
                address,
            } => ("bypass association", id, display_name, address),
        };
        match address {
            Some(address) => write!(f, "{kind} \"{display_name}\" <{address}>"),
            None => write!(f, "{kind} \"{display_name}\" ({id})"),
        }
    }
}

/// What happened to one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectResult {
    Changed,
    /// The target refused the change; `message` is its own text (for a live tenant, the
    /// service's, from where it puts it: `error.details[0].message` first).
    Failed {
        message: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectOutcome {
    pub object: ObjectRef,
    pub result: ObjectResult,
    /// What the target warned about this object while changing it (a live tenant's
    /// `@adminapi.warnings`).
    pub warnings: Vec<String>,
}

/// Why a sink could not read or write at all.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error(transparent)]
    Read(#[from] snapshot::StateError),
    #[error("can't write state file {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Boxed: the live client's errors are large.
    #[error(transparent)]
    Live(Box<exo::ExoError>),
}
