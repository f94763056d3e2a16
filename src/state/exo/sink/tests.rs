use super::*;
use crate::model::{ActionList, LogonSet};
use crate::plan::fixtures::{list_change, mailbox, owner_sign_ins, Build};
use crate::timespan::TimeSpan;

#[test]
fn a_set_mailbox_call_sends_add_and_remove_as_the_endpoints_hashtable() {
    let change = owner_sign_ins("Pilar Pinilla", "pilar@contoso.com")
        .list(
            LogonType::Delegate,
            list_change(&["FolderBind", "SendAs"], &[], &["FolderBind"]),
        )
        .enabled(false, true)
        .log_age_days(90, 180);
    let wire = set_mailbox_parameters(change.subject.id(), &params_for_change(&change));
    insta::assert_json_snapshot!(wire);
}

#[test]
fn restoring_defaults_sends_default_audit_set_instead_of_a_list_edit() {
    let change = mailbox("Alex", "alex@contoso.com")
        .list(LogonType::Admin, list_change(&["Copy"], &[], &["Copy"]))
        .restore(LogonType::Admin);
    let wire = set_mailbox_parameters(change.subject.id(), &params_for_change(&change));
    insta::assert_json_snapshot!(wire);
}

fn settings_after(change: &MailboxChange) -> AuditSettings {
    let mut settings = AuditSettings {
        enabled: change.enabled.as_ref().is_some_and(|c| c.after),
        log_age_limit: change
            .log_age_limit
            .as_ref()
            .map_or(TimeSpan::from_days(90), |c| c.after),
        lists: [
            ActionList::default(),
            ActionList::default(),
            ActionList::default(),
        ],
        default_audit_set: change
            .default_audit_set
            .as_ref()
            .map_or(LogonSet::EMPTY, |c| c.after),
    };
    for logon in LogonType::ALL {
        if let Some(list) = change.list(logon) {
            *settings.list_mut(logon) = list.after.clone();
        }
    }
    settings
}

#[test]
fn a_mailbox_holds_a_change_when_every_planned_setting_is_there() {
    let change = owner_sign_ins("Pilar Pinilla", "pilar@contoso.com").log_age_days(90, 180);
    let settings = settings_after(&change);
    assert!(holds(&change, &settings));

    let mut missing_action = settings.clone();
    missing_action
        .list_mut(LogonType::Owner)
        .known
        .remove(crate::catalog::Action::MailboxLogin);
    assert!(!holds(&change, &missing_action));

    let mut other_limit = settings;
    other_limit.log_age_limit = TimeSpan::from_days(90);
    assert!(!holds(&change, &other_limit));
}

#[test]
fn only_a_completed_or_confirmed_change_counts_as_success() {
    assert!(WriteResult::Changed.succeeded());
    assert!(WriteResult::AlreadyApplied.succeeded());
    assert!(!WriteResult::NotApplied.succeeded());
    assert!(!WriteResult::Unknown.succeeded());
    assert!(!WriteResult::Failed {
        message: "x".into()
    }
    .succeeded());
}
