use super::*;
use crate::plan::fixtures::*;
use LogonType::*;

fn sizes(groups: &[ChangeGroup<'_>]) -> Vec<usize> {
    groups.iter().map(ChangeGroup::len).collect()
}

#[test]
fn identical_changes_fall_into_one_group_in_plan_order() {
    let changes = many(4, owner_sign_ins);
    let groups = group_changes(&changes);
    assert_eq!(sizes(&groups), [4]);
    let names: Vec<&str> = groups[0]
        .members
        .iter()
        .map(|member| member.subject.display_name())
        .collect();
    assert_eq!(names, ["User 1", "User 2", "User 3", "User 4"]);
}

#[test]
fn lists_that_differ_only_in_what_stays_are_still_the_same_change() {
    let first = owner_sign_ins("A", "a@contoso.com");
    let second = mailbox("B", "b@contoso.com")
        .list(
            Owner,
            list_change(&["Update"], &["MailboxLogin", "HardDelete"], &[]),
        )
        .default_audit_set(&[Admin, Delegate, Owner], &[Admin, Delegate])
        .policy("owner-sign-ins");
    assert_eq!(sizes(&group_changes(&[first, second])), [2]);
}

#[test]
fn any_difference_in_a_delta_makes_a_separate_group() {
    let base = || owner_sign_ins("A", "a@contoso.com");
    let variants = vec![
        base(),
        base().recipient(RecipientType::SharedMailbox),
        base().enabled(false, true),
        base().log_age_days(90, 180),
        base().list(Admin, list_change(&[], &["Copy"], &[])),
        base().list(Owner, list_change(&[], &["MailboxLogin"], &[])),
        base().default_audit_set(&[Owner], &[]),
        base().restore(Admin),
        base().note("AuditEnabled is ignored for UserMailbox"),
    ];
    let groups = group_changes(&variants);
    assert_eq!(sizes(&groups), [1; 9]);
}

#[test]
fn policies_do_not_split_a_group_but_are_all_named_once() {
    let changes = vec![
        owner_sign_ins("A", "a@contoso.com").policy("finance"),
        owner_sign_ins("B", "b@contoso.com"),
        owner_sign_ins("C", "c@contoso.com").policy("finance"),
    ];
    let groups = group_changes(&changes);
    assert_eq!(sizes(&groups), [3]);
    let names: Vec<&str> = groups[0]
        .policies()
        .into_iter()
        .map(|policy| &*policy.name)
        .collect();
    assert_eq!(names, ["owner-sign-ins", "finance"]);
}

#[test]
fn groups_come_in_the_order_of_their_first_member() {
    let changes = vec![
        owner_sign_ins("A", "a@contoso.com"),
        mailbox("B", "b@contoso.com").enabled(false, true),
        owner_sign_ins("C", "c@contoso.com"),
    ];
    let groups = group_changes(&changes);
    assert_eq!(sizes(&groups), [2, 1]);
    assert_eq!(groups[1].representative().subject.display_name(), "B");
}

#[test]
fn a_weakening_change_makes_its_group_weaken() {
    let changes = vec![mailbox("A", "a@contoso.com").list(
        Delegate,
        list_change(&["FolderBind", "Update"], &[], &["FolderBind"]),
    )];
    let groups = group_changes(&changes);
    assert!(groups[0].weakens());
    assert!(!group_changes(&many(2, owner_sign_ins))[0].weakens());
}

#[test]
fn no_changes_make_no_groups() {
    assert!(group_changes(&[]).is_empty());
}
