//! `explain` agrees with `plan`: for every mailbox, the outcome it explains is the plan's own
//! entry for that mailbox, the selection it explains is the selectors' verdict, and the
//! winning verdicts it shows, applied by hand as DESIGN §2 says (`(current ∪ required) −
//! forbidden`, or Microsoft's defaults when a `default` won), give the state the plan leads to.
//! Checked on every mailbox of the bundled example, under the bundled policies and the CIS
//! pack, on random tenants and policy sets, and through the command line.

use crate::plan_properties::{policies as random_policies, tenant as random_tenant};
use crate::support::cli::*;

use auditform::catalog::{managed_defaults, premium_actions, LicenceTier};
use auditform::explain::{explain_mailbox, Decision, MailboxExplanation, Outcome, PolicyReporter};
use auditform::files::policy_dir::load_dir;
use auditform::model::SplitVisitor;
use auditform::model::{ActionList, LogonType, Mailbox, Tenant};
use auditform::plan::{plan_tenant, Plan, PlanError, Planner, SkipReason};
use auditform::policy::resolve::Verdict;
use auditform::policy::PolicySet;
use auditform::state::snapshot::SnapshotFile;
use auditform::state::ReadOptions;
use proptest::prelude::*;

fn example_tenant(policies: &PolicySet) -> Tenant {
    let mut tenant = Tenant::default();
    let options = ReadOptions {
        extra_properties: policies.filter_properties(),
    };
    SnapshotFile::new(repo().join("examples/tenant.json"))
        .read(&mut tenant, &options)
        .expect("the example tenant reads");
    tenant
}

/// Why the explanation of `mailbox` disagrees with `plan`, if it does.
fn disagreement(
    policies: &PolicySet,
    mailbox: &Mailbox,
    plan: &Result<Plan, PlanError>,
) -> Option<String> {
    let explanation = explain_mailbox(policies, mailbox);
    let id = mailbox.names.immutable_id();
    for (policy, selection) in policies.mailbox.iter().zip(&explanation.selections) {
        let selects = policy.selector.matches(mailbox);
        if selection.selected != selects {
            return Some(format!(
                "{id}: selection of {} differs",
                policy.reference.name
            ));
        }
        let traced = selection.trace.conditions_held() && !selection.trace.excluded();
        if traced != selects {
            return Some(format!(
                "{id}: the conditions traced for {} do not add up to its selection",
                policy.reference.name
            ));
        }
    }
    let plan = match (plan, &explanation.outcome) {
        (Err(PlanError::Conflicts(all)), Outcome::Conflict(mine)) => {
            let known = mine.iter().all(|conflict| {
                all.iter().any(|c| {
                    c.property == conflict.property
                        && c.actions == conflict.actions
                        && c.first == conflict.first
                        && c.second == conflict.second
                })
            });
            return (!known).then(|| format!("{id}: explained conflicts are not the plan's"));
        }
        (Err(_), _) => return None, // the plan failed on another mailbox
        (Ok(_), Outcome::Conflict(_)) => {
            return Some(format!("{id}: explained a conflict the plan does not have"))
        }
        (Ok(plan), _) => plan,
    };
    let planned = plan.mailbox_changes.iter().find(|c| c.subject.id() == id);
    let skipped = plan.skipped.iter().find(|s| s.subject.id() == id);
    let outcome_agrees = match &explanation.outcome {
        // A group mailbox's AuditLogAgeLimit is changed while what its policies ask of its
        // lists and AuditEnabled is skipped (DESIGN §1.2): the change is what becomes of it.
        Outcome::Change(change) => {
            planned == Some(&**change)
                && skipped.is_none_or(|skipped| {
                    mailbox.recipient_type.is_fixed_configuration()
                        && skipped.reason == SkipReason::FixedConfiguration
                })
        }
        Outcome::Skipped(mine) => skipped == Some(mine) && planned.is_none(),
        Outcome::Unchanged => {
            planned.is_none()
                && skipped.is_none()
                && explanation.selections.iter().any(|s| s.selected)
        }
        Outcome::NotSelected => {
            planned.is_none()
                && skipped.is_none()
                && !explanation.selections.iter().any(|s| s.selected)
        }
        Outcome::Conflict(_) => false,
    };
    if !outcome_agrees {
        return Some(format!(
            "{id}: explained {:?}, planned {planned:?} / skipped {skipped:?}",
            explanation.outcome
        ));
    }
    verdicts_lead_to_the_plan(mailbox, &explanation).err()
}

/// Applies the explained winning verdicts by hand and compares with what the plan leads to.
fn verdicts_lead_to_the_plan(
    mailbox: &Mailbox,
    explanation: &MailboxExplanation,
) -> Result<(), String> {
    let id = mailbox.names.immutable_id();
    let Some(resolution) = &explanation.resolution else {
        return Ok(());
    };
    let change = match &explanation.outcome {
        Outcome::Change(change) => Some(&**change),
        Outcome::Unchanged => None,
        Outcome::Skipped(skipped) => {
            if let SkipReason::LicenceRequired { actions } = &skipped.reason {
                // The winning verdicts must require an E5 action the mailbox lacks.
                let required_e5 = LogonType::ALL.iter().any(|logon| {
                    resolution.lists[logon.index()].iter().any(|action| {
                        matches!(
                            action.decision,
                            Decision::Won {
                                verdict: Verdict::Require,
                                ..
                            }
                        ) && action.action.is_some_and(|a| premium_actions().contains(a))
                            && !mailbox
                                .audit
                                .list(*logon)
                                .known
                                .contains(action.action.unwrap())
                    })
                });
                if !required_e5 || actions.is_empty() || mailbox.licence != LicenceTier::NonE5 {
                    return Err(format!("{id}: a licence skip the verdicts do not explain"));
                }
            }
            return Ok(());
        }
        Outcome::NotSelected | Outcome::Conflict(_) => return Ok(()),
    };
    for logon in LogonType::ALL {
        let before = mailbox.audit.list(logon);
        let planned_after = change
            .and_then(|c| c.list(logon))
            .map_or(before, |list| &list.after);
        let actions = &resolution.lists[logon.index()];
        let expected = if actions.is_empty() {
            before.clone()
        } else if resolution.managed_defaults[logon.index()] {
            if mailbox.audit.default_audit_set.contains(logon) {
                before.clone()
            } else {
                ActionList::from_known(managed_defaults(logon))
            }
        } else {
            let mut known = before.known;
            let mut unknown = before.unknown.clone();
            for action in actions {
                let Decision::Won { verdict, .. } = action.decision else {
                    return Err(format!("{id}: a dispute in a plan without conflicts"));
                };
                match (action.action, verdict) {
                    (Some(a), Verdict::Require) => known.insert(a),
                    (Some(a), Verdict::Forbid) => known.remove(a),
                    (None, Verdict::Forbid) => unknown.clear(),
                    (None, Verdict::Require) => {}
                }
            }
            ActionList { known, unknown }
        };
        if &expected != planned_after {
            return Err(format!(
                "{id}: {}: the verdicts give {:?}, the plan {:?}",
                logon.property(),
                expected.names(),
                planned_after.names()
            ));
        }
        let member_after = change
            .and_then(|c| c.default_audit_set.as_ref())
            .map_or(mailbox.audit.default_audit_set, |set| set.after)
            .contains(logon);
        if explanation.default_audit_set[logon.index()].after != member_after {
            return Err(format!("{id}: DefaultAuditSet {logon} explained wrongly"));
        }
    }
    for scalar in &resolution.scalars {
        let Some((_, _, value)) = scalar.winning_vote() else {
            return Err(format!(
                "{id}: a disputed {} without a conflict",
                scalar.property
            ));
        };
        let planned = match scalar.property {
            "AuditEnabled" => change
                .and_then(|c| c.enabled.as_ref())
                .map_or(mailbox.audit.enabled, |c| c.after)
                .to_string(),
            "AuditLogAgeLimit" => change
                .and_then(|c| c.log_age_limit.as_ref())
                .map_or(mailbox.audit.log_age_limit, |c| c.after)
                .to_string(),
            other => return Err(format!("{id}: an unexpected scalar {other}")),
        };
        if &planned != value {
            return Err(format!(
                "{id}: {} won with {value}, the plan leads to {planned}",
                scalar.property
            ));
        }
    }
    Ok(())
}

fn check_every_mailbox(policies_dir: &str) -> usize {
    let policies = load_dir(&repo().join(policies_dir)).unwrap().policies;
    let tenant = example_tenant(&policies);
    let plan = plan_tenant(&policies, &tenant, "example");
    assert!(plan.is_ok(), "the example plans: {plan:?}");
    let problems: Vec<String> = tenant
        .mailboxes
        .iter()
        .filter_map(|mailbox| disagreement(&policies, mailbox, &plan))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    tenant.mailboxes.len()
}

#[test]
fn explain_agrees_with_plan_on_every_mailbox_of_the_bundled_example() {
    let walked = check_every_mailbox("policies");
    assert_eq!(
        walked, 21,
        "every mailbox of examples/tenant.json is walked"
    );
}

#[test]
fn explain_agrees_with_plan_on_every_mailbox_under_the_cis_pack() {
    check_every_mailbox("examples/policies/cis-6.1");
}

#[test]
fn explain_on_the_command_line_shows_the_change_plan_makes_for_every_mailbox() {
    let plan = auditform()
        .args(["plan", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(plan.status.code(), Some(0), "{}", stderr_of(&plan));
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    let policies = load_dir(&repo().join("policies")).unwrap().policies;
    let tenant = example_tenant(&policies);
    let mut changes = 0;
    for mailbox in &tenant.mailboxes {
        let id = mailbox.names.immutable_id();
        let output = auditform()
            .args(["explain", id, "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{id}: {}",
            stderr_of(&output)
        );
        let explained: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let planned_change = plan["mailbox_changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|change| change["id"] == id);
        let planned_skip = plan["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .find(|skipped| skipped["id"] == id);
        let outcome = &explained["plan"];
        match outcome["outcome"].as_str().unwrap() {
            "change" => {
                changes += 1;
                assert_eq!(Some(&outcome["change"]), planned_change, "{id}");
            }
            "skipped" => assert_eq!(Some(&outcome["skipped"]), planned_skip, "{id}"),
            "unchanged" | "not_selected" => {
                assert!(planned_change.is_none() && planned_skip.is_none(), "{id}")
            }
            other => panic!("{id}: unexpected outcome {other}"),
        }
    }
    assert_eq!(changes, plan["mailbox_changes"].as_array().unwrap().len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn explain_agrees_with_plan_for_any_tenant_and_policy_set(
        policies in random_policies(),
        tenant in random_tenant(),
    ) {
        let set = PolicySet { mailbox: policies, ..PolicySet::default() };
        let plan = plan_tenant(&set, &tenant, "generated");
        // A conflict stops the whole plan; the mailboxes without one are checked against a
        // plan of them alone, which is what the plan of each of them is.
        let (conflicted, rest): (Vec<Mailbox>, Vec<Mailbox>) =
            tenant.mailboxes.iter().cloned().partition(|mailbox| {
                matches!(explain_mailbox(&set, mailbox).outcome, Outcome::Conflict(_))
            });
        prop_assert_eq!(plan.is_err(), !conflicted.is_empty());
        for mailbox in &conflicted {
            if let Some(problem) = disagreement(&set, mailbox, &plan) {
                prop_assert!(false, "{}", problem);
            }
        }
        if rest.is_empty() {
            // A state of no mailbox is refused (issue 9 item 8): nothing is left to compare.
            return Ok(());
        }
        let rest = Tenant { mailboxes: rest, ..Tenant::default() };
        let plan = plan_tenant(&set, &rest, "generated");
        prop_assert!(plan.is_ok());
        for mailbox in &rest.mailboxes {
            if let Some(problem) = disagreement(&set, mailbox, &plan) {
                prop_assert!(false, "{}", problem);
            }
        }
    }

    #[test]
    fn a_policy_report_merged_from_parts_is_the_report_of_one_pass(
        policies in random_policies(),
        tenant in random_tenant(),
        cut in 0usize..8,
    ) {
        let set = PolicySet { mailbox: policies, ..PolicySet::default() };
        let name = set.mailbox[0].reference.name.to_string();
        let reporter = || PolicyReporter::new(&set, &name).unwrap();
        let mut whole = Planner::traced(&set, "generated", reporter());
        for mailbox in &tenant.mailboxes {
            whole.observe_mailbox(mailbox);
        }
        let cut = cut.min(tenant.mailboxes.len());
        let mut first = Planner::traced(&set, "generated", reporter());
        let mut second = first.split();
        for mailbox in &tenant.mailboxes[..cut] {
            first.observe_mailbox(mailbox);
        }
        for mailbox in &tenant.mailboxes[cut..] {
            second.observe_mailbox(mailbox);
        }
        first.merge(second);
        let (plan, one_pass) = whole.finish_traced();
        let conflicts = match &plan {
            Err(PlanError::Conflicts(conflicts)) => conflicts.clone(),
            _ => Vec::new(),
        };
        let (_, merged) = first.finish_traced();
        prop_assert_eq!(
            one_pass.into_report(&set, &conflicts),
            merged.into_report(&set, &conflicts)
        );
    }
}
