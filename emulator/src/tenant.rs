//! The emulated tenant: the snapshot's JSON kept as it came (unknown properties included), with
//! identity resolution and the audit properties read and written through auditform's model.

use crate::wire::CmdletError;
use auditform::catalog::LicenceTier;
use auditform::model::{AuditSettings, LogonType, Mailbox, Tenant, TimeSpan};
use auditform::state::snapshot::read_snapshot_bytes;
use auditform::state::ReadOptions;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

pub type Object = Map<String, Value>;

/// The properties an Identity parameter is matched against, most specific first.
const IDENTITY_KEYS: [&str; 10] = [
    "ExternalDirectoryObjectId",
    "Guid",
    "ExchangeGuid",
    "PrimarySmtpAddress",
    "UserPrincipalName",
    "Alias",
    "Name",
    "Identity",
    "DistinguishedName",
    "WindowsEmailAddress",
];

/// The property order of the immutable key the counters use (DESIGN §1.4).
const IMMUTABLE_KEYS: [&str; 4] = [
    "ExternalDirectoryObjectId",
    "Guid",
    "ExchangeGuid",
    "PrimarySmtpAddress",
];

#[derive(Clone, Debug, Default)]
pub struct TenantState {
    pub organization: Object,
    pub bypass: Vec<Object>,
    pub mailboxes: Vec<Object>,
    /// Top-level keys other than the three above, such as a `licence` hint, kept as they came.
    pub other: Object,
    /// Every name of every mailbox, lower-cased, with the mailboxes that answer to it, so that
    /// an Identity resolves without reading every mailbox of a large tenant. Built at the first
    /// lookup; [`TenantState::forget_names`] drops it after a change from outside the cmdlets
    /// (which change audit settings, never names).
    names: OnceLock<HashMap<String, Vec<usize>>>,
}

#[derive(Debug, thiserror::Error)]
#[error("the tenant snapshot is not usable: {0}")]
pub struct SnapshotError(pub String);

impl TenantState {
    /// Reads `{"organization":..,"auditBypass":[..],"mailboxes":[..]}`; a bare array of
    /// mailboxes (a PowerShell export) or `{"value":[..]}` is read as mailboxes only.
    pub fn from_snapshot(value: Value) -> Result<TenantState, SnapshotError> {
        let objects = |value: Value, what: &str| -> Result<Vec<Object>, SnapshotError> {
            match value {
                Value::Array(items) => items
                    .into_iter()
                    .map(|item| match item {
                        Value::Object(object) => Ok(object),
                        _ => Err(SnapshotError(format!(
                            "every entry of {what} must be an object"
                        ))),
                    })
                    .collect(),
                Value::Object(object) => Ok(vec![object]),
                Value::Null => Ok(Vec::new()),
                _ => Err(SnapshotError(format!("{what} must be an array"))),
            }
        };
        let mut top = match value {
            Value::Object(top) => top,
            array @ Value::Array(_) => {
                return Ok(TenantState {
                    mailboxes: objects(array, "the mailboxes")?,
                    ..TenantState::default()
                })
            }
            _ => return Err(SnapshotError("expected a JSON object".into())),
        };
        let mailboxes = match (top.remove("mailboxes"), top.remove("value")) {
            (Some(mailboxes), _) | (None, Some(mailboxes)) => objects(mailboxes, "mailboxes")?,
            (None, None) => Vec::new(),
        };
        let organization = match top.remove("organization") {
            Some(Value::Object(organization)) => organization,
            Some(Value::Null) | None => Object::new(),
            Some(_) => return Err(SnapshotError("organization must be an object".into())),
        };
        let bypass = match top.remove("auditBypass") {
            Some(bypass) => objects(bypass, "auditBypass")?,
            None => Vec::new(),
        };
        Ok(TenantState {
            organization,
            bypass,
            mailboxes,
            other: top,
            names: OnceLock::new(),
        })
    }

    pub fn to_snapshot(&self) -> Value {
        let mut top = Object::new();
        top.insert(
            "organization".into(),
            Value::Object(self.organization.clone()),
        );
        top.insert(
            "auditBypass".into(),
            Value::Array(self.bypass.iter().cloned().map(Value::Object).collect()),
        );
        top.insert(
            "mailboxes".into(),
            Value::Array(self.mailboxes.iter().cloned().map(Value::Object).collect()),
        );
        for (key, value) in &self.other {
            top.insert(key.clone(), value.clone());
        }
        Value::Object(top)
    }

    /// The one mailbox an Identity names, or the service's not-found / ambiguous answer.
    pub fn resolve_mailbox(&self, identity: &str) -> Result<usize, CmdletError> {
        let names = self.names.get_or_init(|| {
            let mut names: HashMap<String, Vec<usize>> = HashMap::new();
            for (index, mailbox) in self.mailboxes.iter().enumerate() {
                for value in IDENTITY_KEYS.iter().filter_map(|key| text(mailbox, key)) {
                    let entry = names.entry(value.to_ascii_lowercase()).or_default();
                    if entry.last() != Some(&index) {
                        entry.push(index);
                    }
                }
            }
            names
        });
        let candidates = names
            .get(&identity.trim().to_ascii_lowercase())
            .map_or(&[][..], Vec::as_slice);
        resolve_among(&self.mailboxes, candidates.iter().copied(), identity)
    }

    /// Drops the index of mailbox names, after a change that may have renamed a mailbox.
    pub fn forget_names(&mut self) {
        self.names = OnceLock::new();
    }

    pub fn licence_hint(&self) -> Option<LicenceTier> {
        match self.other.get("licence").and_then(Value::as_str) {
            Some(hint) if hint.eq_ignore_ascii_case("E5") => Some(LicenceTier::E5),
            Some(_) => Some(LicenceTier::NonE5),
            None => None,
        }
    }
}

fn text<'a>(object: &'a Object, key: &str) -> Option<&'a str> {
    object
        .get(key)
        .and_then(Value::as_str)
        .filter(|value| !value.is_empty())
}

/// Whether any of the object's names is exactly `identity`, ignoring case.
pub fn answers_to(object: &Object, identity: &str) -> bool {
    let identity = identity.trim();
    IDENTITY_KEYS
        .iter()
        .filter_map(|key| text(object, key))
        .any(|value| value.eq_ignore_ascii_case(identity))
}

pub fn resolve(objects: &[Object], identity: &str) -> Result<usize, CmdletError> {
    resolve_among(objects, 0..objects.len(), identity)
}

/// [`resolve`] among the objects at `candidates`, which hold every object that may answer.
fn resolve_among(
    objects: &[Object],
    candidates: impl Iterator<Item = usize>,
    identity: &str,
) -> Result<usize, CmdletError> {
    let mut found = candidates.filter(|&index| {
        objects
            .get(index)
            .is_some_and(|object| answers_to(object, identity))
    });
    match (found.next(), found.next()) {
        (Some(index), None) => Ok(index),
        (None, _) => Err(CmdletError::not_found(format!(
            "The operation couldn't be performed because object '{identity}' couldn't be found on 'EMULATOR01.PROD.OUTLOOK.COM'."
        ))),
        (Some(_), Some(_)) => Err(CmdletError::bad_request(
            "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException",
            format!(
                "The operation couldn't be performed because '{identity}' matches multiple entries."
            ),
        )),
    }
}

/// The key the counters file a mailbox under: ExternalDirectoryObjectId, else Guid, else
/// ExchangeGuid, else PrimarySmtpAddress, else its position.
pub fn immutable_key(object: &Object, index: usize) -> String {
    IMMUTABLE_KEYS
        .iter()
        .find_map(|key| text(object, key))
        .map(str::to_ascii_lowercase)
        .unwrap_or_else(|| format!("#{index}"))
}

pub fn recipient_type(mailbox: &Object) -> &str {
    text(mailbox, "RecipientTypeDetails").unwrap_or("UserMailbox")
}

/// Strings from a JSON array, a single (possibly comma-separated) string, or null.
pub fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(text)) => text
            .split(',')
            .map(|name| name.trim().to_string())
            .filter(|name| !name.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

pub fn flag(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(flag) => Some(*flag),
        Value::String(text) if text.eq_ignore_ascii_case("true") => Some(true),
        Value::String(text) if text.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A TimeSpan as `"90.00:00:00"` or ConvertTo-Json's object with `Ticks`.
pub fn timespan(value: Option<&Value>) -> Option<TimeSpan> {
    match value? {
        Value::String(text) => TimeSpan::parse_dotnet(text).ok(),
        Value::Object(object) => object
            .get("Ticks")
            .and_then(Value::as_i64)
            .map(TimeSpan::from_ticks),
        _ => None,
    }
}

/// The mailbox as auditform's own reader sees it. The emulated service and auditform must
/// agree on what a mailbox's JSON means (licence, TimeSpan forms, list shapes), so the
/// emulator reads it with the same code rather than a second parser.
pub fn read_mailbox(mailbox: &Object, hint: Option<LicenceTier>) -> Result<Mailbox, CmdletError> {
    let mut document = Object::new();
    if let Some(hint) = hint {
        let hint = match hint {
            LicenceTier::E5 => "E5",
            LicenceTier::NonE5 => "nonE5",
        };
        document.insert("licence".into(), hint.into());
    }
    document.insert(
        "mailboxes".into(),
        vec![Value::Object(mailbox.clone())].into(),
    );
    let bytes = serde_json::to_vec(&document).unwrap_or_default();
    let mut tenant = Tenant::default();
    read_snapshot_bytes(
        &bytes,
        "emulated tenant",
        &mut tenant,
        &ReadOptions::default(),
    )
    .map_err(|error| CmdletError::internal(error.to_string()))?;
    tenant
        .mailboxes
        .pop()
        .ok_or_else(|| CmdletError::internal("the mailbox could not be read".to_string()))
}

pub fn write_audit_settings(mailbox: &mut Object, settings: &AuditSettings) {
    let names = |names: Vec<&str>| Value::from(names);
    mailbox.insert("AuditEnabled".into(), Value::Bool(settings.enabled));
    mailbox.insert(
        "AuditLogAgeLimit".into(),
        Value::String(settings.log_age_limit.to_string()),
    );
    for logon in LogonType::ALL {
        mailbox.insert(logon.property().into(), names(settings.list(logon).names()));
    }
    mailbox.insert(
        "DefaultAuditSet".into(),
        names(settings.default_audit_set.names()),
    );
}

/// A mailbox as the endpoint returns it: TimeSpans as strings, and a `Name@odata.type`
/// annotation before every collection.
pub fn to_wire(object: &Object) -> Value {
    let mut out = Object::new();
    for (key, value) in object {
        match value {
            Value::Array(_) => {
                out.insert(format!("{key}@odata.type"), "#Collection(String)".into());
                out.insert(key.clone(), value.clone());
            }
            Value::Object(_) if key == "AuditLogAgeLimit" => {
                let span = timespan(Some(value)).unwrap_or(TimeSpan::DEFAULT_AUDIT_LOG_AGE_LIMIT);
                out.insert(key.clone(), Value::String(span.to_string()));
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}
