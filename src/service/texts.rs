//! The service's own texts, quoted as public evidence gives them. Each constant says how sure
//! that evidence is; where none exists, the text is auditform's and says so.

use crate::catalog::LogonType;

/// What every refusal of an action for a logon type starts with. The client matches only this
/// prefix: the rest is a fixed, partly stale list [EV-3.1].
pub const INVALID_OPERATION_PREFIX: &str = "Invalid audit operation specified.";

/// The service's refusal of an action for Admin, a fixed text that lists only the 2018-era
/// actions, not the catalog's valid set [EV-3.1] (evidence-service.md W1).
pub const INVALID_OPERATION_ADMIN: &str = "Invalid audit operation specified. Supported audit operations for Admin are None, Create, FolderBind, MessageBind, SendAs, SendOnBehalf, SoftDelete, HardDelete, Update, Move, Copy, MoveToDeletedItems and UpdateFolderPermissions.";

/// The refusal for Delegate [EV-3.1].
pub const INVALID_OPERATION_DELEGATE: &str = "Invalid audit operation specified. Supported audit operations for Delegate are None, Create, FolderBind, SendAs, SendOnBehalf, SoftDelete, HardDelete, Update, Move, MoveToDeletedItems and UpdateFolderPermissions.";

/// The refusal for Owner; the service calls it "Mailbox Owner" [EV-3.1].
pub const INVALID_OPERATION_OWNER: &str = "Invalid audit operation specified. Supported audit operations for Mailbox Owner are None, Create, SoftDelete, HardDelete, Update, Move, MoveToDeletedItems, MailboxLogin and UpdateFolderPermissions.";

/// The service's fixed refusal of an action for a logon type.
pub fn invalid_operation(logon: LogonType) -> &'static str {
    match logon {
        LogonType::Admin => INVALID_OPERATION_ADMIN,
        LogonType::Delegate => INVALID_OPERATION_DELEGATE,
        LogonType::Owner => INVALID_OPERATION_OWNER,
    }
}

/// The service's refusal of an Audit (Premium) action on a mailbox without it, for
/// MailItemsAccessed, word for word [EV-3.3].
pub const LICENCE_REQUIRED_MAILITEMSACCESSED: &str = "Auditing of MailItemsAccessed event is only available for users with appropriate license. Please visit the documentation to know more about this.";

/// The licence refusal for any action. Only the MailItemsAccessed wording is evidenced; the
/// same sentence with another action's name is INFERRED (evidence-service.md W10).
pub fn licence_required(action: &str) -> String {
    LICENCE_REQUIRED_MAILITEMSACCESSED.replacen("MailItemsAccessed", action, 1)
}

/// DESIGN's text for adding an action that is already audited. No public source quotes it, and
/// Microsoft's own SOA script says such an Add is no error [EV-3.2] (evidence-service.md W2):
/// auditform's model of the service treats it as a silent no-op. The client still recognises
/// this text, and counts it as success only after reading the mailbox again.
pub const ALREADY_AUDITED_MESSAGE: &str = "The input operation(s) is/are already being audited";

/// The service's enum of action names, in its bit order [EV-1.9]. An unknown name is refused
/// by PowerShell's argument transformation, which lists these.
pub const ENUMERATOR_NAMES: &str = "None, Update, Copy, Move, MoveToDeletedItems, SoftDelete, HardDelete, FolderBind, SendAs, SendOnBehalf, MessageBind, Create, MailboxLogin, UpdateFolderPermissions, AddFolderPermissions, ModifyFolderPermissions, RemoveFolderPermissions, UpdateInboxRules, UpdateCalendarDelegation, RecordDelete, ApplyRecord, MailItemsAccessed, Default, UpdateComplianceTag, Send, SearchQueryInitiated";

/// The refusal of a name that is not an action, in the shape of the endpoint's argument
/// transformation errors (INFERRED from a live capture for another enum parameter, [EV-3.5]).
pub fn unknown_action(parameter: &str, name: &str) -> String {
    format!(
        "Cannot process argument transformation on parameter '{parameter}'. Cannot convert value \"{name}\" to type \"Microsoft.Exchange.Data.Directory.MailboxAuditOperations\". Error: \"Unable to match the identifier name {name} to a valid enumerator name. Specify one of the following enumerator names and try again: {ENUMERATOR_NAMES}\""
    )
}

/// The range error for AuditLogAgeLimit (on-prem-derived: Exchange's
/// `ConstraintViolationValueOutOfRange`, [EV-4.1]).
pub fn log_age_limit_out_of_range(value: &str, max: &str) -> String {
    format!("The property, ({value}), is out of range. The valid range is from 00:00:00 to {max}.")
}

/// The unit error for an AuditLogAgeLimit with a fraction of a second (on-prem-derived:
/// `ConstraintViolationDontMatchUnit`, [EV-4.1]).
pub fn log_age_limit_not_whole_seconds(value: &str) -> String {
    format!(
        "The property value must be an integer multiple of the unit '00:00:01'. The current value is '{value}'."
    )
}
