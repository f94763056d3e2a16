use super::*;
use crate::model::LogonType::*;
use crate::plan::fixtures::*;
use crate::plan::{MailboxChange, SkipReason};

fn render(plan: &Plan) -> String {
    let mut out = Vec::new();
    render_markdown(plan, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("the renderer writes UTF-8")
}

fn plan_of(mailbox_changes: Vec<MailboxChange>) -> Plan {
    Plan {
        source: "snapshot examples/tenant.json".to_string(),
        mailbox_changes,
        ..Plan::default()
    }
}

/// The text between the opening ```diff line and the closing fence.
fn diff_of(comment: &str) -> &str {
    let start = comment
        .find("```diff\n")
        .map(|at| at + "```diff\n".len())
        .unwrap_or(0);
    let end = comment[start..]
        .find("\n```\n")
        .map(|at| start + at + 1)
        .unwrap_or(comment.len());
    &comment[start..end]
}

/// How often `markup` occurs in Markdown text without a backslash escaping it.
fn unescaped(text: &str, markup: char) -> usize {
    let mut count = 0;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            chars.next();
        } else if c == markup {
            count += 1;
        }
    }
    count
}

/// Everything above the collapsed plan.
fn above_details(comment: &str) -> &str {
    comment.split("<details>").next().unwrap_or_default()
}

fn weakening_room() -> MailboxChange {
    mailbox("Adele Vance", "adele@contoso.com")
        .recipient(crate::model::RecipientType::RoomMailbox)
        .enabled(true, false)
        .log_age_days(180, 30)
        .list(
            Delegate,
            list_change(&["FolderBind", "Update", "SendAs"], &[], &["FolderBind"]),
        )
        .policy("rooms")
}

#[test]
fn a_small_plan_puts_its_summary_first_and_the_grouped_diff_in_a_collapsed_section() {
    let mut changes = many(5, owner_sign_ins);
    changes.push(
        mailbox("Meeting Room 1", "room1@contoso.com")
            .recipient(crate::model::RecipientType::RoomMailbox)
            .enabled(false, true)
            .policy("rooms"),
    );
    changes.push(
        mailbox("Alex Wilber", "alex@contoso.com")
            .list(Admin, list_change(&["Update", "Create"], &["Copy"], &[]))
            .default_audit_set(&[Admin, Owner], &[Owner])
            .policy("admin-copies"),
    );
    let plan = Plan {
        unchanged: 1_234,
        skipped: vec![skipped(
            "Sales Team",
            "sales@contoso.com",
            SkipReason::FixedConfiguration,
        )],
        ..plan_of(changes)
    };
    let comment = render(&plan);
    assert!(comment.starts_with("### auditform plan: 7 to change, 1 skipped, 1,234 unchanged\n"));
    assert!(!comment.contains("[!WARNING]"));
    let diff = diff_of(&comment);
    assert!(diff.contains("~ 5 UserMailbox mailboxes: AuditOwner + HardDelete, + MailboxLogin"));
    assert!(diff.contains("\n+           Copy,\n"));
    assert!(diff.ends_with("Plan: 0 to add, 7 to change, 0 to destroy.\n"));
    insta::assert_snapshot!(comment);
}

#[test]
fn weakening_changes_are_listed_above_the_plan_in_a_warning() {
    let plan = Plan {
        organization_change: Some(organization(false, true)),
        bypass_changes: vec![
            bypass("svc-backup", false, true),
            bypass("svc-archive", true, false),
        ],
        ..plan_of(vec![
            owner_sign_ins("Pilar Pinilla", "pilar@contoso.com"),
            weakening_room(),
        ])
    };
    let comment = render(&plan);
    let summary = above_details(&comment);
    assert!(summary.contains("> [!WARNING]\n> **⚠ 3 changes weaken auditing.**"));
    assert!(summary.contains("**organization config**"));
    assert!(summary.contains("**audit bypass association \"svc-backup\"**"));
    assert!(summary.contains("**mailbox \"Adele Vance\" \\<adele@contoso.com\\>**"));
    assert!(!summary.contains("Pilar"));
    assert!(diff_of(&comment).contains("\n-           FolderBind,\n"));
    insta::assert_snapshot!(comment);
}

#[test]
fn identical_weakening_changes_share_one_item_that_names_the_first_few() {
    let shrink = |name: &str, address: &str| {
        mailbox(name, address)
            .recipient(crate::model::RecipientType::SharedMailbox)
            .list(Delegate, list_change(&["FolderBind"], &[], &["FolderBind"]))
    };
    let mut changes = many(2, shrink);
    // A different addition, so not the same group, but the same weakening.
    changes.extend(many(6, |name, address| {
        shrink(name, address).list(Owner, list_change(&[], &["MailboxLogin"], &[]))
    }));
    let comment = render(&plan_of(changes));
    let summary = above_details(&comment);
    assert_eq!(summary.matches("> - ").count(), 1, "{summary}");
    assert!(summary.contains(
        "> - **8 SharedMailbox mailboxes** (User 1 \\<user1@contoso.com\\>, User 2 \\<user2@contoso.com\\>, User 1 \\<user1@contoso.com\\> and 5 more): stops auditing FolderBind for Delegate\n"
    ));
}

#[test]
fn a_plan_without_changes_is_short() {
    let comment = render(&Plan::default());
    assert_eq!(
        comment,
        "### auditform plan: no changes\n\nYour mailboxes match the policies.\n"
    );
}

#[test]
fn a_plan_without_changes_still_collapses_its_skipped_mailboxes_and_warnings() {
    let plan = Plan {
        skipped: vec![skipped(
            "Sales Team",
            "sales@contoso.com",
            SkipReason::FixedConfiguration,
        )],
        warnings: vec![
            "mailbox \"Pilar\" audits MessageBind, which this catalog doesn't know".into(),
        ],
        ..Plan::default()
    };
    let comment = render(&plan);
    assert!(comment
        .starts_with("### auditform plan: no changes\n\nYour mailboxes match the policies.\n"));
    assert!(!comment.contains("Plan: 0 to add"));
    insta::assert_snapshot!(comment);
}

#[test]
fn names_from_the_tenant_cannot_break_the_markdown_or_mention_anyone() {
    let hostile = [
        (
            "```\n</details><img src=x onerror=alert(1)>",
            "fence@contoso.com",
        ),
        ("@security-team please approve", "mention@contoso.com"),
        (
            "Eve | *bold* [link](https://evil.example) <b>",
            "html@contoso.com",
        ),
        ("  - HardDelete,", "marker@contoso.com"),
    ];
    let mut changes: Vec<MailboxChange> = hostile
        .iter()
        .map(|(name, address)| {
            mailbox(name, address).list(
                Delegate,
                list_change(&["FolderBind", "Update"], &[], &["FolderBind"]),
            )
        })
        .collect();
    // Enough of them to be grouped, so that names are also listed on lines of their own.
    changes.extend(many(3, |name, address| {
        mailbox(name, address).list(
            Delegate,
            list_change(&["FolderBind", "Update"], &[], &["FolderBind"]),
        )
    }));
    let comment = render(&plan_of(changes));

    let prose = comment.replace(diff_of(&comment), "");
    assert!(prose.contains("@\u{200D}security-team"));
    assert!(
        !prose.contains("@security"),
        "a mention survived outside the code block"
    );
    let item = prose
        .lines()
        .find_map(|line| line.strip_prefix("> - "))
        .unwrap_or_default()
        .replace("**", "");
    for markup in ['<', '>', '[', ']', '|', '`', '*', '_'] {
        assert_eq!(unescaped(&item, markup), 0, "{markup} in {item}");
    }
    assert_eq!(prose.matches("</details>").count(), 1);
    let fences: Vec<&str> = comment
        .lines()
        .filter(|line| line.trim_start().starts_with("```"))
        .collect();
    assert_eq!(fences, ["```diff", "```"], "only the diff's own fence");
    let removals: Vec<&str> = diff_of(&comment)
        .lines()
        .filter(|line| line.starts_with('-'))
        .collect();
    assert!(removals
        .iter()
        .all(|line| line.trim_start_matches(['-', ' ']) == "FolderBind,"));
    insta::assert_snapshot!(comment);
}

/// 100,000 mailboxes that each change in their own way, a hundred of them weakening.
fn huge_plan() -> Plan {
    let additions = ["MailboxLogin", "HardDelete", "SoftDelete", "Move", "Create"];
    let changes = many(100_000, |name, address| {
        let n: i64 = name.trim_start_matches("User ").parse().unwrap_or_default();
        let add: Vec<&str> = additions
            .iter()
            .enumerate()
            .filter(|(bit, _)| n & (1 << bit) != 0)
            .map(|(_, action)| *action)
            .collect();
        let change = mailbox(name, address)
            .log_age_days(90, 90 + n)
            .list(Owner, list_change(&["Update"], &add, &[]))
            .policy("owner-sign-ins");
        if n % 1_000 == 0 {
            change.list(Delegate, list_change(&["FolderBind"], &[], &["FolderBind"]))
        } else {
            change
        }
    });
    Plan {
        unchanged: 5,
        organization_change: Some(organization(false, true)),
        ..plan_of(changes)
    }
}

#[test]
fn a_plan_of_100000_different_changes_is_cut_to_fit_with_an_honest_note() {
    let plan = huge_plan();
    assert_eq!(group_changes(&plan.mailbox_changes).len(), 100_000);
    let comment = render(&plan);

    assert!(comment.len() <= COMMENT_LIMIT, "{} bytes", comment.len());
    assert!(comment.starts_with("### auditform plan: 100,001 to change, 5 unchanged\n"));
    let summary = above_details(&comment);
    assert!(summary.contains("**⚠ 101 changes weaken auditing.**"));
    assert!(summary.contains("> - **organization config**: turns mailbox auditing off"));
    assert!(summary.contains(
        "> - **100 UserMailbox mailboxes** (User 1000 \\<user1000@contoso.com\\>, User 2000 \\<user2000@contoso.com\\>, User 3000 \\<user3000@contoso.com\\> and 97 more): stops auditing FolderBind for Delegate\n"
    ));
    assert!(!summary.contains("not listed"));

    let diff = diff_of(&comment);
    let shown = diff.matches(" will be updated in-place").count();
    let note = format!(
        "… {} more changes not shown (the comment limit is 60,000 characters); see the plan artifact or run auditform plan --expand\n",
        thousands(100_001 - shown)
    );
    assert!(
        diff.contains(&note),
        "{}",
        &diff[diff.len().saturating_sub(400)..]
    );
    assert!(
        diff.ends_with("Plan: 0 to add, 100001 to change, 0 to destroy.\n"),
        "{}",
        &comment[comment.len() - 600..]
    );
    assert!(
        shown > 50,
        "the comment is used, not left empty: {shown} shown"
    );
    let before_note = &diff[..diff.find("… ").unwrap_or(0)];
    assert!(before_note.ends_with("}\n\n"), "cut between blocks");
}

#[test]
fn thousands_of_different_weakening_combinations_are_still_listed_whole_by_single_reason() {
    // Each mailbox stops auditing its own subset of ten Admin actions: 1,023 combinations,
    // far too many lines for one comment, but only ten single reasons.
    let admin = [
        "ApplyRecord",
        "Copy",
        "Create",
        "FolderBind",
        "HardDelete",
        "Move",
        "MoveToDeletedItems",
        "SendAs",
        "SendOnBehalf",
        "SoftDelete",
    ];
    let changes = many(100_000, |name, address| {
        let n: usize = name.trim_start_matches("User ").parse().unwrap_or_default();
        let bits = n % 1023 + 1;
        let remove: Vec<&str> = admin
            .iter()
            .enumerate()
            .filter(|(bit, _)| bits & (1 << bit) != 0)
            .map(|(_, action)| *action)
            .collect();
        mailbox(name, address).list(Admin, list_change(&admin, &[], &remove))
    });
    let comment = render(&plan_of(changes));

    assert!(comment.len() <= COMMENT_LIMIT, "{} bytes", comment.len());
    let summary = above_details(&comment);
    assert!(summary.contains("**⚠ 100,000 changes weaken auditing.**"));
    assert!(summary.contains("by single reason"));
    assert!(!summary.contains("not listed"), "nothing is left out");
    for action in admin {
        assert!(
            summary.contains(&format!("): stops auditing {action} for Admin\n")),
            "{action} is accounted for"
        );
    }
    insta::assert_snapshot!(summary);
}

#[test]
fn a_weakening_list_too_long_for_any_comment_says_how_many_it_leaves_out() {
    // Every mailbox shortens its retention to a different length: 100,000 different weakenings.
    let changes = many(100_000, |name, address| {
        let n: i64 = name.trim_start_matches("User ").parse().unwrap_or_default();
        mailbox(name, address).log_age_days(200_000, 200_000 - n)
    });
    let comment = render(&plan_of(changes));

    assert!(comment.len() <= COMMENT_LIMIT, "{} bytes", comment.len());
    assert!(comment.starts_with("### auditform plan: 100,000 to change\n"));
    let summary = above_details(&comment);
    let listed = summary.matches("> - **mailbox").count();
    assert!(listed > 100, "as many as fit are listed: {listed}");
    let note = format!(
        "> - … and {} more weakening changes not listed: the list alone would pass the comment limit of 60,000 characters; see the plan artifact or run auditform plan\n",
        thousands(100_000 - listed)
    );
    assert!(
        summary.ends_with(&format!("{note}\n")),
        "{}",
        &summary[summary.len() - 300..]
    );
    assert!(diff_of(&comment).contains("… 100,000 more changes not shown"));
    assert!(
        comment.ends_with("Plan: 0 to add, 100000 to change, 0 to destroy.\n```\n\n</details>\n")
    );
}

#[test]
fn a_plan_that_just_fits_is_not_cut() {
    let plan = plan_of(many(40, |name, address| {
        mailbox(name, address).log_age_days(90, 100 + name.len() as i64)
    }));
    let whole = comment(&plan, usize::MAX);
    assert_eq!(comment(&plan, whole.len()), whole);
    let cut = comment(&plan, whole.len() - 1);
    assert!(cut.len() < whole.len());
    assert!(cut.contains("more changes not shown (the comment limit is"));
}

#[test]
fn every_limit_that_leaves_room_for_the_summary_is_respected() {
    let mut changes: Vec<MailboxChange> = (1..=30)
        .map(|n| {
            mailbox(&format!("Room {n}"), &format!("room{n}@contoso.com"))
                .log_age_days(180, 180 - n)
                .list(Owner, list_change(&[], &["MailboxLogin"], &[]))
        })
        .collect();
    changes.extend(many(30, owner_sign_ins));
    let plan = Plan {
        skipped: vec![skipped(
            "Sales Team",
            "sales@contoso.com",
            SkipReason::FixedConfiguration,
        )],
        warnings: vec!["a warning".into(); 3],
        ..plan_of(changes)
    };
    let whole = comment(&plan, usize::MAX).len();
    // The notes name the limit, so the smallest comment grows by a digit or two with it.
    let smallest = (comment(&plan, 0).len()..whole)
        .find(|&limit| comment(&plan, limit).len() <= limit)
        .unwrap_or(whole);
    assert!(smallest < comment(&plan, 0).len() + 10);
    for limit in (smallest..=whole)
        .step_by(11)
        .chain([smallest + 1, whole - 1])
    {
        let cut = comment(&plan, limit);
        assert!(
            cut.len() <= limit,
            "{} bytes for a limit of {limit}",
            cut.len()
        );
        assert!(cut.starts_with("### auditform plan: 60 to change, 1 skipped\n"));
        assert!(cut.ends_with("Plan: 0 to add, 60 to change, 0 to destroy.\n```\n\n</details>\n"));
    }
}
