use super::*;
use crate::catalog::managed_defaults;

fn defaults(licence: LicenceTier) -> AuditSettings {
    AuditSettings {
        enabled: true,
        log_age_limit: TimeSpan::DEFAULT_AUDIT_LOG_AGE_LIMIT,
        lists: LogonType::ALL.map(|logon| ActionList::from_known(managed_defaults(logon, licence))),
        default_audit_set: LogonSet::ALL,
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|name| name.to_string()).collect()
}

fn edit(logon: LogonType, edit: ListEdit) -> SetMailboxParams {
    let mut params = SetMailboxParams::default();
    params.lists[logon.index()] = Some(edit);
    params
}

fn add(logon: LogonType, list: &[&str]) -> SetMailboxParams {
    edit(
        logon,
        ListEdit::AddRemove {
            add: names(list),
            remove: Vec::new(),
        },
    )
}

fn apply(params: &SetMailboxParams) -> Result<AuditSettings, ServiceError> {
    let current = defaults(LicenceTier::NonE5);
    set_mailbox(
        &RecipientType::UserMailbox,
        LicenceTier::NonE5,
        &current,
        params,
    )
}

fn refusal(params: &SetMailboxParams) -> String {
    match apply(params) {
        Ok(settings) => panic!("the service accepted the call: {settings:?}"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn adding_to_a_list_takes_that_logon_type_out_of_default_audit_set() {
    let after = apply(&add(LogonType::Owner, &["MailboxLogin"])).unwrap();
    assert!(after
        .list(LogonType::Owner)
        .known
        .contains(Action::MailboxLogin));
    assert_eq!(after.default_audit_set.names(), ["Admin", "Delegate"]);
}

#[test]
fn removing_from_a_list_takes_that_logon_type_out_of_default_audit_set() {
    let params = edit(
        LogonType::Admin,
        ListEdit::AddRemove {
            add: Vec::new(),
            remove: names(&["Create"]),
        },
    );
    let after = apply(&params).unwrap();
    assert!(!after.list(LogonType::Admin).known.contains(Action::Create));
    assert_eq!(after.default_audit_set.names(), ["Delegate", "Owner"]);
}

#[test]
fn replacing_a_list_takes_that_logon_type_out_of_default_audit_set() {
    let params = edit(
        LogonType::Delegate,
        ListEdit::Replace(names(&["hardDELETE", "Move"])),
    );
    let after = apply(&params).unwrap();
    assert_eq!(
        after.list(LogonType::Delegate).names(),
        ["HardDelete", "Move"]
    );
    assert_eq!(after.default_audit_set.names(), ["Admin", "Owner"]);
}

#[test]
fn replacing_with_none_or_nothing_empties_the_list() {
    for replacement in [names(&["None"]), Vec::new()] {
        let after = apply(&edit(LogonType::Owner, ListEdit::Replace(replacement))).unwrap();
        assert!(after.list(LogonType::Owner).is_empty());
    }
}

#[test]
fn default_audit_set_restores_only_the_named_logon_types() {
    let mut current = defaults(LicenceTier::E5);
    current.lists[LogonType::Owner.index()] = ActionList::from_names(["MailboxLogin"]);
    current.lists[LogonType::Admin.index()] = ActionList::from_names(["Copy"]);
    current.default_audit_set = LogonSet::EMPTY;
    let params = SetMailboxParams {
        default_audit_set: Some([LogonType::Owner].into_iter().collect()),
        ..SetMailboxParams::default()
    };
    let after = set_mailbox(
        &RecipientType::UserMailbox,
        LicenceTier::E5,
        &current,
        &params,
    )
    .unwrap();
    assert_eq!(
        after.list(LogonType::Owner).known,
        managed_defaults(LogonType::Owner, LicenceTier::E5)
    );
    assert!(after
        .list(LogonType::Owner)
        .known
        .contains(Action::MailItemsAccessed));
    assert_eq!(after.list(LogonType::Admin).names(), ["Copy"]);
    assert_eq!(after.default_audit_set.names(), ["Owner"]);
}

#[test]
fn restored_defaults_follow_the_mailbox_licence() {
    let mut current = defaults(LicenceTier::NonE5);
    current.default_audit_set = LogonSet::EMPTY;
    let params = SetMailboxParams {
        default_audit_set: Some(LogonSet::ALL),
        ..SetMailboxParams::default()
    };
    let after = set_mailbox(
        &RecipientType::SharedMailbox,
        LicenceTier::NonE5,
        &current,
        &params,
    )
    .unwrap();
    assert_eq!(after, defaults(LicenceTier::NonE5));
}

#[test]
fn scalars_are_set_as_given() {
    let params = SetMailboxParams {
        audit_enabled: Some(false),
        audit_log_age_limit: Some(TimeSpan::from_days(365)),
        ..SetMailboxParams::default()
    };
    let after = apply(&params).unwrap();
    assert!(!after.enabled);
    assert_eq!(after.log_age_limit.to_string(), "365.00:00:00");
    assert_eq!(after.default_audit_set, LogonSet::ALL);
}

#[test]
fn actions_a_mailbox_carries_from_before_the_catalog_can_be_removed() {
    let mut current = defaults(LicenceTier::NonE5);
    current.lists[LogonType::Owner.index()] =
        ActionList::from_names(["MessageBind", "FutureAction", "HardDelete"]);
    let params = edit(
        LogonType::Owner,
        ListEdit::AddRemove {
            add: Vec::new(),
            remove: names(&["messagebind", "futureaction"]),
        },
    );
    let after = set_mailbox(
        &RecipientType::UserMailbox,
        LicenceTier::NonE5,
        &current,
        &params,
    )
    .unwrap();
    assert_eq!(after.list(LogonType::Owner).names(), ["HardDelete"]);
}

#[test]
fn each_refusal_gives_the_service_text() {
    let group_call = set_mailbox(
        &RecipientType::GroupMailbox,
        LicenceTier::E5,
        &defaults(LicenceTier::E5),
        &add(LogonType::Owner, &["MailboxLogin"]),
    );
    let out_of_range = SetMailboxParams {
        audit_log_age_limit: Some(TimeSpan::from_days(30_000)),
        ..SetMailboxParams::default()
    };
    let report = [
        (
            "unknown action",
            refusal(&add(LogonType::Owner, &["MailboxLogon"])),
        ),
        (
            "deprecated",
            refusal(&add(LogonType::Admin, &["MessageBind"])),
        ),
        (
            "wrong logon type",
            refusal(&add(LogonType::Admin, &["MailboxLogin"])),
        ),
        (
            "licence",
            refusal(&add(LogonType::Owner, &["MailItemsAccessed"])),
        ),
        (
            "already audited",
            refusal(&add(LogonType::Owner, &["HardDelete"])),
        ),
        ("group mailbox", group_call.unwrap_err().to_string()),
        ("log age limit", refusal(&out_of_range)),
        (
            "unknown removal",
            refusal(&edit(
                LogonType::Owner,
                ListEdit::AddRemove {
                    add: Vec::new(),
                    remove: names(&["Nonsense"]),
                },
            )),
        ),
    ]
    .map(|(case, text)| format!("{case}:\n  {text}"))
    .join("\n");
    insta::assert_snapshot!(report);
}

#[test]
fn the_texts_shared_with_the_catalog_are_the_catalog_constants() {
    assert_eq!(
        refusal(&add(LogonType::Owner, &["MailItemsAccessed"])),
        LICENCE_REQUIRED_MESSAGE
    );
    assert_eq!(
        refusal(&add(LogonType::Owner, &["HardDelete"])),
        ALREADY_AUDITED_MESSAGE
    );
    let Remark::Deprecated { service_message } = Action::MessageBind.info().remark else {
        panic!("the catalog no longer marks MessageBind deprecated");
    };
    assert_eq!(
        refusal(&add(LogonType::Owner, &["MessageBind"])),
        service_message
    );
}

#[test]
fn a_group_mailbox_accepts_a_call_that_changes_nothing() {
    let current = defaults(LicenceTier::E5);
    let after = set_mailbox(
        &RecipientType::GroupMailbox,
        LicenceTier::E5,
        &current,
        &SetMailboxParams::default(),
    );
    assert_eq!(after, Ok(current));
}
