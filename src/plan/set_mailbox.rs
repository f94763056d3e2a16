//! The Set-Mailbox call that carries out a planned mailbox change. The PowerShell script, the
//! snapshot sink and the live sink all send this one call, so that what a reviewer reads in the
//! script is what the sinks do; how the service then applies it is `service::set_mailbox`.

use crate::model::{LogonSet, LogonType};
use crate::plan::MailboxChange;
use crate::service::{ListEdit, SetMailboxParams};

/// The one Set-Mailbox call that carries out a planned change: Add/Remove of exactly the
/// difference, `-DefaultAuditSet` for the logon types whose defaults are restored, and the
/// scalars that change.
///
/// - A Microsoft 365 Group mailbox is changed with `-GroupMailbox` [EV-4.6].
/// - A call that zeroes or shortens AuditLogAgeLimit carries `-Force`: Set-Mailbox would
///   otherwise stop to ask for confirmation, which no unattended run can give (on-prem-derived,
///   evidence-service.md W8). The plan has already marked the change as weakening.
pub fn params_for_change(change: &MailboxChange) -> SetMailboxParams {
    let mut params = SetMailboxParams {
        audit_enabled: change.enabled.as_ref().map(|c| c.after),
        audit_log_age_limit: change.log_age_limit.as_ref().map(|c| c.after),
        group_mailbox: change.recipient_type.is_fixed_configuration(),
        force: change
            .log_age_limit
            .as_ref()
            .is_some_and(|c| c.after < c.before || c.after.is_zero()),
        ..SetMailboxParams::default()
    };
    for logon in LogonType::ALL {
        if change.restore_defaults.contains(logon) {
            continue;
        }
        if let Some(list) = change.list(logon) {
            let add: Vec<String> = list.add.names().into_iter().map(String::from).collect();
            let remove: Vec<String> = list.remove.names().into_iter().map(String::from).collect();
            if !add.is_empty() || !remove.is_empty() {
                params.lists[logon.index()] = Some(ListEdit::AddRemove { add, remove });
            }
        }
    }
    if change.restore_defaults != LogonSet::EMPTY {
        params.default_audit_set = Some(change.restore_defaults);
    }
    params
}

#[cfg(test)]
mod tests;
