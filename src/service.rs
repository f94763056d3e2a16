//! How Exchange Online applies Set-Mailbox's audit parameters to a mailbox, with the service's own
//! answers when it refuses. The service emulator, the local snapshot backend and the property
//! tests all apply changes through [`set_mailbox`], so they agree with each other and with the
//! texts an admin sees from the real service. Which call carries out a planned change is the
//! plan's side: `plan::set_mailbox`.

use crate::catalog::{
    self, Action, LicenceTier, Remark, ALREADY_AUDITED_MESSAGE, LICENCE_REQUIRED_MESSAGE,
};
use crate::model::{ActionList, AuditSettings, LogonSet, LogonType, RecipientType, TimeSpan};

/// How one `-AuditAdmin` / `-AuditDelegate` / `-AuditOwner` parameter changes a list.
/// Names travel as strings because the wire carries strings and the service validates them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListEdit {
    /// `-AuditOwner A,B`: the list becomes exactly these. `None` or no names empties it.
    Replace(Vec<String>),
    /// `-AuditOwner @{Add='A'; Remove='B'}`: changes the list in place.
    AddRemove {
        add: Vec<String>,
        remove: Vec<String>,
    },
}

/// The audit parameters of one Set-Mailbox call. `None` leaves a property alone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SetMailboxParams {
    pub audit_enabled: Option<bool>,
    pub audit_log_age_limit: Option<TimeSpan>,
    /// Indexed by [`LogonType::index`].
    pub lists: [Option<ListEdit>; 3],
    /// `-DefaultAuditSet Admin,Owner`: the logon types whose managed defaults are restored.
    pub default_audit_set: Option<LogonSet>,
}

impl SetMailboxParams {
    /// Whether the call would change nothing at all.
    pub fn is_empty(&self) -> bool {
        self == &SetMailboxParams::default()
    }

    pub fn list(&self, logon: LogonType) -> Option<&ListEdit> {
        self.lists[logon.index()].as_ref()
    }
}

pub const MAX_AUDIT_LOG_AGE_LIMIT: TimeSpan = TimeSpan::MAX_AUDIT_LOG_AGE_LIMIT;

/// Why the service refused a Set-Mailbox call. `Display` gives the service's text, which the
/// emulator puts in `innererror.internalexception.message`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    /// auditform's wording, modelled on PowerShell's enum conversion failure; the real text
    /// lists every enumerator name.
    #[error("Cannot convert value \"{name}\" to type \"Microsoft.Exchange.Data.Directory.MailboxAuditOperations\" for parameter '{parameter}'. Error: \"Unable to match the identifier name {name} to a valid enumerator name.\"")]
    UnknownAction {
        name: String,
        parameter: &'static str,
    },
    /// The catalog row's own text, as the service answers it.
    #[error("{service_message}")]
    Deprecated {
        action: Action,
        service_message: &'static str,
    },
    /// auditform's wording: the service's exact text for this case could not be confirmed.
    #[error("The audit operation '{action}' isn't valid for the {logon} logon type. Valid logon types for '{action}': {valid}.")]
    InvalidForLogonType {
        action: Action,
        logon: LogonType,
        valid: String,
    },
    #[error("{LICENCE_REQUIRED_MESSAGE}")]
    LicenceRequired { action: Action },
    #[error("{ALREADY_AUDITED_MESSAGE}")]
    AlreadyAudited {
        logon: LogonType,
        names: Vec<String>,
    },
    /// auditform's wording: Microsoft 365 Group mailboxes have a fixed audit configuration.
    #[error("The audit configuration of a group mailbox can't be customized. Mailbox auditing for Microsoft 365 Group mailboxes is managed by the service.")]
    FixedConfiguration,
    /// auditform's wording for the service's range check.
    #[error("The value \"{value}\" of AuditLogAgeLimit is out of range. It must be between 00:00:00 and {MAX_AUDIT_LOG_AGE_LIMIT}.")]
    LogAgeLimitOutOfRange { value: TimeSpan },
}

impl ServiceError {
    /// The .NET exception type the service reports for this error, for `innererror.type`.
    pub fn exception_type(&self) -> &'static str {
        match self {
            ServiceError::UnknownAction { .. } => {
                "System.Management.Automation.ParameterBindingException"
            }
            ServiceError::LogAgeLimitOutOfRange { .. } => {
                "Microsoft.Exchange.Data.DataValidationException"
            }
            _ => "Microsoft.Exchange.Management.Tasks.RecipientTaskException",
        }
    }
}

/// Applies one Set-Mailbox call's audit parameters to a mailbox's settings, as the service does,
/// or refuses the whole call as the service would (a refused call changes nothing).
///
/// Editing a logon type's list (replacing, adding or removing) takes it out of DefaultAuditSet;
/// `-DefaultAuditSet` restores the listed logon types' managed defaults and puts them back in the
/// set, and is applied after the list edits of the same call.
pub fn set_mailbox(
    recipient_type: &RecipientType,
    licence: LicenceTier,
    current: &AuditSettings,
    params: &SetMailboxParams,
) -> Result<AuditSettings, ServiceError> {
    if recipient_type.is_fixed_configuration() && !params.is_empty() {
        return Err(ServiceError::FixedConfiguration);
    }
    let mut next = current.clone();
    if let Some(enabled) = params.audit_enabled {
        next.enabled = enabled;
    }
    if let Some(limit) = params.audit_log_age_limit {
        if limit < TimeSpan::ZERO || limit > MAX_AUDIT_LOG_AGE_LIMIT {
            return Err(ServiceError::LogAgeLimitOutOfRange { value: limit });
        }
        next.log_age_limit = limit;
    }
    for logon in LogonType::ALL {
        if let Some(edit) = params.list(logon) {
            *next.list_mut(logon) = edited_list(logon, licence, current.list(logon), edit)?;
            next.default_audit_set.remove(logon);
        }
    }
    if let Some(restore) = params.default_audit_set {
        for logon in restore.iter() {
            *next.list_mut(logon) =
                ActionList::from_known(catalog::managed_defaults(logon, licence));
            next.default_audit_set.insert(logon);
        }
    }
    Ok(next)
}

fn edited_list(
    logon: LogonType,
    licence: LicenceTier,
    current: &ActionList,
    edit: &ListEdit,
) -> Result<ActionList, ServiceError> {
    match edit {
        ListEdit::Replace(names) => {
            let mut list = ActionList::default();
            for name in names.iter().filter(|name| !is_none(name)) {
                list.known.insert(accepted_action(name, logon, licence)?);
            }
            Ok(list)
        }
        ListEdit::AddRemove { add, remove } => {
            let mut list = current.clone();
            let mut already = Vec::new();
            for name in add.iter().filter(|name| !is_none(name)) {
                let action = accepted_action(name, logon, licence)?;
                if current.known.contains(action) {
                    already.push(action.name().to_string());
                }
                list.known.insert(action);
            }
            if !already.is_empty() {
                return Err(ServiceError::AlreadyAudited {
                    logon,
                    names: already,
                });
            }
            for name in remove.iter().filter(|name| !is_none(name)) {
                remove_name(&mut list, name, logon)?;
            }
            Ok(list)
        }
    }
}

/// Removing is lenient where adding is strict: a mailbox may still carry MessageBind or an
/// action newer than the catalog, and the service lets either be taken away.
fn remove_name(list: &mut ActionList, name: &str, logon: LogonType) -> Result<(), ServiceError> {
    let name = name.trim();
    if let Some(action) = Action::parse(name) {
        list.known.remove(action);
        return Ok(());
    }
    let before = list.unknown.len();
    list.unknown.retain(|kept| !kept.eq_ignore_ascii_case(name));
    if list.unknown.len() == before {
        return Err(ServiceError::UnknownAction {
            name: name.to_string(),
            parameter: logon.property(),
        });
    }
    Ok(())
}

fn is_none(name: &str) -> bool {
    let name = name.trim();
    name.is_empty() || name.eq_ignore_ascii_case("None")
}

/// The action a name stands for, when the service accepts adding it to this logon type's list
/// on a mailbox of this licence.
fn accepted_action(
    name: &str,
    logon: LogonType,
    licence: LicenceTier,
) -> Result<Action, ServiceError> {
    let Some(action) = Action::parse(name.trim()) else {
        return Err(ServiceError::UnknownAction {
            name: name.trim().to_string(),
            parameter: logon.property(),
        });
    };
    if let Remark::Deprecated { service_message } = action.info().remark {
        return Err(ServiceError::Deprecated {
            action,
            service_message,
        });
    }
    if !action.is_valid_for(logon) {
        let valid: Vec<&str> = action
            .valid_logon_types()
            .into_iter()
            .map(LogonType::name)
            .collect();
        return Err(ServiceError::InvalidForLogonType {
            action,
            logon,
            valid: if valid.is_empty() {
                "none".to_string()
            } else {
                valid.join(", ")
            },
        });
    }
    if action.needs_e5() && licence != LicenceTier::E5 {
        return Err(ServiceError::LicenceRequired { action });
    }
    Ok(action)
}

/// `Set-OrganizationConfig -AuditDisabled`: the service takes any boolean.
pub fn set_organization_config(
    current: &crate::model::Organization,
    audit_disabled: Option<bool>,
) -> crate::model::Organization {
    crate::model::Organization {
        audit_disabled: audit_disabled.unwrap_or(current.audit_disabled),
    }
}

#[cfg(test)]
mod tests;
