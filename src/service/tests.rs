use super::*;
use crate::catalog::{managed_defaults, Action, DeclaredAction};

/// A mailbox as the service leaves it: in DefaultAuditSet, with the managed defaults, which
/// are the same on every licence [EV-1.2].
fn defaults(_licence: LicenceTier) -> AuditSettings {
    AuditSettings {
        enabled: true,
        log_age_limit: TimeSpan::DEFAULT_AUDIT_LOG_AGE_LIMIT,
        lists: LogonType::ALL.map(|logon| ActionList::from_known(managed_defaults(logon))),
        default_audit_set: LogonSet::ALL,
    }
}

fn builtin() -> Catalog {
    Catalog::builtin()
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
        &builtin(),
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
        &builtin(),
        &RecipientType::UserMailbox,
        LicenceTier::E5,
        &current,
        &params,
    )
    .unwrap();
    assert_eq!(
        after.list(LogonType::Owner).known,
        managed_defaults(LogonType::Owner)
    );
    assert!(after
        .list(LogonType::Owner)
        .known
        .contains(Action::MailItemsAccessed));
    assert_eq!(after.list(LogonType::Admin).names(), ["Copy"]);
    assert_eq!(after.default_audit_set.names(), ["Owner"]);
}

/// DESIGN §1.1: since the 2024 Audit (Standard) rollout the managed defaults, MailItemsAccessed
/// and Send among them, are the same whatever the licence [EV-1.3].
#[test]
fn restored_defaults_are_the_same_on_every_licence() {
    for licence in [LicenceTier::NonE5, LicenceTier::E5] {
        let mut current = defaults(licence);
        current.default_audit_set = LogonSet::EMPTY;
        current.lists = Default::default();
        let params = SetMailboxParams {
            default_audit_set: Some(LogonSet::ALL),
            ..SetMailboxParams::default()
        };
        let after = set_mailbox(
            &builtin(),
            &RecipientType::SharedMailbox,
            licence,
            &current,
            &params,
        )
        .unwrap();
        assert_eq!(after, defaults(licence));
        assert!(after.list(LogonType::Owner).known.contains(Action::Send));
        assert!(after
            .list(LogonType::Delegate)
            .known
            .contains(Action::MailItemsAccessed));
    }
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
        &builtin(),
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
        &builtin(),
        &RecipientType::GroupMailbox,
        LicenceTier::E5,
        &defaults(LicenceTier::E5),
        &add(LogonType::Owner, &["MailboxLogin"]),
    );
    let premium = |params: &SetMailboxParams| {
        set_mailbox(
            &builtin(),
            &RecipientType::UserMailbox,
            LicenceTier::E5,
            &defaults(LicenceTier::E5),
            params,
        )
        .unwrap_err()
        .to_string()
    };
    let out_of_range = SetMailboxParams {
        audit_log_age_limit: Some(TimeSpan::from_days(30_000)),
        ..SetMailboxParams::default()
    };
    let fraction = SetMailboxParams {
        audit_log_age_limit: Some(TimeSpan::from_ticks(1)),
        ..SetMailboxParams::default()
    };
    let report = [
        (
            "unknown action",
            refusal(&add(LogonType::Owner, &["MailboxLogon"])),
        ),
        (
            "wrong logon type (Admin)",
            refusal(&add(LogonType::Admin, &["MailboxLogin"])),
        ),
        (
            "wrong logon type (Delegate)",
            refusal(&add(LogonType::Delegate, &["Copy"])),
        ),
        (
            "wrong logon type (Owner)",
            refusal(&add(LogonType::Owner, &["MessageBind"])),
        ),
        (
            "licence",
            refusal(&add(LogonType::Owner, &["SearchQueryInitiated"])),
        ),
        (
            "MessageBind with Audit (Premium)",
            premium(&add(LogonType::Admin, &["MessageBind"])),
        ),
        ("group mailbox", group_call.unwrap_err().to_string()),
        ("log age limit", refusal(&out_of_range)),
        ("log age limit fraction", refusal(&fraction)),
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

/// DESIGN §1.1 "the service's texts": an action a logon type refuses gets the service's fixed
/// text for that logon type, which lists 2018-era actions only (evidence-service.md W1) [EV-3.1].
#[test]
fn an_invalid_action_gets_the_fixed_text_of_its_logon_type() {
    for (logon, action) in [
        (LogonType::Admin, "MailboxLogin"),
        (LogonType::Delegate, "Send"),
        (LogonType::Owner, "SendAs"),
    ] {
        let text = refusal(&add(logon, &[action]));
        assert_eq!(text, texts::invalid_operation(logon));
        assert!(text.starts_with(texts::INVALID_OPERATION_PREFIX));
    }
    assert!(texts::INVALID_OPERATION_OWNER.contains("for Mailbox Owner are"));
}

/// DESIGN §1.1: the licence text with its second sentence [EV-3.3]; only a `P` action gets it.
#[test]
fn only_search_query_initiated_is_refused_for_licence() {
    assert_eq!(
        refusal(&add(LogonType::Owner, &["SearchQueryInitiated"])),
        "Auditing of SearchQueryInitiated event is only available for users with appropriate license. Please visit the documentation to know more about this."
    );
    assert_eq!(
        texts::licence_required("MailItemsAccessed"),
        texts::LICENCE_REQUIRED_MAILITEMSACCESSED
    );
    let accepted = apply(&add(LogonType::Owner, &["MailboxLogin"])).unwrap();
    assert!(accepted
        .list(LogonType::Owner)
        .known
        .contains(Action::MailboxLogin));
}

/// evidence-service.md W2: adding an action already audited, or removing one that is not, is
/// a silent no-op [EV-3.2]; naming the list still takes it out of DefaultAuditSet.
#[test]
fn adding_what_is_there_or_removing_what_is_not_changes_nothing_else() {
    let params = edit(
        LogonType::Owner,
        ListEdit::AddRemove {
            add: names(&["HardDelete"]),
            remove: names(&["MailboxLogin"]),
        },
    );
    let after = apply(&params).unwrap();
    let before = defaults(LicenceTier::NonE5);
    assert_eq!(after.list(LogonType::Owner), before.list(LogonType::Owner));
    assert_eq!(after.default_audit_set.names(), ["Admin", "Delegate"]);
}

/// DESIGN §1.2: a GroupMailbox's AuditLogAgeLimit can be changed, with -GroupMailbox; its lists
/// and AuditEnabled can't [EV-4.6].
#[test]
fn a_group_mailbox_takes_only_audit_log_age_limit_and_only_with_the_switch() {
    let group = |params: &SetMailboxParams| {
        set_mailbox(
            &builtin(),
            &RecipientType::GroupMailbox,
            LicenceTier::NonE5,
            &defaults(LicenceTier::NonE5),
            params,
        )
    };
    let mut params = SetMailboxParams {
        audit_log_age_limit: Some(TimeSpan::from_days(180)),
        ..SetMailboxParams::default()
    };
    assert_eq!(
        group(&params),
        Err(ServiceError::GroupMailboxSwitchRequired)
    );
    params.group_mailbox = true;
    let after = group(&params).unwrap();
    assert_eq!(after.log_age_limit, TimeSpan::from_days(180));
    assert_eq!(after.default_audit_set, LogonSet::ALL);
    params.audit_enabled = Some(true);
    assert_eq!(group(&params), Err(ServiceError::FixedConfiguration));
    let user = SetMailboxParams {
        group_mailbox: true,
        audit_log_age_limit: Some(TimeSpan::from_days(180)),
        ..SetMailboxParams::default()
    };
    assert_eq!(apply(&user), Err(ServiceError::NotAGroupMailbox));
}

/// DESIGN §1.2: "the largest is `24855.03:14:07`" [EV-4.1].
#[test]
fn the_longest_age_limit_is_accepted_and_a_second_more_is_not() {
    let at = |limit: TimeSpan| {
        apply(&SetMailboxParams {
            audit_log_age_limit: Some(limit),
            ..SetMailboxParams::default()
        })
    };
    assert!(at(MAX_AUDIT_LOG_AGE_LIMIT).is_ok());
    assert!(at(TimeSpan::ZERO).is_ok());
    let beyond = TimeSpan::from_ticks(MAX_AUDIT_LOG_AGE_LIMIT.ticks() + TimeSpan::TICKS_PER_SECOND);
    assert_eq!(
        at(beyond).unwrap_err().to_string(),
        "The property, (24855.03:14:08), is out of range. The valid range is from 00:00:00 to 24855.03:14:07."
    );
}

#[test]
fn declared_actions_are_accepted_for_their_logon_types() {
    let mut catalog = Catalog::builtin();
    catalog
        .declare(DeclaredAction {
            name: "ExampleNewAction".into(),
            support: [Support::Valid, Support::Rejected, Support::Default],
            origin: "policies/x.yaml:3".into(),
        })
        .unwrap();
    let call = |logon: LogonType| {
        set_mailbox(
            &catalog,
            &RecipientType::UserMailbox,
            LicenceTier::NonE5,
            &defaults(LicenceTier::NonE5),
            &add(logon, &["examplenewaction"]),
        )
    };
    let after = call(LogonType::Owner).unwrap();
    assert_eq!(
        *after.list(LogonType::Owner).unknown,
        ["ExampleNewAction".into()]
    );
    assert_eq!(
        call(LogonType::Delegate).unwrap_err().to_string(),
        texts::INVALID_OPERATION_DELEGATE
    );
    let mut restore = defaults(LicenceTier::NonE5);
    restore.default_audit_set = LogonSet::EMPTY;
    let restored = set_mailbox(
        &catalog,
        &RecipientType::UserMailbox,
        LicenceTier::NonE5,
        &restore,
        &SetMailboxParams {
            default_audit_set: Some(LogonSet::ALL),
            ..SetMailboxParams::default()
        },
    )
    .unwrap();
    assert!(restored
        .list(LogonType::Owner)
        .contains_name("ExampleNewAction"));
    assert!(!restored
        .list(LogonType::Admin)
        .contains_name("ExampleNewAction"));
}

#[test]
fn a_group_mailbox_accepts_a_call_that_changes_nothing() {
    let current = defaults(LicenceTier::E5);
    let after = set_mailbox(
        &builtin(),
        &RecipientType::GroupMailbox,
        LicenceTier::E5,
        &current,
        &SetMailboxParams::default(),
    );
    assert_eq!(after, Ok(current));
}
