use super::*;
use crate::model::LogonType::*;
use crate::plan::fixtures::*;
use crate::plan::SkipReason;

fn render_with(plan: &Plan, options: TextOptions) -> String {
    let mut out = Vec::new();
    render_text(plan, &options, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("the renderer writes UTF-8")
}

fn render(plan: &Plan) -> String {
    render_with(
        plan,
        TextOptions {
            color: false,
            expand: false,
        },
    )
}

fn plan_of(mailbox_changes: Vec<MailboxChange>) -> Plan {
    Plan {
        source: "snapshot examples/tenant.json".to_string(),
        mailbox_changes,
        ..Plan::default()
    }
}

fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or_default()
}

#[test]
fn a_single_change_renders_as_a_terraform_block() {
    let plan = plan_of(vec![owner_sign_ins("Pilar Pinilla", "pilar@contoso.com")
        .enabled(false, true)
        .log_age_days(90, 180)
        .note("the service ignores AuditEnabled for UserMailbox: auditing is on by default")
        .policy("long-retention")]);
    let text = render(&plan);
    assert_eq!(
        last_line(&text),
        "Plan: 0 to add, 1 to change, 0 to destroy."
    );
    insta::assert_snapshot!(text);
}

#[test]
fn weakening_changes_come_first_and_loudly() {
    let plan = Plan {
        organization_change: Some(organization(false, true)),
        bypass_changes: vec![
            bypass("svc-backup", false, true),
            bypass("svc-archive", true, false),
        ],
        ..plan_of(vec![
            owner_sign_ins("Pilar Pinilla", "pilar@contoso.com"),
            mailbox("Adele Vance", "adele@contoso.com")
                .recipient(crate::model::RecipientType::RoomMailbox)
                .enabled(true, false)
                .log_age_days(180, 30)
                .list(
                    Delegate,
                    list_change(&["FolderBind", "Update", "SendAs"], &[], &["FolderBind"]),
                )
                .policy("rooms"),
        ])
    };
    let text = render(&plan);
    assert!(
        text.find("Adele Vance").unwrap_or(usize::MAX) < text.find("Pilar Pinilla").unwrap_or(0),
        "the weakening mailbox is shown before the others"
    );
    assert_eq!(
        last_line(&text),
        "Plan: 0 to add, 5 to change, 0 to destroy."
    );
    insta::assert_snapshot!(text);
}

/// Seven identical owner changes, one different change, and three identical admin changes.
fn mixed_plan() -> Plan {
    let mut changes = many(7, owner_sign_ins);
    changes.insert(
        2,
        mailbox("Meeting Room 1", "room1@contoso.com")
            .recipient(crate::model::RecipientType::RoomMailbox)
            .enabled(false, true)
            .policy("rooms"),
    );
    for name in ["Alex Wilber", "Bianca Pisani", "Cameron White"] {
        let address = format!("{}@contoso.com", name.to_lowercase().replace(' ', "."));
        changes.push(
            mailbox(name, &address)
                .list(Admin, list_change(&["Update", "Create"], &["Copy"], &[]))
                .default_audit_set(&[Admin, Owner], &[Owner])
                .policy("admin-copies"),
        );
    }
    plan_of(changes)
}

#[test]
fn more_than_three_identical_changes_are_grouped() {
    let text = render(&mixed_plan());
    assert!(text.contains("~ 7 UserMailbox mailboxes: AuditOwner + HardDelete, + MailboxLogin"));
    assert!(text.contains("... and 2 more (run with --expand to list them all)"));
    assert_eq!(
        last_line(&text),
        "Plan: 0 to add, 11 to change, 0 to destroy."
    );
    insta::assert_snapshot!(text);
}

#[test]
fn expand_renders_every_mailbox_on_its_own() {
    let text = render_with(
        &mixed_plan(),
        TextOptions {
            color: false,
            expand: true,
        },
    );
    assert_eq!(text.matches("will be updated in-place").count(), 11);
    assert!(!text.contains("--expand"));
    insta::assert_snapshot!(text);
}

#[test]
fn changing_a_default_list_shows_that_it_leaves_default_audit_set() {
    let plan = plan_of(vec![mailbox("Pilar Pinilla", "pilar@contoso.com")
        .list(
            Admin,
            list_change(
                &[
                    "ApplyRecord",
                    "Create",
                    "HardDelete",
                    "Update",
                    "SendAs",
                    "SendOnBehalf",
                ],
                &[],
                &["SendOnBehalf"],
            ),
        )
        .list(Owner, list_change(&["Update"], &["MailboxLogin"], &[]))
        .default_audit_set(&[Admin, Delegate, Owner], &[Delegate])
        .policy("trim-admin")]);
    insta::assert_snapshot!(render(&plan));
}

#[test]
fn restoring_managed_defaults_is_shown_as_rejoining_default_audit_set() {
    let plan = plan_of(vec![mailbox("Pilar Pinilla", "pilar@contoso.com")
        .list(
            Owner,
            list_change(
                &["Update", "MailboxLogin", "HardDelete"],
                &[
                    "MoveToDeletedItems",
                    "SoftDelete",
                    "UpdateFolderPermissions",
                ],
                &[],
            ),
        )
        .default_audit_set(&[Admin, Delegate], &[Admin, Delegate, Owner])
        .restore(Owner)
        .policy("owner-defaults")]);
    insta::assert_snapshot!(render(&plan));
}

#[test]
fn organization_and_bypass_changes_have_their_own_blocks() {
    let plan = Plan {
        organization_change: Some(organization(true, false)),
        bypass_changes: vec![bypass("svc-backup", true, false)],
        ..Plan::default()
    };
    let text = render(&plan);
    assert!(!text.contains("WEAKENS"));
    assert_eq!(
        last_line(&text),
        "Plan: 0 to add, 2 to change, 0 to destroy."
    );
    insta::assert_snapshot!(text);
}

#[test]
fn skipped_mailboxes_are_listed_with_the_reason_and_grouped_when_many() {
    let licence = SkipReason::LicenceRequired {
        actions: vec!["SearchQueryInitiated".to_string()],
    };
    let mut skipped = vec![skipped("Alex Wilber", "alex@contoso.com", licence.clone())];
    skipped.extend((1..=8).map(|n| {
        crate::plan::fixtures::skipped(
            &format!("Team {n}"),
            &format!("team{n}@contoso.com"),
            SkipReason::FixedConfiguration,
        )
    }));
    let plan = Plan {
        skipped,
        ..plan_of(vec![owner_sign_ins("Pilar Pinilla", "pilar@contoso.com")])
    };
    insta::assert_snapshot!(render(&plan));
}

#[test]
fn warnings_are_shown_once_each_with_how_often_they_occurred() {
    let unknown = "mailbox \"Old Box\" audits MessageBind, which the service no longer accepts";
    let plan = Plan {
        warnings: vec![
            unknown.to_string(),
            "AddFolderPermissions is redundant: UpdateFolderPermissions already covers it"
                .to_string(),
            unknown.to_string(),
        ],
        ..plan_of(vec![owner_sign_ins("Pilar Pinilla", "pilar@contoso.com")])
    };
    insta::assert_snapshot!(render(&plan));
}

#[test]
fn an_empty_plan_says_there_are_no_changes_and_nothing_else() {
    let text = render(&plan_of(Vec::new()));
    assert_eq!(text, "No changes. Your mailboxes match the policies.\n");
}

#[test]
fn no_changes_still_shows_skipped_mailboxes_and_warnings_above_it() {
    let plan = Plan {
        skipped: vec![skipped(
            "Sales Team",
            "sales@contoso.com",
            SkipReason::FixedConfiguration,
        )],
        warnings: vec!["policy `legacy` selects no mailbox".to_string()],
        ..plan_of(Vec::new())
    };
    let text = render(&plan);
    assert_eq!(
        last_line(&text),
        "No changes. Your mailboxes match the policies."
    );
    insta::assert_snapshot!(text);
}

#[test]
fn colour_marks_updates_additions_removals_and_weakening() {
    let plan = plan_of(vec![
        owner_sign_ins("Pilar Pinilla", "pilar@contoso.com"),
        mailbox("Adele Vance", "adele@contoso.com")
            .list(Delegate, list_change(&["FolderBind"], &[], &["FolderBind"])),
    ]);
    let text = render_with(
        &plan,
        TextOptions {
            color: true,
            expand: false,
        },
    );
    insta::assert_snapshot!(text.replace('\u{1b}', "\\e"));
}

#[test]
fn colour_off_writes_no_escape_codes() {
    let text = render(&mixed_plan());
    assert!(!text.contains('\u{1b}'));
}

#[test]
fn actions_the_catalog_does_not_know_are_shown_as_the_service_named_them() {
    let plan = plan_of(vec![mailbox("Old Box", "old@contoso.com").list(
        Admin,
        list_change(
            &["Update", "MessageBind", "FutureAction"],
            &[],
            &["MessageBind", "FutureAction"],
        ),
    )]);
    let text = render(&plan);
    assert!(text.contains("          - MessageBind,\n          - FutureAction,\n"));
    assert!(text.contains("# (1 unchanged element hidden)"));
}

#[test]
fn a_hostile_display_name_cannot_forge_plan_lines() {
    let plan = plan_of(vec![owner_sign_ins(
        "Eve\nPlan: 0 to add, 0 to change, 0 to destroy.\u{1b}[2J",
        "eve@contoso.com",
    )]);
    let text = render(&plan);
    assert_eq!(text.matches("\nPlan: ").count(), 1);
    assert!(!text.contains('\u{1b}'));
}

#[test]
fn a_hundred_thousand_changes_stay_readable() {
    let mut changes = many(99_990, owner_sign_ins);
    changes.extend(many(10, |name, address| {
        mailbox(name, address).list(Delegate, list_change(&["FolderBind"], &[], &["FolderBind"]))
    }));
    let plan = plan_of(changes);
    let text = render(&plan);
    assert!(text.lines().count() < 60, "{} lines", text.lines().count());
    assert!(
        text.contains("~ 99,990 UserMailbox mailboxes: AuditOwner + HardDelete, + MailboxLogin")
    );
    assert!(text.contains("... and 99,985 more (run with --expand to list them all)"));
    assert!(text.contains("  - 10 UserMailbox mailboxes: stops auditing FolderBind for Delegate"));
    assert_eq!(
        last_line(&text),
        "Plan: 0 to add, 100000 to change, 0 to destroy."
    );
}

#[test]
fn expanding_a_hundred_thousand_changes_lists_each_one() {
    let plan = plan_of(many(100_000, owner_sign_ins));
    let text = render_with(
        &plan,
        TextOptions {
            color: false,
            expand: true,
        },
    );
    assert_eq!(text.matches("will be updated in-place").count(), 100_000);
}

#[test]
fn a_group_carries_its_weakening_notes_and_restored_defaults_once_for_all_its_mailboxes() {
    let mut changes = many(4, |name, address| {
        mailbox(name, address)
            .recipient(crate::model::RecipientType::SharedMailbox)
            .enabled(false, true)
            .list(
                Delegate,
                list_change(&["FolderBind", "Update"], &[], &["FolderBind"]),
            )
            .note("the service ignores AuditEnabled for SharedMailbox: auditing is on by default")
            .policy("shared-mailboxes")
    });
    changes.extend(many(5, |name, address| {
        mailbox(name, address)
            .list(Owner, list_change(&["Update"], &["SoftDelete"], &[]))
            .default_audit_set(&[Admin, Delegate], &[Admin, Delegate, Owner])
            .restore(Owner)
            .policy("owner-defaults")
    }));
    let text = render(&plan_of(changes));
    assert_eq!(text.matches("WEAKENS").count(), 1);
    insta::assert_snapshot!(text);
}

#[test]
fn expand_lists_every_skipped_mailbox_too() {
    let plan = Plan {
        skipped: (1..=6)
            .map(|n| {
                skipped(
                    &format!("Team {n}"),
                    &format!("team{n}@contoso.com"),
                    SkipReason::FixedConfiguration,
                )
            })
            .collect(),
        ..plan_of(Vec::new())
    };
    let expanded = render_with(
        &plan,
        TextOptions {
            color: false,
            expand: true,
        },
    );
    assert_eq!(expanded.matches("  # mailbox \"Team ").count(), 6);
    assert!(render(&plan).contains("  # 6 mailboxes: GroupMailbox"));
}

#[test]
fn a_hostile_action_name_from_the_tenant_cannot_forge_the_weakening_warning() {
    let plan = plan_of(vec![mailbox("Old Box", "old@contoso.com").list(
        Admin,
        list_change(&["Update", "Evil\nPlan: 0"], &[], &["Evil\nPlan: 0"]),
    )]);
    let text = render(&plan);
    assert_eq!(text.matches("\nPlan: ").count(), 1);
    assert!(text.contains("stops auditing Evil\\nPlan: 0 for Admin"));
}
