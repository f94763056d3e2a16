//! The compact document, written by hand: byte for byte what serde_json writes for the
//! [`PlanDocument`] of the plan, at a fraction of the cost. A plan of a million changes is
//! mostly action names, which are written here as the constant strings they are rather than
//! escaped one character at a time; anything that came from outside (names, notes, unknown
//! actions) goes through serde_json's own string writer whenever it holds a character that
//! needs escaping. The tests hold the two writers to the same bytes, for any plan.

use super::{
    bypass_document, organization_document, skipped_document, PlanFileInfo, Summary, FORMAT_VERSION,
};
use crate::catalog::Action;
use crate::model::{ActionList, ActionSet, LogonSet, LogonType};
use crate::plan::{ListChange, MailboxChange, Plan};
use std::io::{self, Write};

/// Writes the plan's compact document, with `plan_file` when given, and without the closing
/// brace (a plan file's digest goes before it).
pub(crate) fn write_document_open(
    plan: &Plan,
    plan_file: Option<&PlanFileInfo>,
    out: &mut dyn Write,
) -> io::Result<()> {
    out.write_all(b"{\"format_version\":")?;
    serde_json::to_writer(&mut *out, FORMAT_VERSION)?;
    out.write_all(b",\"auditform_version\":")?;
    serde_json::to_writer(&mut *out, env!("CARGO_PKG_VERSION"))?;
    out.write_all(b",\"source\":")?;
    serde_json::to_writer(&mut *out, &plan.source)?;
    out.write_all(b",\"summary\":")?;
    serde_json::to_writer(
        &mut *out,
        &Summary {
            to_change: plan.to_change(),
            unchanged: plan.unchanged,
            skipped: plan.skipped.len(),
            weakening: plan.weakening_count(),
        },
    )?;
    out.write_all(b",\"mailbox_changes\":[")?;
    write_mailbox_changes(&plan.mailbox_changes, out)?;
    out.write_all(b"],\"organization_changes\":")?;
    let organization: Vec<_> = plan
        .organization_change
        .iter()
        .map(organization_document)
        .collect();
    serde_json::to_writer(&mut *out, &organization)?;
    out.write_all(b",\"bypass_changes\":")?;
    serde_json::to_writer(
        &mut *out,
        &plan
            .bypass_changes
            .iter()
            .map(bypass_document)
            .collect::<Vec<_>>(),
    )?;
    out.write_all(b",\"skipped\":")?;
    serde_json::to_writer(
        &mut *out,
        &plan
            .skipped
            .iter()
            .map(skipped_document)
            .collect::<Vec<_>>(),
    )?;
    out.write_all(b",\"warnings\":")?;
    serde_json::to_writer(&mut *out, &plan.warnings)?;
    if let Some(info) = plan_file {
        out.write_all(b",\"plan_file\":")?;
        serde_json::to_writer(&mut *out, info)?;
    }
    Ok(())
}

/// Writes `changes` as the elements of the `mailbox_changes` array, comma-separated.
pub(crate) fn write_mailbox_changes(changes: &[MailboxChange], out: &mut dyn Write) -> io::Result<()> {
    let mut buffer = Vec::with_capacity(64 * 1024);
    for (index, change) in changes.iter().enumerate() {
        if index > 0 {
            buffer.push(b',');
        }
        mailbox_change(change, &mut buffer);
        if buffer.len() >= 48 * 1024 {
            out.write_all(&buffer)?;
            buffer.clear();
        }
    }
    out.write_all(&buffer)
}

/// One change's `MailboxChangeDocument`, compact.
pub(crate) fn mailbox_change(change: &MailboxChange, out: &mut Vec<u8>) {
    let weakenings = change.weakenings();
    out.extend_from_slice(b"{\"id\":");
    string(&change.subject.id, out);
    out.extend_from_slice(b",\"identity\":");
    string(&change.subject.identity, out);
    out.extend_from_slice(b",\"display_name\":");
    string(&change.subject.display_name, out);
    out.extend_from_slice(b",\"address\":");
    match &change.subject.address {
        Some(address) => string(address, out),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"recipient_type_details\":");
    string(change.recipient_type.name(), out);
    out.extend_from_slice(b",\"policies\":");
    strings(change.policies.iter().map(|policy| &*policy.name), out);
    out.extend_from_slice(if weakenings.is_empty() {
        b",\"weakens\":false,\"weakenings\":"
    } else {
        b",\"weakens\":true,\"weakenings\":"
    });
    let texts: Vec<String> = weakenings.iter().map(ToString::to_string).collect();
    strings(texts.iter().map(String::as_str), out);
    out.extend_from_slice(b",\"fingerprint\":");
    string(&change.fingerprint, out);
    out.extend_from_slice(b",\"changes\":{");
    let mut first = true;
    let mut key = |name: &str, out: &mut Vec<u8>| {
        if !first {
            out.push(b',');
        }
        first = false;
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
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
        out.extend_from_slice(b"{\"before\":\"");
        // A TimeSpan's text is digits, dots, colons and a sign: nothing to escape.
        let _ = write!(out, "{}", limit.before);
        out.extend_from_slice(b"\",\"after\":\"");
        let _ = write!(out, "{}", limit.after);
        out.extend_from_slice(b"\"}");
    }
    for logon in LogonType::ALL {
        if let Some(list) = change.list(logon) {
            key(logon.property(), out);
            list_change(list, out);
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
    strings(change.notes.iter().map(String::as_str), out);
    out.push(b'}');
}

fn list_change(list: &ListChange, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"before\":");
    actions(&list.before, out);
    out.extend_from_slice(b",\"after\":");
    actions(&list.after, out);
    out.extend_from_slice(b",\"add\":");
    action_set(list.add, out);
    out.extend_from_slice(b",\"remove\":");
    actions(&list.remove, out);
    out.push(b'}');
}

/// Catalog actions in catalog order, then the names the catalog does not know.
fn actions(list: &ActionList, out: &mut Vec<u8>) {
    out.push(b'[');
    let mut first = true;
    for action in list.known.iter() {
        separate(&mut first, out);
        constant(action.name(), out);
    }
    for name in &list.unknown {
        separate(&mut first, out);
        string(name, out);
    }
    out.push(b']');
}

fn action_set(set: ActionSet, out: &mut Vec<u8>) {
    out.push(b'[');
    let mut first = true;
    for action in set.iter() {
        separate(&mut first, out);
        constant(Action::name(action), out);
    }
    out.push(b']');
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

fn strings<'a>(items: impl Iterator<Item = &'a str>, out: &mut Vec<u8>) {
    out.push(b'[');
    let mut first = true;
    for item in items {
        separate(&mut first, out);
        string(item, out);
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

/// A name of auditform's own (an action, a logon type): letters only, nothing to escape.
fn constant(name: &str, out: &mut Vec<u8>) {
    debug_assert!(!needs_escaping(name));
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.push(b'"');
}

/// A string, quoted, escaped exactly as serde_json escapes it.
fn string(text: &str, out: &mut Vec<u8>) {
    if needs_escaping(text) {
        // Writing to a Vec does not fail.
        let _ = serde_json::to_writer(&mut *out, text);
    } else {
        constant_unchecked(text, out);
    }
}

fn constant_unchecked(text: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
}

/// Whether serde_json would escape a character of `text`: a quote, a backslash or a control
/// character below U+0020.
fn needs_escaping(text: &str) -> bool {
    text.bytes()
        .any(|byte| byte < 0x20 || byte == b'"' || byte == b'\\')
}
