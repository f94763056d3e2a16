//! Any mailbox, written as ConvertTo-Json writes it, reads back to the same model.

use super::*;
use crate::model::{ActionSet, AuditSettings, MailboxNames};
use proptest::prelude::*;
use serde_json::json;

/// In the order an ActionList keeps them: sorted, ignoring case.
const FUTURE_ACTIONS: [&str; 2] = ["CopilotInteraction", "ExampleNewAction"];

fn action_list() -> impl Strategy<Value = ActionList> {
    (0u32..1 << Action::ALL.len(), 0usize..4).prop_map(|(bits, future)| ActionList {
        known: (0..Action::ALL.len())
            .filter(|index| bits & (1 << index) != 0)
            .filter_map(Action::from_index)
            .collect::<ActionSet>(),
        unknown: FUTURE_ACTIONS
            .iter()
            .enumerate()
            .filter(|(index, _)| future & (1 << index) != 0)
            .map(|(_, name)| Box::from(*name))
            .collect(),
    })
}

fn mailbox() -> impl Strategy<Value = Mailbox> {
    (
        "[a-z][a-z0-9.]{0,10}",
        proptest::option::of("[A-Za-z][A-Za-z ]{0,12}"),
        0usize..RecipientType::KNOWN.len(),
        any::<bool>(),
        0i64..1_000_000_000_000_000,
        [action_list(), action_list(), action_list()],
        0u8..8,
        any::<bool>(),
    )
        .prop_map(
            |(alias, display, kind, enabled, ticks, lists, defaults, e5)| Mailbox {
                names: MailboxNames {
                    identity: alias.clone().into(),
                    name: Some(alias.clone().into()),
                    alias: Some(alias.clone().into()),
                    display_name: display.map(Into::into),
                    user_principal_name: Some(format!("{alias}@contoso.com").into()),
                    primary_smtp_address: Some(format!("{alias}@contoso.com").into()),
                    ..MailboxNames::default()
                },
                recipient_type: RecipientType::KNOWN[kind].clone(),
                licence: if e5 {
                    LicenceTier::E5
                } else {
                    LicenceTier::NonE5
                },
                audit: AuditSettings {
                    enabled,
                    log_age_limit: TimeSpan::from_ticks(ticks),
                    lists,
                    default_audit_set: LogonType::ALL
                        .into_iter()
                        .filter(|logon| defaults & (1 << logon.index()) != 0)
                        .collect(),
                },
                properties: Vec::new(),
            },
        )
}

/// The mailbox as `Get-EXOMailbox ... | ConvertTo-Json` writes it.
fn powershell_json(mailbox: &Mailbox, timespan_as_object: bool) -> serde_json::Value {
    let names = &mailbox.names;
    let audit = &mailbox.audit;
    let log_age_limit = if timespan_as_object {
        let ticks = audit.log_age_limit.ticks();
        json!({"Ticks": ticks, "Days": ticks / 864_000_000_000, "TotalDays": ticks as f64 / 864e9})
    } else {
        json!(audit.log_age_limit.to_string())
    };
    let capabilities = match mailbox.licence {
        LicenceTier::E5 => json!([
            "BPOS_S_Enterprise",
            "BPOS_S_EquivioAnalytics",
            "M365Auditing"
        ]),
        LicenceTier::NonE5 => json!(["BPOS_S_Enterprise"]),
    };
    json!({
        "UserPrincipalName": names.user_principal_name.as_deref(),
        "Alias": names.alias.as_deref(),
        "DisplayName": names.display_name.as_deref(),
        "EmailAddresses": [format!("SMTP:{}", names.identity)],
        "PrimarySmtpAddress": names.primary_smtp_address.as_deref(),
        "RecipientType": "UserMailbox",
        "RecipientTypeDetails": mailbox.recipient_type.name(),
        "Identity": &*names.identity,
        "Name": names.name.as_deref(),
        "AuditEnabled": audit.enabled,
        "AuditLogAgeLimit": log_age_limit,
        "AuditAdmin": audit.list(LogonType::Admin).names(),
        "AuditDelegate": audit.list(LogonType::Delegate).names(),
        "AuditOwner": audit.list(LogonType::Owner).names(),
        "DefaultAuditSet": audit.default_audit_set.names(),
        "PersistedCapabilities": capabilities,
    })
}

proptest! {
    #[test]
    fn a_mailbox_written_as_powershell_json_reads_back_the_same(
        mailboxes in proptest::collection::vec(mailbox(), 1..5),
        timespan_as_object in any::<bool>(),
    ) {
        let export: Vec<_> = mailboxes.iter().map(|m| powershell_json(m, timespan_as_object)).collect();
        let text = serde_json::to_string_pretty(&export).unwrap();
        let tenant = read_text(&text).unwrap();
        prop_assert_eq!(tenant.mailboxes, mailboxes);
    }
}
