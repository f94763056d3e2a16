use super::*;
use crate::mailbox::DEFAULT_AGE_LIMIT;

fn defaults() -> Audit {
    let operations = Operations::default();
    Audit {
        enabled: true,
        age_limit: DEFAULT_AGE_LIMIT,
        lists: Logon::ALL.map(|logon| operations.defaults(logon)),
        default_set: [true; 3],
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|name| name.to_string()).collect()
}

fn add(logon: Logon, list: &[&str]) -> Request {
    let mut request = Request::default();
    request.lists[logon.index()] = Some(ListEdit::AddRemove {
        add: names(list),
        remove: Vec::new(),
    });
    request
}

fn call(model: &ServiceModel, premium: bool, request: &Request) -> Result<Audit, CmdletError> {
    set_mailbox(
        &Operations::default(),
        model,
        &defaults(),
        premium,
        false,
        request,
    )
}

#[test]
fn an_add_of_what_is_there_is_silent_by_default_and_refused_in_the_designs_mode() {
    let silent = call(
        &ServiceModel::default(),
        false,
        &add(Logon::Owner, &["HardDelete"]),
    )
    .unwrap();
    assert_eq!(silent.lists, defaults().lists);
    assert_eq!(silent.default_set, [true, true, false]);
    let strict = ServiceModel {
        duplicate_add: DuplicateAdd::AlreadyAudited,
        ..ServiceModel::default()
    };
    let refused = call(
        &strict,
        false,
        &add(Logon::Owner, &["MailboxLogin", "HardDelete"]),
    )
    .unwrap_err();
    assert_eq!(refused.message, ALREADY_AUDITED);
    assert!(call(&strict, false, &add(Logon::Owner, &["MailboxLogin"])).is_ok());
}

#[test]
fn message_bind_is_admin_only_and_refused_with_audit_premium() {
    let model = ServiceModel::default();
    assert!(call(&model, false, &add(Logon::Admin, &["MessageBind"])).is_ok());
    assert!(call(&model, true, &add(Logon::Admin, &["MessageBind"]))
        .unwrap_err()
        .message
        .contains("Audit (Premium)"));
    for logon in [Logon::Delegate, Logon::Owner] {
        let refused = call(&model, false, &add(logon, &["MessageBind"])).unwrap_err();
        assert_eq!(refused.message, logon.invalid_operation_text());
    }
}

#[test]
fn only_search_query_initiated_needs_audit_premium() {
    let model = ServiceModel::default();
    assert!(call(
        &model,
        false,
        &add(Logon::Owner, &["MailItemsAccessed", "Send"])
    )
    .is_ok());
    assert_eq!(
        call(&model, false, &add(Logon::Owner, &["SearchQueryInitiated"])).unwrap_err().message,
        "Auditing of SearchQueryInitiated event is only available for users with appropriate license. Please visit the documentation to know more about this."
    );
    assert!(call(&model, true, &add(Logon::Owner, &["SearchQueryInitiated"])).is_ok());
}

#[test]
fn a_group_mailbox_takes_only_its_age_limit() {
    let request = Request {
        age_limit: Some(crate::timespan::parse("180").unwrap()),
        ..Request::default()
    };
    let model = ServiceModel::default();
    let after = set_mailbox(
        &Operations::default(),
        &model,
        &defaults(),
        false,
        true,
        &request,
    )
    .unwrap();
    assert_eq!(crate::timespan::format(after.age_limit), "180.00:00:00");
    let customizing = add(Logon::Owner, &["MailboxLogin"]);
    assert!(set_mailbox(
        &Operations::default(),
        &model,
        &defaults(),
        false,
        true,
        &customizing
    )
    .is_err());
}

#[test]
fn the_age_limit_is_bounded_by_int32_seconds() {
    let at = |text: &str| {
        call(
            &ServiceModel::default(),
            false,
            &Request {
                age_limit: crate::timespan::parse(text),
                ..Request::default()
            },
        )
    };
    assert!(at("24855.03:14:07").is_ok());
    assert_eq!(
        at("24855.03:14:08").unwrap_err().message,
        "The property, (24855.03:14:08), is out of range. The valid range is from 00:00:00 to 24855.03:14:07."
    );
    assert!(at("-1").is_err());
}

#[test]
fn restoring_defaults_replaces_the_list_and_rejoins_default_audit_set() {
    let mut current = defaults();
    current.lists[Logon::Owner.index()] = names(&["MailboxLogin"]);
    current.default_set = [false; 3];
    let request = Request {
        default_set: Some([false, false, true]),
        ..Request::default()
    };
    let after = set_mailbox(
        &Operations::default(),
        &ServiceModel::default(),
        &current,
        false,
        false,
        &request,
    )
    .unwrap();
    assert_eq!(
        after.lists[Logon::Owner.index()],
        Operations::default().defaults(Logon::Owner)
    );
    assert_eq!(after.default_set, [false, false, true]);
}
