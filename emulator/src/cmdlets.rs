//! The cmdlets the emulator answers, run against the tenant. Set-Mailbox's rules are
//! auditform's `service::set_mailbox`, so the texts are the ones the planner and tests know.

use crate::filter::Filter;
use crate::tenant::{self, Object, TenantState};
use crate::wire::CmdletError;
use auditform::model::{LogonSet, LogonType, RecipientType};
use auditform::service::{self, ListEdit, SetMailboxParams};
use serde_json::Value;

/// What a cmdlet returned.
#[derive(Debug, Default)]
pub struct Output {
    pub values: Vec<Value>,
    pub warnings: Vec<String>,
    /// Non-terminating errors (`@adminapi.errors`): the answer is still 200.
    pub errors: Vec<String>,
    /// The mailbox Set-Mailbox changed, by immutable key, for the counters.
    pub applied_to: Option<String>,
    /// A listing of mailboxes, by index, in place of `values`: only the page that is sent is
    /// turned into wire objects.
    pub listed: Option<Vec<usize>>,
}

const PARAMETER_BINDING: &str = "System.Management.Automation.ParameterBindingException";

fn no_such_parameter(name: &str) -> CmdletError {
    CmdletError::bad_request(
        PARAMETER_BINDING,
        format!("A parameter cannot be found that matches parameter name '{name}'."),
    )
}

fn check_parameters(parameters: &Object, allowed: &[&str]) -> Result<(), CmdletError> {
    const COMMON: [&str; 6] = [
        "ErrorAction",
        "WarningAction",
        "Confirm",
        "Force",
        "ResultSize",
        "Verbose",
    ];
    match parameters
        .keys()
        .filter(|key| !key.contains('@'))
        .find(|key| {
            !allowed
                .iter()
                .chain(COMMON.iter())
                .any(|name| name.eq_ignore_ascii_case(key))
        }) {
        Some(unknown) => Err(no_such_parameter(unknown)),
        None => Ok(()),
    }
}

fn parameter<'a>(parameters: &'a Object, name: &str) -> Option<&'a Value> {
    parameters
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}

fn identity(parameters: &Object) -> Option<String> {
    parameter(parameters, "Identity").and_then(|value| match value {
        Value::String(text) => Some(text.clone()),
        _ => None,
    })
}

fn missing(name: &str) -> CmdletError {
    CmdletError::bad_request(
        PARAMETER_BINDING,
        format!(
            "Cannot process command because of one or more missing mandatory parameters: {name}."
        ),
    )
}

pub fn execute(
    state: &mut TenantState,
    cmdlet: &str,
    parameters: &Object,
) -> Result<Output, CmdletError> {
    match cmdlet.to_ascii_lowercase().as_str() {
        "get-mailbox" | "get-exomailbox" => get_mailbox(state, parameters),
        "set-mailbox" => set_mailbox(state, parameters),
        "get-organizationconfig" => Ok(Output {
            values: vec![tenant::to_wire(&organization(state))],
            ..Output::default()
        }),
        "set-organizationconfig" => set_organization_config(state, parameters),
        "get-mailboxauditbypassassociation" => get_bypass(state, parameters),
        "set-mailboxauditbypassassociation" => set_bypass(state, parameters),
        _ => Err(CmdletError::bad_request(
            "System.Management.Automation.CommandNotFoundException",
            format!("The term '{cmdlet}' is not recognized as a name of a cmdlet available through this endpoint."),
        )),
    }
}

fn organization(state: &TenantState) -> Object {
    let mut organization = state.organization.clone();
    organization
        .entry("AuditDisabled")
        .or_insert(Value::Bool(false));
    organization
}

fn get_mailbox(state: &TenantState, parameters: &Object) -> Result<Output, CmdletError> {
    check_parameters(
        parameters,
        &[
            "Identity",
            "Filter",
            "PropertySets",
            "Properties",
            "GroupMailbox",
            "RecipientTypeDetails",
        ],
    )?;
    if let Some(identity) = identity(parameters) {
        let index = state.resolve_mailbox(&identity)?;
        return Ok(Output {
            values: vec![tenant::to_wire(&state.mailboxes[index])],
            ..Output::default()
        });
    }
    let filter = match parameter(parameters, "Filter").and_then(Value::as_str) {
        Some(text) => Some(Filter::parse(text)?),
        None => None,
    };
    let types = tenant::strings(parameter(parameters, "RecipientTypeDetails"));
    let groups_only = tenant::flag(parameter(parameters, "GroupMailbox")).unwrap_or(false);
    let listed = state
        .mailboxes
        .iter()
        .enumerate()
        .filter(|(_, mailbox)| {
            // Get-Mailbox leaves group mailboxes out unless -GroupMailbox asks for only them.
            let is_group =
                RecipientType::parse(tenant::recipient_type(mailbox)).is_fixed_configuration();
            is_group == groups_only
        })
        .filter(|(_, mailbox)| {
            types.is_empty()
                || types
                    .iter()
                    .any(|wanted| wanted.eq_ignore_ascii_case(tenant::recipient_type(mailbox)))
        })
        .filter(|(_, mailbox)| filter.as_ref().is_none_or(|filter| filter.matches(mailbox)))
        .map(|(index, _)| index)
        .collect();
    Ok(Output {
        listed: Some(listed),
        ..Output::default()
    })
}

fn list_edit(parameter: &str, value: &Value) -> Result<ListEdit, CmdletError> {
    match value {
        Value::Object(table) => {
            let field = |name: &str| {
                table
                    .iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(name))
                    .map(|(_, value)| value)
            };
            if let Some(key) = table.keys().find(|key| {
                !key.starts_with('@')
                    && !["add", "remove"].contains(&key.to_ascii_lowercase().as_str())
            }) {
                return Err(CmdletError::bad_request(
                    PARAMETER_BINDING,
                    format!("Cannot process argument transformation on parameter '{parameter}'. The hashtable key '{key}' isn't valid; use Add or Remove."),
                ));
            }
            Ok(ListEdit::AddRemove {
                add: tenant::strings(field("Add")),
                remove: tenant::strings(field("Remove")),
            })
        }
        other => Ok(ListEdit::Replace(tenant::strings(Some(other)))),
    }
}

fn set_mailbox(state: &mut TenantState, parameters: &Object) -> Result<Output, CmdletError> {
    check_parameters(
        parameters,
        &[
            "Identity",
            "AuditEnabled",
            "AuditLogAgeLimit",
            "AuditAdmin",
            "AuditDelegate",
            "AuditOwner",
            "DefaultAuditSet",
        ],
    )?;
    let identity = identity(parameters).ok_or_else(|| missing("Identity"))?;
    let index = state.resolve_mailbox(&identity)?;
    let mut params = SetMailboxParams::default();
    if let Some(value) = parameter(parameters, "AuditEnabled") {
        params.audit_enabled = Some(tenant::flag(Some(value)).ok_or_else(|| {
            CmdletError::bad_request(PARAMETER_BINDING, format!("Cannot convert value \"{value}\" to type \"System.Boolean\" for parameter 'AuditEnabled'."))
        })?);
    }
    if let Some(value) = parameter(parameters, "AuditLogAgeLimit") {
        params.audit_log_age_limit = Some(tenant::timespan(Some(value)).ok_or_else(|| {
            CmdletError::bad_request(PARAMETER_BINDING, format!("Cannot convert value \"{value}\" to type \"Microsoft.Exchange.Data.EnhancedTimeSpan\" for parameter 'AuditLogAgeLimit'."))
        })?);
    }
    for logon in LogonType::ALL {
        if let Some(value) = parameter(parameters, logon.property()) {
            params.lists[logon.index()] = Some(list_edit(logon.property(), value)?);
        }
    }
    if let Some(value) = parameter(parameters, "DefaultAuditSet") {
        let mut set = LogonSet::EMPTY;
        for name in tenant::strings(Some(value)) {
            set.insert(LogonType::parse(&name).ok_or_else(|| {
                CmdletError::bad_request(PARAMETER_BINDING, format!("Cannot convert value \"{name}\" to type \"Microsoft.Exchange.Data.Directory.MailboxAuditLogonType\" for parameter 'DefaultAuditSet'. Valid values: Admin, Delegate, Owner."))
            })?);
        }
        params.default_audit_set = Some(set);
    }
    let licence_hint = state.licence_hint();
    let mailbox = &mut state.mailboxes[index];
    let read = tenant::read_mailbox(mailbox, licence_hint)?;
    let current = read.audit;
    let next = service::set_mailbox(&read.recipient_type, read.licence, &current, &params)
        .map_err(|error| CmdletError::bad_request(error.exception_type(), error.to_string()))?;
    let mut output = Output {
        applied_to: Some(tenant::immutable_key(mailbox, index)),
        ..Output::default()
    };
    if next == current {
        output.warnings.push(format!(
            "The command completed successfully but no settings of '{identity}' have been modified."
        ));
    } else {
        tenant::write_audit_settings(mailbox, &next);
    }
    Ok(output)
}

fn set_organization_config(
    state: &mut TenantState,
    parameters: &Object,
) -> Result<Output, CmdletError> {
    check_parameters(parameters, &["AuditDisabled"])?;
    let Some(value) = parameter(parameters, "AuditDisabled") else {
        return Ok(Output::default());
    };
    let disabled = tenant::flag(Some(value)).ok_or_else(|| {
        CmdletError::bad_request(PARAMETER_BINDING, format!("Cannot convert value \"{value}\" to type \"System.Boolean\" for parameter 'AuditDisabled'."))
    })?;
    state
        .organization
        .insert("AuditDisabled".into(), Value::Bool(disabled));
    Ok(Output::default())
}

fn get_bypass(state: &TenantState, parameters: &Object) -> Result<Output, CmdletError> {
    check_parameters(parameters, &["Identity"])?;
    let values = match identity(parameters) {
        Some(identity) => {
            let index = tenant::resolve(&state.bypass, &identity)?;
            vec![tenant::to_wire(&state.bypass[index])]
        }
        None => state.bypass.iter().map(tenant::to_wire).collect(),
    };
    Ok(Output {
        values,
        ..Output::default()
    })
}

/// Every account has a bypass association; a snapshot lists only some, so one for a mailbox
/// that is not listed yet is made from the mailbox's names.
fn set_bypass(state: &mut TenantState, parameters: &Object) -> Result<Output, CmdletError> {
    check_parameters(parameters, &["Identity", "AuditBypassEnabled"])?;
    let identity = identity(parameters).ok_or_else(|| missing("Identity"))?;
    let enabled = tenant::flag(parameter(parameters, "AuditBypassEnabled"))
        .ok_or_else(|| missing("AuditBypassEnabled"))?;
    let index = match tenant::resolve(&state.bypass, &identity) {
        Ok(index) => index,
        Err(not_found) if not_found.status == 404 => {
            let mailbox = &state.mailboxes[state.resolve_mailbox(&identity)?];
            let mut entry = Object::new();
            for key in [
                "Identity",
                "Name",
                "ExternalDirectoryObjectId",
                "Guid",
                "UserPrincipalName",
                "PrimarySmtpAddress",
            ] {
                if let Some(value) = mailbox.get(key) {
                    entry.insert(key.into(), value.clone());
                }
            }
            entry.insert("AuditBypassEnabled".into(), Value::Bool(false));
            state.bypass.push(entry);
            state.bypass.len() - 1
        }
        Err(other) => return Err(other),
    };
    state.bypass[index].insert("AuditBypassEnabled".into(), Value::Bool(enabled));
    Ok(Output::default())
}
