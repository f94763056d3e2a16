//! The cmdlets the emulator answers, run against the tenant. Set-Mailbox's rules are the
//! emulator's own ([`crate::rules`]), written from public evidence, not auditform's: the
//! emulator models the service, so that auditform is tested against it rather than against
//! itself.

use crate::audit::Logon;
use crate::filter::Filter;
use crate::mailbox;
use crate::rules::{self, ListEdit, Request};
use crate::tenant::{self, Object, TenantState};
use crate::wire::CmdletError;
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
        "get-mailbox" | "get-exomailbox" => get_mailbox(state, cmdlet, parameters),
        "set-mailbox" => set_mailbox(state, parameters),
        "get-organizationconfig" => Ok(Output {
            values: vec![tenant::to_wire(&organization(state), &state.operations)],
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

fn get_mailbox(
    state: &TenantState,
    cmdlet: &str,
    parameters: &Object,
) -> Result<Output, CmdletError> {
    // Get-EXOMailbox has no -GroupMailbox (nor -PublicFolder): it can't return group
    // mailboxes (cmdlet-property-sets.md) [EV-5.1].
    let allowed: &[&str] = if cmdlet.eq_ignore_ascii_case("Get-EXOMailbox") {
        &[
            "Identity",
            "Filter",
            "PropertySets",
            "Properties",
            "RecipientTypeDetails",
        ]
    } else {
        &[
            "Identity",
            "Filter",
            "PropertySets",
            "Properties",
            "GroupMailbox",
            "RecipientTypeDetails",
        ]
    };
    check_parameters(parameters, allowed)?;
    let groups_only = tenant::flag(parameter(parameters, "GroupMailbox")).unwrap_or(false);
    let wire = |mailbox: &Object| tenant::to_wire(mailbox, &state.operations);
    if let Some(identity) = identity(parameters) {
        let index = state.resolve_mailbox(&identity)?;
        let found = &state.mailboxes[index];
        if mailbox::is_group(found) != groups_only {
            return Err(not_found(&identity));
        }
        return Ok(Output {
            values: vec![wire(found)],
            ..Output::default()
        });
    }
    let filter = match parameter(parameters, "Filter").and_then(Value::as_str) {
        Some(text) => Some(Filter::parse(text)?),
        None => None,
    };
    let types = tenant::strings(parameter(parameters, "RecipientTypeDetails"));
    let listed = state
        .mailboxes
        .iter()
        .enumerate()
        // Get-Mailbox leaves group mailboxes out unless -GroupMailbox asks for only them.
        .filter(|(_, mailbox)| mailbox::is_group(mailbox) == groups_only)
        .filter(|(_, found)| {
            types.is_empty()
                || types
                    .iter()
                    .any(|wanted| wanted.eq_ignore_ascii_case(&mailbox::recipient_type(found)))
        })
        .filter(|(_, mailbox)| filter.as_ref().is_none_or(|filter| filter.matches(mailbox)))
        .map(|(index, _)| index)
        .collect();
    Ok(Output {
        listed: Some(listed),
        ..Output::default()
    })
}

fn not_found(identity: &str) -> CmdletError {
    CmdletError::not_found(format!(
        "The operation couldn't be performed because object '{identity}' couldn't be found on 'EMULATOR01.PROD.OUTLOOK.COM'."
    ))
}

/// A list parameter, bound: names as an array or a comma-separated string, or the endpoint's
/// hashtable of `Add` and `Remove` (DESIGN §1.4). Every name must be one of the enum's.
fn list_edit(state: &TenantState, logon: Logon, value: &Value) -> Result<ListEdit, CmdletError> {
    let edit = match value {
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
                    format!("Cannot process argument transformation on parameter '{}'. The hashtable key '{key}' isn't valid; use Add or Remove.", logon.property()),
                ));
            }
            ListEdit::AddRemove {
                add: tenant::strings(field("Add")),
                remove: tenant::strings(field("Remove")),
            }
        }
        other => ListEdit::Replace(tenant::strings(Some(other))),
    };
    let names: Vec<String> = match &edit {
        ListEdit::Replace(names) => names.clone(),
        ListEdit::AddRemove { add, remove } => add.iter().chain(remove).cloned().collect(),
    };
    rules::check_names(&state.operations, logon, &names)?;
    Ok(edit)
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
            "GroupMailbox",
        ],
    )?;
    let identity = identity(parameters).ok_or_else(|| missing("Identity"))?;
    let group_switch = tenant::flag(parameter(parameters, "GroupMailbox")).unwrap_or(false);
    // Parameter binding comes first: a value of the wrong type fails before the cmdlet runs.
    let mut request = Request::default();
    if let Some(value) = parameter(parameters, "AuditEnabled") {
        request.enabled = Some(tenant::flag(Some(value)).ok_or_else(|| {
            CmdletError::bad_request(PARAMETER_BINDING, format!("Cannot convert value \"{value}\" to type \"System.Boolean\" for parameter 'AuditEnabled'."))
        })?);
    }
    if let Some(value) = parameter(parameters, "AuditLogAgeLimit") {
        request.age_limit = Some(crate::timespan::from_value(value).ok_or_else(|| {
            CmdletError::bad_request(PARAMETER_BINDING, format!("Cannot convert value \"{value}\" to type \"Microsoft.Exchange.Data.EnhancedTimeSpan\" for parameter 'AuditLogAgeLimit'."))
        })?);
    }
    for logon in Logon::ALL {
        if let Some(value) = parameter(parameters, logon.property()) {
            request.lists[logon.index()] = Some(list_edit(state, logon, value)?);
        }
    }
    if let Some(value) = parameter(parameters, "DefaultAuditSet") {
        let mut set = [false; 3];
        for name in tenant::strings(Some(value)) {
            let logon = Logon::parse(&name).ok_or_else(|| {
                CmdletError::bad_request(PARAMETER_BINDING, format!("Cannot convert value \"{name}\" to type \"Microsoft.Exchange.Data.Directory.MailboxAuditLogonType\" for parameter 'DefaultAuditSet'. Valid values: Admin, Delegate, Owner."))
            })?;
            set[logon.index()] = true;
        }
        request.default_set = Some(set);
    }

    let index = state.resolve_mailbox(&identity)?;
    let group = mailbox::is_group(&state.mailboxes[index]);
    match (group, group_switch) {
        // -GroupMailbox looks among group mailboxes only.
        (false, true) => return Err(not_found(&identity)),
        // Set-Mailbox.md: "The GroupMailbox switch is required to modify Microsoft 365 Groups."
        (true, false) => {
            return Err(CmdletError::bad_request(
                "Microsoft.Exchange.Management.Tasks.RecipientTaskException",
                "The GroupMailbox switch is required to modify Microsoft 365 Groups.",
            ))
        }
        _ => {}
    }
    let premium = mailbox::has_audit_premium(&state.mailboxes[index], state.premium_hint());
    let current = mailbox::read(&state.mailboxes[index]).map_err(CmdletError::internal)?;
    let next = rules::set_mailbox(
        &state.operations,
        &state.model,
        &current,
        premium,
        group,
        &request,
    )?;
    let mut output = Output {
        applied_to: Some(tenant::immutable_key(&state.mailboxes[index], index)),
        ..Output::default()
    };
    if next == current {
        output.warnings.push(format!(
            "The command completed successfully but no settings of '{identity}' have been modified."
        ));
    } else {
        mailbox::write(&mut state.mailboxes[index], &next, &state.operations);
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
            vec![tenant::to_wire(&state.bypass[index], &state.operations)]
        }
        None => state
            .bypass
            .iter()
            .map(|entry| tenant::to_wire(entry, &state.operations))
            .collect(),
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
