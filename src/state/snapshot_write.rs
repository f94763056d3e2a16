//! Writing a plan's changes back into a state file without losing anything auditform does not
//! know.
//!
//! The new file is the old file's bytes with a few ranges replaced: the values of the audit
//! properties that changed (AuditEnabled, AuditLogAgeLimit, AuditAdmin, AuditDelegate,
//! AuditOwner, DefaultAuditSet), the organization's AuditDisabled and the bypass associations'
//! AuditBypassEnabled. Every other byte, including unknown properties, huge numbers, escapes and
//! the file's layout, is copied as it was. A changed property the object lacks is appended to
//! it. Shapes are kept: a string AuditLogAgeLimit stays a string; an object AuditLogAgeLimit
//! (ConvertTo-Json of a TimeSpan) has every member it carries rewritten consistently; a
//! DefaultAuditSet written as a string stays a string. Action lists are written as arrays.
//!
//! Changes are carried out with [`service::set_mailbox`], so that DefaultAuditSet and the
//! service's refusals are exactly the service's; a refused mailbox keeps its bytes and reports
//! the service's message.

use super::atomic_write::replace_keeping_backup;
use super::encoding::TextEncoding;
use super::snapshot::SnapshotFile;
use super::snapshot::{read_snapshot_bytes_with_shape, StateError};
use super::snapshot_patch::{changed_fields, Layout, Patches};
use super::{
    CurrentObjects, ObjectOutcome, ObjectRef, ObjectResult, ReadOptions, SinkError, StateSink,
};
use crate::model::Tenant;
use crate::plan::{set_mailbox, MailboxChange, Plan};
use crate::service;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// `FILE.backup`, where the previous state file is kept.
pub use super::atomic_write::backup_path;

/// The local state backend as a [`StateSink`]. The caller holds the file's
/// [`StateLock`](super::lock::StateLock) for as long as it uses the sink.
pub struct SnapshotSink {
    file: SnapshotFile,
}

impl SnapshotSink {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        SnapshotSink {
            file: SnapshotFile::new(path),
        }
    }

    pub fn path(&self) -> &Path {
        self.file.path()
    }
}

impl StateSink for SnapshotSink {
    fn describe(&self) -> String {
        self.file.describe()
    }

    fn read_planned(&mut self, plan: &Plan) -> Result<CurrentObjects, SinkError> {
        let mut collector = CurrentObjects::collector(plan);
        self.file.read(&mut collector, &ReadOptions::default())?;
        Ok(collector.finish())
    }

    fn apply(
        &mut self,
        plan: &Plan,
        progress: &mut dyn FnMut(&ObjectOutcome),
    ) -> Result<Vec<ObjectOutcome>, SinkError> {
        let path = self.file.path();
        let bytes = std::fs::read(path).map_err(|source| write_error(path, source))?;
        // The file is rewritten in the encoding it came in: Windows PowerShell 5.1 reads a
        // UTF-8 file without a byte-order mark as its legacy code page.
        let (text, encoding) = TextEncoding::decode_whole(bytes).map_err(|source| {
            SinkError::Read(StateError::Unreadable {
                path: path.to_path_buf(),
                source,
            })
        })?;
        let rewritten = rewrite(&text, &path.display().to_string(), plan)?;
        drop(text);
        replace_keeping_backup(path, &encoding.encode(rewritten.bytes))
            .map_err(|source| write_error(path, source))?;
        // The file is one write: every object finishes with it.
        for outcome in &rewritten.outcomes {
            progress(outcome);
        }
        Ok(rewritten.outcomes)
    }
}

fn write_error(path: &Path, source: std::io::Error) -> SinkError {
    SinkError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// The new bytes of a state file, and what happened to each planned object.
pub struct Rewritten {
    pub bytes: Vec<u8>,
    pub outcomes: Vec<ObjectOutcome>,
}

/// Applies `plan` to the state file `bytes`, returning the new file and an outcome per
/// planned object in the plan's order. `label` names the file in errors.
pub fn rewrite(bytes: &[u8], label: &str, plan: &Plan) -> Result<Rewritten, StateError> {
    let mut tenant = Tenant::default();
    let shape = read_snapshot_bytes_with_shape(bytes, label, &mut tenant, &ReadOptions::default())?;
    let layout = Layout::of(bytes, shape).map_err(|message| layout_error(label, message))?;
    if layout.mailboxes.len() != tenant.mailboxes.len()
        || layout.bypass.len() != tenant.bypass.len()
    {
        return Err(layout_error(
            label,
            "the file's objects could not be matched with what was read".into(),
        ));
    }

    let mut patches = Patches::default();
    let mut outcomes = Vec::with_capacity(plan.to_change());
    let changes: HashMap<&str, &MailboxChange> = plan
        .mailbox_changes
        .iter()
        .map(|change| (change.subject.id(), change))
        .collect();
    let mut results: HashMap<&str, ObjectResult> = HashMap::new();
    let catalog = plan.catalog();
    for (mailbox, raw) in tenant.mailboxes.iter().zip(&layout.mailboxes) {
        let Some(change) = changes.get(mailbox.names.immutable_id()) else {
            continue;
        };
        let params = set_mailbox::params_for_change(change);
        let result = match service::set_mailbox(
            &catalog,
            &mailbox.recipient_type,
            mailbox.licence,
            &mailbox.audit,
            &params,
        ) {
            Ok(next) => {
                let fields = changed_fields(&mailbox.audit, &next, raw)
                    .map_err(|message| layout_error(label, message))?;
                patches
                    .set_fields(bytes, raw, &fields)
                    .map_err(|m| layout_error(label, m))?;
                ObjectResult::Changed
            }
            Err(error) => ObjectResult::Failed {
                message: error.to_string(),
            },
        };
        results.insert(change.subject.id(), result);
    }
    for change in &plan.mailbox_changes {
        outcomes.push(ObjectOutcome {
            object: ObjectRef::mailbox(&change.subject),
            result: results
                .remove(change.subject.id())
                .unwrap_or_else(|| ObjectResult::Failed {
                    message: "the mailbox is no longer in the state file".into(),
                }),
            warnings: Vec::new(),
        });
    }

    if let Some(change) = &plan.organization_change {
        let Some(organization) = layout.organization.filter(|raw| raw.get().starts_with('{'))
        else {
            return Err(layout_error(
                label,
                "the plan changes the organization, but this file holds no organization object (only auditform's snapshot shape does)".into(),
            ));
        };
        let value = change.audit_disabled.after.to_string();
        patches
            .set_fields(bytes, organization, &[("AuditDisabled", value)])
            .map_err(|m| layout_error(label, m))?;
        outcomes.push(ObjectOutcome {
            object: ObjectRef::Organization,
            result: ObjectResult::Changed,
            warnings: Vec::new(),
        });
    }

    // The first association of an id is the one changed, should the file repeat one.
    let mut bypass_positions: HashMap<&str, usize> = HashMap::new();
    for (index, association) in tenant.bypass.iter().enumerate() {
        bypass_positions
            .entry(association.names.immutable_id())
            .or_insert(index);
    }
    for change in &plan.bypass_changes {
        let result = match bypass_positions.get(change.subject.id()) {
            Some(&index) => {
                let value = change.bypass_enabled.after.to_string();
                patches
                    .set_fields(
                        bytes,
                        layout.bypass[index],
                        &[("AuditBypassEnabled", value)],
                    )
                    .map_err(|m| layout_error(label, m))?;
                ObjectResult::Changed
            }
            None => ObjectResult::Failed {
                message: "the bypass association is no longer in the state file".into(),
            },
        };
        outcomes.push(ObjectOutcome {
            object: ObjectRef::bypass(&change.subject),
            result,
            warnings: Vec::new(),
        });
    }

    Ok(Rewritten {
        bytes: patches.apply(bytes),
        outcomes,
    })
}

fn layout_error(label: &str, message: String) -> StateError {
    StateError::Shape {
        label: label.into(),
        line: 1,
        column: 1,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests;
