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

use super::snapshot::SnapshotFile;
use super::snapshot::{read_snapshot_bytes_with_shape, Shape, StateError};
use super::{
    CurrentObjects, ObjectOutcome, ObjectRef, ObjectResult, ReadOptions, SinkError, StateSink,
};
use crate::model::{AuditSettings, LogonSet, LogonType, Tenant};
use crate::plan::{MailboxChange, Plan};
use crate::service;
use crate::timespan::TimeSpan;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

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
        let rewritten = rewrite(&bytes, &path.display().to_string(), plan)?;
        drop(bytes);
        replace_atomically(path, &rewritten.bytes).map_err(|source| write_error(path, source))?;
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

/// `FILE.backup` beside the state file.
pub fn backup_path(state: &Path) -> PathBuf {
    let mut name = state.as_os_str().to_owned();
    name.push(".backup");
    PathBuf::from(name)
}

/// Replaces `path` with `bytes` so that a crash at any moment leaves either the old file or the
/// new one, never a mix: the new bytes go to a temporary file in the same directory and are
/// synced, the old file becomes `FILE.backup` (replacing an older backup), and one rename puts
/// the new file in place, after which the directory is synced so that the rename survives a
/// power loss. The new file keeps the old one's permissions.
pub fn replace_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let permissions = std::fs::metadata(path)?.permissions();
    let mut temp = tempfile::Builder::new()
        .prefix(".auditform-")
        .suffix(".tmp")
        .tempfile_in(&directory)?;
    temp.write_all(bytes)?;
    temp.as_file().set_permissions(permissions)?;
    temp.as_file().sync_all()?;
    keep_backup(path, &directory)?;
    temp.persist(path).map_err(|error| error.error)?;
    sync_directory(&directory)
}

/// Makes `FILE.backup` the current file, replacing any older backup in one rename: a hard link
/// when the file system has them (no copy), else a synced copy.
fn keep_backup(path: &Path, directory: &Path) -> std::io::Result<()> {
    let staged = tempfile::Builder::new()
        .prefix(".auditform-backup-")
        .suffix(".tmp")
        .make_in(directory, |staged| {
            std::fs::hard_link(path, staged).or_else(|_| {
                std::fs::copy(path, staged)?;
                std::fs::File::open(staged)?.sync_all()
            })
        })?;
    std::fs::rename(staged.path(), backup_path(path))
    // Dropping `staged` now finds its name gone, which it ignores.
}

#[cfg(unix)]
fn sync_directory(directory: &Path) -> std::io::Result<()> {
    std::fs::File::open(directory)?.sync_all()
}

#[cfg(not(unix))]
fn sync_directory(_directory: &Path) -> std::io::Result<()> {
    Ok(())
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
        .map(|change| (change.subject.id.as_str(), change))
        .collect();
    let mut results: HashMap<&str, ObjectResult> = HashMap::new();
    for (mailbox, raw) in tenant.mailboxes.iter().zip(&layout.mailboxes) {
        let Some(change) = changes.get(mailbox.names.immutable_id()) else {
            continue;
        };
        let params = service::params_for_change(change);
        let result = match service::set_mailbox(
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
        results.insert(&change.subject.id, result);
    }
    for change in &plan.mailbox_changes {
        outcomes.push(ObjectOutcome {
            object: ObjectRef::mailbox(&change.subject),
            result: results
                .remove(change.subject.id.as_str())
                .unwrap_or_else(|| ObjectResult::Failed {
                    message: "the mailbox is no longer in the state file".into(),
                }),
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
        });
    }

    for change in &plan.bypass_changes {
        let position = tenant
            .bypass
            .iter()
            .position(|b| b.names.immutable_id() == change.subject.id);
        let result = match position {
            Some(index) => {
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

/// Where the objects auditform may change sit in the file.
struct Layout<'a> {
    mailboxes: Vec<&'a RawValue>,
    organization: Option<&'a RawValue>,
    bypass: Vec<&'a RawValue>,
}

impl<'a> Layout<'a> {
    fn of(bytes: &'a [u8], shape: Shape) -> Result<Layout<'a>, String> {
        let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
        let array = |raw: Option<&'a RawValue>| -> Result<Vec<&'a RawValue>, String> {
            match raw {
                None => Ok(Vec::new()),
                Some(raw) => serde_json::from_str::<Option<Vec<&'a RawValue>>>(raw.get())
                    .map(Option::unwrap_or_default)
                    .map_err(|e| e.to_string()),
            }
        };
        let mut layout = Layout {
            mailboxes: Vec::new(),
            organization: None,
            bypass: Vec::new(),
        };
        match shape {
            Shape::PowerShellArray => {
                layout.mailboxes = serde_json::from_str(text).map_err(|e| e.to_string())?;
            }
            Shape::PowerShellObject => {
                layout.mailboxes = vec![serde_json::from_str(text).map_err(|e| e.to_string())?];
            }
            Shape::Rest | Shape::Snapshot => {
                let top: RawEntries = serde_json::from_str(text).map_err(|e| e.to_string())?;
                let container = if shape == Shape::Rest {
                    "value"
                } else {
                    "mailboxes"
                };
                layout.mailboxes = array(top.last(container))?;
                if shape == Shape::Snapshot {
                    layout.organization = top.last("organization");
                    layout.bypass = array(top.last("auditBypass"))?;
                }
            }
        }
        Ok(layout)
    }
}

/// A JSON object's members in file order, each value still the file's own bytes.
struct RawEntries<'a>(Vec<(String, &'a RawValue)>);

impl<'a> RawEntries<'a> {
    /// The reader takes the last of repeated keys; so does the writer.
    fn last(&self, name: &str) -> Option<&'a RawValue> {
        self.0
            .iter()
            .rev()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| *value)
    }
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for RawEntries<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for EntriesVisitor<'a> {
            type Value = RawEntries<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    entries.push(entry);
                }
                Ok(RawEntries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor(std::marker::PhantomData))
    }
}

/// Byte ranges of the original file and what replaces them.
#[derive(Default)]
struct Patches(Vec<(Range<usize>, String)>);

impl Patches {
    /// Sets each `(property, JSON text)` on the object `raw`: every member of that name (any
    /// case) gets the new value; a property the object lacks is appended to it.
    fn set_fields(
        &mut self,
        bytes: &[u8],
        raw: &RawValue,
        fields: &[(&str, String)],
    ) -> Result<(), String> {
        let entries: RawEntries = serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
        let mut appended = String::new();
        let mut has_members = !entries.0.is_empty();
        for (name, value) in fields {
            let mut found = false;
            for (_, member) in entries
                .0
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            {
                self.0.push((span(bytes, member), value.clone()));
                found = true;
            }
            if !found {
                if has_members {
                    appended.push(',');
                }
                appended.push_str(&serde_json::to_string(name).map_err(|e| e.to_string())?);
                appended.push(':');
                appended.push_str(value);
                has_members = true;
            }
        }
        if !appended.is_empty() {
            let closing = span(bytes, raw).end - 1;
            self.0.push((closing..closing, appended));
        }
        Ok(())
    }

    fn apply(mut self, bytes: &[u8]) -> Vec<u8> {
        self.0.sort_by_key(|(range, _)| (range.start, range.end));
        let mut out = Vec::with_capacity(bytes.len() + 1024);
        let mut copied = 0;
        for (range, text) in self.0 {
            out.extend_from_slice(&bytes[copied..range.start]);
            out.extend_from_slice(text.as_bytes());
            copied = range.end;
        }
        out.extend_from_slice(&bytes[copied..]);
        out
    }
}

/// Where a value borrowed from `bytes` sits in it.
fn span(bytes: &[u8], raw: &RawValue) -> Range<usize> {
    let start = raw.get().as_ptr() as usize - bytes.as_ptr() as usize;
    start..start + raw.get().len()
}

/// The audit properties whose value differs, as JSON text in the shape the file used.
fn changed_fields(
    before: &AuditSettings,
    after: &AuditSettings,
    raw: &RawValue,
) -> Result<Vec<(&'static str, String)>, String> {
    let entries: RawEntries = serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
    let mut fields = Vec::new();
    if before.enabled != after.enabled {
        fields.push(("AuditEnabled", after.enabled.to_string()));
    }
    if before.log_age_limit != after.log_age_limit {
        let text = match entries.last("AuditLogAgeLimit") {
            Some(old) if old.get().starts_with('{') => timespan_object(old, after.log_age_limit)?,
            _ => json_string(&after.log_age_limit.to_string()),
        };
        fields.push(("AuditLogAgeLimit", text));
    }
    for logon in LogonType::ALL {
        if before.list(logon) != after.list(logon) {
            let names: Vec<&str> = after.list(logon).names();
            fields.push((logon.property(), serde_json::Value::from(names).to_string()));
        }
    }
    if before.default_audit_set != after.default_audit_set {
        let as_string = entries
            .last("DefaultAuditSet")
            .is_some_and(|old| old.get().starts_with('"'));
        fields.push((
            "DefaultAuditSet",
            logon_set(after.default_audit_set, as_string),
        ));
    }
    Ok(fields)
}

fn json_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

fn logon_set(set: LogonSet, as_string: bool) -> String {
    let names = set.names();
    if as_string {
        let text = if names.is_empty() {
            "None".to_string()
        } else {
            names.join(", ")
        };
        json_string(&text)
    } else {
        serde_json::Value::from(names).to_string()
    }
}

/// A ConvertTo-Json TimeSpan object with every member it carries set to `value`; members that
/// are not TimeSpan members are kept.
fn timespan_object(old: &RawValue, value: TimeSpan) -> Result<String, String> {
    const TICKS_PER_MS: i64 = 10_000;
    let entries: RawEntries = serde_json::from_str(old.get()).map_err(|e| e.to_string())?;
    let ticks = value.ticks();
    let total_ms = ticks as f64 / TICKS_PER_MS as f64;
    let member = |name: &str| -> Option<serde_json::Value> {
        let lower = name.to_ascii_lowercase();
        Some(match lower.as_str() {
            "ticks" => ticks.into(),
            "days" => (ticks / (86_400_000 * TICKS_PER_MS)).into(),
            "hours" => (ticks / (3_600_000 * TICKS_PER_MS) % 24).into(),
            "minutes" => (ticks / (60_000 * TICKS_PER_MS) % 60).into(),
            "seconds" => (ticks / (1000 * TICKS_PER_MS) % 60).into(),
            "milliseconds" => (ticks / TICKS_PER_MS % 1000).into(),
            "microseconds" => (ticks / 10 % 1000).into(),
            "nanoseconds" => (ticks % 10 * 100).into(),
            "totaldays" => (total_ms / 86_400_000.0).into(),
            "totalhours" => (total_ms / 3_600_000.0).into(),
            "totalminutes" => (total_ms / 60_000.0).into(),
            "totalseconds" => (total_ms / 1000.0).into(),
            "totalmilliseconds" => total_ms.into(),
            "totalmicroseconds" => (ticks as f64 / 10.0).into(),
            "totalnanoseconds" => (ticks as f64 * 100.0).into(),
            _ => return None,
        })
    };
    let mut out = String::from("{");
    for (index, (key, raw)) in entries.0.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::Value::from(key.as_str()).to_string());
        out.push(':');
        match member(key) {
            Some(value) => out.push_str(&value.to_string()),
            None => out.push_str(raw.get()),
        }
    }
    out.push('}');
    Ok(out)
}

#[cfg(test)]
#[path = "snapshot_write_tests.rs"]
mod tests;
