//! The plan as text, following terraform's conventions so that people and tools recognise it:
//! a legend, `# ... will be updated in-place` headers, `~` / `+` / `-` markers, aligned `=`, and
//! the closing `Plan: 0 to add, N to change, 0 to destroy.` line.
//!
//! Weakening changes are auditform's "destroy": they are listed first, in a warning, and their
//! blocks come before the others. Identical changes over more than a few mailboxes are grouped.

use super::group::{group_changes, ChangeGroup};
use super::label::{printable, quoted_subject};
use super::style::{Palette, Role};
use super::text_blocks::{group_noun, reasons, PlanWriter};
use super::TextOptions;
use crate::english::{counted, thousands};
use crate::plan::{BypassChange, MailboxChange, OrganizationChange, Plan, Skipped, Weakening};
use std::collections::HashMap;
use std::io::{self, Write};

/// Groups larger than this are shown as one line; smaller ones mailbox by mailbox.
const GROUP_THRESHOLD: usize = 3;

const NO_CHANGES: &str = "No changes. Your mailboxes match the policies.";

/// One object in the actions section.
pub(super) enum Item<'a> {
    Organization(&'a OrganizationChange),
    Bypass(&'a BypassChange),
    Mailbox(&'a MailboxChange),
    Group(&'a ChangeGroup<'a>),
}

pub(super) struct Entry<'a> {
    pub(super) item: Item<'a>,
    pub(super) weakenings: Vec<Weakening>,
}

/// Writes the plan as terraform-style text.
pub fn render_text(plan: &Plan, options: &TextOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    let groups = if options.expand {
        Vec::new()
    } else {
        group_changes(&plan.mailbox_changes)
    };
    let entries = entries(plan, &groups, options.expand);
    let mut writer = PlanWriter {
        out: &mut out,
        palette: Palette::new(options.color),
        expand: options.expand,
    };
    if !plan.is_empty() {
        writer.intro(plan)?;
        writer.weakening_warning(plan, &entries)?;
        writer.actions(&entries)?;
    }
    writer.skipped(&plan.skipped)?;
    writer.warnings(&plan.warnings)?;
    writer.summary(plan)?;
    out.flush()
}

/// Every changing object, weakening ones first, each part in plan order.
pub(super) fn entries<'a>(
    plan: &'a Plan,
    groups: &'a [ChangeGroup<'a>],
    expand: bool,
) -> Vec<Entry<'a>> {
    let mut all = Vec::new();
    if let Some(organization) = &plan.organization_change {
        let weakenings = if organization.weakens() {
            vec![Weakening::DisablesOrganizationAuditing]
        } else {
            Vec::new()
        };
        all.push(Entry {
            item: Item::Organization(organization),
            weakenings,
        });
    }
    for bypass in &plan.bypass_changes {
        let weakenings = if bypass.weakens() {
            vec![Weakening::EnablesBypass]
        } else {
            Vec::new()
        };
        all.push(Entry {
            item: Item::Bypass(bypass),
            weakenings,
        });
    }
    if expand {
        for change in &plan.mailbox_changes {
            all.push(Entry {
                item: Item::Mailbox(change),
                weakenings: change.weakenings(),
            });
        }
    } else {
        for group in groups {
            let weakenings = group.weakenings();
            if group.len() > GROUP_THRESHOLD {
                all.push(Entry {
                    item: Item::Group(group),
                    weakenings,
                });
            } else {
                for member in &group.members {
                    all.push(Entry {
                        item: Item::Mailbox(member),
                        weakenings: weakenings.clone(),
                    });
                }
            }
        }
    }
    let (mut weakening, rest): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|entry| !entry.weakenings.is_empty());
    weakening.extend(rest);
    weakening
}

impl PlanWriter<'_> {
    fn intro(&mut self, plan: &Plan) -> io::Result<()> {
        let source = if plan.source.is_empty() {
            "the current state".to_string()
        } else {
            printable(&plan.source).into_owned()
        };
        writeln!(self.out, "auditform compared the policies with {source}.")?;
        writeln!(
            self.out,
            "Resource actions are indicated with the following symbols:"
        )?;
        writeln!(
            self.out,
            "  {} update in-place",
            self.palette.paint(Role::Update, "~")
        )?;
        writeln!(self.out)
    }

    fn weakening_warning(&mut self, plan: &Plan, entries: &[Entry<'_>]) -> io::Result<()> {
        let count = plan.weakening_count();
        if count == 0 {
            return Ok(());
        }
        let loud = Role::Weakening;
        let heading = format!(
            "Warning: {} {} auditing. This is auditform's \"destroy\": review {} before you apply.",
            counted(count, "change", "changes"),
            if count == 1 { "weakens" } else { "weaken" },
            if count == 1 { "it" } else { "them" },
        );
        writeln!(self.out, "{}", self.palette.paint(loud, heading))?;
        for entry in entries.iter().filter(|entry| !entry.weakenings.is_empty()) {
            let what = match entry.item {
                Item::Organization(_) => "organization config".to_string(),
                Item::Bypass(bypass) => format!(
                    "audit bypass association {}",
                    quoted_subject(&bypass.subject)
                ),
                Item::Mailbox(change) => format!("mailbox {}", quoted_subject(&change.subject)),
                Item::Group(group) => group_noun(group),
            };
            let line = format!("  - {what}: {}", reasons(&entry.weakenings));
            writeln!(self.out, "{}", self.palette.paint(loud, line))?;
        }
        writeln!(self.out)
    }

    fn actions(&mut self, entries: &[Entry<'_>]) -> io::Result<()> {
        writeln!(
            self.out,
            "{}",
            self.palette.paint(
                Role::Header,
                "auditform will perform the following actions:"
            )
        )?;
        writeln!(self.out)?;
        for entry in entries {
            self.entry(entry)?;
            writeln!(self.out)?;
        }
        Ok(())
    }

    /// The block of one object.
    pub(super) fn entry(&mut self, entry: &Entry<'_>) -> io::Result<()> {
        match entry.item {
            Item::Organization(change) => self.organization(change, &entry.weakenings),
            Item::Bypass(change) => self.bypass(change, &entry.weakenings),
            Item::Mailbox(change) => self.mailbox(change, &entry.weakenings),
            Item::Group(group) => self.group(group, &entry.weakenings),
        }
    }

    pub(super) fn skipped(&mut self, skipped: &[Skipped]) -> io::Result<()> {
        if skipped.is_empty() {
            return Ok(());
        }
        let heading = format!(
            "Skipped: a policy selects {}, but auditform can't do what it asks of {}:",
            counted(skipped.len(), "mailbox", "mailboxes"),
            if skipped.len() == 1 { "it" } else { "them" },
        );
        writeln!(self.out, "{}", self.palette.paint(Role::Header, heading))?;
        let mut index_of: HashMap<&crate::plan::SkipReason, usize> = HashMap::new();
        let mut by_reason: Vec<Vec<&Skipped>> = Vec::new();
        for entry in skipped {
            let next = by_reason.len();
            let index = *index_of.entry(&entry.reason).or_insert(next);
            if index == next {
                by_reason.push(Vec::new());
            }
            by_reason[index].push(entry);
        }
        for members in by_reason {
            if self.expand || members.len() <= GROUP_THRESHOLD {
                for entry in members {
                    let line = format!(
                        "  # mailbox {}: {}",
                        quoted_subject(&entry.subject),
                        printable(&entry.reason.to_string())
                    );
                    writeln!(self.out, "{}", self.palette.paint(Role::Quiet, line))?;
                }
            } else {
                let line = format!(
                    "  # {}: {}",
                    counted(members.len(), "mailbox", "mailboxes"),
                    printable(&members[0].reason.to_string())
                );
                writeln!(self.out, "{}", self.palette.paint(Role::Quiet, line))?;
                let total = members.len();
                self.names(members.iter().map(|entry| &entry.subject), total)?;
            }
        }
        writeln!(self.out)
    }

    /// Warnings in plan order; a warning repeated word for word is shown once, with a count.
    pub(super) fn warnings(&mut self, warnings: &[String]) -> io::Result<()> {
        if warnings.is_empty() {
            return Ok(());
        }
        let mut index_of: HashMap<&str, usize> = HashMap::new();
        let mut distinct: Vec<(&str, usize)> = Vec::new();
        for warning in warnings {
            let next = distinct.len();
            let index = *index_of.entry(warning.as_str()).or_insert(next);
            if index == next {
                distinct.push((warning, 0));
            }
            distinct[index].1 += 1;
        }
        for (warning, times) in distinct {
            let repeated = if times > 1 {
                format!(" ({} times)", thousands(times))
            } else {
                String::new()
            };
            writeln!(
                self.out,
                "{} {}{repeated}",
                self.palette.paint(Role::Warning, "Warning:"),
                printable(warning)
            )?;
        }
        writeln!(self.out)
    }

    pub(super) fn summary(&mut self, plan: &Plan) -> io::Result<()> {
        if plan.is_empty() {
            return writeln!(self.out, "{}", self.palette.paint(Role::Header, NO_CHANGES));
        }
        let line = format!(
            "Plan: 0 to add, {} to change, 0 to destroy.",
            plan.to_change()
        );
        writeln!(self.out, "{}", self.palette.paint(Role::Header, line))
    }
}

#[cfg(test)]
mod tests;
