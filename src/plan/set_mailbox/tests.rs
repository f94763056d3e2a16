use super::*;
use crate::catalog::{self, managed_defaults, Action, LicenceTier};
use crate::model::{ActionList, ActionSet, AuditSettings, RecipientType, TimeSpan};
use crate::plan::{Change, ListChange, Subject};
use crate::service::set_mailbox;
use proptest::prelude::*;

fn defaults(_licence: LicenceTier) -> AuditSettings {
    AuditSettings {
        enabled: true,
        log_age_limit: TimeSpan::DEFAULT_AUDIT_LOG_AGE_LIMIT,
        lists: LogonType::ALL.map(|logon| ActionList::from_known(managed_defaults(logon))),
        default_audit_set: LogonSet::ALL,
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|name| name.to_string()).collect()
}

fn subject() -> Subject {
    Subject::new("id-1", "pilar", "Pilar Pinilla", Some("pilar@contoso.com"))
}

/// A planned change from `before` to the desired lists, the way the planner describes one.
fn planned(before: &AuditSettings, desired: [ActionSet; 3], restore: LogonSet) -> MailboxChange {
    let mut after = before.clone();
    let mut lists: [Option<ListChange>; 3] = [None, None, None];
    for logon in LogonType::ALL {
        let index = logon.index();
        if restore.contains(logon) {
            after.lists[index] = ActionList::from_known(managed_defaults(logon));
            after.default_audit_set.insert(logon);
        } else if desired[index] != before.lists[index].known
            || !before.lists[index].unknown.is_empty()
        {
            after.lists[index] = ActionList::from_known(desired[index]);
            after.default_audit_set.remove(logon);
        } else {
            continue;
        }
        let old = &before.lists[index];
        let new = &after.lists[index];
        let mut remove = ActionList::from_known(old.known.difference(new.known));
        remove.unknown = old.unknown.clone();
        lists[index] = Some(ListChange {
            before: old.clone(),
            after: new.clone(),
            add: ActionList::from_known(new.known.difference(old.known)),
            remove,
        });
    }
    MailboxChange {
        subject: subject(),
        recipient_type: RecipientType::UserMailbox,
        policies: std::sync::Arc::from([]),
        fingerprint: before.fingerprint(),
        enabled: None,
        log_age_limit: None,
        lists,
        default_audit_set: (before.default_audit_set != after.default_audit_set).then_some(
            Change {
                before: before.default_audit_set,
                after: after.default_audit_set,
            },
        ),
        restore_defaults: restore,
        notes: Box::default(),
    }
}

#[test]
fn the_call_for_a_change_sends_exactly_the_difference() {
    let before = defaults(LicenceTier::NonE5);
    let mut owner = before.list(LogonType::Owner).known;
    owner.insert(Action::MailboxLogin);
    owner.remove(Action::Update);
    let desired = [
        before.list(LogonType::Admin).known,
        before.list(LogonType::Delegate).known,
        owner,
    ];
    let mut change = planned(&before, desired, LogonSet::EMPTY);
    change.enabled = Some(Change {
        before: true,
        after: false,
    });
    let params = params_for_change(&change);
    assert_eq!(params.audit_enabled, Some(false));
    assert_eq!(params.audit_log_age_limit, None);
    assert_eq!(params.default_audit_set, None);
    assert_eq!(params.list(LogonType::Admin), None);
    assert_eq!(
        params.list(LogonType::Owner),
        Some(&ListEdit::AddRemove {
            add: names(&["MailboxLogin"]),
            remove: names(&["Update"]),
        })
    );
}

#[test]
fn the_call_for_restored_defaults_uses_default_audit_set_not_add() {
    let mut before = defaults(LicenceTier::NonE5);
    before.lists[LogonType::Owner.index()] = ActionList::from_names(["MailboxLogin"]);
    before.default_audit_set.remove(LogonType::Owner);
    let desired = before.lists.clone().map(|list| list.known);
    let restore: LogonSet = [LogonType::Owner].into_iter().collect();
    let change = planned(&before, desired, restore);
    let params = params_for_change(&change);
    assert_eq!(params.default_audit_set, Some(restore));
    assert_eq!(params.lists, [None, None, None]);
}

fn age_limit_change(before_days: i64, after_days: i64) -> MailboxChange {
    let mut change = planned(
        &defaults(LicenceTier::NonE5),
        defaults(LicenceTier::NonE5).lists.map(|list| list.known),
        LogonSet::EMPTY,
    );
    change.log_age_limit = Some(Change {
        before: TimeSpan::from_days(before_days),
        after: TimeSpan::from_days(after_days),
    });
    change
}

/// Evidence W8: Set-Mailbox asks before it zeroes or shortens AuditLogAgeLimit, so the call
/// carries -Force then, and only then.
#[test]
fn a_shorter_or_zero_age_limit_is_sent_with_force() {
    assert!(params_for_change(&age_limit_change(90, 30)).force);
    assert!(params_for_change(&age_limit_change(90, 0)).force);
    assert!(!params_for_change(&age_limit_change(90, 180)).force);
}

/// DESIGN §1.2: a GroupMailbox's AuditLogAgeLimit is set with -GroupMailbox.
#[test]
fn a_group_mailbox_is_changed_with_the_group_mailbox_switch() {
    let mut change = age_limit_change(90, 180);
    assert!(!params_for_change(&change).group_mailbox);
    change.recipient_type = RecipientType::GroupMailbox;
    let params = params_for_change(&change);
    assert!(params.group_mailbox);
    assert_eq!(params.audit_log_age_limit, Some(TimeSpan::from_days(180)));
}

fn logon_set() -> impl Strategy<Value = LogonSet> {
    (0u8..8).prop_map(|bits| {
        LogonType::ALL
            .into_iter()
            .filter(|logon| bits & (1 << logon.index()) != 0)
            .collect()
    })
}

/// A list auditform could ask for: any actions a policy may name for the logon type, that
/// the mailbox's licence allows.
fn valid_list(logon: LogonType, licence: LicenceTier) -> impl Strategy<Value = ActionSet> {
    let mut allowed = catalog::policy_actions(logon);
    if licence == LicenceTier::NonE5 {
        allowed = allowed.difference(catalog::premium_actions());
    }
    any::<u32>().prop_map(move |bits| {
        allowed
            .iter()
            .filter(|action| bits & (1 << *action as u32) != 0)
            .collect()
    })
}

fn licence() -> impl Strategy<Value = LicenceTier> {
    prop_oneof![Just(LicenceTier::E5), Just(LicenceTier::NonE5)]
}

fn lists_for(licence: LicenceTier) -> impl Strategy<Value = [ActionSet; 3]> {
    (
        valid_list(LogonType::Admin, licence),
        valid_list(LogonType::Delegate, licence),
        valid_list(LogonType::Owner, licence),
    )
        .prop_map(|(admin, delegate, owner)| [admin, delegate, owner])
}

proptest! {
    #[test]
    fn the_call_for_a_change_turns_before_into_after(
        (licence, current, desired, in_set, restore) in licence().prop_flat_map(|licence| {
            (Just(licence), lists_for(licence), lists_for(licence), logon_set(), logon_set())
        }),
        stale in proptest::bool::ANY,
    ) {
        let mut before = defaults(licence);
        before.lists = current.map(ActionList::from_known);
        if stale {
            before.lists[LogonType::Owner.index()].push_name("MessageBind");
            before.lists[LogonType::Admin.index()].push_name("FutureAction");
        }
        before.default_audit_set = in_set;
        let change = planned(&before, desired, restore);
        let expected = {
            let mut after = before.clone();
            for list in change.lists.iter().flatten().zip(0..) {
                after.lists[list.1] = list.0.after.clone();
            }
            if let Some(set) = &change.default_audit_set {
                after.default_audit_set = set.after;
            }
            after
        };
        let params = params_for_change(&change);
        let applied = set_mailbox(
            &catalog::Catalog::builtin(),
            &RecipientType::UserMailbox,
            licence,
            &before,
            &params,
        );
        prop_assert_eq!(applied, Ok(expected));
    }
}
