//! Reading a plan document back into a [`Plan`], for `show FILE` and `apply FILE`.

use super::*;

impl PlanDocument {
    /// The plan the document describes. What the document derives (summary, `weakens`,
    /// `weakenings`, `reason`) is recomputed from the plan rather than read. Policies come back
    /// with their names only: a document does not record where a policy was written.
    pub fn into_plan(self) -> Result<Plan, DocumentError> {
        if self.organization_changes.len() > 1 {
            return Err(DocumentError::SeveralOrganizationChanges {
                count: self.organization_changes.len(),
            });
        }
        let declared_actions = self
            .declared_actions
            .into_iter()
            .enumerate()
            .map(|(index, declared)| read_declared(declared, &format!("declared_actions[{index}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let mailbox_changes = self
            .mailbox_changes
            .into_iter()
            .enumerate()
            .map(|(index, change)| {
                read_mailbox_change(
                    change,
                    &declared_actions,
                    &format!("mailbox_changes[{index}]"),
                )
            })
            .collect::<Result<_, _>>()?;
        let organization_change =
            self.organization_changes
                .into_iter()
                .next()
                .map(|change| OrganizationChange {
                    audit_disabled: value_change(change.changes.audit_disabled),
                    policies: policy_refs(change.policies),
                });
        let bypass_changes = self
            .bypass_changes
            .into_iter()
            .map(|change| BypassChange {
                subject: Subject::new(
                    &change.id,
                    &change.identity,
                    &change.display_name,
                    change.address.as_deref(),
                ),
                bypass_enabled: value_change(change.changes.audit_bypass_enabled),
                policies: policy_refs(change.policies),
            })
            .collect();
        let skipped = self
            .skipped
            .into_iter()
            .map(|entry| Skipped {
                subject: Subject::new(
                    &entry.id,
                    &entry.identity,
                    &entry.display_name,
                    entry.address.as_deref(),
                ),
                recipient_type: RecipientType::parse(&entry.recipient_type_details),
                reason: match entry.reason_code {
                    ReasonCode::FixedConfiguration => SkipReason::FixedConfiguration,
                    ReasonCode::LicenceRequired => SkipReason::LicenceRequired {
                        actions: entry.actions.unwrap_or_default(),
                    },
                },
                policies: policy_refs(entry.policies),
            })
            .collect();
        Ok(Plan {
            source: self.source,
            mailbox_changes,
            organization_change,
            bypass_changes,
            skipped,
            warnings: self.warnings,
            unchanged: self.summary.unchanged,
            declared_actions,
        })
    }
}

fn read_declared(
    document: DeclaredActionDocument,
    at: &str,
) -> Result<DeclaredAction, DocumentError> {
    let logon_types = logon_set(&document.logon_types, &format!("{at}.logon_types"))?;
    let default_for = logon_set(&document.default_for, &format!("{at}.default_for"))?;
    let support = LogonType::ALL.map(|logon| {
        if default_for.contains(logon) {
            Support::Default
        } else if logon_types.contains(logon) {
            Support::Valid
        } else {
            Support::Rejected
        }
    });
    let declared = DeclaredAction {
        name: document.name.into(),
        support,
        origin: document.declared_at.into(),
    };
    // The declaration passed these checks when the plan was made; a document that fails them
    // was not written by auditform.
    crate::catalog::Catalog::builtin()
        .declare(declared.clone())
        .map_err(|error| DocumentError::InvalidValue {
            at: at.to_string(),
            problem: error.to_string(),
        })?;
    Ok(declared)
}

fn read_mailbox_change(
    document: MailboxChangeDocument,
    declared: &[DeclaredAction],
    at: &str,
) -> Result<MailboxChange, DocumentError> {
    let changes = document.changes;
    let log_age_limit = match changes.audit_log_age_limit {
        None => None,
        Some(change) => {
            let at = format!("{at}.changes.AuditLogAgeLimit");
            Some(Change {
                before: timespan(&change.before, &at)?,
                after: timespan(&change.after, &at)?,
            })
        }
    };
    let default_audit_set = match changes.default_audit_set {
        None => None,
        Some(change) => {
            let at = format!("{at}.changes.DefaultAuditSet");
            Some(Change {
                before: logon_set(&change.before, &at)?,
                after: logon_set(&change.after, &at)?,
            })
        }
    };
    let mut lists: [Option<ListChange>; 3] = [None, None, None];
    for (logon, list) in LogonType::ALL.into_iter().zip([
        changes.audit_admin,
        changes.audit_delegate,
        changes.audit_owner,
    ]) {
        if let Some(list) = list {
            let at = format!("{at}.changes.{}", logon.property());
            lists[logon.index()] = Some(read_list_change(list, declared, &at)?);
        }
    }
    Ok(MailboxChange {
        subject: Subject::new(
            &document.id,
            &document.identity,
            &document.display_name,
            document.address.as_deref(),
        ),
        recipient_type: RecipientType::parse(&document.recipient_type_details),
        policies: policy_refs(document.policies).into(),
        fingerprint: crate::model::Fingerprint::from_text(&document.fingerprint),
        enabled: changes.audit_enabled.map(value_change),
        log_age_limit,
        lists,
        default_audit_set,
        restore_defaults: logon_set(
            &document.restore_default_audit_set,
            &format!("{at}.restore_default_audit_set"),
        )?,
        notes: document.notes.into(),
    })
}

fn read_list_change(
    document: ListChangeDocument,
    declared: &[DeclaredAction],
    at: &str,
) -> Result<ListChange, DocumentError> {
    let mut add = ActionList::default();
    for name in &document.add {
        let known = Action::parse(name).is_some()
            || declared.iter().any(|d| d.name.eq_ignore_ascii_case(name));
        if !known {
            return Err(DocumentError::InvalidValue {
                at: format!("{at}.add"),
                problem: format!(
                    "`{name}` is neither a catalog action nor one the plan declares, so auditform can't add it"
                ),
            });
        }
        add.push_name(name);
    }
    let list = |names: &[String]| ActionList::from_names(names.iter().map(String::as_str));
    Ok(ListChange {
        before: list(&document.before),
        after: list(&document.after),
        add,
        remove: list(&document.remove),
    })
}

fn value_change<T>(change: ValueChange<T>) -> Change<T> {
    Change {
        before: change.before,
        after: change.after,
    }
}

fn timespan(text: &str, at: &str) -> Result<TimeSpan, DocumentError> {
    TimeSpan::parse_dotnet(text).map_err(|error| DocumentError::InvalidValue {
        at: at.to_string(),
        problem: error.to_string(),
    })
}

fn logon_set(names: &[String], at: &str) -> Result<LogonSet, DocumentError> {
    names
        .iter()
        .map(|name| {
            LogonType::parse(name).ok_or_else(|| DocumentError::InvalidValue {
                at: at.to_string(),
                problem: format!("`{name}` is not a logon type; use Admin, Delegate or Owner"),
            })
        })
        .collect()
}

/// A policy as a document names it. The location is not recorded in the document.
fn policy_refs(names: Vec<String>) -> Vec<PolicyRef> {
    names
        .into_iter()
        .map(|name| PolicyRef {
            name: name.into(),
            source: SourceLocation {
                file: "".into(),
                line: 0,
                column: 0,
            },
        })
        .collect()
}
