//! How Exchange Online applies Set-Mailbox's audit parameters to a mailbox, with the service's own
//! answers when it refuses: auditform's model of the service, written from public evidence
//! (evidence-service.md). The local snapshot backend and the property tests apply changes
//! through [`set_mailbox`]. The service emulator models the service on its own, from the same
//! evidence, so that a mistake here is caught end to end rather than copied. Which call carries
//! out a planned change is the plan's side: `plan::set_mailbox`.

use crate::catalog::{ActionList, Catalog, LicenceTier, Licensing, Support};
use crate::model::{AuditSettings, LogonSet, LogonType, RecipientType, TimeSpan};

pub mod texts;

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
    /// `-GroupMailbox`: the switch Set-Mailbox needs to change a Microsoft 365 Group mailbox
    /// [EV-4.6] ("The GroupMailbox switch is required to modify Microsoft 365 Groups").
    pub group_mailbox: bool,
    /// `-Force`: Set-Mailbox asks for confirmation before it zeroes or shortens
    /// AuditLogAgeLimit, which a script run without a person cannot answer (on-prem-derived,
    /// evidence-service.md W8). It changes nothing else.
    pub force: bool,
}

impl SetMailboxParams {
    /// Whether the call would change no property (its switches aside).
    pub fn is_empty(&self) -> bool {
        self.audit_enabled.is_none()
            && self.audit_log_age_limit.is_none()
            && self.lists.iter().all(Option::is_none)
            && self.default_audit_set.is_none()
    }

    pub fn list(&self, logon: LogonType) -> Option<&ListEdit> {
        self.lists[logon.index()].as_ref()
    }
}

/// The largest AuditLogAgeLimit: the service stores it as an Int32 of seconds [EV-4.1].
pub const MAX_AUDIT_LOG_AGE_LIMIT: TimeSpan = TimeSpan::MAX_AUDIT_LOG_AGE_LIMIT;

/// Why the service refused a Set-Mailbox call. `Display` gives the service's text where public
/// evidence quotes it (see [`texts`]), and says where the wording is auditform's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    /// A name that is not in the service's enum of actions (nor declared by the policy set).
    #[error("{}", texts::unknown_action(.parameter, .name))]
    UnknownAction {
        name: String,
        parameter: &'static str,
    },
    /// An action the logon type refuses: the service's fixed text for that logon type.
    #[error("{}", texts::invalid_operation(*.logon))]
    InvalidForLogonType { action: String, logon: LogonType },
    /// An Audit (Premium) action on a mailbox without Audit (Premium).
    #[error("{}", texts::licence_required(.action))]
    LicenceRequired { action: String },
    /// MessageBind on a mailbox with Audit (Premium) [EV-1.8]. No public source quotes the
    /// service's text, so this wording is auditform's.
    #[error("MessageBind can't be audited on a mailbox with Audit (Premium) (auditform's wording; the service's own text is not public): audit MailItemsAccessed instead")]
    NotWithPremium { action: String },
    /// auditform's wording: Microsoft 365 Group mailboxes have fixed audit lists and ignore
    /// AuditEnabled [EV-4.6]; only their AuditLogAgeLimit can be changed.
    #[error("The audit actions and AuditEnabled of a Microsoft 365 Group mailbox can't be customized; only AuditLogAgeLimit can be changed, with -GroupMailbox. (auditform's wording)")]
    FixedConfiguration,
    /// Set-Mailbox without -GroupMailbox on a group mailbox (the reference's words [EV-4.6]).
    #[error("The GroupMailbox switch is required to modify Microsoft 365 Groups.")]
    GroupMailboxSwitchRequired,
    /// -GroupMailbox on a mailbox that is not one: it looks among group mailboxes only.
    #[error("The operation couldn't be performed because the object isn't a Microsoft 365 Group mailbox. (auditform's wording)")]
    NotAGroupMailbox,
    #[error("{}", texts::log_age_limit_out_of_range(&.value.to_string(), &MAX_AUDIT_LOG_AGE_LIMIT.to_string()))]
    LogAgeLimitOutOfRange { value: TimeSpan },
    #[error("{}", texts::log_age_limit_not_whole_seconds(&.value.to_string()))]
    LogAgeLimitNotWholeSeconds { value: TimeSpan },
}

impl ServiceError {
    /// The .NET exception type the service reports for this error, for `innererror.type`.
    pub fn exception_type(&self) -> &'static str {
        match self {
            ServiceError::UnknownAction { .. } => {
                "Microsoft.Exchange.AdminApi.CommandInvocation.ParameterTransformationException"
            }
            ServiceError::LogAgeLimitOutOfRange { .. }
            | ServiceError::LogAgeLimitNotWholeSeconds { .. } => {
                "Microsoft.Exchange.Data.DataValidationException"
            }
            ServiceError::NotAGroupMailbox => {
                "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
            }
            _ => "Microsoft.Exchange.Management.Tasks.RecipientTaskException",
        }
    }
}

/// Applies one Set-Mailbox call's audit parameters to a mailbox's settings, as the service does,
/// or refuses the whole call as the service would (a refused call changes nothing).
///
/// - Naming a logon type's list at all (replacing, adding or removing) takes it out of
///   DefaultAuditSet [EV-4.3], even when the edit turns out to change nothing.
/// - Adding an action that is already there, or removing one that is not, is a silent no-op
///   [EV-3.2] (evidence-service.md W2).
/// - `-DefaultAuditSet` restores the listed logon types' managed defaults (the same for every
///   licence) and puts them back in the set; it applies after the list edits of the same call.
/// - A Microsoft 365 Group mailbox takes only AuditLogAgeLimit, and only with -GroupMailbox.
///
/// `catalog` holds the actions the policy set declares: auditform's model of the service
/// accepts them as declared, since only the real service can say otherwise.
pub fn set_mailbox(
    catalog: &Catalog,
    recipient_type: &RecipientType,
    licence: LicenceTier,
    current: &AuditSettings,
    params: &SetMailboxParams,
) -> Result<AuditSettings, ServiceError> {
    let is_group = recipient_type.is_fixed_configuration();
    if params.group_mailbox && !is_group {
        return Err(ServiceError::NotAGroupMailbox);
    }
    if is_group {
        let customizes = params.audit_enabled.is_some()
            || params.lists.iter().any(Option::is_some)
            || params.default_audit_set.is_some();
        if customizes {
            return Err(ServiceError::FixedConfiguration);
        }
        if params.audit_log_age_limit.is_some() && !params.group_mailbox {
            return Err(ServiceError::GroupMailboxSwitchRequired);
        }
    }
    let mut next = current.clone();
    if let Some(enabled) = params.audit_enabled {
        next.enabled = enabled;
    }
    if let Some(limit) = params.audit_log_age_limit {
        if limit < TimeSpan::ZERO || limit > MAX_AUDIT_LOG_AGE_LIMIT {
            return Err(ServiceError::LogAgeLimitOutOfRange { value: limit });
        }
        if limit.ticks() % TimeSpan::TICKS_PER_SECOND != 0 {
            return Err(ServiceError::LogAgeLimitNotWholeSeconds { value: limit });
        }
        next.log_age_limit = limit;
    }
    for logon in LogonType::ALL {
        if let Some(edit) = params.list(logon) {
            *next.list_mut(logon) =
                edited_list(catalog, logon, licence, current.list(logon), edit)?;
            next.default_audit_set.remove(logon);
        }
    }
    if let Some(restore) = params.default_audit_set {
        for logon in restore.iter() {
            *next.list_mut(logon) = catalog.managed_defaults(logon);
            next.default_audit_set.insert(logon);
        }
    }
    Ok(next)
}

fn edited_list(
    catalog: &Catalog,
    logon: LogonType,
    licence: LicenceTier,
    current: &ActionList,
    edit: &ListEdit,
) -> Result<ActionList, ServiceError> {
    match edit {
        ListEdit::Replace(names) => {
            let mut list = ActionList::default();
            for name in names.iter().filter(|name| !is_none(name)) {
                list.push_name(&accepted_name(catalog, name, logon, licence)?);
            }
            Ok(list)
        }
        ListEdit::AddRemove { add, remove } => {
            let mut list = current.clone();
            for name in add.iter().filter(|name| !is_none(name)) {
                list.push_name(&accepted_name(catalog, name, logon, licence)?);
            }
            for name in remove.iter().filter(|name| !is_none(name)) {
                remove_name(catalog, &mut list, name, logon)?;
            }
            Ok(list)
        }
    }
}

/// Removing is lenient where adding is strict: a mailbox may still carry MessageBind or an
/// action newer than the catalog, and the service lets either be taken away; removing an
/// action that is not there changes nothing [EV-3.2].
fn remove_name(
    catalog: &Catalog,
    list: &mut ActionList,
    name: &str,
    logon: LogonType,
) -> Result<(), ServiceError> {
    let name = name.trim();
    if let Some(action) = crate::catalog::Action::parse(name) {
        list.known.remove(action);
        return Ok(());
    }
    if !list.contains_unknown(name) && !catalog.knows(name) {
        return Err(ServiceError::UnknownAction {
            name: name.to_string(),
            parameter: logon.property(),
        });
    }
    list.unknown.retain(|kept| !kept.eq_ignore_ascii_case(name));
    Ok(())
}

fn is_none(name: &str) -> bool {
    let name = name.trim();
    name.is_empty() || name.eq_ignore_ascii_case("None")
}

/// The canonical name of an action the service accepts adding to this logon type's list on a
/// mailbox of this licence.
fn accepted_name(
    catalog: &Catalog,
    name: &str,
    logon: LogonType,
    licence: LicenceTier,
) -> Result<String, ServiceError> {
    let name = name.trim();
    let unknown = || ServiceError::UnknownAction {
        name: name.to_string(),
        parameter: logon.property(),
    };
    if let Some(action) = crate::catalog::Action::parse(name) {
        if !action.is_valid_for(logon) {
            return Err(ServiceError::InvalidForLogonType {
                action: action.name().to_string(),
                logon,
            });
        }
        let premium = licence == LicenceTier::E5;
        return match action.info().licensing {
            Licensing::Premium if !premium => Err(ServiceError::LicenceRequired {
                action: action.name().to_string(),
            }),
            Licensing::WithoutPremium if premium => Err(ServiceError::NotWithPremium {
                action: action.name().to_string(),
            }),
            _ => Ok(action.name().to_string()),
        };
    }
    let declared = catalog.find_declared(name).ok_or_else(unknown)?;
    if declared.support(logon) == Support::Rejected {
        return Err(ServiceError::InvalidForLogonType {
            action: declared.name.to_string(),
            logon,
        });
    }
    Ok(declared.name.to_string())
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
