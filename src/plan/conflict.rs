//! Policy conflicts: two policies that give one object different verdicts at the same priority.
//! They are errors, reported once per pair of policies with the objects they affect.

use crate::english::{counted, thousands};
use crate::policy::PolicyRef;
use std::fmt;

pub(super) const CONFLICT_EXAMPLES: usize = 3;

/// Two policies that disagree at the same priority, over every mailbox where they meet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    pub property: &'static str,
    pub actions: Vec<String>,
    pub first: PolicyRef,
    pub first_says: String,
    pub second: PolicyRef,
    pub second_says: String,
    pub priority: i64,
    /// How many objects are affected, and the first few of them by name.
    pub affected: usize,
    pub examples: Vec<String>,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.actions.is_empty() {
            self.property.to_string()
        } else {
            format!("{} {}", self.property, self.actions.join(", "))
        };
        write!(
            f,
            "policies `{}` and `{}` disagree on {what} at priority {}:\n  {}: `{}` {} it\n  {}: `{}` {} it\n  affects {} {}: {}",
            self.first.name,
            self.second.name,
            self.priority,
            self.first.source,
            self.first.name,
            self.first_says,
            self.second.source,
            self.second.name,
            self.second_says,
            thousands(self.affected),
            if self.affected == 1 { "object" } else { "objects" },
            self.examples.join(", "),
        )?;
        if self.affected > self.examples.len() {
            write!(f, ", ...")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{} policy conflict{}", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    Conflicts(Vec<Conflict>),
    /// Two mailboxes answer to one immutable id, so a change could not be addressed to one of
    /// them alone.
    #[error(
        "{} share an immutable id with another mailbox{}",
        counted(*.count, "mailbox", "mailboxes"),
        if .examples.is_empty() { String::new() } else { format!(": {}", .examples.join(", ")) }
    )]
    DuplicateIds { count: usize, examples: Vec<String> },
}

impl PlanError {
    pub fn hint(&self) -> &'static str {
        match self {
            PlanError::Conflicts(_) => {
                "give one policy a higher `spec.priority`, or narrow a selector with `exclude`"
            }
            PlanError::DuplicateIds { .. } => {
                "every mailbox needs its own ExternalDirectoryObjectId, Guid, ExchangeGuid or PrimarySmtpAddress; check that the export is not truncated or merged from two tenants"
            }
        }
    }
}
