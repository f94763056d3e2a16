//! A stored mailbox's audit state, read from and written to its JSON object with the emulator's
//! own code. Stored objects come in the shapes exports write: lists as arrays or as one
//! comma-separated string, AuditLogAgeLimit as a string or as ConvertTo-Json's TimeSpan object,
//! RecipientTypeDetails as a name or as its enum's integer [EV-5.3] (evidence W6).

use crate::audit::{Logon, Operations};
use crate::tenant::{get, Object};
use crate::timespan;
use serde_json::Value;

/// The audit properties of one mailbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Audit {
    pub enabled: bool,
    /// In ticks of 100 ns.
    pub age_limit: i64,
    /// Indexed by [`Logon::index`]; names as stored or as the service spells them.
    pub lists: [Vec<String>; 3],
    pub default_set: [bool; 3],
}

/// 90 days: the limit a mailbox has until someone changes it [EV-4.1].
pub const DEFAULT_AGE_LIMIT: i64 = 90 * 86_400 * 10_000_000;

/// Names from a JSON array, a single (possibly comma-separated) string, or null.
pub fn names(value: Option<&Value>) -> Vec<String> {
    let split = |text: &str| -> Vec<String> {
        text.split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_string)
            .collect()
    };
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .flat_map(split)
            .collect(),
        Some(Value::String(text)) => split(text),
        _ => Vec::new(),
    }
}

/// Reads the stored audit state. A value the service could not have stored is an error, which
/// the endpoint answers as a server error.
pub fn read(mailbox: &Object) -> Result<Audit, String> {
    let enabled = match get(mailbox, "AuditEnabled") {
        None | Some(Value::Null) => true,
        Some(value) => crate::tenant::flag(Some(value))
            .ok_or_else(|| format!("the stored AuditEnabled {value} is not a boolean"))?,
    };
    let age_limit = match get(mailbox, "AuditLogAgeLimit") {
        None | Some(Value::Null) => DEFAULT_AGE_LIMIT,
        Some(value) => timespan::from_value(value)
            .ok_or_else(|| format!("the stored AuditLogAgeLimit {value} is not a TimeSpan"))?,
    };
    let lists = Logon::ALL.map(|logon| {
        names(get(mailbox, logon.property()))
            .into_iter()
            .filter(|name| !name.eq_ignore_ascii_case("None"))
            .collect()
    });
    let mut default_set = [false; 3];
    for name in names(get(mailbox, "DefaultAuditSet")) {
        if let Some(logon) = Logon::parse(&name) {
            default_set[logon.index()] = true;
        }
    }
    Ok(Audit {
        enabled,
        age_limit,
        lists,
        default_set,
    })
}

/// Writes the audit state back: lists in the service's bit order, the limit as a string.
pub fn write(mailbox: &mut Object, audit: &Audit, operations: &Operations) {
    let mut set = |key: &str, value: Value| {
        let stored = mailbox
            .keys()
            .find(|name| name.eq_ignore_ascii_case(key))
            .cloned()
            .unwrap_or_else(|| key.to_string());
        mailbox.insert(stored, value);
    };
    set("AuditEnabled", Value::Bool(audit.enabled));
    set(
        "AuditLogAgeLimit",
        Value::String(timespan::format(audit.age_limit)),
    );
    for logon in Logon::ALL {
        let list = operations.in_service_order(&audit.lists[logon.index()]);
        set(logon.property(), list.into());
    }
    let default_set: Vec<&str> = Logon::ALL
        .into_iter()
        .filter(|logon| audit.default_set[logon.index()])
        .map(Logon::name)
        .collect();
    set("DefaultAuditSet", default_set.into());
}

/// `RecipientTypeDetails` enum values of the on-premises enum that Exchange Online shares
/// (evidence §5.4); only those the emulator needs to tell apart.
const GROUP_MAILBOX: u64 = 1_099_511_627_776;

/// Whether the mailbox is a Microsoft 365 Group mailbox.
pub fn is_group(mailbox: &Object) -> bool {
    match get(mailbox, "RecipientTypeDetails") {
        Some(Value::String(name)) => name.trim().eq_ignore_ascii_case("GroupMailbox"),
        Some(Value::Number(number)) => number.as_u64() == Some(GROUP_MAILBOX),
        _ => false,
    }
}

/// The mailbox's RecipientTypeDetails as a name, for filtering.
pub fn recipient_type(mailbox: &Object) -> String {
    match get(mailbox, "RecipientTypeDetails") {
        Some(Value::String(name)) => name.clone(),
        Some(Value::Number(number)) if number.as_u64() == Some(GROUP_MAILBOX) => {
            "GroupMailbox".to_string()
        }
        Some(Value::Number(number)) if number.as_u64() == Some(1) => "UserMailbox".to_string(),
        Some(other) => other.to_string(),
        None => "UserMailbox".to_string(),
    }
}

/// Whether the mailbox has Audit (Premium): `M365Auditing` among its PersistedCapabilities, the
/// test Microsoft's own SOA script makes [EV-4.7]. A mailbox whose capabilities are not stored
/// follows the snapshot's tenant-wide hint.
pub fn has_audit_premium(mailbox: &Object, hint: Option<bool>) -> bool {
    match get(mailbox, "PersistedCapabilities") {
        Some(Value::Null) | None => hint.unwrap_or(false),
        value => names(value)
            .iter()
            .any(|capability| capability.eq_ignore_ascii_case("M365Auditing")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Object {
        match value {
            Value::Object(object) => object,
            _ => unreachable!("a JSON object"),
        }
    }

    #[test]
    fn reads_every_shape_an_export_writes() {
        let mailbox = object(json!({
            "auditenabled": "False",
            "AuditLogAgeLimit": {"Ticks": 155520000000000_i64, "Days": 180, "Sign": 1},
            "AuditAdmin": "Update, Copy",
            "AuditOwner": ["None"],
            "DefaultAuditSet": ["Delegate"],
            "RecipientTypeDetails": 1099511627776_u64,
            "PersistedCapabilities": "BPOS_S_Enterprise, M365Auditing",
        }));
        let audit = read(&mailbox).unwrap();
        assert!(!audit.enabled);
        assert_eq!(timespan::format(audit.age_limit), "180.00:00:00");
        assert_eq!(audit.lists[0], ["Update", "Copy"]);
        assert!(audit.lists[2].is_empty());
        assert_eq!(audit.default_set, [false, true, false]);
        assert!(is_group(&mailbox));
        assert!(has_audit_premium(&mailbox, Some(false)));
    }

    #[test]
    fn only_m365auditing_is_audit_premium() {
        let premium =
            |caps: Value| has_audit_premium(&object(json!({"PersistedCapabilities": caps})), None);
        assert!(!premium(json!([
            "BPOS_S_EquivioAnalytics",
            "M365AuditPlatform"
        ])));
        assert!(premium(json!(["m365auditing"])));
        assert!(has_audit_premium(&Object::new(), Some(true)));
    }
}
