use super::*;
use crate::catalog::UnknownNames;
use crate::plan::fixtures::*;
use proptest::prelude::*;
use std::sync::Arc;

fn written(plan: &Plan, layout: Layout) -> String {
    let mut out = Vec::new();
    write(plan, layout, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Pretty, as people read it (and as the snapshots show it).
fn json_of(plan: &Plan) -> String {
    written(plan, Layout::Pretty)
}

fn compact_of(plan: &Plan) -> String {
    written(plan, Layout::Compact)
}

fn round_trip(plan: &Plan) -> Plan {
    PlanDocument::from_plan(plan)
        .into_plan()
        .expect("a document made from a plan describes a plan")
}

#[test]
fn the_document_names_every_change_with_get_mailbox_property_names() {
    insta::assert_snapshot!(json_of(&rich_plan()));
}

#[test]
fn an_empty_plan_is_a_document_with_empty_lists() {
    let document: serde_json::Value =
        serde_json::from_str(&json_of(&Plan::default())).expect("the output is JSON");
    assert_eq!(document["format_version"], "1.1");
    assert!(
        document.get("declared_actions").is_none(),
        "a plan that declares nothing leaves the field out"
    );
    assert_eq!(document["summary"]["to_change"], 0);
    for list in [
        "mailbox_changes",
        "organization_changes",
        "bypass_changes",
        "skipped",
        "warnings",
    ] {
        assert_eq!(document[list], serde_json::json!([]), "{list}");
    }
}

#[test]
fn only_the_properties_that_change_appear_under_changes() {
    let plan = Plan {
        mailbox_changes: vec![mailbox("Pilar Pinilla", "pilar@contoso.com").log_age_days(90, 180)],
        ..Plan::default()
    };
    let document: serde_json::Value =
        serde_json::from_str(&json_of(&plan)).expect("the output is JSON");
    let changes = document["mailbox_changes"][0]["changes"]
        .as_object()
        .expect("changes is an object");
    let keys: Vec<&str> = changes.keys().map(String::as_str).collect();
    assert_eq!(keys, ["AuditLogAgeLimit"]);
    assert_eq!(changes["AuditLogAgeLimit"]["after"], "180.00:00:00");
}

#[test]
fn a_plan_survives_the_round_trip_through_its_document() {
    let plan = rich_plan();
    assert_eq!(round_trip(&plan), without_policy_locations(plan));
}

#[test]
fn the_same_plan_always_gives_the_same_bytes() {
    let plan = rich_plan();
    let first = json_of(&plan);
    assert_eq!(json_of(&plan), first);
    assert_eq!(json_of(&round_trip(&plan)), first);
}

fn json_of_document(plan: &Plan) -> String {
    let document = PlanDocument::from_plan(plan);
    serde_json::to_string_pretty(&document).expect("a document serializes") + "\n"
}

fn compact_of_document(plan: &Plan) -> String {
    let document = PlanDocument::from_plan(plan);
    serde_json::to_string(&document).expect("a document serializes") + "\n"
}

#[test]
fn the_streamed_document_is_byte_for_byte_the_document_from_the_plan() {
    let plan = rich_plan();
    assert_eq!(json_of(&plan), json_of_document(&plan));
    assert_eq!(compact_of(&plan), compact_of_document(&plan));
}

#[test]
fn compact_is_the_same_document_on_one_line() {
    let plan = rich_plan();
    let compact = compact_of(&plan);
    assert_eq!(compact.lines().count(), 1);
    assert!(compact.ends_with("}\n"));
    let pretty: serde_json::Value = serde_json::from_str(&json_of(&plan)).expect("JSON");
    let read: serde_json::Value = serde_json::from_str(&compact).expect("JSON");
    assert_eq!(read, pretty);
    assert_eq!(compact, pretty.to_string() + "\n");
}

#[test]
fn an_action_auditform_cannot_add_is_refused() {
    let mut document = PlanDocument::from_plan(&rich_plan());
    let owner = document.mailbox_changes[0]
        .changes
        .audit_owner
        .as_mut()
        .expect("the first change edits AuditOwner");
    owner.add.push("FutureAction".to_string());
    let error = document.into_plan().expect_err("an unknown action to add");
    assert_eq!(
        error.to_string(),
        "`mailbox_changes[0].changes.AuditOwner.add`: `FutureAction` is neither a catalog action nor one the plan declares, so auditform can't add it"
    );
}

#[test]
fn an_action_the_plan_declares_can_be_added_and_the_declaration_reads_back() {
    let plan = rich_plan();
    let read = round_trip(&plan);
    assert_eq!(read.declared_actions, plan.declared_actions);
    let delegate = MailboxChange::list(&read.mailbox_changes[1], LogonType::Delegate).unwrap();
    assert!(delegate.add.contains_name("ExampleNewAction"));
}

#[test]
fn a_declaration_auditform_would_refuse_is_refused_on_reading() {
    let mut document = PlanDocument::from_plan(&rich_plan());
    document.declared_actions[0].name = "mailitemsaccessed".to_string();
    let error = document.into_plan().expect_err("a catalog action declared");
    assert!(
        error.to_string().starts_with(
            "`declared_actions[0]`: `mailitemsaccessed` is auditform's catalog action"
        ),
        "{error}"
    );
}

#[test]
fn a_logon_type_that_does_not_exist_is_refused() {
    let mut document = PlanDocument::from_plan(&rich_plan());
    document.mailbox_changes[1].restore_default_audit_set = vec!["Guest".to_string()];
    let error = document.into_plan().expect_err("an unknown logon type");
    assert!(
        error.to_string().starts_with(
            "`mailbox_changes[1].restore_default_audit_set`: `Guest` is not a logon type"
        ),
        "{error}"
    );
}

#[test]
fn a_document_with_two_organization_changes_is_refused() {
    let mut document = PlanDocument::from_plan(&rich_plan());
    let again = document.organization_changes[0].clone();
    document.organization_changes.push(again);
    assert_eq!(
        document.into_plan(),
        Err(DocumentError::SeveralOrganizationChanges { count: 2 })
    );
}

const UNKNOWN_NAMES: [&str; 3] = ["FutureAction", "mailboxAudit2030", "Zeta"];

fn action_list() -> impl Strategy<Value = ActionList> {
    (
        0u32..(1 << 24),
        proptest::sample::subsequence(UNKNOWN_NAMES.to_vec(), 0..=3),
    )
        .prop_map(|(bits, unknown)| {
            let mut list = ActionList::from_names(unknown);
            list.known = Action::ALL
                .into_iter()
                .filter(|action| bits & (1 << *action as u32) != 0)
                .collect();
            list
        })
}

fn list_change_strategy() -> impl Strategy<Value = ListChange> {
    (action_list(), action_list(), action_list(), action_list()).prop_map(
        |(before, after, add, remove)| ListChange {
            before,
            after,
            // Only catalog actions and declared ones are ever added.
            add: ActionList {
                known: add.known,
                unknown: if add.unknown.is_empty() {
                    UnknownNames::new()
                } else {
                    vec!["ExampleNewAction".into()].into()
                },
            },
            remove,
        },
    )
}

fn logon_set() -> impl Strategy<Value = LogonSet> {
    (0u8..8).prop_map(|bits| {
        LogonType::ALL
            .into_iter()
            .filter(|logon| bits & (1 << logon.index()) != 0)
            .collect()
    })
}

fn timespan_strategy() -> impl Strategy<Value = TimeSpan> {
    (-1_000_000_000_000_000i64..1_000_000_000_000_000).prop_map(TimeSpan::from_ticks)
}

fn recipient_type() -> impl Strategy<Value = RecipientType> {
    proptest::sample::select(
        RecipientType::KNOWN
            .into_iter()
            .chain([RecipientType::Other("FutureMailbox".into())])
            .collect::<Vec<_>>(),
    )
}

fn mailbox_change_strategy() -> impl Strategy<Value = MailboxChange> {
    (
        (any::<String>(), proptest::option::of(any::<String>())),
        recipient_type(),
        proptest::option::of(any::<(bool, bool)>()),
        proptest::option::of((timespan_strategy(), timespan_strategy())),
        [
            proptest::option::of(list_change_strategy()),
            proptest::option::of(list_change_strategy()),
            proptest::option::of(list_change_strategy()),
        ],
        proptest::option::of((logon_set(), logon_set())),
        logon_set(),
        proptest::collection::vec(any::<String>(), 0..3),
    )
        .prop_map(
            |((name, address), recipient_type, enabled, age, lists, set, restore, notes)| {
                let mut change = mailbox(&name, "").with(|change| {
                    change.subject = change.subject.with_address(address.as_deref());
                    change.recipient_type = recipient_type;
                    change.enabled = enabled.map(|(before, after)| Change { before, after });
                    change.log_age_limit = age.map(|(before, after)| Change { before, after });
                    change.lists = lists;
                    change.default_audit_set = set.map(|(before, after)| Change { before, after });
                    change.restore_defaults = restore;
                    change.notes = notes.into();
                });
                change.policies = Arc::from([policy(&name)]);
                change
            },
        )
}

proptest! {
    #[test]
    fn any_plan_survives_the_round_trip_through_its_document_and_json(
        changes in proptest::collection::vec(mailbox_change_strategy(), 0..4),
        unchanged in 0usize..1000,
    ) {
        let plan = Plan { mailbox_changes: changes, unchanged, ..rich_plan() };
        prop_assert_eq!(compact_of(&plan), compact_of_document(&plan));
        let json = json_of(&plan);
        prop_assert_eq!(&json, &json_of_document(&plan));
        let document: PlanDocument = serde_json::from_str(&json).expect("the output reads back");
        let read = document.into_plan().expect("a document made from a plan describes a plan");
        prop_assert_eq!(&read, &without_policy_locations(plan));
        prop_assert_eq!(json_of(&read), json);
    }
}

#[test]
fn the_compact_writer_escapes_every_outside_string_as_serde_json_does() {
    let awkward = "Ann \"Nan\" O'Brien \\ tab\t nul\u{0} bell\u{7} del\u{7f} é 日本 \u{2028}";
    let mut plan = rich_plan();
    for change in &mut plan.mailbox_changes {
        change.subject = Subject::new(
            &format!("id {awkward}"),
            awkward,
            awkward,
            Some(&format!("{awkward}@contoso.com")),
        );
        let mut notes = std::mem::take(&mut change.notes).into_vec();
        notes.push(awkward.to_string());
        change.notes = notes.into();
        change.policies = change
            .policies
            .iter()
            .cloned()
            .chain([policy(awkward)])
            .collect();
        if let Some(list) = change.lists.iter_mut().flatten().next() {
            list.remove.push_name("Future\"Action\n");
        }
    }
    assert_eq!(compact_of(&plan), compact_of_document(&plan));
}
