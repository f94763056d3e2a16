//! How the emulated service applies Set-Mailbox's audit parameters, written from public evidence
//! on its own (the tags are those of the project's evidence notes). Where the evidence and the
//! design disagree, [`ServiceModel`] chooses; its default is the evidence.

use crate::audit::{Licence, Logon, Operation, Operations};
use crate::mailbox::Audit;
use crate::timespan;
use crate::wire::CmdletError;

/// How the emulated service behaves where it has a choice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceModel {
    pub duplicate_add: DuplicateAdd,
    /// Operations newer than the 2023 table that this service knows, as a newer service would.
    pub newer_operations: Vec<Operation>,
}

/// What the service answers an `@{Add=...}` of an operation the list already holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DuplicateAdd {
    /// Nothing: the add is a no-op. Microsoft's own SOA script says so ("Actions being added
    /// that are already enabled do not result in error", 2021 to 2025), and Exchange's
    /// MultiValuedProperty skips a value already present when it copies changes [EV-3.2].
    #[default]
    Silent,
    /// The whole call is refused with the text the project's design quotes, "The input
    /// operation(s) is/are already being audited", which no public source confirms: for testing
    /// that a client survives it.
    AlreadyAudited,
}

/// DESIGN's text for an add of an operation already audited (see [`DuplicateAdd`]).
pub const ALREADY_AUDITED: &str = "The input operation(s) is/are already being audited";

const TASK_EXCEPTION: &str = "Microsoft.Exchange.Management.Tasks.RecipientTaskException";
const VALIDATION_EXCEPTION: &str = "Microsoft.Exchange.Data.DataValidationException";
/// Parameter transformation, as a live capture shows it for another enum parameter [EV-3.5].
pub const TRANSFORMATION_EXCEPTION: &str =
    "Microsoft.Exchange.AdminApi.CommandInvocation.ParameterTransformationException";

/// How one `-AuditAdmin` / `-AuditDelegate` / `-AuditOwner` changes a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListEdit {
    /// `-AuditOwner A,B`: exactly these.
    Replace(Vec<String>),
    /// `-AuditOwner @{Add=...; Remove=...}`.
    AddRemove {
        add: Vec<String>,
        remove: Vec<String>,
    },
}

/// The audit parameters of one Set-Mailbox call, already bound.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    pub enabled: Option<bool>,
    pub age_limit: Option<i64>,
    pub lists: [Option<ListEdit>; 3],
    pub default_set: Option<[bool; 3]>,
}

impl Request {
    fn customizes(&self) -> bool {
        self.enabled.is_some()
            || self.lists.iter().any(Option::is_some)
            || self.default_set.is_some()
    }
}

/// PowerShell's argument transformation: every name must be one of the enum's.
pub fn check_names(
    operations: &Operations,
    logon: Logon,
    names: &[String],
) -> Result<(), CmdletError> {
    match names.iter().find(|name| operations.bit(name).is_none()) {
        None => Ok(()),
        Some(name) => Err(CmdletError::bad_request(
            TRANSFORMATION_EXCEPTION,
            format!(
                "Cannot process argument transformation on parameter '{}'. Cannot convert value \"{name}\" to type \"Microsoft.Exchange.Data.Directory.MailboxAuditOperations\". Error: \"Unable to match the identifier name {name} to a valid enumerator name. Specify one of the following enumerator names and try again: {}\"",
                logon.property(),
                operations.enumerator_names()
            ),
        )),
    }
}

/// Applies a bound Set-Mailbox call to a mailbox's audit state, or refuses the whole call.
pub fn set_mailbox(
    operations: &Operations,
    model: &ServiceModel,
    current: &Audit,
    premium: bool,
    group: bool,
    request: &Request,
) -> Result<Audit, CmdletError> {
    if group && request.customizes() {
        // A group mailbox's lists are fixed and AuditEnabled is ignored [EV-4.6]; no source
        // quotes the service's refusal, so this text is the emulator's.
        return Err(CmdletError::bad_request(
            TASK_EXCEPTION,
            "The audit operations, AuditEnabled and DefaultAuditSet of a Microsoft 365 Group mailbox can't be changed. (emulator's wording)",
        ));
    }
    let mut next = current.clone();
    if let Some(enabled) = request.enabled {
        next.enabled = enabled;
    }
    if let Some(ticks) = request.age_limit {
        if !(0..=timespan::MAX_TICKS).contains(&ticks) {
            // Exchange's ConstraintViolationValueOutOfRange (on-prem-derived) [EV-4.1].
            return Err(CmdletError::bad_request(
                VALIDATION_EXCEPTION,
                format!(
                    "The property, ({}), is out of range. The valid range is from 00:00:00 to {}.",
                    timespan::format(ticks),
                    timespan::format(timespan::MAX_TICKS)
                ),
            ));
        }
        if !timespan::is_whole_seconds(ticks) {
            return Err(CmdletError::bad_request(
                VALIDATION_EXCEPTION,
                format!(
                    "The property value must be an integer multiple of the unit '00:00:01'. The current value is '{}'.",
                    timespan::format(ticks)
                ),
            ));
        }
        next.age_limit = ticks;
    }
    for logon in Logon::ALL {
        let Some(edit) = &request.lists[logon.index()] else {
            continue;
        };
        let list = &mut next.lists[logon.index()];
        match edit {
            ListEdit::Replace(names) => {
                for name in names {
                    accept(operations, logon, name, premium)?;
                }
                list.clear();
                for name in names {
                    insert(operations, list, name);
                }
            }
            ListEdit::AddRemove { add, remove } => {
                for name in add {
                    accept(operations, logon, name, premium)?;
                }
                let already = add.iter().any(|name| contains(list, name));
                if already && model.duplicate_add == DuplicateAdd::AlreadyAudited {
                    return Err(CmdletError::bad_request(TASK_EXCEPTION, ALREADY_AUDITED));
                }
                for name in add {
                    insert(operations, list, name);
                }
                // Removing what is not there is silent too [EV-3.2].
                list.retain(|kept| !remove.iter().any(|gone| gone.eq_ignore_ascii_case(kept)));
            }
        }
        // Naming a logon type's list takes it out of Microsoft's hands [EV-4.3].
        next.default_set[logon.index()] = false;
    }
    if let Some(restore) = request.default_set {
        for logon in Logon::ALL.into_iter().filter(|l| restore[l.index()]) {
            next.lists[logon.index()] = operations.defaults(logon);
            next.default_set[logon.index()] = true;
        }
    }
    Ok(next)
}

/// Whether the service takes the operation for this logon type on this mailbox.
fn accept(
    operations: &Operations,
    logon: Logon,
    name: &str,
    premium: bool,
) -> Result<(), CmdletError> {
    let Some(bit) = operations.bit(name) else {
        return check_names(operations, logon, &[name.to_string()]);
    };
    let operation = operations.get(bit);
    if operation.name == "None" {
        return Ok(());
    }
    if !operation.valid[logon.index()] {
        return Err(CmdletError::bad_request(
            TASK_EXCEPTION,
            logon.invalid_operation_text(),
        ));
    }
    match operation.licence {
        // The service's text names MailItemsAccessed; the same sentence with another name is
        // inferred [EV-3.3].
        Licence::Premium if !premium => Err(CmdletError::bad_request(
            TASK_EXCEPTION,
            format!(
                "Auditing of {} event is only available for users with appropriate license. Please visit the documentation to know more about this.",
                operation.name
            ),
        )),
        // Refused with Audit (Premium) [EV-1.8]; the service's text is not public.
        Licence::NotPremium if premium => Err(CmdletError::bad_request(
            TASK_EXCEPTION,
            format!(
                "{} can't be audited on a mailbox with Audit (Premium). (emulator's wording)",
                operation.name
            ),
        )),
        _ => Ok(()),
    }
}

fn contains(list: &[String], name: &str) -> bool {
    list.iter()
        .any(|kept| kept.eq_ignore_ascii_case(name.trim()))
}

/// Adds an operation under the service's spelling, once; `None` adds nothing.
fn insert(operations: &Operations, list: &mut Vec<String>, name: &str) {
    if name.trim().eq_ignore_ascii_case("None") || contains(list, name) {
        return;
    }
    let spelled = match operations.bit(name) {
        Some(bit) => operations.get(bit).name.clone(),
        None => name.trim().to_string(),
    };
    list.push(spelled);
}

#[cfg(test)]
mod tests;
