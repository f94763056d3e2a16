use super::*;
use crate::catalog::{managed_defaults, Action, LicenceTier};
use crate::model::StateVisitor;
use crate::model::{
    ActionSet, AuditSettings, BypassAssociation, LogonSet, LogonType, Organization, RecipientType,
};
use crate::policy::load;

fn mailbox(id: &str, recipient_type: RecipientType, owner: &[&str]) -> Mailbox {
    let licence = LicenceTier::NonE5;
    let mut lists = LogonType::ALL.map(|logon| ActionList::from_known(managed_defaults(logon)));
    lists[LogonType::Owner.index()] = ActionList::from_names(owner.iter().copied());
    Mailbox {
        names: MailboxNames {
            identity: id.into(),
            external_directory_object_id: Some(format!("{id}-object-id").into()),
            display_name: Some(id.into()),
            ..MailboxNames::default()
        },
        recipient_type,
        licence,
        audit: AuditSettings {
            enabled: true,
            log_age_limit: TimeSpan::DEFAULT_AUDIT_LOG_AGE_LIMIT,
            lists,
            default_audit_set: [LogonType::Admin, LogonType::Delegate]
                .into_iter()
                .collect(),
        },
        properties: Vec::new(),
    }
}

fn yaml(import: &Import) -> String {
    let mut text = String::new();
    for (index, file) in import.files.iter().enumerate() {
        if !text.is_empty() {
            text.push_str("---\n");
        }
        let notes: &[String] = if index == 0 { &import.notes } else { &[] };
        text.push_str(&file_header("snapshot test.json", notes));
        text.push_str(&load::to_yaml(&file.policies).unwrap());
    }
    text
}

/// Writes the import as YAML, loads it back as policies and plans them against the tenant.
fn replanned(tenant: &Tenant) -> crate::plan::Plan {
    let text = yaml(&import_tenant(tenant));
    let loaded = load::load_str("imported.yaml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut planner = crate::plan::Planner::new(&loaded.policies, "test");
    // Some tenants here hold bypass associations and no mailbox.
    planner.allow_empty_state(true);
    for association in &tenant.bypass {
        planner.bypass(association.clone());
    }
    for mailbox in &tenant.mailboxes {
        planner.observe_mailbox(mailbox);
    }
    planner.finish().unwrap()
}

fn policy_names(import: &Import) -> Vec<String> {
    import
        .files
        .iter()
        .flat_map(|file| {
            file.policies
                .iter()
                .map(|p| p.metadata.name.as_str().to_string())
        })
        .collect()
}

#[test]
fn mailboxes_of_one_type_that_agree_share_one_policy() {
    let tenant = Tenant {
        mailboxes: (0..3)
            .map(|i| {
                mailbox(
                    &format!("user{i}"),
                    RecipientType::UserMailbox,
                    &["MailboxLogin"],
                )
            })
            .collect(),
        ..Tenant::default()
    };
    let import = import_tenant(&tenant);
    assert_eq!(policy_names(&import), ["mailboxes-usermailbox-imported"]);
    assert!(replanned(&tenant).is_empty());
}

#[test]
fn a_minority_configuration_gets_a_policy_by_identity_and_is_excluded_from_the_base() {
    let tenant = Tenant {
        mailboxes: vec![
            mailbox("a", RecipientType::UserMailbox, &["MailboxLogin"]),
            mailbox("b", RecipientType::UserMailbox, &["HardDelete"]),
            mailbox("c", RecipientType::UserMailbox, &["MailboxLogin"]),
        ],
        ..Tenant::default()
    };
    let import = import_tenant(&tenant);
    assert_eq!(
        policy_names(&import),
        [
            "mailboxes-usermailbox-imported",
            "mailboxes-usermailbox-imported-2"
        ]
    );
    let Spec::Mailbox(base) = &import.files[0].policies[0].spec else {
        panic!("a mailbox policy")
    };
    let exclude = base.selector.exclude.as_ref().expect("an exclude");
    assert_eq!(exclude.identities, Some(vec!["b-object-id".to_string()]));
    let Spec::Mailbox(minority) = &import.files[0].policies[1].spec else {
        panic!("a mailbox policy")
    };
    assert_eq!(minority.priority, OVERRIDE_PRIORITY);
    assert_eq!(
        minority.selector.identities,
        Some(vec!["b-object-id".to_string()])
    );
    assert!(replanned(&tenant).is_empty());
}

#[test]
fn a_logon_type_in_default_audit_set_is_written_as_default() {
    let spec = audit_spec(
        &Catalog::builtin(),
        &mailbox("a", RecipientType::UserMailbox, &[]),
    );
    assert_eq!(spec.admin, Some(LogonListSpec::default_list()));
    assert_eq!(spec.owner, Some(LogonListSpec::Exactly(vec![])));
}

#[test]
fn names_a_policy_cannot_write_are_left_alone_with_add_and_remove() {
    let mut unusual = mailbox(
        "a",
        RecipientType::UserMailbox,
        &["MailboxLogin", "MessageBind", "FutureAction", "Copy"],
    );
    unusual.audit.enabled = false;
    // Without a declaration for FutureAction, the list can't be named whole.
    let spec = audit_spec(&Catalog::builtin(), &unusual);
    let Some(LogonListSpec::Change { add, remove }) = &spec.owner else {
        panic!("expected add/remove, got {:?}", spec.owner)
    };
    assert_eq!(add, &[PolicyAction::Known(Action::MailboxLogin)]);
    for action in catalog::policy_actions(LogonType::Owner).iter() {
        let named = [add, remove]
            .iter()
            .any(|list| list.contains(&PolicyAction::Known(action)));
        assert_eq!(named, schema::redundancy(action).is_none(), "{action}");
    }
    for kept in [Action::MessageBind, Action::Copy] {
        assert!(!remove.contains(&PolicyAction::Known(kept)));
    }
    let tenant = Tenant {
        mailboxes: vec![unusual],
        ..Tenant::default()
    };
    assert!(replanned(&tenant).is_empty());
}

#[test]
fn a_zero_log_age_limit_is_written_with_allow_purge() {
    let mut purging = mailbox("a", RecipientType::RoomMailbox, &[]);
    purging.audit.log_age_limit = TimeSpan::ZERO;
    let spec = audit_spec(&Catalog::builtin(), &purging);
    assert_eq!(
        spec.log_age_limit.map(LogAgeLimit::span),
        Some(TimeSpan::ZERO)
    );
    assert!(spec.allow_purge);
    let tenant = Tenant {
        mailboxes: vec![purging],
        ..Tenant::default()
    };
    assert!(replanned(&tenant).is_empty());
}

#[test]
fn a_log_age_limit_of_part_of_a_day_keeps_its_timespan_form() {
    let limit = TimeSpan::parse_dotnet("1.12:00:00").unwrap();
    let written = serde_yaml::to_string(&log_age_limit(limit)).unwrap();
    assert_eq!(written, "1.12:00:00\n");
    let whole_days = serde_yaml::to_string(&log_age_limit(TimeSpan::from_days(180))).unwrap();
    assert_eq!(whole_days, "180\n");
}

#[test]
fn group_mailboxes_get_no_policy_and_a_note_says_why() {
    let tenant = Tenant {
        mailboxes: vec![mailbox("team", RecipientType::GroupMailbox, &[])],
        ..Tenant::default()
    };
    let import = import_tenant(&tenant);
    assert!(import.files.is_empty());
    assert_eq!(import.notes.len(), 1);
    assert!(import.notes[0].contains("1 GroupMailbox mailbox has no policy"));
}

#[test]
fn bypassing_accounts_are_the_exceptions_to_a_base_that_nobody_bypasses() {
    let association = |id: &str, bypass_enabled| BypassAssociation {
        names: MailboxNames {
            identity: id.into(),
            ..MailboxNames::default()
        },
        bypass_enabled,
    };
    let tenant = Tenant {
        organization: Some(Organization {
            audit_disabled: false,
        }),
        bypass: vec![association("svc", true), association("pilar", false)],
        mailboxes: Vec::new(),
    };
    let import = import_tenant(&tenant);
    assert_eq!(
        policy_names(&import),
        [
            "organization-imported",
            "bypass-imported",
            "bypass-imported-exceptions"
        ]
    );
    assert!(replanned(&tenant).is_empty());
}

#[test]
fn a_header_stays_a_comment_whatever_the_source_is_called() {
    let header = file_header("snapshot evil\nkind: X\u{2028}#", &["a\rb".to_string()]);
    assert!(header.lines().all(|line| line.starts_with('#')), "{header}");
}

#[test]
fn imported_yaml_reads_like_hand_written_policies() {
    let mut odd = mailbox(
        "b",
        RecipientType::UserMailbox,
        &["MailboxLogin", "MessageBind"],
    );
    odd.audit.default_audit_set = LogonSet::EMPTY;
    odd.audit.lists[LogonType::Admin.index()] =
        ActionList::from_known(ActionSet::from_iter([Action::Copy, Action::FolderBind]));
    let tenant = Tenant {
        organization: Some(Organization::default()),
        bypass: Vec::new(),
        mailboxes: vec![
            mailbox(
                "a",
                RecipientType::UserMailbox,
                &["MailboxLogin", "HardDelete"],
            ),
            odd,
            mailbox(
                "c",
                RecipientType::UserMailbox,
                &["MailboxLogin", "HardDelete"],
            ),
            mailbox("room", RecipientType::RoomMailbox, &[]),
            mailbox("team", RecipientType::GroupMailbox, &[]),
        ],
    };
    insta::assert_snapshot!(yaml(&import_tenant(&tenant)));
    assert!(replanned(&tenant).is_empty());
}

/// Issue 9 item 2: `import` keeps the actions it reads that auditform does not know: it
/// declares each, so that the policies name them (and planning them changes nothing).
#[test]
fn actions_unknown_to_auditform_are_declared_and_named() {
    let mut carrying = mailbox(
        "a",
        RecipientType::UserMailbox,
        &["MailboxLogin", "examplenewaction"],
    );
    carrying.audit.lists[LogonType::Admin.index()].push_name("ExampleNewAction");
    let tenant = Tenant {
        mailboxes: vec![carrying],
        ..Tenant::default()
    };
    let import = import_tenant(&tenant);
    let declarations = &import.files[0];
    assert_eq!(declarations.stem, "declared-actions");
    let Spec::Declaration(declared) = &declarations.policies[0].spec else {
        panic!("a declaration first");
    };
    assert_eq!(declared.action.0, "ExampleNewAction");
    let logons: Vec<LogonType> = declared.logon_types.iter().map(|l| l.0).collect();
    assert_eq!(logons, [LogonType::Admin, LogonType::Owner]);
    // Admin was in DefaultAuditSet: a Microsoft-managed list carried it.
    let defaults: Vec<LogonType> = declared.default_for.iter().map(|l| l.0).collect();
    assert_eq!(defaults, [LogonType::Admin]);
    let text = yaml(&import);
    assert!(text.contains("- ExampleNewAction"), "{text}");
    assert!(replanned(&tenant).is_empty());
}
