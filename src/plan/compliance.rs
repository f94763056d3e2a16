//! What already complies, per policy: the other half of drift reported as test results. A plan
//! lists what must change; this counts, for each policy, the objects it selects that need no
//! change on its account. Gathered by the planner itself while it plans (a [`PlanTrace`]), so
//! it costs one pass and agrees with the plan.

use super::trace::{MailboxOutcome, ObjectOutcome, PlanTrace};
use super::Subject;
use crate::model::{BypassAssociation, Mailbox};
use crate::policy::opath::FilterTrace;
use crate::policy::resolve::ResolveTrace;
use crate::policy::select::SelectTrace;
use crate::policy::{BypassPolicy, PolicyRef, PolicySet};

/// How many complying objects a policy names; beyond that they are only counted.
pub const COMPLYING_NAMED: usize = 10;

/// What complies with one policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyCompliance {
    /// Objects it selects that need no change on its account.
    pub complying: usize,
    /// The first [`COMPLYING_NAMED`] of them.
    pub first: Vec<Subject>,
    /// Objects it selects, in all.
    pub selected: usize,
}

impl PolicyCompliance {
    fn add(&mut self, subject: impl FnOnce() -> Subject) {
        self.complying += 1;
        if self.first.len() < COMPLYING_NAMED {
            self.first.push(subject());
        }
    }

    fn merge(&mut self, later: PolicyCompliance) {
        self.complying += later.complying;
        self.selected += later.selected;
        let room = COMPLYING_NAMED.saturating_sub(self.first.len());
        self.first.extend(later.first.into_iter().take(room));
    }
}

/// Compliance per policy of a set, in the set's order: mailbox policies, then organization
/// policies, then bypass policies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Compliance {
    pub mailbox: Vec<PolicyCompliance>,
    /// Whether the state had an organization config, and whether it complies.
    pub organization: Option<bool>,
    pub bypass: Vec<PolicyCompliance>,
}

/// The tracer that gathers [`Compliance`] while the planner plans.
#[derive(Debug)]
pub struct ComplianceTally {
    compliance: Compliance,
    /// The reference of each bypass policy, to recognise the ones that select an association.
    bypass_refs: Vec<PolicyRef>,
    /// The mailbox policies, to recognise the ones a change names.
    mailbox_refs: Vec<PolicyRef>,
}

impl ComplianceTally {
    pub fn new(policies: &PolicySet) -> Self {
        ComplianceTally {
            compliance: Compliance {
                mailbox: vec![PolicyCompliance::default(); policies.mailbox.len()],
                organization: None,
                bypass: vec![PolicyCompliance::default(); policies.bypass.len()],
            },
            bypass_refs: policies
                .bypass
                .iter()
                .map(|p| p.reference.clone())
                .collect(),
            mailbox_refs: policies
                .mailbox
                .iter()
                .map(|p| p.reference.clone())
                .collect(),
        }
    }

    pub fn into_compliance(self) -> Compliance {
        self.compliance
    }
}

impl FilterTrace for ComplianceTally {}
impl SelectTrace for ComplianceTally {}
impl ResolveTrace for ComplianceTally {}

impl PlanTrace for ComplianceTally {
    fn outcome(&mut self, mailbox: &Mailbox, selection: &[u32], outcome: MailboxOutcome<'_>) {
        for &index in selection {
            let index = index as usize;
            let complies = match outcome {
                MailboxOutcome::Unchanged => true,
                MailboxOutcome::Changed(change) => {
                    !change.policies.contains(&self.mailbox_refs[index])
                }
                MailboxOutcome::NotSelected
                | MailboxOutcome::Skipped(_)
                | MailboxOutcome::Conflict(_) => false,
            };
            let entry = &mut self.compliance.mailbox[index];
            entry.selected += 1;
            if complies {
                entry.add(|| Subject::of(&mailbox.names));
            }
        }
    }

    fn organization(&mut self, outcome: ObjectOutcome) {
        self.compliance.organization = match outcome {
            ObjectOutcome::Unchanged => Some(true),
            ObjectOutcome::Changed | ObjectOutcome::Conflict => Some(false),
            ObjectOutcome::NotSelected => None,
        };
    }

    fn bypass(
        &mut self,
        association: &BypassAssociation,
        selected: &[&BypassPolicy],
        outcome: ObjectOutcome,
    ) {
        for policy in selected {
            let Some(index) = self
                .bypass_refs
                .iter()
                .position(|reference| *reference == policy.reference)
            else {
                continue;
            };
            let entry = &mut self.compliance.bypass[index];
            entry.selected += 1;
            if outcome == ObjectOutcome::Unchanged {
                entry.add(|| Subject::of(&association.names));
            }
        }
    }

    fn split(&self) -> Self {
        ComplianceTally {
            compliance: Compliance {
                mailbox: vec![PolicyCompliance::default(); self.compliance.mailbox.len()],
                organization: None,
                bypass: vec![PolicyCompliance::default(); self.compliance.bypass.len()],
            },
            bypass_refs: self.bypass_refs.clone(),
            mailbox_refs: self.mailbox_refs.clone(),
        }
    }

    fn merge(&mut self, later: Self) {
        let Compliance {
            mailbox,
            organization,
            bypass,
        } = later.compliance;
        for (total, part) in self.compliance.mailbox.iter_mut().zip(mailbox) {
            total.merge(part);
        }
        for (total, part) in self.compliance.bypass.iter_mut().zip(bypass) {
            total.merge(part);
        }
        if organization.is_some() {
            self.compliance.organization = organization;
        }
    }
}
