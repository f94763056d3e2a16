//! The tenant as auditform's own snapshot file (DESIGN §1.5): what `show --format json` writes,
//! terraform's `state pull`. Planning the file gives the same plan as planning the state it was
//! read from.
//!
//! The writer is a [`StateVisitor`], so mailboxes go out as they are read and a tenant of a
//! million mailboxes is never held whole. Each mailbox, bypass association and the organization
//! is one line, so that a diff of two snapshots shows one line per object that changed.
//!
//! The file is ASCII: every other character is written as a `\u` escape. Windows PowerShell 5.1
//! decodes a native program's output in the console's code page before `>` writes it, and
//! `Get-Content` reads a file without a byte-order mark in the ANSI code page
//! (learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_character_encoding);
//! ASCII reads the same in every one of them, and in every JSON parser.

use crate::catalog::LicenceTier;
use crate::model::StateVisitor;
use crate::model::{BypassAssociation, Mailbox, MailboxNames, Organization, PropertyValue};
use serde_json::{Map, Value};
use std::io::{self, Write};

/// The PersistedCapabilities value that marks Audit (Premium). The model keeps only the licence
/// tier, so a mailbox with it is written with this one capability and any other with none.
const PREMIUM_CAPABILITY: &str = "M365Auditing";

/// Writes a snapshot file as a source visits the tenant.
pub struct SnapshotWriter<W: Write> {
    out: W,
    /// Whether `{` has been written.
    opened: bool,
    keys_written: usize,
    organization: Option<Organization>,
    /// Bypass associations not yet written.
    bypass: Vec<BypassAssociation>,
    bypass_written: bool,
    /// Whether the `mailboxes` array has been opened.
    mailboxes_open: bool,
    mailboxes_written: usize,
    /// The first write error; once there is one, nothing more is written.
    error: Option<io::Error>,
}

impl<W: Write> SnapshotWriter<W> {
    pub fn new(out: W) -> Self {
        SnapshotWriter {
            out,
            opened: false,
            keys_written: 0,
            organization: None,
            bypass: Vec::new(),
            bypass_written: false,
            mailboxes_open: false,
            mailboxes_written: 0,
            error: None,
        }
    }

    /// Closes the document and gives the writer back. The organization and the bypass
    /// associations come before the mailboxes; a source that gives them only after its first
    /// mailbox (a snapshot file whose `mailboxes` comes first) has them written after.
    pub fn finish(mut self) -> io::Result<W> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        self.close()?;
        Ok(self.out)
    }

    fn close(&mut self) -> io::Result<()> {
        self.open()?;
        if self.mailboxes_open {
            if self.mailboxes_written > 0 {
                self.out.write_all(b"\n  ")?;
            }
            self.out.write_all(b"]")?;
        }
        self.write_organization()?;
        if !self.bypass_written || !self.bypass.is_empty() {
            self.write_bypass()?;
        }
        if !self.mailboxes_open {
            self.key("mailboxes")?;
            self.out.write_all(b"[]")?;
        }
        self.out.write_all(b"\n}\n")?;
        self.out.flush()
    }

    fn open(&mut self) -> io::Result<()> {
        if !self.opened {
            self.out.write_all(b"{")?;
            self.opened = true;
        }
        Ok(())
    }

    /// A key of the top-level object, on its own line.
    fn key(&mut self, name: &str) -> io::Result<()> {
        if self.keys_written > 0 {
            self.out.write_all(b",")?;
        }
        self.keys_written += 1;
        write!(self.out, "\n  \"{name}\": ")
    }

    fn write_organization(&mut self) -> io::Result<()> {
        let Some(organization) = self.organization.take() else {
            return Ok(());
        };
        let mut object = Map::new();
        object.insert(
            "AuditDisabled".into(),
            Value::Bool(organization.audit_disabled),
        );
        self.key("organization")?;
        write_ascii(&mut self.out, &Value::Object(object))
    }

    fn write_bypass(&mut self) -> io::Result<()> {
        self.key("auditBypass")?;
        self.out.write_all(b"[")?;
        let bypass = std::mem::take(&mut self.bypass);
        for (index, association) in bypass.iter().enumerate() {
            self.out
                .write_all(if index == 0 { b"\n    " } else { b",\n    " })?;
            write_ascii(&mut self.out, &bypass_object(association))?;
        }
        if !bypass.is_empty() {
            self.out.write_all(b"\n  ")?;
        }
        self.bypass_written = true;
        self.out.write_all(b"]")
    }

    fn write_mailbox(&mut self, mailbox: &Mailbox) -> io::Result<()> {
        if !self.mailboxes_open {
            self.open()?;
            self.write_organization()?;
            if !self.bypass.is_empty() {
                self.write_bypass()?;
            }
            self.key("mailboxes")?;
            self.out.write_all(b"[")?;
            self.mailboxes_open = true;
        }
        self.out.write_all(if self.mailboxes_written == 0 {
            b"\n    "
        } else {
            b",\n    "
        })?;
        write_ascii(&mut self.out, &mailbox_object(mailbox))?;
        self.mailboxes_written += 1;
        Ok(())
    }
}

impl<W: Write> StateVisitor for SnapshotWriter<W> {
    fn organization(&mut self, organization: Organization) {
        self.organization = Some(organization);
    }

    fn bypass(&mut self, association: BypassAssociation) {
        self.bypass.push(association);
    }

    fn mailbox(&mut self, mailbox: Mailbox) {
        if self.error.is_none() {
            if let Err(error) = self.write_mailbox(&mailbox) {
                self.error = Some(error);
            }
        }
    }
}

/// The names a reader identifies an object by, under Get-Mailbox's property names.
fn names_object(names: &MailboxNames) -> Map<String, Value> {
    let mut object = Map::new();
    object.insert("Identity".into(), Value::from(&*names.identity));
    let optional = [
        ("Name", &names.name),
        ("Alias", &names.alias),
        ("DisplayName", &names.display_name),
        ("UserPrincipalName", &names.user_principal_name),
        ("PrimarySmtpAddress", &names.primary_smtp_address),
        (
            "ExternalDirectoryObjectId",
            &names.external_directory_object_id,
        ),
        ("Guid", &names.guid),
        ("ExchangeGuid", &names.exchange_guid),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            object.insert(key.into(), Value::from(&**value));
        }
    }
    object
}

fn names_list<'a>(names: impl IntoIterator<Item = &'a str>) -> Value {
    Value::Array(names.into_iter().map(Value::from).collect())
}

fn mailbox_object(mailbox: &Mailbox) -> Value {
    let mut object = names_object(&mailbox.names);
    let audit = &mailbox.audit;
    object.insert(
        "RecipientTypeDetails".into(),
        Value::from(mailbox.recipient_type.name()),
    );
    object.insert("AuditEnabled".into(), Value::Bool(audit.enabled));
    object.insert(
        "AuditLogAgeLimit".into(),
        Value::from(audit.log_age_limit.to_string()),
    );
    for logon in crate::model::LogonType::ALL {
        object.insert(
            logon.property().into(),
            names_list(audit.list(logon).names()),
        );
    }
    object.insert(
        "DefaultAuditSet".into(),
        names_list(audit.default_audit_set.names()),
    );
    let capabilities = match mailbox.licence {
        LicenceTier::E5 => vec![PREMIUM_CAPABILITY],
        LicenceTier::NonE5 => Vec::new(),
    };
    object.insert("PersistedCapabilities".into(), names_list(capabilities));
    for (key, value) in &mailbox.properties {
        object.insert(key.to_string(), property_value(value));
    }
    Value::Object(object)
}

/// A property kept for filters, as the reader reads it back to the same value.
fn property_value(value: &PropertyValue) -> Value {
    match value {
        PropertyValue::Null => Value::Null,
        PropertyValue::Bool(flag) => Value::Bool(*flag),
        PropertyValue::Number(number) => {
            serde_json::Number::from_f64(*number).map_or(Value::Null, Value::Number)
        }
        PropertyValue::Text(text) => Value::from(&**text),
        PropertyValue::List(items) => names_list(items.iter().map(|item| &**item)),
    }
}

fn bypass_object(association: &BypassAssociation) -> Value {
    let mut object = names_object(&association.names);
    object.insert(
        "AuditBypassEnabled".into(),
        Value::Bool(association.bypass_enabled),
    );
    Value::Object(object)
}

/// `value` as compact JSON with every non-ASCII character escaped.
fn write_ascii(out: &mut impl Write, value: &Value) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, AsciiFormatter);
    serde::Serialize::serialize(value, &mut serializer).map_err(io::Error::from)
}

/// serde_json's compact formatter, escaping every character outside ASCII as `\uXXXX` (a
/// surrogate pair beyond the Basic Multilingual Plane), as JSON allows for any character.
struct AsciiFormatter;

impl serde_json::ser::Formatter for AsciiFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some(at) = rest.find(|c: char| !c.is_ascii()) {
            writer.write_all(&rest.as_bytes()[..at])?;
            let character = rest[at..].chars().next().unwrap_or_default();
            let mut units = [0; 2];
            for unit in character.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            rest = &rest[at + character.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }
}

#[cfg(test)]
mod tests;
