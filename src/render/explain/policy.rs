//! `explain --policy NAME` as text: what one policy does over the tenant, for a reviewer
//! reading a pull request that adds or edits it.

use super::{inert, policy_label, ExplainWriter};
use crate::english::{counted, thousands};
use crate::explain::{PolicyReport, Sample};
use crate::render::label::{plain_subject, printable};
use crate::render::style::{Palette, Role};
use crate::render::TextOptions;
use std::io::{self, Write};

/// Writes what one policy does over the tenant.
pub fn render_policy_report(
    report: &PolicyReport,
    options: &TextOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    let mut writer = ExplainWriter {
        out: &mut out,
        palette: Palette::new(options.color),
    };
    writer.report(report)?;
    out.flush()
}

impl ExplainWriter<'_> {
    fn report(&mut self, report: &PolicyReport) -> io::Result<()> {
        self.heading(&format!(
            "Policy {}",
            policy_label(&report.policy, report.priority)
        ))?;
        if let Some(description) = &report.description {
            writeln!(self.out, "  {}", printable(description))?;
        }
        writeln!(self.out)?;
        let read = counted(report.read, "mailbox", "mailboxes");
        self.sample(
            &format!("Selects {} of {read}", thousands(report.selected.count)),
            &report.selected,
        )?;
        self.sample(
            &format!(
                "Wins on {} (at least one of its verdicts is the one that counts)",
                counted(report.wins.count, "mailbox", "mailboxes")
            ),
            &report.wins,
        )?;
        self.sample(
            &format!(
                "Changes {} (the plan changes them because of it)",
                counted(report.changes.count, "mailbox", "mailboxes")
            ),
            &report.changes,
        )?;
        self.sample(
            &format!(
                "Already compliant: {} (selected, and the plan changes nothing)",
                counted(report.unchanged.count, "mailbox", "mailboxes")
            ),
            &report.unchanged,
        )?;
        if report.overridden.is_empty() {
            self.heading("No policy of a higher priority overrides it.")?;
            writeln!(self.out)?;
        } else {
            self.heading("Overridden by a policy of a higher priority:")?;
            for by in &report.overridden {
                writeln!(
                    self.out,
                    "  {}, on {}:",
                    policy_label(&by.by, by.priority),
                    counted(by.mailboxes.count, "mailbox", "mailboxes")
                )?;
                let what: Vec<String> = by.what.iter().map(|w| printable(w).into_owned()).collect();
                writeln!(self.out, "      decides {}", what.join(", "))?;
                self.names(&by.mailboxes, "      ")?;
            }
            writeln!(self.out)?;
        }
        if report.has_exclude {
            self.sample(
                &format!(
                    "Its exclude spares {}",
                    counted(report.spared.count, "mailbox", "mailboxes")
                ),
                &report.spared,
            )?;
        } else {
            self.heading("It has no exclude.")?;
            writeln!(self.out)?;
        }
        if report.skipped.count > 0 {
            self.sample(
                &format!(
                    "Skipped: {} the plan can't change",
                    counted(report.skipped.count, "mailbox", "mailboxes")
                ),
                &report.skipped,
            )?;
        }
        if report.conflicted.count > 0 || !report.conflicts.is_empty() {
            let line = format!(
                "Conflicts: the policies of {} disagree at the same priority",
                counted(
                    report.conflicted.count,
                    "selected mailbox",
                    "selected mailboxes"
                )
            );
            writeln!(self.out, "{}", self.palette.paint(Role::Weakening, line))?;
            self.names(&report.conflicted, "    ")?;
            for conflict in &report.conflicts {
                for line in inert(conflict).to_string().lines() {
                    writeln!(self.out, "  {line}")?;
                }
            }
            writeln!(self.out)?;
        }
        Ok(())
    }

    /// A heading with a count, the first few mailboxes, and a blank line.
    fn sample(&mut self, heading: &str, sample: &Sample) -> io::Result<()> {
        let colon = if sample.count > 0 { ":" } else { "." };
        self.heading(&format!("{heading}{colon}"))?;
        self.names(sample, "    ")?;
        writeln!(self.out)
    }

    fn names(&mut self, sample: &Sample, indent: &str) -> io::Result<()> {
        for subject in &sample.first {
            writeln!(self.out, "{indent}{}", plain_subject(subject))?;
        }
        if sample.count > sample.first.len() {
            writeln!(
                self.out,
                "{indent}... and {} more",
                thousands(sample.count - sample.first.len())
            )?;
        }
        Ok(())
    }
}
