//! Import: policies that describe a tenant as it is, so that adopting auditform starts from
//! "No changes." rather than from a plan that rewrites every mailbox.
//!
//! Mailboxes are grouped by the policy that would describe them. Per RecipientTypeDetails the
//! most common audit configuration becomes a base policy selecting the whole type; every other
//! configuration gets a policy of its own that selects its mailboxes by identity. The base
//! excludes those mailboxes, so each mailbox is selected by exactly one policy: a base's
//! `exactly` or `default` would otherwise forbid names an override has to leave alone.
//!
//! This module builds the documents, in the same types the loader reads; `policy::load` writes
//! them as YAML.

use crate::catalog::{self, ActionRef, Catalog, DeclaredAction, Support};
use crate::english::counted;
use crate::model::{
    ActionList, ActionSet, LogonType, Mailbox, MailboxNames, RecipientType, Tenant,
};
use crate::policy::schema::{
    self, ActionDeclarationSpec, AdminLogon, AuditSettingsSpec, BypassPolicySpec, DeclaredName,
    DelegateLogon, ExcludeSpec, LogAgeLimit, LogonListSpec, LogonMarker, LogonTypeName,
    MailboxPolicySpec, Metadata, OrganizationPolicySpec, OwnerLogon, PolicyAction, PolicyDocument,
    PolicyName, RecipientTypeName, SelectorSpec, Spec,
};
use crate::timespan::TimeSpan;
use std::collections::{BTreeMap, HashMap};

/// Where editors find the JSON Schema of the policy format, relative to a policy directory.
pub const SCHEMA_COMMENT: &str = "# yaml-language-server: $schema=../schema/auditform.schema.json";

/// The priority of a policy that describes some mailboxes of a type differently from its base.
pub const OVERRIDE_PRIORITY: i64 = 10;

/// Everything an import writes: one file per policy kind and recipient type.
#[derive(Clone, Debug)]
pub struct Import {
    pub files: Vec<ImportedFile>,
    /// What the policies do not describe, and why; written as comments at the top.
    pub notes: Vec<String>,
}

/// One policy file.
#[derive(Clone, Debug)]
pub struct ImportedFile {
    /// The file name without `.yaml`: `organization`, `bypass`, `mailboxes-usermailbox`, ...
    pub stem: String,
    pub policies: Vec<PolicyDocument>,
}

/// The comment block a file of imported policies starts with. Every line is a comment whatever
/// `source` and the notes hold: control characters are replaced, so nothing can end a line.
pub fn file_header(source: &str, notes: &[String]) -> String {
    let mut header = format!(
        "{SCHEMA_COMMENT}\n#\n# Imported by auditform {} from {}.\n# These policies describe the audit settings as they were read, so that `auditform plan`\n# against the same state shows no changes. Review them before relying on them.\n",
        env!("CARGO_PKG_VERSION"),
        comment_safe(source)
    );
    for note in notes {
        header.push_str(&format!("#\n# {}\n", comment_safe(note)));
    }
    header
}

/// Text that stays on one comment line: YAML parsers also break lines at U+2028 and U+2029.
pub fn comment_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                '?'
            } else {
                c
            }
        })
        .collect()
}

/// Describes a tenant as policies.
pub fn import_tenant(tenant: &Tenant) -> Import {
    let mut files = Vec::new();
    let mut notes = Vec::new();
    let (catalog, declarations) = declarations(tenant);
    if !declarations.is_empty() {
        files.push(ImportedFile {
            stem: "declared-actions".to_string(),
            policies: declarations,
        });
    }

    if let Some(organization) = &tenant.organization {
        files.push(ImportedFile {
            stem: "organization".to_string(),
            policies: vec![document(
                "organization-imported",
                format!(
                    "Mailbox auditing is {} for the organization, as imported.",
                    if organization.audit_disabled {
                        "off"
                    } else {
                        "on"
                    }
                ),
                Spec::Organization(OrganizationPolicySpec {
                    priority: 0,
                    audit_disabled: organization.audit_disabled,
                }),
            )],
        });
    }

    let bypass = bypass_policies(tenant);
    if !bypass.is_empty() {
        files.push(ImportedFile {
            stem: "bypass".to_string(),
            policies: bypass,
        });
    }

    let mut by_type: BTreeMap<&RecipientType, Vec<&Mailbox>> = BTreeMap::new();
    let mut unknown_types: Vec<&Mailbox> = Vec::new();
    let mut fixed = 0usize;
    for mailbox in &tenant.mailboxes {
        match &mailbox.recipient_type {
            t if t.is_fixed_configuration() => fixed += 1,
            RecipientType::Other(_) => unknown_types.push(mailbox),
            t => by_type.entry(t).or_default().push(mailbox),
        }
    }
    for (recipient_type, mailboxes) in by_type {
        let stem = format!("mailboxes-{}", recipient_type.name().to_ascii_lowercase());
        files.push(ImportedFile {
            policies: type_policies(&catalog, recipient_type, &mailboxes, &stem),
            stem,
        });
    }
    if !unknown_types.is_empty() {
        let stem = "mailboxes-other-types".to_string();
        files.push(ImportedFile {
            policies: identity_policies(&catalog, &unknown_types, &stem, "unknown-type"),
            stem,
        });
    }
    if fixed > 0 {
        notes.push(format!(
            "{} no policy: the audit actions and AuditEnabled of a Microsoft 365 Group mailbox are fixed, and its AuditLogAgeLimit is left as it is.",
            counted(fixed, "GroupMailbox mailbox has", "GroupMailbox mailboxes have")
        ));
    }
    Import { files, notes }
}

/// A declaration for every action the tenant's lists carry that the catalog does not have, so
/// that the imported policies can name it (and so keep it) like any other: valid for the logon
/// types it was seen on, and a default for those where a Microsoft-managed list carried it.
/// A name that could not be declared (within two letters of a catalog action, say) is left
/// out; the lists that carry it are then described without naming it, which keeps it too.
fn declarations(tenant: &Tenant) -> (Catalog, Vec<PolicyDocument>) {
    // Lower-cased name -> (name as first seen, seen for, seen in a managed list for).
    let mut seen: BTreeMap<String, (String, [bool; 3], [bool; 3])> = BTreeMap::new();
    for mailbox in &tenant.mailboxes {
        if mailbox.recipient_type.is_fixed_configuration() {
            continue;
        }
        for logon in LogonType::ALL {
            for name in &mailbox.audit.list(logon).unknown {
                let entry = seen
                    .entry(name.to_ascii_lowercase())
                    .or_insert_with(|| (name.to_string(), [false; 3], [false; 3]));
                entry.1[logon.index()] = true;
                if mailbox.audit.default_audit_set.contains(logon) {
                    entry.2[logon.index()] = true;
                }
            }
        }
    }
    let mut catalog = Catalog::builtin();
    let mut documents = Vec::new();
    for (name, valid, default) in seen.into_values() {
        let support =
            LogonType::ALL.map(
                |logon| match (default[logon.index()], valid[logon.index()]) {
                    (true, _) => Support::Default,
                    (false, true) => Support::Valid,
                    (false, false) => Support::Rejected,
                },
            );
        let declared = DeclaredAction {
            name: name.as_str().into(),
            support,
            origin: "imported".into(),
        };
        if catalog.declare(declared).is_err() {
            continue;
        }
        let logons = |wanted: &[bool; 3]| -> Vec<LogonTypeName> {
            LogonType::ALL
                .into_iter()
                .filter(|logon| wanted[logon.index()])
                .map(LogonTypeName)
                .collect()
        };
        documents.push(document(
            &format!("action-{}", name.to_ascii_lowercase()),
            format!(
                "{name} was read from the tenant and is unknown to this version of auditform; declared as seen{}.",
                if default.iter().any(|d| *d) {
                    ", a default where Microsoft-managed lists carried it"
                } else {
                    ""
                }
            ),
            Spec::Declaration(ActionDeclarationSpec {
                action: DeclaredName(name),
                logon_types: logons(&valid),
                default_for: logons(&default),
            }),
        ));
    }
    (catalog, documents)
}

fn document(name: &str, description: String, spec: Spec) -> PolicyDocument {
    PolicyDocument {
        metadata: Metadata {
            name: PolicyName::sanitized(name),
            description: Some(description),
        },
        spec,
    }
}

/// A base that no account bypasses auditing, and the accounts that do, by identity.
fn bypass_policies(tenant: &Tenant) -> Vec<PolicyDocument> {
    let mut policies = Vec::new();
    if tenant.bypass.iter().any(|a| !a.bypass_enabled) {
        policies.push(document(
            "bypass-imported",
            "No account bypasses mailbox audit logging, as imported.".to_string(),
            Spec::Bypass(BypassPolicySpec {
                priority: 0,
                selector: SelectorSpec::default(),
                bypass: false,
            }),
        ));
    }
    let bypassing: Vec<String> = tenant
        .bypass
        .iter()
        .filter(|a| a.bypass_enabled)
        .map(|a| selecting_name(&a.names).to_string())
        .collect();
    if !bypassing.is_empty() {
        policies.push(document(
            "bypass-imported-exceptions",
            format!(
                "{} bypassed mailbox audit logging when imported; review whether each still must.",
                counted(bypassing.len(), "account", "accounts")
            ),
            Spec::Bypass(BypassPolicySpec {
                priority: OVERRIDE_PRIORITY,
                selector: SelectorSpec {
                    identities: Some(bypassing),
                    ..SelectorSpec::default()
                },
                bypass: true,
            }),
        ));
    }
    policies
}

/// The base policy of one recipient type, and one policy per other configuration.
fn type_policies(
    catalog: &Catalog,
    recipient_type: &RecipientType,
    mailboxes: &[&Mailbox],
    stem: &str,
) -> Vec<PolicyDocument> {
    let groups = group_by_spec(catalog, mailboxes);
    // The most common configuration; among equals, the one seen first.
    let Some(base_index) = groups
        .iter()
        .enumerate()
        .max_by_key(|(index, (_, members))| (members.len(), std::cmp::Reverse(*index)))
        .map(|(index, _)| index)
    else {
        return Vec::new();
    };
    let (base_spec, base_members) = &groups[base_index];
    let overridden: Vec<String> = groups
        .iter()
        .enumerate()
        .filter(|(index, _)| *index != base_index)
        .flat_map(|(_, (_, members))| members.iter().map(|m| selecting_name(&m.names).to_string()))
        .collect();
    let type_name = recipient_type.name();
    let description = if overridden.is_empty() {
        format!(
            "The audit settings every {type_name} mailbox had when imported ({}).",
            counted(mailboxes.len(), "mailbox", "mailboxes")
        )
    } else {
        format!(
            "The audit settings most {type_name} mailboxes ({} of {}) had when imported; the policies that follow describe the others, listed under `exclude`.",
            base_members.len(),
            mailboxes.len(),
        )
    };
    let mut policies = vec![document(
        &format!("{stem}-imported"),
        description,
        Spec::Mailbox(MailboxPolicySpec {
            priority: 0,
            selector: SelectorSpec {
                recipient_type_details: Some(vec![RecipientTypeName(recipient_type.clone())]),
                exclude: (!overridden.is_empty()).then(|| ExcludeSpec {
                    identities: Some(overridden),
                    ..ExcludeSpec::default()
                }),
                ..SelectorSpec::default()
            },
            audit: base_spec.clone(),
        }),
    )];
    let others: Vec<(AuditSettingsSpec, Vec<&Mailbox>)> = groups
        .into_iter()
        .enumerate()
        .filter(|(index, _)| *index != base_index)
        .map(|(_, group)| group)
        .collect();
    policies.extend(numbered_identity_policies(
        others,
        stem,
        type_name,
        OVERRIDE_PRIORITY,
        2,
    ));
    policies
}

/// One policy per configuration, selecting its mailboxes by identity.
fn identity_policies(
    catalog: &Catalog,
    mailboxes: &[&Mailbox],
    stem: &str,
    what: &str,
) -> Vec<PolicyDocument> {
    numbered_identity_policies(group_by_spec(catalog, mailboxes), stem, what, 0, 1)
}

fn numbered_identity_policies(
    groups: Vec<(AuditSettingsSpec, Vec<&Mailbox>)>,
    stem: &str,
    what: &str,
    priority: i64,
    first_number: usize,
) -> Vec<PolicyDocument> {
    groups
        .into_iter()
        .enumerate()
        .map(|(offset, (spec, members))| {
            document(
                &format!("{stem}-imported-{}", first_number + offset),
                format!(
                    "The audit settings {} had when imported.",
                    counted(
                        members.len(),
                        &format!("{what} mailbox"),
                        &format!("{what} mailboxes")
                    ),
                ),
                Spec::Mailbox(MailboxPolicySpec {
                    priority,
                    selector: SelectorSpec {
                        identities: Some(
                            members
                                .iter()
                                .map(|m| selecting_name(&m.names).to_string())
                                .collect(),
                        ),
                        ..SelectorSpec::default()
                    },
                    audit: spec,
                }),
            )
        })
        .collect()
}

/// Mailboxes grouped by the policy that describes them, in the order first seen.
fn group_by_spec<'m>(
    catalog: &Catalog,
    mailboxes: &[&'m Mailbox],
) -> Vec<(AuditSettingsSpec, Vec<&'m Mailbox>)> {
    let mut groups: Vec<(AuditSettingsSpec, Vec<&Mailbox>)> = Vec::new();
    let mut index: HashMap<AuditSettingsSpec, usize> = HashMap::new();
    for mailbox in mailboxes {
        let spec = audit_spec(catalog, mailbox);
        match index.get(&spec) {
            Some(&at) => groups[at].1.push(mailbox),
            None => {
                index.insert(spec.clone(), groups.len());
                groups.push((spec, vec![mailbox]));
            }
        }
    }
    groups
}

/// The policy that, planned against this mailbox, changes nothing.
pub fn audit_spec(catalog: &Catalog, mailbox: &Mailbox) -> AuditSettingsSpec {
    let limit = mailbox.audit.log_age_limit;
    AuditSettingsSpec {
        enabled: Some(mailbox.audit.enabled),
        log_age_limit: log_age_limit(limit),
        allow_purge: limit.is_zero(),
        owner: Some(list_spec::<OwnerLogon>(catalog, mailbox)),
        admin: Some(list_spec::<AdminLogon>(catalog, mailbox)),
        delegate: Some(list_spec::<DelegateLogon>(catalog, mailbox)),
    }
}

/// `default` for a logon type in DefaultAuditSet. Otherwise `exactly` when a policy can name
/// everything on the list; else `add` what it can name and `remove` every other name it could,
/// which leaves the rest (unknown, deprecated, invalid for the logon type) as it is, since only
/// `exactly` would remove them. Redundant actions are not removed by name: the loader would
/// warn about each, and they are absent anyway.
fn list_spec<L: LogonMarker>(catalog: &Catalog, mailbox: &Mailbox) -> LogonListSpec<L> {
    let logon = L::LOGON;
    if mailbox.audit.default_audit_set.contains(logon) {
        return LogonListSpec::default_list();
    }
    let list: &ActionList = mailbox.audit.list(logon);
    let nameable: ActionSet = catalog::valid_actions(logon)
        .iter()
        .filter(|action| catalog::check(action.name(), logon).is_ok())
        .collect();
    // Names the catalog does not have, that a declaration lets a policy name here.
    let declared: Vec<PolicyAction> = list
        .unknown
        .iter()
        .filter_map(|name| match catalog.check(name, logon) {
            Ok(ActionRef::Declared(declared)) => {
                Some(PolicyAction::Declared(declared.name.to_string()))
            }
            _ => None,
        })
        .collect();
    let known = |set: ActionSet| set.iter().map(PolicyAction::Known);
    if declared.len() == list.unknown.len() && list.known.difference(nameable).is_empty() {
        LogonListSpec::Exactly(known(list.known).chain(declared).collect())
    } else {
        LogonListSpec::Change {
            add: known(list.known.intersection(nameable))
                .chain(declared)
                .collect(),
            remove: nameable
                .difference(list.known)
                .iter()
                .filter(|action| schema::redundancy(*action).is_none())
                .map(PolicyAction::Known)
                .collect(),
        }
    }
}

/// A limit the loader reads back as the same TimeSpan. One a policy may not ask for (negative,
/// or longer than the service allows) is left out, so the policy leaves it alone.
fn log_age_limit(limit: TimeSpan) -> Option<LogAgeLimit> {
    LogAgeLimit::try_from(limit).ok()
}

/// The name an `identities` selector picks the mailbox by: its immutable key when the selector
/// matches on it, else its Identity.
pub fn selecting_name(names: &MailboxNames) -> &str {
    let id = names.immutable_id();
    if names.all().any(|name| name == id) {
        id
    } else {
        &names.identity
    }
}

#[cfg(test)]
mod tests;
