//! Watching the planner, for `explain` and for drift reported as test results. The planner
//! tells a [`PlanTrace`] which policies selected each mailbox and why, how their verdicts were
//! resolved, and what became of the mailbox. The plan itself uses [`Untraced`], whose every
//! event is an empty call that the compiler removes, so that planning a million mailboxes pays
//! nothing for it; an explanation is built from the very code that plans.

use super::{MailboxChange, SkipReason};
use crate::catalog::LicenceTier;
use crate::model::{BypassAssociation, Mailbox};
use crate::policy::resolve::{Disagreement, ResolveTrace};
use crate::policy::select::SelectTrace;
use crate::policy::{BypassPolicy, Untraced};

/// Receives the planner's events for mailboxes. Policies are named by their index into
/// `PolicySet::mailbox`; the resolver's events name them by their index into `selection`.
pub trait PlanTrace: SelectTrace + ResolveTrace + Send + Sync + Sized {
    /// The selector of policy `index` is tested next; its selection events follow.
    fn policy(&mut self, _index: usize) {}
    /// Policy `index` selects the mailbox, or not.
    fn selected(&mut self, _index: usize, _selected: bool) {}
    /// The policies of `selection` are resolved for a mailbox of licence `tier`; the resolver's
    /// events follow. The planner resolves each set of policies (and tier) once and reuses the
    /// result, so this comes only for a set not resolved before.
    fn resolving(&mut self, _tier: LicenceTier, _selection: &[u32]) {}
    /// What became of a mailbox that `selection` selected (empty when no policy did).
    fn outcome(&mut self, _mailbox: &Mailbox, _selection: &[u32], _outcome: MailboxOutcome<'_>) {}
    /// The organization config was planned.
    fn organization(&mut self, _outcome: ObjectOutcome) {}
    /// A bypass association was planned; `selected` are the bypass policies that select it.
    fn bypass(
        &mut self,
        _association: &BypassAssociation,
        _selected: &[&BypassPolicy],
        _outcome: ObjectOutcome,
    ) {
    }
    /// An empty part for a worker that plans a later block of the same state.
    fn split(&self) -> Self;
    /// Takes in a part that traced the mailboxes right after these.
    fn merge(&mut self, later: Self);
}

/// What the planner made of one mailbox.
#[derive(Clone, Copy, Debug)]
pub enum MailboxOutcome<'a> {
    /// No policy selects it.
    NotSelected,
    /// It already matches its policies.
    Unchanged,
    Changed(&'a MailboxChange),
    Skipped(&'a SkipReason),
    /// Policies that select it disagree at the same priority; indexes are into `selection`.
    Conflict(&'a [Disagreement]),
}

/// What the planner made of the organization config or a bypass association.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectOutcome {
    /// No policy speaks to it.
    NotSelected,
    Unchanged,
    Changed,
    /// Policies disagree about it at the same priority.
    Conflict,
}

impl PlanTrace for Untraced {
    fn split(&self) -> Self {
        Untraced
    }
    fn merge(&mut self, _later: Self) {}
}
