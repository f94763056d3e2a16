//! The plan as a JSON document (DESIGN §3), for tools. `plan --format json`, `show FILE
//! --format json` and saved plan files all carry this one document; `docs/plan-format.md`
//! describes every field. This module both writes it and reads it back (`read`), so that the
//! format is stated once; `render::json` and `plan::planfile` only use it.
//!
//! The document is built from dedicated serde types rather than from the plan types, so that
//! the plan can change shape without changing the format, and so that a saved plan can be read
//! back into a [`Plan`] for `show` and `apply`.

use crate::catalog::{Action, DeclaredAction, Support};
use crate::model::{ActionList, LogonSet, LogonType, RecipientType};
use crate::plan::{
    BypassChange, Change, ListChange, MailboxChange, OrganizationChange, Plan, SkipReason, Skipped,
    Subject,
};
use crate::policy::{PolicyRef, SourceLocation};
use crate::timespan::TimeSpan;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

/// The version this build writes. Minor versions only add fields, so any 1.x can be read.
pub const FORMAT_VERSION: &str = "1.1";
/// The major version this build reads.
pub const FORMAT_MAJOR: u64 = 1;

/// The document. `M` is how the mailbox changes are held: a list when read, and a lazy view of
/// the plan when written, so that writing 100,000 changes never holds a second copy of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDocument<M = Vec<MailboxChangeDocument>> {
    pub format_version: String,
    pub auditform_version: String,
    pub source: String,
    pub summary: Summary,
    pub mailbox_changes: M,
    pub organization_changes: Vec<OrganizationChangeDocument>,
    pub bypass_changes: Vec<BypassChangeDocument>,
    pub skipped: Vec<SkippedDocument>,
    pub warnings: Vec<String>,
    /// Since 1.1, and only when the policy set declares actions newer than auditform.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declared_actions: Vec<DeclaredActionDocument>,
    /// Only in saved plan files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_file: Option<PlanFileInfo>,
    /// Only in saved plan files, and always the last key: see `plan::planfile`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// An action the policy set declares, unknown to the auditform that made the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredActionDocument {
    pub name: String,
    /// `FILE:LINE` of the declaration.
    pub declared_at: String,
    /// The logon types the declaration says the service accepts it for.
    pub logon_types: Vec<String>,
    /// Those of them for which it is one of Microsoft's managed defaults.
    pub default_for: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub to_change: usize,
    pub unchanged: usize,
    pub skipped: usize,
    pub weakening: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxChangeDocument {
    pub id: String,
    pub identity: String,
    pub display_name: String,
    pub address: Option<String>,
    pub recipient_type_details: String,
    pub policies: Vec<String>,
    pub weakens: bool,
    pub weakenings: Vec<String>,
    pub fingerprint: String,
    pub changes: MailboxProperties,
    pub restore_default_audit_set: Vec<String>,
    pub notes: Vec<String>,
}

/// Only the properties that change are present, named as Get-Mailbox names them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxProperties {
    #[serde(
        rename = "AuditEnabled",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub audit_enabled: Option<ValueChange<bool>>,
    #[serde(
        rename = "AuditLogAgeLimit",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub audit_log_age_limit: Option<ValueChange<String>>,
    #[serde(
        rename = "AuditAdmin",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub audit_admin: Option<ListChangeDocument>,
    #[serde(
        rename = "AuditDelegate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub audit_delegate: Option<ListChangeDocument>,
    #[serde(
        rename = "AuditOwner",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub audit_owner: Option<ListChangeDocument>,
    #[serde(
        rename = "DefaultAuditSet",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub default_audit_set: Option<ValueChange<Vec<String>>>,
}

impl MailboxProperties {
    fn list_mut(&mut self, logon: LogonType) -> &mut Option<ListChangeDocument> {
        match logon {
            LogonType::Admin => &mut self.audit_admin,
            LogonType::Delegate => &mut self.audit_delegate,
            LogonType::Owner => &mut self.audit_owner,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueChange<T> {
    pub before: T,
    pub after: T,
}

/// Action names are canonical, in catalog order, with names the catalog does not know last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListChangeDocument {
    pub before: Vec<String>,
    pub after: Vec<String>,
    pub add: Vec<String>,
    pub remove: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationChangeDocument {
    pub changes: OrganizationProperties,
    pub policies: Vec<String>,
    pub weakens: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationProperties {
    #[serde(rename = "AuditDisabled")]
    pub audit_disabled: ValueChange<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BypassChangeDocument {
    pub id: String,
    pub identity: String,
    pub display_name: String,
    pub address: Option<String>,
    pub changes: BypassProperties,
    pub policies: Vec<String>,
    pub weakens: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BypassProperties {
    #[serde(rename = "AuditBypassEnabled")]
    pub audit_bypass_enabled: ValueChange<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedDocument {
    pub id: String,
    pub identity: String,
    pub display_name: String,
    pub address: Option<String>,
    pub recipient_type_details: String,
    pub reason: String,
    pub reason_code: ReasonCode,
    /// Only for `licence_required`: the actions that need the licence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<String>>,
    pub policies: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    FixedConfiguration,
    LicenceRequired,
}

/// What a plan file records beyond the plan itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanFileInfo {
    /// `auditform <version>`.
    pub created_by: String,
    /// `sha256:<hex>` over the policy files, sorted by path, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies_digest: Option<String>,
    /// Exactly which state the plan was made from, so that `apply FILE` targets it wherever
    /// it runs. Absent from plan files of older versions, and when it could not be known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<PlannedState>,
}

/// The state a plan was made from, as a plan file records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PlannedState {
    /// A state file, by its canonical absolute path.
    Snapshot { path: String },
    /// A live Exchange Online tenant, as `--tenant` and `--endpoint` named it.
    Exo { tenant: String, endpoint: String },
}

impl PlanFileInfo {
    /// Written by this build.
    pub fn new(policies_digest: Option<String>) -> Self {
        PlanFileInfo {
            created_by: format!("auditform {}", env!("CARGO_PKG_VERSION")),
            policies_digest,
            state: None,
        }
    }

    /// Records the state the plan was made from.
    pub fn with_state(mut self, state: Option<PlannedState>) -> Self {
        self.state = state;
        self
    }
}

/// A document that does not describe a plan this build can carry out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("`{at}`: {problem}")]
    InvalidValue { at: String, problem: String },
    #[error("`organization_changes` holds {count} entries; a tenant has one organization config")]
    SeveralOrganizationChanges { count: usize },
}

/// How a document is laid out. The document, its keys and its values, is the same either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// On one line, without spaces, as `terraform show -json` writes: the cheapest to write
    /// and to read.
    #[default]
    Compact,
    /// Indented by two spaces, one value per line, for people.
    Pretty,
}

/// Writes the plan's document, ending in a newline, as it is serialized: nothing of it is held
/// beyond the change being written. The same plan always gives the same bytes.
pub fn write(plan: &Plan, layout: Layout, out: &mut dyn Write) -> io::Result<()> {
    match layout {
        Layout::Compact => write_compact(plan, serde_json::ser::CompactFormatter, out),
        Layout::Pretty => {
            let mut out = io::BufWriter::with_capacity(WRITE_BUFFER, out);
            write_value(&streaming_document(plan), layout, &mut out)?;
            out.write_all(b"\n")?;
            out.flush()
        }
    }
}

/// Writes the compact document, ending in a newline, with every string and value written
/// through `formatter`: serde_json's [`CompactFormatter`](serde_json::ser::CompactFormatter),
/// or one that escapes more. The bytes are those of serializing the plan's
/// [`PlanDocument`] with `formatter`.
pub fn write_compact<F: serde_json::ser::Formatter + Clone>(
    plan: &Plan,
    formatter: F,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(WRITE_BUFFER, out);
    compact::write_document_open(plan, None, &formatter, &mut out)?;
    out.write_all(b"}\n")?;
    out.flush()
}

/// Large enough that a big plan goes out in few writes.
pub(crate) const WRITE_BUFFER: usize = 256 * 1024;

/// Serializes `value` in `layout`.
pub(crate) fn write_value(
    value: &impl Serialize,
    layout: Layout,
    out: &mut impl Write,
) -> io::Result<()> {
    match layout {
        Layout::Compact => serde_json::to_writer(out, value)?,
        Layout::Pretty => serde_json::to_writer_pretty(out, value)?,
    }
    Ok(())
}

/// The mailbox changes of a plan, serialized straight from the plan as they are written: each
/// is the [`MailboxChangeDocument`] that [`PlanDocument::from_plan`] would build, without
/// building it.
pub struct LazyMailboxChanges<'a>(&'a [MailboxChange]);

impl Serialize for LazyMailboxChanges<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(MailboxChangeView))
    }
}

/// A mailbox change, serialized as its [`MailboxChangeDocument`] (same keys, same order, same
/// values), with names borrowed from the plan.
struct MailboxChangeView<'a>(&'a MailboxChange);

impl Serialize for MailboxChangeView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let change = self.0;
        let weakenings = change.weakenings();
        let mut document = serializer.serialize_struct("MailboxChangeDocument", 12)?;
        document.serialize_field("id", &change.subject.id())?;
        document.serialize_field("identity", &change.subject.identity())?;
        document.serialize_field("display_name", &change.subject.display_name())?;
        document.serialize_field("address", &change.subject.address())?;
        document.serialize_field("recipient_type_details", change.recipient_type.name())?;
        document.serialize_field("policies", &PolicyNames(&change.policies))?;
        document.serialize_field("weakens", &!weakenings.is_empty())?;
        document.serialize_field("weakenings", &Displayed(&weakenings[..]))?;
        document.serialize_field("fingerprint", &change.fingerprint)?;
        document.serialize_field("changes", &PropertiesView(change))?;
        document.serialize_field(
            "restore_default_audit_set",
            &LogonNames(change.restore_defaults),
        )?;
        document.serialize_field("notes", &change.notes)?;
        document.end()
    }
}

/// The properties that change, as [`MailboxProperties`] writes them.
struct PropertiesView<'a>(&'a MailboxChange);

impl Serialize for PropertiesView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let change = self.0;
        let mut properties = serializer.serialize_struct("MailboxProperties", 6)?;
        match &change.enabled {
            Some(enabled) => properties.serialize_field(
                "AuditEnabled",
                &ValueChange {
                    before: enabled.before,
                    after: enabled.after,
                },
            )?,
            None => properties.skip_field("AuditEnabled")?,
        }
        match &change.log_age_limit {
            Some(limit) => properties.serialize_field(
                "AuditLogAgeLimit",
                &ValueChange {
                    before: Displayed(&limit.before),
                    after: Displayed(&limit.after),
                },
            )?,
            None => properties.skip_field("AuditLogAgeLimit")?,
        }
        for logon in LogonType::ALL {
            let name = match logon {
                LogonType::Admin => "AuditAdmin",
                LogonType::Delegate => "AuditDelegate",
                LogonType::Owner => "AuditOwner",
            };
            match change.list(logon) {
                Some(list) => properties.serialize_field(name, &ListChangeView(list))?,
                None => properties.skip_field(name)?,
            }
        }
        match &change.default_audit_set {
            Some(set) => properties.serialize_field(
                "DefaultAuditSet",
                &ValueChange {
                    before: LogonNames(set.before),
                    after: LogonNames(set.after),
                },
            )?,
            None => properties.skip_field("DefaultAuditSet")?,
        }
        properties.end()
    }
}

/// A list change, as [`ListChangeDocument`] writes it.
struct ListChangeView<'a>(&'a ListChange);

impl Serialize for ListChangeView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let list = self.0;
        let mut document = serializer.serialize_struct("ListChangeDocument", 4)?;
        document.serialize_field("before", &ActionNames(&list.before))?;
        document.serialize_field("after", &ActionNames(&list.after))?;
        document.serialize_field("add", &ActionNames(&list.add))?;
        document.serialize_field("remove", &ActionNames(&list.remove))?;
        document.end()
    }
}

/// An action list's names in canonical order: catalog actions, then unknown names.
struct ActionNames<'a>(&'a ActionList);

impl Serialize for ActionNames<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let list = self.0;
        serializer.collect_seq(
            list.known
                .iter()
                .map(|action| -> &str { action.name() })
                .chain(list.unknown.iter().map(|name| &**name)),
        )
    }
}

struct LogonNames(LogonSet);

impl Serialize for LogonNames {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(LogonType::name))
    }
}

struct PolicyNames<'a>(&'a [PolicyRef]);

impl Serialize for PolicyNames<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|policy| &*policy.name))
    }
}

/// A value, or each value of a list, written as the string its `Display` gives.
struct Displayed<'a, T: ?Sized>(&'a T);

impl<T: std::fmt::Display> Serialize for Displayed<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

impl<T: std::fmt::Display> Serialize for Displayed<'_, [T]> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(Displayed))
    }
}

/// The plan's document for writing: the same bytes as [`PlanDocument::from_plan`] gives.
pub fn streaming_document(plan: &Plan) -> PlanDocument<LazyMailboxChanges<'_>> {
    document_with(plan, LazyMailboxChanges(&plan.mailbox_changes))
}

fn document_with<M>(plan: &Plan, mailbox_changes: M) -> PlanDocument<M> {
    PlanDocument {
        format_version: FORMAT_VERSION.to_string(),
        auditform_version: env!("CARGO_PKG_VERSION").to_string(),
        source: plan.source.clone(),
        summary: Summary {
            to_change: plan.to_change(),
            unchanged: plan.unchanged,
            skipped: plan.skipped.len(),
            weakening: plan.weakening_count(),
        },
        mailbox_changes,
        organization_changes: plan
            .organization_change
            .iter()
            .map(organization_document)
            .collect(),
        bypass_changes: plan.bypass_changes.iter().map(bypass_document).collect(),
        skipped: plan.skipped.iter().map(skipped_document).collect(),
        warnings: plan.warnings.clone(),
        declared_actions: plan
            .declared_actions
            .iter()
            .map(declared_document)
            .collect(),
        plan_file: None,
        digest: None,
    }
}

impl PlanDocument {
    pub fn from_plan(plan: &Plan) -> PlanDocument {
        document_with(
            plan,
            plan.mailbox_changes.iter().map(mailbox_document).collect(),
        )
    }
}

fn names<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    names.into_iter().map(str::to_string).collect()
}

fn policy_names(policies: &[PolicyRef]) -> Vec<String> {
    policies
        .iter()
        .map(|policy| policy.name.to_string())
        .collect()
}

/// One mailbox change as the document writes it.
pub fn mailbox_document(change: &MailboxChange) -> MailboxChangeDocument {
    let mut properties = MailboxProperties {
        audit_enabled: change.enabled.as_ref().map(|c| ValueChange {
            before: c.before,
            after: c.after,
        }),
        audit_log_age_limit: change.log_age_limit.as_ref().map(|c| ValueChange {
            before: c.before.to_string(),
            after: c.after.to_string(),
        }),
        default_audit_set: change.default_audit_set.as_ref().map(|c| ValueChange {
            before: names(c.before.names()),
            after: names(c.after.names()),
        }),
        ..MailboxProperties::default()
    };
    for logon in LogonType::ALL {
        *properties.list_mut(logon) = change.list(logon).map(|list| ListChangeDocument {
            before: names(list.before.names()),
            after: names(list.after.names()),
            add: names(list.add.names()),
            remove: names(list.remove.names()),
        });
    }
    let weakenings: Vec<String> = change.weakenings().iter().map(|w| w.to_string()).collect();
    MailboxChangeDocument {
        id: change.subject.id().to_string(),
        identity: change.subject.identity().to_string(),
        display_name: change.subject.display_name().to_string(),
        address: change.subject.address().map(str::to_string),
        recipient_type_details: change.recipient_type.name().to_string(),
        policies: policy_names(&change.policies),
        weakens: !weakenings.is_empty(),
        weakenings,
        fingerprint: change.fingerprint.to_string(),
        changes: properties,
        restore_default_audit_set: names(change.restore_defaults.names()),
        notes: change.notes.to_vec(),
    }
}

fn declared_document(declared: &DeclaredAction) -> DeclaredActionDocument {
    let logons = |wanted: fn(Support) -> bool| -> Vec<String> {
        LogonType::ALL
            .into_iter()
            .filter(|logon| wanted(declared.support(*logon)))
            .map(|logon| logon.name().to_string())
            .collect()
    };
    DeclaredActionDocument {
        name: declared.name.to_string(),
        declared_at: declared.origin.to_string(),
        logon_types: logons(|support| support != Support::Rejected),
        default_for: logons(|support| support == Support::Default),
    }
}

fn organization_document(change: &OrganizationChange) -> OrganizationChangeDocument {
    OrganizationChangeDocument {
        changes: OrganizationProperties {
            audit_disabled: ValueChange {
                before: change.audit_disabled.before,
                after: change.audit_disabled.after,
            },
        },
        policies: policy_names(&change.policies),
        weakens: change.weakens(),
    }
}

fn bypass_document(change: &BypassChange) -> BypassChangeDocument {
    BypassChangeDocument {
        id: change.subject.id().to_string(),
        identity: change.subject.identity().to_string(),
        display_name: change.subject.display_name().to_string(),
        address: change.subject.address().map(str::to_string),
        changes: BypassProperties {
            audit_bypass_enabled: ValueChange {
                before: change.bypass_enabled.before,
                after: change.bypass_enabled.after,
            },
        },
        policies: policy_names(&change.policies),
        weakens: change.weakens(),
    }
}

/// One skipped mailbox as the document writes it.
pub fn skipped_document(skipped: &Skipped) -> SkippedDocument {
    let (reason_code, actions) = match &skipped.reason {
        SkipReason::FixedConfiguration => (ReasonCode::FixedConfiguration, None),
        SkipReason::LicenceRequired { actions } => {
            (ReasonCode::LicenceRequired, Some(actions.clone()))
        }
    };
    SkippedDocument {
        id: skipped.subject.id().to_string(),
        identity: skipped.subject.identity().to_string(),
        display_name: skipped.subject.display_name().to_string(),
        address: skipped.subject.address().map(str::to_string),
        recipient_type_details: skipped.recipient_type.name().to_string(),
        reason: skipped.reason.to_string(),
        reason_code,
        actions,
        policies: policy_names(&skipped.policies),
    }
}

pub(crate) mod compact;
mod read;

#[cfg(test)]
mod tests;
