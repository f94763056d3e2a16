//! Resolution: merging the verdicts of every policy that selects an object into one desired
//! state (DESIGN §2).
//!
//! Each policy gives every action of a logon type a verdict: *require*, *forbid* or nothing.
//! For each action the verdict of the highest priority wins; disagreeing verdicts at the same
//! priority are a conflict. Scalars resolve the same way. Nothing here depends on the order of
//! the policies, so the order of files never changes a plan. Declared actions are slots like
//! catalog actions; the managed defaults are the same on every licence, so the mailbox's
//! licence plays no part.

use crate::catalog::{Action, ActionList, Catalog};
use crate::model::LogonType;
use crate::policy::{ListSpec, MailboxPolicy, Untraced};
use crate::timespan::TimeSpan;

/// Watches resolution decide, so that `explain` can show every verdict on every action, which
/// won and which it overrode. Every method does nothing by default; the planner resolves with
/// [`Untraced`]. Policies are named by their index into the slice given to the resolver.
pub trait ResolveTrace {
    /// One action of one logon type was decided (only those some policy speaks to).
    fn list_slot(&mut self, _slot: &SlotTrace<'_>) {}
    /// Every action of a logon type was decided (after its [`Self::list_slot`] events).
    fn list(&mut self, _logon: LogonType, _verdicts: &ListVerdicts) {}
    /// One scalar was decided: the votes, highest priority first, and the decision.
    fn scalar(&mut self, _scalar: &ScalarTrace<'_>) {}
}

impl ResolveTrace for Untraced {}

/// How one action of one logon type was decided.
pub struct SlotTrace<'a> {
    pub logon: LogonType,
    /// `None` for an action the policy set declares (see [`Self::declared`]) and for the names
    /// neither knows, which `exactly` forbids as one.
    pub action: Option<Action>,
    /// The name of an action the policy set declares, unknown to this version of auditform.
    pub declared: Option<&'a str>,
    votes: &'a [ListVote<'a>],
    slot: usize,
    pub decision: SlotDecision,
    /// Whether the winning verdict says what Microsoft's managed defaults say, so that the
    /// logon type may stay in DefaultAuditSet. False for a dispute.
    pub keeps_defaults: bool,
}

impl SlotTrace<'_> {
    /// Every verdict on this action: (policy, its priority, its verdict, its list), in the
    /// order the policies were given.
    pub fn votes(&self) -> impl Iterator<Item = (usize, i64, Verdict, &ListSpec)> + '_ {
        self.votes.iter().filter_map(|vote| {
            let verdict = vote.verdicts[self.slot]?;
            Some((vote.policy, vote.priority, verdict, vote.spec))
        })
    }
}

/// Who decided an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotDecision {
    /// The verdict of the highest priority; `policy` is the alphabetically first of the
    /// policies that gave it there.
    Won { policy: usize, verdict: Verdict },
    /// Disagreeing verdicts at the highest priority: a conflict.
    Disputed { requirer: usize, forbidder: usize },
}

/// How one scalar (AuditEnabled, AuditLogAgeLimit, AuditBypassEnabled, AuditDisabled) was
/// decided.
pub struct ScalarTrace<'a> {
    pub property: &'static str,
    votes: &'a dyn ScalarVotes,
    /// The winner, or `None` when the top votes disagree.
    pub winner: Option<usize>,
}

impl ScalarTrace<'_> {
    /// (policy, its priority, the value it sets), highest priority first, then by name.
    pub fn votes(&self) -> Vec<(usize, i64, String)> {
        (0..self.votes.count())
            .map(|index| self.votes.vote(index))
            .collect()
    }
}

/// One policy's say on every slot of a logon type.
struct ListVote<'a> {
    policy: usize,
    priority: i64,
    spec: &'a ListSpec,
    verdicts: Vec<Option<Verdict>>,
}

/// Verdicts are given per slot: one per catalog action, one per declared action, and one for
/// every name neither knows (an action newer than auditform that a mailbox carries).
struct Slots {
    declared: usize,
}

impl Slots {
    fn of(catalog: &Catalog) -> Slots {
        Slots {
            declared: catalog.declared().len(),
        }
    }

    fn count(&self) -> usize {
        Action::ALL.len() + self.declared + 1
    }

    fn unknown(&self) -> usize {
        Action::ALL.len() + self.declared
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    Require,
    Forbid,
}

/// The resolved verdicts for one logon type's list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListVerdicts {
    /// Catalog actions, and declared ones by their declared names.
    pub require: ActionList,
    pub forbid: ActionList,
    /// Names neither the catalog nor the declarations know are removed (`exactly`, or a
    /// `default` that won).
    pub forbid_unknown: bool,
    /// A `default` won every verdict of this logon type: the list is Microsoft's to manage, and
    /// the logon type belongs in DefaultAuditSet.
    pub managed_defaults: bool,
    /// The policy (an index into the slice given to [`resolve_mailbox`]) whose verdict won,
    /// per slot: catalog actions, then declared actions, then names nobody knows.
    winners: Vec<Option<u32>>,
}

impl ListVerdicts {
    pub fn winner(&self, action: Action) -> Option<usize> {
        self.slot_winner(action as usize)
    }

    /// The winner for a name: a catalog action, a declared action, or a name nobody knows.
    pub fn winner_of_name(&self, catalog: &Catalog, name: &str) -> Option<usize> {
        if let Some(action) = Action::parse(name.trim()) {
            return self.winner(action);
        }
        match catalog.declared_index(name) {
            Some(index) => self.slot_winner(Action::ALL.len() + index),
            None => self.unknown_winner(),
        }
    }

    pub fn unknown_winner(&self) -> Option<usize> {
        self.winners
            .len()
            .checked_sub(1)
            .and_then(|last| self.slot_winner(last))
    }

    fn slot_winner(&self, slot: usize) -> Option<usize> {
        self.winners
            .get(slot)
            .copied()
            .flatten()
            .map(|index| index as usize)
    }

    pub fn is_unspecified(&self) -> bool {
        self.winners.iter().all(Option::is_none)
    }
}

/// A resolved scalar and the policy whose verdict won.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scalar<T> {
    pub value: T,
    pub winner: usize,
}

/// Two policies that disagree at the same priority.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Disagreement {
    /// What they disagree about: `AuditOwner`, `AuditEnabled`, `AuditLogAgeLimit`, ...
    pub property: &'static str,
    /// For lists, the actions in dispute (names; `(actions unknown to the catalog)` for those).
    pub actions: Vec<String>,
    /// Indexes into the slice given to the resolver; `first` has the alphabetically first name.
    pub first: usize,
    pub second: usize,
    /// What each one says, for the message.
    pub first_says: String,
    pub second_says: String,
}

/// The desired state of one mailbox, as far as its policies say anything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolved {
    /// Indexed by [`LogonType::index`].
    pub lists: [ListVerdicts; 3],
    pub enabled: Option<Scalar<bool>>,
    pub log_age_limit: Option<Scalar<TimeSpan>>,
    pub disagreements: Vec<Disagreement>,
}

impl Resolved {
    pub fn list(&self, logon: LogonType) -> &ListVerdicts {
        &self.lists[logon.index()]
    }
}

/// One policy's verdict on every slot of a logon type.
fn verdicts_of(
    spec: &ListSpec,
    logon: LogonType,
    catalog: &Catalog,
    slots: &Slots,
) -> Vec<Option<Verdict>> {
    let mut verdicts = vec![None; slots.count()];
    let mut give = |list: &ActionList, verdict: Verdict| {
        for action in list.known.iter() {
            verdicts[action as usize] = Some(verdict);
        }
        // Policies name only declared actions beyond the catalog; the loader sees to that.
        for name in &list.unknown {
            if let Some(index) = catalog.declared_index(name) {
                verdicts[Action::ALL.len() + index] = Some(verdict);
            }
        }
    };
    let unknown = match spec {
        ListSpec::Change { add, remove } => {
            give(add, Verdict::Require);
            give(remove, Verdict::Forbid);
            None
        }
        ListSpec::Exactly(list) => {
            give(list, Verdict::Require);
            give(&catalog.all_actions().difference(list), Verdict::Forbid);
            Some(Verdict::Forbid)
        }
        // Restoring Microsoft's list replaces whatever the list holds, names nobody knows
        // included, so `default` speaks for every slot: a lower-priority policy can't keep
        // one of them and so hold the logon type out of DefaultAuditSet.
        ListSpec::Default => {
            let defaults = catalog.managed_defaults(logon);
            give(&defaults, Verdict::Require);
            give(
                &catalog.all_actions().difference(&defaults),
                Verdict::Forbid,
            );
            Some(Verdict::Forbid)
        }
    };
    verdicts[slots.unknown()] = unknown;
    verdicts
}

/// Resolves the policies that select one mailbox. `policies` may come in any order; the result
/// is the same for every order up to which of two equally winning policies is named.
/// `catalog` is the policy set's: its declared actions resolve like catalog ones.
pub fn resolve_mailbox(policies: &[&MailboxPolicy], catalog: &Catalog) -> Resolved {
    resolve_mailbox_traced(policies, catalog, &mut Untraced)
}

/// [`resolve_mailbox`], telling `trace` how every action and scalar was decided.
pub fn resolve_mailbox_traced(
    policies: &[&MailboxPolicy],
    catalog: &Catalog,
    trace: &mut impl ResolveTrace,
) -> Resolved {
    let mut resolved = Resolved::default();
    for logon in LogonType::ALL {
        resolved.lists[logon.index()] =
            resolve_list(policies, logon, catalog, &mut resolved.disagreements, trace);
    }
    resolved.enabled = resolve_scalar_traced(
        policies
            .iter()
            .map(|p| (&*p.reference.name, p.priority, p.audit.enabled)),
        "AuditEnabled",
        |value| value.to_string(),
        &mut resolved.disagreements,
        trace,
    );
    resolved.log_age_limit = resolve_scalar_traced(
        policies
            .iter()
            .map(|p| (&*p.reference.name, p.priority, p.audit.log_age_limit)),
        "AuditLogAgeLimit",
        |value| value.to_string(),
        &mut resolved.disagreements,
        trace,
    );
    resolved.disagreements.sort();
    resolved
}

fn resolve_list(
    policies: &[&MailboxPolicy],
    logon: LogonType,
    catalog: &Catalog,
    disagreements: &mut Vec<Disagreement>,
    trace: &mut impl ResolveTrace,
) -> ListVerdicts {
    let slots = Slots::of(catalog);
    let specs: Vec<ListVote<'_>> = policies
        .iter()
        .enumerate()
        .filter_map(|(index, policy)| {
            let spec = policy.audit.list(logon)?;
            Some(ListVote {
                policy: index,
                priority: policy.priority,
                spec,
                verdicts: verdicts_of(spec, logon, catalog, &slots),
            })
        })
        .collect();
    let mut verdicts = ListVerdicts {
        winners: vec![None; slots.count()],
        ..ListVerdicts::default()
    };
    if specs.is_empty() {
        trace.list(logon, &verdicts);
        return verdicts;
    }
    let defaults = catalog.managed_defaults(logon);
    // Per disputing pair, the actions they dispute, so that one conflict lists them together.
    let mut disputes: Vec<((usize, usize), Vec<String>, Verdict)> = Vec::new();
    let mut default_won_everything = true;
    let mut any_default_won = false;
    for slot in 0..slots.count() {
        let Some(top) = specs
            .iter()
            .filter(|vote| vote.verdicts[slot].is_some())
            .map(|vote| vote.priority)
            .max()
        else {
            continue;
        };
        let at_top: Vec<(usize, &ListSpec, Verdict)> = specs
            .iter()
            .filter(|vote| vote.priority == top && vote.verdicts[slot].is_some())
            .map(|vote| {
                let verdict = vote.verdicts[slot].unwrap_or(Verdict::Require);
                (vote.policy, vote.spec, verdict)
            })
            .collect();
        let traced = |decision: SlotDecision, keeps_defaults: bool| SlotTrace {
            logon,
            action: Action::from_index(slot),
            declared: slot
                .checked_sub(Action::ALL.len())
                .and_then(|index| catalog.declared().get(index))
                .map(|declared| &*declared.name),
            votes: &specs,
            slot,
            decision,
            keeps_defaults,
        };
        // The alphabetically first policy of each side speaks for it, so that the order of the
        // files never changes who is named.
        let by_name = |side: Verdict| {
            at_top
                .iter()
                .filter(move |(.., v)| *v == side)
                .min_by_key(|(index, ..)| &policies[*index].reference.name)
        };
        let requirer = by_name(Verdict::Require);
        let forbidder = by_name(Verdict::Forbid);
        if let (Some(requirer), Some(forbidder)) = (requirer, forbidder) {
            let requirer_first =
                policies[requirer.0].reference.name < policies[forbidder.0].reference.name;
            let pair = if requirer_first {
                (requirer.0, forbidder.0)
            } else {
                (forbidder.0, requirer.0)
            };
            let first_verdict = if requirer_first {
                Verdict::Require
            } else {
                Verdict::Forbid
            };
            let name = slot_name(slot, catalog);
            match disputes.iter_mut().find(|(p, ..)| *p == pair) {
                Some((_, names, _)) => names.push(name),
                None => disputes.push((pair, vec![name], first_verdict)),
            }
            default_won_everything = false;
            let decision = SlotDecision::Disputed {
                requirer: requirer.0,
                forbidder: forbidder.0,
            };
            trace.list_slot(&traced(decision, false));
            continue;
        }
        let Some(&(winner, spec, verdict)) = at_top
            .iter()
            .min_by_key(|(index, ..)| &policies[*index].reference.name)
        else {
            continue;
        };
        verdicts.winners[slot] = Some(winner as u32);
        let from_default = at_top
            .iter()
            .any(|(_, spec, _)| matches!(spec, ListSpec::Default));
        any_default_won |= from_default;
        let keeps_defaults =
            from_default || agrees_with_default(spec, slot, catalog, &slots, &defaults, verdict);
        default_won_everything &= keeps_defaults;
        let decision = SlotDecision::Won {
            policy: winner,
            verdict,
        };
        trace.list_slot(&traced(decision, keeps_defaults));
        if slot == slots.unknown() {
            verdicts.forbid_unknown = verdict == Verdict::Forbid;
            continue;
        }
        let target = match verdict {
            Verdict::Require => &mut verdicts.require,
            Verdict::Forbid => &mut verdicts.forbid,
        };
        match Action::from_index(slot) {
            Some(action) => target.known.insert(action),
            None => target.insert_unknown(&catalog.declared()[slot - Action::ALL.len()].name),
        }
    }
    verdicts.managed_defaults = any_default_won && default_won_everything;
    if verdicts.managed_defaults {
        // The service manages the list from here on, newer defaults included.
        verdicts.forbid_unknown = false;
    }
    for ((first, second), actions, first_verdict) in disputes {
        let says = |verdict: Verdict| match verdict {
            Verdict::Require => "requires",
            Verdict::Forbid => "forbids",
        };
        let second_verdict = match first_verdict {
            Verdict::Require => Verdict::Forbid,
            Verdict::Forbid => Verdict::Require,
        };
        disagreements.push(Disagreement {
            property: logon.property(),
            actions,
            first,
            second,
            first_says: says(first_verdict).to_string(),
            second_says: says(second_verdict).to_string(),
        });
    }
    trace.list(logon, &verdicts);
    verdicts
}

/// Whether a non-`default` verdict says what `default` would have said, so that a policy adding
/// a default action does not take the logon type out of Microsoft's hands.
fn agrees_with_default(
    spec: &ListSpec,
    slot: usize,
    catalog: &Catalog,
    slots: &Slots,
    defaults: &ActionList,
    verdict: Verdict,
) -> bool {
    if matches!(spec, ListSpec::Default) {
        return true;
    }
    if slot == slots.unknown() {
        return false;
    }
    let is_default = match Action::from_index(slot) {
        Some(action) => defaults.known.contains(action),
        None => defaults.contains_unknown(&catalog.declared()[slot - Action::ALL.len()].name),
    };
    (verdict == Verdict::Require) == is_default
}

fn slot_name(slot: usize, catalog: &Catalog) -> String {
    match Action::from_index(slot) {
        Some(action) => action.name().to_string(),
        None => match catalog.declared().get(slot - Action::ALL.len()) {
            Some(declared) => declared.name.to_string(),
            None => "(actions unknown to the catalog)".to_string(),
        },
    }
}

/// Resolves one scalar from `(policy name, priority, value)` votes; `None` values abstain.
/// Among equal winners the alphabetically first name is the winner, whatever the order.
pub fn resolve_scalar<'n, T: Copy + PartialEq>(
    votes: impl Iterator<Item = (&'n str, i64, Option<T>)>,
    property: &'static str,
    describe: impl Fn(T) -> String,
    disagreements: &mut Vec<Disagreement>,
) -> Option<Scalar<T>> {
    resolve_scalar_traced(votes, property, describe, disagreements, &mut Untraced)
}

/// [`resolve_scalar`], telling `trace` every vote and the decision.
pub fn resolve_scalar_traced<'n, T: Copy + PartialEq>(
    votes: impl Iterator<Item = (&'n str, i64, Option<T>)>,
    property: &'static str,
    describe: impl Fn(T) -> String,
    disagreements: &mut Vec<Disagreement>,
    trace: &mut impl ResolveTrace,
) -> Option<Scalar<T>> {
    let mut votes: Vec<(usize, &str, i64, T)> = votes
        .enumerate()
        .filter_map(|(index, (name, priority, value))| Some((index, name, priority, value?)))
        .collect();
    votes.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(b.1)));
    let &(winner, _, top, value) = votes.first()?;
    let dissent = votes
        .iter()
        .take_while(|vote| vote.2 == top)
        .find(|vote| vote.3 != value);
    trace.scalar(&ScalarTrace {
        property,
        votes: &Described {
            votes: &votes,
            describe: &describe,
        },
        winner: dissent.is_none().then_some(winner),
    });
    if let Some(&(other, ..)) = dissent {
        let other_value = dissent.map(|vote| vote.3).unwrap_or(value);
        disagreements.push(Disagreement {
            property,
            actions: Vec::new(),
            first: winner,
            second: other,
            first_says: format!("sets {}", describe(value)),
            second_says: format!("sets {}", describe(other_value)),
        });
        return None;
    }
    Some(Scalar { value, winner })
}

/// A scalar's votes, described only when a tracer asks.
trait ScalarVotes {
    fn count(&self) -> usize;
    fn vote(&self, index: usize) -> (usize, i64, String);
}

struct Described<'v, 'n, T, D> {
    votes: &'v [(usize, &'n str, i64, T)],
    describe: &'v D,
}

impl<T: Copy, D: Fn(T) -> String> ScalarVotes for Described<'_, '_, T, D> {
    fn count(&self) -> usize {
        self.votes.len()
    }
    fn vote(&self, index: usize) -> (usize, i64, String) {
        let (policy, _, priority, value) = self.votes[index];
        (policy, priority, (self.describe)(value))
    }
}

#[cfg(test)]
mod tests;
