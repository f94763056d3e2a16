//! The generated tenant is what the benchmarks claim it is.

use auditform::files::policy_dir::load_dir;
use auditform::model::{RecipientType, Tenant};
use auditform::plan::plan_tenant;
use auditform::state::snapshot::read_snapshot_bytes;
use auditform::state::ReadOptions;
use auditform_bench::tenant::{write_tenant, TenantSpec};
use std::path::Path;

fn generate(mailboxes: usize, seed: u64) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_tenant(TenantSpec { mailboxes, seed }, &mut bytes).expect("writing to memory");
    bytes
}

fn read(bytes: &[u8], options: &ReadOptions) -> Tenant {
    let mut tenant = Tenant::default();
    read_snapshot_bytes(bytes, "generated", &mut tenant, options).expect("generated JSON reads");
    tenant
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
    assert_eq!(generate(500, 1), generate(500, 1));
    assert_ne!(generate(500, 1), generate(500, 2));
}

#[test]
fn a_generated_tenant_reads_back_with_every_mailbox_and_a_realistic_mix() {
    let tenant = read(&generate(5_000, 6), &ReadOptions::default());
    assert_eq!(tenant.mailboxes.len(), 5_000);
    let count = |wanted: RecipientType| {
        tenant
            .mailboxes
            .iter()
            .filter(|m| m.recipient_type == wanted)
            .count()
    };
    let users = count(RecipientType::UserMailbox);
    assert!(users > 3_500 && users < 4_300, "{users} user mailboxes");
    assert!(count(RecipientType::GroupMailbox) > 100);
    assert!(count(RecipientType::SharedMailbox) > 200);
    let on_defaults = tenant
        .mailboxes
        .iter()
        .filter(|m| m.audit.default_audit_set == auditform::model::LogonSet::ALL)
        .count();
    let share = on_defaults as f64 / 5_000.0;
    assert!((0.65..0.85).contains(&share), "{share} on defaults");
}

#[test]
fn the_benchmark_policies_plan_the_generated_tenant_without_conflicts() {
    let policies = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let loaded = load_dir(&policies).expect("benchmark policies are valid");
    assert_eq!(loaded.policies.mailbox.len(), 25);
    let options = ReadOptions {
        extra_properties: loaded.policies.filter_properties(),
    };
    let tenant = read(&generate(20_000, 6), &options);
    let plan = plan_tenant(&loaded.policies, &tenant, "generated").expect("no conflicts");
    assert!(plan.mailbox_changes.len() > 10_000);
    assert!(!plan.skipped.is_empty());
}

#[test]
fn the_cis_pack_plans_the_generated_tenant_without_conflicts() {
    let policies = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/policies/cis-6.1");
    let loaded = load_dir(&policies).expect("the CIS pack is valid");
    let options = ReadOptions {
        extra_properties: loaded.policies.filter_properties(),
    };
    let tenant = read(&generate(5_000, 6), &options);
    let plan = plan_tenant(&loaded.policies, &tenant, "generated").expect("no conflicts");
    assert!(
        plan.mailbox_changes.len() > 2_500,
        "{}",
        plan.mailbox_changes.len()
    );
}

#[test]
fn planning_a_generated_export_in_parallel_blocks_gives_the_sequential_plan() {
    use auditform::plan::Planner;
    use auditform::state::snapshot::{read_array_stream_split, StreamTuning};
    let policies = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let loaded = load_dir(&policies).expect("benchmark policies are valid");
    let options = ReadOptions {
        extra_properties: loaded.policies.filter_properties(),
    };
    let bytes = generate(3_000, 9);
    let sequential =
        plan_tenant(&loaded.policies, &read(&bytes, &options), "generated").expect("no conflicts");
    for (block_bytes, workers) in [(4_096, 3), (100_000, 2), (1 << 24, 1)] {
        let mut planner = Planner::new(&loaded.policies, "generated");
        let tuning = StreamTuning {
            block_bytes,
            workers,
        };
        read_array_stream_split(&bytes[..], "generated", &mut planner, &options, tuning)
            .expect("reads");
        assert_eq!(planner.finish().expect("no conflicts"), sequential);
    }
}
