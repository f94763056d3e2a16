//! Carries a plan out against a [`StateSink`]: refuses a stale plan, applies, then reads the
//! planned objects again and verifies that every change holds. The caller holds the target's
//! lock for the whole run.
//!
//! Nothing here prints: the report is data, and [`ApplyReport::render`] writes its summary.

use crate::inert::Inert;
use crate::model::{ActionList, AuditSettings, LogonType};
use crate::plan::{MailboxChange, Plan};
use crate::state::{CurrentObjects, ObjectOutcome, ObjectRef, ObjectResult, SinkError, StateSink};
use std::collections::HashMap;
use std::io::{self, BufRead, Write};

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Objects the plan was made from have changed since; nothing was applied.
    #[error("Saved plan is stale: {} planned object{} changed since the plan was made", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    Stale(Vec<StaleObject>),
    #[error(transparent)]
    Sink(#[from] SinkError),
}

/// A planned object whose state is no longer what the plan was made from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaleObject {
    pub object: ObjectRef,
    pub reason: String,
}

impl std::fmt::Display for StaleObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.object {
            // The id is always shown, since it is what a person looks the object up by; an
            // object without an address already shows it.
            ObjectRef::Mailbox {
                id,
                address: Some(_),
                ..
            }
            | ObjectRef::Bypass {
                id,
                address: Some(_),
                ..
            } => write!(f, "{} ({id}): {}", self.object, self.reason),
            _ => write!(f, "{}: {}", self.object, self.reason),
        }
    }
}

/// The planned objects whose current state differs from the state the plan was made from:
/// mailboxes by fingerprint, the organization and bypass associations by their `before`.
/// Objects the plan does not touch are never looked at.
pub fn stale_objects(plan: &Plan, current: &CurrentObjects) -> Vec<StaleObject> {
    let mut stale = Vec::new();
    for change in &plan.mailbox_changes {
        let reason = match current.mailboxes.get(change.subject.id()) {
            None => "it is no longer in the tenant",
            Some(mailbox) if mailbox.audit.fingerprint() != change.fingerprint => {
                "its audit settings changed"
            }
            Some(_) => continue,
        };
        stale.push(StaleObject {
            object: ObjectRef::mailbox(&change.subject),
            reason: reason.into(),
        });
    }
    if let Some(change) = &plan.organization_change {
        let now = current.organization.as_ref().map(|o| o.audit_disabled);
        if now != Some(change.audit_disabled.before) {
            stale.push(StaleObject {
                object: ObjectRef::Organization,
                reason: "AuditDisabled changed".into(),
            });
        }
    }
    for change in &plan.bypass_changes {
        let now = current
            .bypass
            .get(change.subject.id())
            .map(|b| b.bypass_enabled);
        if now != Some(change.bypass_enabled.before) {
            stale.push(StaleObject {
                object: ObjectRef::bypass(&change.subject),
                reason: "AuditBypassEnabled changed".into(),
            });
        }
    }
    stale
}

/// How one planned object ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Updated,
    Failed {
        message: String,
    },
    /// The target accepted the change, but reading it again shows it did not take.
    DidNotHold {
        reasons: Vec<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectReport {
    pub object: ObjectRef,
    pub status: Status,
    /// What the target warned about the object, shown under its line.
    pub warnings: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplyReport {
    pub objects: Vec<ObjectReport>,
}

impl ApplyReport {
    pub fn changed(&self) -> usize {
        self.objects
            .iter()
            .filter(|o| o.status == Status::Updated)
            .count()
    }

    pub fn failed(&self) -> usize {
        self.objects.len() - self.changed()
    }

    pub fn succeeded(&self) -> bool {
        self.failed() == 0
    }

    /// The per-object summary and the closing line, terraform-style. Names come from the
    /// tenant and failures from the service, so both are written inert.
    pub fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        for report in &self.objects {
            let object = report.object.to_string();
            let object = Inert(&object);
            match &report.status {
                Status::Updated => writeln!(out, "{object}: updated")?,
                Status::Failed { message } => {
                    writeln!(out, "{object}: failed: {}", Inert(message))?
                }
                Status::DidNotHold { reasons } => writeln!(
                    out,
                    "{object}: did not hold: {}",
                    Inert(&reasons.join("; "))
                )?,
            }
            for warning in &report.warnings {
                writeln!(out, "  warning: {warning}")?;
            }
        }
        writeln!(out)?;
        if self.succeeded() {
            writeln!(
                out,
                "Apply complete! Resources: 0 added, {} changed, 0 destroyed.",
                self.changed()
            )
        } else {
            writeln!(
                out,
                "Apply failed: {} of {} changes failed.",
                self.failed(),
                self.objects.len()
            )
        }
    }
}

/// Applies `plan` through `sink`: refuses with [`ApplyError::Stale`] before changing anything
/// when a planned object changed since planning, then applies and verifies each change.
pub fn apply_plan(
    plan: &Plan,
    sink: &mut dyn StateSink,
    progress: &mut dyn FnMut(&ObjectOutcome),
) -> Result<ApplyReport, ApplyError> {
    let before = sink.read_planned(plan)?;
    let stale = stale_objects(plan, &before);
    if !stale.is_empty() {
        return Err(ApplyError::Stale(stale));
    }
    apply_just_planned(plan, sink, progress)
}

/// Applies and verifies a plan made a moment ago from this same sink's state, with nobody
/// waiting in between, so that reading everything again to look for staleness would only
/// read what the plan was just made from. A saved plan, or one a person took time to approve,
/// goes through [`apply_plan`].
pub fn apply_just_planned(
    plan: &Plan,
    sink: &mut dyn StateSink,
    progress: &mut dyn FnMut(&ObjectOutcome),
) -> Result<ApplyReport, ApplyError> {
    let (outcomes, after) = sink.apply_and_read_back(plan, progress)?;
    let planned = PlannedChanges::of(plan);
    let objects = outcomes
        .into_iter()
        .map(|outcome| {
            let status = match outcome.result {
                ObjectResult::Failed { message } => Status::Failed { message },
                ObjectResult::Changed => {
                    let reasons = planned.unheld(&outcome.object, &after);
                    if reasons.is_empty() {
                        Status::Updated
                    } else {
                        Status::DidNotHold { reasons }
                    }
                }
            };
            ObjectReport {
                object: outcome.object,
                status,
                warnings: outcome.warnings,
            }
        })
        .collect();
    Ok(ApplyReport { objects })
}

/// A plan's changes by object id, so that verifying each outcome is a lookup.
struct PlannedChanges<'p> {
    plan: &'p Plan,
    mailboxes: HashMap<&'p str, &'p MailboxChange>,
    /// The AuditBypassEnabled each association should have.
    bypass: HashMap<&'p str, bool>,
}

impl<'p> PlannedChanges<'p> {
    fn of(plan: &'p Plan) -> Self {
        PlannedChanges {
            plan,
            mailboxes: plan
                .mailbox_changes
                .iter()
                .map(|change| (change.subject.id(), change))
                .collect(),
            bypass: plan
                .bypass_changes
                .iter()
                .map(|change| (change.subject.id(), change.bypass_enabled.after))
                .collect(),
        }
    }

    /// What of the planned change to `object` the re-read state does not show.
    fn unheld(&self, object: &ObjectRef, after: &CurrentObjects) -> Vec<String> {
        match object {
            ObjectRef::Mailbox { id, .. } => {
                let Some(change) = self.mailboxes.get(id.as_str()) else {
                    return Vec::new();
                };
                match after.mailboxes.get(id) {
                    Some(mailbox) => mailbox_unheld(change, &mailbox.audit),
                    None => vec!["the mailbox is gone".into()],
                }
            }
            ObjectRef::Organization => {
                let (Some(change), Some(now)) =
                    (&self.plan.organization_change, &after.organization)
                else {
                    return vec!["the organization could not be read".into()];
                };
                let wanted = change.audit_disabled.after;
                if now.audit_disabled == wanted {
                    Vec::new()
                } else {
                    vec![format!(
                        "AuditDisabled is {}, not {wanted}",
                        now.audit_disabled
                    )]
                }
            }
            ObjectRef::Bypass { id, .. } => {
                match (self.bypass.get(id.as_str()), after.bypass.get(id)) {
                    (Some(&wanted), Some(now)) if now.bypass_enabled != wanted => vec![format!(
                        "AuditBypassEnabled is {}, not {wanted}",
                        now.bypass_enabled
                    )],
                    (Some(_), None) => vec!["the bypass association is gone".into()],
                    _ => Vec::new(),
                }
            }
        }
    }
}

/// Compares the settings read after apply with every `after` of the change: scalars by value,
/// lists as sets, DefaultAuditSet by its members.
pub fn mailbox_unheld(change: &MailboxChange, now: &AuditSettings) -> Vec<String> {
    let mut reasons = Vec::new();
    if let Some(enabled) = &change.enabled {
        if now.enabled != enabled.after {
            reasons.push(format!(
                "AuditEnabled is {}, not {}",
                now.enabled, enabled.after
            ));
        }
    }
    if let Some(limit) = &change.log_age_limit {
        if now.log_age_limit != limit.after {
            reasons.push(format!(
                "AuditLogAgeLimit is {}, not {}",
                now.log_age_limit, limit.after
            ));
        }
    }
    for logon in LogonType::ALL {
        if let Some(list) = change.list(logon) {
            reasons.extend(list_unheld(logon, &list.after, now.list(logon)));
        }
    }
    if let Some(set) = &change.default_audit_set {
        if now.default_audit_set != set.after {
            reasons.push(format!(
                "DefaultAuditSet is {}, not {}",
                names_or_none(now.default_audit_set.names()),
                names_or_none(set.after.names())
            ));
        }
    }
    reasons
}

fn list_unheld(logon: LogonType, wanted: &ActionList, now: &ActionList) -> Vec<String> {
    let contains =
        |list: &ActionList, name: &str| list.names().iter().any(|n| n.eq_ignore_ascii_case(name));
    let missing: Vec<&str> = wanted
        .names()
        .into_iter()
        .filter(|name| !contains(now, name))
        .collect();
    let extra: Vec<&str> = now
        .names()
        .into_iter()
        .filter(|name| !contains(wanted, name))
        .collect();
    let mut reasons = Vec::new();
    if !missing.is_empty() {
        reasons.push(format!(
            "{} still lacks {}",
            logon.property(),
            missing.join(", ")
        ));
    }
    if !extra.is_empty() {
        reasons.push(format!(
            "{} still has {}",
            logon.property(),
            extra.join(", ")
        ));
    }
    reasons
}

fn names_or_none(names: Vec<&str>) -> String {
    if names.is_empty() {
        "None".into()
    } else {
        names.join(", ")
    }
}

/// terraform's confirmation: explains that only `yes` is accepted and reads one line.
pub fn confirm(input: &mut dyn BufRead, output: &mut dyn Write) -> io::Result<bool> {
    writeln!(output, "Do you want to perform these actions?")?;
    writeln!(
        output,
        "  auditform will perform the actions described above."
    )?;
    writeln!(output, "  Only 'yes' will be accepted to approve.")?;
    writeln!(output)?;
    write!(output, "  Enter a value: ")?;
    output.flush()?;
    let mut answer = String::new();
    input.read_line(&mut answer)?;
    writeln!(output)?;
    Ok(answer.trim_end_matches(['\r', '\n']) == "yes")
}

#[cfg(test)]
mod tests;
