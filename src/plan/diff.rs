//! The planner: current state in, per-object changes out.
//!
//! It is a [`StateVisitor`], so a source streams mailboxes through it one at a time and only the
//! changes are kept. Mailboxes selected by the same policies resolve once: the resolution is
//! cached by the set of selecting policies and the licence tier.

use super::{BypassChange, Change, OrganizationChange, Plan, SkipReason, Skipped};
use crate::catalog::{deprecated_actions, Action, LicenceTier, Remark};
use crate::english::counted;
use crate::model::{
    ActionSet, BypassAssociation, Mailbox, Organization, SplitVisitor, StateVisitor, Tenant,
};
use crate::policy::resolve::{resolve_mailbox_traced, resolve_scalar, Disagreement, Resolved};
use crate::policy::{MailboxPolicy, PolicyRef, PolicySet, Untraced};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use super::conflict::CONFLICT_EXAMPLES;
pub use super::conflict::{Conflict, PlanError};
use super::trace::{MailboxOutcome, ObjectOutcome, PlanTrace};

type ConflictKey = (&'static str, Vec<String>, PolicyRef, PolicyRef);

/// Builds a plan from objects streamed into it, telling `T` how it decided (nothing at all for
/// [`Untraced`], the plan's own choice).
pub struct Planner<'p, T: PlanTrace = Untraced> {
    policies: &'p PolicySet,
    plan: Plan,
    resolutions: HashMap<Box<[u32]>, Arc<Resolved>>,
    selection: Vec<u32>,
    conflicts: BTreeMap<ConflictKey, (String, String, i64, usize, Vec<String>)>,
    /// Lower-cased name → (name as first seen, mailboxes carrying it).
    unknown_actions: BTreeMap<String, (String, usize)>,
    /// Per catalog action, the mailboxes that still carry it though the service rejects it.
    deprecated: [usize; Action::ALL.len()],
    /// Hashes of every mailbox's immutable id, to refuse two mailboxes that share one.
    ids: HashSet<u64>,
    duplicate_ids: (usize, Vec<String>),
    identities: IdentityWatch,
    organization_seen: bool,
    trace: T,
}

/// Plans a tenant that is already in memory.
pub fn plan_tenant(policies: &PolicySet, tenant: &Tenant, source: &str) -> Result<Plan, PlanError> {
    let mut planner = Planner::new(policies, source);
    if let Some(organization) = &tenant.organization {
        planner.organization(organization.clone());
    }
    for association in &tenant.bypass {
        planner.bypass(association.clone());
    }
    for mailbox in &tenant.mailboxes {
        planner.observe_mailbox(mailbox);
    }
    planner.finish()
}

impl<'p> Planner<'p> {
    pub fn new(policies: &'p PolicySet, source: &str) -> Self {
        Planner::traced(policies, source, Untraced)
    }
}

impl<'p, T: PlanTrace> Planner<'p, T> {
    /// A planner that tells `trace` how it decides each mailbox.
    pub fn traced(policies: &'p PolicySet, source: &str, trace: T) -> Self {
        Planner {
            policies,
            plan: Plan {
                source: source.to_string(),
                ..Plan::default()
            },
            resolutions: HashMap::new(),
            selection: Vec::new(),
            conflicts: BTreeMap::new(),
            unknown_actions: BTreeMap::new(),
            deprecated: [0; Action::ALL.len()],
            ids: HashSet::new(),
            duplicate_ids: (0, Vec::new()),
            identities: IdentityWatch::new(policies),
            organization_seen: false,
            trace,
        }
    }

    pub fn observe_mailbox(&mut self, mailbox: &Mailbox) {
        self.note_unusual_actions(mailbox);
        let tier_marker = match mailbox.licence {
            LicenceTier::E5 => u32::MAX,
            LicenceTier::NonE5 => u32::MAX - 1,
        };
        self.selection.clear();
        self.selection.push(tier_marker);
        let policies = self.policies;
        for (index, policy) in policies.mailbox.iter().enumerate() {
            self.trace.policy(index);
            let selects = policy.selector.matches_traced(mailbox, &mut self.trace);
            self.trace.selected(index, selects);
            if selects {
                self.selection.push(index as u32);
            }
        }
        if self.selection.len() == 1 {
            self.plan.unchanged += 1;
            self.trace
                .outcome(mailbox, &[], MailboxOutcome::NotSelected);
            return;
        }
        let selected: Vec<&MailboxPolicy> = self.selection[1..]
            .iter()
            .map(|&index| &policies.mailbox[index as usize])
            .collect();
        if mailbox.recipient_type.is_fixed_configuration() {
            self.skip(mailbox, SkipReason::FixedConfiguration, &selected);
            return;
        }
        let resolved = match self.resolutions.get(&self.selection[..]) {
            Some(resolved) => Arc::clone(resolved),
            None => {
                self.trace.resolving(mailbox.licence, &self.selection[1..]);
                let resolved = Arc::new(resolve_mailbox_traced(
                    &selected,
                    mailbox.licence,
                    &mut self.trace,
                ));
                self.resolutions.insert(
                    self.selection.clone().into_boxed_slice(),
                    Arc::clone(&resolved),
                );
                resolved
            }
        };
        if !resolved.disagreements.is_empty() {
            let priorities: Vec<i64> = selected.iter().map(|p| p.priority).collect();
            let refs: Vec<&PolicyRef> = selected.iter().map(|p| &p.reference).collect();
            for disagreement in &resolved.disagreements {
                self.tally_conflict(disagreement, &refs, &priorities, mailbox.names.display());
            }
            let outcome = MailboxOutcome::Conflict(&resolved.disagreements);
            self.trace.outcome(mailbox, &self.selection[1..], outcome);
            return;
        }
        match diff_mailbox(mailbox, &resolved, &selected) {
            Outcome::Unchanged => {
                self.plan.unchanged += 1;
                let outcome = MailboxOutcome::Unchanged;
                self.trace.outcome(mailbox, &self.selection[1..], outcome);
            }
            Outcome::Change(change) => {
                self.plan.mailbox_changes.push(*change);
                if let Some(change) = self.plan.mailbox_changes.last() {
                    let outcome = MailboxOutcome::Changed(change);
                    self.trace.outcome(mailbox, &self.selection[1..], outcome);
                }
            }
            Outcome::Skip(reason) => self.skip(mailbox, reason, &selected),
        }
    }

    fn skip(&mut self, mailbox: &Mailbox, reason: SkipReason, selected: &[&MailboxPolicy]) {
        self.plan.skipped.push(Skipped {
            subject: subject(&mailbox.names),
            recipient_type: mailbox.recipient_type.clone(),
            reason,
            policies: sorted_refs(selected.iter().map(|p| &p.reference)),
        });
        if let Some(skipped) = self.plan.skipped.last() {
            let outcome = MailboxOutcome::Skipped(&skipped.reason);
            self.trace.outcome(mailbox, &self.selection[1..], outcome);
        }
    }

    fn note_unusual_actions(&mut self, mailbox: &Mailbox) {
        let mut carried = ActionSet::EMPTY;
        for list in &mailbox.audit.lists {
            carried = carried.union(list.known);
            for name in &list.unknown {
                let entry = self
                    .unknown_actions
                    .entry(name.to_ascii_lowercase())
                    .or_insert_with(|| (name.to_string(), 0));
                entry.1 += 1;
            }
        }
        for action in carried.intersection(deprecated_actions()).iter() {
            self.deprecated[action as usize] += 1;
        }
        self.identities.observe(&mailbox.names);
        let id = mailbox.names.immutable_id();
        if !self.ids.insert(name_hash(id)) {
            self.note_duplicate(id);
        }
    }

    fn note_duplicate(&mut self, id: &str) {
        self.duplicate_ids.0 += 1;
        if self.duplicate_ids.1.len() < CONFLICT_EXAMPLES {
            self.duplicate_ids.1.push(id.to_string());
        }
    }

    fn tally_conflict(
        &mut self,
        disagreement: &Disagreement,
        refs: &[&PolicyRef],
        priorities: &[i64],
        example: &str,
    ) {
        let key = (
            disagreement.property,
            disagreement.actions.clone(),
            refs[disagreement.first].clone(),
            refs[disagreement.second].clone(),
        );
        let entry = self.conflicts.entry(key).or_insert_with(|| {
            (
                disagreement.first_says.clone(),
                disagreement.second_says.clone(),
                priorities[disagreement.first],
                0,
                Vec::new(),
            )
        });
        entry.3 += 1;
        if entry.4.len() < CONFLICT_EXAMPLES {
            entry.4.push(example.to_string());
        }
    }

    /// Ends the plan: conflicts become an error; everything else is in the plan.
    pub fn finish(self) -> Result<Plan, PlanError> {
        self.finish_traced().0
    }

    /// [`Self::finish`], handing the tracer back.
    pub fn finish_traced(mut self) -> (Result<Plan, PlanError>, T) {
        let plan = self.conclude();
        (plan, self.trace)
    }

    fn conclude(&mut self) -> Result<Plan, PlanError> {
        if self.duplicate_ids.0 > 0 {
            let (count, examples) = std::mem::take(&mut self.duplicate_ids);
            return Err(PlanError::DuplicateIds { count, examples });
        }
        if !self.conflicts.is_empty() {
            let conflicts = std::mem::take(&mut self.conflicts)
                .into_iter()
                .map(
                    |(
                        (property, actions, first, second),
                        (first_says, second_says, priority, affected, examples),
                    )| Conflict {
                        property,
                        actions,
                        first,
                        first_says,
                        second,
                        second_says,
                        priority,
                        affected,
                        examples,
                    },
                )
                .collect();
            return Err(PlanError::Conflicts(conflicts));
        }
        if !self.organization_seen {
            for policy in &self.policies.organization {
                if policy.audit_disabled.is_some() {
                    self.plan.warnings.push(format!(
                        "the state has no organization config, so policy `{}` was not checked; read the tenant live or add \"organization\" to the snapshot",
                        policy.reference.name
                    ));
                }
            }
        }
        if !self.unknown_actions.is_empty() {
            let listed: Vec<String> = self
                .unknown_actions
                .values()
                .map(|(name, count)| {
                    format!("{name} ({})", counted(*count, "mailbox", "mailboxes"))
                })
                .collect();
            self.plan.warnings.push(format!(
                "audit actions unknown to this version of auditform were read and kept as they are: {}; only a policy's `exactly`, or a `default` that restores Microsoft's list, removes them",
                listed.join(", ")
            ));
        }
        self.plan
            .warnings
            .extend(self.identities.unmatched_warnings());
        for action in deprecated_actions().iter() {
            let count = self.deprecated[action as usize];
            if let (true, Remark::Deprecated { service_message }) =
                (count > 0, action.info().remark)
            {
                self.plan.warnings.push(format!(
                    "{action} is still audited on {}, though the service answers \"{service_message}\"; it stays until a policy's `exactly` or `default` replaces that list",
                    counted(count, "mailbox", "mailboxes")
                ));
            }
        }
        Ok(std::mem::take(&mut self.plan))
    }
}

/// Workers plan blocks of a large export each with their own part; merging the parts in file
/// order gives the plan one planner would have made.
impl<T: PlanTrace> SplitVisitor for Planner<'_, T> {
    fn split(&self) -> Self {
        Planner::traced(self.policies, &self.plan.source, self.trace.split())
    }

    fn merge(&mut self, later: Self) {
        let Planner {
            plan,
            conflicts,
            unknown_actions,
            deprecated,
            ids,
            duplicate_ids,
            identities,
            organization_seen,
            trace,
            ..
        } = later;
        self.trace.merge(trace);
        self.plan.mailbox_changes.extend(plan.mailbox_changes);
        self.plan.skipped.extend(plan.skipped);
        self.plan.bypass_changes.extend(plan.bypass_changes);
        if plan.organization_change.is_some() {
            self.plan.organization_change = plan.organization_change;
        }
        self.plan.warnings.extend(plan.warnings);
        self.plan.unchanged += plan.unchanged;
        for (key, (first_says, second_says, priority, affected, examples)) in conflicts {
            let entry = self
                .conflicts
                .entry(key)
                .or_insert_with(|| (first_says, second_says, priority, 0, Vec::new()));
            entry.3 += affected;
            let room = CONFLICT_EXAMPLES.saturating_sub(entry.4.len());
            entry.4.extend(examples.into_iter().take(room));
        }
        for (lowered, (name, count)) in unknown_actions {
            self.unknown_actions
                .entry(lowered)
                .or_insert_with(|| (name, 0))
                .1 += count;
        }
        for (total, count) in self.deprecated.iter_mut().zip(deprecated) {
            *total += count;
        }
        self.identities.merge(identities);
        self.duplicate_ids.0 += duplicate_ids.0;
        for id in duplicate_ids.1 {
            if self.duplicate_ids.1.len() < CONFLICT_EXAMPLES {
                self.duplicate_ids.1.push(id);
            }
        }
        // An id first seen in an earlier part and again in this one is a duplicate too.
        for hash in ids {
            if !self.ids.insert(hash) {
                self.duplicate_ids.0 += 1;
            }
        }
        self.organization_seen |= organization_seen;
    }
}

impl<T: PlanTrace> StateVisitor for Planner<'_, T> {
    fn organization(&mut self, organization: Organization) {
        self.organization_seen = true;
        let mut disagreements = Vec::new();
        let policies = &self.policies.organization;
        let Some(desired) = resolve_scalar(
            policies
                .iter()
                .map(|p| (&*p.reference.name, p.priority, p.audit_disabled)),
            "AuditDisabled",
            |value| value.to_string(),
            &mut disagreements,
        ) else {
            let refs: Vec<&PolicyRef> = policies.iter().map(|p| &p.reference).collect();
            let priorities: Vec<i64> = policies.iter().map(|p| p.priority).collect();
            for disagreement in &disagreements {
                self.tally_conflict(disagreement, &refs, &priorities, "organization config");
            }
            let outcome = if disagreements.is_empty() {
                ObjectOutcome::NotSelected
            } else {
                ObjectOutcome::Conflict
            };
            self.trace.organization(outcome);
            return;
        };
        let changed = desired.value != organization.audit_disabled;
        self.trace.organization(if changed {
            ObjectOutcome::Changed
        } else {
            ObjectOutcome::Unchanged
        });
        if changed {
            self.plan.organization_change = Some(OrganizationChange {
                audit_disabled: Change {
                    before: organization.audit_disabled,
                    after: desired.value,
                },
                policies: vec![policies[desired.winner].reference.clone()],
            });
        }
    }

    fn bypass(&mut self, association: BypassAssociation) {
        self.identities.observe(&association.names);
        let selected: Vec<_> = self
            .policies
            .bypass
            .iter()
            .filter(|policy| policy.selector.matches(&association))
            .collect();
        let mut disagreements = Vec::new();
        let desired = resolve_scalar(
            selected
                .iter()
                .map(|p| (&*p.reference.name, p.priority, Some(p.bypass))),
            "AuditBypassEnabled",
            |value| value.to_string(),
            &mut disagreements,
        );
        if !disagreements.is_empty() {
            let refs: Vec<&PolicyRef> = selected.iter().map(|p| &p.reference).collect();
            let priorities: Vec<i64> = selected.iter().map(|p| p.priority).collect();
            for disagreement in &disagreements {
                self.tally_conflict(
                    disagreement,
                    &refs,
                    &priorities,
                    association.names.display(),
                );
            }
            let outcome = ObjectOutcome::Conflict;
            self.trace.bypass(&association, &selected, outcome);
            return;
        }
        let changed = desired.is_some_and(|desired| desired.value != association.bypass_enabled);
        let outcome = match desired {
            None => ObjectOutcome::NotSelected,
            Some(_) if changed => ObjectOutcome::Changed,
            Some(_) => ObjectOutcome::Unchanged,
        };
        self.trace.bypass(&association, &selected, outcome);
        if let Some(desired) = desired {
            if changed {
                self.plan.bypass_changes.push(BypassChange {
                    subject: subject(&association.names),
                    bypass_enabled: Change {
                        before: association.bypass_enabled,
                        after: desired.value,
                    },
                    policies: vec![selected[desired.winner].reference.clone()],
                });
            }
        }
    }

    fn mailbox(&mut self, mailbox: Mailbox) {
        self.observe_mailbox(&mailbox);
    }
}

mod identity_watch;
use identity_watch::{name_hash, IdentityWatch};

mod mailbox_diff;
use mailbox_diff::{diff_mailbox, sorted_refs, subject, Outcome};

#[cfg(test)]
mod tests;
