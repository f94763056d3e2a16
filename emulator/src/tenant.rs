//! The emulated tenant: the snapshot's JSON kept as it came (unknown properties included), with
//! identity resolution. The emulator reads it with its own code (serde_json and
//! [`crate::mailbox`]), never with auditform's reader, so that the two can disagree and a test
//! can see it.

use crate::audit::{Logon, Operation, Operations};
use crate::rules::ServiceModel;
use crate::wire::CmdletError;
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
    /// How the service answers where it has a choice, and which newer operations it knows.
    pub model: ServiceModel,
    /// The operations the service knows: its table, the model's newer ones, and any name the
    /// tenant's lists carry (the service returned those, so it knows them).
    pub operations: Operations,
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
                let mut state = TenantState {
                    mailboxes: objects(array, "the mailboxes")?,
                    ..TenantState::default()
                };
                state.set_model(ServiceModel::default());
                return Ok(state);
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
        let mut state = TenantState {
            organization,
            bypass,
            mailboxes,
            other: top,
            ..TenantState::default()
        };
        state.set_model(ServiceModel::default());
        Ok(state)
    }

    /// Answers as `model` says from now on.
    pub fn set_model(&mut self, model: ServiceModel) {
        let mut operations = Operations::default();
        for operation in &model.newer_operations {
            operations.learn(operation.clone());
        }
        for mailbox in &self.mailboxes {
            for logon in Logon::ALL {
                for name in crate::mailbox::names(get(mailbox, logon.property())) {
                    operations.learn(Operation {
                        name,
                        valid: [true; 3],
                        default: [false; 3],
                        licence: crate::audit::Licence::Any,
                    });
                }
            }
        }
        self.operations = operations;
        self.model = model;
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

    /// The snapshot's tenant-wide licence hint: whether mailboxes whose capabilities are not
    /// stored have Audit (Premium).
    pub fn premium_hint(&self) -> Option<bool> {
        let hint = ["licence", "license"]
            .iter()
            .find_map(|key| get(&self.other, key))
            .and_then(Value::as_str)?;
        Some(hint.eq_ignore_ascii_case("E5"))
    }
}

/// A property by name, ignoring case, as the service matches them.
pub fn get<'a>(object: &'a Object, key: &str) -> Option<&'a Value> {
    object.get(key).or_else(|| {
        object
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, value)| value)
    })
}

/// A non-empty string property. An empty string counts as absent: the service returns
/// `"ExternalDirectoryObjectId": ""` for some system mailboxes [EV-5.5] (evidence W7).
fn text<'a>(object: &'a Object, key: &str) -> Option<&'a str> {
    get(object, key)
        .and_then(Value::as_str)
        .filter(|value| !value.trim().is_empty())
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

/// Strings from a JSON array, a single (possibly comma-separated) string, or null.
pub fn strings(value: Option<&Value>) -> Vec<String> {
    crate::mailbox::names(value)
}

pub fn flag(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(flag) => Some(*flag),
        Value::String(text) if text.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(text) if text.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// An object as the endpoint returns it: a `Name@odata.type` annotation before every
/// collection, TimeSpans as strings, audit lists in the service's bit order [EV-1.9].
pub fn to_wire(object: &Object, operations: &Operations) -> Value {
    let mut out = Object::new();
    for (key, value) in object {
        let is_list = Logon::ALL
            .iter()
            .any(|logon| logon.property().eq_ignore_ascii_case(key));
        match value {
            Value::Array(_) | Value::String(_) if is_list => {
                let names = operations.in_service_order(&crate::mailbox::names(Some(value)));
                out.insert(format!("{key}@odata.type"), "#Collection(String)".into());
                out.insert(key.clone(), names.into());
            }
            Value::Array(_) => {
                out.insert(format!("{key}@odata.type"), "#Collection(String)".into());
                out.insert(key.clone(), value.clone());
            }
            Value::Object(_) if key.eq_ignore_ascii_case("AuditLogAgeLimit") => {
                let text = crate::timespan::from_value(value)
                    .map(crate::timespan::format)
                    .unwrap_or_default();
                out.insert(key.clone(), Value::String(text));
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}
