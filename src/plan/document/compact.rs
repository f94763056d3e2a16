//! The compact document, written by hand: byte for byte what serde_json writes for the
//! [`PlanDocument`] of the plan with a given formatter, at a fraction of the cost. A plan of a
//! million changes is mostly action names, which are written here as the constant strings they
//! are rather than escaped one character at a time; anything that came from outside (names,
//! notes, unknown actions) goes through serde_json with the formatter whenever it holds a
//! character that any formatter might escape. The tests hold the two writers to the same bytes,
//! for any plan.

use super::{
    bypass_document, declared_document, organization_document, skipped_document, PlanFileInfo,
    Summary, FORMAT_VERSION,
};
use crate::model::{ActionList, LogonSet, LogonType};
use crate::plan::{ListChange, MailboxChange, Plan};
use serde::Serialize;
use serde_json::ser::Formatter;
use std::io::{self, Write};

/// Writes the plan's compact document, with `plan_file` when given, and without the closing
/// brace (a plan file's digest goes before it).
pub(crate) fn write_document_open<F: Formatter + Clone>(
    plan: &Plan,
    plan_file: Option<&PlanFileInfo>,
    formatter: &F,
    out: &mut dyn Write,
) -> io::Result<()> {
    out.write_all(b"{\"format_version\":")?;
    value(formatter, out, &FORMAT_VERSION)?;
    out.write_all(b",\"auditform_version\":")?;
    value(formatter, out, &env!("CARGO_PKG_VERSION"))?;
    out.write_all(b",\"source\":")?;
    value(formatter, out, &plan.source)?;
    out.write_all(b",\"summary\":")?;
    value(
        formatter,
        out,
        &Summary {
            to_change: plan.to_change(),
            unchanged: plan.unchanged,
            skipped: plan.skipped.len(),
            weakening: plan.weakening_count(),
        },
    )?;
    out.write_all(b",\"mailbox_changes\":[")?;
    write_mailbox_changes(&plan.mailbox_changes, formatter, out)?;
    out.write_all(b"],\"organization_changes\":")?;
    value(
        formatter,
        out,
        &plan
            .organization_change
            .iter()
            .map(organization_document)
            .collect::<Vec<_>>(),
    )?;
    out.write_all(b",\"bypass_changes\":")?;
    value(
        formatter,
        out,
        &plan
            .bypass_changes
            .iter()
            .map(bypass_document)
            .collect::<Vec<_>>(),
    )?;
    out.write_all(b",\"skipped\":")?;
    value(
        formatter,
        out,
        &plan
            .skipped
            .iter()
            .map(skipped_document)
            .collect::<Vec<_>>(),
    )?;
    out.write_all(b",\"warnings\":")?;
    value(formatter, out, &plan.warnings)?;
    if !plan.declared_actions.is_empty() {
        out.write_all(b",\"declared_actions\":")?;
        value(
            formatter,
            out,
            &plan
                .declared_actions
                .iter()
                .map(declared_document)
                .collect::<Vec<_>>(),
        )?;
    }
    if let Some(info) = plan_file {
        out.write_all(b",\"plan_file\":")?;
        value(formatter, out, info)?;
    }
    Ok(())
}

/// Serializes `value` with the formatter.
fn value<F: Formatter + Clone, T: Serialize + ?Sized>(
    formatter: &F,
    out: &mut dyn Write,
    value: &T,
) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, formatter.clone());
    value.serialize(&mut serializer)?;
    Ok(())
}

/// Writes `changes` as the elements of the `mailbox_changes` array, comma-separated.
pub(crate) fn write_mailbox_changes<F: Formatter + Clone>(
    changes: &[MailboxChange],
    formatter: &F,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut buffer = Vec::with_capacity(64 * 1024);
    for (index, change) in changes.iter().enumerate() {
        if index > 0 {
            buffer.push(b',');
        }
        mailbox_change(change, formatter, &mut buffer);
        if buffer.len() >= 48 * 1024 {
            out.write_all(&buffer)?;
            buffer.clear();
        }
    }
    out.write_all(&buffer)
}

/// Writes into a buffer, where serde_json, like this module, can't fail.
struct Strings<'f, F> {
    formatter: &'f F,
}

impl<F: Formatter + Clone> Strings<'_, F> {
    /// A string, quoted and escaped as serde_json writes it with the formatter.
    fn string(&self, text: &str, out: &mut Vec<u8>) {
        if plain(text) {
            out.push(b'"');
            out.extend_from_slice(text.as_bytes());
            out.push(b'"');
        } else {
            let mut serializer =
                serde_json::Serializer::with_formatter(&mut *out, self.formatter.clone());
            // Writing to a Vec does not fail.
            let _ = text.serialize(&mut serializer);
        }
    }

    fn strings<'a>(&self, items: impl Iterator<Item = &'a str>, out: &mut Vec<u8>) {
        out.push(b'[');
        let mut first = true;
        for item in items {
            separate(&mut first, out);
            self.string(item, out);
        }
        out.push(b']');
    }

    /// Catalog actions in catalog order, then the names the catalog does not know.
    fn actions(&self, list: &ActionList, out: &mut Vec<u8>) {
        out.push(b'[');
        let mut first = true;
        for action in list.known.iter() {
            separate(&mut first, out);
            constant(action.name(), out);
        }
        for name in &list.unknown {
            separate(&mut first, out);
            self.string(name, out);
        }
        out.push(b']');
    }

    fn list_change(&self, list: &ListChange, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"before\":");
        self.actions(&list.before, out);
        out.extend_from_slice(b",\"after\":");
        self.actions(&list.after, out);
        out.extend_from_slice(b",\"add\":");
        self.actions(&list.add, out);
        out.extend_from_slice(b",\"remove\":");
        self.actions(&list.remove, out);
        out.push(b'}');
    }
}

/// One change's `MailboxChangeDocument`, compact.
pub(crate) fn mailbox_change<F: Formatter + Clone>(
    change: &MailboxChange,
    formatter: &F,
    out: &mut Vec<u8>,
) {
    let strings = Strings { formatter };
    let weakenings = change.weakenings();
    out.extend_from_slice(b"{\"id\":");
    strings.string(change.subject.id(), out);
    out.extend_from_slice(b",\"identity\":");
    strings.string(change.subject.identity(), out);
    out.extend_from_slice(b",\"display_name\":");
    strings.string(change.subject.display_name(), out);
    out.extend_from_slice(b",\"address\":");
    match &change.subject.address() {
        Some(address) => strings.string(address, out),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"recipient_type_details\":");
    strings.string(change.recipient_type.name(), out);
    out.extend_from_slice(b",\"policies\":");
    strings.strings(change.policies.iter().map(|policy| &*policy.name), out);
    out.extend_from_slice(if weakenings.is_empty() {
        b",\"weakens\":false,\"weakenings\":"
    } else {
        b",\"weakens\":true,\"weakenings\":"
    });
    let texts: Vec<String> = weakenings.iter().map(ToString::to_string).collect();
    strings.strings(texts.iter().map(String::as_str), out);
    out.extend_from_slice(b",\"fingerprint\":");
    change
        .fingerprint
        .with_text(|text| strings.string(text, out));
    out.extend_from_slice(b",\"changes\":{");
    let mut first = true;
    let mut key = |name: &str, out: &mut Vec<u8>| {
        separate(&mut first, out);
        constant(name, out);
        out.push(b':');
    };
    if let Some(enabled) = &change.enabled {
        key("AuditEnabled", out);
        out.extend_from_slice(b"{\"before\":");
        boolean(enabled.before, out);
        out.extend_from_slice(b",\"after\":");
        boolean(enabled.after, out);
        out.push(b'}');
    }
    if let Some(limit) = &change.log_age_limit {
        key("AuditLogAgeLimit", out);
        out.extend_from_slice(b"{\"before\":");
        strings.string(&limit.before.to_string(), out);
        out.extend_from_slice(b",\"after\":");
        strings.string(&limit.after.to_string(), out);
        out.push(b'}');
    }
    for logon in LogonType::ALL {
        if let Some(list) = change.list(logon) {
            key(logon.property(), out);
            strings.list_change(list, out);
        }
    }
    if let Some(set) = &change.default_audit_set {
        key("DefaultAuditSet", out);
        out.extend_from_slice(b"{\"before\":");
        logons(set.before, out);
        out.extend_from_slice(b",\"after\":");
        logons(set.after, out);
        out.push(b'}');
    }
    out.extend_from_slice(b"},\"restore_default_audit_set\":");
    logons(change.restore_defaults, out);
    out.extend_from_slice(b",\"notes\":");
    strings.strings(change.notes.iter().map(String::as_str), out);
    out.push(b'}');
}

fn logons(set: LogonSet, out: &mut Vec<u8>) {
    out.push(b'[');
    let mut first = true;
    for logon in set.iter() {
        separate(&mut first, out);
        constant(logon.name(), out);
    }
    out.push(b']');
}

fn separate(first: &mut bool, out: &mut Vec<u8>) {
    if !*first {
        out.push(b',');
    }
    *first = false;
}

fn boolean(value: bool, out: &mut Vec<u8>) {
    out.extend_from_slice(if value { b"true" } else { b"false" });
}

/// A name of auditform's own (an action of the catalog, a logon type, a property): letters
/// only, which no formatter escapes.
fn constant(name: &str, out: &mut Vec<u8>) {
    debug_assert!(plain(name));
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.push(b'"');
}

/// Whether every formatter writes `text` as it is: printable ASCII without a quote or a
/// backslash (which JSON escapes), and without `::` or `##` (a formatter that keeps CI logs
/// inert may escape the `[` of `##[`, `##vso[` and the like). Anything else goes through
/// serde_json.
fn plain(text: &str) -> bool {
    text.bytes()
        .all(|byte| (0x20..0x7f).contains(&byte) && byte != b'"' && byte != b'\\')
        && !text.contains("::")
        && !text.contains("##")
}
