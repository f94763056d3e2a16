//! Properties of planning that must hold for any tenant and any policy set:
//! - planning is deterministic;
//! - the order of policies (that is, of files) never changes the result;
//! - carrying a plan out and planning again gives no changes.
//!
//! Every policy set declares one action newer than the catalog, [`DECLARED`], valid for Admin
//! and Owner and a default for Owner; policies and mailboxes use it like any other.

use auditform::catalog::{managed_defaults, Action, Catalog, DeclaredAction, LicenceTier, Support};
use auditform::model::{
    ActionList, ActionSet, AuditSettings, LogonSet, LogonType, Mailbox, MailboxNames,
    RecipientType, Tenant,
};
use auditform::plan::{plan_tenant, Plan, PlanError};
use auditform::policy::{
    AuditSpec, ListSpec, MailboxPolicy, PolicyRef, PolicySet, Selector, SourceLocation,
};
use auditform::timespan::TimeSpan;
use proptest::prelude::*;

fn action_set() -> impl Strategy<Value = ActionSet> {
    any::<u32>().prop_map(|bits| {
        Action::ALL
            .into_iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, a)| a)
            .collect()
    })
}

const DECLARED: &str = "ExampleNewAction";

fn catalog() -> Catalog {
    let mut catalog = Catalog::builtin();
    catalog
        .declare(DeclaredAction {
            name: DECLARED.into(),
            support: [Support::Valid, Support::Rejected, Support::Default],
            origin: "policies/declared.yaml:3".into(),
        })
        .expect("a new name");
    catalog
}

/// Only actions a policy could name for the logon type (the loader refuses the others), the
/// declared one among them where it is valid.
fn policy_actions(logon: LogonType) -> impl Strategy<Value = ActionList> {
    (action_set(), any::<bool>()).prop_map(move |(set, declared)| {
        let mut list: ActionList = set
            .iter()
            .filter(|a| auditform::catalog::check(a.name(), logon).is_ok())
            .collect();
        if declared && catalog().check(DECLARED, logon).is_ok() {
            list.insert_unknown(DECLARED);
        }
        list
    })
}

fn list_spec(logon: LogonType) -> impl Strategy<Value = Option<ListSpec>> {
    prop_oneof![
        3 => Just(None),
        3 => (policy_actions(logon), policy_actions(logon)).prop_map(|(add, remove)| Some(
            ListSpec::Change { remove: remove.difference(&add), add }
        )),
        1 => policy_actions(logon).prop_map(|set| Some(ListSpec::Exactly(set))),
        1 => Just(Some(ListSpec::Default)),
    ]
}

const TYPES: [RecipientType; 4] = [
    RecipientType::UserMailbox,
    RecipientType::SharedMailbox,
    RecipientType::RoomMailbox,
    RecipientType::GroupMailbox,
];

fn policy(index: usize) -> impl Strategy<Value = MailboxPolicy> {
    (
        0..3i64,
        proptest::sample::subsequence(TYPES.to_vec(), 0..=2),
        list_spec(LogonType::Admin),
        list_spec(LogonType::Delegate),
        list_spec(LogonType::Owner),
        proptest::option::of(any::<bool>()),
        proptest::option::of(prop_oneof![Just(90i64), Just(180), Just(365)]),
    )
        .prop_map(
            move |(priority, types, admin, delegate, owner, enabled, days)| MailboxPolicy {
                reference: PolicyRef {
                    name: format!("policy-{index}").into(),
                    source: SourceLocation {
                        file: format!("policies/{index}.yaml").into(),
                        line: 1,
                        column: 1,
                    },
                },
                description: None,
                priority,
                selector: Selector {
                    recipient_types: types,
                    ..Selector::default()
                },
                audit: AuditSpec {
                    enabled,
                    log_age_limit: days.map(TimeSpan::from_days),
                    lists: [admin, delegate, owner],
                },
            },
        )
}

pub(crate) fn policies() -> impl Strategy<Value = Vec<MailboxPolicy>> {
    (1..5usize).prop_flat_map(|count| (0..count).map(policy).collect::<Vec<_>>())
}

fn mailbox(index: usize) -> impl Strategy<Value = Mailbox> {
    (
        proptest::sample::select(TYPES.to_vec()),
        any::<bool>(),
        any::<bool>(),
        [action_set(), action_set(), action_set()],
        0u8..8,
        any::<bool>(),
    )
        .prop_map(
            move |(recipient_type, e5, enabled, lists, in_default_set, unknown)| {
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
                        let mut list = ActionList::from_known(lists[logon.index()]);
                        if unknown {
                            list.push_name("FutureAction");
                            // The declared action, as the service might spell it.
                            list.push_name("examplenewaction");
                        }
                        list
                    }
                });
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
                        log_age_limit: TimeSpan::DEFAULT_AUDIT_LOG_AGE_LIMIT,
                        lists,
                        default_audit_set,
                    },
                    properties: Vec::new(),
                }
            },
        )
}

pub(crate) fn tenant() -> impl Strategy<Value = Tenant> {
    (1..8usize).prop_flat_map(|count| {
        (0..count)
            .map(mailbox)
            .collect::<Vec<_>>()
            .prop_map(|mailboxes| Tenant {
                mailboxes,
                ..Tenant::default()
            })
    })
}

fn plan_of(policies: Vec<MailboxPolicy>, tenant: &Tenant) -> Result<Plan, PlanError> {
    let set = PolicySet {
        mailbox: policies,
        catalog: catalog(),
        ..PolicySet::default()
    };
    plan_tenant(&set, tenant, "generated")
}

fn comparable(result: &Result<Plan, PlanError>) -> String {
    format!("{result:?}")
}

/// What the service does when the plan's Set-Mailbox calls run.
fn carry_out(plan: &Plan, tenant: &mut Tenant) {
    for change in &plan.mailbox_changes {
        let mailbox = tenant
            .mailboxes
            .iter_mut()
            .find(|m| m.names.immutable_id() == change.subject.id())
            .expect("planned mailbox exists");
        let params = auditform::plan::set_mailbox::params_for_change(change);
        mailbox.audit = auditform::service::set_mailbox(
            &plan.catalog(),
            &mailbox.recipient_type,
            mailbox.licence,
            &mailbox.audit,
            &params,
        )
        .expect("a planned change is accepted by the service");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn planning_twice_gives_the_same_plan(policies in policies(), tenant in tenant()) {
        let first = plan_of(policies.clone(), &tenant);
        let second = plan_of(policies, &tenant);
        prop_assert_eq!(comparable(&first), comparable(&second));
    }

    #[test]
    fn the_order_of_policies_does_not_change_the_result(
        policies in policies(),
        tenant in tenant(),
        seed in any::<u64>(),
    ) {
        let mut shuffled = policies.clone();
        let len = shuffled.len();
        for i in (1..len).rev() {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % (i as u64 + 1)) as usize;
            shuffled.swap(i, j);
        }
        prop_assert_eq!(comparable(&plan_of(policies, &tenant)), comparable(&plan_of(shuffled, &tenant)));
    }

    #[test]
    fn carrying_out_a_plan_and_planning_again_gives_no_changes(
        policies in policies(),
        mut tenant in tenant(),
    ) {
        let Ok(plan) = plan_of(policies.clone(), &tenant) else {
            return Ok(()); // conflicts are errors; nothing to carry out
        };
        carry_out(&plan, &mut tenant);
        let again = plan_of(policies, &tenant).expect("no conflicts the second time either");
        prop_assert!(again.is_empty(), "left over: {:#?}", again.mailbox_changes);
    }
}
