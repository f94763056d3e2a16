use super::*;
use crate::model::{ActionList, AuditSettings, LogonSet, TimeSpan};

fn names(identity: &str, upn: &str) -> MailboxNames {
    MailboxNames {
        identity: identity.into(),
        name: Some(format!("{identity}-name").into()),
        alias: Some(format!("{identity}-alias").into()),
        display_name: Some("Pilar Ackerman".into()),
        user_principal_name: Some(upn.into()),
        primary_smtp_address: Some(format!("smtp.{upn}").into()),
        external_directory_object_id: Some(format!("{identity}-edoid").into()),
        guid: Some(format!("{identity}-guid").into()),
        exchange_guid: Some(format!("{identity}-exchange-guid").into()),
    }
}

fn mailbox(
    identity: &str,
    upn: &str,
    recipient_type: RecipientType,
    licence: LicenceTier,
) -> Mailbox {
    Mailbox {
        names: names(identity, upn),
        recipient_type,
        licence,
        audit: AuditSettings {
            enabled: true,
            log_age_limit: TimeSpan::DEFAULT_AUDIT_LOG_AGE_LIMIT,
            lists: [
                ActionList::default(),
                ActionList::default(),
                ActionList::default(),
            ],
            default_audit_set: LogonSet::ALL,
        },
        properties: vec![("Department".into(), PropertyValue::Text("Finance".into()))],
    }
}

fn pilar() -> Mailbox {
    mailbox(
        "pilar",
        "pilar@finance.contoso.com",
        RecipientType::UserMailbox,
        LicenceTier::E5,
    )
}

fn room() -> Mailbox {
    mailbox(
        "room1",
        "room1@contoso.com",
        RecipientType::RoomMailbox,
        LicenceTier::NonE5,
    )
}

fn bypass(identity: &str, upn: &str) -> BypassAssociation {
    BypassAssociation {
        names: names(identity, upn),
        bypass_enabled: true,
    }
}

fn globs(patterns: &[&str]) -> Globs {
    match Globs::new(patterns.iter().map(|p| p.to_string()).collect()) {
        Ok(globs) => globs,
        Err(error) => panic!("{error}"),
    }
}

fn filter(text: &str) -> Filter {
    match Filter::parse(text) {
        Ok(filter) => filter,
        Err(error) => panic!("{}", error.explain(text)),
    }
}

fn identities(names: &[&str]) -> Selector {
    Selector {
        identities: names.iter().map(|n| n.to_string()).collect(),
        ..Selector::default()
    }
}

#[test]
fn a_selector_without_conditions_selects_every_mailbox_and_association() {
    let everything = Selector::default();
    assert!(everything.matches(&pilar()));
    assert!(everything.matches(&room()));
    assert!(everything.matches(&bypass("svc", "svc@contoso.com")));
}

#[test]
fn identities_match_every_name_kind_ignoring_case() {
    let mailbox = pilar();
    for name in [
        "PILAR",
        "Pilar-Name",
        "pilar-ALIAS",
        "Pilar@Finance.Contoso.com",
        "SMTP.pilar@finance.contoso.COM",
        "pilar-EDOID",
        "Pilar-Guid",
    ] {
        assert!(identities(&[name]).matches(&mailbox), "{name}");
    }
}

#[test]
fn identities_do_not_match_display_name_or_exchange_guid() {
    let mailbox = pilar();
    assert!(!identities(&["Pilar Ackerman"]).matches(&mailbox));
    assert!(!identities(&["pilar-exchange-guid"]).matches(&mailbox));
}

#[test]
fn identities_compare_non_ascii_names_ignoring_case() {
    let mut mailbox = pilar();
    mailbox.names.alias = Some("Åsa.Öberg".into());
    assert!(identities(&["åsa.öberg"]).matches(&mailbox));
}

#[test]
fn an_identity_list_is_an_or() {
    let either = identities(&["nobody@contoso.com", "room1"]);
    assert!(either.matches(&room()));
    assert!(!either.matches(&pilar()));
}

#[test]
fn recipient_types_are_an_or_and_must_hold() {
    let selector = Selector {
        recipient_types: vec![RecipientType::SharedMailbox, RecipientType::RoomMailbox],
        ..Selector::default()
    };
    assert!(selector.matches(&room()));
    assert!(!selector.matches(&pilar()));
}

#[test]
fn an_unknown_recipient_type_matches_by_name_ignoring_case() {
    let selector = Selector {
        recipient_types: vec![RecipientType::Other("PublicFolderMailbox".into())],
        ..Selector::default()
    };
    let mut mailbox = room();
    mailbox.recipient_type = RecipientType::Other("publicfoldermailbox".into());
    assert!(selector.matches(&mailbox));
}

#[test]
fn globs_match_upn_or_primary_smtp_address_ignoring_case() {
    let finance = Selector {
        match_globs: Some(globs(&["*@FINANCE.contoso.com"])),
        ..Selector::default()
    };
    assert!(finance.matches(&pilar()));
    assert!(!finance.matches(&room()));

    let by_smtp = Selector {
        match_globs: Some(globs(&["smtp.room?@contoso.com"])),
        ..Selector::default()
    };
    assert!(by_smtp.matches(&room()));
}

#[test]
fn a_bad_glob_is_refused_naming_the_pattern() {
    let error = Globs::new(vec!["*@contoso.com".into(), "[a-".into()]).err();
    insta::assert_snapshot!(error.unwrap_or_default(), @"bad glob `[a-`: unclosed character class; missing ']'");
}

#[test]
fn licence_selects_by_tier() {
    let e5 = Selector {
        licence: Some(LicenceTier::E5),
        ..Selector::default()
    };
    assert!(e5.matches(&pilar()));
    assert!(!e5.matches(&room()));
}

#[test]
fn a_filter_is_one_more_condition_that_must_hold() {
    let selector = Selector {
        recipient_types: vec![RecipientType::UserMailbox],
        filter: Some(filter("Department -eq 'finance'")),
        ..Selector::default()
    };
    assert!(selector.matches(&pilar()));
    let mut elsewhere = pilar();
    elsewhere.properties.clear();
    assert!(!selector.matches(&elsewhere));
}

#[test]
fn all_conditions_must_hold_together() {
    let selector = Selector {
        recipient_types: vec![RecipientType::UserMailbox],
        identities: vec!["room1".into()],
        ..Selector::default()
    };
    assert!(!selector.matches(&pilar()));
    assert!(!selector.matches(&room()));
}

#[test]
fn a_mailbox_matching_exclude_is_not_selected() {
    let selector = Selector {
        exclude: Some(Box::new(identities(&["pilar@finance.contoso.com"]))),
        ..Selector::default()
    };
    assert!(!selector.matches(&pilar()));
    assert!(selector.matches(&room()));
}

#[test]
fn an_empty_exclude_excludes_nothing() {
    let selector = Selector {
        exclude: Some(Box::default()),
        ..Selector::default()
    };
    assert!(selector.matches(&pilar()));
    assert!(selector.matches(&room()));

    let only_nested = Selector {
        exclude: Some(Box::new(Selector {
            exclude: Some(Box::new(identities(&["pilar"]))),
            ..Selector::default()
        })),
        ..Selector::default()
    };
    assert!(only_nested.matches(&pilar()));
    assert!(only_nested.matches(&room()));
}

#[test]
fn an_exclude_with_an_empty_glob_list_excludes_nothing() {
    let selector = Selector {
        exclude: Some(Box::new(Selector {
            match_globs: Some(globs(&[])),
            ..Selector::default()
        })),
        ..Selector::default()
    };
    assert!(selector.matches(&pilar()));
}

#[test]
fn a_nested_exclude_carves_an_exception_out_of_the_exclusion() {
    let selector = Selector {
        exclude: Some(Box::new(Selector {
            match_globs: Some(globs(&["*@finance.contoso.com", "*@contoso.com"])),
            exclude: Some(Box::new(identities(&["pilar"]))),
            ..Selector::default()
        })),
        ..Selector::default()
    };
    assert!(selector.matches(&pilar()));
    assert!(!selector.matches(&room()));
}

#[test]
fn a_bypass_association_is_selected_by_its_names_and_globs() {
    let account = bypass("svc-backup", "svc-backup@contoso.com");
    assert!(identities(&["SVC-BACKUP@contoso.com"]).matches(&account));
    let by_glob = Selector {
        match_globs: Some(globs(&["svc-*@contoso.com"])),
        ..Selector::default()
    };
    assert!(by_glob.matches(&account));
}

#[test]
fn a_bypass_association_never_matches_a_recipient_type_or_licence_condition() {
    let account = bypass("svc-backup", "svc-backup@contoso.com");
    let users = Selector {
        recipient_types: vec![RecipientType::UserMailbox],
        ..Selector::default()
    };
    let non_e5 = Selector {
        licence: Some(LicenceTier::NonE5),
        ..Selector::default()
    };
    assert!(!users.matches(&account));
    assert!(!non_e5.matches(&account));

    let all_but_rooms = Selector {
        exclude: Some(Box::new(Selector {
            recipient_types: vec![RecipientType::RoomMailbox],
            ..Selector::default()
        })),
        ..Selector::default()
    };
    assert!(all_but_rooms.matches(&account));
}

#[test]
fn a_bypass_association_offers_its_names_and_bypass_flag_to_filters() {
    let account = bypass("svc-backup", "svc-backup@contoso.com");
    let selector = Selector {
        filter: Some(filter(
            "AuditBypassEnabled -eq $true -and UserPrincipalName -like 'svc-*' -and Department -eq $null",
        )),
        ..Selector::default()
    };
    assert!(selector.matches(&account));
}

#[test]
fn filter_properties_include_the_excludes_filter_once() {
    let selector = Selector {
        filter: Some(filter("Department -eq 'Finance' -and Office -ne 'Paris'")),
        exclude: Some(Box::new(Selector {
            filter: Some(filter(
                "CustomAttribute1 -eq 'NoAudit' -or office -eq 'Lyon'",
            )),
            ..Selector::default()
        })),
        ..Selector::default()
    };
    assert_eq!(
        selector.filter_properties(),
        vec!["Department", "Office", "CustomAttribute1"]
    );
    assert!(Selector::default().filter_properties().is_empty());
}
