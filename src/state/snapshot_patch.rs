//! Where the objects auditform may change sit in a state file's bytes, and the byte-range
//! patches that set their audit properties while every other byte stays as it was.

use super::snapshot::Shape;
use crate::model::{AuditSettings, LogonSet, LogonType};
use crate::timespan::TimeSpan;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;
use std::ops::Range;

/// Where the objects auditform may change sit in the file.
pub(super) struct Layout<'a> {
    pub(super) mailboxes: Vec<&'a RawValue>,
    pub(super) organization: Option<&'a RawValue>,
    pub(super) bypass: Vec<&'a RawValue>,
}

impl<'a> Layout<'a> {
    pub(super) fn of(bytes: &'a [u8], shape: Shape) -> Result<Layout<'a>, String> {
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
pub(super) struct Patches(Vec<(Range<usize>, String)>);

impl Patches {
    /// Sets each `(property, JSON text)` on the object `raw`: every member of that name (any
    /// case) gets the new value; a property the object lacks is appended to it.
    pub(super) fn set_fields(
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

    pub(super) fn apply(mut self, bytes: &[u8]) -> Vec<u8> {
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
pub(super) fn changed_fields(
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
