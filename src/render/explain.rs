//! `explain MAILBOX` as text: the mailbox and its settings, every policy that selects it and
//! why, every verdict and which won, DefaultAuditSet membership, and the change `plan` makes,
//! written as `plan` writes it. Every name that comes from the tenant or a policy file is made
//! printable first.

mod json;
mod policy;
mod selection;

pub use json::{render_explanation_json, render_policy_report_json};
pub use policy::render_policy_report;

use super::label::{printable, quoted_subject};
use super::style::{Palette, Role};
use super::text_blocks::PlanWriter;
use super::TextOptions;
use crate::catalog::LicenceTier;
use crate::english::counted;
use crate::explain::{
    ActionVerdicts, Decision, MailboxExplanation, MembershipReason, Outcome, Resolution, Selection,
};
use crate::model::{ActionList, AuditSettings, LogonType};
use crate::plan::Conflict;
use crate::policy::resolve::Verdict;
use crate::policy::PolicyRef;
use std::io::{self, Write};

/// Writes the explanation of one mailbox. `all` also shows why each policy that does not
/// select it does not.
pub fn render_explanation(
    explanation: &MailboxExplanation,
    all: bool,
    options: &TextOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    let palette = Palette::new(options.color);
    let mut writer = ExplainWriter {
        out: &mut out,
        palette,
    };
    writer.mailbox(explanation)?;
    writer.selections(explanation, all)?;
    if let Some(resolution) = &explanation.resolution {
        let fixed = explanation.recipient_type.is_fixed_configuration();
        writer.verdicts(resolution, fixed)?;
    }
    writer.default_audit_set(explanation)?;
    writer.plan(explanation, options)?;
    out.flush()
}

pub(super) struct ExplainWriter<'w> {
    pub(super) out: &'w mut dyn Write,
    pub(super) palette: Palette,
}

/// `name (file:line:column), priority N`.
pub(super) fn policy_label(policy: &PolicyRef, priority: i64) -> String {
    format!(
        "{} ({}), priority {priority}",
        printable(&policy.name),
        printable(&policy.source.to_string())
    )
}

pub(super) fn licence_name(licence: LicenceTier) -> &'static str {
    match licence {
        LicenceTier::E5 => "E5 (Audit Premium)",
        LicenceTier::NonE5 => "nonE5",
    }
}

impl ExplainWriter<'_> {
    pub(super) fn heading(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.out, "{}", self.palette.paint(Role::Header, text))
    }

    fn mailbox(&mut self, explanation: &MailboxExplanation) -> io::Result<()> {
        let heading = format!("Mailbox {}", quoted_subject(&explanation.subject));
        self.heading(&heading)?;
        let current = &explanation.current;
        let mut lines = vec![
            ("Id", printable(explanation.subject.id()).into_owned()),
            (
                "RecipientTypeDetails",
                printable(explanation.recipient_type.name()).into_owned(),
            ),
            ("Licence", licence_name(explanation.licence).to_string()),
        ];
        lines.extend(settings_lines(current));
        fields(self.out, "  ", &lines)?;
        writeln!(self.out)
    }

    fn selections(&mut self, explanation: &MailboxExplanation, all: bool) -> io::Result<()> {
        let total = explanation.selections.len();
        let (selecting, others): (Vec<_>, Vec<_>) = explanation
            .selections
            .iter()
            .partition(|selection| selection.selected);
        let heading = format!(
            "Selected by {} of {}:",
            selecting.len(),
            counted(total, "mailbox policy", "mailbox policies")
        );
        self.heading(&heading)?;
        if selecting.is_empty() {
            writeln!(self.out, "  (none)")?;
        }
        self.policies_with_selectors(&selecting)?;
        writeln!(self.out)?;
        // A policy whose exclude spares the mailbox is shown always: its conditions held, and
        // the exclude is usually the answer to "why not this one?".
        let (spared, others): (Vec<_>, Vec<_>) = others
            .into_iter()
            .partition(|selection| selection.trace.conditions_held() && selection.trace.excluded());
        if !spared.is_empty() {
            let heading = format!(
                "Spared by the exclude of {}:",
                counted(spared.len(), "mailbox policy", "mailbox policies")
            );
            self.heading(&heading)?;
            self.policies_with_selectors(&spared)?;
            writeln!(self.out)?;
        }
        if others.is_empty() {
            return Ok(());
        }
        let noun = counted(
            others.len(),
            "other mailbox policy",
            "other mailbox policies",
        );
        if !all {
            self.heading(&format!(
                "Not selected by {noun} (run with --all to see why)."
            ))?;
            return writeln!(self.out);
        }
        self.heading(&format!("Not selected by {noun}:"))?;
        self.policies_with_selectors(&others)?;
        writeln!(self.out)
    }

    /// Each policy, then how its selector read the mailbox.
    fn policies_with_selectors(&mut self, selections: &[&Selection]) -> io::Result<()> {
        for selection in selections {
            writeln!(
                self.out,
                "  {}",
                policy_label(&selection.policy, selection.priority)
            )?;
            self.selector(&selection.trace, "    ")?;
        }
        Ok(())
    }

    /// One scalar's verdict, if a policy sets it.
    fn scalar_verdict(&mut self, resolution: &Resolution, property: &str) -> io::Result<bool> {
        let Some(scalar) = resolution.scalars.iter().find(|s| s.property == property) else {
            return Ok(false);
        };
        match scalar.winning_vote() {
            Some((policy, priority, value)) => {
                writeln!(self.out, "  {property} = {}", printable(value))?;
                let from = policy_label(resolution.policy(*policy), *priority);
                writeln!(self.out, "      from {from}")?;
                for (policy, priority, value) in scalar.overridden() {
                    let label = policy_label(resolution.policy(*policy), *priority);
                    writeln!(
                        self.out,
                        "      overrides {} from {label}",
                        printable(value)
                    )?;
                }
            }
            None => {
                let line = format!(
                    "  {property}: the policies of the highest priority disagree (a conflict)"
                );
                writeln!(self.out, "{}", self.palette.paint(Role::Weakening, line))?;
                for (policy, priority, value) in &scalar.votes {
                    let label = policy_label(resolution.policy(*policy), *priority);
                    writeln!(self.out, "      {} from {label}", printable(value))?;
                }
            }
        }
        Ok(true)
    }

    /// A group mailbox's verdicts: AuditLogAgeLimit, and why nothing else is resolved.
    fn fixed_verdicts(&mut self, resolution: &Resolution) -> io::Result<()> {
        if !self.scalar_verdict(resolution, "AuditLogAgeLimit")? {
            writeln!(
                self.out,
                "  AuditLogAgeLimit: no policy that selects the mailbox sets it; it stays as it is."
            )?;
        }
        writeln!(
            self.out,
            "  AuditEnabled, AuditAdmin, AuditDelegate, AuditOwner: fixed by the service on a Microsoft 365 Group mailbox, so not resolved; what policies ask of them is skipped."
        )?;
        writeln!(self.out)
    }

    /// The verdicts; of a Microsoft 365 Group mailbox (`fixed`) only AuditLogAgeLimit is
    /// resolved, since the service fixes the rest (DESIGN §1.2).
    fn verdicts(&mut self, resolution: &Resolution, fixed: bool) -> io::Result<()> {
        self.heading("Verdicts (for each action the highest priority wins):")?;
        if fixed {
            return self.fixed_verdicts(resolution);
        }
        let mut silent: Vec<&str> = Vec::new();
        for property in ["AuditEnabled", "AuditLogAgeLimit"] {
            if !self.scalar_verdict(resolution, property)? {
                silent.push(property);
            }
        }
        for logon in LogonType::ALL {
            let actions = &resolution.lists[logon.index()];
            if actions.is_empty() {
                silent.push(logon.property());
                continue;
            }
            writeln!(self.out, "  {}:", logon.property())?;
            for group in group_verdicts(actions) {
                self.verdict_group(resolution, &group)?;
            }
            if resolution.managed_defaults[logon.index()] {
                writeln!(
                    self.out,
                    "      (a `default` won every verdict: the list is Microsoft's managed defaults)"
                )?;
            } else {
                writeln!(self.out, "      (every other action is left as it is)")?;
            }
        }
        if !silent.is_empty() {
            writeln!(
                self.out,
                "  {}: no policy that selects the mailbox sets {}; {} as {}.",
                silent.join(", "),
                if silent.len() == 1 { "it" } else { "them" },
                if silent.len() == 1 {
                    "it stays"
                } else {
                    "they stay"
                },
                if silent.len() == 1 {
                    "it is"
                } else {
                    "they are"
                },
            )?;
        }
        writeln!(self.out)
    }

    /// Actions decided alike, on one line, with where the decision came from.
    fn verdict_group(
        &mut self,
        resolution: &Resolution,
        group: &[&ActionVerdicts],
    ) -> io::Result<()> {
        let names: Vec<&str> = group.iter().map(|action| action.name()).collect();
        let first = group[0];
        match first.decision {
            Decision::Won { verdict, .. } => {
                let (word, role) = match verdict {
                    Verdict::Require => ("require", Role::Add),
                    Verdict::Forbid => ("forbid ", Role::Remove),
                };
                writeln!(
                    self.out,
                    "    {} {}",
                    self.palette.paint(role, word),
                    names.join(", ")
                )?;
                if let Some(winner) = first.winner() {
                    writeln!(
                        self.out,
                        "      from {}, by `{}`",
                        policy_label(resolution.policy(winner.policy), winner.priority),
                        winner.said_by
                    )?;
                }
                for vote in first.seconded() {
                    writeln!(
                        self.out,
                        "      also {}, by `{}`",
                        policy_label(resolution.policy(vote.policy), vote.priority),
                        vote.said_by
                    )?;
                }
                for vote in first.overridden() {
                    writeln!(
                        self.out,
                        "      overrides {} from {}, by `{}`",
                        verdict_word(vote.verdict),
                        policy_label(resolution.policy(vote.policy), vote.priority),
                        vote.said_by
                    )?;
                }
            }
            Decision::Disputed { .. } => {
                let line = format!(
                    "    CONFLICT {}: the policies of the highest priority disagree",
                    names.join(", ")
                );
                writeln!(self.out, "{}", self.palette.paint(Role::Weakening, line))?;
                for vote in &first.votes {
                    writeln!(
                        self.out,
                        "      {} {}, by `{}`",
                        verdict_word(vote.verdict),
                        policy_label(resolution.policy(vote.policy), vote.priority),
                        vote.said_by
                    )?;
                }
            }
        }
        Ok(())
    }

    fn default_audit_set(&mut self, explanation: &MailboxExplanation) -> io::Result<()> {
        self.heading("DefaultAuditSet:")?;
        for membership in &explanation.default_audit_set {
            let logon = membership.logon;
            let state = match (membership.before, membership.after) {
                (true, true) => "stays in",
                (false, false) => "stays out",
                (true, false) => "leaves",
                (false, true) => "rejoins",
            };
            let why = match membership.reason {
                MembershipReason::NotPlanned => {
                    "the plan changes nothing on this mailbox".to_string()
                }
                MembershipReason::Unspoken => format!(
                    "no policy that selects the mailbox speaks to {}",
                    logon.property()
                ),
                MembershipReason::ManagedDefaults { policy, restored } => {
                    let name = explanation
                        .resolution
                        .as_ref()
                        .and_then(|r| r.policies.get(policy))
                        .map_or_else(String::new, |(p, _)| printable(&p.name).into_owned());
                    if restored {
                        format!("`{name}` asks for Microsoft's managed defaults, which Set-Mailbox -DefaultAuditSet {logon} restores")
                    } else {
                        format!("`{name}` asks for Microsoft's managed defaults, and the list already has them")
                    }
                }
                MembershipReason::ListChanges => format!(
                    "{} changes, and the service takes a logon type whose list is changed out of DefaultAuditSet",
                    logon.property()
                ),
                MembershipReason::ListMeetsVerdicts => format!(
                    "{} already meets its verdicts, so nothing is sent",
                    logon.property()
                ),
            };
            writeln!(self.out, "  {:<9} {state:<9} {why}", format!("{logon}:"))?;
        }
        writeln!(self.out)
    }

    fn plan(&mut self, explanation: &MailboxExplanation, options: &TextOptions) -> io::Result<()> {
        self.heading("Plan:")?;
        match &explanation.outcome {
            Outcome::NotSelected => {
                writeln!(
                    self.out,
                    "  No policy selects this mailbox; plan leaves it alone."
                )
            }
            Outcome::Unchanged => {
                writeln!(self.out, "  No changes. This mailbox matches its policies.")
            }
            Outcome::Change(change) => {
                let mut writer = PlanWriter {
                    out: &mut *self.out,
                    palette: Palette::new(options.color),
                    expand: true,
                };
                writer.mailbox(change, &change.weakenings())
            }
            Outcome::Skipped(skipped) => {
                let line = format!("  Skipped: {}", printable(&skipped.reason.to_string()));
                writeln!(self.out, "{}", self.palette.paint(Role::Quiet, line))
            }
            Outcome::Conflict(conflicts) => {
                let line = format!(
                    "  Error: {} {} the plan:",
                    counted(conflicts.len(), "policy conflict", "policy conflicts"),
                    if conflicts.len() == 1 {
                        "stops"
                    } else {
                        "stop"
                    }
                );
                writeln!(self.out, "{}", self.palette.paint(Role::Weakening, line))?;
                for conflict in conflicts {
                    for line in inert(conflict).to_string().lines() {
                        writeln!(self.out, "  {line}")?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// A conflict whose names from the tenant and the file system are made printable, so that its
/// lines are only its own.
pub(super) fn inert(conflict: &Conflict) -> Conflict {
    let mut conflict = conflict.clone();
    for policy in [&mut conflict.first, &mut conflict.second] {
        policy.name = printable(&policy.name).into();
        policy.source.file = printable(&policy.source.file).into();
    }
    for example in &mut conflict.examples {
        *example = printable(example).into_owned();
    }
    conflict
}

fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Require => "require",
        Verdict::Forbid => "forbid",
    }
}

/// Actions whose decision reads the same (verdict, winner, and every other vote), together,
/// in catalog order of their first action.
fn group_verdicts(actions: &[ActionVerdicts]) -> Vec<Vec<&ActionVerdicts>> {
    let mut groups: Vec<Vec<&ActionVerdicts>> = Vec::new();
    for action in actions {
        let same = |other: &&ActionVerdicts| {
            other.decision == action.decision
                && other.votes == action.votes
                && other.is_one_action() == action.is_one_action()
        };
        match groups.iter_mut().find(|group| same(&group[0])) {
            Some(group) => group.push(action),
            None => groups.push(vec![action]),
        }
    }
    groups
}

/// The audit settings as `Get-Mailbox | Format-List Audit*` shows them.
fn settings_lines(settings: &AuditSettings) -> Vec<(&'static str, String)> {
    let mut lines = vec![
        (
            "AuditEnabled",
            if settings.enabled { "True" } else { "False" }.to_string(),
        ),
        ("AuditLogAgeLimit", settings.log_age_limit.to_string()),
    ];
    for logon in LogonType::ALL {
        lines.push((logon.property(), action_list(settings.list(logon))));
    }
    lines.push((
        "DefaultAuditSet",
        format!("{{{}}}", settings.default_audit_set.names().join(", ")),
    ));
    lines
}

fn action_list(list: &ActionList) -> String {
    let names: Vec<String> = list
        .names()
        .into_iter()
        .map(|name| printable(name).into_owned())
        .collect();
    format!("{{{}}}", names.join(", "))
}

/// `Name : value` lines with the colons aligned.
pub(super) fn fields(
    out: &mut dyn Write,
    indent: &str,
    fields: &[(&str, String)],
) -> io::Result<()> {
    let width = fields.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, value) in fields {
        writeln!(out, "{indent}{name:<width$} : {value}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
