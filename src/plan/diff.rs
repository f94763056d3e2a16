//! The planner: current state in, per-object changes out.
//!
//! It is a [`StateVisitor`], so a source streams mailboxes through it one at a time and only the
//! changes are kept. Mailboxes selected by the same policies resolve once: the resolution is
//! cached by the set of selecting policies and the licence tier.

use super::{BypassChange, Change, OrganizationChange, Plan, SkipReason, Skipped};
use crate::catalog::{deprecated_actions, Action};
use crate::english::counted;
use crate::model::{
    ActionSet, BypassAssociation, Mailbox, Organization, RecipientType, SplitVisitor, StateVisitor,
    Tenant,
};
use crate::policy::resolve::{resolve_mailbox, resolve_scalar, Disagreement, Resolved};
use crate::policy::{MailboxPolicy, PolicyRef, PolicySet};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub use super::conflict::{Conflict, PlanError, SharedIdNamer};
use super::conflict::{SharedId, CONFLICT_EXAMPLES};

type ConflictKey = (&'static str, Vec<String>, PolicyRef, PolicyRef);

/// Builds a plan from objects streamed into it.
pub struct Planner<'p> {
    policies: &'p PolicySet,
    plan: Plan,
    resolutions: HashMap<Box<[u32]>, Arc<Resolved>>,
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
    /// Each mailbox's immutable id (hashed) and its position, to refuse two that share one.
    ids: HashMap<u64, u32>,
    duplicate_ids: (usize, Vec<SharedId>),
    identities: IdentityWatch,
    organization_seen: bool,
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
        Planner {
            policies,
            plan: Plan {
                source: source.to_string(),
                declared_actions: policies.catalog.declared().to_vec(),
                ..Plan::default()
            },
            resolutions: HashMap::new(),
            selection: Vec::new(),
            conflicts: BTreeMap::new(),
            unknown_actions: BTreeMap::new(),
            deprecated: [0; Action::ALL.len()],
            unknown_types: BTreeMap::new(),
            mailboxes_seen: 0,
            group_mailboxes_seen: 0,
            allow_empty: false,
            ids: HashMap::new(),
            duplicate_ids: (0, Vec::new()),
            identities: IdentityWatch::new(policies),
            organization_seen: false,
        }
    }

    pub fn observe_mailbox(&mut self, mailbox: &Mailbox) {
        self.note_unusual(mailbox);
        self.selection.clear();
        for (index, policy) in self.policies.mailbox.iter().enumerate() {
            if policy.selector.matches(mailbox) {
                self.selection.push(index as u32);
            }
        }
        if self.selection.is_empty() {
            self.plan.unchanged += 1;
            return;
        }
        let selected: Vec<&MailboxPolicy> = self
            .selection
            .iter()
            .map(|&index| &self.policies.mailbox[index as usize])
            .collect();
        if mailbox.recipient_type.is_fixed_configuration() {
            self.observe_group_mailbox(mailbox, &selected);
            return;
        }
        let resolved = match self.resolutions.get(&self.selection[..]) {
            Some(resolved) => Arc::clone(resolved),
            None => {
                let resolved = Arc::new(resolve_mailbox(&selected, &self.policies.catalog));
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
            return;
        }
        match diff_mailbox(mailbox, &resolved, &selected, &self.policies.catalog) {
            Outcome::Unchanged => self.plan.unchanged += 1,
            Outcome::Change(change) => self.plan.mailbox_changes.push(*change),
            Outcome::Skip(reason) => self.plan.skipped.push(Skipped {
                subject: subject(&mailbox.names),
                recipient_type: mailbox.recipient_type.clone(),
                reason,
                policies: sorted_refs(selected.iter().map(|p| &p.reference)),
            }),
        }
    }

    /// A Microsoft 365 Group mailbox: only AuditLogAgeLimit is resolved and planned. What
    /// policies ask of its lists and AuditEnabled is skipped, with the reason, and never
    /// resolved, so it can't conflict.
    fn observe_group_mailbox(&mut self, mailbox: &Mailbox, selected: &[&MailboxPolicy]) {
        let mut disagreements = Vec::new();
        let log_age_limit = resolve_scalar(
            selected
                .iter()
                .map(|p| (&*p.reference.name, p.priority, p.audit.log_age_limit)),
            "AuditLogAgeLimit",
            |value| value.to_string(),
            &mut disagreements,
        );
        if !disagreements.is_empty() {
            let priorities: Vec<i64> = selected.iter().map(|p| p.priority).collect();
            let refs: Vec<&PolicyRef> = selected.iter().map(|p| &p.reference).collect();
            for disagreement in &disagreements {
                self.tally_conflict(disagreement, &refs, &priorities, mailbox.names.display());
            }
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
        match diff_group_mailbox(mailbox, log_age_limit, selected) {
            Some(change) => self.plan.mailbox_changes.push(change),
            None if asks_fixed_settings(selected) => {}
            None => self.plan.unchanged += 1,
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
        // One lookup per mailbox: the entry both finds an earlier holder and claims the id.
        match self.ids.entry(name_hash(id)) {
            Entry::Occupied(first) => {
                let first = *first.get() as usize;
                self.note_duplicate(SharedId::found(id, first, position, &mailbox.names));
            }
            Entry::Vacant(slot) => {
                slot.insert(position as u32);
            }
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

    /// Ends the plan: conflicts become an error; everything else is in the plan.
    /// Lets the state hold no mailbox at all. Without it, a state with none is refused: an
    /// export that failed or was cut short would otherwise pass every drift check.
    pub fn allow_empty_state(&mut self, allow: bool) {
        self.allow_empty = allow;
    }

    pub fn finish(mut self) -> Result<Plan, PlanError> {
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
                "audit actions unknown to this version of auditform were read and kept as they are: {}; only a policy's `exactly`, or a `default` that restores Microsoft's list, removes them",
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
        Ok(self.plan)
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
impl SplitVisitor for Planner<'_> {
    fn split(&self) -> Self {
        let mut part = Planner::new(self.policies, &self.plan.source);
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
            ..
        } = later;
        // The later part counted its mailboxes from zero; they come after this part's.
        let offset = self.mailboxes_seen;
        self.mailboxes_seen += mailboxes_seen;
        self.group_mailboxes_seen += group_mailboxes_seen;
        for (name, count) in unknown_types {
            *self.unknown_types.entry(name).or_default() += count;
        }
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
        let mut later_ids: Vec<(u64, u32)> = ids.into_iter().collect();
        later_ids.sort_by_key(|(_, position)| *position);
        let mut shared = Vec::new();
        for (hash, position) in later_ids {
            let position = position as usize + offset;
            match self.ids.get(&hash) {
                Some(&first) => shared.push(SharedId::at(first as usize, position)),
                None => {
                    self.ids.insert(hash, position as u32);
                }
            }
        }
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

impl StateVisitor for Planner<'_> {
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
            return;
        };
        if desired.value != organization.audit_disabled {
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
            return;
        }
        if let Some(desired) = desired {
            if desired.value != association.bypass_enabled {
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
