//! The blocks of single objects in a text plan: a mailbox, a group of identical mailbox changes,
//! the organization config and a bypass association, in terraform's layout. The writer is
//! defined here, and `text` adds the plan's sections to it, so that the blocks depend on nothing
//! of the sections.

use super::group::ChangeGroup;
use super::label::{plain_subject, printable, quoted, quoted_subject};
use super::style::{Palette, Role};
use crate::english::{counted, thousands};
use crate::model::{ActionList, LogonSet, LogonType};
use crate::plan::{
    BypassChange, Change, ListChange, MailboxChange, OrganizationChange, Subject, Weakening,
};
use crate::policy::PolicyRef;
use std::io::{self, Write};

/// Writes a text plan: the blocks of single objects are here, and `text` adds the sections.
pub(super) struct PlanWriter<'w> {
    pub(super) out: &'w mut dyn Write,
    pub(super) palette: Palette,
    pub(super) expand: bool,
}

/// How many names a group shows before `... and N more`.
const NAMES_SHOWN: usize = 5;

impl PlanWriter<'_> {
    /// The `# ... will be updated in-place` line, and the weakening beneath it.
    pub(super) fn header(&mut self, what: &str, weakenings: &[Weakening]) -> io::Result<()> {
        self.header_line(format!("  # {what} will be updated in-place"), weakenings)
    }

    pub(super) fn header_line(
        &mut self,
        header: String,
        weakenings: &[Weakening],
    ) -> io::Result<()> {
        writeln!(self.out, "{}", self.palette.paint(Role::Header, header))?;
        if !weakenings.is_empty() {
            let line = format!("  # WEAKENS auditing: {}", reasons(weakenings));
            writeln!(self.out, "{}", self.palette.paint(Role::Weakening, line))?;
        }
        Ok(())
    }

    pub(super) fn open_block(&mut self, kind: &str, id: &str) -> io::Result<()> {
        writeln!(
            self.out,
            "  {} {kind} {} {{",
            self.palette.paint(Role::Update, "~"),
            quoted(id)
        )
    }

    pub(super) fn close_block(&mut self) -> io::Result<()> {
        writeln!(self.out, "    }}")
    }

    pub(super) fn scalar<T: std::fmt::Display>(
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

    pub(super) fn comment(&mut self, indent: &str, text: &str) -> io::Result<()> {
        writeln!(
            self.out,
            "{indent}{}",
            self.palette.paint(Role::Quiet, format!("# {text}"))
        )
    }

    pub(super) fn policies(&mut self, indent: &str, policies: &[&PolicyRef]) -> io::Result<()> {
        if policies.is_empty() {
            return Ok(());
        }
        let names: Vec<String> = policies
            .iter()
            .map(|policy| printable(&policy.name).into_owned())
            .collect();
        self.comment(indent, &format!("policies: {}", names.join(", ")))
    }

    pub(super) fn organization(
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

    pub(super) fn bypass(
        &mut self,
        change: &BypassChange,
        weakenings: &[Weakening],
    ) -> io::Result<()> {
        let what = format!(
            "audit bypass association {}",
            quoted_subject(&change.subject)
        );
        self.header(&what, weakenings)?;
        self.open_block("audit bypass association", change.subject.id())?;
        let width = "AuditBypassEnabled".len();
        self.scalar("AuditBypassEnabled", width, &change.bypass_enabled)?;
        let policies: Vec<&PolicyRef> = change.policies.iter().collect();
        self.policies("        ", &policies)?;
        self.close_block()
    }

    pub(super) fn mailbox(
        &mut self,
        change: &MailboxChange,
        weakenings: &[Weakening],
    ) -> io::Result<()> {
        let what = format!("mailbox {}", quoted_subject(&change.subject));
        self.header(&what, weakenings)?;
        self.open_block("mailbox", change.subject.id())?;
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

    pub(super) fn list(
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

    pub(super) fn group(
        &mut self,
        group: &ChangeGroup<'_>,
        weakenings: &[Weakening],
    ) -> io::Result<()> {
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
    pub(super) fn names<'s>(
        &mut self,
        subjects: impl Iterator<Item = &'s Subject>,
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
    pub(super) fn delta_summary(&self, change: &MailboxChange) -> String {
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
}

/// `3,412 UserMailbox mailboxes`.
pub(super) fn group_noun(group: &ChangeGroup<'_>) -> String {
    format!(
        "{} {} mailboxes",
        thousands(group.len()),
        printable(group.representative().recipient_type.name())
    )
}

/// Why a change weakens auditing. Removed names may come from the tenant, so they are escaped.
pub(super) fn reasons(weakenings: &[Weakening]) -> String {
    let reasons: Vec<String> = weakenings
        .iter()
        .map(|weakening| printable(&weakening.to_string()).into_owned())
        .collect();
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
