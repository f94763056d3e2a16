//! Importing any tenant gives policies that, written as YAML, read back and planned against the
//! same tenant, change nothing: whatever actions it holds (unknown names, MessageBind, E5 actions
//! on mailboxes without E5, actions invalid for their logon type) and whatever DefaultAuditSet
//! says.

use auditform::catalog::{managed_defaults, Action, LicenceTier};
use auditform::model::{
    ActionList, AuditSettings, BypassAssociation, LogonSet, LogonType, Mailbox, MailboxNames,
    Organization, RecipientType, Tenant,
};
use auditform::plan::plan_tenant;
use auditform::policy::import::{file_header, import_tenant};
use auditform::policy::load::{load_str, to_yaml};
use auditform::timespan::TimeSpan;
use proptest::prelude::*;

const TYPES: [RecipientType; 5] = [
    RecipientType::UserMailbox,
    RecipientType::SharedMailbox,
    RecipientType::RoomMailbox,
    RecipientType::DiscoveryMailbox,
    RecipientType::GroupMailbox,
];

/// A few configurations to choose from, so that mailboxes share them as in a real tenant.
fn action_list() -> impl Strategy<Value = ActionList> {
    (
        proptest::sample::subsequence(Action::ALL.to_vec(), 0..6),
        proptest::sample::subsequence(vec!["FutureAction", "Legacy'Op"], 0..=2),
    )
        .prop_map(|(known, unknown)| {
            let mut list = ActionList::from_known(known.into_iter().collect());
            for name in unknown {
                list.push_name(name);
            }
            list
        })
}

fn mailbox(index: usize) -> impl Strategy<Value = Mailbox> {
    (
        proptest::sample::select(TYPES.to_vec()),
        any::<bool>(),
        any::<bool>(),
        [action_list(), action_list(), action_list()],
        0u8..8,
        prop_oneof![Just(0i64), Just(90), Just(180), Just(30_000)],
        any::<bool>(),
    )
        .prop_map(
            move |(recipient_type, e5, enabled, lists, in_default_set, days, half_day)| {
                let licence = if e5 {
                    LicenceTier::E5
                } else {
                    LicenceTier::NonE5
                };
                let mut default_audit_set = LogonSet::EMPTY;
                let lists = LogonType::ALL.map(|logon| {
                    if in_default_set & (1 << logon.index()) != 0 {
                        default_audit_set.insert(logon);
                        ActionList::from_known(managed_defaults(logon))
                    } else {
                        lists[logon.index()].clone()
                    }
                });
                let mut limit = TimeSpan::from_days(days);
                if half_day {
                    limit = TimeSpan::from_ticks(limit.ticks() + 12 * 3600 * 10_000_000);
                }
                Mailbox {
                    names: MailboxNames {
                        identity: format!("mailbox-{index}").into(),
                        external_directory_object_id: Some(format!("id-{index}").into()),
                        ..MailboxNames::default()
                    },
                    recipient_type,
                    licence,
                    audit: AuditSettings {
                        enabled,
                        log_age_limit: limit,
                        lists,
                        default_audit_set,
                    },
                    properties: Vec::new(),
                }
            },
        )
}

fn tenant() -> impl Strategy<Value = Tenant> {
    (
        1..12usize,
        proptest::option::of(any::<bool>()),
        proptest::collection::vec(any::<bool>(), 0..4),
    )
        .prop_flat_map(|(count, audit_disabled, bypass)| {
            (0..count)
                .map(mailbox)
                .collect::<Vec<_>>()
                .prop_map(move |mailboxes| Tenant {
                    organization: audit_disabled
                        .map(|audit_disabled| Organization { audit_disabled }),
                    bypass: bypass
                        .iter()
                        .enumerate()
                        .map(|(index, &bypass_enabled)| BypassAssociation {
                            names: MailboxNames {
                                identity: format!("account-{index}").into(),
                                ..MailboxNames::default()
                            },
                            bypass_enabled,
                        })
                        .collect(),
                    mailboxes,
                })
        })
}

/// The import as the YAML text a user would get on stdout.
fn imported_yaml(tenant: &Tenant) -> String {
    let import = import_tenant(tenant);
    let mut text = String::new();
    for (index, file) in import.files.iter().enumerate() {
        if index > 0 {
            text.push_str("---\n");
        }
        let notes: &[String] = if index == 0 { &import.notes } else { &[] };
        text.push_str(&file_header("generated", notes));
        text.push_str(&to_yaml(&file.policies).expect("policies serialize"));
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn planning_imported_policies_against_the_same_tenant_changes_nothing(tenant in tenant()) {
        let text = imported_yaml(&tenant);
        prop_assume!(!text.is_empty());
        let loaded = load_str("imported.yaml", &text)
            .map_err(|error| TestCaseError::fail(format!("{error}\n{text}")))?;
        let plan = plan_tenant(&loaded.policies, &tenant, "generated")
            .map_err(|error| TestCaseError::fail(format!("{error:?}\n{text}")))?;
        prop_assert!(plan.is_empty(), "{:#?}\n{}", plan, text);
        prop_assert!(
            plan.skipped.iter().all(|s| s.recipient_type.is_fixed_configuration()),
            "only group mailboxes are skipped: {:#?}", plan.skipped
        );
    }

    #[test]
    fn each_recipient_type_has_one_base_policy(tenant in tenant()) {
        let import = import_tenant(&tenant);
        for file in import.files.iter().filter(|f| f.stem.starts_with("mailboxes-")) {
            let bases = file
                .policies
                .iter()
                .filter(|p| !p.metadata.name.as_str().ends_with(|c: char| c.is_ascii_digit()))
                .count();
            prop_assert_eq!(bases, 1, "{}", file.stem);
        }
    }
}
