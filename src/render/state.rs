//! Current audit settings as text, for `show --state`: one block per mailbox in the manner of
//! `Get-Mailbox | Format-List Name,Audit*`, then the organization switch and bypass associations.

use super::label::printable;
use super::style::{Palette, Role};
use super::TextOptions;
use crate::catalog::LicenceTier;
use crate::english::thousands;
use crate::model::{ActionList, BypassAssociation, LogonType, Mailbox, Organization, Tenant};
use std::io::{self, Write};

/// Writes the tenant's audit settings.
pub fn render_state(tenant: &Tenant, options: &TextOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    let palette = Palette::new(options.color);
    let heading = format!("Mailboxes ({})", thousands(tenant.mailboxes.len()));
    writeln!(out, "{}", palette.paint(Role::Header, heading))?;
    writeln!(out)?;
    for mailbox in &tenant.mailboxes {
        mailbox_block(&mut out, mailbox)?;
        writeln!(out)?;
    }
    writeln!(
        out,
        "{}",
        palette.paint(Role::Header, "Organization config")
    )?;
    organization_block(&mut out, palette, tenant.organization.as_ref())?;
    writeln!(out)?;
    let heading = format!(
        "Audit bypass associations ({})",
        thousands(tenant.bypass.len())
    );
    writeln!(out, "{}", palette.paint(Role::Header, heading))?;
    for association in &tenant.bypass {
        writeln!(out)?;
        bypass_block(&mut out, palette, association)?;
    }
    out.flush()
}

/// `Name : value` lines with the colons aligned, as Format-List writes them.
fn fields(out: &mut dyn Write, fields: &[(&str, String)]) -> io::Result<()> {
    let width = fields.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, value) in fields {
        writeln!(out, "{name:<width$} : {value}")?;
    }
    Ok(())
}

fn mailbox_block(out: &mut dyn Write, mailbox: &Mailbox) -> io::Result<()> {
    let names = &mailbox.names;
    let name = names
        .name
        .as_deref()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| names.display());
    let mut lines = vec![("Name", printable(name).into_owned())];
    if let Some(upn) = names.user_principal_name.as_deref() {
        lines.push(("UserPrincipalName", printable(upn).into_owned()));
    } else if let Some(smtp) = names.primary_smtp_address.as_deref() {
        lines.push(("PrimarySmtpAddress", printable(smtp).into_owned()));
    }
    let audit = &mailbox.audit;
    lines.extend([
        (
            "RecipientTypeDetails",
            printable(mailbox.recipient_type.name()).into_owned(),
        ),
        ("AuditEnabled", powershell_bool(audit.enabled).to_string()),
        ("AuditLogAgeLimit", audit.log_age_limit.to_string()),
    ]);
    for logon in LogonType::ALL {
        lines.push((logon.property(), action_list(audit.list(logon))));
    }
    lines.push((
        "DefaultAuditSet",
        format!("{{{}}}", audit.default_audit_set.names().join(", ")),
    ));
    let licence = match mailbox.licence {
        LicenceTier::E5 => "E5 (Audit Premium)",
        LicenceTier::NonE5 => "non-E5",
    };
    lines.push(("Licence", licence.to_string()));
    fields(out, &lines)
}

fn organization_block(
    out: &mut dyn Write,
    palette: Palette,
    organization: Option<&Organization>,
) -> io::Result<()> {
    match organization {
        None => writeln!(out, "(not read from this source)"),
        Some(organization) => {
            let value = powershell_bool(organization.audit_disabled);
            if organization.audit_disabled {
                writeln!(
                    out,
                    "AuditDisabled : {}",
                    palette.paint(Role::Weakening, value)
                )
            } else {
                writeln!(out, "AuditDisabled : {value}")
            }
        }
    }
}

fn bypass_block(
    out: &mut dyn Write,
    palette: Palette,
    association: &BypassAssociation,
) -> io::Result<()> {
    let value = powershell_bool(association.bypass_enabled);
    let value = if association.bypass_enabled {
        palette.paint(Role::Weakening, value).to_string()
    } else {
        value.to_string()
    };
    let name = printable(association.names.display()).into_owned();
    fields(out, &[("Name", name), ("AuditBypassEnabled", value)])
}

fn powershell_bool(value: bool) -> &'static str {
    if value {
        "True"
    } else {
        "False"
    }
}

/// `{Update, MoveToDeletedItems}` as PowerShell shows a collection; names from the service that
/// the catalog does not know are shown as they came.
fn action_list(list: &ActionList) -> String {
    let names: Vec<String> = list
        .names()
        .into_iter()
        .map(|name| printable(name).into_owned())
        .collect();
    format!("{{{}}}", names.join(", "))
}

#[cfg(test)]
mod tests;
