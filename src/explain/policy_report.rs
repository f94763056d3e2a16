//! What one policy does over a whole tenant, for `explain --policy NAME`: the mailboxes it
//! selects, where its verdicts win, where a policy of a higher priority overrides them, and
//! which mailboxes its `exclude` spares. Gathered while the planner plans the tenant, from its
//! own events, so a million mailboxes stream past once and each set of selecting policies is
//! looked at once, as the planner resolves it once.

use crate::catalog::LicenceTier;
use crate::model::Mailbox;
use crate::plan::trace::{MailboxOutcome, PlanTrace};
use crate::plan::{Conflict, Subject};
use crate::policy::opath::FilterTrace;
use crate::policy::resolve::{ResolveTrace, ScalarTrace, SlotDecision, SlotTrace};
use crate::policy::select::SelectTrace;
use crate::policy::{PolicyRef, PolicySet};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How many mailboxes a report names of each kind; the rest are counted.
pub const SAMPLE_SIZE: usize = 5;

/// A count of mailboxes and the first few of them, in the order the state listed them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sample {
    pub count: usize,
    pub first: Vec<Subject>,
}

impl Sample {
    fn add(&mut self, mailbox: &Mailbox) {
        self.count += 1;
        if self.first.len() < SAMPLE_SIZE {
            self.first.push(Subject::of(&mailbox.names));
        }
    }

    fn merge(&mut self, later: Sample) {
        self.count += later.count;
        let room = SAMPLE_SIZE.saturating_sub(self.first.len());
        self.first.extend(later.first.into_iter().take(room));
    }
}

/// A policy of a higher priority whose verdicts win over the reported policy's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    pub by: PolicyRef,
    pub priority: i64,
    /// What it overrides, such as `AuditOwner MailboxLogin` or `AuditLogAgeLimit`.
    pub what: Vec<String>,
    pub mailboxes: Sample,
}

/// What one mailbox policy does over the tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyReport {
    pub policy: PolicyRef,
    pub priority: i64,
    pub description: Option<String>,
    /// Mailboxes read.
    pub read: usize,
    pub selected: Sample,
    /// Selected mailboxes where at least one of its verdicts is the one that wins.
    pub wins: Sample,
    /// Where a policy of a higher priority decides something it speaks to, differently.
    pub overridden: Vec<Override>,
    /// Whether its selector has an `exclude` of its own.
    pub has_exclude: bool,
    /// Mailboxes its conditions select but its `exclude` spares.
    pub spared: Sample,
    /// Selected mailboxes whose planned change it causes.
    pub changes: Sample,
    /// Selected mailboxes that already meet their policies.
    pub unchanged: Sample,
    /// Selected mailboxes the plan skips (such as group mailboxes).
    pub skipped: Sample,
    /// Selected mailboxes whose policies conflict, and the conflicts that name this policy.
    pub conflicted: Sample,
    pub conflicts: Vec<Conflict>,
}

/// What the reported policy's verdicts do in one set of selecting policies.
#[derive(Clone, Debug, Default)]
struct Role {
    wins: bool,
    /// (the winner's index in the set, what it decides).
    overridden: Vec<(u32, String)>,
}

/// A set of selecting policies and the licence tier, as the planner caches resolutions.
type SetKey = (LicenceTier, Box<[u32]>);

/// The tracer behind a [`PolicyReport`].
#[derive(Debug)]
pub struct PolicyReporter {
    target: usize,
    target_ref: PolicyRef,
    /// The policy whose selector is being tested.
    testing: usize,
    exclude_depth: usize,
    spared_now: bool,
    selected_now: bool,
    /// The set being resolved: its key, and the reported policy's index in it.
    resolving: Option<(SetKey, Option<usize>)>,
    role: Role,
    roles: HashMap<SetKey, Role>,
    read: usize,
    selected: Sample,
    wins: Sample,
    overridden: BTreeMap<u32, (BTreeSet<String>, Sample)>,
    spared: Sample,
    changes: Sample,
    unchanged: Sample,
    skipped: Sample,
    conflicted: Sample,
}

impl PolicyReporter {
    /// A reporter on the mailbox policy of that name, if the set has one.
    pub fn new(policies: &PolicySet, name: &str) -> Option<Self> {
        let target = policies
            .mailbox
            .iter()
            .position(|policy| &*policy.reference.name == name)?;
        Some(PolicyReporter::fresh(
            target,
            policies.mailbox[target].reference.clone(),
        ))
    }

    fn fresh(target: usize, target_ref: PolicyRef) -> Self {
        PolicyReporter {
            target,
            target_ref,
            testing: usize::MAX,
            exclude_depth: 0,
            spared_now: false,
            selected_now: false,
            resolving: None,
            role: Role::default(),
            roles: HashMap::new(),
            read: 0,
            selected: Sample::default(),
            wins: Sample::default(),
            overridden: BTreeMap::new(),
            spared: Sample::default(),
            changes: Sample::default(),
            unchanged: Sample::default(),
            skipped: Sample::default(),
            conflicted: Sample::default(),
        }
    }

    /// The report, with the plan's conflicts that name this policy.
    pub fn into_report(self, policies: &PolicySet, conflicts: &[Conflict]) -> PolicyReport {
        let policy = &policies.mailbox[self.target];
        let mut overridden: Vec<Override> = self
            .overridden
            .into_iter()
            .filter_map(|(winner, (what, mailboxes))| {
                let by = policies.mailbox.get(winner as usize)?;
                Some(Override {
                    by: by.reference.clone(),
                    priority: by.priority,
                    what: what.into_iter().collect(),
                    mailboxes,
                })
            })
            .collect();
        overridden.sort_by(|a, b| {
            b.mailboxes
                .count
                .cmp(&a.mailboxes.count)
                .then_with(|| a.by.name.cmp(&b.by.name))
        });
        PolicyReport {
            policy: policy.reference.clone(),
            priority: policy.priority,
            description: policy.description.clone(),
            read: self.read,
            selected: self.selected,
            wins: self.wins,
            overridden,
            has_exclude: policy.selector.exclude.is_some(),
            spared: self.spared,
            changes: self.changes,
            unchanged: self.unchanged,
            skipped: self.skipped,
            conflicted: self.conflicted,
            conflicts: conflicts
                .iter()
                .filter(|c| c.first == self.target_ref || c.second == self.target_ref)
                .cloned()
                .collect(),
        }
    }

    fn commit_role(&mut self) {
        if let Some((key, _)) = self.resolving.take() {
            self.roles.insert(key, std::mem::take(&mut self.role));
        }
    }

    /// The reported policy's index in the set being resolved.
    fn local(&self) -> Option<usize> {
        self.resolving.as_ref().and_then(|(_, local)| *local)
    }

    fn winner_index(&self, local: usize) -> u32 {
        self.resolving
            .as_ref()
            .and_then(|((_, selection), _)| selection.get(local).copied())
            .unwrap_or(u32::MAX)
    }
}

impl FilterTrace for PolicyReporter {}

impl SelectTrace for PolicyReporter {
    fn enter_exclude(&mut self) {
        self.exclude_depth += 1;
    }

    fn leave_exclude(&mut self, excluded: bool) {
        // Only the policy's own exclude spares; an exclude inside it carves exceptions.
        if self.testing == self.target && self.exclude_depth == 1 && excluded {
            self.spared_now = true;
        }
        self.exclude_depth = self.exclude_depth.saturating_sub(1);
    }
}

impl ResolveTrace for PolicyReporter {
    fn list_slot(&mut self, slot: &SlotTrace<'_>) {
        let Some(local) = self.local() else {
            return;
        };
        let Some((_, priority, verdict, _)) = slot.votes().find(|vote| vote.0 == local) else {
            return;
        };
        let SlotDecision::Won {
            policy: winner,
            verdict: winning,
        } = slot.decision
        else {
            return;
        };
        let Some((_, top, ..)) = slot.votes().find(|vote| vote.0 == winner) else {
            return;
        };
        if priority == top {
            self.role.wins = true;
        } else if verdict != winning {
            let what = format!(
                "{} {}",
                slot.logon.property(),
                match (slot.action, slot.declared) {
                    (Some(action), _) => action.name(),
                    (None, Some(declared)) => declared,
                    (None, None) => "(actions unknown to the catalog)",
                }
            );
            let by = self.winner_index(winner);
            self.role.overridden.push((by, what));
        }
    }

    fn scalar(&mut self, scalar: &ScalarTrace<'_>) {
        let Some(local) = self.local() else {
            return;
        };
        let votes = scalar.votes();
        let Some((_, priority, value)) = votes.iter().find(|vote| vote.0 == local) else {
            return;
        };
        let Some(winner) = scalar.winner else {
            return;
        };
        let Some((_, top, winning)) = votes.iter().find(|vote| vote.0 == winner) else {
            return;
        };
        if priority == top {
            self.role.wins = true;
        } else if value != winning {
            let by = self.winner_index(winner);
            self.role.overridden.push((by, scalar.property.to_string()));
        }
    }
}

impl PlanTrace for PolicyReporter {
    fn policy(&mut self, index: usize) {
        self.testing = index;
        self.exclude_depth = 0;
    }

    fn selected(&mut self, index: usize, selected: bool) {
        if index == self.target {
            self.selected_now = selected;
        }
    }

    fn resolving(&mut self, tier: LicenceTier, selection: &[u32]) {
        let local = selection
            .iter()
            .position(|&index| index as usize == self.target);
        self.role = Role::default();
        self.resolving = Some(((tier, selection.into()), local));
    }

    fn outcome(&mut self, mailbox: &Mailbox, selection: &[u32], outcome: MailboxOutcome<'_>) {
        self.commit_role();
        self.read += 1;
        if std::mem::take(&mut self.spared_now) {
            self.spared.add(mailbox);
        }
        if !std::mem::take(&mut self.selected_now) {
            return;
        }
        self.selected.add(mailbox);
        let planned = match outcome {
            MailboxOutcome::NotSelected => false,
            MailboxOutcome::Unchanged => {
                self.unchanged.add(mailbox);
                true
            }
            MailboxOutcome::Changed(change) => {
                if change.policies.contains(&self.target_ref) {
                    self.changes.add(mailbox);
                }
                true
            }
            MailboxOutcome::Skipped(_) => {
                self.skipped.add(mailbox);
                false
            }
            MailboxOutcome::Conflict(_) => {
                self.conflicted.add(mailbox);
                false
            }
        };
        if !planned {
            return;
        }
        let key = (mailbox.licence, Box::<[u32]>::from(selection));
        let Some(role) = self.roles.get(&key) else {
            return;
        };
        if role.wins {
            self.wins.add(mailbox);
        }
        let mut by_winner: BTreeMap<u32, Vec<&String>> = BTreeMap::new();
        for (winner, what) in &role.overridden {
            by_winner.entry(*winner).or_default().push(what);
        }
        for (winner, what) in by_winner {
            let entry = self.overridden.entry(winner).or_default();
            entry.0.extend(what.into_iter().cloned());
            entry.1.add(mailbox);
        }
    }

    fn split(&self) -> Self {
        PolicyReporter::fresh(self.target, self.target_ref.clone())
    }

    fn merge(&mut self, later: Self) {
        self.read += later.read;
        self.selected.merge(later.selected);
        self.wins.merge(later.wins);
        for (winner, (what, mailboxes)) in later.overridden {
            let entry = self.overridden.entry(winner).or_default();
            entry.0.extend(what);
            entry.1.merge(mailboxes);
        }
        self.spared.merge(later.spared);
        self.changes.merge(later.changes);
        self.unchanged.merge(later.unchanged);
        self.skipped.merge(later.skipped);
        self.conflicted.merge(later.conflicted);
        self.roles.extend(later.roles);
    }
}
