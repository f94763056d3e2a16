//! The plan as text, following terraform's conventions so that people and tools recognise it:
//! a legend, `# ... will be updated in-place` headers, `~` / `+` / `-` markers, aligned `=`, and
//! the closing `Plan: 0 to add, N to change, 0 to destroy.` line.
//!
//! Weakening changes are auditform's "destroy": they are listed first, in a warning, and their
//! blocks come before the others. Identical changes over more than a few mailboxes are grouped.

use super::group::{group_changes, ChangeGroup};
use super::label::{plain_subject, printable, quoted, quoted_subject};
use super::style::{counted, thousands, Palette, Role};
use super::TextOptions;
use crate::model::{ActionList, LogonSet, LogonType};
use crate::plan::{
    BypassChange, Change, ListChange, MailboxChange, OrganizationChange, Plan, Skipped, Weakening,
};
use crate::policy::PolicyRef;
use std::collections::HashMap;
use std::io::{self, Write};

/// Groups larger than this are shown as one line; smaller ones mailbox by mailbox.
const GROUP_THRESHOLD: usize = 3;
/// How many names a group shows before `... and N more`.
const NAMES_SHOWN: usize = 5;

const NO_CHANGES: &str = "No changes. Your mailboxes match the policies.";

/// One object in the actions section.
enum Item<'a> {
    Organization(&'a OrganizationChange),
    Bypass(&'a BypassChange),
    Mailbox(&'a MailboxChange),
    Group(&'a ChangeGroup<'a>),
}

struct Entry<'a> {
    item: Item<'a>,
    weakenings: Vec<Weakening>,
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
fn entries<'a>(plan: &'a Plan, groups: &'a [ChangeGroup<'a>], expand: bool) -> Vec<Entry<'a>> {
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

struct PlanWriter<'w> {
    out: &'w mut dyn Write,
    palette: Palette,
    expand: bool,
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
            match entry.item {
                Item::Organization(change) => self.organization(change, &entry.weakenings)?,
                Item::Bypass(change) => self.bypass(change, &entry.weakenings)?,
                Item::Mailbox(change) => self.mailbox(change, &entry.weakenings)?,
                Item::Group(group) => self.group(group, &entry.weakenings)?,
            }
            writeln!(self.out)?;
        }
        Ok(())
    }

    /// The `# ... will be updated in-place` line, and the weakening beneath it.
    fn header(&mut self, what: &str, weakenings: &[Weakening]) -> io::Result<()> {
        self.header_line(format!("  # {what} will be updated in-place"), weakenings)
    }

    fn header_line(&mut self, header: String, weakenings: &[Weakening]) -> io::Result<()> {
        writeln!(self.out, "{}", self.palette.paint(Role::Header, header))?;
        if !weakenings.is_empty() {
            let line = format!("  # WEAKENS auditing: {}", reasons(weakenings));
            writeln!(self.out, "{}", self.palette.paint(Role::Weakening, line))?;
        }
        Ok(())
    }

    fn open_block(&mut self, kind: &str, id: &str) -> io::Result<()> {
        writeln!(
            self.out,
            "  {} {kind} {} {{",
            self.palette.paint(Role::Update, "~"),
            quoted(id)
        )
    }

    fn close_block(&mut self) -> io::Result<()> {
        writeln!(self.out, "    }}")
    }

    fn scalar<T: std::fmt::Display>(
        &mut self,
        name: &str,
        width: usize,
        change: &Change<T>,
    ) -> io::Result<()> {
        writeln!(
            self.out,
            "      {} {name:<width$} = {} -> {}",
            self.palette.paint(Role::Update, "~"),
            change.before,
            change.after,
        )
    }

    fn comment(&mut self, indent: &str, text: &str) -> io::Result<()> {
        writeln!(
            self.out,
            "{indent}{}",
            self.palette.paint(Role::Quiet, format!("# {text}"))
        )
    }

    fn policies(&mut self, indent: &str, policies: &[&PolicyRef]) -> io::Result<()> {
        if policies.is_empty() {
            return Ok(());
        }
        let names: Vec<String> = policies
            .iter()
            .map(|policy| printable(&policy.name).into_owned())
            .collect();
        self.comment(indent, &format!("policies: {}", names.join(", ")))
    }

    fn organization(
        &mut self,
        change: &OrganizationChange,
        weakenings: &[Weakening],
    ) -> io::Result<()> {
        self.header("organization config", weakenings)?;
        writeln!(
            self.out,
            "  {} organization config {{",
            self.palette.paint(Role::Update, "~")
        )?;
        let width = "AuditDisabled".len();
        self.scalar("AuditDisabled", width, &change.audit_disabled)?;
        let policies: Vec<&PolicyRef> = change.policies.iter().collect();
        self.policies("        ", &policies)?;
        self.close_block()
    }

    fn bypass(&mut self, change: &BypassChange, weakenings: &[Weakening]) -> io::Result<()> {
        let what = format!(
            "audit bypass association {}",
            quoted_subject(&change.subject)
        );
        self.header(&what, weakenings)?;
        self.open_block("audit bypass association", &change.subject.id)?;
        let width = "AuditBypassEnabled".len();
        self.scalar("AuditBypassEnabled", width, &change.bypass_enabled)?;
        let policies: Vec<&PolicyRef> = change.policies.iter().collect();
        self.policies("        ", &policies)?;
        self.close_block()
    }

    fn mailbox(&mut self, change: &MailboxChange, weakenings: &[Weakening]) -> io::Result<()> {
        let what = format!("mailbox {}", quoted_subject(&change.subject));
        self.header(&what, weakenings)?;
        self.open_block("mailbox", &change.subject.id)?;
        let width = property_width(change);
        writeln!(
            self.out,
            "        {:<width$} = {}",
            "RecipientTypeDetails",
            printable(change.recipient_type.name())
        )?;
        if let Some(enabled) = &change.enabled {
            self.scalar("AuditEnabled", width, enabled)?;
        }
        if let Some(limit) = &change.log_age_limit {
            let shown = Change {
                before: quoted(&limit.before.to_string()),
                after: quoted(&limit.after.to_string()),
            };
            self.scalar("AuditLogAgeLimit", width, &shown)?;
        }
        for logon in LogonType::ALL {
            if let Some(list) = change.list(logon) {
                let restored = change.restore_defaults.contains(logon);
                self.list(logon, width, list, restored)?;
            }
        }
        if let Some(set) = &change.default_audit_set {
            let shown = Change {
                before: logon_set(set.before),
                after: logon_set(set.after),
            };
            self.scalar("DefaultAuditSet", width, &shown)?;
        }
        for comment in side_effects(change) {
            self.comment("        ", &comment)?;
        }
        for note in &change.notes {
            self.comment("        ", &format!("note: {}", printable(note)))?;
        }
        let policies: Vec<&PolicyRef> = change.policies.iter().collect();
        self.policies("        ", &policies)?;
        self.close_block()
    }

    fn list(
        &mut self,
        logon: LogonType,
        width: usize,
        list: &ListChange,
        restored: bool,
    ) -> io::Result<()> {
        writeln!(
            self.out,
            "      {} {:<width$} = [",
            self.palette.paint(Role::Update, "~"),
            logon.property()
        )?;
        if restored {
            self.comment(
                "          ",
                &format!(
                    "restored to Microsoft's managed defaults (Set-Mailbox -DefaultAuditSet {logon})"
                ),
            )?;
        }
        for name in list.add.names() {
            writeln!(
                self.out,
                "          {} {name},",
                self.palette.paint(Role::Add, "+")
            )?;
        }
        for name in list.remove.names() {
            writeln!(
                self.out,
                "          {} {},",
                self.palette.paint(Role::Remove, "-"),
                printable(name)
            )?;
        }
        let unchanged = unchanged_count(list);
        if unchanged > 0 {
            let hidden = format!(
                "({} hidden)",
                counted(unchanged, "unchanged element", "unchanged elements")
            );
            self.comment("          ", &hidden)?;
        }
        writeln!(self.out, "        ]")
    }

    fn group(&mut self, group: &ChangeGroup<'_>, weakenings: &[Weakening]) -> io::Result<()> {
        let change = group.representative();
        let noun = group_noun(group);
        let header = format!("  # {noun} will be updated in-place, all in the same way");
        self.header_line(header, weakenings)?;
        writeln!(
            self.out,
            "  {} {noun}: {}",
            self.palette.paint(Role::Update, "~"),
            self.delta_summary(change)
        )?;
        let names = group.members.iter().map(|member| &member.subject);
        self.names(names, group.len())?;
        for comment in side_effects(change) {
            self.comment("        ", &comment)?;
        }
        for note in &change.notes {
            self.comment("        ", &format!("note: {}", printable(note)))?;
        }
        self.policies("        ", &group.policies())
    }

    /// The first few names of a group, and how many more there are.
    fn names<'s>(
        &mut self,
        subjects: impl Iterator<Item = &'s crate::plan::Subject>,
        total: usize,
    ) -> io::Result<()> {
        let shown = if self.expand { total } else { NAMES_SHOWN };
        for subject in subjects.take(shown) {
            writeln!(self.out, "        {}", plain_subject(subject))?;
        }
        if total > shown {
            writeln!(
                self.out,
                "        ... and {} more (run with --expand to list them all)",
                thousands(total - shown)
            )?;
        }
        Ok(())
    }

    /// One line for a group: `AuditOwner + MailboxLogin, + HardDelete; AuditEnabled false -> true`.
    fn delta_summary(&self, change: &MailboxChange) -> String {
        let palette = self.palette;
        let mut parts = Vec::new();
        if let Some(enabled) = &change.enabled {
            parts.push(format!(
                "AuditEnabled {} -> {}",
                enabled.before, enabled.after
            ));
        }
        if let Some(limit) = &change.log_age_limit {
            parts.push(format!(
                "AuditLogAgeLimit {} -> {}",
                limit.before, limit.after
            ));
        }
        for logon in LogonType::ALL {
            let Some(list) = change.list(logon) else {
                continue;
            };
            let mut items: Vec<String> = list
                .add
                .names()
                .into_iter()
                .map(|name| format!("{} {name}", palette.paint(Role::Add, "+")))
                .collect();
            items.extend(
                list.remove.names().into_iter().map(|name| {
                    format!("{} {}", palette.paint(Role::Remove, "-"), printable(name))
                }),
            );
            if change.restore_defaults.contains(logon) {
                items.push("restored to managed defaults".to_string());
            }
            parts.push(format!("{} {}", logon.property(), items.join(", ")));
        }
        if let Some(set) = &change.default_audit_set {
            parts.push(format!(
                "DefaultAuditSet {} -> {}",
                logon_set(set.before),
                logon_set(set.after)
            ));
        }
        parts.join("; ")
    }

    fn skipped(&mut self, skipped: &[Skipped]) -> io::Result<()> {
        if skipped.is_empty() {
            return Ok(());
        }
        let heading = format!(
            "Skipped: a policy selects {}, but auditform can't change {}:",
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
                        entry.reason
                    );
                    writeln!(self.out, "{}", self.palette.paint(Role::Quiet, line))?;
                }
            } else {
                let line = format!(
                    "  # {}: {}",
                    counted(members.len(), "mailbox", "mailboxes"),
                    members[0].reason
                );
                writeln!(self.out, "{}", self.palette.paint(Role::Quiet, line))?;
                let total = members.len();
                self.names(members.iter().map(|entry| &entry.subject), total)?;
            }
        }
        writeln!(self.out)
    }

    /// Warnings in plan order; a warning repeated word for word is shown once, with a count.
    fn warnings(&mut self, warnings: &[String]) -> io::Result<()> {
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

    fn summary(&mut self, plan: &Plan) -> io::Result<()> {
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

/// `3,412 UserMailbox mailboxes`.
fn group_noun(group: &ChangeGroup<'_>) -> String {
    format!(
        "{} {} mailboxes",
        thousands(group.len()),
        printable(group.representative().recipient_type.name())
    )
}

fn reasons(weakenings: &[Weakening]) -> String {
    let reasons: Vec<String> = weakenings.iter().map(ToString::to_string).collect();
    reasons.join("; ")
}

/// The widest property name in a mailbox block, so that every `=` lines up.
fn property_width(change: &MailboxChange) -> usize {
    let mut names = vec!["RecipientTypeDetails"];
    if change.enabled.is_some() {
        names.push("AuditEnabled");
    }
    if change.log_age_limit.is_some() {
        names.push("AuditLogAgeLimit");
    }
    for logon in LogonType::ALL {
        if change.list(logon).is_some() {
            names.push(logon.property());
        }
    }
    if change.default_audit_set.is_some() {
        names.push("DefaultAuditSet");
    }
    names.into_iter().map(str::len).max().unwrap_or(0)
}

/// What happens to DefaultAuditSet membership, which the service changes as a side effect.
fn side_effects(change: &MailboxChange) -> Vec<String> {
    let Some(set) = &change.default_audit_set else {
        return Vec::new();
    };
    let mut effects = Vec::new();
    for logon in LogonType::ALL {
        let (before, after) = (set.before.contains(logon), set.after.contains(logon));
        if before && !after {
            effects.push(format!(
                "{logon} leaves DefaultAuditSet: {} no longer gets Microsoft-managed defaults or their future additions",
                logon.property()
            ));
        } else if after && !before {
            effects.push(format!(
                "{logon} rejoins DefaultAuditSet: restores Microsoft's managed defaults"
            ));
        }
    }
    effects
}

fn logon_set(set: LogonSet) -> String {
    format!("[{}]", set.names().join(", "))
}

/// Elements of the list that stay, whose lines terraform hides.
fn unchanged_count(list: &ListChange) -> usize {
    let ActionList { known, unknown } = &list.after;
    let kept_known = known.intersection(list.before.known).len();
    let kept_unknown = unknown
        .iter()
        .filter(|name| {
            list.before
                .unknown
                .iter()
                .any(|old| old.eq_ignore_ascii_case(name))
        })
        .count();
    kept_known + kept_unknown
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
