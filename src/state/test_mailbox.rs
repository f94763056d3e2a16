//! A test case's mailbox (`kind: PolicyTest`): the Get-Mailbox properties the case gives,
//! completed with documented defaults, then read by the same reader as a state file, so that a
//! property means in a test exactly what it means in an export.
//!
//! The defaults describe an ordinary mailbox as the service leaves it:
//! - `Identity`: the first of PrimarySmtpAddress, UserPrincipalName, Alias and Name given;
//! - `RecipientTypeDetails`: `UserMailbox`;
//! - `AuditEnabled`: `true`; `AuditLogAgeLimit`: `90.00:00:00`;
//! - `PersistedCapabilities`: none, so the mailbox is not E5 (give `[M365Auditing]` for E5);
//! - `AuditAdmin`, `AuditDelegate`, `AuditOwner`: Microsoft's managed defaults, the same on
//!   every licence (DESIGN §1.1; evidence-service.md [EV-1.3]);
//! - `DefaultAuditSet`: the logon types whose list the case does not give (a list changed by
//!   hand leaves the set, as the service does).

use crate::catalog::managed_defaults;
use crate::model::{LogonType, Mailbox, Tenant};
use crate::state::snapshot::read_snapshot_bytes;
use crate::state::ReadOptions;
use serde_json::{Map, Value};

/// The properties that name a mailbox, in the order one is taken for a missing Identity.
const NAMES: [&str; 4] = ["PrimarySmtpAddress", "UserPrincipalName", "Alias", "Name"];

/// The mailbox the properties describe, or why they don't describe one.
pub fn test_mailbox(
    properties: &Map<String, Value>,
    options: &ReadOptions,
) -> Result<Mailbox, String> {
    let mut object = properties.clone();
    let given = |object: &Map<String, Value>, key: &str| {
        object
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, value)| value.clone())
            .filter(|value| !value.is_null())
    };
    if given(&object, "Identity").is_none() {
        let name = NAMES
            .iter()
            .find_map(|key| given(&object, key).filter(Value::is_string))
            .ok_or_else(|| {
                "the mailbox has no name: give it an Identity (or a PrimarySmtpAddress, UserPrincipalName, Alias or Name), so that `expect` can name it".to_string()
            })?;
        object.insert("Identity".to_string(), name);
    }
    let mut defaults = vec![
        ("RecipientTypeDetails", Value::from("UserMailbox")),
        ("AuditEnabled", Value::from(true)),
        ("AuditLogAgeLimit", Value::from("90.00:00:00")),
    ];
    let mut in_default_set = Vec::new();
    for logon in LogonType::ALL {
        if given(&object, logon.property()).is_none() && !has_key(&object, logon.property()) {
            let names = managed_defaults(logon).names();
            defaults.push((logon.property(), Value::from(names)));
            in_default_set.push(logon.name());
        }
    }
    defaults.push(("DefaultAuditSet", Value::from(in_default_set)));
    for (key, value) in defaults {
        if !has_key(&object, key) {
            object.insert(key.to_string(), value);
        }
    }
    let document = serde_json::json!({ "mailboxes": [Value::Object(object)] });
    let bytes = serde_json::to_vec(&document).map_err(|error| error.to_string())?;
    let mut tenant = Tenant::default();
    read_snapshot_bytes(&bytes, "the test mailbox", &mut tenant, options)
        .map_err(|error| error.to_string())?;
    tenant
        .mailboxes
        .pop()
        .ok_or_else(|| "the properties describe no mailbox".to_string())
}

/// Whether the key is given at all (a `null` list is given: it says "empty").
fn has_key(object: &Map<String, Value>, key: &str) -> bool {
    object.keys().any(|name| name.eq_ignore_ascii_case(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Action, LicenceTier};
    use crate::model::{LogonSet, RecipientType};

    fn properties(yaml_like: serde_json::Value) -> Map<String, Value> {
        yaml_like.as_object().cloned().unwrap()
    }

    #[test]
    fn an_identity_alone_is_an_ordinary_user_mailbox_on_microsofts_defaults() {
        let mailbox = test_mailbox(
            &properties(serde_json::json!({ "Identity": "pilar" })),
            &ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(mailbox.recipient_type, RecipientType::UserMailbox);
        assert_eq!(mailbox.licence, LicenceTier::NonE5);
        assert!(mailbox.audit.enabled);
        assert_eq!(mailbox.audit.log_age_limit.to_string(), "90.00:00:00");
        assert_eq!(mailbox.audit.default_audit_set, LogonSet::ALL);
        assert_eq!(
            mailbox.audit.list(LogonType::Owner).known,
            managed_defaults(LogonType::Owner)
        );
    }

    #[test]
    /// DESIGN §1.1: Audit (Premium) is `M365Auditing` in PersistedCapabilities alone, and the
    /// managed defaults (MailItemsAccessed included) are the same on every licence.
    fn a_list_given_leaves_default_audit_set_and_m365auditing_makes_the_mailbox_e5() {
        let mailbox = test_mailbox(
            &properties(serde_json::json!({
                "UserPrincipalName": "pilar@contoso.com",
                "PersistedCapabilities": ["M365Auditing"],
                "AuditOwner": ["MailboxLogin"],
                "Department": "Finance",
            })),
            &ReadOptions {
                extra_properties: vec!["department".to_string()],
            },
        )
        .unwrap();
        assert_eq!(&*mailbox.names.identity, "pilar@contoso.com");
        assert_eq!(mailbox.licence, LicenceTier::E5);
        assert!(!mailbox.audit.default_audit_set.contains(LogonType::Owner));
        assert!(mailbox.audit.default_audit_set.contains(LogonType::Admin));
        assert!(mailbox
            .audit
            .list(LogonType::Admin)
            .known
            .contains(Action::MailItemsAccessed));
        assert!(mailbox.property("Department").is_some());
    }

    #[test]
    fn a_mailbox_without_a_name_or_with_a_bad_property_is_refused_with_the_reason() {
        let nameless = test_mailbox(
            &properties(serde_json::json!({ "AuditEnabled": false })),
            &ReadOptions::default(),
        );
        assert!(nameless.unwrap_err().contains("has no name"));
        let bad = test_mailbox(
            &properties(serde_json::json!({ "Identity": "x", "AuditLogAgeLimit": "ninety" })),
            &ReadOptions::default(),
        );
        assert!(bad.unwrap_err().contains("AuditLogAgeLimit"));
    }
}
