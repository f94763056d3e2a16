//! For any tenant and policy set: planning, applying to a snapshot file, and planning again
//! gives no changes.

use auditform::apply::apply_plan;
use auditform::catalog::Action;
use auditform::model::{ActionSet, LogonType, Tenant};
use auditform::plan::plan_tenant;
use auditform::policy::{
    AuditSpec, ListSpec, MailboxPolicy, PolicyRef, PolicySet, Selector, SourceLocation,
};
use auditform::state::snapshot::SnapshotFile;
use auditform::state::snapshot_write::SnapshotSink;
use auditform::state::ReadOptions;
use proptest::prelude::*;

fn names(bits: u32) -> Vec<&'static str> {
    Action::ALL
        .into_iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, a)| a.name())
        .collect()
}

fn policy_actions(bits: u32, logon: LogonType) -> ActionSet {
    names(bits)
        .into_iter()
        .filter(|name| auditform::catalog::check(name, logon).is_ok())
        .filter_map(Action::parse)
        .collect()
}

const TYPES: [&str; 4] = [
    "UserMailbox",
    "SharedMailbox",
    "RoomMailbox",
    "GroupMailbox",
];

fn mailbox_json() -> impl Strategy<Value = serde_json::Value> {
    (
        0..4usize,
        any::<[u32; 3]>(),
        0..8u8,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(kind, lists, defaults, enabled, e5)| {
            let default_set: Vec<&str> = LogonType::ALL
                .into_iter()
                .filter(|l| defaults & (1 << l.index()) != 0)
                .map(LogonType::name)
                .collect();
            serde_json::json!({
                "RecipientTypeDetails": TYPES[kind],
                "AuditEnabled": enabled,
                "AuditLogAgeLimit": "90.00:00:00",
                "AuditAdmin": names(lists[0]),
                "AuditDelegate": names(lists[1]),
                "AuditOwner": names(lists[2]),
                "DefaultAuditSet": default_set,
                "PersistedCapabilities": if e5 { vec!["M365Auditing"] } else { vec![] },
                "Unknown": {"Nested": [1, null]},
            })
        })
}

fn list_spec(logon: LogonType) -> impl Strategy<Value = Option<ListSpec>> {
    prop_oneof![
        2 => Just(None),
        3 => (any::<u32>(), any::<u32>()).prop_map(move |(a, r)| {
            let add = policy_actions(a, logon);
            Some(ListSpec::Change {
                add: add.into(),
                remove: policy_actions(r, logon).difference(add).into(),
            })
        }),
        1 => any::<u32>().prop_map(move |bits| Some(ListSpec::Exactly(policy_actions(bits, logon).into()))),
        1 => Just(Some(ListSpec::Default)),
    ]
}

fn policy() -> impl Strategy<Value = MailboxPolicy> {
    (
        list_spec(LogonType::Admin),
        list_spec(LogonType::Delegate),
        list_spec(LogonType::Owner),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(admin, delegate, owner, enabled)| MailboxPolicy {
            reference: PolicyRef {
                name: "generated".into(),
                source: SourceLocation {
                    file: "policies/generated.yaml".into(),
                    line: 1,
                    column: 1,
                },
            },
            description: None,
            priority: 0,
            selector: Selector::default(),
            audit: AuditSpec {
                enabled,
                log_age_limit: None,
                lists: [admin, delegate, owner],
            },
        })
}

fn plan_file(path: &std::path::Path, policies: &PolicySet) -> auditform::plan::Plan {
    let mut tenant = Tenant::default();
    SnapshotFile::new(path)
        .read(&mut tenant, &ReadOptions::default())
        .unwrap();
    plan_tenant(policies, &tenant, "generated").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn applying_a_plan_to_a_snapshot_and_planning_again_gives_no_changes(
        mailboxes in proptest::collection::vec(mailbox_json(), 1..12),
        policy in policy(),
    ) {
        let mailboxes: Vec<serde_json::Value> = mailboxes
            .into_iter()
            .enumerate()
            .map(|(i, mut m)| {
                m["Guid"] = format!("g-{i}").into();
                m["DisplayName"] = format!("Mailbox {i}").into();
                m
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tenant.json");
        let document = serde_json::json!({"organization": {"AuditDisabled": false}, "mailboxes": mailboxes});
        std::fs::write(&path, serde_json::to_string_pretty(&document).unwrap()).unwrap();
        let policies = PolicySet { mailbox: vec![policy], ..PolicySet::default() };

        let plan = plan_file(&path, &policies);
        let report = apply_plan(&plan, &mut SnapshotSink::new(&path), &mut |_| {}).unwrap();
        prop_assert!(report.succeeded(), "{:?}", report);
        let again = plan_file(&path, &policies);
        prop_assert!(again.is_empty(), "{:?}", again);
    }
}
