//! `apply` against the service emulator: it converges, survives faults without losing or
//! repeating work, reports a permanent failure per mailbox, and refuses a stale saved plan.

use crate::support::live::*;
use auditform_emulator::Faults;

/// The planned mailboxes' immutable ids, read from the JSON of a saved plan.
fn planned_mailboxes(plan_file: &std::path::Path) -> Vec<String> {
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(plan_file).unwrap()).unwrap();
    plan["mailbox_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| change["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn plan_apply_plan_ends_with_no_changes() {
    let emulator = start(Faults::default());
    let apply = auditform(&emulator, &["apply", "--auto-approve"])
        .output()
        .unwrap();
    assert!(
        apply.status.success(),
        "{}{}",
        stdout(&apply),
        stderr(&apply)
    );
    let again = auditform(&emulator, &["plan"]).output().unwrap();
    assert!(
        stdout(&again).contains("No changes. Your mailboxes match the policies."),
        "{}",
        stdout(&again)
    );
    assert_strictly_spoken(&emulator);
}

#[test]
fn with_a_tenth_of_requests_faulted_nothing_is_lost_and_nothing_is_applied_twice() {
    let emulator = start(Faults {
        rate_429: 0.04,
        rate_5xx: 0.03,
        rate_drop: 0.03,
        seed: 7,
        ..Faults::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let plan_file = save_plan(&emulator, dir.path());
    let planned = planned_mailboxes(&plan_file);
    assert!(planned.len() > 5);

    let apply = auditform(&emulator, &["apply", plan_file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        apply.status.success(),
        "{}{}",
        stdout(&apply),
        stderr(&apply)
    );
    let counters = emulator.counters();
    assert!(
        counters.throttled + counters.server_errors + counters.dropped > 0,
        "faults were injected: {counters:?}"
    );
    for id in &planned {
        assert_eq!(emulator.set_mailbox_count(id), 1, "Set-Mailbox on {id}");
    }
    let again = auditform(&emulator, &["plan"]).output().unwrap();
    assert!(stdout(&again).contains("No changes."), "{}", stdout(&again));
}

#[test]
fn a_mailbox_the_service_refuses_is_reported_and_the_others_are_applied() {
    let emulator = start(Faults {
        failing_identities: vec!["don@contoso.com".into()],
        ..Faults::default()
    });
    let apply = auditform(&emulator, &["apply", "--auto-approve"])
        .output()
        .unwrap();
    assert_eq!(apply.status.code(), Some(1));
    let report = format!("{}{}", stdout(&apply), stderr(&apply));
    assert!(
        report.contains("is not within a valid server write scope"),
        "{report}"
    );
    assert!(report.contains("Don Hall"), "{report}");

    let again = auditform(&emulator, &["plan"]).output().unwrap();
    let text = stdout(&again);
    assert!(text.contains("mailbox \"Don Hall\""), "{text}");
    assert!(
        text.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{text}"
    );
}

#[test]
fn a_saved_plan_is_refused_when_the_tenant_changed_since() {
    let emulator = start(Faults::default());
    let dir = tempfile::tempdir().unwrap();
    let plan_file = save_plan(&emulator, dir.path());
    emulator
        .set_mailbox_property(
            "pilar@contoso.com",
            "AuditLogAgeLimit",
            serde_json::json!("30.00:00:00"),
        )
        .unwrap();

    let apply = auditform(&emulator, &["apply", plan_file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(apply.status.code(), Some(1));
    let message = stderr(&apply);
    assert!(message.contains("Saved plan is stale"), "{message}");
    assert!(message.contains("Pilar Pinilla"), "{message}");
    assert_eq!(
        emulator.cmdlet_count("Set-Mailbox"),
        0,
        "nothing was applied"
    );
}

mod already_applied {
    use crate::support::live::*;
    use auditform::files::policy_dir::load_dir;
    use auditform::model::LogonType;
    use auditform::plan::{Plan, Planner};
    use auditform::state::exo::{Credentials, ExoClient, ExoConfig, Secret, WriteResult};
    use auditform::state::ReadOptions;
    use auditform_emulator::{EmulatorHandle, Faults};
    use serde_json::json;
    use std::sync::atomic::AtomicBool;

    fn client(emulator: &EmulatorHandle) -> ExoClient {
        let mut config = ExoConfig::new(TENANT);
        config.endpoint = emulator.base_url();
        config.authority = emulator.authority();
        let credentials = Credentials::ClientSecret {
            client_id: CLIENT_ID.into(),
            secret: Secret::new(CLIENT_SECRET),
        };
        ExoClient::new(config, credentials).unwrap()
    }

    fn plan(client: &ExoClient) -> Plan {
        let loaded = load_dir(std::path::Path::new("policies")).unwrap();
        let mut planner = Planner::new(&loaded.policies, &client.describe());
        client.read(&mut planner, &ReadOptions::default()).unwrap();
        planner.finish().unwrap()
    }

    /// Makes a mailbox hold a logon type's planned list, as if an earlier attempt had landed.
    fn land(emulator: &EmulatorHandle, plan: &Plan, index: usize, only_add: bool) {
        let change = &plan.mailbox_changes[index];
        let owner = change.list(LogonType::Owner).unwrap();
        let names: Vec<&str> = if only_add {
            let mut names = owner.before.names();
            names.push(owner.add.names()[0]);
            names
        } else {
            owner.after.names()
        };
        emulator
            .set_mailbox_property(change.subject.id(), "AuditOwner", json!(names))
            .unwrap();
        if let Some(set) = &change.default_audit_set {
            emulator
                .set_mailbox_property(
                    change.subject.id(),
                    "DefaultAuditSet",
                    json!(set.after.names()),
                )
                .unwrap();
        }
    }

    /// For a service that answers DESIGN's "already being audited" (an emulator mode; today's
    /// service is silent, evidence W2).
    #[test]
    fn already_being_audited_counts_as_success_only_when_a_reread_shows_the_planned_state() {
        let emulator = start_as(
            Faults::default(),
            ServiceModel {
                duplicate_add: DuplicateAdd::AlreadyAudited,
                ..ServiceModel::default()
            },
        );
        let client = client(&emulator);
        let plan = plan(&client);
        let owner_adds = |i: usize| {
            let list = plan.mailbox_changes[i].list(LogonType::Owner);
            list.filter(|list| list.remove.is_empty())
                .map_or(0, |list| list.add.len())
        };
        let count = plan.mailbox_changes.len();
        let partly = (0..count).find(|&i| owner_adds(i) >= 2);
        let partly = partly.expect("the example plans two Owner additions on some mailbox");
        let landed = (0..count).find(|&i| i != partly && owner_adds(i) >= 1);
        let landed = landed.expect("and an Owner addition on another");
        land(&emulator, &plan, landed, false);
        land(&emulator, &plan, partly, true);

        let report = client.write(&plan, &AtomicBool::new(false), &|_, _| {});
        assert_eq!(report.mailboxes[landed].result, WriteResult::AlreadyApplied);
        assert!(
            matches!(&report.mailboxes[partly].result, WriteResult::Failed { message } if message.contains("already being audited")),
            "{:?}",
            report.mailboxes[partly]
        );
        let others = report
            .mailboxes
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != landed && *i != partly);
        for (i, result) in others {
            assert_eq!(result.result, WriteResult::Changed, "mailbox {i}");
        }
    }

    /// Today's service takes an Add of an action already audited as a no-op (evidence W2):
    /// a change that had already landed, wholly or partly, simply succeeds.
    #[test]
    fn an_add_that_already_landed_succeeds_against_the_services_silent_no_op() {
        let emulator = start(Faults::default());
        let client = client(&emulator);
        let plan = plan(&client);
        let owner_adds = |i: usize| {
            let list = plan.mailbox_changes[i].list(LogonType::Owner);
            list.filter(|list| list.remove.is_empty())
                .map_or(0, |list| list.add.len())
        };
        let count = plan.mailbox_changes.len();
        let partly = (0..count).find(|&i| owner_adds(i) >= 2).unwrap();
        let landed = (0..count)
            .find(|&i| i != partly && owner_adds(i) >= 1)
            .unwrap();
        land(&emulator, &plan, landed, false);
        land(&emulator, &plan, partly, true);
        let report = client.write(&plan, &AtomicBool::new(false), &|_, _| {});
        assert!(report
            .mailboxes
            .iter()
            .all(|settled| settled.result == WriteResult::Changed));
        let again = self::plan(&client);
        assert!(
            again.mailbox_changes.is_empty(),
            "{:?}",
            again.mailbox_changes
        );
    }

    #[test]
    fn when_interrupted_before_it_starts_nothing_is_sent_and_everything_is_reported_not_applied() {
        let emulator = start(Faults::default());
        let client = client(&emulator);
        let plan = plan(&client);
        let report = client.write(&plan, &AtomicBool::new(true), &|_, _| {});
        assert!(report.interrupted);
        assert!(report
            .mailboxes
            .iter()
            .all(|settled| settled.result == WriteResult::NotApplied));
        assert_eq!(emulator.cmdlet_count("Set-Mailbox"), 0);
    }
}
