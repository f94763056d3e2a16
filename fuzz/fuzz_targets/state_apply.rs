//! The local state backend's write: a state file that reads, planned against the CIS policies
//! and rewritten as `apply` rewrites it. The new file reads, holds the same objects with every
//! property auditform does not manage as it was, and planning again leaves only the changes the
//! service model refused.
#![no_main]

use auditform::model::Tenant;
use auditform::plan::plan_tenant;
use auditform::policy::load::load_str;
use auditform::policy::PolicySet;
use auditform::state::snapshot::read_snapshot_bytes;
use auditform::state::snapshot_write::rewrite;
use auditform::state::{ObjectResult, ReadOptions};
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use std::sync::OnceLock;

const POLICIES: [&str; 5] = [
    include_str!("../../examples/policies/cis-6.1/6.1.1-organization-auditing.yaml"),
    include_str!("../../examples/policies/cis-6.1/6.1.2-mailbox-actions-e3.yaml"),
    include_str!("../../examples/policies/cis-6.1/6.1.3-mailbox-actions-e5.yaml"),
    include_str!("../../examples/policies/cis-6.1/6.1.4-no-audit-bypass.yaml"),
    include_str!("../../policies/all-mailboxes.yaml"),
];

fn policies() -> &'static PolicySet {
    static SET: OnceLock<PolicySet> = OnceLock::new();
    SET.get_or_init(|| {
        load_str("cis.yaml", &POLICIES.join("\n---\n"))
            .expect("the CIS policies load")
            .policies
    })
}

fn read(bytes: &[u8]) -> Option<Tenant> {
    let mut tenant = Tenant::default();
    read_snapshot_bytes(
        bytes,
        "state.json",
        &mut tenant,
        &ReadOptions::every_property(),
    )
    .ok()
    .map(|()| tenant)
}

fuzz_target!(|data: &[u8]| {
    let Some(before) = read(data) else {
        return;
    };
    let Ok(plan) = plan_tenant(policies(), &before, "snapshot state.json") else {
        return;
    };
    let Ok(rewritten) = rewrite(data, "state.json", &plan) else {
        return;
    };
    let after = read(&rewritten.bytes).unwrap_or_else(|| {
        panic!(
            "the rewritten file does not read: {}",
            String::from_utf8_lossy(&rewritten.bytes)
        )
    });
    assert_eq!(after.mailboxes.len(), before.mailboxes.len());
    assert_eq!(after.bypass.len(), before.bypass.len());
    for (old, new) in before.mailboxes.iter().zip(&after.mailboxes) {
        assert_eq!(old.names, new.names, "a mailbox changed its names");
        assert_eq!(old.recipient_type, new.recipient_type);
        let unmanaged = |properties: &[(Box<str>, auditform::model::PropertyValue)]| {
            properties
                .iter()
                .filter(|(name, _)| {
                    let name = name.to_ascii_lowercase();
                    !name.starts_with("audit") && name != "defaultauditset"
                })
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(
            unmanaged(&old.properties),
            unmanaged(&new.properties),
            "a property auditform does not manage changed"
        );
    }
    let refused: HashSet<String> = rewritten
        .outcomes
        .iter()
        .filter(|outcome| matches!(outcome.result, ObjectResult::Failed { .. }))
        .filter_map(|outcome| outcome.object.id().map(str::to_string))
        .collect();
    if let Ok(again) = plan_tenant(policies(), &after, "snapshot state.json") {
        for change in &again.mailbox_changes {
            assert!(
                refused.contains(&change.subject.id),
                "{} still has changes after a successful write: {change:?}",
                change.subject.id
            );
        }
    }
});
