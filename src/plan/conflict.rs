//! Policy conflicts: two policies that give one object different verdicts at the same priority.
//! They are errors, reported once per pair of policies with the objects they affect.

use crate::english::{counted, thousands};
use crate::model::{BypassAssociation, Mailbox, MailboxNames, Organization, StateVisitor};
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

/// Two mailboxes that answer to one immutable id, by their positions in the state (counted
/// from 0, in the order the source gave them), and by name where known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedId {
    /// The id they share, when it is known.
    pub id: Option<String>,
    pub positions: [usize; 2],
    /// `"Display Name" <address>` of each, when known.
    pub mailboxes: [Option<String>; 2],
}

impl SharedId {
    /// Found while reading the second: its names and the id are at hand; the first is named
    /// later, from its position, by [`SharedIdNamer`].
    pub(super) fn found(id: &str, first: usize, second: usize, names: &MailboxNames) -> SharedId {
        SharedId {
            id: Some(id.to_string()),
            positions: [first, second],
            mailboxes: [None, Some(who(names))],
        }
    }

    /// Found when two parts of a read were merged: only the positions are known.
    pub(super) fn at(first: usize, second: usize) -> SharedId {
        SharedId {
            id: None,
            positions: [first, second],
            mailboxes: [None, None],
        }
    }

    pub(super) fn shift(&mut self, offset: usize) {
        for position in &mut self.positions {
            *position += offset;
        }
    }
}

impl fmt::Display for SharedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |index: usize| match &self.mailboxes[index] {
            Some(who) => who.clone(),
            None => format!(
                "the mailbox at position {} of the state",
                self.positions[index] + 1
            ),
        };
        write!(f, "{} and {}", name(0), name(1))?;
        if let Some(id) = &self.id {
            write!(f, " share the immutable id {}", one_line(id))?;
        }
        Ok(())
    }
}

/// `"Display Name" <address>`, on one line.
fn who(names: &MailboxNames) -> String {
    let display = one_line(names.display());
    match names.address() {
        Some(address) => format!("\"{display}\" <{}>", one_line(address)),
        None => format!("\"{display}\" ({})", one_line(names.immutable_id())),
    }
}

fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Names the mailboxes of a [`PlanError::DuplicateIds`] from their positions, as a second read
/// of the same state hands them over. A mailbox at a position whose id is not the shared one
/// (the state changed between the reads) stays unnamed.
pub struct SharedIdNamer {
    /// Position → (index into the examples, which of the two).
    wanted: Vec<(usize, usize, usize)>,
    found: Vec<(usize, usize, String, String)>,
    seen: usize,
}

impl SharedIdNamer {
    pub fn new(error: &PlanError) -> SharedIdNamer {
        let mut wanted = Vec::new();
        if let PlanError::DuplicateIds { examples, .. } = error {
            for (example, shared) in examples.iter().enumerate() {
                for which in 0..2 {
                    if shared.mailboxes[which].is_none() || shared.id.is_none() {
                        wanted.push((shared.positions[which], example, which));
                    }
                }
            }
        }
        wanted.sort();
        SharedIdNamer {
            wanted,
            found: Vec::new(),
            seen: 0,
        }
    }

    /// Whether a second read is needed at all.
    pub fn is_needed(&self) -> bool {
        !self.wanted.is_empty()
    }

    /// Fills in the names found. The two of a pair must share an id.
    pub fn name(self, error: &mut PlanError) {
        let PlanError::DuplicateIds { examples, .. } = error else {
            return;
        };
        for (example, which, id, who) in self.found {
            let shared = &mut examples[example];
            match &shared.id {
                Some(known) if !known.eq_ignore_ascii_case(&id) => continue,
                Some(_) => {}
                None => shared.id = Some(id),
            }
            shared.mailboxes[which].get_or_insert(who);
        }
    }
}

impl StateVisitor for SharedIdNamer {
    fn organization(&mut self, _: Organization) {}
    fn bypass(&mut self, _: BypassAssociation) {}
    fn mailbox(&mut self, mailbox: Mailbox) {
        let position = self.seen;
        self.seen += 1;
        let start = self
            .wanted
            .partition_point(|(wanted, ..)| *wanted < position);
        for &(wanted, example, which) in &self.wanted[start..] {
            if wanted != position {
                break;
            }
            self.found.push((
                example,
                which,
                mailbox.names.immutable_id().to_string(),
                who(&mailbox.names),
            ));
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{} policy conflict{}", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    Conflicts(Vec<Conflict>),
    /// Two mailboxes answer to one immutable id, so a change could not be addressed to one of
    /// them alone. `count` counts the mailboxes whose id an earlier mailbox already had.
    #[error("{}", duplicate_message(*.count, .examples))]
    DuplicateIds {
        count: usize,
        examples: Vec<SharedId>,
    },
    /// The state holds no mailbox, which a failed or cut-short export also looks like.
    #[error(
        "the state {state} holds no mailbox, so a plan of it would say nothing about the tenant"
    )]
    EmptyState { state: String },
}

fn duplicate_message(count: usize, examples: &[SharedId]) -> String {
    let mut message = duplicate_headline(count, examples);
    for note in duplicate_notes(count, examples) {
        message.push_str(&format!("\n  {note}"));
    }
    message
}

/// The first line: the one pair itself when there is one, else how many.
fn duplicate_headline(count: usize, examples: &[SharedId]) -> String {
    match (count, examples) {
        (1, [only]) => format!("two mailboxes answer to one immutable id: {only}"),
        _ => format!(
            "{} {} an immutable id with an earlier mailbox:",
            counted(count, "mailbox", "mailboxes"),
            if count == 1 { "shares" } else { "share" }
        ),
    }
}

/// The pairs under a headline that counts them, and how many more there are.
fn duplicate_notes(count: usize, examples: &[SharedId]) -> Vec<String> {
    if let (1, [_]) = (count, examples) {
        return Vec::new();
    }
    let mut notes: Vec<String> = examples.iter().map(ToString::to_string).collect();
    if count > examples.len() {
        notes.push(format!("...and {} more", thousands(count - examples.len())));
    }
    notes
}

impl PlanError {
    /// The message's first line and the lines under it, for a diagnostic.
    pub fn headline_and_notes(&self) -> (String, Vec<String>) {
        match self {
            PlanError::DuplicateIds { count, examples } => (
                duplicate_headline(*count, examples),
                duplicate_notes(*count, examples),
            ),
            other => (other.to_string(), Vec::new()),
        }
    }

    pub fn hint(&self) -> &'static str {
        match self {
            PlanError::Conflicts(_) => {
                "give one policy a higher `spec.priority`, or narrow a selector with `exclude`"
            }
            PlanError::DuplicateIds { .. } => {
                "every mailbox needs its own ExternalDirectoryObjectId, Guid, ExchangeGuid or PrimarySmtpAddress; check that the export is not truncated or merged from two tenants"
            }
            PlanError::EmptyState { .. } => {
                "check that the export ran to the end and read the right tenant (`Get-EXOMailbox -ResultSize Unlimited ...`); if the tenant really has no mailbox, pass --allow-empty-state"
            }
        }
    }
}
