//! `auditform catalog`: the table of mailbox audit actions this version of auditform believes,
//! as text for a person to set beside Microsoft's page, or as JSON (docs/catalog.md describes
//! every field). The actions a policy set declares follow the table, marked as the user's word.

use crate::catalog::evidence::{self, CHECKED_AGAINST_SOURCES_OF, FACTS_AS_OF, MICROSOFT_PAGE};
use crate::catalog::{
    ActionInfo, Catalog, DeclaredAction, Licensing, LogonType, Remark, Support, CATALOG,
};
use serde::Serialize;
use std::io::{self, Write};

/// The version of the JSON shape; minor versions only add fields.
pub const CATALOG_FORMAT_VERSION: &str = "1.0";

/// The catalog as a JSON document.
#[derive(Debug, Serialize)]
pub struct CatalogDocument {
    pub format_version: &'static str,
    pub auditform_version: &'static str,
    pub facts_as_of: &'static str,
    pub checked_against_sources_of: &'static str,
    pub microsoft_page: &'static str,
    pub actions: Vec<ActionDocument>,
    pub declared_actions: Vec<DeclaredDocument>,
    pub sources: Vec<SourceDocument>,
}

#[derive(Debug, Serialize)]
pub struct ActionDocument {
    pub name: &'static str,
    #[serde(rename = "Admin")]
    pub admin: &'static str,
    #[serde(rename = "Delegate")]
    pub delegate: &'static str,
    #[serde(rename = "Owner")]
    pub owner: &'static str,
    /// `any`, `audit_premium` or `not_with_audit_premium`.
    pub licence: &'static str,
    /// Whether a policy may name it.
    pub in_policies: bool,
    /// `deprecated`, `redundant`, `merged_for_delegates`, or null.
    pub remark: Option<&'static str>,
    pub remark_text: Option<String>,
    pub evidence: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct DeclaredDocument {
    pub name: String,
    #[serde(rename = "Admin")]
    pub admin: &'static str,
    #[serde(rename = "Delegate")]
    pub delegate: &'static str,
    #[serde(rename = "Owner")]
    pub owner: &'static str,
    pub declared_at: String,
}

#[derive(Debug, Serialize)]
pub struct SourceDocument {
    pub tag: &'static str,
    pub fact: &'static str,
    pub citation: &'static str,
}

fn support_word(support: Support) -> &'static str {
    match support {
        Support::Default => "default",
        Support::Valid => "valid",
        Support::Rejected => "rejected",
    }
}

fn support_cell(support: Support) -> &'static str {
    match support {
        Support::Default => "D",
        Support::Valid => "Y",
        Support::Rejected => "-",
    }
}

fn licence_word(licensing: Licensing) -> &'static str {
    match licensing {
        Licensing::Any => "any",
        Licensing::Premium => "audit_premium",
        Licensing::WithoutPremium => "not_with_audit_premium",
    }
}

fn remark_of(row: &ActionInfo) -> Option<(&'static str, String)> {
    match row.remark {
        Remark::None => None,
        Remark::Deprecated { .. } => Some((
            "deprecated",
            "deprecated and no longer logged; refused in policies (use MailItemsAccessed)".into(),
        )),
        Remark::Redundant { covered_by } => Some((
            "redundant",
            format!("accepted, but {covered_by} already covers it"),
        )),
        Remark::MergedForDelegates => Some((
            "merged_for_delegates",
            "delegate records merge to one per folder per 24 hours".into(),
        )),
    }
}

impl CatalogDocument {
    pub fn new(catalog: &Catalog) -> CatalogDocument {
        let support = |row: &ActionInfo, logon: LogonType| support_word(row.support[logon.index()]);
        CatalogDocument {
            format_version: CATALOG_FORMAT_VERSION,
            auditform_version: env!("CARGO_PKG_VERSION"),
            facts_as_of: FACTS_AS_OF,
            checked_against_sources_of: CHECKED_AGAINST_SOURCES_OF,
            microsoft_page: MICROSOFT_PAGE,
            actions: CATALOG
                .iter()
                .map(|row| {
                    let remark = remark_of(row);
                    ActionDocument {
                        name: row.name,
                        admin: support(row, LogonType::Admin),
                        delegate: support(row, LogonType::Delegate),
                        owner: support(row, LogonType::Owner),
                        licence: licence_word(row.licensing),
                        in_policies: !row.action.is_deprecated(),
                        remark: remark.as_ref().map(|(kind, _)| *kind),
                        remark_text: remark.map(|(_, text)| text),
                        evidence: row.evidence.to_vec(),
                    }
                })
                .collect(),
            declared_actions: catalog
                .declared()
                .iter()
                .map(|declared| DeclaredDocument {
                    name: declared.name.to_string(),
                    admin: support_word(declared.support(LogonType::Admin)),
                    delegate: support_word(declared.support(LogonType::Delegate)),
                    owner: support_word(declared.support(LogonType::Owner)),
                    declared_at: declared.origin.to_string(),
                })
                .collect(),
            sources: evidence::SOURCES
                .iter()
                .map(|source| SourceDocument {
                    tag: source.tag,
                    fact: source.fact,
                    citation: source.citation,
                })
                .collect(),
        }
    }
}

/// The catalog as pretty JSON, ending in a newline.
pub fn render_catalog_json(catalog: &Catalog, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &CatalogDocument::new(catalog))?;
    out.write_all(b"\n")
}

/// The catalog as a table for people.
pub fn render_catalog_text(catalog: &Catalog, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "Mailbox audit actions, as auditform {} knows them.",
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(
        out,
        "Facts as of {FACTS_AS_OF} (the newest Microsoft source that states them), checked against public sources of {CHECKED_AGAINST_SOURCES_OF}."
    )?;
    writeln!(out, "Compare with Microsoft's page: {MICROSOFT_PAGE}")?;
    writeln!(out)?;
    writeln!(
        out,
        "  D  audited by default while the logon type is in DefaultAuditSet (the same on every licence)"
    )?;
    writeln!(out, "  Y  can be audited")?;
    writeln!(out, "  -  the service refuses it for this logon type")?;
    writeln!(out)?;
    let width = CATALOG
        .iter()
        .map(|row| row.name.len())
        .chain(catalog.declared().iter().map(|d| d.name.len()))
        .max()
        .unwrap_or(0)
        .max("Action".len());
    writeln!(out, "{:width$}  Admin  Delegate  Owner  Notes", "Action")?;
    for row in &CATALOG {
        let mut notes: Vec<String> = Vec::new();
        match row.licensing {
            Licensing::Any => {}
            Licensing::Premium => notes.push("needs Audit (Premium)".into()),
            Licensing::WithoutPremium => notes.push("refused with Audit (Premium)".into()),
        }
        if let Some((_, text)) = remark_of(row) {
            notes.push(text);
        }
        notes.push(format!("[{}]", row.evidence.join(", ")));
        write_row(out, width, row.name, row.support, &notes.join("; "))?;
    }
    writeln!(
        out,
        "Not actions: None (an empty list) and Default (write the keyword `default` for Microsoft's list)."
    )?;
    if !catalog.declared().is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Declared by the policy set, unknown to this version of auditform (the service's own answer decides at apply):"
        )?;
        for declared in catalog.declared() {
            write_declared(out, width, declared)?;
        }
    }
    writeln!(out)?;
    writeln!(out, "Sources:")?;
    for source in &evidence::SOURCES {
        writeln!(out, "  [{}] {}", source.tag, source.fact)?;
        writeln!(out, "      {}", source.citation)?;
    }
    Ok(())
}

fn write_row(
    out: &mut dyn Write,
    width: usize,
    name: &str,
    support: [Support; 3],
    notes: &str,
) -> io::Result<()> {
    let [admin, delegate, owner] = support.map(support_cell);
    let line = format!("{name:width$}  {admin:<5}  {delegate:<8}  {owner:<5}  {notes}");
    writeln!(out, "{}", line.trim_end())
}

fn write_declared(out: &mut dyn Write, width: usize, declared: &DeclaredAction) -> io::Result<()> {
    let name: String = declared
        .name
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let origin: String = declared
        .origin
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    write_row(
        out,
        width,
        &name,
        declared.support,
        &format!("declared in {origin}"),
    )
}

#[cfg(test)]
mod tests;
