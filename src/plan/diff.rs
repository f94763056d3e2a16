//! The planner: current state in, per-object changes out.
//!
//! It is a [`StateVisitor`], so a source streams mailboxes through it one at a time and only the
//! changes are kept. Mailboxes selected by the same policies resolve once: the resolution is
//! cached by the set of selecting policies and the licence tier.

use super::{BypassChange, Change, OrganizationChange, Plan, SkipReason, Skipped};
use crate::catalog::{deprecated_actions, Action, LicenceTier};
use crate::english::counted;
use crate::model::{
    ActionSet, BypassAssociation, Mailbox, Organization, RecipientType, SplitVisitor, StateVisitor,
    Tenant,
};
use crate::policy::resolve::{
    resolve_mailbox_traced, resolve_scalar, resolve_scalar_traced, Disagreement, Resolved,
};
use crate::policy::{MailboxPolicy, PolicyRef, PolicySet, Untraced};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub use super::conflict::{Conflict, PlanError, SharedIdNamer};
use super::conflict::{SharedId, CONFLICT_EXAMPLES};
use super::trace::{MailboxOutcome, ObjectOutcome, PlanTrace};

type ConflictKey = (&'static str, Vec<String>, PolicyRef, PolicyRef);

/// Builds a plan from objects streamed into it, telling `T` how it decided (nothing at all for
/// [`Untraced`], the plan's own choice).
pub struct Planner<'p, T: PlanTrace = Untraced> {
    policies: &'p PolicySet,
    plan: Plan,
    resolutions: HashMap<Box<[u32]>, Arc<Resolved>>,
    policy_lists: PolicyLists,
    selection: Vec<u32>,
    conflicts: BTreeMap<ConflictKey, (String, String, i64, usize, Vec<String>)>,
    /// Lower-cased name → (name as first seen, mailboxes carrying it), for names neither the
    /// catalog nor the policy set's declarations know.
    unknown_actions: BTreeMap<String, (String, usize)>,
    /// Per catalog action, the mailboxes that still carry it though it is deprecated.
    deprecated: [usize; Action::ALL.len()],
    /// Per RecipientTypeDetails value this version does not know, the mailboxes carrying it.
    unknown_types: BTreeMap<String, usize>,
    /// Mailboxes seen, in the order the source gave them.
    mailboxes_seen: usize,
    group_mailboxes_seen: usize,
    allow_empty: bool,
    /// Each mailbox's immutable id and its position, to refuse two that share one.
    ids: IdRegistry,
    duplicate_ids: (usize, Vec<SharedId>),
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
    planner.finish().map_err(|mut error| {
        let mut namer = SharedIdNamer::new(&error);
        for mailbox in &tenant.mailboxes {
            namer.mailbox(mailbox.clone());
        }
        namer.name(&mut error);
        error
    })
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
                declared_actions: policies.catalog.declared().to_vec(),
                ..Plan::default()
            },
            resolutions: HashMap::new(),
            policy_lists: PolicyLists::default(),
            selection: Vec::new(),
            conflicts: BTreeMap::new(),
            unknown_actions: BTreeMap::new(),
            deprecated: [0; Action::ALL.len()],
            unknown_types: BTreeMap::new(),
            mailboxes_seen: 0,
            group_mailboxes_seen: 0,
            allow_empty: false,
            ids: IdRegistry::default(),
            duplicate_ids: (0, Vec::new()),
            identities: IdentityWatch::new(policies),
            organization_seen: false,
            trace,
        }
    }

    pub fn observe_mailbox(&mut self, mailbox: &Mailbox) {
        self.note_unusual(mailbox);
        // Resolution does not depend on the licence (the managed defaults are the same on every
        // one), but a tracer is told of each set of policies per licence tier, as explain shows.
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
            self.observe_group_mailbox(mailbox, &selected);
            return;
        }
        let resolved = match self.resolutions.get(&self.selection[..]) {
            Some(resolved) => Arc::clone(resolved),
            None => {
                self.trace.resolving(mailbox.licence, &self.selection[1..]);
                let resolved = Arc::new(resolve_mailbox_traced(
                    &selected,
                    &policies.catalog,
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
        let outcome = diff_mailbox(
            mailbox,
            &resolved,
            &self.selection[1..],
            policies,
            &mut self.policy_lists,
        );
        match outcome {
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

    /// A Microsoft 365 Group mailbox: only AuditLogAgeLimit is resolved and planned. What
    /// policies ask of its lists and AuditEnabled is skipped, with the reason, and never
    /// resolved, so it can't conflict.
    fn observe_group_mailbox(&mut self, mailbox: &Mailbox, selected: &[&MailboxPolicy]) {
        // A tracer keeps what it learns of a set of policies until the set is resolved again,
        // and this resolution is not the whole one a user mailbox of the same set gets: so that
        // one is dropped from the cache, and the next mailbox of the set resolves (and is
        // traced) afresh, as it would in a part of the state planned on its own.
        self.resolutions.remove(&self.selection[..]);
        self.trace.resolving(mailbox.licence, &self.selection[1..]);
        let mut disagreements = Vec::new();
        let log_age_limit = resolve_scalar_traced(
            selected
                .iter()
                .map(|p| (&*p.reference.name, p.priority, p.audit.log_age_limit)),
            "AuditLogAgeLimit",
            |value| value.to_string(),
            &mut disagreements,
            &mut self.trace,
        );
        if !disagreements.is_empty() {
            let priorities: Vec<i64> = selected.iter().map(|p| p.priority).collect();
            let refs: Vec<&PolicyRef> = selected.iter().map(|p| &p.reference).collect();
            for disagreement in &disagreements {
                self.tally_conflict(disagreement, &refs, &priorities, mailbox.names.display());
            }
            let outcome = MailboxOutcome::Conflict(&disagreements);
            self.trace.outcome(mailbox, &self.selection[1..], outcome);
            return;
        }
        if asks_fixed_settings(selected) {
            let asking = selected.iter().filter(|policy| {
                policy.audit.enabled.is_some() || policy.audit.lists.iter().any(Option::is_some)
            });
            self.plan.skipped.push(Skipped {
                subject: subject(&mailbox.names),
                recipient_type: mailbox.recipient_type.clone(),
                reason: SkipReason::FixedConfiguration,
                policies: sorted_refs(asking.map(|p| &p.reference)),
            });
        }
        let change = diff_group_mailbox(mailbox, log_age_limit, selected);
        let changed = change.is_some();
        if let Some(change) = change {
            self.plan.mailbox_changes.push(change);
        }
        // What was asked and can't be done outweighs a change that can: a tracer is told the
        // mailbox was skipped, so that no policy selecting it is counted as met.
        let outcome = if asks_fixed_settings(selected) {
            self.plan
                .skipped
                .last()
                .map(|skipped| MailboxOutcome::Skipped(&skipped.reason))
        } else if changed {
            self.plan
                .mailbox_changes
                .last()
                .map(MailboxOutcome::Changed)
        } else {
            self.plan.unchanged += 1;
            Some(MailboxOutcome::Unchanged)
        };
        if let Some(outcome) = outcome {
            self.trace.outcome(mailbox, &self.selection[1..], outcome);
        }
    }

    fn note_unusual(&mut self, mailbox: &Mailbox) {
        let position = self.mailboxes_seen;
        self.mailboxes_seen += 1;
        let mut carried = ActionSet::EMPTY;
        for list in &mailbox.audit.lists {
            carried = carried.union(list.known);
            for name in &list.unknown {
                if self.policies.catalog.find_declared(name).is_some() {
                    continue;
                }
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
        if mailbox.recipient_type.is_fixed_configuration() {
            self.group_mailboxes_seen += 1;
        }
        if let RecipientType::Other(name) = &mailbox.recipient_type {
            match self.unknown_types.get_mut(&**name) {
                Some(count) => *count += 1,
                None => {
                    self.unknown_types.insert(name.to_string(), 1);
                }
            }
        }
        self.identities.observe(&mailbox.names);
        let id = mailbox.names.immutable_id();
        if let Some(first) = self.ids.claim(id) {
            self.note_duplicate(SharedId::found(id, first, position, &mailbox.names));
        }
    }

    fn note_duplicate(&mut self, shared: SharedId) {
        self.duplicate_ids.0 += 1;
        if self.duplicate_ids.1.len() < CONFLICT_EXAMPLES {
            self.duplicate_ids.1.push(shared);
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

    /// Lets the state hold no mailbox at all. Without it, a state with none is refused: an
    /// export that failed or was cut short would otherwise pass every drift check.
    pub fn allow_empty_state(&mut self, allow: bool) {
        self.allow_empty = allow;
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
        if self.mailboxes_seen == 0 && !self.allow_empty {
            return Err(PlanError::EmptyState {
                state: self.plan.source.clone(),
            });
        }
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
                "audit actions unknown to this version of auditform were read and kept as they are: {}; only a policy's `exactly`, or a `default` that restores Microsoft's list, removes them (to name one in policies, declare it: `kind: AuditActionDeclaration`, docs/policies.md)",
                listed.join(", ")
            ));
        }
        self.plan
            .warnings
            .extend(self.identities.unmatched_warnings());
        for action in deprecated_actions().iter() {
            let count = self.deprecated[action as usize];
            if count > 0 {
                self.plan.warnings.push(format!(
                    "{action} is still audited on {}, though it is deprecated and no longer logged; it stays until a policy removes it (`remove`, `exactly` or `default`)",
                    counted(count, "mailbox", "mailboxes")
                ));
            }
        }
        for (name, count) in &self.unknown_types {
            self.plan.warnings.push(format!(
                "RecipientTypeDetails `{}` is unknown to this version of auditform; {} carrying it {} planned as ordinary mailboxes (a `recipientTypeDetails` selector never names it)",
                one_line(name),
                counted(*count, "mailbox", "mailboxes"),
                if *count == 1 { "is" } else { "are" },
            ));
        }
        if let Some(warning) = self.missing_group_mailboxes() {
            self.plan.warnings.push(warning);
        }
        Ok(std::mem::take(&mut self.plan))
    }

    /// A PowerShell export made with Get-EXOMailbox holds no group mailbox: that cmdlet can't
    /// return them [EV-5.1] (evidence-service.md W5). So a state without one says nothing about
    /// whether the tenant has any, and a policy that would set their AuditLogAgeLimit is told so.
    fn missing_group_mailboxes(&self) -> Option<String> {
        if self.group_mailboxes_seen > 0 {
            return None;
        }
        // The alphabetically first such policy, so that the order of files changes nothing.
        let policy = self
            .policies
            .mailbox
            .iter()
            .filter(|policy| {
                let selector = &policy.selector;
                let names_groups = selector
                    .recipient_types
                    .iter()
                    .any(RecipientType::is_fixed_configuration);
                names_groups
                    || (selector.recipient_types.is_empty() && policy.audit.log_age_limit.is_some())
            })
            .min_by_key(|policy| &policy.reference.name)?;
        Some(format!(
            "the state holds no GroupMailbox, so policy `{}` set no group mailbox's AuditLogAgeLimit; Get-EXOMailbox never returns group mailboxes, so if the tenant has Microsoft 365 Groups, export them too with `Get-Mailbox -GroupMailbox -ResultSize Unlimited` (see docs/recipes.md)",
            policy.reference.name
        ))
    }
}

/// Workers plan blocks of a large export each with their own part; merging the parts in file
/// order gives the plan one planner would have made.
impl<T: PlanTrace> SplitVisitor for Planner<'_, T> {
    fn split(&self) -> Self {
        let mut part = Planner::traced(self.policies, &self.plan.source, self.trace.split());
        part.allow_empty = self.allow_empty;
        part
    }

    fn merge(&mut self, later: Self) {
        let Planner {
            plan,
            conflicts,
            unknown_actions,
            deprecated,
            unknown_types,
            mailboxes_seen,
            group_mailboxes_seen,
            ids,
            duplicate_ids,
            identities,
            organization_seen,
            trace,
            ..
        } = later;
        // The later part counted its mailboxes from zero; they come after this part's.
        let offset = self.mailboxes_seen;
        self.mailboxes_seen += mailboxes_seen;
        self.group_mailboxes_seen += group_mailboxes_seen;
        for (name, count) in unknown_types {
            *self.unknown_types.entry(name).or_default() += count;
        }
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
        // An id first seen in an earlier part and again in this one is a duplicate too; the
        // later part has not named either mailbox, so [`SharedIdNamer`] names them from their
        // positions.
        let shared: Vec<SharedId> = self
            .ids
            .absorb(ids)
            .into_iter()
            .map(|(first, position)| SharedId::at(first, position))
            .collect();
        self.duplicate_ids.0 += duplicate_ids.0 + shared.len();
        let within_later = duplicate_ids.1.into_iter().map(|mut id| {
            id.shift(offset);
            id
        });
        let mut examples: Vec<SharedId> = within_later.chain(shared).collect();
        examples.sort_by_key(|id| id.positions[1]);
        for id in examples {
            if self.duplicate_ids.1.len() < CONFLICT_EXAMPLES {
                self.duplicate_ids.1.push(id);
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
use identity_watch::IdentityWatch;

mod id_registry;
use id_registry::IdRegistry;

mod policy_lists;
use policy_lists::PolicyLists;

mod mailbox_diff;
use mailbox_diff::{
    asks_fixed_settings, diff_group_mailbox, diff_mailbox, sorted_refs, subject, Outcome,
};

/// Text from the state, on one line: a control character would break a warning's line.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests;
