//! Why a selector selected a mailbox or not, as text: one line per condition, the OPATH
//! filter's clauses beneath it with the values they read, then the `exclude`.

use super::{licence_name, ExplainWriter};
use crate::explain::{ConditionTrace, FilterNode, SelectorTrace};
use crate::model::PropertyValue;
use crate::render::label::printable;
use crate::render::style::Role;
use std::io;

impl ExplainWriter<'_> {
    pub(super) fn selector(&mut self, trace: &SelectorTrace, indent: &str) -> io::Result<()> {
        if trace.conditions.is_empty() {
            writeln!(
                self.out,
                "{indent}(the selector gives no condition: it selects every mailbox)"
            )?;
        }
        for condition in &trace.conditions {
            let mark = self.mark(condition.held(), "held  ", "failed");
            writeln!(self.out, "{indent}{mark} {}", condition_text(condition))?;
            if let ConditionTrace::Filter { clauses, .. } = condition {
                let nested = format!("{indent}       ");
                // A filter's outer `-and` is its list of clauses: shown without a line of its own.
                match clauses {
                    FilterNode::And { operands, .. } => {
                        for operand in operands {
                            self.filter_node(operand, &nested)?;
                        }
                    }
                    node => self.filter_node(node, &nested)?,
                }
            }
        }
        if let Some(exclude) = &trace.exclude {
            let verdict = if exclude.excluded {
                "spares the mailbox"
            } else {
                "does not spare it"
            };
            let line = format!("{indent}exclude: {verdict}");
            let role = if exclude.excluded {
                Role::Warning
            } else {
                Role::Quiet
            };
            writeln!(self.out, "{}", self.palette.paint(role, line))?;
            let nested = format!("{indent}  ");
            if exclude.selector.conditions.is_empty() {
                writeln!(
                    self.out,
                    "{nested}(the exclude gives no condition, so it excludes nothing)"
                )?;
            } else {
                self.selector(&exclude.selector, &nested)?;
            }
        }
        Ok(())
    }

    fn filter_node(&mut self, node: &FilterNode, indent: &str) -> io::Result<()> {
        let mark = self.mark(node.held(), "true ", "false");
        match node {
            FilterNode::Clause {
                text,
                property,
                actual,
                ..
            } => writeln!(
                self.out,
                "{indent}{mark} {}    ({} is {})",
                printable(text),
                printable(property),
                value_text(actual)
            ),
            FilterNode::Not { inner, .. } => {
                writeln!(self.out, "{indent}{mark} -not")?;
                self.filter_node(inner, &format!("{indent}      "))
            }
            FilterNode::And { operands, .. } | FilterNode::Or { operands, .. } => {
                let operator = if matches!(node, FilterNode::And { .. }) {
                    "-and"
                } else {
                    "-or"
                };
                writeln!(self.out, "{indent}{mark} {operator}")?;
                let nested = format!("{indent}      ");
                for operand in operands {
                    self.filter_node(operand, &nested)?;
                }
                Ok(())
            }
        }
    }

    fn mark(&self, held: bool, yes: &'static str, no: &'static str) -> String {
        if held {
            self.palette.paint(Role::Add, yes).to_string()
        } else {
            self.palette.paint(Role::Remove, no).to_string()
        }
    }
}

fn condition_text(condition: &ConditionTrace) -> String {
    match condition {
        ConditionTrace::Licence { wanted, actual, .. } => {
            let wanted = match wanted {
                crate::catalog::LicenceTier::E5 => "E5",
                crate::catalog::LicenceTier::NonE5 => "nonE5",
            };
            let actual = actual.map_or("no licence (not a mailbox)", licence_name);
            format!("licence {wanted}: it has {actual}")
        }
        ConditionTrace::RecipientType { wanted, actual, .. } => {
            let wanted: Vec<String> = wanted
                .iter()
                .map(|t| printable(t.name()).into_owned())
                .collect();
            let actual = actual.as_ref().map_or_else(
                || "has no RecipientTypeDetails".to_string(),
                |t| format!("it is a {}", printable(t.name())),
            );
            format!("recipientTypeDetails [{}]: {actual}", wanted.join(", "))
        }
        ConditionTrace::Identities { wanted, matched } => {
            let list = listed(wanted);
            match matched {
                Some((wanted, name)) => format!(
                    "identities [{list}]: it answers to `{}` as {}",
                    printable(wanted),
                    printable(name)
                ),
                None => format!("identities [{list}]: it answers to none of them"),
            }
        }
        ConditionTrace::Match { patterns, matched } => {
            let list = listed(patterns);
            match matched {
                Some((address, by)) => format!(
                    "match [{list}]: {} matches {}",
                    printable(address),
                    listed(by)
                ),
                None => {
                    format!("match [{list}]: neither its UPN nor its PrimarySmtpAddress matches")
                }
            }
        }
        ConditionTrace::Filter { source, clauses } => format!(
            "filter {}: {}",
            printable(source),
            if clauses.held() { "true" } else { "false" }
        ),
    }
}

fn listed(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|i| printable(i).into_owned()).collect();
    items.join(", ")
}

/// A property's value as PowerShell writes a literal: `'text'` (quotes doubled), `$null`,
/// `$true`, `@('a', 'b')`.
pub(super) fn value_text(value: &PropertyValue) -> String {
    let text = |text: &str| format!("'{}'", printable(&text.replace('\'', "''")));
    match value {
        PropertyValue::Null => "$null".to_string(),
        PropertyValue::Bool(true) => "$true".to_string(),
        PropertyValue::Bool(false) => "$false".to_string(),
        PropertyValue::Number(number) => number.to_string(),
        PropertyValue::Text(value) => text(value),
        PropertyValue::List(items) => {
            let items: Vec<String> = items.iter().map(|item| text(item)).collect();
            format!("@({})", items.join(", "))
        }
    }
}
