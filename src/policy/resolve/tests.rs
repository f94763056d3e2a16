use super::*;
use crate::catalog::{DeclaredAction, Support};
use crate::policy::{AuditSpec, PolicyRef, Selector, SourceLocation};
use LogonType::{Admin, Owner};

/// Catalog actions, and any other name as a declared action's.
fn actions(names: &[&str]) -> ActionList {
    ActionList::from_names(names.iter().copied())
}

fn builtin() -> Catalog {
    Catalog::builtin()
}

fn policy(name: &str, priority: i64, owner: Option<ListSpec>) -> MailboxPolicy {
    policy_for(name, priority, Owner, owner)
}

fn policy_for(
    name: &str,
    priority: i64,
    logon: LogonType,
    list: Option<ListSpec>,
) -> MailboxPolicy {
    let mut audit = AuditSpec::default();
    audit.lists[logon.index()] = list;
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
    let resolved = resolve_mailbox(&[&p], &builtin());
    assert_eq!(resolved.list(Owner).require, actions(&["MailboxLogin"]));
    assert_eq!(resolved.list(Owner).forbid, actions(&["Update"]));
    assert!(!resolved.list(Owner).forbid_unknown);
    assert!(resolved.disagreements.is_empty());
}

#[test]
fn exactly_forbids_every_other_action_and_unknown_names() {
    let p = policy("p", 0, Some(ListSpec::Exactly(actions(&["MailboxLogin"]))));
    let resolved = resolve_mailbox(&[&p], &builtin());
    let list = resolved.list(Owner);
    assert_eq!(list.require, actions(&["MailboxLogin"]));
    assert_eq!(list.forbid.len(), Action::ALL.len() - 1);
    assert!(list.forbid_unknown);
}

#[test]
fn default_alone_is_managed_by_microsoft() {
    let p = policy("p", 0, Some(ListSpec::Default));
    let resolved = resolve_mailbox(&[&p], &builtin());
    assert!(resolved.list(Owner).managed_defaults);
    assert_eq!(
        resolved.list(Owner).require,
        builtin().managed_defaults(Owner)
    );
}

#[test]
fn default_stays_managed_when_a_higher_policy_only_adds_a_default_action() {
    let base = policy("base", 0, Some(ListSpec::Default));
    let agrees = policy("agrees", 5, change(&["HardDelete"], &[]));
    let resolved = resolve_mailbox(&[&base, &agrees], &builtin());
    assert!(resolved.list(Owner).managed_defaults);
}

#[test]
fn default_becomes_a_customized_list_when_a_higher_policy_adds_a_non_default_action() {
    let base = policy("base", 0, Some(ListSpec::Default));
    let more = policy("more", 5, change(&["MailboxLogin"], &[]));
    let resolved = resolve_mailbox(&[&base, &more], &builtin());
    let list = resolved.list(Owner);
    assert!(!list.managed_defaults);
    assert!(list.require.known.contains(Action::MailboxLogin));
    assert_eq!(list.winner(Action::MailboxLogin), Some(1));
    assert_eq!(list.winner(Action::HardDelete), Some(0));
}

#[test]
fn the_highest_priority_verdict_wins_and_lower_ones_do_not_conflict() {
    let low = policy("low", -1, change(&[], &["MailboxLogin"]));
    let high = policy("high", 1, change(&["MailboxLogin"], &[]));
    for order in [[&low, &high], [&high, &low]] {
        let resolved = resolve_mailbox(&order, &builtin());
        assert!(resolved.disagreements.is_empty());
        assert_eq!(resolved.list(Owner).require, actions(&["MailboxLogin"]));
    }
}

#[test]
fn disagreement_at_one_priority_lists_every_disputed_action_once_per_pair() {
    let a = policy("a", 0, change(&["MailboxLogin", "Move"], &[]));
    let b = policy("b", 0, change(&[], &["MailboxLogin", "Move"]));
    let resolved = resolve_mailbox(&[&a, &b], &builtin());
    assert_eq!(resolved.disagreements.len(), 1);
    let d = &resolved.disagreements[0];
    assert_eq!(d.actions, ["MailboxLogin", "Move"]);
    assert_eq!((d.first, d.second), (0, 1));
    assert_eq!(
        (d.first_says.as_str(), d.second_says.as_str()),
        ("requires", "forbids")
    );
    assert!(!resolved
        .list(Owner)
        .require
        .known
        .contains(Action::MailboxLogin));
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

/// Issue 9 item 7a: a `default` that wins at a higher priority over a lower-priority `exactly`
/// on the same logon type is Microsoft's managed list again, DefaultAuditSet membership
/// included: restoring the defaults replaces the whole list, so the `exactly` keeps no slot.
#[test]
fn a_higher_default_over_a_lower_exactly_is_managed_by_microsoft() {
    let a = policy_for("a", 2, Admin, Some(ListSpec::Default));
    let b = policy_for("b", 1, Admin, Some(ListSpec::Exactly(actions(&["Copy"]))));
    for order in [[&a, &b], [&b, &a]] {
        let resolved = resolve_mailbox(&order, &builtin());
        let list = resolved.list(Admin);
        assert!(
            list.managed_defaults,
            "{order:?}",
            order = order.map(|p| &p.reference.name)
        );
        assert!(!list.forbid_unknown);
        assert!(resolved.disagreements.is_empty());
    }
}

#[test]
fn a_default_and_an_exactly_at_one_priority_conflict_where_they_disagree() {
    let a = policy_for("a", 0, Admin, Some(ListSpec::Default));
    let b = policy_for("b", 0, Admin, Some(ListSpec::Exactly(actions(&["Copy"]))));
    let resolved = resolve_mailbox(&[&a, &b], &builtin());
    assert_eq!(resolved.disagreements.len(), 1);
    assert!(resolved.disagreements[0]
        .actions
        .contains(&"Copy".to_string()));
}

fn declaring(name: &str, support: [Support; 3]) -> Catalog {
    let mut catalog = builtin();
    catalog
        .declare(DeclaredAction {
            name: name.into(),
            support,
            origin: "policies/declared.yaml:4".into(),
        })
        .unwrap();
    catalog
}

#[test]
fn declared_actions_resolve_like_catalog_ones() {
    let catalog = declaring(
        "ExampleNewAction",
        [Support::Valid, Support::Valid, Support::Default],
    );
    let adds = policy("adds", 0, change(&["ExampleNewAction"], &[]));
    let removes = policy("removes", 1, change(&[], &["examplenewaction"]));
    let resolved = resolve_mailbox(&[&adds, &removes], &catalog);
    let list = resolved.list(Owner);
    assert!(list.forbid.contains_name("ExampleNewAction"));
    assert!(list.require.is_empty());
    assert_eq!(list.winner_of_name(&catalog, "EXAMPLENEWACTION"), Some(1));

    let tied = policy("tied", 0, change(&[], &["ExampleNewAction"]));
    let resolved = resolve_mailbox(&[&adds, &tied], &catalog);
    assert_eq!(resolved.disagreements[0].actions, ["ExampleNewAction"]);
}

#[test]
fn a_declared_default_is_part_of_default_and_exactly_forbids_it_unless_listed() {
    let catalog = declaring(
        "ExampleNewAction",
        [Support::Rejected, Support::Rejected, Support::Default],
    );
    let default = policy("default", 0, Some(ListSpec::Default));
    let resolved = resolve_mailbox(&[&default], &catalog);
    assert!(resolved
        .list(Owner)
        .require
        .contains_name("ExampleNewAction"));
    let adds_it = policy("adds-it", 5, change(&["ExampleNewAction"], &[]));
    assert!(
        resolve_mailbox(&[&default, &adds_it], &catalog)
            .list(Owner)
            .managed_defaults
    );
    let exactly = policy(
        "exactly",
        0,
        Some(ListSpec::Exactly(actions(&["MailboxLogin"]))),
    );
    let resolved = resolve_mailbox(&[&exactly], &catalog);
    assert!(resolved
        .list(Owner)
        .forbid
        .contains_name("ExampleNewAction"));
    assert!(resolved.list(Owner).forbid_unknown);
}
