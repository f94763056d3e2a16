//! The tracer that records everything the planner decides about one mailbox.

use super::selection::SelectionBuilder;
use super::{
    said_by, ActionVerdicts, Decision, Resolution, ScalarVerdicts, Selection, SelectorTrace, Vote,
};
use crate::catalog::LicenceTier;
use crate::model::{LogonType, PropertyValue};
use crate::plan::trace::PlanTrace;
use crate::policy::opath::{Expr, FilterTrace};
use crate::policy::resolve::{ListVerdicts, ResolveTrace, ScalarTrace, SlotDecision, SlotTrace};
use crate::policy::select::{Condition, SelectTrace};
use crate::policy::PolicySet;

/// Records the planner's events for one mailbox.
#[derive(Debug, Default)]
pub(super) struct Recorder {
    builder: SelectionBuilder,
    /// (policy index in the set, selected, why), in the order the planner tested them.
    selections: Vec<(usize, bool, SelectorTrace)>,
    /// The indexes (in the set) of the policies being resolved.
    resolving: Option<Vec<u32>>,
    lists: [Vec<ActionVerdicts>; 3],
    managed_defaults: [bool; 3],
    scalars: Vec<ScalarVerdicts>,
}

impl Recorder {
    pub(super) fn selected_any(&self) -> bool {
        self.selections.iter().any(|(_, selected, _)| *selected)
    }

    /// The selections, in the policy set's order, and the resolution.
    pub(super) fn into_parts(self, policies: &PolicySet) -> (Vec<Selection>, Option<Resolution>) {
        let selections = self
            .selections
            .into_iter()
            .filter_map(|(index, selected, trace)| {
                let policy = policies.mailbox.get(index)?;
                Some(Selection {
                    policy: policy.reference.clone(),
                    priority: policy.priority,
                    selected,
                    trace,
                })
            })
            .collect();
        let resolution = self.resolving.map(|selection| Resolution {
            policies: selection
                .iter()
                .filter_map(|&index| policies.mailbox.get(index as usize))
                .map(|policy| (policy.reference.clone(), policy.priority))
                .collect(),
            lists: self.lists,
            scalars: self.scalars,
            managed_defaults: self.managed_defaults,
        });
        (selections, resolution)
    }
}

impl FilterTrace for Recorder {
    const EVERY_CLAUSE: bool = true;
    fn clause(&mut self, clause: &Expr, actual: &PropertyValue, held: bool) {
        self.builder.clause(clause, actual, held);
    }
    fn enter(&mut self, node: &Expr) {
        self.builder.enter(node);
    }
    fn leave(&mut self, held: bool) {
        self.builder.leave(held);
    }
}

impl SelectTrace for Recorder {
    const EVERY_CONDITION: bool = true;
    fn condition(&mut self, condition: Condition<'_>, held: bool) {
        self.builder.condition(condition, held);
    }
    fn enter_exclude(&mut self) {
        self.builder.enter_exclude();
    }
    fn leave_exclude(&mut self, excluded: bool) {
        self.builder.leave_exclude(excluded);
    }
}

impl ResolveTrace for Recorder {
    fn list_slot(&mut self, slot: &SlotTrace<'_>) {
        let votes = slot
            .votes()
            .map(|(policy, priority, verdict, spec)| Vote {
                policy,
                priority,
                verdict,
                said_by: said_by(spec, verdict),
            })
            .collect();
        let decision = match slot.decision {
            SlotDecision::Won { policy, verdict } => Decision::Won { policy, verdict },
            SlotDecision::Disputed {
                requirer,
                forbidder,
            } => Decision::Disputed {
                requirer,
                forbidder,
            },
        };
        self.lists[slot.logon.index()].push(ActionVerdicts {
            action: slot.action,
            declared: slot.declared.map(Into::into),
            votes,
            decision,
            keeps_defaults: slot.keeps_defaults,
        });
    }

    fn list(&mut self, logon: LogonType, verdicts: &ListVerdicts) {
        self.managed_defaults[logon.index()] = verdicts.managed_defaults;
    }

    fn scalar(&mut self, scalar: &ScalarTrace<'_>) {
        self.scalars.push(ScalarVerdicts {
            property: scalar.property,
            votes: scalar.votes(),
            winner: scalar.winner,
        });
    }
}

impl PlanTrace for Recorder {
    fn policy(&mut self, _index: usize) {
        self.builder.start();
    }

    fn selected(&mut self, index: usize, selected: bool) {
        let trace = self.builder.finish();
        self.selections.push((index, selected, trace));
    }

    fn resolving(&mut self, _tier: LicenceTier, selection: &[u32]) {
        self.resolving = Some(selection.to_vec());
        self.lists = Default::default();
        self.managed_defaults = [false; 3];
        self.scalars.clear();
    }

    fn split(&self) -> Self {
        Recorder::default()
    }

    /// A recorder explains one mailbox, planned by one planner; parts have nothing to add.
    fn merge(&mut self, _later: Self) {}
}
