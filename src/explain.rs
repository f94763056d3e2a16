//! Why a mailbox gets the plan it gets, and what one policy does over a tenant: `explain`.
//!
//! Nothing here decides anything. An explanation is what the planner itself reports while it
//! plans (through [`crate::plan::trace::PlanTrace`]): which selector conditions held, what an
//! OPATH filter read, every verdict on every action and which won, and the change the plan
//! makes. So an explanation agrees with `plan` by construction: it comes from the same code.

mod find;
mod policy_report;
mod recorder;
mod selection;

pub use find::{IdentitySearch, MAX_CANDIDATES};
pub use policy_report::{Override, PolicyReport, PolicyReporter, Sample, SAMPLE_SIZE};
pub use selection::{ConditionTrace, ExcludeTrace, FilterNode, SelectorTrace};

use crate::catalog::{Action, LicenceTier};
use crate::model::{AuditSettings, LogonType, Mailbox, RecipientType};
use crate::plan::{Conflict, MailboxChange, PlanError, Planner, Skipped, Subject};
use crate::policy::resolve::Verdict;
use crate::policy::{ListSpec, PolicyRef, PolicySet};
use recorder::Recorder;

/// Everything `explain MAILBOX` says about one mailbox.
#[derive(Clone, Debug)]
pub struct MailboxExplanation {
    pub subject: Subject,
    pub recipient_type: RecipientType,
    pub licence: LicenceTier,
    /// The audit settings as read.
    pub current: AuditSettings,
    /// Every mailbox policy of the set, in the set's order: whether it selects the mailbox,
    /// and why.
    pub selections: Vec<Selection>,
    /// How the verdicts of the policies that select it were resolved; `None` when no policy
    /// selects it, or when its configuration is fixed and nothing is resolved.
    pub resolution: Option<Resolution>,
    /// Per logon type (by [`LogonType::index`]): DefaultAuditSet membership before and after,
    /// and why.
    pub default_audit_set: [Membership; 3],
    pub outcome: Outcome,
}

/// Whether one policy selects the mailbox, and why.
#[derive(Clone, Debug)]
pub struct Selection {
    pub policy: PolicyRef,
    pub priority: i64,
    pub selected: bool,
    pub trace: SelectorTrace,
}

/// The resolution of the verdicts of the policies that select the mailbox.
#[derive(Clone, Debug)]
pub struct Resolution {
    /// The selecting policies; verdicts name them by their index here.
    pub policies: Vec<(PolicyRef, i64)>,
    /// Per logon type (by [`LogonType::index`]), every action some policy speaks to, in
    /// catalog order, with the names unknown to the catalog last.
    pub lists: [Vec<ActionVerdicts>; 3],
    /// AuditEnabled and AuditLogAgeLimit, when a policy sets them.
    pub scalars: Vec<ScalarVerdicts>,
    /// Per logon type: a `default` won every verdict, so the list is Microsoft's to manage.
    pub managed_defaults: [bool; 3],
}

impl Resolution {
    pub fn policy(&self, index: usize) -> &PolicyRef {
        &self.policies[index].0
    }

    pub fn priority(&self, index: usize) -> i64 {
        self.policies[index].1
    }
}

/// One policy's verdict on one action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vote {
    /// An index into [`Resolution::policies`].
    pub policy: usize,
    pub priority: i64,
    pub verdict: Verdict,
    /// How the policy said it: `add`, `remove`, `exactly` or `default`.
    pub said_by: &'static str,
}

/// Every verdict on one action of one logon type, and the decision.
#[derive(Clone, Debug)]
pub struct ActionVerdicts {
    /// `None` for an action the policy set declares (see [`Self::declared`]) and for the names
    /// neither knows (which `exactly` forbids as one).
    pub action: Option<Action>,
    /// The name of an action the policy set declares, unknown to this version of auditform.
    pub declared: Option<std::sync::Arc<str>>,
    pub votes: Vec<Vote>,
    pub decision: Decision,
    /// Whether the winning verdict says what Microsoft's managed defaults say.
    pub keeps_defaults: bool,
}

impl ActionVerdicts {
    /// The action's name, or a phrase for the names neither the catalog nor the policy set's
    /// declarations know.
    pub fn name(&self) -> &str {
        match (self.action, &self.declared) {
            (Some(action), _) => action.name(),
            (None, Some(declared)) => declared,
            (None, None) => "(actions unknown to the catalog)",
        }
    }

    /// Whether it is one action, of the catalog or declared, rather than every unknown name.
    pub fn is_one_action(&self) -> bool {
        self.action.is_some() || self.declared.is_some()
    }

    /// The winning vote, unless the top verdicts disagree.
    pub fn winner(&self) -> Option<&Vote> {
        match self.decision {
            Decision::Won { policy, .. } => self.votes.iter().find(|vote| vote.policy == policy),
            Decision::Disputed { .. } => None,
        }
    }

    /// Verdicts of a lower priority than the winner's, which it overrode.
    pub fn overridden(&self) -> impl Iterator<Item = &Vote> {
        let top = self.winner().map(|winner| winner.priority);
        self.votes
            .iter()
            .filter(move |vote| top.is_some_and(|top| vote.priority < top))
    }

    /// Other verdicts at the winner's priority, which say the same as it.
    pub fn seconded(&self) -> impl Iterator<Item = &Vote> {
        let winner = self.winner().cloned();
        self.votes.iter().filter(move |vote| {
            winner
                .as_ref()
                .is_some_and(|w| vote.priority == w.priority && vote.policy != w.policy)
        })
    }
}

/// Who decided an action or a scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The verdict of the highest priority, given by `policy` (the alphabetically first of
    /// the policies that gave it there).
    Won { policy: usize, verdict: Verdict },
    /// Disagreeing verdicts at the highest priority: a conflict.
    Disputed { requirer: usize, forbidder: usize },
}

/// Every vote on one scalar, and the winner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScalarVerdicts {
    pub property: &'static str,
    /// (policy, priority, the value it sets), highest priority first, then by name.
    pub votes: Vec<(usize, i64, String)>,
    /// `None` when the top votes disagree.
    pub winner: Option<usize>,
}

impl ScalarVerdicts {
    pub fn winning_vote(&self) -> Option<&(usize, i64, String)> {
        let winner = self.winner?;
        self.votes.iter().find(|vote| vote.0 == winner)
    }

    /// Votes of a lower priority than the winner's.
    pub fn overridden(&self) -> impl Iterator<Item = &(usize, i64, String)> {
        let top = self.winning_vote().map(|vote| vote.1);
        self.votes
            .iter()
            .filter(move |vote| top.is_some_and(|top| vote.1 < top))
    }
}

/// DefaultAuditSet membership of one logon type, before and after the plan, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Membership {
    pub logon: LogonType,
    pub before: bool,
    pub after: bool,
    pub reason: MembershipReason,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MembershipReason {
    /// The plan changes nothing on this mailbox (no policy selects it, it is skipped, or its
    /// policies conflict).
    NotPlanned,
    /// No policy that selects the mailbox speaks to this logon type's list.
    Unspoken,
    /// A `default` won every verdict: Microsoft manages the list; `restored` when the plan
    /// puts the logon type back in the set.
    ManagedDefaults { policy: usize, restored: bool },
    /// The list changes, and the service takes a logon type whose list is changed out of the
    /// set.
    ListChanges,
    /// The list already meets the verdicts, so nothing is sent and membership stays.
    ListMeetsVerdicts,
}

/// What the plan does with the mailbox.
#[derive(Clone, Debug)]
pub enum Outcome {
    NotSelected,
    Unchanged,
    Change(Box<MailboxChange>),
    Skipped(Skipped),
    /// Policies that select it disagree at the same priority: `plan` stops with these.
    Conflict(Vec<Conflict>),
}

/// Explains one mailbox by planning it alone with a recorder: the selection, the resolution
/// and the change are the planner's own.
pub fn explain_mailbox(policies: &PolicySet, mailbox: &Mailbox) -> MailboxExplanation {
    let mut planner = Planner::traced(policies, "", Recorder::default());
    planner.observe_mailbox(mailbox);
    let (plan, recorder) = planner.finish_traced();
    let outcome = match plan {
        Err(PlanError::Conflicts(conflicts)) => Outcome::Conflict(conflicts),
        // One mailbox can't share its id with another, nor be an empty state.
        Err(PlanError::DuplicateIds { .. } | PlanError::EmptyState { .. }) => Outcome::Unchanged,
        Ok(mut plan) => {
            if let Some(change) = plan.mailbox_changes.pop() {
                Outcome::Change(Box::new(change))
            } else if let Some(skipped) = plan.skipped.pop() {
                Outcome::Skipped(skipped)
            } else if recorder.selected_any() {
                Outcome::Unchanged
            } else {
                Outcome::NotSelected
            }
        }
    };
    let (selections, resolution) = recorder.into_parts(policies);
    let default_audit_set = LogonType::ALL
        .map(|logon| membership(logon, &mailbox.audit, resolution.as_ref(), &outcome));
    MailboxExplanation {
        subject: Subject::of(&mailbox.names),
        recipient_type: mailbox.recipient_type.clone(),
        licence: mailbox.licence,
        current: mailbox.audit.clone(),
        selections,
        resolution,
        default_audit_set,
        outcome,
    }
}

/// Why a logon type is in DefaultAuditSet after the plan, read from the planned change and the
/// resolution that led to it.
fn membership(
    logon: LogonType,
    current: &AuditSettings,
    resolution: Option<&Resolution>,
    outcome: &Outcome,
) -> Membership {
    let before = current.default_audit_set.contains(logon);
    let unchanged = |reason| Membership {
        logon,
        before,
        after: before,
        reason,
    };
    let change = match outcome {
        Outcome::Change(change) => Some(&**change),
        Outcome::Unchanged => None,
        Outcome::NotSelected | Outcome::Skipped(_) | Outcome::Conflict(_) => {
            return unchanged(MembershipReason::NotPlanned)
        }
    };
    let Some(resolution) = resolution else {
        return unchanged(MembershipReason::NotPlanned);
    };
    let verdicts = &resolution.lists[logon.index()];
    if verdicts.is_empty() {
        return unchanged(MembershipReason::Unspoken);
    }
    let after = change
        .and_then(|change| change.default_audit_set.as_ref())
        .map_or(before, |set| set.after.contains(logon));
    let reason = if resolution.managed_defaults[logon.index()] {
        let policy = verdicts
            .iter()
            .flat_map(|action| &action.votes)
            .filter(|vote| vote.said_by == "default")
            .max_by_key(|vote| vote.priority)
            .map_or(0, |vote| vote.policy);
        let restored = change.is_some_and(|change| change.restore_defaults.contains(logon));
        MembershipReason::ManagedDefaults { policy, restored }
    } else if change.is_some_and(|change| change.list(logon).is_some()) {
        MembershipReason::ListChanges
    } else {
        MembershipReason::ListMeetsVerdicts
    };
    Membership {
        logon,
        before,
        after,
        reason,
    }
}

/// How a policy's list spec is named in a policy file.
fn said_by(spec: &ListSpec, verdict: Verdict) -> &'static str {
    match (spec, verdict) {
        (ListSpec::Change { .. }, Verdict::Require) => "add",
        (ListSpec::Change { .. }, Verdict::Forbid) => "remove",
        (ListSpec::Exactly(_), _) => "exactly",
        (ListSpec::Default, _) => "default",
    }
}

#[cfg(test)]
mod tests;
