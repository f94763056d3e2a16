use super::*;
use crate::policy::{AuditSpec, PolicyRef, Selector, SourceLocation};
use LogonType::Owner;

fn actions(names: &[&str]) -> ActionSet {
    names
        .iter()
        .map(|name| Action::parse(name).unwrap())
        .collect()
}

fn policy(name: &str, priority: i64, owner: Option<ListSpec>) -> MailboxPolicy {
    let mut audit = AuditSpec::default();
    audit.lists[Owner.index()] = owner;
    MailboxPolicy {
        reference: PolicyRef {
            name: name.into(),
            source: SourceLocation {
                file: "p.yaml".into(),
                line: 1,
                column: 1,
            },
        },
        description: None,
        priority,
        selector: Selector::default(),
        audit,
    }
}

fn change(add: &[&str], remove: &[&str]) -> Option<ListSpec> {
    Some(ListSpec::Change {
        add: actions(add),
        remove: actions(remove),
    })
}

#[test]
fn add_requires_and_remove_forbids() {
    let p = policy("p", 0, change(&["MailboxLogin"], &["Update"]));
    let resolved = resolve_mailbox(&[&p], LicenceTier::NonE5);
    assert_eq!(resolved.list(Owner).require, actions(&["MailboxLogin"]));
    assert_eq!(resolved.list(Owner).forbid, actions(&["Update"]));
    assert!(!resolved.list(Owner).forbid_unknown);
    assert!(resolved.disagreements.is_empty());
}

#[test]
fn exactly_forbids_every_other_action_and_unknown_names() {
    let p = policy("p", 0, Some(ListSpec::Exactly(actions(&["MailboxLogin"]))));
    let resolved = resolve_mailbox(&[&p], LicenceTier::NonE5);
    let list = resolved.list(Owner);
    assert_eq!(list.require, actions(&["MailboxLogin"]));
    assert_eq!(list.forbid.len(), Action::ALL.len() - 1);
    assert!(list.forbid_unknown);
}

#[test]
fn default_alone_is_managed_by_microsoft() {
    let p = policy("p", 0, Some(ListSpec::Default));
    let resolved = resolve_mailbox(&[&p], LicenceTier::E5);
    assert!(resolved.list(Owner).managed_defaults);
    assert_eq!(
        resolved.list(Owner).require,
        managed_defaults(Owner, LicenceTier::E5)
    );
}

#[test]
fn default_stays_managed_when_a_higher_policy_only_adds_a_default_action() {
    let base = policy("base", 0, Some(ListSpec::Default));
    let agrees = policy("agrees", 5, change(&["HardDelete"], &[]));
    let resolved = resolve_mailbox(&[&base, &agrees], LicenceTier::NonE5);
    assert!(resolved.list(Owner).managed_defaults);
}

#[test]
fn default_becomes_a_customized_list_when_a_higher_policy_adds_a_non_default_action() {
    let base = policy("base", 0, Some(ListSpec::Default));
    let more = policy("more", 5, change(&["MailboxLogin"], &[]));
    let resolved = resolve_mailbox(&[&base, &more], LicenceTier::NonE5);
    let list = resolved.list(Owner);
    assert!(!list.managed_defaults);
    assert!(list.require.contains(Action::MailboxLogin));
    assert_eq!(list.winner(Action::MailboxLogin), Some(1));
    assert_eq!(list.winner(Action::HardDelete), Some(0));
}

#[test]
fn the_highest_priority_verdict_wins_and_lower_ones_do_not_conflict() {
    let low = policy("low", -1, change(&[], &["MailboxLogin"]));
    let high = policy("high", 1, change(&["MailboxLogin"], &[]));
    for order in [[&low, &high], [&high, &low]] {
        let resolved = resolve_mailbox(&order, LicenceTier::NonE5);
        assert!(resolved.disagreements.is_empty());
        assert_eq!(resolved.list(Owner).require, actions(&["MailboxLogin"]));
    }
}

#[test]
fn disagreement_at_one_priority_lists_every_disputed_action_once_per_pair() {
    let a = policy("a", 0, change(&["MailboxLogin", "Move"], &[]));
    let b = policy("b", 0, change(&[], &["MailboxLogin", "Move"]));
    let resolved = resolve_mailbox(&[&a, &b], LicenceTier::NonE5);
    assert_eq!(resolved.disagreements.len(), 1);
    let d = &resolved.disagreements[0];
    assert_eq!(d.actions, ["MailboxLogin", "Move"]);
    assert_eq!((d.first, d.second), (0, 1));
    assert_eq!(
        (d.first_says.as_str(), d.second_says.as_str()),
        ("requires", "forbids")
    );
    assert!(!resolved.list(Owner).require.contains(Action::MailboxLogin));
}

#[test]
fn scalars_resolve_by_priority_and_conflict_at_equal_priority() {
    let mut disagreements = Vec::new();
    let winner = resolve_scalar(
        [("a", 0, Some(true)), ("b", 3, Some(false)), ("c", 1, None)].into_iter(),
        "AuditEnabled",
        |v: bool| v.to_string(),
        &mut disagreements,
    );
    assert_eq!(
        winner,
        Some(Scalar {
            value: false,
            winner: 1
        })
    );
    let tied = resolve_scalar(
        [("a", 2, Some(true)), ("b", 2, Some(false))].into_iter(),
        "AuditEnabled",
        |v: bool| v.to_string(),
        &mut disagreements,
    );
    assert_eq!(tied, None);
    assert_eq!(disagreements[0].second_says, "sets false");
}
